"""GitLab code quality: the Code Climate JSON subset GitLab reads (`artifacts: reports:
codequality:`), shown in the merge request's widget and on its diff lines.

Only diagnostics located in a file can be placed, so only they are listed (the job log and
the exit code carry the others). The fingerprint is stable across runs and line moves.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from reconciler.diagnostics.github import message
from reconciler.diagnostics.model import Diagnostic
from reconciler.diagnostics.paths import shown

SEVERITIES = {"error": "major", "warning": "minor", "note": "info"}


def document(diagnostics: Sequence[Diagnostic]) -> list[dict[str, Any]]:
    issues = []
    seen: dict[str, int] = {}
    for diagnostic in diagnostics:
        if diagnostic.file is None:
            continue
        path = shown(diagnostic.file)
        subject = diagnostic.subject
        key = "\0".join(
            [diagnostic.code, path, (subject.campaign if subject else None) or "",
             diagnostic.summary]
        )
        seen[key] = seen.get(key, 0) + 1  # the same problem twice in a file: two issues
        fingerprint = hashlib.sha256(f"{key}\0{seen[key]}".encode()).hexdigest()
        issues.append(
            {
                "description": message(diagnostic),
                "check_name": diagnostic.code,
                "fingerprint": fingerprint,
                "severity": SEVERITIES[diagnostic.severity],
                "location": {"path": path, "lines": {"begin": diagnostic.line or 1}},
            }
        )
    return issues


def render(diagnostics: Sequence[Diagnostic]) -> str:
    return json.dumps(document(diagnostics), indent=2, ensure_ascii=False) + "\n"
