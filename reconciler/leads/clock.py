"""The wall clock a push reads (calling windows, the last 24 h) and waits on.

`RECONCILER_NOW` (a hidden setting for tests and rehearsals) fixes "now" to a time, e.g.
`2026-05-04 10:00:00` (tenant time) or an ISO time with an offset; waiting for a window then
moves that clock forward instead of sleeping, so a test of `--at-next-window` takes no time.
"""

from __future__ import annotations

import os
import threading
from datetime import datetime

from reconciler.operations.window import TENANT_TZ, WindowError, parse_time

NOW_ENV = "RECONCILER_NOW"


class Clock:
    """The real clock, in tenant time."""

    fixed = False

    def now(self) -> datetime:
        return datetime.now(TENANT_TZ)

    def wait_until(self, moment: datetime, stop: threading.Event) -> bool:
        """Wait until `moment`; False when `stop` was set first."""
        while not stop.is_set():
            left = (moment - self.now()).total_seconds()
            if left <= 0:
                return True
            stop.wait(min(left, 30.0))
        return False


class FixedClock(Clock):
    """A clock that stands still, and jumps when waited on."""

    fixed = True

    def __init__(self, moment: datetime) -> None:
        self._now = moment.astimezone(TENANT_TZ)

    def now(self) -> datetime:
        return self._now

    def wait_until(self, moment: datetime, stop: threading.Event) -> bool:
        if stop.is_set():
            return False
        self._now = max(self._now, moment.astimezone(TENANT_TZ))
        return True


def from_env(environ: dict[str, str] | None = None) -> Clock:
    """The fixed clock RECONCILER_NOW names, else the real one."""
    env = os.environ if environ is None else environ
    text = env.get(NOW_ENV, "").strip()
    if not text:
        return Clock()
    try:
        return FixedClock(parse_time(text, NOW_ENV))
    except WindowError as exc:
        raise WindowError(str(exc)) from None
