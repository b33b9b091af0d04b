"""What may be called, and when: calling windows and the numbers to skip. Pure.

A push is allowed at a moment when every window in force is open:
- the campaign's own schedules (the calls happen in them anyway; a list pushed outside them
  waits in the vendor's queue and is called at an hour nobody chose);
- for a campaign labelled `purpose: advertising`, 08:00-17:00 every day (Decree 91/2020);
- each `calling_hours` / `quiet_days` rule of the project's policies that selects the
  campaign (unless the campaign waives it).

A number is skipped, with its reason, when it is on the do-not-call list, when it was sent
in an earlier run (the journal), or, for advertising, when any advertising campaign called
it in the last 24 hours (at most one advertising call a day).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from reconciler.fields import DAYS
from reconciler.manifest.schedule import format_ns

_NS_PER_SECOND = 10**9
_DAY_NS = 86400 * _NS_PER_SECOND
ADVERTISING_HOURS = (8 * 3600 * _NS_PER_SECOND, 17 * 3600 * _NS_PER_SECOND)
ONE_DAY = timedelta(hours=24)


@dataclass(frozen=True)
class Limit:
    """One source of calling windows: per weekday (0 = Monday), the open spans in
    nanoseconds since local midnight; None where this limit says nothing about that day."""

    name: str
    days: tuple[tuple[tuple[int, int], ...] | None, ...]

    def allows(self, moment: datetime) -> bool:
        spans = self.days[moment.weekday()]
        if spans is None:
            return True
        at = _ns(moment)
        return any(start <= at < end for start, end in spans)

    def describe(self, weekday: int) -> str:
        spans = self.days[weekday]
        if not spans:
            return f"{self.name}: no calls on {DAYS[weekday]}"
        shown = ", ".join(f"{format_ns(start)}-{format_ns(end)}" for start, end in spans)
        return f"{self.name}: {DAYS[weekday]} {shown}"


def schedule_limit(schedules: Any) -> Limit | None:
    """The campaign's schedules as a Limit; None when it has none (the API then calls at
    any hour, so this limit says nothing)."""
    if not isinstance(schedules, list) or not schedules:
        return None
    days: list[tuple[tuple[int, int], ...]] = []
    for day in DAYS:
        spans = []
        for entry in schedules:
            if not isinstance(entry, Mapping):
                continue
            start, end = entry.get(f"{day}_start_time"), entry.get(f"{day}_end_time")
            if isinstance(start, int) and isinstance(end, int) and end > start:
                spans.append((start, end))
        days.append(tuple(sorted(spans)))
    return Limit("the campaign's schedules", tuple(days))


def advertising_limit() -> Limit:
    return Limit("Decree 91/2020 (advertising calls 08:00-17:00)", (((ADVERTISING_HOURS),),) * 7)


def rule_limit(rule: Any) -> Limit | None:
    """A `calling_hours` or `quiet_days` policy rule as a Limit (None for other checks)."""
    if rule.check == "calling_hours":
        days = tuple(None if window is None else (tuple(window),) for window in rule.hours)
        return Limit(f"policy {rule.id}", days)
    if rule.check == "quiet_days":
        days = tuple(() if index in rule.quiet else None for index in range(7))
        return Limit(f"policy {rule.id}", days)
    return None


def closed_by(limits: Sequence[Limit], moment: datetime) -> list[Limit]:
    """The limits whose window is closed at `moment`."""
    return [limit for limit in limits if not limit.allows(moment)]


def next_open(limits: Sequence[Limit], moment: datetime) -> datetime | None:
    """The first moment from `moment` on when every limit is open (within 8 days), or None."""
    if not closed_by(limits, moment):
        return moment
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    candidates = set()
    for offset in range(9):
        day = midnight + timedelta(days=offset)
        candidates.add(day)
        for limit in limits:
            for start, _end in limit.days[day.weekday()] or ():
                candidates.add(day + timedelta(microseconds=start // 1000))
    for candidate in sorted(candidates):
        if candidate > moment and not closed_by(limits, candidate):
            return candidate
    return None


def closes_at(limits: Sequence[Limit], moment: datetime) -> datetime | None:
    """When the window open at `moment` closes (the earliest end among the limits), or None
    when no limit ends it within a day."""
    ends = []
    for limit in limits:
        spans = limit.days[moment.weekday()]
        if spans is None:
            continue
        at = _ns(moment)
        for start, end in spans:
            if start <= at < end and end < _DAY_NS:
                midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
                ends.append(midnight + timedelta(microseconds=end // 1000))
    return min(ends) if ends else None


def _ns(moment: datetime) -> int:
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second
    return seconds * _NS_PER_SECOND + moment.microsecond * 1000


@dataclass(frozen=True)
class Skip:
    line: int
    phone_number: str
    reason: str


def skips(
    leads: Iterable[Any],
    excluded: Mapping[str, int],
    recent: Mapping[str, str],
    sent: Mapping[str, str],
) -> dict[int, str]:
    """{line: reason} for every lead not to send: on the do-not-call list (`excluded`:
    number → its line there), already sent by an earlier run (`sent`: number → what the
    journal says), or called in the last 24 h by an advertising campaign (`recent`:
    number → which call)."""
    reasons: dict[int, str] = {}
    for lead in leads:
        number = lead.phone_number
        if number in sent:
            reasons[lead.line] = f"already sent ({sent[number]})"
        elif number in excluded:
            reasons[lead.line] = f"on the do-not-call list (--exclude line {excluded[number]})"
        elif number in recent:
            reasons[lead.line] = (f"called in the last 24 h by an advertising campaign "
                                  f"({recent[number]}): Decree 91 allows one a day")
    return reasons
