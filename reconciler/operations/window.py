"""The time window a status report covers, always in the tenant's clock.

The API's timestamps carry +07:00 (`created_at`, `last_call_time`) and its report parameters
(`start_time`, `end_time`) and `start_stamp` are local times without a zone: the tenant's
clock, Vietnam time. So every time the tool reads or shows is converted to (or read as) +07:00,
whatever the zone of the machine running it, and output says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from reconciler.errors import ReconcilerError

TENANT_TZ = timezone(timedelta(hours=7))
TENANT_ZONE = "+07:00"
STAMP = "%Y-%m-%d %H:%M:%S"  # the reports' start_time/end_time, and start_stamp
DEFAULT_SPAN = timedelta(hours=24)
MAX_SPAN = timedelta(days=366)
_DURATION = re.compile(r"(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
_UNITS = ("weeks", "days", "hours", "minutes", "seconds")


class WindowError(ReconcilerError):
    """A bad --from, --to or --since."""


@dataclass(frozen=True)
class Window:
    """[start, end], both in the tenant's clock, to the second (the reports' resolution)."""

    start: datetime
    end: datetime

    @property
    def start_stamp(self) -> str:
        return self.start.strftime(STAMP)

    @property
    def end_stamp(self) -> str:
        return self.end.strftime(STAMP)

    def history(self) -> Window:
        """The 24 hours before the window (to the second before it starts): the calls a
        one-call-a-day check pairs the window's first calls with."""
        return Window(self.start - DEFAULT_SPAN, self.start - timedelta(seconds=1))

    def describe(self) -> str:
        """`2026-05-01 09:00:00 to 2026-05-02 09:00:00 (tenant time, UTC+07:00)`."""
        return f"{self.start_stamp} to {self.end_stamp} (tenant time, UTC{TENANT_ZONE})"

    def to_dict(self) -> dict[str, str]:
        return {
            "from": self.start.isoformat(timespec="seconds"),
            "to": self.end.isoformat(timespec="seconds"),
            "time_zone": TENANT_ZONE,
        }


def tenant_now() -> datetime:
    return datetime.now(TENANT_TZ).replace(microsecond=0)


def parse_window(
    start: str | None, end: str | None, since: str | None, now: datetime | None = None
) -> Window:
    """The window from --from/--to/--since: the last 24 hours by default; --since counts back
    from --to (or now); --from alone runs to now."""
    if start is not None and since is not None:
        raise WindowError("give --from or --since, not both")
    now = (now or tenant_now()).astimezone(TENANT_TZ).replace(microsecond=0)
    last = parse_time(end, "--to") if end is not None else now
    span = parse_duration(since) if since is not None else DEFAULT_SPAN
    try:
        first = parse_time(start, "--from") if start is not None else last - span
    except OverflowError:
        raise WindowError("the window ends before it starts: it would begin before year 1") \
            from None
    if first >= last:
        raise WindowError(
            f"--from ({first.strftime(STAMP)}) must be before --to ({last.strftime(STAMP)})"
            if start is not None else
            f"the window ends ({last.strftime(STAMP)}) before it starts"
        )
    if last - first > MAX_SPAN:
        raise WindowError("the window is longer than 366 days: ask for less at a time")
    return Window(first, last)


def parse_time(text: str, option: str) -> datetime:
    """An ISO 8601 date and time as `datetime.fromisoformat` reads it: `YYYY-MM-DD HH:MM:SS`,
    `YYYY-MM-DD HH:MM` or a date alone (midnight), in tenant time; a time with an explicit
    offset (`...+00:00`, `Z`) is converted to tenant time. A bare `HH:MM` is refused."""
    value = text.strip()
    try:
        moment = datetime.fromisoformat(value) if value else None
    except ValueError:
        moment = None
    if moment is None:
        raise WindowError(
            f"{option}: {text!r} is not a time like \"2026-05-01 08:00:00\" (tenant time, "
            f"UTC{TENANT_ZONE}), \"2026-05-01 08:00\" or \"2026-05-01\""
        )
    if moment.tzinfo is None:
        return moment.replace(tzinfo=TENANT_TZ, microsecond=0)
    try:
        return moment.astimezone(TENANT_TZ).replace(microsecond=0)
    except OverflowError:
        raise WindowError(f"{option}: {text!r} is out of range") from None


def parse_duration(text: str) -> timedelta:
    """`24h`, `90m`, `7d`, `1d12h`, `2w`: a positive span."""
    value = text.strip().lower()
    match = _DURATION.fullmatch(value)
    if not value or match is None or not any(match.groups()):
        raise WindowError(
            f"--since: {text!r} is not a duration like 24h, 90m, 7d or 1d12h"
        )
    try:
        span = timedelta(**{unit: int(count) for unit, count in zip(_UNITS, match.groups(),
                                                                   strict=True) if count})
    except OverflowError:
        span = MAX_SPAN * 2
    if span <= timedelta(0):
        raise WindowError(f"--since: {text!r} is no time at all; give a positive duration")
    if span > MAX_SPAN:
        raise WindowError(f"--since: {text!r} is longer than 366 days")
    return span


def local(moment: datetime) -> datetime:
    """An aware time in the tenant's clock."""
    return moment.astimezone(TENANT_TZ)


def shown(moment: datetime) -> str:
    """`2026-05-01 18:30:00 +07:00`: a time as reports show it, zone included."""
    return local(moment).strftime(STAMP) + f" {TENANT_ZONE}"
