"""Templates as a kind: identity by template_name (or a pinned template_uuid), compared in read
form, written whole (POST stores every field; PUT is treated as a full replace).

Reads and writes differ (reconciler.template_fields): press options are compared by what a
read returns (press_num, voice_type, content | audio_file); the declared toggled, enable, type
and extension are sent on every write and never compared. A template that declares any of
them is therefore rewritten on every apply (an update marked `rewrite` when nothing readable
differs): a changed extension must reach the API, and no read can tell that it did not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from reconciler import template_fields as tf
from reconciler.diagnostics.model import Diagnostic
from reconciler.errors import PlanError
from reconciler.kinds.base import Context, Kind, Where, updated_at
from reconciler.kinds.template import audio, export, write, write_only
from reconciler.manifest.template_spec import TemplateSpec
from reconciler.names import identity_key
from reconciler.plan.catalog import Catalog
from reconciler.plan.fingerprint import fingerprint
from reconciler.plan.model import Change, FieldDiff


def canonical(field_name: str, value: Any) -> Any:
    """A hashable value for comparing one template field as any read shows it."""
    if field_name == "press_options":
        rows = []
        for option in tf.press_options_write_form(value):
            rows.append((
                str(option.get("press_num", "")),
                option.get("voice_type") or "",
                option.get("content") or "",
                option.get("audio_file") or "",
            ))
        return tuple(sorted(rows))
    if field_name in tf.SOUND_FIELDS:
        sound = value if isinstance(value, dict) else {}
        return (
            bool(sound.get("enable")),
            sound.get("voice_type") or "",
            sound.get("content") or "",
            sound.get("audio_file") or "",
        )
    if field_name == "speed_tts":
        return None if value is None else float(value)
    if field_name in tf.INT_FIELDS:
        return int(value or 0)
    if field_name == "enable_option":
        return bool(value)
    if field_name == "template_name" and isinstance(value, str):
        return identity_key(value)
    return "" if value is None else value


def display(field_name: str, value: Any, *, everything: bool = False) -> Any:
    """The manifest-form value shown in plans: press options as written, by key, with only
    what a read returns unless `everything` (a create shows all it sends)."""
    if field_name == "press_options":
        shown = []
        for option in sorted(tf.press_options_write_form(value),
                             key=lambda item: str(item.get("press_num", ""))):
            if everything:
                shown.append({key: option[key] for key in tf.PRESS_OPTION_KEYS if key in option})
                continue
            read = {"press_num": option.get("press_num"),
                    "voice_type": option.get("voice_type") or ""}
            read.update({key: option[key] for key in tf.OMITTED_WHEN_EMPTY if option.get(key)})
            shown.append(read)
        return shown
    if field_name in tf.SOUND_FIELDS:
        sound = value if isinstance(value, dict) else {}
        shown_sound = {
            "enable": bool(sound.get("enable")), "voice_type": sound.get("voice_type") or ""
        }
        shown_sound.update({key: sound[key] for key in tf.OMITTED_WHEN_EMPTY if sound.get(key)})
        return shown_sound
    if field_name in tf.INT_FIELDS:
        return int(value or 0)
    if field_name == "enable_option":
        return bool(value)
    return "" if value is None else value


class TemplateKind(Kind):
    name = "template"
    plural = "templates"
    name_field = "template_name"
    uuid_field = "template_uuid"
    has_placeholders = True
    params_intro = "placeholders (each lead import must supply these params)"
    spec_model = TemplateSpec
    # audio_file (anywhere) names an upload by uuid or by name (kinds/template/audio.py).
    references = (audio.REFERENCE,)

    def list_live(self, client: Any, **options: Any) -> list[dict[str, Any]]:
        return client.list_templates()

    def read(self, client: Any, uuid: str) -> dict[str, Any]:
        return client.get_template(uuid)

    def prunable(self, row: dict[str, Any]) -> bool:
        return True  # the planner keeps those a campaign uses

    def same(self, field_name: str, kept: Any, sent: Any) -> bool:
        return canonical(field_name, kept) == canonical(field_name, sent)

    def shown(self, field_name: str, value: Any) -> Any:
        return display(field_name, value)

    def placeholders(self, values: Mapping[str, Any]) -> list[str]:
        return tf.template_placeholders(dict(values))

    def known_placeholders(self, catalog: Catalog) -> dict[str, list[str]]:
        return {
            uuid: catalog.placeholders[uuid]
            for uuid in catalog.table(self.name).values() if uuid in catalog.placeholders
        }

    def check_writes(
        self, changes: list[Change], specs: Mapping[str, Any],
        live: Mapping[str, dict[str, Any] | None], where: Where,
    ) -> tuple[list[Diagnostic], list[Diagnostic]]:
        return write_only.check(self, changes, specs, live, where)

    def unverifiable_lines(self, change: Change, value: Callable[[Any], str]) -> list[str]:
        return write_only.unverifiable_lines(change, value)

    def desired_values(
        self, specs: Mapping[str, Any], context: Context, where: Where,
        live: Mapping[str, dict[str, Any] | None],
    ) -> dict[str, dict[str, Any]]:
        resolved: dict[str, dict[str, Any]] = {}
        errors: list[Diagnostic] = []
        for name, spec in specs.items():
            if spec.state != "present":
                continue
            values = spec.api_values()
            audio.resolve(name, values, context, where, errors)
            resolved[name] = values
        if errors:
            raise PlanError(diagnostics=errors)
        return resolved

    def plan_create(self, spec: Any, values: dict[str, Any], context: Context,
                    source: str) -> Change:
        values, refs = audio.split_pending(values)
        shown = audio.named(values, refs, context)
        fields = {
            name: FieldDiff(None, display(name, value, everything=True))
            for name, value in shown.items()
        }
        return Change(
            action="create",
            kind=self.name,
            name=spec.template_name,
            fields=fields,
            create_body=dict(values),
            source=source,
            refs=refs,
            placeholders=tf.template_placeholders(values),
            unverifiable=spec.unverifiable(),
        )

    def plan_update(self, spec: Any, values: dict[str, Any], live: dict[str, Any],
                    context: Context) -> Change | None:
        values, refs = audio.split_pending(values)
        shown = audio.named(values, refs, context)
        before = audio.named(live, {}, context)
        fields = {
            name: FieldDiff(display(name, before.get(name)), display(name, shown[name]))
            for name, value in values.items()
            if canonical(name, live.get(name)) != canonical(name, value)
        }
        unverifiable = spec.unverifiable()
        if not fields and not unverifiable:
            return None
        # (A write that would send press options without those keys is refused by the
        # planner: reconciler.plan.write_only.)
        put = dict(values)  # every declared field is sent on every write (unread keys too)
        if "template_name" not in fields and live.get("template_name"):
            # The same name in another Unicode form: the live spelling is kept (no rename),
            # as for campaigns.
            put["template_name"] = live["template_name"]
        return Change(
            action="update",
            kind=self.name,
            name=spec.template_name,
            uuid=live["template_uuid"],
            fields=fields,
            put=put,
            fingerprint=fingerprint(live, read_dependent=self.read_dependent),
            live_name=live.get("template_name"),
            placeholders=tf.template_placeholders({**live, **values}),
            unverifiable=unverifiable,
            rewrite=not fields,
            refs=refs,
            updated_at=updated_at(live),
        )

    def set_reference(self, change: Change, key: str, uuid: str) -> None:
        audio.set_reference(change, key, uuid)

    def actions(self) -> dict[str, Callable[..., tuple[list[str], str]]]:
        return {
            "create": partial(write.apply_create, self),
            "update": partial(write.apply_update, self),
            "delete": partial(write.apply_delete, self),
            "rename": partial(write.rename, self),
        }

    def find(self, client: Any, name: str) -> dict[str, Any] | None:
        return client.find_template_by_name(name)

    export_default = True

    def taken_back(self, field_name: str, declared: Any, live: Any, before: Any) -> Any:
        if field_name == "press_options":
            return export.press_options_like(declared.get("press_options"), before), None
        return before, None

    def export_entry(self, live: Any, names: Any, *, pin_uuid: bool = False) -> Any:
        return export.entry(self, live, pin_uuid=pin_uuid, audio_names=names.get("audio", {}))


TEMPLATE = TemplateKind()
