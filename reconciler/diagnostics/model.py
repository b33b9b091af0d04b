"""One problem, as data: severity, code, summary, detail and the subject it is about.

Modelled on terraform's diagnostics (severity, summary, detail, subject range): the text form
(`file:line: message`, exactly as the tool always printed it) is one rendering among several,
so JSON, SARIF and CI annotations carry the same facts without parsing text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, Literal

Severity = Literal["error", "warning", "note"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "note")
# Where a diagnostic comes from; the text form of policy findings differs (`RULE_ID: ...`).
Category = Literal["manifest", "config", "plan", "guard", "policy", "general"]


@dataclass(frozen=True)
class Subject:
    """What a diagnostic is about: a place in a file (line and column 1-based, where known)
    and the campaign (or template) entry concerned."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    campaign: str | None = None
    template: str | None = None

    @property
    def location(self) -> str:
        """`file:line`, `file`, or '' (the prefix of the text form)."""
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line is not None else self.file

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "campaign": self.campaign,
            "template": self.template,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Subject:
        """Inverse of to_dict (a saved plan's note); TypeError on another shape."""
        if not isinstance(data, dict):
            raise TypeError("a subject must be a mapping")
        return cls(**{key: data.get(key) for key in cls.__dataclass_fields__})

    @classmethod
    def parse(cls, location: str, campaign: str | None = None) -> Subject:
        """From a `file:line` source string (a finding's, a change's); a string of another
        shape (`not declared in any manifest (--prune)`, '') has no file."""
        match = _FILE_LINE.fullmatch(location or "")
        if match is None:
            return cls(campaign=campaign)
        return cls(file=match[1], line=int(match[2]), campaign=campaign)


_FILE_LINE = re.compile(r"(.+):(\d+)")


@dataclass(frozen=True)
class Diagnostic:
    """A problem or remark. `code` names its class (`manifest/unknown-field`,
    `plan/unknown-carrier`, or a policy rule id); `summary` is the message as the text form
    prints it, `detail` anything said beyond it."""

    severity: Severity
    code: str
    summary: str
    subject: Subject | None = None
    detail: str = ""
    category: Category = "general"
    waived: bool = False  # a policy finding waived by the entry (then severity is "note")
    reason: str | None = None  # the waiver's reason

    @property
    def file(self) -> str | None:
        return self.subject.file if self.subject else None

    @property
    def line(self) -> int | None:
        return self.subject.line if self.subject else None

    @property
    def column(self) -> int | None:
        return self.subject.column if self.subject else None

    @property
    def located(self) -> bool:
        return self.file is not None

    def text(self) -> str:
        """The classic one-line form: `file:line: message` (what `validate` always printed)."""
        subject = self.subject or Subject()
        where = subject.location
        if not where and self.category != "policy":  # a planner error with no manifest line
            where = subject.campaign or subject.template or ""
        if self.category == "policy":
            body = f"{self.code}: {self.summary}"
            if self.waived:
                body += f" [waived: {self.reason}]"
            elif self.severity == "warning":
                body += " [warning]"
        elif self.severity == "warning" and self.category in ("manifest", "config", "plan"):
            body = f"warning: {self.summary}"
        else:
            body = self.summary
        return f"{where}: {body}" if where else body

    def with_subject(self, **changes: Any) -> Diagnostic:
        return replace(self, subject=replace(self.subject or Subject(), **changes))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (docs/diagnostics-json.md): every key always present."""
        return {
            "severity": self.severity,
            "code": self.code,
            "category": self.category,
            "summary": self.summary,
            "detail": self.detail,
            "subject": self.subject.to_dict() if self.subject else None,
            "waived": self.waived,
            "reason": self.reason,
        }


def diagnostic_from_dict(data: dict[str, Any]) -> Diagnostic:
    """Inverse of Diagnostic.to_dict (a saved plan's notes); TypeError/ValueError on another
    shape."""
    if not isinstance(data, dict):
        raise TypeError("a diagnostic must be a mapping")
    if data.get("severity") not in SEVERITIES:
        raise ValueError(f"unknown severity {data.get('severity')!r}")
    texts = [data.get(key) for key in ("code", "summary", "detail", "category")]
    if not all(isinstance(text, str) for text in texts):
        raise ValueError("a diagnostic's code, summary, detail and category are text")
    subject = data.get("subject")
    return Diagnostic(
        data["severity"], data["code"], data["summary"],
        Subject.from_dict(subject) if subject is not None else None,
        data["detail"], data["category"], data.get("waived") is True, data.get("reason"),
    )


def counts(diagnostics: Iterable[Diagnostic]) -> dict[Severity, int]:
    tally: dict[Severity, int] = {severity: 0 for severity in SEVERITIES}
    for diagnostic in diagnostics:
        tally[diagnostic.severity] += 1
    return tally


def errors(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [diagnostic for diagnostic in diagnostics if diagnostic.severity == "error"]
