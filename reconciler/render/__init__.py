"""Plan views: each module is a function from a Plan to text."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from reconciler.plan.model import Plan

FORMATS = ("text", "json", "markdown", "html")


def renderer(fmt: str) -> Callable[..., str]:
    """The `render(plan, **options)` function of one format, imported on demand."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    return import_module(f"reconciler.render.{fmt}").render


def render(plan: Plan, fmt: str, **options: object) -> str:
    return renderer(fmt)(plan, **options)
