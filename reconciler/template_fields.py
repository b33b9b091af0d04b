"""The template API's vocabulary, in one place (vendor page autocall_template.md).

`reconciler.fields` is the campaign's. The emulator, the manifest model, the planner and
export all read these, so a template field flows by one name from YAML key to PUT body.

The trap this module names: **reads and writes differ**. A write sends each press option as
`{press_num, toggled, voice_type, enable, content | audio_file, type, extension}`; a read
answers `[{"1": {content | audio_file, voice_type}}]`, without the keys in
`PRESS_OPTION_UNREAD`. Those are sent on every write and never compared: a template that
declares them is rewritten on every apply, and a write that would send options without them
(resetting what the live options have) is refused at plan time.
"""

from __future__ import annotations

import re
from typing import Any

VOICE_TYPES = ("tts", "audio_file")
# The documented voices (Id column of the page's voice table).
VOICES = ("north-m-01", "north-f-01", "north-m-02", "north-f-02", "south-m-03", "south-f-03")
SPEED_MIN, SPEED_MAX = 0.0, 2.0  # 1 is normal speed, 2 the fastest

# Top-level fields a template body may carry (write side), in the manifest's order.
FIELDS = (
    "template_name",
    "description",
    "voice_type",
    "voice_tts",
    "speed_tts",
    "content",
    "audio_file",
    "enable_option",
    "press_options",
    "exit_sound",
    "invalid_sound",
    "press_timeout",
    "max_timeout",
    "inter_digit_timeout",
)
INT_FIELDS = ("press_timeout", "max_timeout", "inter_digit_timeout")
# Documented write fields the tool does not manage (the script's keywords, which lead imports
# fill): sent back as read on every write, so a full-replace PUT never resets them.
PASSED_THROUGH = ("key_field_1", "key_field_2", "key_field_3")
SOUND_FIELDS = ("exit_sound", "invalid_sound")
# One exit/invalid sound: read back as written.
SOUND_KEYS = ("enable", "voice_type", "content", "audio_file")
# One press option as written.
PRESS_OPTION_KEYS = (
    "press_num",
    "toggled",
    "voice_type",
    "enable",
    "content",
    "audio_file",
    "type",
    "extension",
)
# ... and the keys a read answers under the option's press_num.
PRESS_OPTION_READ = ("voice_type", "content", "audio_file")
PRESS_OPTION_UNREAD = ("toggled", "enable", "type", "extension")
# Why a template whose press options declare those keys is written on every apply: no plan
# can see whether the live option still has them.
REWRITE_REASON = (
    "press options' write-only keys (toggled, enable, type, extension) cannot be read back: "
    "rewritten every apply, unverifiable"
)
# Texts a read leaves out when empty (the docs' audio template has no `content` key).
OMITTED_WHEN_EMPTY = ("content", "audio_file")

# Answers (the page's examples).
CREATED_ANSWER = "true"  # POST: {"created": "true", "template_uuid": ...}
NAME_TAKEN = "template is existed!"
NAME_REQUIRED = "template_name is required"
NOT_FOUND = "template not found"
# Not documented: deleting a template a campaign still uses. The emulator refuses it (a
# dangling template_uuid would break the campaign's calls); the tool refuses at plan time.
IN_USE = "template is used by a campaign"

# The campaign field that references a template.
CAMPAIGN_REFERENCE = "template_uuid"

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_ANY_BRACES = re.compile(r"\{\{(.*?)\}\}", re.S)


def placeholders(text: Any) -> list[str]:
    """The `{{names}}` a text uses, each once, in order of first use."""
    if not isinstance(text, str):
        return []
    return list(dict.fromkeys(_PLACEHOLDER.findall(text)))


def placeholder_problem(text: str) -> str:
    """Why the text's placeholders are not well-formed ("" when they are)."""
    for match in _ANY_BRACES.finditer(text):
        if not _PLACEHOLDER.fullmatch(match.group(0)):
            return (
                f"malformed placeholder {match.group(0)!r}: write {{{{name}}}} with letters, "
                "digits and _ (it is filled from the lead's param of that name)"
            )
    rest = _ANY_BRACES.sub("", text)
    if "{{" in rest or "}}" in rest:
        return "unbalanced {{ or }}: a placeholder is written {{name}}"
    stray = re.search(r"\}\}\}|\{\{\{", text)
    if stray:
        return f"stray brace in {stray.group(0)!r}: a placeholder is written {{{{name}}}}"
    single = re.search(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)\}(?!\})", rest)
    if single:
        name = single.group(1)
        return f"{{{name}}} has single braces: a placeholder is written {{{{{name}}}}}"
    return ""


def template_texts(values: dict[str, Any]) -> list[Any]:
    """Every text a template (write or read form) plays: content, sounds, press options."""
    texts = [values.get("content")]
    for sound in SOUND_FIELDS:
        if isinstance(values.get(sound), dict):
            texts.append(values[sound].get("content"))
    for option in values.get("press_options") or ():
        if isinstance(option, dict):
            inner = option if "press_num" in option else next(iter(option.values()), {})
            if isinstance(inner, dict):
                texts.append(inner.get("content"))
    return texts


def template_placeholders(values: dict[str, Any]) -> list[str]:
    """The param keys a lead import must supply for this template, in order of first use."""
    found: list[str] = []
    for text in template_texts(values):
        found.extend(placeholders(text))
    return list(dict.fromkeys(found))


def press_options_read_form(options: Any) -> list[dict[str, dict[str, Any]]]:
    """Write-form press options as a read answers them: [{"1": {voice_type, content}}]."""
    result = []
    for option in options or ():
        inner = {"voice_type": option.get("voice_type") or ""}
        for key in OMITTED_WHEN_EMPTY:
            if option.get(key):
                inner[key] = option[key]
        result.append({str(option.get("press_num", "")): inner})
    return result


def press_options_write_form(options: Any) -> list[dict[str, Any]]:
    """Read-form press options as a write sends them (what a read does not hold is lost)."""
    result = []
    for item in options or ():
        if not isinstance(item, dict):
            continue
        if "press_num" in item:  # already write form
            result.append(dict(item))
            continue
        for number, inner in item.items():
            option = {"press_num": str(number)}
            if isinstance(inner, dict):
                option.update({key: inner[key] for key in PRESS_OPTION_READ if key in inner})
            result.append(option)
    return result

# The tenant lock (reconciler/lock.py) is a template of this name: names are unique, so only
# one apply can create it, and a template never dials (a campaign could). No manifest may
# declare it, and the template listings the tool plans, exports and prunes from leave it out.
LOCK_NAME = "~reconciler-lock"
