"""Where an audio entry's `file:` may lead: into the repository only.

A manifest is reviewed in a pull request, but the bytes a `file:` names are uploaded to the
tenant: a path that leaves the repository (`../../secrets/x.wav`, `/home/ci/x.wav`, or a
symlink in the repository pointing out of it) would upload a file no reviewer saw, and one
that differs on every machine. The repository is the git work tree holding the manifest (the
nearest directory above it with a `.git`); without one, the manifest's own directory. Pure
but for reading the file system's links.
"""

from __future__ import annotations

import os
from pathlib import Path


def repository_of(directory: str) -> Path:
    """The root a manifest in `directory` may take files from."""
    start = Path(directory or ".").resolve()
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            return candidate
    return start


def outside_problem(directory: str, file: str, shown: str) -> str:
    """Why `file` (as the entry declares it, relative to `directory`) may not be uploaded
    ("" when it lies inside the repository, symlinks followed)."""
    if os.path.isabs(file) or Path(file).drive:
        return (f"file {file}: an absolute path; give a path relative to this manifest, "
                "inside the repository (a file outside it is not reviewed with the manifest)")
    root = repository_of(directory)
    target = Path(directory or ".", file).resolve()
    if target == root or root in target.parents:
        return ""
    how = "leads (through a symlink) " if ".." not in Path(file).parts else "leads "
    return (f"file {shown}: {how}outside the repository ({root}); only files inside it are "
            "uploaded (a file outside is not reviewed with the manifest): move it in")
