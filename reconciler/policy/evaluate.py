"""Policy evaluation: entry specs × rules → findings. Pure: no I/O, no API data.

One call evaluates the entries of one kind (campaigns unless `kind` says) against the rules
selecting that kind (`select.kind`); waivers and labels work the same on every kind.

Checks read what each entry declares; a field an entry leaves out is not checked (the live
value stays whatever it is; `required` makes declaring it mandatory). Calling-hours and
quiet-day rules are the exception: a selected campaign that does not declare its schedules is
reported, since its calling hours cannot be shown to comply (and one declaring no window at
all is warned about). Entries with `state: absent` are skipped: they are about to be deleted.
Text is compared in NFC; selection and near misses go through `Selection`, built once per
evaluation, so the cost grows linearly with the campaigns.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from reconciler.fields import DAYS
from reconciler.manifest import schedule
from reconciler.manifest.models import EXCLUSIVE_FIELDS, CampaignSpec
from reconciler.manifest.wording import did_you_mean
from reconciler.names import identity_key, lookalike_key
from reconciler.policy.findings import Finding
from reconciler.policy.kindfields import CAMPAIGN, SUBJECTS
from reconciler.policy.rules import LABEL_PREFIX, Rule, nfc_labels
from reconciler.policy.selection import Missed, Selection

Loc = tuple[int | str, ...]
Locate = Callable[[str, Loc], str]  # (entry name, path inside the entry) -> "file:line"
Problem = tuple[Loc, str]  # (path inside the entry, message)
NEAR_MISS = "policy/label-near-miss"  # a label that almost selects a campaign into a rule
# Schedules declared with no calling window at all (`schedules: []`): the API does not say
# whether that means "never" or "at any hour", so hours rules cannot show it complies.
EMPTY_SCHEDULE = "policy/empty-schedule"
_HOURS_CHECKS = ("calling_hours", "quiet_days")
_ALTERNATIVES = {a: b for pair in EXCLUSIVE_FIELDS for a, b in (pair, pair[::-1])}


def evaluate(
    rules: Sequence[Rule], specs: Mapping[str, Any], locate: Locate, kind: str = CAMPAIGN
) -> list[Finding]:
    """Every finding on the entries of `kind`, entry by entry (manifest order), rule by rule
    (config order)."""
    findings: list[Finding] = []
    known = [rule.id for rule in rules] + ([NEAR_MISS, EMPTY_SCHEDULE] if rules else [])
    mine = [rule for rule in rules if rule.kind == kind]
    selection = Selection(mine)
    for name, spec in specs.items():
        if spec.state == "absent":
            continue
        waivers = spec.policy_waivers or {}
        labels = nfc_labels(spec.labels or {})
        type_autocall = getattr(spec, "type_autocall", None)
        selected = selection.selected(labels, type_autocall)
        for rule in (mine[index] for index in selected):
            for loc, message in check(rule, spec):
                text = f"{message} ({rule.message})" if rule.message else message
                findings.append(
                    Finding(
                        rule=rule.id,
                        campaign_name=name,
                        severity=rule.severity,
                        message=text,
                        source=locate(name, loc),
                        waived=rule.id in waivers,
                        reason=waivers.get(rule.id),
                        kind=kind,
                    )
                )
        if kind == CAMPAIGN:
            findings.extend(
                _empty_schedule(name, spec, [mine[index] for index in selected], waivers, locate)
            )
        missed = selection.near_misses(labels, type_autocall, set(selected))
        findings.extend(_near_misses(name, spec, missed, waivers, locate, kind))
        if rules:  # with no policies at all, waivers are simply not in play
            findings.extend(_unknown_waivers(name, waivers, known, locate, kind))
    return findings


def selects(rule: Rule, spec: Any, kind: str = CAMPAIGN) -> bool:
    """Whether the rule applies to this entry of `kind` (its selector: the kind, labels and
    type_autocall). The audit of real calls (reconciler/operations/) selects with this too."""
    if rule.kind != kind:
        return False
    return rule.select is None or rule.select.matches(
        spec.labels or {}, getattr(spec, "type_autocall", None)
    )


def _empty_schedule(
    name: str,
    spec: CampaignSpec,
    selected: Sequence[Rule],
    waivers: Mapping[str, str],
    locate: Locate,
) -> Iterator[Finding]:
    """A warning where hours rules check a campaign whose schedules declare no window."""
    ids = [rule.id for rule in selected if rule.check in _HOURS_CHECKS]
    if not ids or "schedules" not in spec.model_fields_set or any(_windows(spec)):
        return
    which = f"rule {ids[0]}" if len(ids) == 1 else f"rules {', '.join(ids)}"
    yield Finding(
        rule=EMPTY_SCHEDULE,
        campaign_name=name,
        severity="warning",
        message=(
            "schedules declare no calling window; the API does not document whether that "
            "means the campaign never calls or calls at any hour, so "
            f"{which} cannot show its calling hours comply; declare the windows it calls in"
        ),
        source=locate(name, ("schedules",)),
        waived=EMPTY_SCHEDULE in waivers,
        reason=waivers.get(EMPTY_SCHEDULE),
    )


def _near_misses(
    name: str, spec: Any, missed: Missed, waivers: Mapping[str, str], locate: Locate,
    kind: str = CAMPAIGN,
) -> Iterator[Finding]:
    """A warning at each label that nearly selects the entry into rules (see Selection)."""
    written = {identity_key(key): key for key in spec.labels or {}}
    for (key, want_key, want), ids in missed.items():
        which = f"rule {ids[0]} selects" if len(ids) == 1 else f"rules {', '.join(ids)} select"
        it = "it does" if len(ids) == 1 else "they do"
        label = written[key]
        yield Finding(
            rule=NEAR_MISS,
            campaign_name=name,
            severity="warning",
            message=(
                f"label {label}: '{(spec.labels or {})[label]}' is not {want_key}: '{want}', "
                f"which {which}; labels are compared exactly, so {it} not check this {kind}"
            ),
            source=locate(name, ("labels", label)),
            waived=NEAR_MISS in waivers,
            reason=waivers.get(NEAR_MISS),
            kind=kind,
        )


def _unknown_waivers(
    name: str, waivers: Mapping[str, str], known: list[str], locate: Locate,
    kind: str = CAMPAIGN,
) -> Iterator[Finding]:
    for rule_id in waivers:
        if rule_id not in known:
            yield Finding(
                rule=rule_id,
                campaign_name=name,
                severity="warning",
                message=(
                    f"policy_waivers names no rule in force{did_you_mean(rule_id, known)}, "
                    "so it waives nothing (`reconciler policies` lists the rules)"
                ),
                source=locate(name, ("policy_waivers", rule_id)),
                kind=kind,
            )


def check(rule: Rule, spec: Any) -> list[Problem]:
    """What in this entry breaks the rule's one check (empty: it complies)."""
    return _CHECKS[rule.check](rule, spec)


def _declared(spec: Any, name: str) -> tuple[bool, Any, Loc]:
    """(declared?, value, path) of a field, `network.KEY` or `labels.KEY`."""
    if name.startswith(LABEL_PREFIX):
        key = identity_key(name[len(LABEL_PREFIX) :])
        written = next((label for label in spec.labels or {} if identity_key(label) == key), None)
        if written is None:
            return False, None, ()
        return True, spec.labels[written], ("labels", written)  # type: ignore[index]
    if name.startswith("network."):
        key = name.split(".", 1)[1]
        if "network" not in spec.model_fields_set:
            return False, None, ()
        return True, getattr(spec.network, key), ("network", key)
    if name not in spec.model_fields_set:
        return False, None, ()
    return True, getattr(spec, name), (name,)


def _max(rule: Rule, spec: Any) -> list[Problem]:
    problems = []
    for name, limit in (rule.max or {}).items():
        declared, value, loc = _declared(spec, name)
        if declared and value > limit:
            problems.append((loc, f"{name} is {value}; the maximum is {limit}"))
    return problems


def _min(rule: Rule, spec: Any) -> list[Problem]:
    problems = []
    for name, limit in (rule.min or {}).items():
        declared, value, loc = _declared(spec, name)
        if declared and value < limit:
            problems.append((loc, f"{name} is {value}; the minimum is {limit}"))
    return problems


def _required(rule: Rule, spec: Any) -> list[Problem]:
    """Each required field declared with a value: `carrier_uuid: ""` (or text that reads as
    nothing) declares no carrier. A campaign's carrier or carrier_uuid both count."""
    problems = []
    for name in rule.required or []:
        alternative = _ALTERNATIVES.get(name) if rule.kind == CAMPAIGN else None
        given = [
            (field, *_declared(spec, field)[1:])
            for field in (name, alternative) if field and _declared(spec, field)[0]
        ]
        if any(not _blank(value) for _, value, _ in given):
            continue
        either = f" (or {alternative})" if alternative else ""
        what = f"the label {name[len(LABEL_PREFIX) :]}" if name.startswith(LABEL_PREFIX) else name
        if given:
            field, _, loc = given[0]
            shown = f"the label {field[len(LABEL_PREFIX) :]}" if loc[:1] == ("labels",) else field
            problems.append(
                (loc, f"{shown} is declared empty; {what}{either} must be declared with a value")
            )
        else:
            problems.append(((), f"{what}{either} must be declared"))
    return problems


def _blank(value: Any) -> bool:
    """No value: null, or text that reads as nothing (spaces, zero-width characters). A list
    may be empty on purpose (`schedules: []`: no calling windows)."""
    return value is None or (isinstance(value, str) and not lookalike_key(value))


def _allowed(rule: Rule, spec: Any) -> list[Problem]:
    problems = []
    for name, choices in (rule.allowed or {}).items():
        declared, value, loc = _declared(spec, name)
        if not declared:
            continue
        listed = ", ".join(map(_shown, choices))
        items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for index, item in items:
            if not any(_same(item, choice) for choice in choices):
                where = loc if index is None else (*loc, index)
                problems.append(
                    (where, f"{name} {_shown(item)} is not allowed here; allowed: {listed}")
                )
    return problems


def _same(value: Any, choice: Any) -> bool:
    """Equal, with `true` never equal to 1 (YAML tells them apart; so do rules), and text
    compared in NFC (a carrier name typed decomposed is the same name)."""
    if isinstance(value, str) and isinstance(choice, str):
        return identity_key(value) == identity_key(choice)
    return type(value) is type(choice) and value == choice


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"'{value}'" if isinstance(value, str) else str(value)


def _name_pattern(rule: Rule, spec: Any) -> list[Problem]:
    field = SUBJECTS[rule.kind][1]  # campaign_name, template_name, carrier_name
    name = getattr(spec, field)
    if re.search(identity_key(rule.name_pattern or ""), identity_key(name)):
        return []
    return [((field,), f"{field} '{name}' does not match the pattern '{rule.name_pattern}'")]


def _windows(spec: CampaignSpec) -> Iterator[tuple[Loc, str, tuple[int, ...], int, int]]:
    """Each calling window as written: (path, day key, days, start, end)."""
    for index, entry in enumerate(spec.schedules or []):
        for key, value in entry.items():
            start, end = schedule.parse_window(value)  # valid: the loader checked it
            yield ("schedules", index, key), key, schedule.parse_days(key), start, end


_UNDECLARED = "schedules are not declared, so the calling hours cannot be checked; declare them"


def _calling_hours(rule: Rule, spec: CampaignSpec) -> list[Problem]:
    if "schedules" not in spec.model_fields_set:
        return [((), _UNDECLARED)]
    problems = []
    for loc, key, days, start, end in _windows(spec):
        # Group the key's days by what is wrong on them (limits may differ per day).
        faults: dict[str, list[int]] = {}
        for day in days:
            allowed = rule.hours[day]
            if allowed is None:
                continue
            wrong = []
            if start < allowed[0]:
                wrong.append(f"starts before {schedule.format_ns(allowed[0])}")
            if end > allowed[1]:
                wrong.append(f"ends after {schedule.format_ns(allowed[1])}")
            if wrong:
                faults.setdefault(" and ".join(wrong), []).append(day)
        if not faults:
            continue
        window = f"{schedule.format_ns(start)}-{schedule.format_ns(end)}"
        parts = [
            fault if list(on) == list(days) else f"{fault} on {days_text(on)}"
            for fault, on in faults.items()
        ]
        problems.append((loc, f"{key} {window} {'; '.join(parts)}"))
    return problems


def _quiet_days(rule: Rule, spec: CampaignSpec) -> list[Problem]:
    if "schedules" not in spec.model_fields_set:
        return [((), _UNDECLARED)]
    problems = []
    for loc, key, days, start, end in _windows(spec):
        quiet = [day for day in days if day in rule.quiet]
        if quiet:
            window = f"{schedule.format_ns(start)}-{schedule.format_ns(end)}"
            what = "a quiet day" if len(quiet) == 1 else "quiet days"
            problems.append((loc, f"{key} {window} calls on {days_text(quiet)}, {what}"))
    return problems


def days_text(days: Sequence[int]) -> str:
    """Day indexes as short spans: [0,1,2,3,4,6] → `mon-fri, sun`; all seven → `daily`."""
    ordered = sorted(set(days))
    if len(ordered) == len(DAYS):
        return schedule.DAILY
    runs: list[list[int]] = []
    for day in ordered:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    short = schedule.SHORT_DAYS
    return ", ".join(
        short[run[0]] if len(run) == 1 else f"{short[run[0]]}-{short[run[-1]]}" for run in runs
    )


_CHECKS: dict[str, Callable[[Rule, Any], list[Problem]]] = {
    "max": _max,
    "min": _min,
    "required": _required,
    "allowed": _allowed,
    "name_pattern": _name_pattern,
    "calling_hours": _calling_hours,
    "quiet_days": _quiet_days,
}
