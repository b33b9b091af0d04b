"""A carrier's values as compared, shown and written (reconciler/carrier_fields.py names the
trap: reads and writes differ).

A read answers the prefixes under `data` (only those its dial type uses) and a random dial
type's caller ids as `data.caller_id`; a write sends the prefixes top level. `lifted` gives a
read the write's top-level prefix keys as well, so a read and a manifest are compared like
with like; `write_form` turns a read back into a PUT body. Pure.
"""

from __future__ import annotations

from typing import Any

from reconciler import carrier_fields as cf
from reconciler.names import identity_key
from reconciler.plan.normalize import canonical_network

# Server-managed and moving with the calls in flight (or a read's join): never compared,
# left out of fingerprints.
READ_DEPENDENT = frozenset({"carrier_remaining_ccu", "remaining_concurrent_call", "groups"})
# Read fields a PUT does not send back: the tenant and the server's own state.
NOT_SENT = frozenset({"domain_uuid", "status"})


def lifted(row: dict[str, Any]) -> dict[str, Any]:
    """A carrier as read, with each prefix the read shows under `data` also at the top
    level, where a write sends it (the row is otherwise unchanged)."""
    data = row.get("data") if isinstance(row.get("data"), dict) else {}
    return {**row, **{key: data[key] for key in cf.PREFIX_FIELDS if key in data}}


def caller_ids(data: Any) -> tuple[str, ...]:
    """`data.caller_id` as a tuple: a list as it is, one number as one, none as ()."""
    value = data.get("caller_id") if isinstance(data, dict) else None
    if isinstance(value, list):
        return tuple(str(item) for item in value)
    return (value,) if isinstance(value, str) and value else ()


def canonical(field_name: str, value: Any) -> Any:
    """A hashable value for comparing one carrier field as a read shows it and as a manifest
    declares it (null and empty alike)."""
    if field_name == "network":
        return tuple(sorted(canonical_network(value).items()))
    if field_name == "concurrent_call":
        return int(value or 0)
    if field_name == "data":
        return caller_ids(value)
    if field_name == "carrier_name" and isinstance(value, str):
        return identity_key(value)
    return "" if value is None else value


def display(field_name: str, value: Any) -> Any:
    """The manifest-form value shown in plans."""
    if field_name == "network":
        return canonical_network(value)
    if field_name == "concurrent_call":
        return int(value or 0)
    if field_name == "data":
        return {"caller_id": list(caller_ids(value))}
    return "" if value is None else value


def write_form(live: dict[str, Any], put: dict[str, Any]) -> dict[str, Any]:
    """The PUT body: the carrier as read (a full replace keeps only what it is sent, so what
    the manifest leaves out goes back as it is), prefixes top level, the planned fields over
    it. `data` carries the caller ids of a random dial type; for the others it repeats
    caller_id, as the docs' Update sample does."""
    body = {key: value for key, value in lifted(live).items() if key not in NOT_SENT}
    body.update(put)
    if body.get("dial_type") in cf.RANDOM_DIAL_TYPES:
        wanted = put.get("data") or live.get("data")
        body["data"] = {"caller_id": list(caller_ids(wanted))}
    else:
        body["data"] = {"caller_id": body.get("caller_id") or ""}
    return body
