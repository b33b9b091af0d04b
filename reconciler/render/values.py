"""Shared value formatting for human-facing renderers: one line per scalar, schedules as
day windows (never nanoseconds), multi-line text as lines."""

from __future__ import annotations

import difflib
import json
from typing import Any

# How an empty schedule list reads: the campaign may not call at all.
NO_WINDOWS = "no calling windows"


def format_value(value: Any) -> str:
    """Compact, unambiguous: strings quoted, lists and maps as JSON, null as (none)."""
    if value is None:
        return "(none)"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def format_window(entry: dict[str, str]) -> str:
    """One human schedule entry: `mon-fri 08:00-12:00, sat 08:30-11:15` (or `no calling`)."""
    return ", ".join(f"{days} {window}" for days, window in entry.items()) or "no calling"


def _entry_order(entry: dict[str, str]) -> tuple[Any, ...]:
    """Time order of one human entry (as the plan sorts API schedules); unreadable last."""
    from reconciler.manifest.schedule import ScheduleError, to_api
    from reconciler.plan.normalize import schedule_order

    try:
        return (0, *schedule_order(to_api([entry])[0]))
    except (ScheduleError, AttributeError, TypeError):
        return (1,)


def schedule_lines(before: list[dict] | None, after: list[dict] | None) -> list[tuple[str, str]]:
    """(marker, text) rows in time order: `-` entries only before, `+` only after, ` ` kept;
    an empty list (a campaign with no calling windows) says so."""
    before_rows = [(format_window(entry), _entry_order(entry)) for entry in before or []]
    after_rows = [(format_window(entry), _entry_order(entry)) for entry in after or []]
    old = {text for text, _ in before_rows}
    new = {text for text, _ in after_rows}
    rank = {"-": 0, " ": 1, "+": 2}
    rows = [(order, "-", text) for text, order in before_rows if text not in new]
    rows += [(order, " " if text in old else "+", text) for text, order in after_rows]
    rows.sort(key=lambda row: (row[0], rank[row[1]]))
    lines = [(sign, text) for _, sign, text in rows]
    if before == [] and after != []:
        lines.insert(0, ("-", NO_WINDOWS))
    if after == [] and before != []:
        lines.append(("+", NO_WINDOWS))
    return lines


def is_multiline(value: Any) -> bool:
    return isinstance(value, str) and "\n" in value.strip("\n")


def text_lines(before: Any, after: Any) -> list[tuple[str, str]] | None:
    """(marker, line) rows of a line diff when either side is multi-line text, else None.
    `before` None (a create) gives every line as added."""
    if not (is_multiline(before) or is_multiline(after)):
        return None
    old = before.splitlines() if isinstance(before, str) else []
    new = after.splitlines() if isinstance(after, str) else []
    rows: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            rows += [(" ", line) for line in old[i1:i2]]
            continue
        rows += [("-", line) for line in old[i1:i2]]
        rows += [("+", line) for line in new[j1:j2]]
    return rows
