"""Human schedules (`mon-fri: "08:00-12:00"`) to API schedule objects and back.

The API stores each day's window as nanoseconds since local midnight (a Go `time.Duration`),
so every conversion here is exact integer arithmetic: no floats, no rounding.

Rules (docs/manifest.md repeats them):
- day keys: `monday`..`sunday`, `mon`..`sun`, a forward range of two of them (`mon-fri`,
  `monday-friday`), or `daily`. Ranges do not wrap past Sunday: write `fri-sun` and `mon`.
- values: `"HH:MM-HH:MM"`, seconds optional (`HH:MM:SS`, even `HH:MM:SS.fff`), spaces allowed
  around the dash; `24:00` only as an end; the end strictly after the start.
- a day may be named once per entry; days an entry does not name are 0-0 (no calls).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from reconciler.fields import DAYS, SCHEDULE_KEYS
from reconciler.manifest.wording import describe, did_you_mean

NS_PER_SECOND = 1_000_000_000
NS_PER_MINUTE = 60 * NS_PER_SECOND
NS_PER_HOUR = 60 * NS_PER_MINUTE
NS_PER_DAY = 24 * NS_PER_HOUR

SHORT_DAYS: tuple[str, ...] = tuple(day[:3] for day in DAYS)
DAILY = "daily"
_DAY_INDEX: dict[str, int] = {
    **{day: index for index, day in enumerate(DAYS)},
    **{day: index for index, day in enumerate(SHORT_DAYS)},
}
DAY_KEY_HELP = "monday..sunday, mon..sun, a range like mon-fri, or daily"

# Lenient on digits so that a wrong number gets a precise message rather than "malformed".
_TIME_RE = re.compile(r"([0-9]{1,2}):([0-9]{1,2})(?::([0-9]{1,2})(?:\.([0-9]{1,9}))?)?")
# Dashes word processors and phones put where a hyphen was meant.
_LOOKALIKE_DASHES = {
    "\u2013": "an en dash",
    "\u2014": "an em dash",
    "\u2212": "a minus sign",
    "\u2010": "a Unicode hyphen",
    "\u2011": "a non-breaking hyphen",
}
_RANGE_RE = re.compile(r"\s*([^-\s]+)\s*-\s*([^-\s]+)\s*")


class ScheduleError(ValueError):
    """A bad human schedule. `path` says where inside the list: (entry index, day key).

    `problems` holds every problem found in the list (this one first), so a caller can
    report them all at once.
    """

    def __init__(self, message: str, path: tuple[int | str, ...] = ()):
        super().__init__(message)
        self.message = message
        self.path = path
        self.problems: list[ScheduleError] = [self]

    def __str__(self) -> str:
        if not self.path:
            return self.message
        where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in self.path)
        return f"{where.lstrip('.')}: {self.message}"


def format_ns(ns: int) -> str:
    """Nanoseconds since midnight as `HH:MM`, with `:SS` (and a fraction) only when non-zero."""
    sign = "-" if ns < 0 else ""
    hours, rest = divmod(abs(ns), NS_PER_HOUR)
    minutes, rest = divmod(rest, NS_PER_MINUTE)
    seconds, fraction = divmod(rest, NS_PER_SECOND)
    text = f"{sign}{hours:02d}:{minutes:02d}"
    if seconds or fraction:
        text += f":{seconds:02d}"
    if fraction:
        text += "." + f"{fraction:09d}".rstrip("0")
    return text


def parse_time(text: Any) -> int:
    """`HH:MM[:SS[.fraction]]` as nanoseconds since midnight; `24:00` (end of day) included."""
    if isinstance(text, bool) or not isinstance(text, str):
        raise ScheduleError(_not_text(text, "a time like 08:00"))
    match = _TIME_RE.fullmatch(text.strip())
    if match is None:
        raise ScheduleError(f"'{text}' is not a time; expected HH:MM or HH:MM:SS")
    hours, minutes = int(match[1]), int(match[2])
    seconds = int(match[3] or 0)
    fraction = int((match[4] or "").ljust(9, "0"))
    if len(match[2]) != 2 or (match[3] is not None and len(match[3]) != 2):
        raise ScheduleError(f"'{text}' is not a time; write minutes and seconds with two digits")
    if minutes > 59:
        raise ScheduleError(f"'{text}' is not a time: minutes go from 00 to 59")
    if seconds > 59:
        raise ScheduleError(f"'{text}' is not a time: seconds go from 00 to 59")
    if hours > 24 or (hours == 24 and (minutes or seconds or fraction)):
        raise ScheduleError(f"'{text}' is not a time: hours go from 00 to 23 (24:00 ends a day)")
    return hours * NS_PER_HOUR + minutes * NS_PER_MINUTE + seconds * NS_PER_SECOND + fraction


def parse_window(value: Any) -> tuple[int, int]:
    """`"HH:MM-HH:MM"` as (start, end) nanoseconds; the end strictly after the start."""
    if isinstance(value, bool) or not isinstance(value, str):
        raise ScheduleError(_not_text(value, 'a time range like "08:00-12:00"'))
    match = _RANGE_RE.fullmatch(value)
    if match is None:
        dash = next((char for char in _LOOKALIKE_DASHES if char in value), None)
        if dash is not None:
            fixed = value.replace(dash, "-")
            raise ScheduleError(
                f"'{value}' joins the times with {_LOOKALIKE_DASHES[dash]} ({dash}), not a "
                f'plain hyphen (-): write "{fixed}"'
            )
        raise ScheduleError(f"'{value}' is not a time range; expected \"HH:MM-HH:MM\"")
    start, end = parse_time(match[1]), parse_time(match[2])
    if start >= NS_PER_DAY:
        raise ScheduleError(f"'{value}' starts at 24:00; 24:00 is allowed only as an end")
    if end == start:
        raise ScheduleError(f"'{value}' is empty: the end must be after the start")
    if end < start:
        raise ScheduleError(
            f"'{value}' ends before it starts; one window cannot cross midnight: for an "
            f'overnight window, split it at midnight into "{format_ns(start)}-24:00" on this '
            f'day and "00:00-{format_ns(end)}" on the next'
        )
    return start, end


def parse_days(key: Any) -> tuple[int, ...]:
    """A day key as the indexes (0 = monday) of the days it names."""
    if not isinstance(key, str):
        raise ScheduleError(f"unknown day {key!r}; expected {DAY_KEY_HELP}")
    if key == DAILY:
        return tuple(range(len(DAYS)))
    if key in _DAY_INDEX:
        return (_DAY_INDEX[key],)
    if "-" not in key:
        raise ScheduleError(f"unknown day '{key}'{_suggest(key)}; expected {DAY_KEY_HELP}")
    parts = key.split("-")
    if len(parts) != 2 or not all(parts):
        raise ScheduleError(f"'{key}' is not a day range; expected two days, e.g. mon-fri")
    for part in parts:
        if part not in _DAY_INDEX:
            raise ScheduleError(
                f"unknown day '{part}' in range '{key}'{_suggest(part)}; expected {DAY_KEY_HELP}"
            )
    first, last = _DAY_INDEX[parts[0]], _DAY_INDEX[parts[1]]
    if first == last:
        raise ScheduleError(f"day range '{key}' names one day; write '{parts[0]}'")
    if first > last:
        raise ScheduleError(
            f"day range '{key}' runs backwards; ranges go from monday to sunday and do not "
            f"wrap (write '{SHORT_DAYS[first]}-sun' and '{span(0, last)}')"
        )
    return tuple(range(first, last + 1))


def to_api(entries: Sequence[dict[str, Any]] | None) -> list[dict[str, int]]:
    """Human schedule entries as API schedule objects (all 14 `<day>_start/end_time` keys).

    Raises ScheduleError (the first problem; `.problems` lists every one) on bad input.
    """
    problems: list[ScheduleError] = []
    result: list[dict[str, int]] = []
    if entries is None:
        return result
    if not isinstance(entries, list | tuple):
        raise ScheduleError(f"schedules must be a list of entries, got {describe(entries)}")
    for index, entry in enumerate(entries):
        converted = dict.fromkeys(SCHEDULE_KEYS, 0)
        result.append(converted)
        if not isinstance(entry, dict):
            problems.append(
                ScheduleError(
                    'each schedule entry must be a mapping of days to "HH:MM-HH:MM", '
                    f"got {describe(entry)}",
                    (index,),
                )
            )
            continue
        named_by: dict[int, str] = {}
        for key, value in entry.items():
            try:
                days = parse_days(key)
                for day in days:
                    if day in named_by:
                        raise ScheduleError(
                            f"{DAYS[day]} is named twice in one entry ('{named_by[day]}' and "
                            f"'{key}'); put a second window in another entry"
                        )
                named_by.update(dict.fromkeys(days, str(key)))
                start, end = parse_window(value)
            except ScheduleError as exc:
                problems.append(ScheduleError(exc.message, (index, str(key))))
                continue
            for day in days:
                converted[f"{DAYS[day]}_start_time"] = start
                converted[f"{DAYS[day]}_end_time"] = end
    if problems:
        first = problems[0]
        first.problems = problems
        raise first
    return result


def to_human(api_schedules: Iterable[dict[str, Any]] | None) -> list[dict[str, str]]:
    """API schedule objects as canonical human entries (one per object, same order).

    Consecutive days sharing a window group as `mon-fri`, all seven as `daily`; 0-0 days are
    omitted; server keys such as `id` are ignored.
    """
    human: list[dict[str, str]] = []
    for entry in api_schedules or ():
        windows = [
            (int(entry.get(f"{day}_start_time") or 0), int(entry.get(f"{day}_end_time") or 0))
            for day in DAYS
        ]
        item: dict[str, str] = {}
        first = 0
        while first < len(DAYS):
            last = first
            while last + 1 < len(DAYS) and windows[last + 1] == windows[first]:
                last += 1
            start, end = windows[first]
            if start or end:
                item[span(first, last)] = f"{format_ns(start)}-{format_ns(end)}"
            first = last + 1
        human.append(item)
    return human


def span(first: int, last: int) -> str:
    """The canonical key for the days first..last: `sat`, `mon-fri` or `daily`."""
    if first == 0 and last == len(DAYS) - 1:
        return DAILY
    if first == last:
        return SHORT_DAYS[first]
    return f"{SHORT_DAYS[first]}-{SHORT_DAYS[last]}"


_HINTS = {"weekdays": "mon-fri", "weekend": "sat-sun", "weekends": "sat-sun", "everyday": DAILY}


def _suggest(word: str) -> str:
    """A suggestion in the form the user wrote: `fri` for `fry`, `friday` for `fridy`."""
    if word.lower() in _HINTS:
        return f" (did you mean '{_HINTS[word.lower()]}'?)"
    same_form = SHORT_DAYS if len(word) <= 4 else (DAILY, *DAYS)
    return did_you_mean(word, same_form) or did_you_mean(word, [DAILY, *DAYS, *SHORT_DAYS])


def _not_text(value: Any, wanted: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted 21:00 as the base-60 number 1260: never guess it back.
        return (
            f"got the number {value}, not {wanted}: YAML 1.1 reads unquoted times such as "
            '21:00 as base-60 numbers; quote the value, e.g. "08:00-21:00"'
        )
    return f"expected {wanted}, got {describe(value)}"


def keep_style(api_entry: dict[str, Any], like: dict[str, Any]) -> dict[str, str]:
    """One API schedule object as a human entry written the way `like` (the manifest's own
    entry) is: each of its day keys (`monday-friday`, `tue`, `daily`...) is kept while the
    days it names still share one window, and a window that did not change keeps its text
    (`8:00 - 12:00` stays so). The days left over are grouped as `to_human` groups them,
    after the kept keys. Reads back (to_api) as exactly `api_entry`."""
    windows = [
        (int(api_entry.get(f"{day}_start_time") or 0), int(api_entry.get(f"{day}_end_time") or 0))
        for day in DAYS
    ]
    kept: dict[str, str] = {}
    covered: set[int] = set()
    for key, value in like.items():
        try:
            days = parse_days(key)
        except ScheduleError:
            continue
        shared = {windows[day] for day in days}
        if len(shared) != 1 or covered & set(days):
            continue
        window = shared.pop()
        if window == (0, 0):
            continue
        try:
            same = parse_window(value) == window
        except ScheduleError:
            same = False
        kept[key] = value if same else f"{format_ns(window[0])}-{format_ns(window[1])}"
        covered.update(days)
    rest = {
        f"{day}_{edge}_time": (0 if index in covered else windows[index][edge == "end"])
        for index, day in enumerate(DAYS)
        for edge in ("start", "end")
    }
    return {**kept, **to_human([rest])[0]}
