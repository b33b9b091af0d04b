"""Shared value formatting for human-facing renderers: one line per scalar, schedules as
day windows (never nanoseconds), multi-line text as lines."""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from typing import Any

from reconciler.kinds.registry import kind_of
from reconciler.safetext import spelt

# How an empty schedule list reads: the campaign may not call at all.
NO_WINDOWS = "no calling windows"
# Fields holding an object's name: shown with their invisible differences made visible.
NAME_FIELDS = frozenset({"campaign_name", "template_name"})


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


def format_field(name: str, value: Any) -> str:
    """`format_value`, but a name as `spelt` (`"Nhắc nợ␠"`): a look-alike rename shows
    what changes."""
    if name in NAME_FIELDS and isinstance(value, str):
        return spelt(value)
    return format_value(value)


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


# Words, runs of spaces, and single other characters; combining marks stay with their letter
# (Vietnamese typed in NFD: a diff never cuts "ế" from its "e").
_TOKEN = re.compile(r"[\w\u0300-\u036f]+|\s+|[^\w\s]", re.UNICODE)
# Fields holding a script whose changes are shown word by word.
SCRIPT_FIELDS = frozenset({"content"})


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """(op, text) pieces turning `before` into `after`: "=" kept, "-" removed, "+" added;
    words are compared in NFC, so the same text typed in NFD shows no change."""
    old = _TOKEN.findall(unicodedata.normalize("NFC", before))
    new = _TOKEN.findall(unicodedata.normalize("NFC", after))
    pieces: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(("=", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("-", "".join(old[i1:i2])))
        if j2 > j1:
            pieces.append(("+", "".join(new[j1:j2])))
    return pieces


def marked_words(before: str, after: str) -> str:
    """One line with the word changes marked as `git diff --word-diff` does:
    `khoản nợ [-đến hạn-]{+quá hạn+}`."""
    marks = {"=": "{}", "-": "[-{}-]", "+": "{{+{}+}}"}
    return "".join(marks[op].format(text) for op, text in word_diff(before, after))


def script_lines(before: Any, after: Any) -> list[tuple[str, str]] | None:
    """Rows for a changed script (`content`): removed and added lines, and for each line
    changed in place a `~` row with its word changes marked. None unless both are text."""
    if not isinstance(before, str) or not isinstance(after, str) or before == after:
        return None
    old, new = before.splitlines() or [""], after.splitlines() or [""]
    rows: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            rows += [(" ", line) for line in old[i1:i2]]
            continue
        rows += [("-", line) for line in old[i1:i2]]
        rows += [("+", line) for line in new[j1:j2]]
        if tag == "replace":
            pairs = zip(old[i1:i2], new[j1:j2], strict=False)
            rows += [("~", marked_words(a, b)) for a, b in pairs]
    return rows


def params_line(change: Any) -> str:
    """`lead params: customer_name, due_amount` for a change whose script uses placeholders."""
    if not change.placeholders:
        return ""
    names = ", ".join(change.placeholders)
    return f"{kind_of(change).params_intro}: {names}"


def unverifiable_lines(change: Any) -> list[str]:
    """What a change sends that no read can confirm (a template's press-option write-only
    keys), with the values sent; led, for a rewrite, by why it is written at all."""
    return kind_of(change).unverifiable_lines(change, format_value)
