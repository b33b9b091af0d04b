"""Validating one campaign entry: a CampaignSpec, or every problem with its path in the entry.

pydantic finds the problems; this module words them for people who write YAML (and keeps the
path to each offending value so the loader can point at its line).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from reconciler import fields, template_fields
from reconciler.diagnostics.codes import ACKNOWLEDGEABLE
from reconciler.manifest import models
from reconciler.manifest.models import CampaignSpec, exclusive_field_problems
from reconciler.manifest.template_spec import (
    PRESS_NUM_PATTERN,
    TemplateSpec,
    voice_type_problems,
)
from reconciler.manifest.wording import describe, did_you_mean

Loc = tuple[int | str, ...]
Problem = tuple[Loc, str]  # (path inside the entry, message without location)
CodedProblem = tuple[Loc, str, str]  # ... and its diagnostic code

_LITERAL_CHOICES: dict[str, tuple[str, ...]] = {
    "state": ("present", "absent"),
    "type": fields.CAMPAIGN_TYPES,
    "type_autocall": fields.TYPE_AUTOCALL,
    "mode_call": fields.MODE_CALL,
    "schedule_recall": fields.SCHEDULE_RECALL,
    "priority_recall": fields.PRIORITY_RECALL,
    "recall_status": fields.RECALL_STATUSES,
    "voice_type": template_fields.VOICE_TYPES,
    "voice_tts": template_fields.VOICES,
    "acknowledge": ACKNOWLEDGEABLE,
}
# Keys a misspelt key is compared with, per model (nested models' keys included).
_KNOWN_KEYS: dict[type[BaseModel], tuple[str, ...]] = {
    CampaignSpec: tuple(CampaignSpec.model_fields),
    TemplateSpec: (
        *TemplateSpec.model_fields, *template_fields.PRESS_OPTION_KEYS,
    ),
}
_UUID_EXAMPLE = "5f427552-857e-4939-8edf-cbd0f1ef6842"
_PATTERN_MESSAGES = {
    models.NAME_PATTERN: "must not be empty",
    models.UUID_PATTERN: f"must be a uuid like {_UUID_EXAMPLE}, got {{got}}",
    models.UUID_OR_EMPTY_PATTERN: (
        f'must be a uuid like {_UUID_EXAMPLE} (or "" to clear), got {{got}}'
    ),
    models.URL_OR_EMPTY_PATTERN: 'must be an http:// or https:// URL (or "" to clear), got {got}',
    PRESS_NUM_PATTERN: 'must be one key, "0" to "9", "*" or "#", got {got}',
}
# Keys people reach for that a manifest deliberately does not manage.
_UNMANAGED_KEYS = {
    "status": (
        "the run state (start/stop/pause) is not managed by manifests, because it changes "
        "by itself as runs start and end; start a run in the portal or with "
        "POST /v1/campaign/{uuid}/run/start"
    ),
}
# Refusal codes an entry cannot acknowledge, with the way to proceed instead.
_NOT_ACKNOWLEDGEABLE = {
    "max-deletes": "it is about the whole plan, not one entry: pass apply --max-deletes N",
    "policy-error": "waive the rule on the entry instead: policy_waivers: {RULE_ID: reason}",
    "stale-plan": "a stale saved plan cannot be overridden: make a new plan",
}
_CLEAR_HINTS = {
    "carrier": '; to clear the carrier, declare carrier_uuid: ""',
    "template": '; to clear the template, declare template_uuid: ""',
}


def validate_entry(
    raw: Mapping[Any, Any], model: type[BaseModel] = CampaignSpec
) -> tuple[Any, list[Problem]]:
    """The entry as a `model` (CampaignSpec or TemplateSpec), or None and every problem."""
    spec, problems = validate_entry_coded(raw, model)
    return spec, [(loc, message) for loc, message, _code in problems]


def validate_entry_coded(
    raw: Mapping[Any, Any], model: type[BaseModel] = CampaignSpec
) -> tuple[Any, list[CodedProblem]]:
    """validate_entry, each problem with its diagnostic code (`unknown-field`, ...)."""
    problems: list[CodedProblem] = []
    data: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(key, str):
            data[key] = value
        else:
            problems.append(
                ((key,), f"field names must be text, got {describe(key)}", "unknown-field")
            )
    # Checked here too: pydantic runs the model-level check only when every field is valid.
    if model is CampaignSpec:
        for error in exclusive_field_problems(list(data)):
            problems.append((*_located(error.loc, error.message), "conflicting-fields"))
    else:
        for error in voice_type_problems(data, set(data)):
            problems.append((*_located(error.loc, error.message), "conflicting-fields"))
    try:
        spec = model.model_validate(data)
    except ValidationError as exc:
        seen = {problem[:2] for problem in problems}
        for error in exc.errors():
            code = _code(error)
            for problem in _explain(error, model):
                if problem not in seen:
                    seen.add(problem)
                    problems.append((*problem, code))
        return None, problems
    return (None, problems) if problems else (spec, [])


def _code(error: Any) -> str:
    """The diagnostic code of one pydantic error."""
    kind, loc = error["type"], error["loc"]
    if kind == "extra_forbidden":
        return "unknown-field"
    if kind == "missing":
        return "missing-field"
    if loc and loc[0] == "schedules":
        return "invalid-schedule"
    return "invalid-value"


def format_loc(loc: Loc) -> str:
    """('schedules', 0, 'mon-fri') as `schedules[0].mon-fri`."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".")


def _explain(error: Any, model: type[BaseModel] = CampaignSpec) -> list[Problem]:
    """One pydantic error as located, readable problems (a schedule error may hold several)."""
    loc: Loc = tuple(part for part in error["loc"] if part != "[key]")
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    if kind == "value_error":
        cause = ctx.get("error")
        nested = getattr(cause, "problems", None) or [cause]
        return [_located(loc + _inner_loc(item), _message(item)) for item in nested]
    return [(loc, _wording(kind, loc, value, ctx, error["msg"], model))]


def _located(loc: Loc, message: str) -> Problem:
    return loc, (f"{format_loc(loc)}: {message}" if loc else message)


def _inner_loc(cause: Any) -> Loc:
    """Where inside the field a validator's error is: ScheduleError.path or FieldError.loc."""
    return tuple(getattr(cause, "path", None) or getattr(cause, "loc", None) or ())


def _message(cause: Any) -> str:
    return getattr(cause, "message", None) or str(cause)


def _wording(
    kind: str, loc: Loc, value: Any, ctx: dict[str, Any], fallback: str,
    model: type[BaseModel] = CampaignSpec,
) -> str:
    field = next((part for part in reversed(loc) if isinstance(part, str)), "")
    if kind == "extra_forbidden":
        if len(loc) > 1 and loc[0] == "network":
            allowed = ", ".join(fields.NETWORK_KEYS)
            return (
                f"network: unknown key '{field}'{did_you_mean(field, fields.NETWORK_KEYS)}; "
                f"the networks are {allowed}"
            )
        if len(loc) == 1 and field in _UNMANAGED_KEYS and model is CampaignSpec:
            return f"'{field}' cannot be declared: {_UNMANAGED_KEYS[field]}"
        known = _KNOWN_KEYS.get(model, tuple(model.model_fields))
        return f"unknown field '{field}'{did_you_mean(field, known)}"
    prefix = f"{format_loc(loc)}: "
    if kind == "missing":
        return prefix + "is required"
    if value is None and kind != "missing":
        return prefix + "needs a value (it is empty)"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return prefix + f"must be a whole number, got {describe(value)}"
    if kind == "greater_than_equal" and isinstance(ctx.get("ge"), float):
        return prefix + f"must be >= {ctx['ge']:g}"
    if kind == "less_than_equal" and isinstance(ctx.get("le"), float):
        return prefix + f"must be <= {ctx['le']:g}"
    if kind == "greater_than_equal":
        return prefix + f"must be >= {ctx.get('ge')}"
    if kind == "less_than_equal":
        limit = ctx.get("le")
        if limit == models.INT64_MAX:
            return prefix + (
                f"{value} is too large: the API stores whole numbers up to {limit} (int64)"
            )
        return prefix + f"must be <= {limit}"
    if kind in ("float_type", "float_parsing"):
        return prefix + f"must be a number, got {describe(value)}"
    if kind == "bool_type":
        return prefix + f"must be true or false, got {describe(value)}"
    if kind == "string_type":
        hint = " (quote it)" if isinstance(value, int | float) or _is_date(value) else ""
        return prefix + f"must be text, got {describe(value)}{hint}"
    if kind == "literal_error":
        return prefix + _choice_message(field, value, ctx)
    if kind == "list_type":
        return prefix + f"must be a list, got {describe(value)}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return prefix + f"must be a mapping, got {describe(value)}"
    if kind == "string_pattern_mismatch":
        template = _PATTERN_MESSAGES.get(ctx.get("pattern", ""), "has the wrong form, got {got}")
        return prefix + template.format(got=describe(value)) + _CLEAR_HINTS.get(field, "")
    return prefix + fallback[0].lower() + fallback[1:]


def _choice_message(field: str, value: Any, ctx: dict[str, Any] | None = None) -> str:
    # A field with no table here (a newer kind's enum): the choices pydantic names.
    expected = str((ctx or {}).get("expected") or "")
    choices = _LITERAL_CHOICES.get(field) or tuple(
        part.strip().strip("'") for part in expected.replace(" or ", ", ").split(",")
        if part.strip()
    )
    message = f"must be one of {', '.join(choices)}; got {describe(value)}"
    if field == "mode_call" and value == "parallel":
        return message + " (did you mean 'parralel'? that is the API's spelling)"
    if field == "acknowledge" and value in _NOT_ACKNOWLEDGEABLE:
        return f"{message} ({_NOT_ACKNOWLEDGEABLE[value]})"
    return message + did_you_mean(value, choices)


def _is_date(value: Any) -> bool:
    import datetime

    return isinstance(value, datetime.date | datetime.datetime)
