"""Promotion: one tenant's live values, seen through the manifests, as desired state for
another (`reconciler diff --env staging --env production`).

For each entry both environments declare, the fields the entry manages take the source
tenant's live values; planning those against the target tenant shows what would change
there to look like the source now. What is meant to differ is left alone: fields an
environment's override sets, pins and uuids (per tenant by nature), and identity. Pure: the
live rows are read by the caller.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

from reconciler.diagnostics.model import Diagnostic
from reconciler.kinds.registry import kind_of, kinds
from reconciler.manifest.loader import Manifests
from reconciler.plan.catalog import Catalog

# Declared, but never copied across tenants (identity and metadata; uuids are per tenant).
_KEPT = frozenset({"state", "labels", "policy_waivers", "previous_names"})


def promoted(
    source: Manifests,
    target: Manifests,
    source_live: Mapping[str, Mapping[str, dict[str, Any] | None]],
    catalog: Catalog,
) -> tuple[Manifests, list[Diagnostic]]:
    """The target's manifests with each shared entry's declared fields set to the source
    tenant's live values (`source_live`: kind -> entry name -> matched live object, detail
    read where schedules are managed). Returns them and notes on what was left out."""
    result = copy.copy(target)
    result._specs = {kind: {} for kind in kinds()}
    notes: list[Diagnostic] = []
    # The listings references are written by name from (a kind no manifest can hold the
    # values of, audio, has no such names: its uuids stay).
    names = {ref.target: _Names(catalog, ref.target) for kind in kinds().values()
             for ref in kind.references if kind_of(ref.target).exportable}
    for kind_name in kinds():
        kind = kind_of(kind_name)
        kept = result.specs(kind_name)
        for name, spec in target.specs(kind_name).items():
            live = source_live.get(kind_name, {}).get(name)
            if spec.state != "present" or source.specs(kind_name).get(name) is None:
                continue
            if live is None:
                notes.append(_note(
                    f"{kind_name} {name!r}: not in {source.environment}, not compared",
                    "diff/not-in-source",
                ))
                continue
            exported, _notes = kind.export_entry(live, names)
            data = spec.model_dump(exclude_unset=True)
            for field in spec.model_fields_set - _KEPT - {kind.name_field, kind.uuid_field}:
                if field.endswith("_uuid") or field not in exported:
                    continue  # a uuid is the tenant's own; a name that did not resolve
                if source.override_at(kind_name, name, field) or target.override_at(
                    kind_name, name, field
                ):
                    continue  # meant to differ between these tenants
                data[field] = exported[field]
            try:
                kept[name] = type(spec).model_validate(data)
            except ValueError as exc:  # a live value no manifest can hold: said, not copied
                notes.append(_note(
                    f"{kind_name} {name!r}: {source.environment}'s values cannot be "
                    f"written as a manifest ({str(exc).splitlines()[0]}); not compared",
                    "diff/not-comparable",
                ))
    return result, notes


def _note(summary: str, code: str) -> Diagnostic:
    """A remark for the diff's plan notes."""
    return Diagnostic("note", code, summary, category="plan")


class _Names(Mapping[str, str]):
    """uuid -> name of one referenced kind, as the source tenant's listings say."""

    def __init__(self, catalog: Catalog, kind: str):
        self._catalog, self._kind = catalog, kind

    def __getitem__(self, uuid: str) -> str:
        name = self._catalog.name_of(self._kind, uuid) if uuid else None
        if name is None:
            raise KeyError(uuid)
        return name

    def __iter__(self) -> Iterator[str]:
        return iter(self._catalog.table(self._kind).values())

    def __len__(self) -> int:
        return len(self._catalog.table(self._kind))
