"""The rule vocabulary and the `reconciler.yaml` models.

A rule is `id`, `severity`, an optional selector (`select:` by kind, labels and
type_autocall), an optional `message` added to its findings, and exactly one check: `max`,
`min`, `required`, `allowed`, `name_pattern`, `calling_hours` or `quiet_days`. A rule checks
entries of one kind (`select.kind`: campaign, the default, template, carrier or audio), and
names only that kind's fields (reconciler/policy/kindfields.py); the calling-window checks are
for campaigns. Checks read only what the manifest declares, so they run offline (validate) exactly
as at plan and apply time.
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
from reconciler.policy.kindfields import (
    CAMPAIGN,
    CAMPAIGN_ONLY_CHECKS,
    KIND_NAMES,
    KindFields,
    campaign_fields,
    derive,
)
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
# Each kind's vocabulary: the campaign's as curated above, the others' read off their models.
VOCABULARY: dict[str, KindFields] = {
    kind: campaign_fields(NUMERIC_FIELDS, CHOICE_FIELDS, REQUIRABLE_FIELDS, CHOICE_ENUMS)
    if kind == CAMPAIGN else derive(kind)
    for kind in KIND_NAMES
}


def every_kind(attribute: str) -> list[str]:
    """A vocabulary's fields across the kinds (campaign's first), for the schema's
    completions; the schema narrows it per `select.kind` (reconciler/policy/schema.py)."""
    return list(dict.fromkeys(
        name for vocabulary in VOCABULARY.values() for name in getattr(vocabulary, attribute)
    ))

_STRICT = ConfigDict(extra="forbid", strict=True)
_LABEL = {"type": "string", "pattern": "^labels\\..+"}  # labels.KEY


def nfc_labels(labels: Mapping[str, str]) -> dict[str, str]:
    """Labels with keys and values in NFC, the form every comparison uses: `quảng cáo` typed
    decomposed is the same label as `quảng cáo` composed."""
    return {identity_key(key): identity_key(value) for key, value in labels.items()}


def _field_name(
    name: str, vocabulary: tuple[str, ...], what: str, labels: bool = False,
    kind: str = CAMPAIGN,
) -> None:
    if name in vocabulary or (labels and name.startswith(LABEL_PREFIX) and name != LABEL_PREFIX):
        return
    extra = ", or labels.KEY" if labels else ""
    campaign = VOCABULARY[CAMPAIGN]
    of = (
        f" ({name} is a campaign field; this rule selects kind {kind})"
        if kind != CAMPAIGN and name in (*campaign.requirable, *campaign.choices) else ""
    )
    use = (
        f"use one of {', '.join(vocabulary)}{extra}" if vocabulary
        else f"{_a(kind)} entry has none{extra.replace(', or', ': use')}"
    )
    raise FieldError(
        f"'{name}' is not a field {what}{did_you_mean(name, vocabulary)}{of}; {use}", (name,)
    )


def _a(kind: str) -> str:
    return f"{'an' if kind[:1] in 'aeiou' else 'a'} {kind}"


def _what(kind: str, campaign_text: str, other_text: str) -> str:
    """How a field-name error names the kind: as it always did for campaigns."""
    return campaign_text if kind == CAMPAIGN else other_text.format(a_kind=_a(kind))


def _selected_kind(info: ValidationInfo) -> str | None:
    """The kind the rule's selector names, or None when the selector itself is invalid (its
    own error is reported; the check's field names cannot be judged)."""
    if "select" not in info.data:
        return None
    select = info.data["select"]
    return CAMPAIGN if select is None else select.kind


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
    """Which entries a rule applies to: one kind (campaigns by default); every condition
    given must hold."""

    model_config = ConfigDict(**_STRICT, title="Selector")

    kind: str = Field(
        default=CAMPAIGN,
        description=(
            "The kind of entry the rule checks: campaign (the default), template, carrier or "
            "audio. Its checks name that kind's fields."
        ),
        json_schema_extra={"enum": list(KIND_NAMES)},
    )
    labels: dict[str, str] = Field(
        default=None,
        description="Labels the entry must carry, each with exactly this value.",
    )
    type_autocall: list[Literal[fields.TYPE_AUTOCALL]] = Field(  # type: ignore[valid-type]
        default=None,
        description="The campaign's declared type_autocall must be this one, or one of a list.",
        json_schema_extra=_one_or_a_list,
    )

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in KIND_NAMES:
            raise FieldError(
                f"must be one of {', '.join(KIND_NAMES)}; got {describe(value)}"
                f"{did_you_mean(value, KIND_NAMES)}"
            )
        return value

    @field_validator("type_autocall", mode="before")
    @classmethod
    def _one_is_a_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    # The labels in NFC, the form they are compared in (typed text may arrive as NFD).
    _wanted: dict[str, str] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _composed(self) -> Selector:
        if self.type_autocall and self.kind != CAMPAIGN:
            raise FieldError(
                f"type_autocall selects campaigns by their type; {_a(self.kind)} has none "
                "(select it by labels)",
                ("type_autocall",),
            )
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
        if self.kind != CAMPAIGN:
            return ", ".join([f"kind {self.kind}", *parts]) if parts else f"every {self.kind}"
        return ", ".join(parts) or "every campaign"


class Rule(BaseModel):
    """One rule: an id, a severity, which entries it selects, and exactly one check."""

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
        description=(
            "Which entries the rule checks (default: every campaign; kind: template, carrier "
            "or audio for those)."
        ),
    )
    max: dict[str, int] = Field(
        default=None,
        description="Each field's declared value must be at most this number.",
        json_schema_extra={"propertyNames": {"enum": every_kind("numeric")}},
    )
    min: dict[str, int] = Field(
        default=None,
        description="Each field's declared value must be at least this number.",
        json_schema_extra={"propertyNames": {"enum": every_kind("numeric")}},
    )
    required: list[str] = Field(
        default=None,
        description=(
            "Fields each selected entry must declare (for a campaign, carrier or carrier_uuid "
            "both count), or labels.KEY for a label it must carry."
        ),
        json_schema_extra={"items": {"anyOf": [{"enum": every_kind("requirable")}, _LABEL]}},
    )
    allowed: dict[str, list[str | int | bool]] = Field(
        default=None,
        description=(
            "The only values a field may be declared with, e.g. {carrier: [Billing]} (names as "
            "written in the manifest)."
        ),
        json_schema_extra={"propertyNames": {"anyOf": [{"enum": every_kind("choices")}, _LABEL]}},
    )
    name_pattern: str = Field(
        default=None,
        description=(
            "A regular expression the entry's name (campaign_name, template_name, "
            "carrier_name, audio_name) must contain a match of (^...$ anchors)."
        ),
    )
    calling_hours: dict[str, str] = Field(
        default=None,
        description=(
            'Per day, the window calls must lie within, e.g. {daily: "08:00-17:00"}; days not '
            "named are not checked by this rule. Campaigns only."
        ),
    )
    quiet_days: list[str] = Field(
        default=None,
        description="Days with no calls at all, e.g. [sun] or [sat-sun]. Campaigns only.",
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
    def _numeric_fields(cls, value: dict[str, int], info: ValidationInfo) -> dict[str, int]:
        kind = _selected_kind(info)
        for name, limit in value.items():
            if kind is not None:
                what = _what(kind, "with a number", "of {a_kind} entry with a number")
                _field_name(name, VOCABULARY[kind].numeric, what, kind=kind)
            if limit < 0:
                raise FieldError("must be >= 0", (name,))
        return value

    @field_validator("required")
    @classmethod
    def _requirable(cls, value: list[str], info: ValidationInfo) -> list[str]:
        kind = _selected_kind(info)
        if kind is None:
            return value
        what = _what(kind, "of a campaign entry", "of {a_kind} entry")
        for index, name in enumerate(value):
            try:
                _field_name(name, VOCABULARY[kind].requirable, what, labels=True, kind=kind)
            except FieldError as exc:
                raise FieldError(exc.message, (index,)) from None
        return value

    @field_validator("allowed")
    @classmethod
    def _choices(
        cls, value: dict[str, list[Any]], info: ValidationInfo
    ) -> dict[str, list[Any]]:
        kind = _selected_kind(info)
        if kind is None:
            return value
        vocabulary = VOCABULARY[kind]
        what = _what(kind, "with a choice", "of {a_kind} entry with a choice")
        for name, choices in value.items():
            _field_name(name, vocabulary.choices, what, labels=True, kind=kind)
            if not choices:
                raise FieldError("list at least one allowed value", (name,))
            for index, choice in enumerate(choices):
                problem = _choice_problem(name, choice, vocabulary)
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
        if given[0] in CAMPAIGN_ONLY_CHECKS and self.kind != CAMPAIGN:
            raise ValueProblem(
                f"checks a campaign's calling windows, and this rule selects kind {self.kind} "
                f"({_a(self.kind)} has none): calling-window rules are for campaigns",
                (given[0],),
            )
        if self.calling_hours is not None:
            self._hours = _parse_hours(self.calling_hours)
        if self.quiet_days is not None:
            self._quiet = frozenset(
                day for key in self.quiet_days for day in schedule.parse_days(key)
            )
        return self

    @property
    def kind(self) -> str:
        """The kind of entry the rule checks (campaign unless `select.kind` says)."""
        return CAMPAIGN if self.select is None else self.select.kind

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


def _choice_problem(name: str, choice: Any, vocabulary: KindFields) -> str | None:
    """What is wrong with a value `allowed` lists for the field, or None: an enum's values,
    a whole number for a numeric field, true/false for a yes/no one, text for the rest."""
    got = describe(choice)
    shape = vocabulary.shapes.get(name)
    if name in vocabulary.enums:
        enum = vocabulary.enums[name]
        if choice in enum and isinstance(choice, str):
            return None
        return f"must be one of {', '.join(enum)}; got {got}{did_you_mean(choice, enum)}"
    if shape == "int":
        if isinstance(choice, int) and not isinstance(choice, bool):
            return None
        return f"must be a whole number, got {got}"
    if shape == "bool":
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
