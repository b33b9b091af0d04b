"""The diagnostics JSON document (docs/diagnostics.md), in the spirit of
`terraform validate -json`: versioned, counted, every key always present."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from reconciler.diagnostics.model import Diagnostic, counts
from reconciler.safetext import json_safe

FORMAT_VERSION = 1


def document(diagnostics: Sequence[Diagnostic]) -> dict[str, Any]:
    tally = counts(diagnostics)
    return {
        "format_version": FORMAT_VERSION,
        "valid": tally["error"] == 0,
        "error_count": tally["error"],
        "warning_count": tally["warning"],
        "note_count": tally["note"],
        "diagnostics": [diagnostic.to_dict() for diagnostic in diagnostics],
    }


def render(diagnostics: Sequence[Diagnostic]) -> str:
    return json_safe(json.dumps(document(diagnostics), indent=2, ensure_ascii=False)) + "\n"
