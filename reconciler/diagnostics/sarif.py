"""SARIF 2.1.0, the static-analysis interchange format GitHub code scanning uploads
(`github/codeql-action/upload-sarif`). One run of the `reconciler` driver; each code a rule;
each diagnostic a result, located by a URI relative to the repository root (%SRCROOT%).
A waived policy finding is a `note` carrying a SARIF suppression with the waiver's reason.
Code scanning refuses a result without a location, so one without a file (an API failure,
say) is placed at `anchor`, a manifest the run read, line 1.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from reconciler.diagnostics.codes import description
from reconciler.diagnostics.model import Diagnostic
from reconciler.diagnostics.paths import relative
from reconciler.safetext import json_safe

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"


def artifact_location(path: str) -> dict[str, str]:
    """A relative URI against %SRCROOT%, or a file: URI for a path outside the directory."""
    inside = relative(path)
    if inside is None:
        return {"uri": Path(path).resolve().as_uri()}
    return {"uri": quote(inside, safe="/"), "uriBaseId": SRCROOT}


def _rule(code: str, category: str) -> dict[str, Any]:
    return {
        "id": code,
        "shortDescription": {"text": description(code, category)},
        "properties": {"category": category},
    }


def _result(diagnostic: Diagnostic, index: int, anchor: str | None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": diagnostic.code,
        "ruleIndex": index,
        "level": diagnostic.severity,
        "message": {"text": _message(diagnostic)},
    }
    if diagnostic.file is not None:
        physical: dict[str, Any] = {"artifactLocation": artifact_location(diagnostic.file)}
        if diagnostic.line is not None:
            region = {"startLine": diagnostic.line}
            if diagnostic.column is not None:
                region["startColumn"] = diagnostic.column
            physical["region"] = region
        result["locations"] = [{"physicalLocation": physical}]
    elif anchor is not None:
        result["locations"] = [
            {"physicalLocation": {"artifactLocation": artifact_location(anchor),
                                  "region": {"startLine": 1}}}
        ]
    if diagnostic.waived:
        result["suppressions"] = [
            {"kind": "inSource", "status": "accepted", "justification": diagnostic.reason or ""}
        ]
    subject = diagnostic.subject
    properties = (
        {"kind": subject.kind, subject.kind: subject.name}
        if subject is not None and subject.kind is not None else {}
    )
    if properties:
        result["properties"] = properties
    return result


def _message(diagnostic: Diagnostic) -> str:
    text = diagnostic.summary
    subject = diagnostic.subject
    if subject is not None and subject.file is None and subject.name:
        text = f"{subject.name}: {text}"
    return f"{text}\n{diagnostic.detail}" if diagnostic.detail else text


def document(
    diagnostics: Sequence[Diagnostic], anchor: str | None = None,
    environment: str | None = None,
) -> dict[str, Any]:
    from reconciler import __version__

    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    results = []
    for diagnostic in diagnostics:
        if diagnostic.code not in index:
            index[diagnostic.code] = len(rules)
            rules.append(_rule(diagnostic.code, diagnostic.category))
        results.append(_result(diagnostic, index[diagnostic.code], anchor))
    driver = {
        "name": "reconciler", "version": __version__, "semanticVersion": __version__,
        "rules": rules,
    }
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if environment:  # which tenant's plan these results are about
        run["properties"] = {"environment": environment}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(
    diagnostics: Sequence[Diagnostic], anchor: str | None = None,
    environment: str | None = None,
) -> str:
    text = json.dumps(document(diagnostics, anchor, environment), indent=2, ensure_ascii=False)
    return json_safe(text) + "\n"
