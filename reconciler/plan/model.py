"""The plan as plain data: renderers and the applier read it, nothing in it does I/O.

A Change carries both what a reviewer reads (`fields`: manifest-form before/after) and what
the applier sends (`create_body`, `put`, `active`), so a saved plan applies exactly as shown.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from reconciler.diagnostics.model import Diagnostic
from reconciler.policy.findings import Finding

Action = Literal["create", "update", "delete"]

# Inside one level: deletes first (they free names), then updates (renames free names), then
# creates.
ACTION_ORDER: dict[str, int] = {"delete": 0, "update": 1, "create": 2}
FORMAT_VERSION = 1


@dataclass(frozen=True)
class FieldDiff:
    """One manifest field's value before and after, in manifest form (human schedules)."""

    before: Any
    after: Any


RiskLevel = Literal["high", "medium", "low"]
RISK_LEVELS: tuple[RiskLevel, ...] = ("high", "medium", "low")


@dataclass(frozen=True)
class Risk:
    """How much care a change needs, and why (reconciler/plan/risk.py decides)."""

    level: RiskLevel = "low"
    reasons: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "reasons": list(self.reasons)}

    @classmethod
    def from_dict(cls, data: Any) -> Risk:
        if not isinstance(data, dict) or data.get("level") not in RISK_LEVELS:
            raise ValueError(f"risk must be {{level, reasons}}, not {data!r}")
        return cls(data["level"], tuple(str(reason) for reason in data.get("reasons") or ()))


@dataclass(frozen=True)
class Refusal:
    """Something apply refuses unless overridden: `code` is short and stable
    (`delete-running`, `max-deletes`, `policy-error`, `stale-plan`), `subject` the object's
    name (None: the plan as a whole), `override` how to proceed if it is intended. An
    `acknowledged` refusal was allowed by the entry's `acknowledge:` and blocks nothing."""

    code: str
    subject: str | None
    message: str
    override: str
    kind: str = "campaign"
    source: str = ""
    acknowledged: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code, "subject": self.subject, "message": self.message,
            "override": self.override, "kind": self.kind, "source": self.source,
            "acknowledged": self.acknowledged,
        }


@dataclass(frozen=True)
class Use:
    """An object a change of the one it references reaches (a campaign using a template):
    one that uses it now (`live`), or whose manifest entry names it (`declared`); `status`
    its live run state (None: not live)."""

    name: str
    kind: str
    status: str | None = None
    live: bool = False
    declared: bool = False


@dataclass(init=False)
class Change:
    """What happens to one object of one kind (a registered kind's name): `name` and `uuid`
    are the object's (campaign_name/template_name ...); `put` holds API fields to set on it.

    `refs` names API fields whose value is the uuid of an object this apply creates
    (`{"template_uuid": "nhac_no_v2"}`): the applier fills them in once that create is done.
    `level` orders kinds by dependency (see reconciler.kinds.order_changes).
    """

    action: Action
    kind: str
    name: str
    uuid: str | None
    fields: dict[str, FieldDiff]
    create_body: dict[str, Any]
    put: dict[str, Any]
    active: bool | None
    fingerprint: str | None
    live_name: str | None
    live_status: str | None
    source: str
    # Order inside the action's phase: a rename waits for the one that frees its name.
    wave: int
    # A rename inside a cycle (A↔B) first moves to this temporary name, freeing its own.
    via_name: str | None
    refs: dict[str, str]
    level: int
    # Placeholders the object's script uses (templates), or its template uses (campaigns).
    placeholders: list[str]
    # Declared values a read never returns (`press_options[1].extension`): sent on every
    # write, never checked.
    unverifiable: list[str]
    # An update made only because of `unverifiable`: nothing a read returns differs, but no
    # plan can tell whether the live object still has those values, so it is rewritten.
    rewrite: bool
    # The template uuid a campaign uses before this change (a template delete waits only
    # for the changes of its own users).
    uses: str | None
    # When the live object last changed (its `updated_at`), for drift reports.
    updated_at: str | None
    # The refusal codes the entry acknowledges (`acknowledge: [delete-running]`).
    acknowledge: list[str]
    # How much care it needs (filled in by reconciler.plan.risk once planned).
    risk: Risk
    # Fields whose value an environment's override set: field -> {environment, source}
    # (`source`: the override's reconciler.yaml:LINE).
    overrides: dict[str, dict[str, str]]

    def __init__(
        self,
        action: Action,
        name: str = "",
        uuid: str | None = None,
        fields: dict[str, FieldDiff] | None = None,
        create_body: dict[str, Any] | None = None,
        put: dict[str, Any] | None = None,
        active: bool | None = None,
        fingerprint: str | None = None,
        live_name: str | None = None,
        live_status: str | None = None,
        source: str = "",
        wave: int = 0,
        via_name: str | None = None,
        *,
        kind: str = "campaign",
        refs: dict[str, str] | None = None,
        level: int = 0,
        placeholders: list[str] | None = None,
        unverifiable: list[str] | None = None,
        rewrite: bool = False,
        uses: str | None = None,
        updated_at: str | None = None,
        acknowledge: list[str] | None = None,
        risk: Risk | dict[str, Any] | None = None,
        overrides: dict[str, dict[str, str]] | None = None,
        campaign_name: str | None = None,
        campaign_uuid: str | None = None,
    ) -> None:
        self.action = action
        self.kind = kind
        self.name = campaign_name if campaign_name is not None else name
        self.uuid = campaign_uuid if campaign_uuid is not None else uuid
        self.fields = fields if fields is not None else {}
        self.create_body = create_body if create_body is not None else {}
        self.put = put if put is not None else {}
        self.active = active
        self.fingerprint = fingerprint
        self.live_name = live_name
        self.live_status = live_status
        self.source = source
        self.wave = wave
        self.via_name = via_name
        self.refs = refs if refs is not None else {}
        self.level = level
        self.placeholders = placeholders if placeholders is not None else []
        self.unverifiable = unverifiable if unverifiable is not None else []
        self.rewrite = rewrite
        self.uses = uses
        self.updated_at = updated_at
        self.acknowledge = list(acknowledge) if acknowledge else []
        self.risk = Risk.from_dict(risk) if isinstance(risk, dict) else (risk or Risk())
        self.overrides = overrides if overrides is not None else {}

    def origin(self, field_name: str) -> str:
        """` (staging override)` after a field an environment's override set, else ""."""
        override = self.overrides.get(field_name)
        return f" ({override['environment']} override)" if override else ""

    def deleted_by_override(self) -> str:
        """`state: absent (production override)` when an environment's override, not the
        manifest, makes this a delete: said wherever the delete is shown."""
        if self.action != "delete" or "state" not in self.overrides:
            return ""
        return f"state: absent{self.origin('state')}"

    # The campaign-era names, kept for readers written before kinds (renderers, reports).
    @property
    def campaign_name(self) -> str:
        return self.name

    @campaign_name.setter
    def campaign_name(self, value: str) -> None:
        self.name = value

    @property
    def campaign_uuid(self) -> str | None:
        return self.uuid

    @campaign_uuid.setter
    def campaign_uuid(self, value: str | None) -> None:
        self.uuid = value

    @property
    def sort_key(self) -> tuple[int, int, int, str, str]:
        return self.level, ACTION_ORDER[self.action], self.wave, self.kind, self.name

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["fields"] = {name: asdict(diff) for name, diff in self.fields.items()}
        data["risk"] = self.risk.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Change:
        data = dict(data)
        data["fields"] = {
            name: FieldDiff(diff.get("before"), diff.get("after"))
            for name, diff in (data.get("fields") or {}).items()
        }
        known = set(cls.__dataclass_fields__) | {"campaign_name", "campaign_uuid"}
        return cls(**{key: value for key, value in data.items() if key in known})


@dataclass
class Plan:
    """Ordered changes plus how many declared objects already match."""

    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    api_url: str = ""
    # What a reviewer should know that is not a change (targeting in effect, name spellings):
    # diagnostics, warnings among them (a look-alike name matched), rendered by `note_text`.
    notes: list[Diagnostic] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # policy findings on the manifests
    # Of `unchanged`, how many of each kind (by kind name; a saved plan has none: all
    # are then counted as the primary kind's).
    unchanged_by_kind: dict[str, int] = field(default_factory=dict)
    # Referenced uuid (or, for an object this plan creates, its name) -> who uses it.
    usage: dict[str, list[Use]] = field(default_factory=dict)
    # What apply would refuse (reconciler/plan/guards.py), acknowledged ones included.
    refusals: list[Refusal] = field(default_factory=list)
    # Changes --target held back (computed, not shown): "the live campaigns match" is then
    # not true, only the targets do.
    left_out: int = 0
    # The environment (tenant) of reconciler.yaml this plan is for; None without one.
    environment: str | None = None

    def heading(self, title: str) -> str:
        """`Reconciler plan (environment staging)`: every output names its environment."""
        return f"{title} (environment {self.environment})" if self.environment else title

    @property
    def warnings(self) -> list[Diagnostic]:
        """The notes that are warnings (reported in SARIF, GitLab and annotations too)."""
        return [note for note in self.notes if note.severity == "warning"]

    def note_texts(self) -> list[str]:
        return [note_text(note) for note in self.notes]

    def __post_init__(self) -> None:
        self.changes.sort(key=lambda change: change.sort_key)

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    @property
    def has_drift(self) -> bool:
        """A change other than a rewrite of values no read returns: what
        `plan --detailed-exitcode` reports (a rewrite happens on every plan, by design)."""
        return any(not change.rewrite for change in self.changes)

    def blocking_refusals(self) -> list[Refusal]:
        """The refusals nothing in the manifests overrides: apply stops on these."""
        return [refusal for refusal in self.refusals if not refusal.acknowledged]

    def rewrites(self) -> int:
        return sum(1 for change in self.changes if change.rewrite)

    def count(self, action: Action) -> int:
        return sum(1 for change in self.changes if change.action == action)

    def summary(self) -> dict[str, int]:
        return {
            "create": self.count("create"),
            "update": self.count("update"),
            "delete": self.count("delete"),
            "unchanged": self.unchanged,
        }


def note_text(note: Diagnostic) -> str:
    """A plan note as text reports print it: a warning as its located line (`file:line:
    warning: ...`, a guard's too), a remark as its sentence alone (its subject is for the
    documents)."""
    if note.severity != "warning":
        return note.summary
    return replace(note, category="plan").text() if note.category == "guard" else note.text()
