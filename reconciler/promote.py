"""Promotion: one tenant's live values, seen through the manifests, as desired state for
another (`reconciler diff --env staging --env production`).

For each entry both environments declare, the fields the entry manages take the source
tenant's live values; planning those against the target tenant shows what would change
there to look like the source now. What is meant to differ is left alone: fields an
environment's override sets, pins and uuids (per tenant by nature), and identity. Pure: the
live rows are read by the caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.export import _value, template_entry
from reconciler.manifest.loader import Manifests
from reconciler.plan.catalog import Catalog

# Declared, but never copied across tenants.
_KEPT = frozenset({
    "state", "labels", "policy_waivers", "previous_names", "campaign_name", "campaign_uuid",
    "template_name", "template_uuid", "carrier_uuid",
})
_REFERENCES = {"carrier": "carrier_uuid", "template": "template_uuid"}


def promoted(
    source: Manifests,
    target: Manifests,
    source_live: Mapping[str, Mapping[str, dict[str, Any] | None]],
    catalog: Catalog,
) -> tuple[Manifests, list[str]]:
    """The target's manifests with each shared entry's declared fields set to the source
    tenant's live values (`source_live`: kind -> entry name -> matched live object, detail
    read where schedules are managed). Returns them and notes on what was left out."""
    result = Manifests.__new__(Manifests)
    result.__dict__.update(target.__dict__)
    result.campaigns, result.templates = {}, {}
    notes: list[str] = []
    for kind in ("campaign", "template"):
        kept = result.specs(kind)
        for name, spec in target.specs(kind).items():
            live = source_live.get(kind, {}).get(name)
            if spec.state != "present" or source.specs(kind).get(name) is None:
                continue
            if live is None:
                notes.append(f"{kind} {name!r}: not in {source.environment}, not compared")
                continue
            data = spec.model_dump(exclude_unset=True)
            for field in spec.model_fields_set - _KEPT:
                if source.override_at(kind, name, field) or target.override_at(kind, name, field):
                    continue  # meant to differ between these tenants
                data[field] = _live_value(kind, field, live, catalog)
            try:
                kept[name] = type(spec).model_validate(data)
            except ValueError as exc:  # a live value no manifest can hold: said, not copied
                notes.append(f"{kind} {name!r}: {source.environment}'s values cannot be "
                             f"written as a manifest ({str(exc).splitlines()[0]}); not compared")
    return result, notes


def _live_value(kind: str, field: str, live: dict[str, Any], catalog: Catalog) -> Any:
    """A live field in manifest form: names for carriers and templates (uuids are per
    tenant, names travel)."""
    if kind == "campaign" and field in _REFERENCES:
        uuid = live.get(_REFERENCES[field]) or ""
        return live.get(f"{field}_name") or catalog.name_of(field, uuid) or uuid
    if kind == "campaign":
        return _value(field, live)
    return template_entry(live).entry.get(field)
