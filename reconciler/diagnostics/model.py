"""One problem, as data: severity, code, summary, detail and the subject it is about.

Modelled on terraform's diagnostics (severity, summary, detail, subject range): the text form
(`file:line: message`, exactly as the tool always printed it) is one rendering among several,
so JSON, SARIF and CI annotations carry the same facts without parsing text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning", "note"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "note")
# Where a diagnostic comes from; the text form of policy findings differs (`RULE_ID: ...`).
Category = Literal["manifest", "config", "plan", "guard", "policy", "general"]


@dataclass(frozen=True)
class Place:
    """A place in a file (line 1-based, where known), as data: what a manifest says of where
    an entry or one of its fields is, so no `file:line` text is formatted to be read back."""

    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        """`file:line`, `file`, or '' (the prefix of a text report)."""
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line is not None else self.file

    def __bool__(self) -> bool:
        return self.file is not None


# The entry keys every subject's JSON form has (null unless the subject is of that kind),
# kept from the format's first version; a subject of another kind adds its own key.
LEGACY_KEYS = ("campaign", "template")


@dataclass(frozen=True, init=False)
class Subject:
    """What a diagnostic is about: a place in a file (line and column 1-based, where known)
    and the entry concerned: its `kind` (campaign, template, carrier, audio...) and `name`.
    `campaign=`/`template=` are shorthands for an entry of that kind."""

    file: str | None
    line: int | None
    column: int | None
    kind: str | None
    name: str | None

    def __init__(
        self, file: str | None = None, line: int | None = None, column: int | None = None,
        *, kind: str | None = None, name: str | None = None,
        campaign: str | None = None, template: str | None = None,
    ) -> None:
        for shorthand, value in (("campaign", campaign), ("template", template)):
            if value is not None:
                kind, name = shorthand, value
        if name is None:
            kind = None
        for key, value in (("file", file), ("line", line), ("column", column),
                           ("kind", kind), ("name", name)):
            object.__setattr__(self, key, value)

    @classmethod
    def at(cls, place: Place | None, kind: str | None = None, name: str | None = None,
           column: int | None = None) -> Subject:
        """At a place (or none), about the entry of `kind` named `name`."""
        place = place or Place()
        return cls(place.file, place.line, column, kind=kind, name=name)

    @property
    def campaign(self) -> str | None:
        return self.name if self.kind == "campaign" else None

    @property
    def template(self) -> str | None:
        return self.name if self.kind == "template" else None

    @property
    def location(self) -> str:
        """`file:line`, `file`, or '' (the prefix of the text form)."""
        return str(Place(self.file, self.line))

    def to_dict(self) -> dict[str, Any]:
        """`file`, `line`, `column`, `kind`, and the entry's name under its kind's key
        (`campaign` and `template` always present)."""
        data: dict[str, Any] = {
            "file": self.file, "line": self.line, "column": self.column, "kind": self.kind,
            **dict.fromkeys(LEGACY_KEYS),
        }
        if self.kind is not None:
            data[self.kind] = self.name
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Subject:
        """Inverse of to_dict, also of the form before `kind` (a saved plan's note);
        TypeError on another shape."""
        if not isinstance(data, dict):
            raise TypeError("a subject must be a mapping")
        kind = data.get("kind")
        if kind is None:
            kind = next((key for key in LEGACY_KEYS if data.get(key) is not None), None)
        if kind is not None and (not isinstance(kind, str) or kind in _PLACE_KEYS):
            raise TypeError("a subject's kind names a kind of entry")
        return cls(data.get("file"), data.get("line"), data.get("column"), kind=kind,
                   name=data.get(kind) if kind is not None else None)

    @classmethod
    def parse(
        cls, location: str, campaign: str | None = None, *, kind: str | None = None,
        name: str | None = None,
    ) -> Subject:
        """From a `file:line` source string kept as text (a change's, a finding's: they are
        saved in plans); a string of another shape (`not declared in any manifest
        (--prune)`, '') has no file."""
        match = _FILE_LINE.fullmatch(location or "")
        if match is None:
            return cls(kind=kind, name=name, campaign=campaign)
        return cls(match[1], int(match[2]), kind=kind, name=name, campaign=campaign)


_PLACE_KEYS = ("file", "line", "column", "kind")
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
            where = subject.name or ""
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

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (docs/diagnostics.md): every key always present."""
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
