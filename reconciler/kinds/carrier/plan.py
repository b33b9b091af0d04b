"""Carriers as a kind: identity by carrier_name (or a pinned carrier_uuid), read through the
listing (the API documents no GET by id), compared like with like (values.py), written whole
(PUT is a full replace: the carrier as read with the declared fields over it).

Campaigns name carriers (`carrier:`), so carriers are created before the campaigns that name
them and deleted after the campaigns that stop using them; deleting one that a campaign which
stays uses is refused by the planner (from the campaign kind's references) and re-checked
right before the DELETE (write.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from reconciler import carrier_fields as cf
from reconciler.diagnostics.model import Diagnostic
from reconciler.errors import PlanError
from reconciler.kinds.base import Context, Kind, Where, located, updated_at
from reconciler.kinds.carrier import checks, export, write
from reconciler.kinds.carrier.values import READ_DEPENDENT, canonical, display, lifted
from reconciler.manifest.carrier_spec import CarrierSpec, prefix_problem
from reconciler.plan.fingerprint import fingerprint
from reconciler.plan.model import Change, FieldDiff

# The reference fields (of any kind) that name a carrier: a change to one moves an object off
# (or onto) a carrier, and a carrier delete waits for it.
_NAMING_FIELDS = ("carrier", "carrier_uuid")


class CarrierKind(Kind):
    name = "carrier"
    plural = "carriers"
    name_field = "carrier_name"
    uuid_field = "carrier_uuid"
    read_dependent = READ_DEPENDENT
    spec_model = CarrierSpec

    # -- reading: the listing is the only read ---------------------------------------------

    def list_live(self, client: Any, **options: Any) -> list[dict[str, Any]]:
        return [lifted(row) for row in client.list_carriers()]

    def read(self, client: Any, uuid: str) -> dict[str, Any]:
        return lifted(client.get_carrier(uuid))

    def find(self, client: Any, name: str) -> dict[str, Any] | None:
        row = client.find_carrier_by_name(name)
        return lifted(row) if row is not None else None

    # -- planning ----------------------------------------------------------------------------

    def prunable(self, row: dict[str, Any]) -> bool:
        return True  # the planner keeps those a campaign uses

    def same(self, field_name: str, kept: Any, sent: Any) -> bool:
        return canonical(field_name, kept) == canonical(field_name, sent)

    def shown(self, field_name: str, value: Any) -> Any:
        return display(field_name, value)

    def desired_values(
        self, specs: Mapping[str, Any], context: Context, where: Where,
        live: Mapping[str, dict[str, Any] | None],
    ) -> dict[str, dict[str, Any]]:
        """Each present spec's write-form values. Refused: a create that leaves out a field
        the API requires, and a prefix the live dial type never reads back (the entry's own
        dial type is checked when the manifest is read)."""
        values: dict[str, dict[str, Any]] = {}
        errors: list[Diagnostic] = []
        for name, spec in specs.items():
            if spec.state != "present":
                continue
            values[name] = spec.api_values()
            row = live.get(name)
            if row is None:
                missing = [key for key in cf.REQUIRED if key not in values[name]]
                if missing:
                    errors.append(located(where, name, None, (
                        f"carrier {name!r} does not exist yet, and creating it needs "
                        f"{', '.join(missing)} (the API requires them): declare them"
                    ), "carrier-create-incomplete"))
            elif _blind_put(values[name], row):
                dial_type = str(values[name].get("dial_type") or row.get("dial_type") or "")
                held = _held_in_data(dial_type)
                errors.append(located(where, name, None, (
                    f"carrier {name!r}: the listing shows no `data`, where a {dial_type} "
                    f"carrier's {' / '.join(held)} are read; an update replaces the whole "
                    "carrier (PUT) and would erase them unseen: check the carrier in the "
                    f"portal, or declare {' and '.join(held)} so the PUT carries them"
                ), "carrier-data-unread"))
            elif "dial_type" not in spec.declared():
                dial_type = str(row.get("dial_type") or "")
                for key in cf.PREFIX_FIELDS:
                    problem = prefix_problem(key, dial_type)
                    if values[name].get(key) and problem:
                        errors.append(located(where, name, key, f"{key}: {problem} (the live "
                                              "carrier's dial_type)", "carrier-prefix-unread"))
        if errors:
            raise PlanError(diagnostics=errors)
        return values

    def plan_create(self, spec: Any, values: dict[str, Any], context: Context,
                    source: str) -> Change:
        return Change(
            action="create",
            kind=self.name,
            name=spec.carrier_name,
            fields={key: FieldDiff(None, display(key, value)) for key, value in values.items()},
            create_body=dict(values),
            source=source,
        )

    def plan_update(self, spec: Any, values: dict[str, Any], live: dict[str, Any],
                    context: Context) -> Change | None:
        values = {**values, **_dropped_prefixes(values, live)}
        fields = {
            key: FieldDiff(display(key, live.get(key)), display(key, value))
            for key, value in values.items()
            if canonical(key, live.get(key)) != canonical(key, value)
        }
        if not fields:
            return None
        put = {key: values[key] for key in fields}
        return Change(
            action="update",
            kind=self.name,
            name=spec.carrier_name,
            uuid=live["carrier_uuid"],
            fields=fields,
            put=put,
            fingerprint=fingerprint(live, read_dependent=self.read_dependent),
            live_name=live.get("carrier_name"),
            updated_at=updated_at(live),
        )

    def requires(self, change: Change, changes: dict[str, list[Change]]) -> list[Change]:
        """A carrier delete runs after every change that moves an object off a carrier and
        after every delete of another kind: until those are done a campaign may still use it
        (and the DELETE's re-check would refuse). Which carrier a campaign leaves is not in
        its change, so this waits for all of them: an order, never a refusal."""
        if change.action != "delete":
            return []
        return [
            other for kind_name, others in changes.items() if kind_name != self.name
            for other in others
            if other.action == "delete" or any(key in other.fields for key in _NAMING_FIELDS)
        ]

    def manifest_warnings(
        self, specs_by: Mapping[str, Mapping[str, Any]], where_by: Mapping[str, Where],
    ) -> list[Diagnostic]:
        return checks.warnings(specs_by, {}, where_by, "manifest")

    def plan_warnings(
        self, specs_by: Mapping[str, Mapping[str, Any]],
        live_by: Mapping[str, list[dict[str, Any]]], where_by: Mapping[str, Where],
    ) -> list[Diagnostic]:
        full = checks.warnings(specs_by, live_by, where_by, "plan")
        return checks.new_at_plan(full, self.manifest_warnings(specs_by, where_by))

    # -- writing and export ------------------------------------------------------------------

    def actions(self) -> dict[str, Callable[..., Any]]:
        return {
            "create": partial(write.apply_create, self),
            "update": partial(write.apply_update, self),
            "delete": partial(write.apply_delete, self),
            "rename": partial(write.rename, self),
        }

    def export_rows(self, client: Any) -> list[dict[str, Any]]:
        return client.list_carriers()  # as read: the export form lifts what it needs

    def export_entry(self, live: Any, names: Any, *, pin_uuid: bool = False) -> Any:
        return export.entry(self, live, pin_uuid=pin_uuid), []


def _held_in_data(dial_type: str) -> tuple[str, ...]:
    """The declared fields a read of this dial type answers under `data` (its prefixes, or
    a random type's caller ids)."""
    return (*cf.DATA_PREFIXES.get(dial_type, ()),
            *(("data",) if dial_type in cf.RANDOM_DIAL_TYPES else ()))


def _blind_put(values: dict[str, Any], live: dict[str, Any]) -> bool:
    """Whether an update would PUT a carrier whose read lacks the `data` its dial type keeps
    values in, without the entry declaring them all: the full replace would erase what the
    read did not show (an answer not understood is never written over)."""
    if isinstance(live.get("data"), dict):
        return False
    held = _held_in_data(str(values.get("dial_type") or live.get("dial_type") or ""))
    changes = any(canonical(key, live.get(key)) != canonical(key, value)
                  for key, value in values.items())
    return bool(held) and changes and not all(key in values for key in held)


def _dropped_prefixes(values: dict[str, Any], live: dict[str, Any]) -> dict[str, Any]:
    """The prefixes a declared dial_type change drops (empty): the live carrier's old dial
    type reads them back, the new one never does, so the PUT cannot keep them — the plan
    shows them going rather than losing them unseen. Declared ones are the entry's own."""
    old = str(live.get("dial_type") or "")
    new = str(values.get("dial_type") or old)
    kept = cf.DATA_PREFIXES.get(new, ())
    return {key: "" for key in cf.DATA_PREFIXES.get(old, ())
            if key not in kept and key not in values and live.get(key)}


CARRIER = CarrierKind()
