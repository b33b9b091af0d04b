"""GitLab code quality: the Code Climate JSON subset GitLab reads (`artifacts: reports:
codequality:`), shown in the merge request's widget and on its diff lines.

Every issue needs a file: one without (an API failure, say) is placed at `anchor`, a
manifest the run read, line 1, so the widget shows it too; with no anchor it cannot be placed
and only the job log and exit code carry it. The fingerprint is stable across runs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from reconciler.diagnostics.github import message
from reconciler.diagnostics.model import Diagnostic
from reconciler.diagnostics.paths import shown
from reconciler.safetext import json_safe

SEVERITIES = {"error": "major", "warning": "minor", "note": "info"}


def document(
    diagnostics: Sequence[Diagnostic], anchor: str | None = None
) -> list[dict[str, Any]]:
    issues = []
    seen: dict[str, int] = {}
    for diagnostic in diagnostics:
        place = diagnostic.file or anchor
        if place is None:
            continue
        path = shown(place)
        subject = diagnostic.subject
        key = "\0".join(
            [diagnostic.code, path, (subject.name if subject else None) or "",
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


def render(diagnostics: Sequence[Diagnostic], anchor: str | None = None) -> str:
    return json_safe(json.dumps(document(diagnostics, anchor), indent=2, ensure_ascii=False)) + "\n"
