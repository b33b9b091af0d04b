"""Calling windows of one campaign that overlap on the same day: allowed, but rarely meant.

A day is named once per schedule entry, so overlaps come from two entries (`mon-fri:
08:00-12:00` in one, `mon: 11:00-14:00` in another). The API stores both windows; a reader
of the manifest most likely expected one to replace the other, or a gap between them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reconciler.manifest.schedule import ScheduleError, format_ns, parse_days, parse_window, span

Loc = tuple[int | str, ...]


@dataclass(frozen=True)
class _Window:
    index: int
    key: str
    days: frozenset[int]
    start: int
    end: int

    @property
    def where(self) -> str:
        return f"schedules[{self.index}].{self.key}"

    @property
    def label(self) -> str:
        return f"{format_ns(self.start)}-{format_ns(self.end)}"


def schedule_overlaps(entries: list[dict[str, Any]] | None) -> list[tuple[Loc, str]]:
    """(path inside `schedules`, message) for each window overlapping an earlier one on a
    day both name; windows that only touch (12:00 end, 12:00 start) do not overlap."""
    windows: list[_Window] = []
    for index, entry in enumerate(entries or ()):
        if not isinstance(entry, dict):
            continue
        for key, value in entry.items():
            try:
                days, (start, end) = parse_days(key), parse_window(value)
            except ScheduleError:  # reported by validation already
                continue
            windows.append(_Window(index, str(key), frozenset(days), start, end))
    found: list[tuple[Loc, str]] = []
    for position, later in enumerate(windows):
        for earlier in windows[:position]:
            common = later.days & earlier.days
            if earlier.index == later.index or not common:
                continue
            if later.start < earlier.end and earlier.start < later.end:
                found.append(
                    (
                        (later.index, later.key),
                        f"{later.where}: {later.label} overlaps {earlier.label} "
                        f"({earlier.where}) on {days_text(common)}; both windows are sent to "
                        "the API: merge them, or make one end where the other starts",
                    )
                )
    return found


def days_text(days: frozenset[int]) -> str:
    """Day indexes as the manifest writes them: `mon-wed, fri`, `daily`."""
    ordered = sorted(days)
    runs: list[tuple[int, int]] = []
    for day in ordered:
        if runs and runs[-1][1] == day - 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return ", ".join(span(first, last) for first, last in runs)
