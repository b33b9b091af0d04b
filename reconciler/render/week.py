"""A campaign's calling schedule as seven days of windows, for drawing and comparing weeks.

Human entries go through the manifest's own parser (`to_api`), so the grid shows exactly the
nanoseconds the API would store, and no second schedule grammar exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reconciler.fields import DAYS
from reconciler.manifest.schedule import NS_PER_DAY, format_ns, to_api

Week = tuple[tuple["Window", ...], ...]  # seven days, monday first, windows by start time


@dataclass(frozen=True, order=True)
class Window:
    """One calling window on one day, in nanoseconds since midnight."""

    start: int
    end: int

    @property
    def label(self) -> str:
        """`08:30-11:15`, the manifest's spelling (seconds only when present)."""
        return f"{format_ns(self.start)}-{format_ns(self.end)}"

    @property
    def top(self) -> float:
        """Where the window starts, as a percentage of the day."""
        return 100 * self.start / NS_PER_DAY

    @property
    def height(self) -> float:
        return 100 * (self.end - self.start) / NS_PER_DAY


def week_of(entries: list[dict[str, Any]] | None) -> Week:
    """Each day's distinct windows; raises ScheduleError on a malformed (hand-edited) value."""
    days: list[set[Window]] = [set() for _ in DAYS]
    for entry in to_api(entries or []):
        for index, day in enumerate(DAYS):
            start, end = entry[f"{day}_start_time"], entry[f"{day}_end_time"]
            if end > start:
                days[index].add(Window(start, end))
    return tuple(tuple(sorted(windows)) for windows in days)


def changed_days(before: Week, after: Week) -> list[int]:
    """Indexes (0 = monday) of the days whose windows differ."""
    return [index for index in range(len(DAYS)) if before[index] != after[index]]
