"""A live template in manifest form (what `reconciler export --templates` writes for it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler import template_fields
from reconciler.audio_fields import set_template_audio, template_audio
from reconciler.kinds.base import Kind


def entry(
    kind: Kind, live: Mapping[str, Any], *, pin_uuid: bool = False,
    audio_names: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """A live template (as any read shows it) as one manifest entry, keys in the API's write
    order; press options in write form, with what a read returns of them; each upload it
    plays by name where `audio_names` (uuid -> name) knows it. And the notes for its file's
    header."""
    result: dict[str, Any] = {kind.name_field: live[kind.name_field]}
    if pin_uuid:
        result[kind.uuid_field] = live[kind.uuid_field]
    for field_name in template_fields.FIELDS[1:]:
        value = live.get(field_name)
        if field_name in template_fields.OMITTED_WHEN_EMPTY:
            value = value or ""
        if field_name == "press_options":
            value = template_fields.press_options_write_form(value)
            value = [{k: v for k, v in option.items() if v not in ("", None) or k == "press_num"}
                     for option in value]
        elif field_name in template_fields.SOUND_FIELDS:
            if not isinstance(value, dict):
                continue
            value = {k: value[k] for k in template_fields.SOUND_KEYS
                     if value.get(k) not in ("", None)}
        elif value is None:
            continue
        result[field_name] = value
    for key, uuid in template_audio(result):
        if uuid in (audio_names or {}):
            set_template_audio(result, key, audio_names[uuid])  # type: ignore[index]
    notes = []
    if live.get("press_options"):
        notes.append(
            "The API never reads back a press option's toggled, enable, type or extension: "
            "declare them below (an update of this template is refused until they are)."
        )
    return result, notes
