"""One entry point for every diagnostics format."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import import_module

from reconciler.diagnostics.model import Diagnostic

FORMATS = ("text", "json", "sarif", "github", "gitlab")
DOCUMENT_FORMATS = ("json", "sarif", "gitlab")  # machine-read documents


ANCHORED_FORMATS = ("sarif", "gitlab")  # every entry needs a file: `anchor` holds the rest


def render(
    diagnostics: Sequence[Diagnostic], fmt: str, anchor: str | None = None,
    *, environment: str | None = None,
) -> str:
    """The diagnostics in `fmt`; in SARIF and GitLab code quality a diagnostic without a
    file (an API failure, say) is placed at `anchor` (a manifest the run read), line 1.
    SARIF names the run's `environment` (reconciler.yaml's tenant) in its properties."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown diagnostics format {fmt!r}")
    module = import_module(f"reconciler.diagnostics.{fmt}")
    if fmt == "sarif":
        return module.render(diagnostics, anchor, environment=environment)
    if fmt in ANCHORED_FORMATS:
        return module.render(diagnostics, anchor)
    return module.render(diagnostics)
