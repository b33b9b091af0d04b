"""Carriers as the API checks and shows them (vendor page autocall_carrier.md).

A body is validated like the API's JSON-schema errors (`{"(root)": "gateway_uuid is required"}`)
and stored in read form: the prefixes the dial type uses and the caller id(s) moved under
`data`, a `null` network count as 0, and the server fields (`status`, `carrier_remaining_ccu`,
...) added. A PUT is a full replace, so nothing a read hides needs keeping.
"""

from __future__ import annotations

from typing import Any

from reconciler.carrier_fields import (
    DATA_PREFIXES,
    DIAL_TYPES,
    FIELDS,
    PREFIX_FIELDS,
    REQUIRED,
    UPDATE_REQUIRED,
)
from reconciler.emulator.documents import DOMAIN_UUID, zero_network
from reconciler.emulator.validation import Problem, _check_count, _enum_problem, _invalid_type
from reconciler.fields import NETWORK_KEYS

# The gateway of every carrier in the docs (gateways have no API); out-of-band carriers use it.
DOCS_GATEWAY = "953a918a-0035-4e6f-97d1-c64e7943b7df"
# What a carrier added out of band (a seed, a test) has unless it says otherwise.
OUT_OF_BAND_DEFAULTS: dict[str, Any] = {
    "gateway_uuid": DOCS_GATEWAY,
    "dial_type": "sip_one_for_all",
    "concurrent_call": 10,
}
# Keys a seed may set beyond the write fields (a read's server fields).
SEEDABLE_SERVER_FIELDS = ("status", "created_at", "updated_at")


def validate_carrier(body: Any, update: bool = False) -> list[Problem]:
    """POST (or PUT, with carrier_uuid required too) /v3/carrier: required fields, then the
    types and enums of the documented fields present. Other keys (a read's server fields, which
    the docs' Update sample sends back) are ignored."""
    if not isinstance(body, dict):
        return [_invalid_type("(root)", "object", body)]
    required = UPDATE_REQUIRED if update else REQUIRED
    problems = [{"(root)": f"{name} is required"} for name in required if name not in body]
    for name in ("carrier_name", "gateway_uuid", "carrier_uuid"):
        if name in body and not isinstance(body[name], str):
            problems.append(_invalid_type(name, "string", body[name]))
        elif name in body and not body[name]:
            problems.append({name: "String length must be greater than or equal to 1"})
    for name in ("description", "caller_id", *PREFIX_FIELDS):
        if name in body and not isinstance(body[name], str):
            problems.append(_invalid_type(name, "string", body[name]))
    if "dial_type" in body and body["dial_type"] not in DIAL_TYPES:
        problems.append(_enum_problem("dial_type", DIAL_TYPES))
    if "concurrent_call" in body:
        problems += _check_count("concurrent_call", body["concurrent_call"])
    problems += _check_network(body.get("network"))
    problems += _check_data(body.get("data"))
    return problems


def _check_network(value: Any) -> list[Problem]:
    """Channels per network; a `null` count is allowed (the docs' create sample sends some)."""
    if value is None:
        return []
    if not isinstance(value, dict):
        return [_invalid_type("network", "object", value)]
    problems: list[Problem] = []
    for key, count in value.items():
        if key not in NETWORK_KEYS:
            problems.append({"network": f"Additional property {key} is not allowed"})
        elif count is not None:
            problems += _check_count(f"network.{key}", count)
    return problems


def _check_data(value: Any) -> list[Problem]:
    """`data.caller_id`: one number, or the list a random dial type picks from."""
    if value is None:
        return []
    if not isinstance(value, dict):
        return [_invalid_type("data", "object", value)]
    caller_ids = value.get("caller_id")
    if caller_ids is None or isinstance(caller_ids, str):
        return []
    if not isinstance(caller_ids, list):
        return [_invalid_type("data.caller_id", "array", caller_ids)]
    return [_invalid_type(f"data.caller_id.{index}", "string", item)
            for index, item in enumerate(caller_ids) if not isinstance(item, str)]


def carrier_read(values: dict[str, Any], carrier_uuid: str, created_at: str,
                 updated_at: str, status: bool = True) -> dict[str, Any]:
    """The carrier as GET /v3/carrier lists it, from a validated write body: the docs' key
    order, `data` with the caller id(s) and the dial type's prefixes (keys sorted, as the docs'
    rows show), zeros for null counts and for the remaining-capacity fields."""
    dial_type = values.get("dial_type") or ""
    caller_id = values.get("caller_id") or ""
    sent = values.get("data") if isinstance(values.get("data"), dict) else {}
    data: dict[str, Any] = {
        "caller_id": sent["caller_id"] if sent.get("caller_id") is not None else caller_id,
    }
    for key in DATA_PREFIXES.get(dial_type, ()):
        data[key] = values.get(key) or ""
    network = zero_network()
    for key, count in (values.get("network") or {}).items():
        network[key] = count or 0
    return {
        "domain_uuid": DOMAIN_UUID,
        "carrier_uuid": carrier_uuid,
        "carrier_name": values["carrier_name"],
        "gateway_uuid": values.get("gateway_uuid") or "",
        "caller_id": caller_id,
        "description": values.get("description") or "",
        "dial_type": dial_type,
        "status": status,
        "created_at": created_at,
        "updated_at": updated_at,
        "network": network,
        "data": dict(sorted(data.items())),
        "concurrent_call": values.get("concurrent_call") or 0,
        "carrier_remaining_ccu": zero_network(),
        "remaining_concurrent_call": 0,
        "groups": None,
    }


def out_of_band_carrier(name: str, carrier_uuid: str, timestamp: str,
                        extra: dict[str, Any]) -> dict[str, Any]:
    """A carrier a seed or a test adds (write fields, plus status/created_at/updated_at);
    defaults fill the required fields. Raises ValueError naming unknown keys or bad values."""
    unknown = sorted(set(extra) - set(FIELDS) - set(SEEDABLE_SERVER_FIELDS))
    if unknown:
        raise ValueError(f"unknown carrier field(s): {', '.join(unknown)}")
    values = {**OUT_OF_BAND_DEFAULTS, **extra, "carrier_name": name}
    problems = validate_carrier(values)
    if problems:
        detail = "; ".join(f"{key}: {text}" for problem in problems for key, text in
                           problem.items())
        raise ValueError(f"carrier {name!r}: {detail}")
    status = extra.get("status", True)
    if not isinstance(status, bool):
        raise ValueError(f"carrier {name!r}: status must be true or false")
    created_at = str(extra.get("created_at") or timestamp)
    return carrier_read(values, carrier_uuid, created_at,
                        str(extra.get("updated_at") or created_at), status)
