"""A live campaign in manifest form (what `reconciler export` writes for it): every managed
field, references by name where the name resolves back to the same uuid; and the forms
`export --update` writes drifted schedules and networks in (the entry's own style kept)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from reconciler.fields import MANAGED_FIELDS, SCHEDULE_KEYS
from reconciler.kinds.base import Kind, Reference
from reconciler.manifest.schedule import ScheduleError, keep_style, to_api, to_human
from reconciler.plan.normalize import canonical, canonical_network, display, schedule_order


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


# ---- export --update: a drifted value in the entry's own style ------------------------------


def network_like(declared: Any, live: Any) -> dict[str, int]:
    """The live counts, under the keys the entry writes (a 0 kept where it wrote one), plus
    any network the live campaign now calls on."""
    counts = canonical_network(live)
    declared = declared if isinstance(declared, dict) else {}
    result = {key: counts.get(key, 0) for key in declared}
    result.update({key: count for key, count in counts.items() if count and key not in result})
    return result


def schedules_like(
    declared: Any, live: Any
) -> tuple[list[dict[str, str]], list[int | None]]:
    """The live schedule objects as human entries, written as the manifest writes them:
    an entry that still matches one object stays as it is; an object close to a leftover
    entry (most days alike) is written over it keeping its day keys and times
    (`keep_style`); the rest are new entries, in time order. Returns the entries and, for
    each, the index of the declared entry it is written over (None: a new one)."""
    declared = [entry for entry in declared or [] if isinstance(entry, dict)]
    objects = sorted(
        [dict(entry) for entry in live or ()], key=schedule_order
    )
    mine = [_api_or_none(entry) for entry in declared]
    free = list(range(len(declared)))
    wanted: list[dict[str, str]] = []
    pairing: list[int | None] = []
    leftovers = []
    for obj in objects:
        exact = next((i for i in free if mine[i] is not None
                      and canonical("schedules", [mine[i]]) == canonical("schedules", [obj])), None)
        if exact is None:
            leftovers.append(obj)
            continue
        free.remove(exact)
        wanted.append(declared[exact])
        pairing.append(exact)
    for obj in leftovers:
        closest = max(free, key=lambda i: _likeness(mine[i], obj), default=None)
        if closest is not None and _likeness(mine[closest], obj) > 0:
            free.remove(closest)
            wanted.append(keep_style(obj, declared[closest]))
            pairing.append(closest)
        else:
            wanted.append(to_human([obj])[0])
            pairing.append(None)
    return wanted, pairing


def _api_or_none(entry: dict[str, Any]) -> dict[str, int] | None:
    try:
        return to_api([entry])[0]
    except ScheduleError:
        return None


def _likeness(mine: dict[str, int] | None, obj: Mapping[str, Any]) -> int:
    """How many days two schedule objects both call on, and with the same window."""
    if mine is None:
        return 0
    days = [key[: -len("_start_time")] for key in mine if key.endswith("_start_time")]
    both = sum(1 for day in days if (mine[f"{day}_start_time"] or mine[f"{day}_end_time"])
               and (obj.get(f"{day}_start_time") or obj.get(f"{day}_end_time")))
    same = sum(1 for day in days if (mine[f"{day}_start_time"], mine[f"{day}_end_time"])
               == (obj.get(f"{day}_start_time") or 0, obj.get(f"{day}_end_time") or 0))
    return both * 8 + same if both else 0
