"""Markdown text pieces shared by the plan's markdown report and the policy findings table:
literal names, code cells that survive a table, and fitting rows into a size budget."""

from __future__ import annotations

import re

from reconciler import safetext

# Characters that open inline markup or break a table row when they appear in a name.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#&!])")


def _one_line(text: str) -> str:
    """A line break in a name would end a table row or an HTML block early: shown escaped,
    as every other control character."""
    return safetext.shown(text)


def escape(text: str) -> str:
    """A name as literal text in a markdown paragraph or table cell."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _one_line(text))


def code_cell(text: str) -> str:
    """A code span that survives a table: GFM splits cells on `|` even inside code spans."""
    text = _one_line(text).replace("|", "\\|")
    fence = "`" * (_longest_run(text, "`") + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _longest_run(text: str, char: str) -> int:
    runs = re.findall(f"{re.escape(char)}+", text)
    return max((len(run) for run in runs), default=0)


def _fit(pieces: list[str], limit: int, budget: int) -> list[str]:
    """The longest prefix of `pieces` (at most `limit`) whose joined size stays in `budget`."""
    kept: list[str] = []
    used = 0
    for piece in pieces[:limit]:
        if used + len(piece) + 1 > budget:
            break
        kept.append(piece)
        used += len(piece) + 1
    return kept
