"""File paths as CI systems want them: relative to the working directory (the repository
root in a pipeline), with forward slashes and no leading `./`."""

from __future__ import annotations

import os
from pathlib import Path, PurePath


def relative(path: str) -> str | None:
    """The path relative to the current directory, or None when it lies outside it."""
    pure = PurePath(os.path.normpath(path))
    if pure.is_absolute():
        try:
            pure = pure.relative_to(Path.cwd())
        except ValueError:
            return None
    text = pure.as_posix()
    return None if text == ".." or text.startswith("../") else text


def shown(path: str) -> str:
    """The relative form when there is one, else the path as given."""
    return relative(path) or path
