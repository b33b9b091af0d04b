"""The resource seam: what the generic engine (loader, refresh, planner, applier, renderers,
JSON plan, export) needs to know of each kind of object, and nothing it needs to know of one
kind in particular.

A `Kind` says how its objects are identified (name and uuid fields), read (list, detail),
turned into desired values, compared and shown, written (its `actions()`), exported, and
which other kinds its fields name (`references`: data, from which the engine derives
resolution, ordering, 'in use' checks, saved-plan fill-in and export). Each kind lives in a
package of its own under reconciler/kinds/; reconciler/kinds/registry.py lists them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from reconciler.diagnostics.model import Diagnostic, Place, Subject
from reconciler.names import identity_key
from reconciler.plan.fingerprint import fingerprint
from reconciler.plan.model import Change

if TYPE_CHECKING:
    from reconciler.api import ApiClient
    from reconciler.plan.catalog import Catalog

Loc = tuple[int | str, ...]


def _nowhere(_name: str, _field: Any = None) -> Place:
    return Place()


@dataclass(frozen=True)
class Where:
    """Where the entries of one kind are declared: `place(name, field)` is the entry's (or
    its field's, or a value's inside it: `("press_options", 0)`) place as data; calling it
    gives that place as text (`file:line`, '' when not known), for messages and sources."""

    kind: str | None = None
    locate: Callable[[str, Any], Place] = _nowhere

    def place(self, name: str, field_name: Any = None) -> Place:
        return self.locate(name, field_name)

    def __call__(self, name: str, field_name: Any = None) -> str:
        return str(self.place(name, field_name))


no_location = Where()


def located(
    where: Where, name: str, field_name: Any, message: str, code: str = "error"
) -> Diagnostic:
    """A plan error about one entry (`plan/<code>`) of the kind `where` locates: at the
    entry's field when its file is known (its text is then `file:line: message`), else
    named by the entry."""
    subject = Subject.at(where.place(name, field_name), where.kind, name)
    return Diagnostic("error", f"plan/{code}", message, subject, category="plan")


def updated_at(live: Mapping[str, Any]) -> str | None:
    """The live object's `updated_at` when it has one (text), for drift reports."""
    value = live.get("updated_at")
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class Reference:
    """A manifest field that names an object of another kind, and the API field that holds
    that object's uuid: `template` → kind "template" → `template_uuid`.

    `target` is the kind named (also the catalog table the name resolves in); `lister` reads
    its listing when the target is not itself a managed kind. `placeholders`: the target's
    placeholders are the params each lead import of the referencing object needs. `ordered`:
    a delete of the target waits for the referencing objects that use it now (`uses`)."""

    field: str
    target: str
    uuid_field: str
    lister: Callable[[Any], list[dict[str, Any]]] | None = None
    placeholders: bool = False
    ordered: bool = False

    def refers(self, spec: Any) -> bool:
        """Whether an entry names the target (by name, or by a declared uuid)."""
        return getattr(spec, self.field) is not None or bool(getattr(spec, self.uuid_field))

    def covers(self, key: str) -> bool:
        """Whether a `refs` key is this reference's: its uuid field, or a path ending in it
        (`press_options.0.audio_file`) for a reference held inside nested values."""
        return key == self.uuid_field or key.endswith("." + self.uuid_field)


@dataclass(frozen=True)
class Pending:
    """A uuid not known before apply: that of the object of `kind` named `name`, which the
    same apply creates."""

    kind: str
    name: str


@dataclass
class Declared:
    """What the manifests declare of one kind, as the kinds that reference it need it."""

    # Declared present: name -> live uuid (None when this apply creates it).
    present: dict[str, str | None] = field(default_factory=dict)
    # Declared absent: name -> where it is declared.
    absent: dict[str, str] = field(default_factory=dict)
    # Live objects this plan renames: old name -> new name (naming the old one would stop
    # resolving after the apply).
    renamed: dict[str, str] = field(default_factory=dict)
    # The param keys each object's texts use: declared ones by name; live (and declared)
    # ones by uuid.
    placeholders_by_name: dict[str, list[str]] = field(default_factory=dict)
    placeholders_by_uuid: dict[str, list[str]] = field(default_factory=dict)

    def spelling(self, name: str) -> str:
        """The declared (or absent, or renamed) object's own spelling of `name`, compared
        in NFC; `name` itself when none matches."""
        for known in (*self.present, *self.absent, *self.renamed):
            if identity_key(known) == identity_key(name):
                return known
        return name


@dataclass
class Context:
    """What planning one kind may read besides its own specs and live objects: the carrier
    and template listings, and what the manifests declare of each referenced kind."""

    catalog: Catalog
    declared: dict[str, Declared] = field(default_factory=dict)
    notes: list[Diagnostic] = field(default_factory=list)

    def of(self, kind: str) -> Declared | None:
        """What is declared of `kind`; None when it is not a managed kind (carriers)."""
        return self.declared.get(kind)


class Kind:
    """One kind of object. Subclasses fill in the class attributes and the hooks."""

    name: str = ""  # "campaign"
    plural: str = ""
    name_field: str = ""  # "campaign_name"
    uuid_field: str = ""  # "campaign_uuid"
    # Whether its changes keep one kind-wide order: deletes, updates wave by wave, creates.
    phased: bool = False
    # The kind a change or a document means when it names none (written before kinds), and
    # whose objects a report names without saying their kind.
    primary: bool = False
    # The fields that name objects of other kinds.
    references: tuple[Reference, ...] = ()
    # Whether its objects' texts use placeholders (see `placeholders`).
    has_placeholders: bool = False
    # Fields whose value depends on the kind of read (list row or detail), not on the object:
    # left out of its fingerprint.
    read_dependent: frozenset[str] = frozenset()
    # How a report introduces a change's placeholders.
    params_intro: str = ""
    # The manifest model of one entry (pydantic).
    spec_model: type = object
    # The fields a create's POST stores (a reference among them is sent in the POST).
    create_fields: tuple[str, ...] = ()

    @property
    def section(self) -> str:
        """The manifest's top-level key listing entries of this kind."""
        return self.plural

    @property
    def label(self) -> str:
        """What a report writes before an object's name: nothing for the primary kind."""
        return "" if self.primary else f"{self.name} "

    # -- reading (the only I/O, called by refresh and the applier) -------------------------

    def list_live(self, client: ApiClient, **options: Any) -> list[dict[str, Any]]:
        raise NotImplementedError

    def read(self, client: ApiClient, uuid: str) -> dict[str, Any]:
        raise NotImplementedError

    def live_name(self, spec: Any) -> str:
        """The live name an entry claims (its own name; an audio entry, the digest-named
        upload of its file)."""
        return spec.name

    def unique_name(self, name: str) -> str:
        """What two entries' names may not share (their own names; audio: the upload name's
        stem, as `x` and `x.wav` upload under the same name)."""
        return name

    def needs_detail(self, spec: Any) -> bool:
        """Whether planning this spec takes a detail read (list rows are summaries)."""
        return False

    # -- the manifest ----------------------------------------------------------------------

    def entry_warnings(self, spec: Any) -> list[tuple[Loc, str, str]]:
        """Valid, but most likely not what was meant: (path in the entry, message, code)."""
        return []

    def manifest_warnings(
        self, specs_by: Mapping[str, Mapping[str, Any]], where_by: Mapping[str, Where],
    ) -> list[Diagnostic]:
        """Located warnings across entries (of this kind and the kinds that use it), from what
        the manifests declare alone (validate shows them; so does plan). `specs_by` and
        `where_by` are keyed by kind name."""
        return []

    def plan_warnings(
        self, specs_by: Mapping[str, Mapping[str, Any]],
        live_by: Mapping[str, list[dict[str, Any]]], where_by: Mapping[str, Where],
    ) -> list[Diagnostic]:
        """`manifest_warnings` seen with the live objects too: only those the declared view
        did not already give (a plan shows both)."""
        return []

    def entry_files(self, spec: Any, directory: str) -> list[tuple[Loc, str, str]]:
        """Read the repository files a valid entry names (paths relative to its manifest's
        `directory`), keeping what they hold on the spec: (path in the entry, message, code)
        for each one that cannot be used."""
        return []

    # -- planning (pure) -------------------------------------------------------------------

    def placeholders(self, values: Mapping[str, Any]) -> list[str]:
        """The param keys an object's texts use (kinds with `has_placeholders`)."""
        return []

    def known_placeholders(self, catalog: Catalog) -> dict[str, list[str]]:
        """Placeholders of the listed objects, by uuid."""
        return {}

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
        """The delete of a live object: its name, uuid and fingerprint (what apply checks)."""
        return Change(
            action="delete",
            kind=self.name,
            name=live[self.name_field],
            uuid=live[self.uuid_field],
            fingerprint=fingerprint(live, read_dependent=self.read_dependent),
            live_name=live[self.name_field],
            source=source,
            updated_at=updated_at(live),
        )

    def prunable(self, row: dict[str, Any]) -> bool:
        return False

    def check_writes(
        self, changes: list[Change], specs: Mapping[str, Any],
        live: Mapping[str, dict[str, Any] | None], where: Where,
    ) -> tuple[list[Diagnostic], list[Diagnostic]]:
        """Refusals (and notes) about the writes this plan makes of this kind, checked on the
        changes that are applied (after --target)."""
        return [], []

    def settle(
        self, changes: list[Change], specs: Mapping[str, Any],
        undeclared: list[dict[str, Any]], where: Where,
    ) -> tuple[list[Change], list[Diagnostic], list[Diagnostic]]:
        """Once every kind's changes are known: the plan's changes with this kind's own
        adjusted (objects its declared entries replace; what stays because others still use
        it), notes, and errors."""
        return changes, [], []

    def same(self, field_name: str, kept: Any, sent: Any) -> bool:
        """Whether a read-back value is what was sent (as the planner compares them)."""
        raise NotImplementedError

    def shown(self, field_name: str, value: Any) -> Any:
        """A value as a person reads it in a report (manifest form)."""
        return value

    def requires(self, change: Change, changes: dict[str, list[Change]]) -> list[Change]:
        """The changes (by kind) that must be done before this one can be, beyond its own
        kind's phases, the names it takes and its references (reconciler.plan.order)."""
        return []

    def unverifiable_lines(self, change: Change, value: Callable[[Any], str]) -> list[str]:
        """What a change sends that no read can confirm, as report lines (`value` formats
        one value)."""
        return []

    # -- writing ---------------------------------------------------------------------------

    def set_reference(self, change: Change, key: str, uuid: str) -> None:
        """Fill in a `refs` key with the uuid its object got in this apply (the applier's
        `with_references`): the API field in `put`, and in the POST when it stores it."""
        change.put[key] = uuid
        if change.action == "create" and key in self.create_fields:
            change.create_body[key] = uuid

    def actions(self) -> dict[str, Callable[..., Any]]:
        """create/update/delete/rename."""
        raise NotImplementedError

    def find(self, client: ApiClient, name: str) -> dict[str, Any] | None:
        """The live object of exactly this name (to learn what an unclear create did)."""
        raise NotImplementedError

    # -- export ----------------------------------------------------------------------------

    # Whether `export` writes files of this kind unless told otherwise (the primary kind's
    # always are), and whether it can at all (audio: the API gives no file back).
    export_default: bool = False
    exportable: bool = True

    def export_rows(self, client: ApiClient) -> list[dict[str, Any]]:
        """What `export` lists of this kind (for its files, and the names references use)."""
        return self.list_live(client)

    def export_read(
        self, client: ApiClient, rows: list[dict[str, Any]], *, parallelism: int,
        on_progress: Callable[[int], None] | None = None,
    ) -> dict[str, dict[str, Any]]:
        """uuid -> the live object an export writes, for the listed `rows` (list rows
        suffice unless a kind needs detail reads)."""
        return {row[self.uuid_field]: row for row in rows}

    def export_listing(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The listing under the names entries that reference this kind write."""
        return rows

    def export_summary(self, rows: list[dict[str, Any]]) -> str:
        """A line `export` prints about the listed objects (empty: none)."""
        return ""

    def taken_back(
        self, field_name: str, declared: Mapping[str, Any], live: Mapping[str, Any],
        before: Any,
    ) -> tuple[Any, list[int | None] | None]:
        """What `export --update` writes for a field that drifted (`declared`: the entry as
        its file holds it; `before`: the live value as the plan shows it), and for a list,
        which declared item each value is written over (None: leave that to the editor).
        Raises ReconcilerError (EditError, ScheduleError) when it cannot be written."""
        return before, None

    def export_entry(
        self, live: Mapping[str, Any], names: Mapping[str, Mapping[str, str]], *,
        pin_uuid: bool = False,
    ) -> tuple[dict[str, Any], list[str]]:
        """A live object as one manifest entry, and notes for its file's header; `names`:
        uuid -> unambiguous name, by referenced kind."""
        raise NotImplementedError

    def export_node(self, node: Any) -> Any:
        """The entry's YAML node as this kind writes it (styles, quoting)."""
        return node
