"""The rule vocabulary and the `reconciler.yaml` models.

A rule is `id`, `severity`, an optional selector (`select:` by labels and type_autocall), an
optional `message` added to its findings, and exactly one check: `max`, `min`, `required`,
`allowed`, `name_pattern`, `calling_hours` or `quiet_days`. Checks read only what the manifest
declares, so they run offline (validate) exactly as at plan and apply time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from reconciler import fields
from reconciler.manifest import schedule
from reconciler.manifest.models import FieldError
from reconciler.manifest.wording import describe, did_you_mean
from reconciler.names import identity_key
from reconciler.policy.environments import Environment, EnvironmentName
from reconciler.policy.presets import PRESETS

RULE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$"
NETWORK_FIELDS = tuple(f"network.{key}" for key in fields.NETWORK_KEYS)
# Fields `max`/`min` compare: the counts of a campaign entry, and each network's value.
NUMERIC_FIELDS = (
    "concurrent_call",
    "call_timeout",
    "recall_times",
    "limit_recall_duration",
    "schedule_recall_duration",
    *NETWORK_FIELDS,
)
# Fields `allowed` lists values for (recall_status: each status listed must be allowed).
CHOICE_FIELDS = (
    "type",
    "type_autocall",
    "active",
    "carrier",
    "carrier_uuid",
    "template",
    "template_uuid",
    "mode_call",
    "schedule_recall",
    "priority_recall",
    "recall_status",
    "callback_url",
    *NUMERIC_FIELDS,
)
# The values a field of `allowed` may list: its enum, else the type its value has.
CHOICE_ENUMS: dict[str, tuple[str, ...]] = {
    "type": fields.CAMPAIGN_TYPES,
    "type_autocall": fields.TYPE_AUTOCALL,
    "mode_call": fields.MODE_CALL,
    "schedule_recall": fields.SCHEDULE_RECALL,
    "priority_recall": fields.PRIORITY_RECALL,
    "recall_status": fields.RECALL_STATUSES,
}
# Fields `required` may name; `labels.KEY` is accepted too.
REQUIRABLE_FIELDS = tuple(name for name in fields.MANAGED_FIELDS if name != "campaign_name")
LABEL_PREFIX = "labels."
CHECKS = (
    "max",
    "min",
    "required",
    "allowed",
    "name_pattern",
    "calling_hours",
    "quiet_days",
)
Window = tuple[int, int]

_STRICT = ConfigDict(extra="forbid", strict=True)
_LABEL = {"type": "string", "pattern": "^labels\\..+"}  # labels.KEY


def nfc_labels(labels: Mapping[str, str]) -> dict[str, str]:
    """Labels with keys and values in NFC, the form every comparison uses: `quảng cáo` typed
    decomposed is the same label as `quảng cáo` composed."""
    return {identity_key(key): identity_key(value) for key, value in labels.items()}


def _field_name(name: str, vocabulary: tuple[str, ...], what: str, labels: bool = False) -> None:
    if name in vocabulary or (labels and name.startswith(LABEL_PREFIX) and name != LABEL_PREFIX):
        return
    extra = ", or labels.KEY" if labels else ""
    raise FieldError(
        f"'{name}' is not a field {what}{did_you_mean(name, vocabulary)}; "
        f"use one of {', '.join(vocabulary)}{extra}",
        (name,),
    )


# What to write instead when a check is given empty (it would check nothing).
_EMPTY_CHECK = {
    "max": "give at least one field and its maximum, e.g. {concurrent_call: 50}",
    "min": "give at least one field and its minimum, e.g. {call_timeout: 20}",
    "required": "list at least one field (or labels.KEY) the selected campaigns must declare",
    "allowed": "give at least one field and its allowed values, e.g. {mode_call: [serial]}",
    "name_pattern": "give a regular expression campaign_name must match, e.g. '^promo-'",
    "calling_hours": 'give at least one day and its window, e.g. {daily: "08:00-17:00"}',
    "quiet_days": "list at least one day, e.g. [sun]",
}


def _checks_something(value: Any, info: ValidationInfo) -> None:
    if not value:
        raise FieldError(f"checks nothing: {_EMPTY_CHECK[str(info.field_name)]}")


def _one_or_a_list(schema: dict[str, Any]) -> None:
    """The schema of a list that also accepts one item alone."""
    items = schema.pop("items")
    schema.pop("type")
    schema["anyOf"] = [items, {"type": "array", "items": items}]


class Selector(BaseModel):
    """Which campaigns a rule applies to; every condition given must hold."""

    model_config = ConfigDict(**_STRICT, title="Selector")

    labels: dict[str, str] = Field(
        default=None,
        description="Labels the campaign must carry, each with exactly this value.",
    )
    type_autocall: list[Literal[fields.TYPE_AUTOCALL]] = Field(  # type: ignore[valid-type]
        default=None,
        description="The campaign's declared type_autocall must be this one, or one of a list.",
        json_schema_extra=_one_or_a_list,
    )

    @field_validator("type_autocall", mode="before")
    @classmethod
    def _one_is_a_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    # The labels in NFC, the form they are compared in (typed text may arrive as NFD).
    _wanted: dict[str, str] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _composed(self) -> Selector:
        self._wanted = nfc_labels(self.labels or {})
        return self

    @property
    def wanted(self) -> dict[str, str]:
        """The selector's labels in NFC."""
        return self._wanted

    def matches(self, labels: Mapping[str, str], type_autocall: str | None) -> bool:
        """Whether a campaign with these labels (any Unicode form) and type is selected."""
        return self.matches_nfc(nfc_labels(labels), type_autocall)

    def matches_nfc(self, labels: Mapping[str, str], type_autocall: str | None) -> bool:
        """`matches` for labels already in NFC (see `nfc_labels`)."""
        if any(labels.get(key) != value for key, value in self._wanted.items()):
            return False
        return not self.type_autocall or type_autocall in self.type_autocall

    def describe(self) -> str:
        parts = [f"labels {key}={value}" for key, value in (self.labels or {}).items()]
        if self.type_autocall:
            parts.append("type_autocall " + "|".join(self.type_autocall))
        return ", ".join(parts) or "every campaign"


class Rule(BaseModel):
    """One rule: an id, a severity, which campaigns it selects, and exactly one check."""

    model_config = ConfigDict(**_STRICT, title="Rule")

    id: str = Field(
        pattern=RULE_ID_PATTERN,
        description=(
            "Unique rule id, quoted in findings and waived by it (policy_waivers: {ID: reason})."
        ),
    )
    severity: Literal["error", "warning"] = Field(
        default="error",
        description="error: fails validate and blocks apply (unless waived). warning: reported.",
    )
    message: str = Field(
        default=None,
        description="Text added to every finding of this rule: why it exists, a link.",
    )
    select: Selector = Field(
        default=None,
        description="Which campaigns the rule checks (default: every campaign).",
    )
    max: dict[str, int] = Field(
        default=None,
        description="Each field's declared value must be at most this number.",
        json_schema_extra={"propertyNames": {"enum": list(NUMERIC_FIELDS)}},
    )
    min: dict[str, int] = Field(
        default=None,
        description="Each field's declared value must be at least this number.",
        json_schema_extra={"propertyNames": {"enum": list(NUMERIC_FIELDS)}},
    )
    required: list[str] = Field(
        default=None,
        description=(
            "Fields each selected campaign must declare (carrier or carrier_uuid both count), "
            "or labels.KEY for a label it must carry."
        ),
        json_schema_extra={"items": {"anyOf": [{"enum": list(REQUIRABLE_FIELDS)}, _LABEL]}},
    )
    allowed: dict[str, list[str | int | bool]] = Field(
        default=None,
        description=(
            "The only values a field may be declared with, e.g. {carrier: [Billing]} (names as "
            "written in the manifest)."
        ),
        json_schema_extra={"propertyNames": {"anyOf": [{"enum": list(CHOICE_FIELDS)}, _LABEL]}},
    )
    name_pattern: str = Field(
        default=None,
        description="A regular expression campaign_name must contain a match of (^...$ anchors).",
    )
    calling_hours: dict[str, str] = Field(
        default=None,
        description=(
            'Per day, the window calls must lie within, e.g. {daily: "08:00-17:00"}; days not '
            "named are not checked by this rule."
        ),
    )
    quiet_days: list[str] = Field(
        default=None,
        description="Days with no calls at all, e.g. [sun] or [sat-sun].",
    )

    # calling_hours per day (0 = monday): the allowed window, or None where not checked.
    _hours: tuple[Window | None, ...] = PrivateAttr(default=(None,) * 7)
    _quiet: frozenset[int] = PrivateAttr(default=frozenset())

    @field_validator(*CHECKS)
    @classmethod
    def _not_empty(cls, value: Any, info: ValidationInfo) -> Any:
        _checks_something(value, info)
        return value

    @field_validator("max", "min")
    @classmethod
    def _numeric_fields(cls, value: dict[str, int]) -> dict[str, int]:
        for name, limit in value.items():
            _field_name(name, NUMERIC_FIELDS, "with a number")
            if limit < 0:
                raise FieldError("must be >= 0", (name,))
        return value

    @field_validator("required")
    @classmethod
    def _requirable(cls, value: list[str]) -> list[str]:
        for index, name in enumerate(value):
            try:
                _field_name(name, REQUIRABLE_FIELDS, "of a campaign entry", labels=True)
            except FieldError as exc:
                raise FieldError(exc.message, (index,)) from None
        return value

    @field_validator("allowed")
    @classmethod
    def _choices(cls, value: dict[str, list[Any]]) -> dict[str, list[Any]]:
        for name, choices in value.items():
            _field_name(name, CHOICE_FIELDS, "with a choice", labels=True)
            if not choices:
                raise FieldError("list at least one allowed value", (name,))
            for index, choice in enumerate(choices):
                problem = _choice_problem(name, choice)
                if problem:
                    raise ValueProblem(problem, (name, index))
        return value

    @field_validator("name_pattern")
    @classmethod
    def _regex(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise FieldError(f"not a regular expression: {exc}") from None
        return value

    @field_validator("calling_hours")
    @classmethod
    def _hours_valid(cls, value: dict[str, str]) -> dict[str, str]:
        _parse_hours(value)
        return value

    @field_validator("quiet_days")
    @classmethod
    def _days_valid(cls, value: list[str]) -> list[str]:
        for index, key in enumerate(value):
            try:
                schedule.parse_days(key)
            except schedule.ScheduleError as exc:
                raise FieldError(exc.message, (index,)) from None
        return value

    @model_validator(mode="after")
    def _one_check(self) -> Rule:
        given = [name for name in CHECKS if name in self.model_fields_set]
        if not given:
            raise FieldError(f"a rule needs one check: one of {', '.join(CHECKS)}")
        if len(given) > 1:
            raise FieldError(
                f"a rule has exactly one check, this one has {len(given)} "
                f"({', '.join(given)}): give each its own rule"
            )
        if self.calling_hours is not None:
            self._hours = _parse_hours(self.calling_hours)
        if self.quiet_days is not None:
            self._quiet = frozenset(
                day for key in self.quiet_days for day in schedule.parse_days(key)
            )
        return self

    @property
    def check(self) -> str:
        """The name of this rule's one check."""
        return next(name for name in CHECKS if getattr(self, name) is not None)

    @property
    def hours(self) -> tuple[Window | None, ...]:
        return self._hours

    @property
    def quiet(self) -> frozenset[int]:
        return self._quiet

    def describe(self) -> str:
        """The check in a line, for `reconciler policies`."""
        value = getattr(self, self.check)
        if isinstance(value, dict):
            shown = ", ".join(f"{key}: {_show(item)}" for key, item in value.items())
            return f"{self.check} {{{shown}}}"
        if isinstance(value, list):
            return f"{self.check} [{', '.join(map(str, value))}]"
        return f"{self.check} {value!r}"


class ValueProblem(FieldError):
    """A problem with one value, reported at its own path (`allowed.mode_call[0]: ...`)."""

    whole_path = True


def _choice_problem(name: str, choice: Any) -> str | None:
    """What is wrong with a value `allowed` lists for the field, or None: an enum's values,
    a whole number for a numeric field, true/false for active, text for the rest."""
    got = describe(choice)
    if name in CHOICE_ENUMS:
        enum = CHOICE_ENUMS[name]
        if choice in enum and isinstance(choice, str):
            return None
        return f"must be one of {', '.join(enum)}; got {got}{did_you_mean(choice, enum)}"
    if name in NUMERIC_FIELDS:
        if isinstance(choice, int) and not isinstance(choice, bool):
            return None
        return f"must be a whole number, got {got}"
    if name == "active":
        return None if isinstance(choice, bool) else f"must be true or false, got {got}"
    if isinstance(choice, str):
        return None
    return f"must be text, got {got} (quote it)"


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


def _parse_hours(value: dict[str, str]) -> tuple[Window | None, ...]:
    hours: list[Window | None] = [None] * len(fields.DAYS)
    named_by: dict[int, str] = {}
    for key, window in value.items():
        try:
            days = schedule.parse_days(key)
            for day in days:
                if day in named_by:
                    raise schedule.ScheduleError(
                        f"{fields.DAYS[day]} is named twice ('{named_by[day]}' and '{key}'); "
                        "a day has one allowed window"
                    )
            parsed = schedule.parse_window(window)
        except schedule.ScheduleError as exc:
            raise FieldError(exc.message, (key,)) from None
        for day in days:
            named_by[day] = key
            hours[day] = parsed
    return tuple(hours)


class Policies(BaseModel):
    """The `policies:` section: presets to use, and the project's own rules."""

    model_config = ConfigDict(**_STRICT, title="Policies")

    presets: list[str] = Field(
        default=None,
        description="Built-in rule sets to apply, e.g. [vn-decree-91].",
        json_schema_extra={"items": {"type": "string", "enum": list(PRESETS)}},
    )
    rules: list[Rule] = Field(default=None, description="The project's own rules.")

    @field_validator("presets", "rules", mode="before")
    @classmethod
    def _null_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value

    @field_validator("presets")
    @classmethod
    def _known_presets(cls, value: list[str]) -> list[str]:
        for index, name in enumerate(value):
            if name not in PRESETS:
                raise FieldError(
                    f"unknown preset '{name}'{did_you_mean(name, PRESETS)}; "
                    f"the presets are {', '.join(PRESETS)}",
                    (index,),
                )
        return value


class ProjectConfig(BaseModel):
    """reconciler.yaml: project settings shared by everyone who runs the tool here."""

    model_config = ConfigDict(**_STRICT, title="reconciler project config (reconciler.yaml)")

    policies: Policies = Field(
        default=None,
        description="Rules every plan is checked against before anything is written.",
    )
    environments: dict[EnvironmentName, Environment] = Field(
        default=None,
        description=(
            "Tenants this repository drives (staging, production, one per customer...): each "
            "one's API, credential variables and overrides. Declared, they make --env "
            "required on every command that talks to the API."
        ),
    )

    @field_validator("policies", mode="before")
    @classmethod
    def _null_is_none(cls, value: Any) -> Any:
        return {} if value is None else value

    @field_validator("environments", mode="before")
    @classmethod
    def _no_environments(cls, value: Any) -> Any:
        return {} if value is None else value


@cache
def preset_rules(name: str) -> tuple[Any, ...]:
    """The preset's rules as validated Rule objects (built once)."""
    return tuple(Rule.model_validate(rule) for rule in PRESETS[name])
