"""GitHub Actions workflow commands: `::error file=F,line=L,col=C,title=T::message`.

The runner turns each line into an annotation on the pull request's diff (and the run's
summary). Escaping follows @actions/core: `%`, CR and LF in the message; also `:` and `,` in
property values, where they would end the value.
"""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.diagnostics.model import Diagnostic
from reconciler.diagnostics.paths import shown
from reconciler.safetext import shown as escaped

COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(diagnostic: Diagnostic) -> str:
    properties = []
    if diagnostic.file is not None:
        properties.append(("file", shown(diagnostic.file)))
        if diagnostic.line is not None:
            properties.append(("line", str(diagnostic.line)))
            if diagnostic.column is not None:
                properties.append(("col", str(diagnostic.column)))
    properties.append(("title", diagnostic.code))
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    text = escaped(escape_data(message(diagnostic)))  # server text: no ESC, no bidi left
    return f"::{COMMANDS[diagnostic.severity]} {props}::{text}"


def message(diagnostic: Diagnostic) -> str:
    """What the annotation says: the summary, the entry's name when the file does not say it,
    the waiver's reason, and the detail."""
    text = diagnostic.summary
    subject = diagnostic.subject
    if subject is not None and subject.file is None and subject.name:
        text = f"{subject.name}: {text}"
    if diagnostic.waived:
        text += f" [waived: {diagnostic.reason}]"
    if diagnostic.detail:
        text += f"\n{diagnostic.detail}"
    return text


def render(diagnostics: Sequence[Diagnostic]) -> str:
    return "".join(f"{annotation(diagnostic)}\n" for diagnostic in diagnostics)
