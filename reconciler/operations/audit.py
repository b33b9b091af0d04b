"""The audit of real calls: the lead report's rows × the policy rules → findings. Pure.

The rules are the ones `validate` checks manifests with, applied to what the calls did:
a rule with a `calling_hours` check flags calls outside its window on that day (the
vn-decree-91 preset: 08:00-17:00), a `quiet_days` rule flags calls on its days, and
`vn-decree-91/one-call-a-day` flags a number called more than once within 24 hours. Rules
select campaigns and entries waive rules exactly as in `validate`
(`reconciler.policy.evaluate.selects`, `policy_waivers`).

When a call happened: a lead row's `start_stamp` (the call shown with it, tenant time without a
zone); a row without one (no call record joined) falls back to `last_call_time` (+07:00). A
lead not called yet (`called_count` 0, no time) is no call at all. A lead's `called_count`
counts every attempt on it; the report shows the time of one (the last). So repeats are proven
either by two calls of the same number less than 24 hours apart (two calls in one second are
two calls), or by a lead with `called_count` > 1 whose import (`created_at`) and last call lie
within 24 hours. The calls before the window (`earlier`: the lead report of the 24 hours
before it) count as the first of such a pair; findings are only ever about calls inside the
window. Calls the report counts but the rows do not show are `audit/incomplete`, never clean.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from reconciler.fields import DAYS
from reconciler.manifest import schedule
from reconciler.manifest.models import CampaignSpec
from reconciler.operations.window import STAMP, TENANT_TZ, Window, local, shown
from reconciler.policy.evaluate import days_text, selects
from reconciler.policy.rules import Rule

ONE_CALL_A_DAY = "vn-decree-91/one-call-a-day"
REPEAT_SPAN = timedelta(hours=24)
_NS = 10**9


class CallDataError(ValueError):
    """A lead report row whose times cannot be read: the audit cannot vouch for it."""


@dataclass(frozen=True)
class CallFinding:
    """One call (or number) that breaks a rule; `phone_number` whole (mask it to show it)."""

    rule: str
    campaign_name: str
    campaign_uuid: str
    severity: str
    phone_number: str
    time: str  # ISO 8601 in tenant time, e.g. 2026-05-01T18:30:00+07:00
    message: str
    source: str  # the campaign's entry, path/file.yaml:LINE
    waived: bool = False
    reason: str | None = None

    @property
    def counts(self) -> bool:
        """Makes `status` exit 2: any finding not waived (warnings too: a nightly job reports
        every breach)."""
        return not self.waived

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def audited_rules(rules: Iterable[Rule]) -> list[Rule]:
    """The rules that can be checked against real calls."""
    return [rule for rule in rules if _CALL_CHECK.get(_kind(rule)) is not None]


def selecting(rules: Sequence[Rule], spec: CampaignSpec) -> list[Rule]:
    """The audited rules that apply to this campaign entry."""
    return [rule for rule in audited_rules(rules) if selects(rule, spec)]


def needs_history(rules: Sequence[Rule], spec: CampaignSpec) -> bool:
    """Whether auditing this campaign needs the calls of the 24 hours before the window."""
    return any(_kind(rule) == ONE_CALL_A_DAY for rule in selecting(rules, spec))


def audit_campaign(
    rules: Sequence[Rule],
    spec: CampaignSpec,
    campaign_uuid: str,
    rows: Sequence[Mapping[str, Any]],
    source: str,
    *,
    window: Window | None = None,
    earlier: Sequence[Mapping[str, Any]] = (),
) -> list[CallFinding]:
    """Every finding for one campaign's lead rows, rule by rule (config order), each rule's
    findings in call order. With a `window`, only calls inside it are findings; `earlier`
    rows (the 24 hours before the window) only pair with them as earlier calls."""
    calls = _calls(rows) + _calls(earlier)
    calls.sort(key=lambda item: item[1])
    waivers = spec.policy_waivers or {}
    findings: list[CallFinding] = []
    flagged: set[tuple[str, str]] = set()
    for rule in selecting(rules, spec):
        for phone, when, message in _CALL_CHECK[_kind(rule)](rule, calls):
            if window is not None and not window.start <= when <= window.end:
                continue  # context only: another night's report speaks of it
            if _kind(rule) == ONE_CALL_A_DAY:
                number = (rule.id, _number_key(phone))
                if number in flagged:
                    continue  # one finding per number: its first repeat
                flagged.add(number)
            text = f"{message} ({rule.message})" if rule.message else message
            findings.append(
                CallFinding(
                    rule=rule.id,
                    campaign_name=spec.campaign_name,
                    campaign_uuid=campaign_uuid,
                    severity=rule.severity,
                    phone_number=phone,
                    time=local(when).isoformat(timespec="seconds"),
                    message=text,
                    source=source,
                    waived=rule.id in waivers,
                    reason=waivers.get(rule.id),
                )
            )
    return findings


INCOMPLETE = "audit/incomplete"


def audit_gaps(
    spec: CampaignSpec,
    campaign_uuid: str,
    counters: Mapping[str, Any] | None,
    rows: Sequence[Mapping[str, Any]],
    source: str,
    *,
    window: Window | None = None,
) -> list[CallFinding]:
    """What the audit could not see, as findings (they make `status` exit 2, never "clean"):
    calls the campaign report counts in the window that the lead report shows no time for. The
    lead report shows each lead's last call only, so a lead called twice in the window hides
    a call; leads not called yet are no calls at all."""
    seen = [when for row in rows if (when := call_time(row)) is not None]
    visible = sum(1 for when in seen if window is None or window.start <= when <= window.end)
    untimed = sum(1 for row in rows if call_time(row) is None and not _uncalled(row))
    total = (counters or {}).get("total")
    counted = isinstance(total, int) and not isinstance(total, bool)
    problems = []
    if counters is None:
        problems.append(
            "the campaign report has no row for it, so the calls the lead report does not "
            "show cannot be counted: the audit cannot vouch for this campaign"
        )
    elif counted and total > 0 and visible == 0:
        problems.append(
            f"the campaign report counts {total} call(s) in the window but the lead report "
            "gives none to audit: these calls could not be checked"
        )
    elif counted and total > visible:
        problems.append(
            f"the campaign report counts {total} calls in the window but the lead report shows "
            f"{visible} (it shows each lead's last call only): {total - visible} call(s) "
            "could not be checked"
        )
    if untimed and not (counted and total > visible):
        problems.append(
            f"{untimed} lead row(s) have no call time (start_stamp, last_call_time): their "
            "calls could not be checked"
        )
    return [
        CallFinding(
            rule=INCOMPLETE, campaign_name=spec.campaign_name, campaign_uuid=campaign_uuid,
            severity="warning", phone_number="", time="", message=message, source=source,
        )
        for message in problems
    ]


def _calls(rows: Sequence[Mapping[str, Any]]) -> list[Call]:
    return [(row, when) for row in rows if (when := call_time(row)) is not None]


def _uncalled(row: Mapping[str, Any]) -> bool:
    """A lead imported but not called yet: `called_count` 0 (and, by call_time, no time)."""
    return _count(row) == 0


def _count(row: Mapping[str, Any]) -> int | None:
    """The row's `called_count` as a number (a count sent as text is still a count)."""
    count = row.get("called_count")
    if isinstance(count, str) and count.strip().isdigit():
        return int(count)
    if isinstance(count, bool) or not isinstance(count, int):
        return None
    return count


def call_time(row: Mapping[str, Any]) -> datetime | None:
    """When the row's call started, in tenant time; None for a lead not called."""
    stamp = row.get("start_stamp")
    if stamp:
        try:
            return datetime.strptime(str(stamp).strip(), STAMP).replace(tzinfo=TENANT_TZ)
        except ValueError:
            raise CallDataError(_unreadable(row, "start_stamp", stamp)) from None
    return _aware(row, "last_call_time")


def mask_phone(phone: str) -> str:
    """All but the last 3 characters hidden: `0775702541` → `*******541`."""
    text = str(phone)
    return "*" * max(len(text) - 3, 0) + text[-3:]


Call = tuple[Mapping[str, Any], datetime]
Hit = tuple[str, datetime, str]  # (phone number, when, message)


def _calling_hours(rule: Rule, calls: Sequence[Call]) -> list[Hit]:
    hits = []
    for row, when in calls:
        day = when.weekday()
        allowed = rule.hours[day]
        if allowed is None:
            continue
        moment = (when.hour * 3600 + when.minute * 60 + when.second) * _NS
        if not allowed[0] <= moment < allowed[1]:
            window = f"{schedule.format_ns(allowed[0])}-{schedule.format_ns(allowed[1])}"
            hits.append((_phone(row), when, f"called at {when.strftime('%H:%M:%S')} on "
                         f"{DAYS[day].capitalize()}, outside {window}"))
    return hits


def _quiet_days(rule: Rule, calls: Sequence[Call]) -> list[Hit]:
    return [
        (_phone(row), when, f"called on {DAYS[when.weekday()].capitalize()}; quiet days: "
         f"{days_text(sorted(rule.quiet))}")
        for row, when in calls
        if when.weekday() in rule.quiet
    ]


def _one_call_a_day(_rule: Rule, calls: Sequence[Call]) -> list[Hit]:
    """Every proof of a repeat, number by number (the audit keeps the first inside the
    window for each number)."""
    by_number: dict[str, list[Call]] = {}
    for row, when in calls:
        by_number.setdefault(_number_key(_phone(row)), []).append((row, when))
    hits = [hit for group in by_number.values() for hit in _repeats(group)]
    hits.sort(key=lambda hit: hit[1])
    return hits


def _repeats(group: list[Call]) -> list[Hit]:
    """The proofs that this number was called twice within 24 hours the calls hold: each call
    less than 24 hours after the one before it (every call counts, two in one second too),
    then each lead whose `called_count` says so."""
    ordered = sorted(group, key=lambda call: call[1])
    hits = [
        (_phone(row), later, f"called again {_span(later - earlier)} after a call at "
         f"{shown(earlier)} ({len(ordered)} calls seen)")
        for (_, earlier), (row, later) in zip(ordered, ordered[1:], strict=False)
        if later - earlier < REPEAT_SPAN
    ]
    for row, when in group:
        count = _count(row)
        if count is None or count < 2:
            continue
        created = _aware(row, "created_at")
        last = max(when, _aware(row, "last_call_time") or when)
        if created is not None and last - created < REPEAT_SPAN:
            hits.append((_phone(row), last, f"called {count} times (called_count) between the "
                         f"lead's import at {shown(created)} and its last call"))
    return hits


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds()) // 60
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def _aware(row: Mapping[str, Any], key: str) -> datetime | None:
    value = row.get(key)
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise CallDataError(_unreadable(row, key, value)) from None
    if moment.tzinfo is None:  # undocumented: read as tenant time, like start_stamp
        moment = moment.replace(tzinfo=TENANT_TZ)
    return local(moment)


def _unreadable(row: Mapping[str, Any], key: str, value: Any) -> str:
    return (f"the lead report's row for lead {row.get('lead_uuid')!r} has {key} {value!r}, "
            "not a time: the calls cannot be audited")


def _phone(row: Mapping[str, Any]) -> str:
    return str(row.get("phone_number") or "")


def _number_key(phone: str) -> str:
    """One subscriber however the number is written: 0775702541, +84 775 702 541."""
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("84") and len(digits) in (11, 12):
        return "0" + digits[2:]
    return digits or phone


def _kind(rule: Rule) -> str:
    return ONE_CALL_A_DAY if rule.id == ONE_CALL_A_DAY else rule.check


_CALL_CHECK = {
    "calling_hours": _calling_hours,
    "quiet_days": _quiet_days,
    ONE_CALL_A_DAY: _one_call_a_day,
}
