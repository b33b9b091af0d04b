"""Shared value formatting for human-facing renderers: one line per scalar, schedules as
day windows (never nanoseconds)."""

from __future__ import annotations

import json
from typing import Any


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


def schedule_lines(before: list[dict] | None, after: list[dict] | None) -> list[tuple[str, str]]:
    """(marker, text) rows: `-` entries only before, `+` only after, ` ` kept."""
    old = [format_window(entry) for entry in before or []]
    new = [format_window(entry) for entry in after or []]
    rows = [("-", text) for text in old if text not in new]
    rows += [(" ", text) for text in new if text in old]
    rows += [("+", text) for text in new if text not in old]
    return rows
