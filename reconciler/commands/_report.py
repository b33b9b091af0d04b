"""How a command reports its diagnostics beyond the classic text on stderr: a document
(JSON, SARIF, GitLab code quality) on stdout or in `--out FILE`, and GitHub annotations.

A command configures the report at its start (`begin`); what it notes on the way (warnings,
policy findings) and the error that stops it (run_guarded calls `failure`) end up in the same
document, so a failed `plan --format json` still prints JSON. Text on stderr is unchanged in
every format: the document is for machines, the log stays readable.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import click

from reconciler.diagnostics.model import Diagnostic
from reconciler.diagnostics.render import DOCUMENT_FORMATS, render

GITHUB_ENV = "GITHUB_ACTIONS"
NAMES = {"json": "JSON", "sarif": "SARIF", "gitlab": "GitLab code quality", "github": "GitHub"}


def in_github_actions() -> bool:
    return os.environ.get(GITHUB_ENV) == "true"


@dataclass
class Report:
    """`document`: the format of the diagnostics document (None: none); `out`: its file
    (None: stdout); `annotate`: GitHub annotations on stdout as diagnostics are noted."""

    document: str | None = None
    out: str | None = None
    annotate: bool = False
    on_failure_only: bool = False  # plan --format json: the plan document is the success
    anchor: str | None = None  # where SARIF/GitLab place a diagnostic without a file
    environment: str | None = None  # the tenant the run is for (SARIF run properties)
    noted: list[Diagnostic] = field(default_factory=list)

    def note(self, diagnostics: Sequence[Diagnostic]) -> None:
        """Remember diagnostics for the document; annotate them now under GitHub Actions."""
        self.noted.extend(diagnostics)
        if self.annotate and diagnostics:
            click.echo(render(diagnostics, "github"), nl=False)

    def finish(self) -> None:
        """The document of everything noted, for a run that did not fail."""
        if self.document and not self.on_failure_only:
            self._emit(self.noted)

    def failure(self, exc: Exception) -> None:
        diagnostics = list(getattr(exc, "diagnostics", []))
        if self.annotate and diagnostics:
            click.echo(render(diagnostics, "github"), nl=False)
        if self.document:
            # A document asked for on stdout is printed even when the run failed: it is what
            # a pipeline parses. One written to --out is written too (upload steps read it).
            self._emit(self.noted + diagnostics)

    def _emit(self, diagnostics: Sequence[Diagnostic]) -> None:
        assert self.document is not None
        text = render(diagnostics, self.document, self.anchor, environment=self.environment)
        if self.out and not self.on_failure_only:
            write_atomically(self.out, text)
            click.echo(f"{NAMES[self.document]} report written to {self.out}.", err=True)
        else:
            click.echo(text, nl=False)


_current = Report()


def reset() -> None:
    """A fresh, silent report (run_guarded calls it before each command)."""
    global _current
    _current = Report()


def current() -> Report:
    return _current


def begin(
    fmt: str | None,
    *,
    out: str | None = None,
    stdout_is_text: bool = True,
    on_failure_only: bool = False,
    anchor: str | None = None,
) -> Report:
    """Configure this run's report. `fmt` is the --format given (None: not given); under
    GitHub Actions annotations are printed unless `text` is given or stdout carries a
    document (`stdout_is_text` False); a document written to --out leaves them on.
    `anchor`: the path SARIF and GitLab documents place file-less diagnostics at."""
    global _current
    annotate = fmt == "github" or (
        in_github_actions() and stdout_is_text and fmt != "text"
    )
    document = fmt if fmt in DOCUMENT_FORMATS else None
    _current = Report(document, out, annotate, on_failure_only, anchor=anchor)
    return _current


def set_environment(name: str | None) -> None:
    """The environment chosen for this run: its documents name it."""
    _current.environment = name


def failure(exc: Exception) -> None:
    """Report a failure in the configured formats (nothing when none was configured)."""
    from reconciler.errors import ReconcilerError

    try:
        _current.failure(exc)
    except ReconcilerError as problem:  # e.g. --out cannot be written: said, never hidden
        click.echo(f"error: {problem}", err=True)


def write_atomically(path: str, text: str) -> None:
    """Write whole or not at all: a temp file renamed into place."""
    from reconciler.errors import ReconcilerError

    target = Path(path)
    temporary = target.with_name(f".{target.name}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise ReconcilerError(f"cannot write {path}: {exc.strerror or exc}") from None
