"""A policy finding: one rule, one campaign, one located message. Plain data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from reconciler.diagnostics.model import Diagnostic, Subject

SEVERITIES = ("error", "warning")


@dataclass(frozen=True)
class Finding:
    """A rule a campaign breaks; `waived` (with the entry's `reason`) when it may."""

    rule: str
    campaign_name: str
    severity: str  # error | warning
    message: str
    source: str  # path/file.yaml:LINE
    waived: bool = False
    reason: str | None = None

    @property
    def blocking(self) -> bool:
        """Fails `validate` and makes `apply` refuse: an unwaived error."""
        return self.severity == "error" and not self.waived

    def line(self) -> str:
        """`file:line: RULE_ID: message`, with `[warning]` or `[waived: reason]` after it."""
        text = f"{self.source}: {self.rule}: {self.message}"
        if self.waived:
            return f"{text} [waived: {self.reason}]"
        return f"{text} [warning]" if self.severity == "warning" else text

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def diagnostic(self) -> Diagnostic:
        """As a diagnostic coded by the rule id; a waived finding is a note with the reason."""
        return Diagnostic(
            "note" if self.waived else self.severity,  # type: ignore[arg-type]
            self.rule,
            self.message,
            Subject.parse(self.source, campaign=self.campaign_name),
            category="policy",
            waived=self.waived,
            reason=self.reason,
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        known = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in data.items() if key in known})


def counts(findings: Iterable[Finding]) -> dict[str, int]:
    """How many findings are blocking errors, warnings, and waived."""
    tally = {"error": 0, "warning": 0, "waived": 0}
    for finding in findings:
        tally["waived" if finding.waived else finding.severity] += 1
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
    ]
    return "Policy: " + ", ".join(part for part in parts if part) + "."
