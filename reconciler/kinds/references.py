"""References as data, on the planning side: a kind's `references` table resolves manifest
names to uuids (a declared object this apply creates as `Pending`), and says how a resolved
uuid reads in a report. The engine derives the rest from the same table (ordering, 'in use'
checks, saved-plan fill-in, export). Pure."""

from __future__ import annotations

from typing import Any

from reconciler.diagnostics.model import Diagnostic
from reconciler.kinds.base import Context, Kind, Pending, Reference, Where, located


def resolve(
    kind: Kind, name: str, spec: Any, values: dict[str, Any], context: Context, where: Where,
    live: dict[str, Any] | None, errors: list[Diagnostic],
) -> None:
    """Set each reference's uuid field in `values` from the name the entry gives (an
    object declared in the manifests first, then the catalog); a declared uuid the tenant
    does not list is refused unless the live object has it. Problems go to `errors`."""
    catalog = context.catalog
    for ref in kind.references:
        wanted = getattr(spec, ref.field)
        declared = context.of(ref.target)
        if wanted is None:
            current = (live or {}).get(ref.uuid_field)
            problem = catalog.unknown_uuid(ref.target, values.get(ref.uuid_field), current)
            if problem and not (
                declared is not None and values.get(ref.uuid_field) in declared.present.values()
            ):
                errors.append(located(where, name, ref.uuid_field, problem, "unknown-uuid"))
            continue
        if declared is not None:
            wanted = declared.spelling(wanted)
            if wanted in declared.renamed and wanted not in declared.present:
                new = declared.renamed[wanted]
                errors.append(located(where, name, ref.field, (
                    f"{ref.field}: {wanted!r} is renamed to {new!r} by this plan: name it "
                    f"{new!r} (the old name stops resolving once the rename is applied)"
                ), f"{ref.field}-renamed"))
                continue
            if wanted in declared.absent:
                errors.append(located(where, name, ref.field, (
                    f'{ref.field}: "{wanted}" is declared absent (state: absent at '
                    f"{declared.absent[wanted]}): a {kind.name} cannot use it"
                ), f"{ref.field}-absent"))
                continue
            if wanted in declared.present:
                uuid = declared.present[wanted]
                values[ref.uuid_field] = uuid if uuid else Pending(ref.target, wanted)
                continue
        uuid, problem = catalog.resolve(ref.target, wanted)
        if uuid is None:
            errors.append(located(where, name, ref.field, problem, f"unknown-{ref.field}"))
        else:
            values[ref.uuid_field] = uuid


def split_pending(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """(values without pending uuids, {api field: name of the object this apply creates})."""
    refs = {key: value.name for key, value in values.items() if isinstance(value, Pending)}
    return {key: value for key, value in values.items() if key not in refs}, refs


def by_field(kind: Kind) -> dict[str, Reference]:
    """The kind's references by manifest field."""
    return {ref.field: ref for ref in kind.references}


def shown(
    ref: Reference, api_value: Any, context: Context, live: dict[str, Any] | None
) -> Any:
    """A reference as the manifest would write it: the name (of the live object's target
    when `live` is given), else the uuid."""
    catalog = context.catalog
    if live is not None:
        return (
            live.get(f"{ref.field}_name")
            or catalog.name_of(ref.target, live.get(ref.uuid_field) or "")
            or live.get(ref.uuid_field)
            or ""
        )
    declared = context.of(ref.target)
    if declared is not None:
        for name, uuid in declared.present.items():
            if uuid and uuid == api_value:
                return name
    return catalog.name_of(ref.target, api_value or "") or api_value or ""


def manifest_field(kind: Kind, spec: Any, api_field: str) -> str:
    """The manifest key a diff is reported under: `carrier` when the spec used the name."""
    for ref in kind.references:
        if api_field == ref.uuid_field and getattr(spec, ref.field) is not None:
            return ref.field
    return api_field


def placeholders(
    kind: Kind, values: dict[str, Any], refs: dict[str, str], context: Context
) -> list[str]:
    """The param keys the object's referenced template (or the like) needs from each lead
    import."""
    for ref in kind.references:
        if not ref.placeholders:
            continue
        declared = context.of(ref.target)
        if declared is None:
            continue
        if ref.uuid_field in refs:
            return list(declared.placeholders_by_name.get(refs[ref.uuid_field], []))
        uuid = values.get(ref.uuid_field)
        if not uuid:
            return []
        return list(declared.placeholders_by_uuid.get(uuid, []))
    return []
