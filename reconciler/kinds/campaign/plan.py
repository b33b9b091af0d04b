"""Campaigns as a kind: identity by campaign_name (or a pinned campaign_uuid), carrier and
template names resolved to uuids (its `references`), `active` through PATCH, writes in
write.py.

The API facts are in reconciler/fields.py; this module decides, without I/O but for the read
hooks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from reconciler.errors import PlanError
from reconciler.fields import CREATE_FIELDS, MANAGED_FIELDS
from reconciler.kinds import references
from reconciler.kinds.base import Context, Kind, Reference, Where, updated_at
from reconciler.kinds.campaign import export, write
from reconciler.manifest.models import CampaignSpec
from reconciler.manifest.overlap import schedule_overlaps
from reconciler.plan.fingerprint import READ_DEPENDENT_FIELDS, fingerprint
from reconciler.plan.model import Change, FieldDiff
from reconciler.plan.normalize import canonical, display

PRUNABLE_TYPE = "autocall"
_FIELD_RANK = {name: rank for rank, name in enumerate(MANAGED_FIELDS)}


class CampaignKind(Kind):
    name = "campaign"
    plural = "campaigns"
    name_field = "campaign_name"
    uuid_field = "campaign_uuid"
    phased = True
    primary = True
    # Manifest name fields, the kind each names and the API uuid field it resolves to.
    references = (
        Reference("carrier", "carrier", "carrier_uuid"),
        Reference("template", "template", "template_uuid", placeholders=True, ordered=True),
    )
    read_dependent = READ_DEPENDENT_FIELDS
    params_intro = "its template needs these params in each lead import"
    spec_model = CampaignSpec
    create_fields = CREATE_FIELDS

    def list_live(self, client: Any, **options: Any) -> list[dict[str, Any]]:
        return client.list_campaigns(**options)

    def read(self, client: Any, uuid: str) -> dict[str, Any]:
        return client.get_campaign(uuid)

    def needs_detail(self, spec: Any) -> bool:
        """List rows carry no schedules: a detail read only where schedules are managed."""
        return spec.state == "present" and "schedules" in spec.declared()

    def entry_warnings(self, spec: Any) -> list[tuple[Any, str, str]]:
        if not spec.schedules:
            return []
        return [(("schedules", *loc), message, "schedule-overlap")
                for loc, message in schedule_overlaps(spec.schedules)]

    def prunable(self, row: dict[str, Any]) -> bool:
        return row.get("type") == PRUNABLE_TYPE

    def same(self, field_name: str, kept: Any, sent: Any) -> bool:
        return canonical(field_name, kept) == canonical(field_name, sent)

    def shown(self, field_name: str, value: Any) -> Any:
        return display(field_name, value)

    # -- desired values ----------------------------------------------------------------------

    def desired_values(
        self, specs: Mapping[str, Any], context: Context, where: Where,
        live: Mapping[str, dict[str, Any] | None],
    ) -> dict[str, dict[str, Any]]:
        """Each present spec's API-form values, carrier/template names resolved to uuids (a
        template this apply creates as `Pending`); a declared uuid the tenant does not list
        is refused unless the live campaign has it."""
        resolved: dict[str, dict[str, Any]] = {}
        errors: list[Any] = []
        for name, spec in specs.items():
            if spec.state != "present":
                continue
            values = spec.api_values()
            references.resolve(self, name, spec, values, context, where, live.get(name), errors)
            resolved[name] = dict(sorted(
                values.items(), key=lambda item: _FIELD_RANK.get(item[0], len(_FIELD_RANK))
            ))
        if errors:
            raise PlanError(diagnostics=errors)
        return resolved

    # -- changes -----------------------------------------------------------------------------

    def plan_create(self, spec: Any, values: dict[str, Any], context: Context,
                    source: str) -> Change:
        values, refs = references.split_pending(values)
        named = references.by_field(self)
        create_body = {"campaign_name": spec.campaign_name, "type": values.get("type", "autocall")}
        create_body.update({key: values[key] for key in CREATE_FIELDS if key in values})
        put = {key: value for key, value in values.items() if key != "active"}
        fields: dict[str, FieldDiff] = {}
        for api_field, value in {**values, **{f: None for f in refs}}.items():
            manifest_field = references.manifest_field(self, spec, api_field)
            if api_field in refs:
                shown: Any = refs[api_field]
            elif manifest_field in named:
                shown = references.shown(named[manifest_field], value, context, None)
            else:
                shown = display(api_field, value)
            fields[manifest_field] = FieldDiff(None, shown)
        fields = dict(sorted(fields.items(), key=lambda item: _manifest_rank(item[0])))
        return Change(
            action="create",
            name=spec.campaign_name,
            fields=fields,
            create_body=create_body,
            put=put,
            active=False if values.get("active") is False else None,
            source=source,
            refs=refs,
            placeholders=references.placeholders(self, values, refs, context),
        )

    def plan_update(self, spec: Any, values: dict[str, Any], live: dict[str, Any],
                    context: Context) -> Change | None:
        values, refs = references.split_pending(values)
        named = references.by_field(self)
        put: dict[str, Any] = {}
        fields: dict[str, FieldDiff] = {}
        active: bool | None = None
        for api_field, value in values.items():
            current = live.get(api_field)
            # Equal as given is equal once normalised too; canonical() only for what differs.
            if current == value or canonical(api_field, current) == canonical(api_field, value):
                continue
            manifest_field = references.manifest_field(self, spec, api_field)
            if manifest_field in named:
                before = references.shown(named[manifest_field], None, context, live)
                after = references.shown(named[manifest_field], value, context, None)
            else:
                before, after = display(api_field, live.get(api_field)), display(api_field, value)
            fields[manifest_field] = FieldDiff(before, after)
            if api_field == "active":
                active = bool(value)
            else:
                put[api_field] = value
        for api_field, target_name in refs.items():  # an object this apply creates
            manifest_field = references.manifest_field(self, spec, api_field)
            fields[manifest_field] = FieldDiff(
                references.shown(named[manifest_field], None, context, live), target_name
            )
        if not fields:
            return None
        fields = dict(sorted(fields.items(), key=lambda item: _manifest_rank(item[0])))
        return Change(
            action="update",
            name=spec.campaign_name,
            uuid=live["campaign_uuid"],
            fields=fields,
            put=put,
            active=active,
            fingerprint=fingerprint(live, with_schedules=self.needs_detail(spec)),
            live_name=live.get("campaign_name"),
            live_status=live.get("status"),
            refs=refs,
            placeholders=references.placeholders(self, {**live, **values}, refs, context),
            uses=_uses(self, live),
            updated_at=updated_at(live),
        )

    def plan_delete(self, live: dict[str, Any], source: str) -> Change:
        return Change(
            action="delete",
            name=live["campaign_name"],
            uuid=live["campaign_uuid"],
            fingerprint=fingerprint(live),
            live_name=live["campaign_name"],
            live_status=live.get("status"),
            source=source,
            uses=_uses(self, live),
            updated_at=updated_at(live),
        )

    # -- writing and export ------------------------------------------------------------------

    def actions(self) -> dict[str, Callable[..., Any]]:
        return {
            "create": partial(write.apply_create, self),
            "update": partial(write.apply_update, self),
            "delete": partial(write.apply_delete, self),
            "rename": partial(write.rename, self),
        }

    def find(self, client: Any, name: str) -> dict[str, Any] | None:
        return client.find_campaign_by_name(name)

    export_default = True

    def taken_back(self, field_name: str, declared: Any, live: Any, before: Any) -> Any:
        if field_name == "schedules":
            return export.schedules_like(declared.get("schedules"), live.get("schedules"))
        if field_name == "network":
            return export.network_like(declared.get("network"), live.get("network")), None
        return before, None

    def export_read(
        self, client: Any, rows: list[dict[str, Any]], *, parallelism: int,
        on_progress: Callable[[int], None] | None = None,
    ) -> dict[str, dict[str, Any]]:
        """Detail reads: list rows carry no schedules."""
        return client.get_campaigns([row[self.uuid_field] for row in rows],
                                    parallelism=parallelism, on_progress=on_progress)

    def export_entry(self, live: Any, names: Any, *, pin_uuid: bool = False) -> Any:
        return export.entry(self, live, names, pin_uuid=pin_uuid), []

    def export_node(self, node: Any) -> Any:
        return export.node(node)


def _uses(kind: Kind, live: dict[str, Any]) -> str | None:
    """The uuid the live object holds in its ordered reference (what a delete of that object
    waits for)."""
    for ref in kind.references:
        if ref.ordered:
            return live.get(ref.uuid_field) or None
    return None


def _manifest_rank(field_name: str) -> int:
    return _FIELD_RANK.get(field_name, len(_FIELD_RANK))


CAMPAIGN = CampaignKind()
