"""Body validation for POST and PUT /v3/campaign, worded like the API's JSON-schema errors.

Each problem is one `{"<field path or (root)>": "message"}` entry; the route answers them all
at once as `{"error": [...]}`, the docs' second error shape. Business rules that need the
database (unknown uuids, taken names) are checked by the routes afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reconciler import template_fields
from reconciler.emulator.documents import (
    INT_FIELDS,
    PUT_ALSO_REPLACES,
    SCHEDULE_SERVER_KEYS,
    STRING_FIELDS,
)
from reconciler.fields import (
    CAMPAIGN_TYPES,
    CREATE_FIELDS,
    MODE_CALL,
    NETWORK_KEYS,
    PRIORITY_RECALL,
    RECALL_STATUSES,
    SCHEDULE_KEYS,
    SCHEDULE_RECALL,
    STATUS,
    TYPE_AUTOCALL,
    UPDATE_FIELDS,
)

Problem = dict[str, str]

REQUIRED = ("campaign_name", "type")
ENUMS: dict[str, tuple[str, ...]] = {
    "type": CAMPAIGN_TYPES,
    "type_autocall": TYPE_AUTOCALL,
    "mode_call": MODE_CALL,
    "status": STATUS,
    "priority_recall": PRIORITY_RECALL,
    "schedule_recall": SCHEDULE_RECALL,
}
MAX_DAY_NS = 86400 * 10**9  # 24:00, in nanoseconds since local midnight


def json_type(value: Any) -> str:
    """The JSON-schema name of a decoded JSON value's type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _invalid_type(path: str, expected: str, value: Any) -> Problem:
    return {path: f"Invalid type. Expected: {expected}, given: {json_type(value)}"}


def _enum_problem(path: str, allowed: Iterable[str]) -> Problem:
    choices = ", ".join(f'"{choice}"' for choice in allowed)
    return {path: f"{path} must be one of the following: {choices}"}


def validate_create(body: Any) -> list[Problem]:
    """POST: required fields, then the create fields present (others are ignored)."""
    return _validate(body, CREATE_FIELDS)


def validate_update(body: Any) -> list[Problem]:
    """PUT: required fields, then every field it replaces that is present."""
    return _validate(body, (*UPDATE_FIELDS, *PUT_ALSO_REPLACES))


def _validate(body: Any, fields: Iterable[str]) -> list[Problem]:
    if not isinstance(body, dict):
        return [_invalid_type("(root)", "object", body)]
    problems = [{"(root)": f"{name} is required"} for name in REQUIRED if name not in body]
    for name in fields:
        if name in body:
            problems.extend(check_field(name, body[name]))
    return problems


def check_field(name: str, value: Any) -> list[Problem]:
    """Problems with one top-level campaign field's value."""
    if name in STRING_FIELDS:
        return _check_string(name, value)
    if name in INT_FIELDS:
        return _check_count(name, value)
    if name == "network":
        return _check_network(value)
    if name == "recall_status":
        return _check_recall_status(value)
    if name == "schedules":
        return _check_schedules(value)
    if name in PUT_ALSO_REPLACES:
        return _check_like(name, value, PUT_ALSO_REPLACES[name])
    return []


def _check_like(name: str, value: Any, zero: Any) -> list[Problem]:
    """A field beyond the PUT table: of its zero value's JSON type (bool, integer, string)."""
    if isinstance(zero, bool):
        return [] if isinstance(value, bool) else [_invalid_type(name, "boolean", value)]
    if isinstance(zero, int):
        return _check_count(name, value)
    return [] if isinstance(value, str) else [_invalid_type(name, "string", value)]


def _check_string(name: str, value: Any) -> list[Problem]:
    if not isinstance(value, str):
        return [_invalid_type(name, "string", value)]
    if name == "campaign_name" and not value:
        return [{name: "String length must be greater than or equal to 1"}]
    allowed = ENUMS.get(name)
    # Optional enums accept their zero value ""; `type` is required, so "" is not a type.
    if allowed and value not in allowed and (value or name in REQUIRED):
        return [_enum_problem(name, allowed)]
    return []


def _check_count(path: str, value: Any) -> list[Problem]:
    if not is_int(value):
        return [_invalid_type(path, "integer", value)]
    if value < 0:
        return [{path: f"{path} must be greater than or equal to 0"}]
    return []


def _check_network(value: Any) -> list[Problem]:
    if value is None:
        return []
    if not isinstance(value, dict):
        return [_invalid_type("network", "object", value)]
    problems: list[Problem] = []
    for key, count in value.items():
        if key not in NETWORK_KEYS:
            problems.append({"network": f"Additional property {key} is not allowed"})
        else:
            problems.extend(_check_count(f"network.{key}", count))
    return problems


def _check_recall_status(value: Any) -> list[Problem]:
    if value is None:
        return []
    if not isinstance(value, list):
        return [_invalid_type("recall_status", "array", value)]
    problems: list[Problem] = []
    for index, item in enumerate(value):
        path = f"recall_status.{index}"
        if not isinstance(item, str):
            problems.append(_invalid_type(path, "string", item))
        elif item not in RECALL_STATUSES:
            problems.append(_enum_problem(path, RECALL_STATUSES))
    return problems


def _check_schedules(value: Any) -> list[Problem]:
    if value is None:
        return []
    if not isinstance(value, list):
        return [_invalid_type("schedules", "array", value)]
    problems: list[Problem] = []
    for index, item in enumerate(value):
        problems.extend(_check_schedule(f"schedules.{index}", item))
    return problems


def _check_schedule(path: str, item: Any) -> list[Problem]:
    if not isinstance(item, dict):
        return [_invalid_type(path, "object", item)]
    problems: list[Problem] = []
    for key in item:
        if key not in SCHEDULE_KEYS and key not in SCHEDULE_SERVER_KEYS:
            problems.append({path: f"Additional property {key} is not allowed"})
    good: dict[str, int] = {}
    for key in SCHEDULE_KEYS:
        if key not in item:
            continue
        value = item[key]
        field = f"{path}.{key}"
        if not is_int(value):
            problems.append(_invalid_type(field, "integer", value))
        elif value < 0:
            problems.append({field: f"{field} must be greater than or equal to 0"})
        elif value > MAX_DAY_NS:
            problems.append({field: f"{field} must be less than or equal to {MAX_DAY_NS}"})
        else:
            good[key] = value
    for start_key, end_key in zip(SCHEDULE_KEYS[::2], SCHEDULE_KEYS[1::2], strict=True):
        if any(key in item and key not in good for key in (start_key, end_key)):
            continue  # already reported as a bad value
        if good.get(end_key, 0) < good.get(start_key, 0):
            problems.append({
                f"{path}.{end_key}": f"{end_key} must be greater than or equal to {start_key}",
            })
    return problems


# ---- templates -------------------------------------------------------------------------------


def validate_template(body: Any) -> list[Problem]:
    """POST and PUT /v3/template: template_name required, then the documented fields' types.
    Keys the API does not know (the docs' Update sample sends template_uuid) are ignored."""
    if not isinstance(body, dict):
        return [_invalid_type("(root)", "object", body)]
    if not isinstance(body.get("template_name"), str) or not body["template_name"]:
        return [{"(root)": template_fields.NAME_REQUIRED}]
    problems: list[Problem] = []
    for name in ("description", "content", "audio_file"):
        if name in body and not isinstance(body[name], str):
            problems.append(_invalid_type(name, "string", body[name]))
    problems += _voice_type("voice_type", body)
    if body.get("voice_tts") not in (None, "", *template_fields.VOICES):
        problems.append(_enum_problem("voice_tts", template_fields.VOICES))
    if "speed_tts" in body:
        speed = body["speed_tts"]
        if isinstance(speed, bool) or not isinstance(speed, int | float):
            problems.append(_invalid_type("speed_tts", "number", speed))
        elif not template_fields.SPEED_MIN <= speed <= template_fields.SPEED_MAX:
            problems.append({"speed_tts": "speed_tts must be between 0 and 2"})
    if "enable_option" in body and not isinstance(body["enable_option"], bool):
        problems.append(_invalid_type("enable_option", "boolean", body["enable_option"]))
    for name in template_fields.INT_FIELDS:
        if name in body:
            problems += _check_count(name, body[name])
    for name in template_fields.SOUND_FIELDS:
        sound = body.get(name)
        if sound is not None and not isinstance(sound, dict):
            problems.append(_invalid_type(name, "object", sound))
        elif sound is not None:
            problems += _voice_type(f"{name}.voice_type", sound, "voice_type")
    options = body.get("press_options")
    if options is not None and not isinstance(options, list):
        problems.append(_invalid_type("press_options", "array", options))
    for index, option in enumerate(options or ()):
        path = f"press_options.{index}"
        if not isinstance(option, dict):
            problems.append(_invalid_type(path, "object", option))
            continue
        if not isinstance(option.get("press_num"), str):
            problems.append(_invalid_type(f"{path}.press_num", "string", option.get("press_num")))
        problems += _voice_type(f"{path}.voice_type", option, "voice_type")
    return problems


def _voice_type(path: str, body: dict[str, Any], key: str = "voice_type") -> list[Problem]:
    if body.get(key) in (None, "", *template_fields.VOICE_TYPES):
        return []
    return [_enum_problem(path, template_fields.VOICE_TYPES)]
