"""A policy finding: one rule, one entry (a campaign, template or carrier), one located
message. Plain data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

from reconciler.diagnostics.model import Diagnostic, Subject

SEVERITIES = ("error", "warning")
OUTSIDE_TARGET = "outside --target: not blocking"


@dataclass(frozen=True)
class Finding:
    """A rule an entry breaks; `waived` (with the entry's `reason`) when it may.
    `campaign_name` is the entry's name whatever its `kind` (the key plans always had)."""

    rule: str
    campaign_name: str
    severity: str  # error | warning
    message: str
    source: str  # path/file.yaml:LINE
    waived: bool = False
    reason: str | None = None
    # An error on an entry `apply --target` leaves alone: shown, but it blocks nothing.
    outside_target: bool = False
    kind: str = "campaign"  # of the entry: campaign, template or carrier

    @property
    def blocking(self) -> bool:
        """Fails `validate` and makes `apply` refuse: an unwaived error (of a targeted
        entry, under --target)."""
        return self.severity == "error" and not self.waived and not self.outside_target

    def line(self) -> str:
        """`file:line: RULE_ID: message`, with `[warning]`, `[waived: reason]` or
        `[outside --target: not blocking]` after it."""
        text = f"{self.source}: {self.rule}: {self.message}"
        if self.waived:
            return f"{text} [waived: {self.reason}]"
        if self.outside_target and self.severity == "error":
            return f"{text} [{OUTSIDE_TARGET}]"
        return f"{text} [warning]" if self.severity == "warning" else text

    def to_dict(self) -> dict[str, Any]:
        """The JSON form; `outside_target` only where it is true (under --target)."""
        data = asdict(self)
        if not self.outside_target:
            del data["outside_target"]
        return data

    def diagnostic(self) -> Diagnostic:
        """As a diagnostic coded by the rule id; a waived finding is a note with the reason."""
        outside = self.outside_target and self.severity == "error" and not self.waived
        subject = Subject.parse(
            self.source, campaign=self.campaign_name if self.kind == "campaign" else None
        )
        if self.kind == "template":
            subject = replace(subject, template=self.campaign_name)
        return Diagnostic(
            "note" if self.waived else "warning" if outside else self.severity,  # type: ignore[arg-type]
            self.rule,
            self.message,
            subject,
            detail=OUTSIDE_TARGET if outside else "",
            category="policy",
            waived=self.waived,
            reason=self.reason,
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        known = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in data.items() if key in known})


def counts(findings: Iterable[Finding]) -> dict[str, int]:
    """How many findings are blocking errors, warnings, waived, and errors outside
    --target (not blocking)."""
    tally = {"error": 0, "warning": 0, "waived": 0, "outside_target": 0}
    for finding in findings:
        if finding.waived:
            tally["waived"] += 1
        elif finding.outside_target and finding.severity == "error":
            tally["outside_target"] += 1
        else:
            tally[finding.severity] += 1
    return tally


def summary(findings: Iterable[Finding]) -> str:
    """`Policy: 1 error, 2 warnings, 1 waived.` (only the non-zero parts)."""
    tally = counts(findings)
    parts = [
        f"{tally['error']} error{'s' if tally['error'] != 1 else ''}" if tally["error"] else "",
        f"{tally['warning']} warning{'s' if tally['warning'] != 1 else ''}"
        if tally["warning"]
        else "",
        f"{tally['waived']} waived" if tally["waived"] else "",
        f"{tally['outside_target']} outside --target (not blocking)"
        if tally["outside_target"]
        else "",
    ]
    return "Policy: " + ", ".join(part for part in parts if part) + "."
