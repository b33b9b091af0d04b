"""Campaigns as a kind: identity by campaign_name (or a pinned campaign_uuid), carrier and
template names resolved to uuids, `active` through PATCH, writes in reconciler/apply.py.

The API facts are in reconciler/fields.py; this module decides, without I/O but for the two
read hooks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.errors import PlanError
from reconciler.fields import CREATE_FIELDS, MANAGED_FIELDS
from reconciler.kinds import Context, Kind, Where, located
from reconciler.plan.fingerprint import fingerprint
from reconciler.plan.model import Change, FieldDiff
from reconciler.plan.normalize import canonical, display
from reconciler.template_fields import CAMPAIGN_REFERENCE

PRUNABLE_TYPE = "autocall"
# Manifest name fields and the API uuid field each resolves to.
NAME_FIELDS = {"carrier": "carrier_uuid", "template": "template_uuid"}
_FIELD_RANK = {name: rank for rank, name in enumerate(MANAGED_FIELDS)}


@dataclass(frozen=True)
class Pending:
    """A uuid not known before apply: that of the object of `kind` named `name`, which the
    same apply creates."""

    kind: str
    name: str


class CampaignKind(Kind):
    name = "campaign"
    plural = "campaigns"
    name_field = "campaign_name"
    uuid_field = "campaign_uuid"
    phased = True

    def list_live(self, client: Any) -> list[dict[str, Any]]:
        return client.list_campaigns()

    def read(self, client: Any, uuid: str) -> dict[str, Any]:
        return client.get_campaign(uuid)

    def needs_detail(self, spec: Any) -> bool:
        """List rows carry no schedules: a detail read only where schedules are managed."""
        return spec.state == "present" and "schedules" in spec.declared()

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
        errors: list[str] = []
        catalog = context.catalog
        for name, spec in specs.items():
            if spec.state != "present":
                continue
            values = spec.api_values()
            for name_field, uuid_field in NAME_FIELDS.items():
                wanted = getattr(spec, name_field)
                if wanted is None:
                    current = (live.get(name) or {}).get(uuid_field)
                    problem = catalog.unknown_uuid(name_field, values.get(uuid_field), current)
                    if problem and not (
                        name_field == "template"
                        and values.get(uuid_field) in context.declared_templates.values()
                    ):
                        errors.append(located(where, name, uuid_field, problem, "unknown-uuid"))
                    continue
                if name_field == "template":
                    wanted = context.declared_spelling(wanted)
                if (
                    name_field == "template"
                    and wanted in context.renamed_templates
                    and wanted not in context.declared_templates
                ):
                    new = context.renamed_templates[wanted]
                    errors.append(located(where, name, "template", (
                        f"template: {wanted!r} is renamed to {new!r} by this plan: name it "
                        f"{new!r} (the old name stops resolving once the rename is applied)"
                    ), "template-renamed"))
                    continue
                if name_field == "template" and wanted in context.absent_templates:
                    errors.append(located(where, name, "template", (
                        f'template: "{wanted}" is declared absent (state: absent at '
                        f"{context.absent_templates[wanted]}): a campaign cannot use it"
                    ), "template-absent"))
                    continue
                if name_field == "template" and wanted in context.declared_templates:
                    uuid = context.declared_templates[wanted]
                    values[uuid_field] = uuid if uuid else Pending("template", wanted)
                    continue
                uuid, problem = catalog.resolve(name_field, wanted)
                if uuid is None:
                    errors.append(
                        located(where, name, name_field, problem, f"unknown-{name_field}")
                    )
                else:
                    values[uuid_field] = uuid
            resolved[name] = dict(sorted(
                values.items(), key=lambda item: _FIELD_RANK.get(item[0], len(_FIELD_RANK))
            ))
        if errors:
            raise PlanError(diagnostics=errors)
        return resolved

    # -- changes -----------------------------------------------------------------------------

    def plan_create(self, spec: Any, values: dict[str, Any], context: Context,
                    source: str) -> Change:
        values, refs = _split_pending(values)
        create_body = {"campaign_name": spec.campaign_name, "type": values.get("type", "autocall")}
        create_body.update({key: values[key] for key in CREATE_FIELDS if key in values})
        put = {key: value for key, value in values.items() if key != "active"}
        fields: dict[str, FieldDiff] = {}
        for api_field, value in {**values, **{f: None for f in refs}}.items():
            manifest_field = _manifest_field(spec, api_field)
            if api_field in refs:
                shown: Any = refs[api_field]
            elif manifest_field in NAME_FIELDS:
                shown = _shown(manifest_field, value, context, None)
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
            placeholders=_placeholders(values, refs, context),
        )

    def plan_update(self, spec: Any, values: dict[str, Any], live: dict[str, Any],
                    context: Context) -> Change | None:
        values, refs = _split_pending(values)
        put: dict[str, Any] = {}
        fields: dict[str, FieldDiff] = {}
        active: bool | None = None
        for api_field, value in values.items():
            current = live.get(api_field)
            # Equal as given is equal once normalised too; canonical() only for what differs.
            if current == value or canonical(api_field, current) == canonical(api_field, value):
                continue
            manifest_field = _manifest_field(spec, api_field)
            if manifest_field in NAME_FIELDS:
                before = _shown(manifest_field, None, context, live)
                after = _shown(manifest_field, value, context, None)
            else:
                before, after = display(api_field, live.get(api_field)), display(api_field, value)
            fields[manifest_field] = FieldDiff(before, after)
            if api_field == "active":
                active = bool(value)
            else:
                put[api_field] = value
        for api_field, template_name in refs.items():  # a template this apply creates
            manifest_field = _manifest_field(spec, api_field)
            fields[manifest_field] = FieldDiff(
                _shown(manifest_field, None, context, live), template_name
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
            placeholders=_placeholders({**live, **values}, refs, context),
            uses=live.get("template_uuid") or None,
            updated_at=_updated_at(live),
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
            uses=live.get("template_uuid") or None,
            updated_at=_updated_at(live),
        )

    def requires(self, change: Change, changes: dict[str, list[Change]]) -> list[Change]:
        """The template change it starts using: a create always (its uuid is needed), an
        update when that one need not wait itself (the content is best changed before calls
        use it). Its own phases are kept by `phased`."""
        needed: list[Change] = []
        if change.action == "delete":
            return needed
        uses = set(change.refs.values())
        wanted_uuid = change.put.get(CAMPAIGN_REFERENCE)
        for other in changes.get("template", ()):
            if other.action == "delete":
                continue
            if other.action == "create" and other.name in uses:
                needed.append(other)
            elif other.action == "update" and wanted_uuid and other.uuid == wanted_uuid and (
                other.wave == 0 and other.via_name is None
            ):
                needed.append(other)
        return needed

    def actions(self) -> dict[str, Callable[..., tuple[list[str], str]]]:
        from reconciler import apply

        return {
            "create": apply.apply_create,
            "update": apply.apply_update,
            "delete": apply.apply_delete,
        }

    def find(self, client: Any, name: str) -> dict[str, Any] | None:
        return client.find_campaign_by_name(name)


def _updated_at(live: dict[str, Any]) -> str | None:
    """The live object's `updated_at` when it has one (text), for drift reports."""
    value = live.get("updated_at")
    return value if isinstance(value, str) and value else None


def _split_pending(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """(values without pending uuids, {api field: name of the object this apply creates})."""
    refs = {key: value.name for key, value in values.items() if isinstance(value, Pending)}
    return {key: value for key, value in values.items() if key not in refs}, refs


def _manifest_rank(field_name: str) -> int:
    return _FIELD_RANK.get(field_name, len(_FIELD_RANK))


def _shown(field_name: str, api_value: Any, context: Context, live: dict[str, Any] | None) -> Any:
    """A field's value as the manifest would write it (names for carrier/template)."""
    catalog = context.catalog
    uuid_field = NAME_FIELDS[field_name]
    if live is not None:
        return (
            live.get(f"{field_name}_name")
            or catalog.name_of(field_name, live.get(uuid_field) or "")
            or live.get(uuid_field)
            or ""
        )
    if field_name == "template":
        for name, uuid in context.declared_templates.items():
            if uuid and uuid == api_value:
                return name
    return catalog.name_of(field_name, api_value or "") or api_value or ""


def _manifest_field(spec: Any, api_field: str) -> str:
    """The manifest key a diff is reported under: `carrier` when the spec used the name."""
    for name_field, uuid_field in NAME_FIELDS.items():
        if api_field == uuid_field and getattr(spec, name_field) is not None:
            return name_field
    return api_field


def _placeholders(values: dict[str, Any], refs: dict[str, str], context: Context) -> list[str]:
    """The param keys the campaign's template needs from each lead import."""
    if CAMPAIGN_REFERENCE in refs:
        return list(context.placeholders_by_name.get(refs[CAMPAIGN_REFERENCE], []))
    uuid = values.get(CAMPAIGN_REFERENCE)
    if not uuid:
        return []
    return list(context.placeholders_by_uuid.get(uuid, []))


CAMPAIGN = CampaignKind()
