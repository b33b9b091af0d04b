"""How much care each change needs, from facts the plan already has. Pure.

A reviewer skimming `~ update` lines cannot tell a description edit from a campaign switched
on at ten times its concurrency; this module can. Inputs: the changes (actions, fields before
and after, the live run state in `live_status`), the policies' calling hours per campaign, and
which campaigns each template reaches (`Plan.usage`, from the planner).

Rules common to every kind are here in full; what is kind-specific (a campaign's
concurrent_call, schedules, carrier; a template reaching campaigns) sits in the small
per-kind tables at the end (`KIND_FIELD_RULES`, `KIND_CHANGE_RULES`), which can move to the
kinds' own packages unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reconciler.fields import DAYS
from reconciler.plan.model import (
    RISK_LEVELS,
    Change,
    FieldDiff,
    Plan,
    Risk,
    RiskLevel,
    Use,
)

Window = tuple[int, int]  # nanoseconds since midnight, as the API stores them
Hours = tuple[Window | None, ...]  # per day (0 = monday): the allowed window, None = any
Reason = tuple[RiskLevel, str]

# Live run states that make a change reach calls now, each with the words a reason uses.
RUN_STATES = {"start": "running", "pause": "paused"}
_LIVE_WORDS = {
    "start": "running now: the change reaches calls in progress",
    "pause": "paused now: the run resumes with this change at its next window",
}
_RANK = {level: rank for rank, level in enumerate(RISK_LEVELS)}  # high first


@dataclass(frozen=True)
class Facts:
    """What besides the change itself a rule may read."""

    # Campaign (entry) name -> the calling-hours rules selecting it: (rule id, hours).
    hours: Mapping[str, Sequence[tuple[str, Hours]]] = field(default_factory=dict)
    # Template uuid, or name of one this plan creates -> the campaigns it reaches.
    usage: Mapping[str, Sequence[Use]] = field(default_factory=dict)


def assess(change: Change, facts: Facts = Facts()) -> Risk:
    """The change's risk: its highest reason's level (low with no reason)."""
    reasons: list[Reason] = []
    state = RUN_STATES.get(change.live_status or "")
    if change.action == "delete":
        what = _why_deleted(change)
        if state:
            reasons.append(("high", f"{what}, while {state} now"))
        else:
            reasons.append(("medium", what))
    elif change.action == "update" and state and not change.rewrite:
        reasons.append(("medium", _LIVE_WORDS[change.live_status or ""]))
    if change.action == "update":
        rules = KIND_FIELD_RULES.get(change.kind, {})
        for name, diff in change.fields.items():
            rule = rules.get(name)
            found = rule(diff, change, facts) if rule else None
            if found:
                reasons.append(found)
    whole = KIND_CHANGE_RULES.get(change.kind)
    if whole is not None:
        reasons.extend(whole(change, facts))
    if not reasons:
        return Risk()
    level = min((level for level, _ in reasons), key=_RANK.__getitem__)
    ordered = sorted(reasons, key=lambda reason: _RANK[reason[0]])  # stable: found order
    return Risk(level, tuple(text for _, text in ordered))


# A kind deleting what it replaced says so in the source's last parenthesis (the audio kind's
# earlier upload of a changed file: "audio.yaml:2 (replaced by a new upload of the file)").
_REPLACED = re.compile(r" \((replaced by [^()]+)\)$")


def _why_deleted(change: Change) -> str:
    """Why the plan deletes it, as the source says: pruned, replaced, or declared absent."""
    if change.source.endswith("(--prune)"):
        return "pruned: no manifest declares it"
    replaced = _REPLACED.search(change.source)
    if replaced:
        return f"deleted ({replaced.group(1)})"
    absent = change.deleted_by_override() or "state: absent"  # an override's, said
    return f"deleted ({absent})"


def assess_plan(plan: Plan, hours: Mapping[str, Sequence[tuple[str, Hours]]] | None = None) -> None:
    """Fill in every change's risk."""
    facts = Facts(hours or {}, plan.usage)
    for change in plan.changes:
        change.risk = assess(change, facts)


def summary(plan: Plan) -> dict[str, Any]:
    """`{level, high, medium, low}`: the plan's highest level (None without changes) and how
    many changes are at each."""
    counts = {level: 0 for level in RISK_LEVELS}
    for change in plan.changes:
        counts[change.risk.level] += 1
    level = next((level for level in RISK_LEVELS if counts[level]), None)
    return {"level": level, **counts}


def needs_care(plan: Plan) -> list[Change]:
    """The changes at high or medium risk, highest first (plan order within a level)."""
    return sorted(
        (change for change in plan.changes if change.risk.level != "low"),
        key=lambda change: _RANK[change.risk.level],
    )


def hours_by_campaign(rules: Sequence[Any], specs: Mapping[str, Any]) -> dict[str, list]:
    """Each declared campaign's calling-hours rules: (rule id, hours) of every rule with a
    `calling_hours` check whose selector picks it (as the policy evaluation selects)."""
    from reconciler.policy.evaluate import selects

    hourly = [rule for rule in rules if getattr(rule, "calling_hours", None) is not None]
    if not hourly:
        return {}
    return {
        name: [(rule.id, tuple(rule.hours)) for rule in hourly if selects(rule, spec)]
        for name, spec in specs.items()
    }


# -- campaign rules ------------------------------------------------------------------------


def _switched_on(diff: FieldDiff, change: Change, facts: Facts) -> Reason | None:
    if diff.before is False and diff.after is True:
        return "high", "active false → true: it starts calling at its next window"
    return None


def _concurrency(diff: FieldDiff, change: Change, facts: Facts) -> Reason | None:
    before, after = diff.before, diff.after
    if not isinstance(before, int) or not isinstance(after, int) or after <= before:
        return None
    if before <= 0 or after >= 2 * before:
        times = f" ({after / before:g}×)" if before > 0 else ""
        return "high", f"concurrent_call raised {before} → {after}{times}"
    return None


def _windows(diff: FieldDiff, change: Change, facts: Facts) -> Reason | None:
    """A window widened (calls at hours no one reviewed before), or reaching outside the
    calling hours of a policy that selects the campaign."""
    before, after = _per_day(diff.before), _per_day(diff.after)
    if before is None or after is None:
        return None
    for rule_id, hours in facts.hours.get(change.name, ()):
        outside = [
            DAYS[day] for day, allowed in enumerate(hours)
            if allowed is not None and any(
                start < allowed[0] or end > allowed[1] for start, end in after[day]
            )
        ]
        if outside:
            return "high", (
                f"calling window outside the hours of policy {rule_id} on {_days(outside)}"
            )
    widened = [DAYS[day] for day in range(len(DAYS)) if not _covers(before[day], after[day])]
    if not widened:
        return None
    state = RUN_STATES.get(change.live_status or "")
    text = f"calling window widened on {_days(widened)}"
    return ("high", f"{text}, while {state}") if state else ("medium", text)


def _switched(what: str) -> Callable[[FieldDiff, Change, Facts], Reason | None]:
    def rule(diff: FieldDiff, change: Change, facts: Facts) -> Reason | None:
        if diff.before == diff.after:
            return None
        text = f"{what} switched {_value(diff.before)} → {_value(diff.after)}"
        state = RUN_STATES.get(change.live_status or "")
        return ("high", f"{text} under a {state} campaign") if state else ("medium", text)

    return rule


# -- template rules ------------------------------------------------------------------------

# Template fields that do not change what a call plays.
_TEMPLATE_BOOKKEEPING = frozenset({"template_name", "description"})


def _reaches_campaigns(change: Change, facts: Facts) -> list[Reason]:
    """A template's content (text, voice, audio, key menu) reaches every campaign using it."""
    if change.action != "update" or not set(change.fields) - _TEMPLATE_BOOKKEEPING:
        return []
    users = [
        *facts.usage.get(change.uuid or "", ()),
        *(facts.usage.get(change.name, ()) if change.uuid is None else ()),
    ]
    if not users:
        return []
    running = [use for use in users if use.status in RUN_STATES]
    listed = ", ".join(_use_text(use) for use in users)
    text = (
        f"script or audio change reaches {len(users)} campaign{'s' if len(users) != 1 else ''}"
        f": {listed}"
    )
    return [("high" if running else "medium", text)]


def _use_text(use: Use) -> str:
    marks = []
    if use.status in RUN_STATES:
        marks.append(RUN_STATES[use.status])
    if use.declared and not use.live:
        marks.append("declared")
    return use.name + (f" ({', '.join(marks)})" if marks else "")


# -- the per-kind tables -------------------------------------------------------------------

FieldRule = Callable[[FieldDiff, Change, Facts], "Reason | None"]
KIND_FIELD_RULES: dict[str, dict[str, FieldRule]] = {
    "campaign": {
        "active": _switched_on,
        "concurrent_call": _concurrency,
        "schedules": _windows,
        "carrier": _switched("carrier"),
        "carrier_uuid": _switched("carrier"),
        "template": _switched("template"),
        "template_uuid": _switched("template"),
    },
}
KIND_CHANGE_RULES: dict[str, Callable[[Change, Facts], list[Reason]]] = {
    "template": _reaches_campaigns,
}


# -- helpers -------------------------------------------------------------------------------


def _per_day(human: Any) -> list[list[Window]] | None:
    """Manifest-form schedules as each day's windows (None when they cannot be read)."""
    from reconciler.manifest.schedule import ScheduleError, to_api

    try:
        entries = to_api(human or [])
    except (ScheduleError, TypeError, ValueError):
        return None
    days: list[list[Window]] = [[] for _ in DAYS]
    for entry in entries:
        for index, day in enumerate(DAYS):
            start, end = entry[f"{day}_start_time"], entry[f"{day}_end_time"]
            if end > start:
                days[index].append((start, end))
    return days


def _covers(before: list[Window], after: list[Window]) -> bool:
    """Whether every moment of `after` was already inside `before`."""
    merged: list[list[int]] = []
    for start, end in sorted(before):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return all(any(s <= start and end <= e for s, e in merged) for start, end in after)


def _days(names: list[str]) -> str:
    return "every day" if len(names) == len(DAYS) else ", ".join(name[:3] for name in names)


def _value(value: Any) -> str:
    return "none" if value in (None, "") else str(value)
