"""What no other tool checks about carriers: the campaigns on a carrier against what the
carrier can carry. Pure: declared entries (and, at plan time, live rows) in, located warnings
out (code `carrier/...`).

- Campaigns on one carrier that together ask for more concurrent calls than it has.
- A `direct` campaign on a carrier with no caller id (the API requires one for direct calls).
- A `serial`/`parralel` campaign on a carrier with no channel for any network.
- A dial_type that dials through prefixes (channel_prefix, channel_one_for_all) without them.

Only carriers the manifests declare are checked (a campaign's other carriers are not read),
and only on values known: validate sees the declared values (a field an entry leaves out may
be anything live); plan adds the live values the entries leave out (a carrier it creates has
nothing but what it declares), and the live campaigns no manifest declares.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler import carrier_fields as cf
from reconciler.diagnostics.model import Diagnostic, Subject
from reconciler.kinds.carrier.values import caller_ids
from reconciler.names import identity_key
from reconciler.plan.normalize import canonical_network

Where = Callable[[str, str | None], str]
USERS = "campaign"  # the kind whose entries name carriers (`carrier:` / `carrier_uuid`)
SERIAL_MODES = ("serial", "parralel")


@dataclass
class _Carrier:
    name: str
    values: dict[str, Any]
    declared: frozenset[str]
    uuid: str | None = None


@dataclass
class _User:
    name: str
    carrier: str  # the declared carrier it uses
    mode_call: str
    concurrent_call: int
    declared: frozenset[str] = field(default_factory=frozenset)  # empty: not in a manifest


def warnings(
    specs_by: Mapping[str, Mapping[str, Any]], live_by: Mapping[str, list[dict[str, Any]]],
    where_by: Mapping[str, Where], category: str = "manifest",
) -> list[Diagnostic]:
    """Every warning, carrier by carrier in manifest order."""
    carriers = _carriers(specs_by.get("carrier", {}), live_by.get("carrier"))
    users = _users(specs_by.get(USERS, {}), live_by.get(USERS, []), carriers)
    at_carrier = where_by.get("carrier") or (lambda _name, _field=None: "")
    at_user = where_by.get(USERS) or (lambda _name, _field=None: "")
    found: list[Diagnostic] = []

    def warn(code: str, message: str, where: str, carrier: str, user: str | None) -> None:
        subject = Subject.parse(where, campaign=user)
        found.append(Diagnostic("warning", f"carrier/{code}", message, subject,
                                category=category))  # type: ignore[arg-type]

    for carrier in carriers.values():
        name, values = carrier.name, carrier.values
        dial_type = str(values.get("dial_type") or "")
        needed = cf.DATA_PREFIXES.get(dial_type, ())
        if needed and all(key in values for key in needed) and not any(
            values.get(key) for key in needed
        ):
            warn("prefix-missing", (
                f"carrier {name!r}: dial_type {dial_type} dials through "
                f"{' / '.join(needed)}, but it has none: declare "
                f"{'it' if len(needed) == 1 else 'them'}"
            ), at_carrier(name, _field(carrier, "dial_type")), name, None)
        mine = [user for user in users if user.carrier == name]
        wanted = sum(user.concurrent_call for user in mine)
        capacity = int(values.get("concurrent_call") or 0)
        if mine and wanted > capacity and "concurrent_call" in values:
            listed = ", ".join(f"{user.name!r} {user.concurrent_call}" for user in mine)
            warn("over-capacity", (
                f"carrier {name!r} carries {capacity} concurrent calls, but the campaigns on "
                f"it together ask for {wanted} ({listed}): run at once, the calls beyond "
                f"{capacity} cannot be placed"
            ), at_carrier(name, _field(carrier, "concurrent_call")), name, None)
        for user in mine:
            where = (at_user(user.name, _user_field(user, "mode_call")) if user.declared
                     else at_carrier(name, None))
            if user.mode_call == "direct" and "caller_id" in values and not (
                values.get("caller_id") or caller_ids(values.get("data"))
            ):
                warn("direct-without-caller-id", (
                    f"campaign {user.name!r} calls direct on carrier {name!r}, which has no "
                    "caller_id: direct calls go out from the carrier's caller_id"
                ), where, name, user.name)
            if user.mode_call in SERIAL_MODES and "network" in values and not any(
                canonical_network(values.get("network")).values()
            ):
                warn("no-network-channels", (
                    f"campaign {user.name!r} calls {user.mode_call} on carrier {name!r}, which "
                    "has no channel for any network: declare the carrier's network channels"
                ), where, name, user.name)
    return found


def _field(carrier: _Carrier, name: str) -> str | None:
    return name if name in carrier.declared else None


def _user_field(user: _User, name: str) -> str | None:
    for candidate in (name, "carrier", "carrier_uuid"):
        if candidate in user.declared:
            return candidate
    return None


def _match(name: str, pin: str | None, rows: list[dict[str, Any]], name_key: str,
           uuid_key: str) -> dict[str, Any] | None:
    for row in rows:
        if pin and str(row.get(uuid_key) or "").lower() == pin.lower():
            return row
    if pin:
        return None
    key = identity_key(name)
    return next((row for row in rows if identity_key(str(row.get(name_key) or "")) == key), None)


def _carriers(
    specs: Mapping[str, Any], rows: list[dict[str, Any]] | None
) -> dict[str, _Carrier]:
    """The declared carriers that stay, each with the values known of it: its live values
    under its declared ones; with the live rows read (`rows` not None), one to be created
    has nothing but what it declares (the rest empty)."""
    carriers: dict[str, _Carrier] = {}
    for name, spec in specs.items():
        if spec.state != "present":
            continue
        row = _match(name, spec.pin, rows or [], "carrier_name", "carrier_uuid")
        if row is None:
            row = {} if rows is None else _NOTHING
        else:  # a prefix the read does not show is not sent back by the PUT: empty after it
            row = {**{key: "" for key in cf.PREFIX_FIELDS}, **row}
        uuid = row.get("carrier_uuid") or spec.pin
        carriers[name] = _Carrier(name, {**row, **spec.api_values()}, spec.declared(), uuid)
    return carriers


# What a carrier created with none of these fields has: nothing.
_NOTHING: dict[str, Any] = {
    "caller_id": "", "network": {}, "concurrent_call": 0,
    **{key: "" for key in cf.PREFIX_FIELDS},
}


def _users(
    specs: Mapping[str, Any], rows: list[dict[str, Any]], carriers: dict[str, _Carrier]
) -> list[_User]:
    """The campaigns that stay, each on the declared carrier it will use (if any)."""
    by_key = {identity_key(name): name for name in carriers}
    by_uuid = {carrier.uuid.lower(): name for name, carrier in carriers.items() if carrier.uuid}
    users: list[_User] = []
    claimed: set[str] = set()
    for name, spec in specs.items():
        row = _match(name, spec.pin, rows, "campaign_name", "campaign_uuid")
        if row is not None:
            claimed.add(str(row.get("campaign_uuid")))
        if spec.state != "present":
            continue
        values = {**(row or {}), **spec.api_values()}
        carrier = None
        if getattr(spec, "carrier", None):
            carrier = by_key.get(identity_key(spec.carrier))
        elif values.get("carrier_uuid"):
            carrier = by_uuid.get(str(values["carrier_uuid"]).lower())
        if carrier is not None:
            users.append(_User(name, carrier, str(values.get("mode_call") or ""),
                               int(values.get("concurrent_call") or 0), spec.declared()))
    for row in rows:
        carrier = by_uuid.get(str(row.get("carrier_uuid") or "").lower())
        if carrier is not None and str(row.get("campaign_uuid")) not in claimed:
            users.append(_User(str(row.get("campaign_name")), carrier,
                               str(row.get("mode_call") or ""),
                               int(row.get("concurrent_call") or 0)))
    return users


def new_at_plan(
    full: list[Diagnostic], declared_only: list[Diagnostic]
) -> list[Diagnostic]:
    """The plan-time warnings validate did not already give (the plan shows both)."""
    seen = {(d.code, d.summary) for d in declared_only}
    return [d for d in full if (d.code, d.summary) not in seen]
