"""A live carrier in manifest form (what `reconciler export --carriers` writes for it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler import carrier_fields as cf
from reconciler.kinds.base import Kind
from reconciler.kinds.carrier.values import caller_ids, lifted
from reconciler.plan.normalize import canonical_network


def entry(kind: Kind, live: Mapping[str, Any], *, pin_uuid: bool = False) -> dict[str, Any]:
    """A live carrier (a listing row) as one manifest entry, keys in the API's write order:
    the prefixes its dial type reads back, a random dial type's caller ids under `data`,
    networks with channels only (omitted ones are 0)."""
    row = lifted(dict(live))
    dial_type = str(row.get("dial_type") or "")
    result: dict[str, Any] = {kind.name_field: row[kind.name_field]}
    if pin_uuid:
        result[kind.uuid_field] = row[kind.uuid_field]
    result["description"] = row.get("description") or ""
    result["caller_id"] = row.get("caller_id") or ""
    if row.get("gateway_uuid"):
        result["gateway_uuid"] = row["gateway_uuid"]
    result["dial_type"] = dial_type
    result["network"] = {key: count for key, count in canonical_network(
        row.get("network")).items() if count}
    result["concurrent_call"] = int(row.get("concurrent_call") or 0)
    for key in cf.DATA_PREFIXES.get(dial_type, ()):
        result[key] = row.get(key) or ""
    if dial_type in cf.RANDOM_DIAL_TYPES:
        result["data"] = {"caller_id": list(caller_ids(row.get("data")))}
    return result
