"""The resource seam: what the planner and the applier need to know of each kind of object.

A `Kind` says how its objects are identified (name and uuid fields), read (list, detail),
turned into desired values, compared and shown, written (create/update/delete, in
reconciler/apply.py and reconciler/apply_template.py) and ordered against other kinds
(`requires`). The planner and the applier are generic over kinds; `KINDS` lists them in
dependency order: templates before the campaigns that use them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from reconciler.diagnostics.model import Diagnostic, Subject
from reconciler.errors import PlanError
from reconciler.plan.model import ACTION_ORDER, Change

if TYPE_CHECKING:
    from reconciler.api import ApiClient
    from reconciler.plan.catalog import Catalog

Where = Callable[[str, str | None], str]


def no_location(_name: str, _field: str | None = None) -> str:
    return ""


def located(
    where: Where, name: str, field_name: str | None, message: str, code: str = "error"
) -> Diagnostic:
    """A plan error about one entry (`plan/<code>`): at the entry's field when its file is
    known (its text is then `file:line: message`), else named by the entry."""
    subject = Subject.parse(where(name, field_name), campaign=name)
    return Diagnostic("error", f"plan/{code}", message, subject, category="plan")


@dataclass
class Context:
    """What planning one kind may read besides its own specs and live objects: the carrier
    and template listings, and what the plan of kinds planned earlier decided."""

    catalog: Catalog
    # Declared templates: name -> live uuid (None when this apply creates it).
    declared_templates: dict[str, str | None] = field(default_factory=dict)
    # Declared absent: name -> where it is declared.
    absent_templates: dict[str, str] = field(default_factory=dict)
    # The param keys each template's texts use: declared templates by name; live (and
    # declared) ones by uuid.
    placeholders_by_name: dict[str, list[str]] = field(default_factory=dict)
    placeholders_by_uuid: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # Live templates this plan renames: old name -> new name (a campaign naming the old one
    # would stop resolving after the apply).
    renamed_templates: dict[str, str] = field(default_factory=dict)

    def declared_spelling(self, name: str) -> str:
        """The declared (or absent, or renamed) template's own spelling of `name`, compared
        in NFC; `name` itself when none matches."""
        from reconciler.names import identity_key

        for known in (*self.declared_templates, *self.absent_templates,
                      *self.renamed_templates):
            if identity_key(known) == identity_key(name):
                return known
        return name


class Kind:
    """One kind of object. Subclasses fill in the class attributes and the hooks."""

    name: str = ""  # "campaign"
    plural: str = ""
    name_field: str = ""  # "campaign_name"
    uuid_field: str = ""  # "campaign_uuid"
    # Whether its changes keep one kind-wide order: deletes, updates wave by wave, creates.
    phased: bool = False

    # -- reading (the only I/O, called by refresh and the applier) -------------------------

    def list_live(self, client: ApiClient) -> list[dict[str, Any]]:
        raise NotImplementedError

    def read(self, client: ApiClient, uuid: str) -> dict[str, Any]:
        raise NotImplementedError

    def needs_detail(self, spec: Any) -> bool:
        """Whether planning this spec takes a detail read (list rows are summaries)."""
        return False

    # -- planning (pure) -------------------------------------------------------------------

    def desired_values(
        self, specs: Mapping[str, Any], context: Context, where: Where,
        live: Mapping[str, dict[str, Any] | None],
    ) -> dict[str, dict[str, Any]]:
        raise NotImplementedError

    def plan_create(self, spec: Any, values: dict[str, Any], context: Context,
                    source: str) -> Change:
        raise NotImplementedError

    def plan_update(self, spec: Any, values: dict[str, Any], live: dict[str, Any],
                    context: Context) -> Change | None:
        raise NotImplementedError

    def plan_delete(self, live: dict[str, Any], source: str) -> Change:
        raise NotImplementedError

    def prunable(self, row: dict[str, Any]) -> bool:
        return False

    def same(self, field_name: str, kept: Any, sent: Any) -> bool:
        """Whether a read-back value is what was sent (as the planner compares them)."""
        raise NotImplementedError

    def shown(self, field_name: str, value: Any) -> Any:
        """A value as a person reads it in a report (manifest form)."""
        return value

    def requires(self, change: Change, changes: dict[str, list[Change]]) -> list[Change]:
        """The changes (by kind) that must be done before this one can be, beyond its own
        kind's phases."""
        return []

    # -- writing (reconciler/apply.py, apply_template.py) ----------------------------------

    def actions(self) -> dict[str, Callable[..., Any]]:
        """create/update/delete (and, for a kind whose renames may cycle, rename)."""
        raise NotImplementedError

    def find(self, client: ApiClient, name: str) -> dict[str, Any] | None:
        """The live object of exactly this name (to learn what an unclear create did)."""
        raise NotImplementedError


def kinds() -> dict[str, Kind]:
    """Every kind by name, in dependency order (templates first)."""
    from reconciler.kinds.campaign import CAMPAIGN
    from reconciler.kinds.template import TEMPLATE

    return {TEMPLATE.name: TEMPLATE, CAMPAIGN.name: CAMPAIGN}


def kind_of(change_or_name: Change | str) -> Kind:
    name = change_or_name if isinstance(change_or_name, str) else change_or_name.kind
    return kinds()[name]


def order_changes(changes: list[Change]) -> None:
    """Set each change's `level`: one more than the highest level of what it waits for.

    A kind with `phased` changes keeps its own order (deletes, then updates wave by wave,
    then creates: each phase waits for the one before); each kind's `requires` adds what its
    changes wait for across kinds and names (a campaign for the template it starts using, a
    template delete for the campaigns that stop using it, a rename for what frees its name).
    Apply runs level by level."""
    registry = kinds()
    by_kind: dict[str, list[Change]] = {}
    for change in changes:
        by_kind.setdefault(change.kind, []).append(change)
    # The phase before each phase of a phased kind: its changes wait for that whole group.
    groups: dict[tuple[str, tuple[int, int]], list[Change]] = {}
    previous: dict[tuple[str, tuple[int, int]], tuple[str, tuple[int, int]] | None] = {}
    for kind_name, members in by_kind.items():
        if not registry[kind_name].phased:
            continue
        for change in members:
            groups.setdefault((kind_name, phase(change)), []).append(change)
        ordered = sorted(key for key in groups if key[0] == kind_name)
        for before, key in zip([None, *ordered], ordered, strict=False):
            previous[key] = before
    needs = {id(change): registry[change.kind].requires(change, by_kind) for change in changes}
    levels: dict[int, int] = {}
    group_levels: dict[tuple[str, tuple[int, int]], int] = {}
    visiting: set[int] = set()

    def group_level(key: tuple[str, tuple[int, int]] | None) -> int:
        if key is None:
            return -1
        if key not in group_levels:
            group_levels[key] = max(level(member) for member in groups[key])
        return group_levels[key]

    def level(change: Change) -> int:
        key = id(change)
        if key in levels:
            return levels[key]
        if key in visiting:
            raise PlanError(
                f"{change.kind} {change.name!r}: its changes depend on each other in a circle; "
                "apply them in two runs (e.g. --target the templates first)"
            )
        visiting.add(key)
        floor = group_level(previous.get((change.kind, phase(change))))
        value = 1 + max([floor, *(level(other) for other in needs[key])])
        visiting.discard(key)
        levels[key] = value
        return value

    for change in changes:
        change.level = level(change)


def phase(change: Change) -> tuple[int, int]:
    """A change's place in its kind's own order: (action, wave)."""
    return ACTION_ORDER[change.action], change.wave
