"""The classic text form: one `file:line: message` line per diagnostic, then a count.

Exactly what the tool printed before diagnostics were data; every line is one line (control
characters from user text are escaped, so a message never splits into look-alike lines).
"""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.diagnostics.model import Diagnostic
from reconciler.safetext import shown


def line(diagnostic: Diagnostic) -> str:
    """One line: the message's own line breaks escaped too, as every control character."""
    return shown(diagnostic.text(), keep_newlines=True).replace("\n", "\\n")


def lines(diagnostics: Sequence[Diagnostic]) -> list[str]:
    return [line(diagnostic) for diagnostic in diagnostics]


def error_count(diagnostics: Sequence[Diagnostic], files: Sequence[str] | None = None) -> str:
    """`3 errors in 2 files.` (the files the problems are in, unless given)."""
    if files is None:
        files = list(dict.fromkeys(d.file for d in diagnostics if d.file is not None))
    where = f" in {_plural(len(files), 'file')}" if files else ""
    return f"{_plural(len(diagnostics), 'error')}{where}."


def render(diagnostics: Sequence[Diagnostic], files: Sequence[str] | None = None) -> str:
    """Every diagnostic's line, then the error count when there are errors."""
    out = lines(diagnostics)
    errors = [d for d in diagnostics if d.severity == "error"]
    if errors:
        out.append(error_count(errors, files))
    return "".join(f"{text}\n" for text in out)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
