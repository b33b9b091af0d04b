"""Shared wording for validation messages: how a bad value is shown, and "did you mean"."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any


def describe(value: Any) -> str:
    """A short, YAML-minded description of a value for "got ..." clauses."""
    if value is None:
        return "an empty value (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the string '{value}'"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return f"a {type(value).__name__} ({value})"


def did_you_mean(word: Any, candidates: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the closest candidate, or "" when none is close."""
    if not isinstance(word, str):
        return ""
    pool = list(candidates)
    close = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(word.lower(), pool, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
