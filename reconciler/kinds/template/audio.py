"""A template's `audio_file`s (top level, press options, exit_sound, invalid_sound) name an
upload by its uuid, or by name: a declared audio entry's `audio_name` (its current
digest-named upload, or the one this apply uploads), else a live upload's exact name. Pure.

A name the apply uploads first is left "" in the values and recorded in `refs`
(`press_options.0.audio_file` → `loi_chao`); the applier fills it in (`set_reference`)."""

from __future__ import annotations

import re
from typing import Any

from reconciler import template_fields as tf
from reconciler.audio_fields import set_template_audio, template_audio
from reconciler.diagnostics.model import Diagnostic
from reconciler.kinds.base import Context, Pending, Reference, Where, located

TARGET = "audio"
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class AudioReference(Reference):
    """`audio_file` anywhere in a template: resolved by the template kind (see module)."""

    def refers(self, spec: Any) -> bool:
        """Whether the entry names an upload by name (then the audio listing is read)."""
        return any(not _UUID.match(value) for _key, value in template_audio(spec.api_values()))


REFERENCE = AudioReference("audio", TARGET, "audio_file")


def resolve(
    name: str, values: dict[str, Any], context: Context, where: Where,
    errors: list[Diagnostic],
) -> None:
    """Replace each audio name in `values` by its upload's uuid (or a `Pending`)."""
    declared = context.of(TARGET)
    live = {row.get("audio_name"): row.get("audio_uuid")
            for row in context.catalog.listings.get(TARGET, [])}
    for key, value in template_audio(values):
        if _UUID.match(value):
            continue
        wanted = declared.spelling(value) if declared is not None else value
        if declared is not None and wanted in declared.absent:
            errors.append(located(where, name, _loc(key), (
                f'audio_file: "{wanted}" is declared absent (state: absent at '
                f"{declared.absent[wanted]}): a template cannot play it"
            ), "audio_file-absent"))
        elif declared is not None and wanted in declared.present:
            uuid = declared.present[wanted]
            set_template_audio(values, key, uuid if uuid else Pending(TARGET, wanted))  # type: ignore[arg-type]
        elif live.get(value):
            set_template_audio(values, key, str(live[value]))
        else:
            errors.append(located(where, name, _loc(key), (
                f'audio_file: no audio named "{value}" is declared under audio: or uploaded '
                "(declare it with its WAV file, or give the upload's uuid)"
            ), "unknown-audio_file"))


def split_pending(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """(values with "" where an upload is pending, {key: audio name}); values unchanged."""
    refs: dict[str, str] = {}
    found = _pending(values)
    if not found:
        return values, refs
    copied = _copy(values)
    for key, pending in found:
        set_template_audio(copied, key, "")
        refs[key] = pending.name
    return copied, refs


def named(values: dict[str, Any], refs: dict[str, str], context: Context) -> dict[str, Any]:
    """The values as a reviewer reads them: each upload by its declared (or live) name."""
    declared = context.of(TARGET)
    by_uuid = {uuid: name for name, uuid in (declared.present.items() if declared else ())
               if uuid}
    for row in context.catalog.listings.get(TARGET, []):
        by_uuid.setdefault(row.get("audio_uuid"), str(row.get("audio_name")))
    copied = _copy(values)
    if isinstance(copied.get("press_options"), list):  # a read's `[{"1": {...}}]` as written:
        # the keys template_audio gives index the write form
        copied["press_options"] = tf.press_options_write_form(copied["press_options"])
    for key, value in template_audio(values):
        if value in by_uuid:
            set_template_audio(copied, key, by_uuid[value])
    for key, audio_name in refs.items():
        try:
            set_template_audio(copied, key, f"{audio_name} (uploaded by this apply)")
        except (KeyError, IndexError, TypeError):
            continue
    return copied


def set_reference(change: Any, key: str, uuid: str) -> None:
    """Fill in an upload this apply made, where the template plays it."""
    body = change.create_body if change.action == "create" else change.put
    set_template_audio(body, key, uuid)


def _pending(values: dict[str, Any]) -> list[tuple[str, Pending]]:
    found: list[tuple[str, Pending]] = []
    if isinstance(values.get("audio_file"), Pending):
        found.append(("audio_file", values["audio_file"]))
    for index, option in enumerate(values.get("press_options") or ()):
        if isinstance(option, dict) and isinstance(option.get("audio_file"), Pending):
            found.append((f"press_options.{index}.audio_file", option["audio_file"]))
    for sound in ("exit_sound", "invalid_sound"):
        holder = values.get(sound)
        if isinstance(holder, dict) and isinstance(holder.get("audio_file"), Pending):
            found.append((f"{sound}.audio_file", holder["audio_file"]))
    return found


def _copy(values: dict[str, Any]) -> dict[str, Any]:
    copied = dict(values)
    if isinstance(copied.get("press_options"), list):
        copied["press_options"] = [dict(option) if isinstance(option, dict) else option
                                   for option in copied["press_options"]]
    for sound in ("exit_sound", "invalid_sound"):
        if isinstance(copied.get(sound), dict):
            copied[sound] = dict(copied[sound])
    return copied


def _loc(key: str) -> Any:
    """The manifest path of a key: `press_options.0.audio_file` → ("press_options", 0,
    "audio_file")."""
    return tuple(int(part) if part.isdigit() else part for part in key.split("."))
