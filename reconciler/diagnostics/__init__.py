"""Diagnostics as data: every problem the tool reports (manifest and config errors, warnings,
plan-time errors, guard refusals, policy findings) as one `Diagnostic`, rendered by one module
per format: text (the classic `file:line: message`), JSON, SARIF 2.1.0, GitHub workflow
annotations and GitLab code quality (Code Climate JSON)."""

from reconciler.diagnostics.model import Diagnostic, Subject

__all__ = ["Diagnostic", "Subject"]
