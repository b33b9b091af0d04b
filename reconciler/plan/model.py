"""The plan as plain data: renderers and the applier read it, nothing in it does I/O.

A Change carries both what a reviewer reads (`fields`: manifest-form before/after) and what
the applier sends (`create_body`, `put`, `active`), so a saved plan applies exactly as shown.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from reconciler.policy.findings import Finding

Action = Literal["create", "update", "delete"]

# Deletes first (they free names), then updates (renames free names), then creates.
ACTION_ORDER: dict[str, int] = {"delete": 0, "update": 1, "create": 2}
FORMAT_VERSION = 1


@dataclass(frozen=True)
class FieldDiff:
    """One manifest field's value before and after, in manifest form (human schedules)."""

    before: Any
    after: Any


@dataclass
class Change:
    """What happens to one campaign. `put` holds API fields to set on the live object."""

    action: Action
    campaign_name: str
    campaign_uuid: str | None = None
    fields: dict[str, FieldDiff] = field(default_factory=dict)
    create_body: dict[str, Any] = field(default_factory=dict)
    put: dict[str, Any] = field(default_factory=dict)
    active: bool | None = None
    fingerprint: str | None = None
    live_name: str | None = None
    live_status: str | None = None
    source: str = ""
    # Order inside the action's phase: a rename waits for the one that frees its name.
    wave: int = 0
    # A rename inside a cycle (A↔B) first moves to this temporary name, freeing its own.
    via_name: str | None = None

    @property
    def sort_key(self) -> tuple[int, int, str]:
        return ACTION_ORDER[self.action], self.wave, self.campaign_name

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["fields"] = {name: asdict(diff) for name, diff in self.fields.items()}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Change:
        data = dict(data)
        data["fields"] = {
            name: FieldDiff(diff.get("before"), diff.get("after"))
            for name, diff in (data.get("fields") or {}).items()
        }
        known = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in data.items() if key in known})


@dataclass
class Plan:
    """Ordered changes plus how many declared campaigns already match."""

    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    api_url: str = ""
    # What a reviewer should know that is not a change (targeting in effect, name spellings).
    notes: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # policy findings on the manifests

    def __post_init__(self) -> None:
        self.changes.sort(key=lambda change: change.sort_key)

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    def count(self, action: Action) -> int:
        return sum(1 for change in self.changes if change.action == action)

    def summary(self) -> dict[str, int]:
        return {
            "create": self.count("create"),
            "update": self.count("update"),
            "delete": self.count("delete"),
            "unchanged": self.unchanged,
        }
