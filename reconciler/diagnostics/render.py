"""One entry point for every diagnostics format."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import import_module

from reconciler.diagnostics.model import Diagnostic

FORMATS = ("text", "json", "sarif", "github", "gitlab")
DOCUMENT_FORMATS = ("json", "sarif", "gitlab")  # machine-read documents


def render(diagnostics: Sequence[Diagnostic], fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown diagnostics format {fmt!r}")
    return import_module(f"reconciler.diagnostics.{fmt}").render(diagnostics)
