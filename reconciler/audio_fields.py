"""The audio API's vocabulary, in one place (vendor page autocall_audio.md).

What the API does not give, and a client must live with: a listing row is only
`{domain_uuid, audio_uuid, audio_name, user_uuid, created_at}` — no size, no content hash, no
download and no replace — so an uploaded file cannot be compared with a local one.
"""

from __future__ import annotations

from typing import Any

# POST /v3/audio is multipart/form-data with these two parts.
NAME_PART = "audio_name"
FILE_PART = "file"
# The keys of a listing row, in the docs' order.
ROW_KEYS = ("domain_uuid", "audio_uuid", "audio_name", "user_uuid", "created_at")

# Answers (the page's examples).
NAME_TAKEN = "audio is existed"
DELETED_MESSAGE = "delete audio success"
DELETE_FAILED = "delete audio failed"

# Where a template plays an uploaded file: each holds the upload's uuid in `audio_file`.
TEMPLATE_AUDIO_FIELD = "audio_file"


def template_audio(values: dict) -> list[tuple[str, str]]:
    """(key, value) of every non-empty `audio_file` a template (write or read form) holds:
    `audio_file`, `press_options.<index>.audio_file` (index in write form),
    `exit_sound.audio_file`, `invalid_sound.audio_file`."""
    from reconciler import template_fields as tf

    found: list[tuple[str, str]] = []
    top = values.get(TEMPLATE_AUDIO_FIELD)
    if isinstance(top, str) and top:
        found.append((TEMPLATE_AUDIO_FIELD, top))
    if "press_options" in values:
        for index, option in enumerate(tf.press_options_write_form(values.get("press_options"))):
            value = option.get(TEMPLATE_AUDIO_FIELD) if isinstance(option, dict) else None
            if isinstance(value, str) and value:
                found.append((f"press_options.{index}.{TEMPLATE_AUDIO_FIELD}", value))
    for sound in tf.SOUND_FIELDS:
        holder = values.get(sound)
        value = holder.get(TEMPLATE_AUDIO_FIELD) if isinstance(holder, dict) else None
        if isinstance(value, str) and value:
            found.append((f"{sound}.{TEMPLATE_AUDIO_FIELD}", value))
    return found


def set_template_audio(values: dict, key: str, value: str) -> None:
    """Set the `audio_file` at `key` (as `template_audio` names it) in write-form values."""
    parts = key.split(".")
    target: Any = values
    for part in parts[:-1]:
        target = target[int(part)] if isinstance(target, list) else target[part]
    target[parts[-1]] = value
