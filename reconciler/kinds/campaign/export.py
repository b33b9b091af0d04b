"""A live campaign in manifest form (what `reconciler export` writes for it): every managed
field, references by name where the name resolves back to the same uuid."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from reconciler.fields import MANAGED_FIELDS, SCHEDULE_KEYS
from reconciler.kinds.base import Kind, Reference
from reconciler.manifest.schedule import to_human
from reconciler.plan.normalize import canonical_network, display, schedule_order


def _reference(
    ref: Reference, live: Mapping[str, Any], names: Mapping[str, str]
) -> tuple[str, str]:
    """`carrier: Name` when the uuid resolves to a listed, unambiguous name, else the uuid
    (`carrier_uuid: ""` for none), so plan resolves it back to exactly the live value."""
    uuid = live.get(ref.uuid_field) or ""
    if uuid in names:
        return ref.field, names[uuid]
    return ref.uuid_field, uuid


def _schedules(value: Any) -> list[dict[str, str]]:
    """Human windows, one entry per API schedule, in time order as plans show them (server
    keys dropped): the order carries no meaning, and a stable one keeps re-exports equal."""
    entries = [{key: entry.get(key) or 0 for key in SCHEDULE_KEYS} for entry in value or ()]
    return to_human(sorted(entries, key=schedule_order))


def _value(field_name: str, live: Mapping[str, Any]) -> Any:
    """One managed field's live value in manifest form."""
    value = live.get(field_name)
    if field_name == "schedules":
        return _schedules(value)
    if field_name == "network":
        # Omitted networks are 0 in a manifest: writing only the others says the same, shorter.
        return {key: count for key, count in canonical_network(value).items() if count}
    return display(field_name, value)


def entry(
    kind: Kind, live: Mapping[str, Any], names: Mapping[str, Mapping[str, str]], *,
    pin_uuid: bool = False,
) -> dict[str, Any]:
    """A live campaign (detail read) as one manifest entry, keys in MANAGED_FIELDS order."""
    by_field = {ref.field: ref for ref in kind.references}
    uuid_fields = {ref.uuid_field for ref in kind.references}
    result: dict[str, Any] = {}
    for field_name in MANAGED_FIELDS:
        if field_name in uuid_fields:
            continue  # written with its name field, as one or the other
        if field_name in by_field:
            ref = by_field[field_name]
            key, value = _reference(ref, live, names.get(ref.target, {}))
            result[key] = value
        else:
            result[field_name] = _value(field_name, live)
        if field_name == kind.name_field and pin_uuid:
            result[kind.uuid_field] = live[kind.uuid_field]
    return result


def node(document: Any) -> Any:
    """Schedules one day window per line, each window quoted (never a base-60 number)."""
    if "schedules" in document:
        for item in document["schedules"]:
            item.fa.set_block_style()  # one day window per line, as manifests are written
            for day, window in item.items():
                item[day] = DoubleQuotedScalarString(window)  # never a base-60 number
    return document
