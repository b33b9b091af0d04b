"""The outcome of a push: a results CSV (one line per row of the file) and counts.

The CSV is written whole to a temporary file and renamed over the old one, so a reader never
sees half of it; its `outcome` is `sent`, `skipped`, `invalid`, `refused`, `unclear` or
`not attempted`, with the reason in `detail`. A cell that would start a spreadsheet formula
(an id or a message from the server) is written with a leading `'`.
"""

from __future__ import annotations

import csv
import io
import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from reconciler.leads.push import Outcome

COLUMNS = ("row", "number", "call_id", "lead_uuid", "outcome", "detail")
# Outcomes that leave nothing for a person to do (invalid rows are only ever skipped when
# --skip-invalid asked for it, each with its reason).
SETTLED = ("sent", "skipped", "invalid")


# A cell a spreadsheet would run as a formula (`=HYPERLINK(...)`, `+cmd|...`, `@SUM(...)`)
# when the results are opened in Excel; the ids and reasons come from the server's answers.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def inert(value: object) -> str:
    """The cell as text a spreadsheet shows and never evaluates: a leading `'` before a
    formula's first character (OWASP's advice for CSV injection). Pure."""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write(path: Path, outcomes: Iterable[Outcome]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for item in sorted(outcomes, key=lambda item: item.line):
        writer.writerow([inert(cell) for cell in (
            item.line, item.phone_number, item.call_id, item.lead_uuid, item.outcome,
            item.detail)])
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(buffer.getvalue(), encoding="utf-8")
    os.replace(temporary, path)


def counts(outcomes: Iterable[Outcome]) -> Counter[str]:
    return Counter(item.outcome for item in outcomes)


def reasons(outcomes: Iterable[Outcome], outcome: str) -> Counter[str]:
    """How many rows of this outcome each reason accounts for (the reason's first words)."""
    return Counter(_gist(item.detail) for item in outcomes if item.outcome == outcome)


def _gist(detail: str) -> str:
    """A reason without its particulars (line numbers, times, ids), for counting."""
    return detail.split(" (", 1)[0].split(": ", 1)[0] if detail else "no reason given"
