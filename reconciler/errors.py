"""Exceptions the CLI turns into a clean message and exit 1 (never a traceback).

Each carries its problems as diagnostics (reconciler/diagnostics/), so every output format
reports them; its message (str) stays the classic text.
"""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.diagnostics.model import Diagnostic, Subject


class ReconcilerError(Exception):
    """Base of every expected failure; its message is shown to the user as is."""

    exit_code = 1
    code = "error"  # the diagnostic code of a failure that says nothing more specific

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [Diagnostic("error", self.code, str(self))]


class ManifestError(ReconcilerError):
    """One or more located problems in manifest files (`file:line: message`)."""

    def __init__(self, errors: list[str], diagnostics: Sequence[Diagnostic] | None = None):
        self.errors = list(errors)
        self._diagnostics = list(diagnostics) if diagnostics is not None else None
        super().__init__("\n".join(self.errors))

    @property
    def diagnostics(self) -> list[Diagnostic]:
        if self._diagnostics is not None:
            return list(self._diagnostics)
        return [_from_line(line, "manifest/error", "manifest") for line in self.errors]


class ConfigError(ReconcilerError):
    """Missing or inconsistent settings: API URL, credentials, flags."""

    code = "settings"


class PlanError(ReconcilerError):
    """The plan cannot be computed or applied safely (unknown carrier, stale plan, guard).

    Built from diagnostics, its message is their text lines (with `trailer` after them)."""

    def __init__(
        self,
        message: str = "",
        diagnostics: Sequence[Diagnostic] | None = None,
        *,
        trailer: str = "",
    ):
        self._diagnostics = list(diagnostics) if diagnostics is not None else None
        if not message and diagnostics is not None:
            message = "\n".join(diagnostic.text() for diagnostic in diagnostics)
        if trailer:
            message = f"{message}\n{trailer}" if message else trailer
        super().__init__(message)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        if self._diagnostics is not None:
            return list(self._diagnostics)
        return [Diagnostic("error", self.code, str(self))]


def _from_line(line: str, code: str, category: str) -> Diagnostic:
    """A diagnostic from a `file:line: message` line (for errors raised as text only)."""
    head, sep, rest = line.partition(": ")
    subject = Subject.parse(head) if sep else Subject()
    if subject.file is None:
        return Diagnostic("error", code, line, category=category)  # type: ignore[arg-type]
    return Diagnostic("error", code, rest, subject, category=category)  # type: ignore[arg-type]
