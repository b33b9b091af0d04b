"""A live template in manifest form (what `reconciler export --templates` writes for it), and
the press options `export --update` writes back (keeping the keys no read returns)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler import template_fields
from reconciler.audio_fields import set_template_audio, template_audio
from reconciler.kinds.base import Kind
from reconciler.manifest.edit import EditError


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


def press_options_like(declared: Any, live_options: list[dict[str, Any]]) -> list[dict]:
    """The live press options (what a read returns), each keeping the keys the entry declares
    for it that a read never returns (toggled, enable, type, extension)."""
    unread = {
        str(option.get("press_num")): {key: option[key]
                                       for key in template_fields.PRESS_OPTION_UNREAD
                                       if key in option}
        for option in declared or [] if isinstance(option, dict)
    }
    for option in live_options or []:
        missing = [key for key in template_fields.PRESS_OPTION_UNREAD
                   if key not in unread.get(str(option.get("press_num")), {})]
        if missing:  # a read never returns them: the file would have to guess
            raise EditError(
                f"press option {option.get('press_num')} is live but its {', '.join(missing)} "
                "are not declared, and the API never reads them back; add the option to the "
                "entry by hand (with the values it has)"
            )
    return [{**option, **unread.get(str(option.get("press_num")), {})}
            for option in live_options or []]
