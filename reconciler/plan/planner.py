"""The planner: desired specs × live objects → Plan, for every kind. Pure: every input is
already read.

Only declared fields are compared and changed; everything else on a live object is left
exactly as it is (the applier sends it back untouched). What differs by kind (values, compare,
display, dependencies) is the kind's (reconciler/kinds/); identity, renames, pruning, the
cross-kind checks and targeting are here, once.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from reconciler.diagnostics.model import Diagnostic
from reconciler.errors import PlanError
from reconciler.kinds.base import Context, Declared, Kind, Where, no_location
from reconciler.kinds.base import located as _located
from reconciler.kinds.registry import kinds, primary, referrers
from reconciler.names import identity_key, lookalike_key
from reconciler.plan.catalog import Catalog
from reconciler.plan.model import Change, Plan, Use
from reconciler.plan.order import created_references, order_changes, reference_waits
from reconciler.plan.renames import depends_on, is_rename, order_renames, parked_name
from reconciler.safetext import spelt


class Spec(Protocol):
    """What the planner needs of a manifest entry (CampaignSpec, TemplateSpec)."""

    state: str

    @property
    def name(self) -> str: ...

    @property
    def pin(self) -> str | None: ...

    def declared(self) -> frozenset[str]: ...

    def api_values(self) -> dict[str, Any]: ...


@dataclass
class Matching:
    """Each declared entry paired with its live object (or None), plus the live leftovers."""

    pairs: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    undeclared: list[dict[str, Any]] = field(default_factory=list)
    # Remarks and warnings for the plan's notes (a name spelt in another Unicode form).
    notes: list[Diagnostic] = field(default_factory=list)
    # Located warnings (a look-alike name matched), added to `notes` once matching is done.
    warnings: list[Diagnostic] = field(default_factory=list)
    # Undeclared live objects whose name reads like a declared one: uuid -> that entry.
    # --prune never deletes them (the entry may mean them).
    lookalikes: dict[str, str] = field(default_factory=dict)


def match(
    kind: Kind, specs: Mapping[str, Spec], live_rows: list[dict[str, Any]],
    where: Where = no_location,
) -> Matching:
    """Identity: the pinned uuid when given, else the name (compared in NFC), else the one
    live object whose name reads the same (only spaces or invisible characters differ: a
    located warning; two or more such objects are an error asking for a pin).

    A live object claimed by more than one entry (by pin, by name, or one of each) is an
    error naming every claimant: applying both would update and delete, or update twice,
    the same object.
    """
    name_field, uuid_field, noun = kind.name_field, kind.uuid_field, kind.name
    by_uuid = {str(row[uuid_field]).lower(): row for row in live_rows}
    by_name: dict[str, list[dict[str, Any]]] = {}
    by_look: dict[str, list[dict[str, Any]]] = {}
    parked: dict[str, list[dict[str, Any]]] = {}
    for row in live_rows:
        by_name.setdefault(identity_key(row[name_field]), []).append(row)
        by_look.setdefault(lookalike_key(row[name_field]), []).append(row)
        original = parked_name(row[name_field])
        if original is not None:
            parked.setdefault(identity_key(original), []).append(row)
    errors: list[Diagnostic] = []
    matching = Matching()
    claims: dict[str, list[tuple[str, str]]] = {}
    for name, spec in specs.items():
        if spec.pin:
            row = by_uuid.get(spec.pin.lower())
            how = f"by its {uuid_field} pin"
            if row is None and spec.state == "present":
                errors.append(
                    _located(
                        where,
                        name,
                        uuid_field,
                        f"{uuid_field}: no live {noun} has uuid {spec.pin} "
                        "(remove the pin to create it anew)",
                        "pin-not-found",
                    )
                )
        else:
            claimed = kind.live_name(spec)
            rows = by_name.get(identity_key(claimed), [])
            how = "by name"
            if not rows:  # spelt with other spaces or invisible characters?
                rows = by_look.get(lookalike_key(claimed), [])
                how = "by a name that reads the same"
            if not rows:  # left under a temporary name by a rename cycle cut short?
                rows = parked.get(identity_key(claimed), [])
                how = "by name, under the temporary name a cut-short rename left"
            if not rows:  # still under a name it had before (renamed in place)?
                rows, how = _by_previous_name(spec, by_name)
            row = rows[0] if len(rows) == 1 else None
            if len(rows) > 1:
                message = (
                    _lookalikes_message(kind, name, rows) if how.endswith("reads the same")
                    else _previous_twins_message(kind, rows) if how.startswith("by its previous")
                    else _twins_message(kind, rows)
                )
                errors.append(_located(where, name, name_field, message, "ambiguous-live-name"))
                continue
        matching.pairs[name] = row
        if row is not None:
            claims.setdefault(row[uuid_field], []).append((name, how))
            claimed = kind.live_name(spec)
            if row[name_field] != claimed and (
                identity_key(row[name_field]) == identity_key(claimed)
            ):
                matching.notes.append(
                    replace(
                        _located(
                            where,
                            name,
                            name_field,
                            f"{name_field} {name!r} is spelt in another Unicode form "
                            f"than the live {row[name_field]!r}; they are the same name "
                            "(compared in NFC) and the live spelling is kept",
                            "unicode-spelling",
                        ),
                        severity="warning",
                    )
                )
            elif how.endswith("reads the same"):
                matching.warnings.append(_lookalike_warning(kind, name, row, spec, where))
    for uuid, claimants in claims.items():
        if len(claimants) > 1:
            errors.append(_claimed_twice_message(kind, uuid, claimants, by_uuid, where))
    if errors:
        raise PlanError(diagnostics=errors)
    claimed = set(claims)
    matching.undeclared = [row for row in live_rows if row[uuid_field] not in claimed]
    looks = {lookalike_key(kind.live_name(spec)): name for name, spec in specs.items()}
    previous = {
        identity_key(old): name for name, spec in specs.items()
        for old in getattr(spec, "previous_names", None) or ()
    }
    for row in matching.undeclared:
        entry = looks.get(lookalike_key(row[name_field]))
        if entry is not None:
            matching.lookalikes[row[uuid_field]] = entry
            matching.warnings.append(_unclaimed_lookalike(kind, entry, row, where))
            continue
        entry = previous.get(identity_key(row[name_field]))
        if entry is not None and specs[entry].state == "present":
            matching.lookalikes[row[uuid_field]] = entry  # --prune spares it
            matching.warnings.append(_previous_name_left(kind, entry, row, where))
    matching.notes.extend(matching.warnings)
    return matching


def _by_previous_name(
    spec: Spec, by_name: Mapping[str, list[dict[str, Any]]]
) -> tuple[list[dict[str, Any]], str]:
    """The live objects under the entry's `previous_names` (the terraform `moved` idea, by
    name): one is renamed in place to the entry's name, keeping its uuid and history."""
    rows: list[dict[str, Any]] = []
    hows = []
    for old in getattr(spec, "previous_names", None) or ():
        found = by_name.get(identity_key(old), [])
        rows += found
        if found:
            hows.append(repr(old))
    return rows, f"by its previous name {' and '.join(hows)}"


def _previous_twins_message(kind: Kind, rows: list[dict[str, Any]]) -> str:
    listed = " and ".join(
        f"{row[kind.name_field]!r} ({row[kind.uuid_field]})" for row in rows
    )
    return (
        f"previous_names: {len(rows)} live {kind.plural} match this entry's previous names: "
        f"{listed}; only one can be renamed to it (pin the one you mean with "
        f"{kind.uuid_field}, or list one previous name)"
    )


def _previous_name_left(
    kind: Kind, entry: str, row: dict[str, Any], where: Where
) -> Diagnostic:
    """Both the new name and a previous one exist live: nothing to rename, and the old
    object is not the entry's."""
    message = (
        f"live {kind.name} {spelt(row[kind.name_field])} ({row[kind.uuid_field]}) has a "
        f"previous name of {spelt(entry)}, which exists live too: it is not renamed (the new "
        f"name is taken) and --prune never deletes it; declare it with state: absent to "
        "retire it"
    )
    return replace(
        _located(where, entry, "previous_names", message, "previous-name-left"),
        severity="warning",
    )


def rename_hints(
    kind: Kind,
    changes: list[Change],
    undeclared: list[dict[str, Any]],
    values_by_name: Mapping[str, dict[str, Any]],
    where: Where,
) -> list[Diagnostic]:
    """A create whose declared values all equal those of one live object no entry claims,
    under another name: most likely a rename written as a new name. Said, with the fix."""
    creates = [change for change in changes if change.action == "create"]
    if not creates or not undeclared or len(creates) * len(undeclared) > 250_000:
        return []
    hints = []
    for change in creates:
        values = values_by_name.get(change.name) or {}
        compared = {
            key: value for key, value in values.items()
            if key not in (kind.name_field, kind.uuid_field, "active", "type")
            and isinstance(value, str | int | float | bool | list | dict)
        }
        alike = [
            row for row in undeclared
            if _same_declared(kind, compared, row)
        ]
        if len(alike) != 1:
            continue
        old = alike[0][kind.name_field]
        message = (
            f"{kind.name} {spelt(change.name)} looks like a rename of {spelt(old)} "
            f"({alike[0][kind.uuid_field]}: every declared field is the same): add "
            f"`previous_names: [{old}]` to rename it in place instead of creating another"
        )
        hints.append(replace(
            _located(where, change.name, kind.name_field, message, "looks-like-rename"),
            severity="warning",
        ))
    return hints


def _same_declared(kind: Kind, values: Mapping[str, Any], row: dict[str, Any]) -> bool:
    """Whether a live row has every declared value (fields it does not carry, like a list
    summary's schedules, are not counted); at least two must be compared."""
    compared = 0
    for key, value in values.items():
        if row.get(key) is None:
            continue
        if not kind.same(key, row[key], value):
            return False
        compared += 1
    return compared >= 2


def match_primary(
    specs: Mapping[str, Spec], live_rows: list[dict[str, Any]], where: Where = no_location
) -> Matching:
    """`match` for the primary kind (the one listed with detail reads)."""
    return match(primary(), specs, live_rows, where)


def _claimed_twice_message(
    kind: Kind,
    uuid: str,
    claimants: list[tuple[str, str]],
    by_uuid: dict[str, dict[str, Any]],
    where: Where,
) -> Diagnostic:
    live_name = by_uuid[uuid.lower()][kind.name_field]
    first_name = claimants[0][0]
    listed = "; ".join(
        f"{where(name, None) or name} ({name!r}, {how})" for name, how in claimants
    )
    return _located(
        where,
        first_name,
        None,
        f"live {kind.name} {live_name!r} ({uuid}) is claimed by {len(claimants)} entries: "
        f"{listed}. One live {kind.name} can be declared by one entry only: to rename it, "
        "keep the pinned entry and remove the other",
        "identity-conflict",
    )


def _twins_message(kind: Kind, rows: list[dict[str, Any]]) -> str:
    listed = " and ".join(
        f"{row[kind.name_field]!r} ({row[kind.uuid_field]})" for row in rows
    )
    return (
        f"{kind.name_field}: {len(rows)} live {kind.plural} have this name once "
        f"Unicode-normalised (NFC): {listed}; pin the one you mean with {kind.uuid_field}"
    )


def _lookalikes_message(kind: Kind, name: str, rows: list[dict[str, Any]]) -> str:
    listed = " and ".join(
        f"{spelt(row[kind.name_field])} ({row[kind.uuid_field]})" for row in rows
    )
    return (
        f"{kind.name_field}: {len(rows)} live {kind.plural} read like {spelt(name)} (only "
        f"spaces or invisible characters differ): {listed}; pin the one you mean with "
        f"{kind.uuid_field}"
    )


def _lookalike_warning(
    kind: Kind, name: str, row: dict[str, Any], spec: Spec, where: Where
) -> Diagnostic:
    """The entry found its live object under a spelling that reads the same: said, with
    both spellings visible, and what the plan does about it."""
    then = (
        "it is deleted (state: absent)" if spec.state == "absent"
        else "this plan renames it to the entry's spelling"
    )
    message = (
        f"{kind.name_field} {spelt(name)} matches the live {kind.name} spelt "
        f"{spelt(row[kind.name_field])} ({row[kind.uuid_field]}): only spaces or invisible "
        f"characters differ, so it is taken as the same {kind.name} and {then} (pin "
        f"{kind.uuid_field} to say so explicitly)"
    )
    return replace(
        _located(where, name, kind.name_field, message, "lookalike-name"), severity="warning"
    )


def _unclaimed_lookalike(
    kind: Kind, entry: str, row: dict[str, Any], where: Where
) -> Diagnostic:
    """A live object that reads like a declared name but is not the one the entry claims."""
    message = (
        f"live {kind.name} {spelt(row[kind.name_field])} "
        f"({row[kind.uuid_field]}) reads like the declared {spelt(entry)} (only spaces or "
        f"invisible characters differ) but is another {kind.name}: the entry does not manage "
        f"it and --prune never deletes it; pin it by {kind.uuid_field} in an entry of its "
        "own to manage or delete it"
    )
    return replace(
        _located(where, entry, kind.name_field, message, "lookalike-name"), severity="warning"
    )


def needs_detail(spec: Spec) -> bool:
    """Whether planning a spec of the primary kind takes a detail read (list rows are
    summaries)."""
    return primary().needs_detail(spec)


def _check_renames(
    kind: Kind, changes: list[Change], live_rows: list[dict[str, Any]], where: Where
) -> None:
    """A rename onto a name another live object keeps would fail half-way: refuse up front.
    Names freed in the same plan (deleted, or renamed away) are fine: apply orders them."""
    freed = {
        identity_key(c.live_name)
        for c in changes
        if c.live_name and (c.action == "delete" or is_rename(c))
    }
    taken = {identity_key(row[kind.name_field]): row[kind.uuid_field] for row in live_rows}
    errors: list[Diagnostic] = []
    for change in changes:
        if not is_rename(change):
            continue
        holder = taken.get(identity_key(change.name))
        if holder and holder != change.uuid and identity_key(change.name) not in freed:
            errors.append(
                _located(
                    where,
                    change.name,
                    kind.name_field,
                    f"{kind.name_field}: cannot rename to {change.name!r}: "
                    f"live {kind.name} {holder} already has that name",
                    "rename-conflict",
                )
            )
    errors += _lookalike_renames(kind, changes, live_rows, where)
    if errors:
        raise PlanError(diagnostics=errors)


def _lookalike_renames(
    kind: Kind, changes: list[Change], live_rows: list[dict[str, Any]], where: Where,
) -> list[Diagnostic]:
    """Renames onto a name that reads like another live object's (only spaces or invisible
    characters differ): the API takes them, and leaves two objects nobody can tell apart.
    Fine when that object is deleted, or renamed to a name reading otherwise, in this plan."""
    if not any(is_rename(change) for change in changes):
        return []
    by_look: dict[str, list[dict[str, Any]]] = {}
    for row in live_rows:
        by_look.setdefault(lookalike_key(row[kind.name_field]), []).append(row)
    # uuid -> how its name reads after this plan ("" once deleted)
    after = {
        other.uuid: "" if other.action == "delete" else lookalike_key(other.name)
        for other in changes if other.action == "delete" or is_rename(other)
    }
    errors = []
    for change in changes:
        look = lookalike_key(change.name)
        if not is_rename(change) or look == lookalike_key(change.live_name or ""):
            continue  # not a rename, or a spelling fix of its own name (a matched look-alike)
        errors += [
            _located(
                where,
                change.name,
                kind.name_field,
                f"{kind.name_field}: cannot rename to {spelt(change.name)}: live {kind.name} "
                f"{spelt(row[kind.name_field])} ({row[kind.uuid_field]}) reads the same (only "
                "spaces or invisible characters differ), and the two could not be told apart: "
                f"rename or delete that {kind.name} in the same plan (pin it by "
                f"{kind.uuid_field}), or choose a name that reads differently",
                "rename-conflict",
            )
            for row in by_look.get(look, [])
            if row[kind.uuid_field] != change.uuid
            and identity_key(row[kind.name_field]) != identity_key(change.name)
            and after.get(row[kind.uuid_field], look) == look
        ]
    return errors


def build_plan(
    specs_by: Mapping[str, Mapping[str, Spec]],
    live_by: Mapping[str, list[dict[str, Any]]],
    catalog: Catalog,
    *,
    where_by: Mapping[str, Where] | None = None,
    prune: bool = False,
    targets: Collection[str] = (),
    api_url: str = "",
) -> Plan:
    """Diff desired against live, kind by kind, in the registry's order (a kind before the
    kinds that reference it). Each argument is keyed by kind name; live rows must be detail
    reads where their specs need them."""
    registry = kinds()
    where_by = where_by or {}
    context = Context(catalog=catalog)
    matchings = {
        name: match(kind, specs_by.get(name, {}), live_by.get(name, []),
                    where_by.get(name, no_location))
        for name, kind in registry.items()
    }
    for name, kind in registry.items():
        if referrers(name):  # what the kinds naming this one need to know of it
            context.declared[name] = _declared(
                kind, specs_by.get(name, {}), matchings[name], where_by.get(name, no_location),
                catalog,
            )
    changes: list[Change] = []
    unchanged = 0
    unchanged_by_kind: dict[str, int] = {}
    notes: list[Diagnostic] = []
    # (kind, entry) -> its declared values (their references: what it will use).
    declared_values: dict[tuple[str, str], dict[str, Any]] = {}
    unneeded: list[Diagnostic] = []
    for name, kind in registry.items():
        kind_specs, matching = specs_by.get(name, {}), matchings[name]
        kind_where = where_by.get(name, no_location)
        values_by_name = kind.desired_values(kind_specs, context, kind_where, matching.pairs)
        kind_changes: list[Change] = []
        for entry, spec in kind_specs.items():
            live = matching.pairs[entry]
            acknowledged = list(getattr(spec, "acknowledge", None) or ())
            # `where` may have to re-read a manifest for its lines: asked only for changes.
            if spec.state == "absent":
                if live is not None:
                    change = kind.plan_delete(live, kind_where(entry, None))
                    change.acknowledge = acknowledged
                    kind_changes.append(change)
                elif acknowledged:
                    unneeded.append(_unneeded(kind, entry, acknowledged, kind_where))
                continue
            values = values_by_name[entry]
            declared_values[name, entry] = values
            if live is None:
                change = kind.plan_create(spec, values, context, kind_where(entry, None))
                change.acknowledge = acknowledged
                kind_changes.append(change)
                continue
            change = kind.plan_update(spec, values, live, context)
            if change is None:
                unchanged += 1
                unchanged_by_kind[name] = unchanged_by_kind.get(name, 0) + 1
                if acknowledged:
                    unneeded.append(_unneeded(kind, entry, acknowledged, kind_where))
            else:
                change.source = kind_where(entry, None)
                change.acknowledge = acknowledged
                kind_changes.append(change)
        if prune:
            for row in matching.undeclared:
                if not kind.prunable(row) or row[kind.uuid_field] in matching.lookalikes:
                    continue
                if parked_name(row[kind.name_field]) is not None:
                    notes.append(_note(
                        f"--prune: not deleting {row[kind.name_field]!r} "
                        f"({row[kind.uuid_field]}): a rename cycle cut short left it under "
                        "this temporary name; declare it (by its original name or pinned "
                        "uuid) to finish or undo the rename",
                        "prune-parked-name",
                    ))
                    continue
                kind_changes.append(
                    kind.plan_delete(row, "not declared in any manifest (--prune)")
                )
        hints = rename_hints(kind, kind_changes, matching.undeclared, values_by_name, kind_where)
        matching.notes.extend(hints)
        _check_renames(kind, kind_changes, live_by.get(name, []), kind_where)
        order_renames(
            kind_changes,
            {row[kind.name_field] for row in live_by.get(name, [])}
            | {change.name for change in kind_changes},
        )
        changes.extend(kind_changes)
        notes.extend(matching.notes)
    for name, kind in registry.items():
        changes, settle_notes, settle_errors = kind.settle(
            changes, specs_by.get(name, {}), matchings[name].undeclared,
            where_by.get(name, no_location),
        )
        if settle_errors:
            raise PlanError(diagnostics=settle_errors)
        notes.extend(settle_notes)
    changes, kept_notes = _in_use(changes, live_by, where_by)
    notes.extend(kept_notes)
    notes.extend(context.notes)
    order_changes(changes)
    left_out = 0
    if targets:
        wanted = {identity_key(target) for target in targets}
        target_uuids = {
            live[registry[kind_name].uuid_field]
            for kind_name, matching in matchings.items()
            for entry, live in matching.pairs.items()
            if live is not None and identity_key(entry) in wanted
        }
        every = len(changes)
        changes, target_notes = select_targets(
            changes, targets, specs_by, live_by, target_uuids
        )
        left_out = every - len(changes)
        notes.extend(target_notes)
    # Only what this plan writes: an object left out by --target is not sent.
    blind: list[Diagnostic] = []
    for name, kind in registry.items():
        refused, write_notes = kind.check_writes(
            changes, specs_by.get(name, {}), matchings[name].pairs,
            where_by.get(name, no_location),
        )
        blind += refused
        notes.extend(_as_notes(write_notes))
    if blind:
        raise PlanError(diagnostics=blind)
    for kind in registry.values():  # a kind's own checks on declared values (warnings)
        notes.extend(kind.plan_warnings(specs_by, live_by, where_by))
    # Unneeded acknowledgements: warnings, said after every other note.
    return Plan(changes=changes, unchanged=unchanged, api_url=api_url, notes=notes + unneeded,
                unchanged_by_kind=unchanged_by_kind,
                left_out=left_out, usage=usage(live_by, declared_values, changes))


def usage(
    live_by: Mapping[str, list[dict[str, Any]]],
    declared: Mapping[tuple[str, str], dict[str, Any]],
    changes: list[Change],
) -> dict[str, list[Use]]:
    """Referenced uuid (or the name of an object this plan creates) -> the objects a change
    of it reaches, by every kind's references: those using it now (with their live run
    state), and those whose entry names it."""
    registry = kinds()
    renamed = {
        (change.kind, change.name): change.live_name for change in changes
        if change.live_name and change.live_name != change.name
    }
    found: dict[str, dict[tuple[str, str], Use]] = {}
    for name, kind in registry.items():
        for ref in kind.references:
            rows = {row[kind.name_field]: row for row in live_by.get(name, [])}
            for user, row in rows.items():
                if row.get(ref.uuid_field):
                    found.setdefault(row[ref.uuid_field], {})[name, user] = Use(
                        user, name, row.get("status"), live=True
                    )
            for (kind_name, entry), values in declared.items():
                if kind_name != name:
                    continue
                value = values.get(ref.uuid_field)
                key = getattr(value, "name", value)  # a Pending object: its name
                if not isinstance(key, str) or not key:
                    continue
                user = renamed.get((name, entry)) or entry
                row = rows.get(user) or {}
                before = found.setdefault(key, {}).get((name, user))
                found[key][name, user] = Use(
                    user, name, row.get("status"), live=before is not None, declared=True
                )
    return {key: [uses[user] for user in sorted(uses)] for key, uses in found.items()}


def _unneeded(kind: Kind, entry: str, codes: list[str], where: Where) -> Diagnostic:
    """An acknowledgement on an entry this plan does not change: it allows nothing."""
    listed = ", ".join(codes)
    return replace(
        _located(
            where, entry, "acknowledge",
            f"acknowledge: {listed} is not needed: this plan does not change {kind.name} "
            f"{entry!r}; remove it so it does not allow a later change unreviewed",
            "acknowledge-unneeded",
        ),
        code="guard/acknowledge-unneeded", severity="warning", category="guard",
    )


def _declared(
    kind: Kind, specs: Mapping[str, Spec], matching: Matching, where: Where, catalog: Catalog
) -> Declared:
    """What the kinds that reference `kind` need to know of its declared objects."""
    declared = Declared()
    declared.placeholders_by_uuid.update(kind.known_placeholders(catalog))
    for name, spec in specs.items():
        live = matching.pairs.get(name)
        if spec.state == "absent":
            declared.absent[name] = where(name, None) or name
            continue
        uuid = live[kind.uuid_field] if live is not None else None
        declared.present[name] = uuid
        claimed = kind.live_name(spec)
        if live is not None and identity_key(live[kind.name_field]) != identity_key(claimed):
            declared.renamed[live[kind.name_field]] = name
        if kind.has_placeholders:
            values = {**(live or {}), **spec.api_values()}
            declared.placeholders_by_name[name] = kind.placeholders(values)
            if uuid:
                declared.placeholders_by_uuid[uuid] = declared.placeholders_by_name[name]
    return declared


def _in_use(
    changes: list[Change], live_by: Mapping[str, list[dict[str, Any]]],
    where_by: Mapping[str, Where],
) -> tuple[list[Change], list[Diagnostic]]:
    """Refuse deleting an object that another which stays (live or planned) still references,
    naming those; with --prune, an unused-only rule: a used object is kept."""
    notes: list[Diagnostic] = []
    for target in kinds().values():
        for referrer, ref in referrers(target.name):
            changes, kept_notes = _in_use_by(
                changes, target, referrer, ref, live_by.get(referrer.name, []),
                where_by.get(target.name, no_location),
            )
            notes += kept_notes
    return changes, notes


def _in_use_by(
    changes: list[Change], target: Kind, referrer: Kind, ref: Any,
    rows: list[dict[str, Any]], where: Where,
) -> tuple[list[Change], list[Diagnostic]]:
    final: dict[str, str] = {}  # referrer name -> the target uuid it will use
    gone = {c.uuid for c in changes if c.kind == referrer.name and c.action == "delete"}
    for row in rows:
        if row[referrer.uuid_field] not in gone and row.get(ref.uuid_field):
            final[row[referrer.name_field]] = row[ref.uuid_field]
    for change in changes:
        if change.kind != referrer.name or change.action == "delete":
            continue
        if ref.uuid_field in change.refs:
            final.pop(change.live_name or change.name, None)
        elif ref.uuid_field in change.put:
            final.pop(change.live_name or change.name, None)
            final[change.name] = change.put[ref.uuid_field]
    users: dict[str, list[str]] = {}
    for name, uuid in final.items():
        users.setdefault(uuid, []).append(name)
    kept: list[Change] = []
    errors: list[Diagnostic] = []
    notes: list[Diagnostic] = []
    for change in changes:
        using = users.get(change.uuid or "") if change.kind == target.name else None
        if change.action != "delete" or not using:
            kept.append(change)
            continue
        listed = ", ".join(repr(name) for name in sorted(using))
        if change.source.endswith("(--prune)"):
            notes.append(_note(
                f"--prune: {target.name} {change.name!r} is kept: {referrer.plural} use it "
                f"({listed})",
                "prune-kept-in-use",
            ))
            continue
        errors.append(_located(
            where, change.name, "state",
            f"cannot delete {target.name} {change.name!r}: {referrer.plural} that stay use it "
            f"({listed}); point them at another {target.name} (or retire them) in the same "
            "change",
            f"{target.name}-in-use",
        ))
    if errors:
        raise PlanError(diagnostics=errors)
    return kept, notes


def select_targets(
    changes: list[Change],
    targets: Collection[str],
    specs: Mapping[str, Mapping[str, Spec]],
    live: Mapping[str, list[dict]],
    target_uuids: Collection[str] = (),
) -> tuple[list[Change], list[Diagnostic]]:
    """Keep only the named objects' changes, plus those they cannot apply without (the
    delete or rename that frees a name one of them takes, the template a campaign starts
    using, the campaigns a template delete waits for). Returns notes saying what targeting
    left out and why anything was added. An unknown name is an error, not a no-op."""
    registry = kinds()
    declared = {identity_key(name): name for by_kind in specs.values() for name in by_kind}
    live_names = {
        identity_key(row[registry[kind].name_field]): row[registry[kind].name_field]
        for kind, rows in live.items() for row in rows
    }
    unknown = [t for t in targets if identity_key(t) not in declared | live_names]
    if unknown:
        known = sorted(set(declared.values()) | set(live_names.values()))
        raise PlanError(
            diagnostics=[
                Diagnostic(
                    "error", "plan/unknown-target", _unknown_target(name, known), category="plan"
                )
                for name in unknown
            ]
        )
    wanted = {identity_key(t) for t in targets}

    def targeted(change: Change) -> bool:
        return (
            identity_key(change.name) in wanted
            or (change.live_name is not None and identity_key(change.live_name) in wanted)
            or (change.uuid is not None and change.uuid in target_uuids)
        )

    kept = [c for c in changes if targeted(c)]
    added: list[Change] = []
    reasons: dict[int, str] = {}
    todo = list(kept)
    while todo:
        change = todo.pop(0)
        for needed, why in _needed_by(change, changes):
            if needed not in kept and needed not in added:
                added.append(needed)
                reasons[id(needed)] = why
                todo.append(needed)
    notes = [
        _note(f"--target: also {change.action} {change.name!r}: {reasons[id(change)]}",
              "target-added")
        for change in added
    ]
    left_out = len(changes) - len(kept) - len(added)
    notes.append(_note(
        f"--target is in effect: only {_plural(len(kept) + len(added), 'change')} "
        f"shown and applied; {_plural(left_out, 'other change')} not shown",
        "target-in-effect",
    ))
    for target in targets:
        key = identity_key(target)
        if key in live_names and key not in declared and not any(
            targeted(c) for c in kept if identity_key(c.name) == key
            or (c.live_name and identity_key(c.live_name) == key)
        ):
            notes.append(_note(
                f"--target {target!r}: a live {primary().name} no manifest declares, so it is "
                "not managed (add an entry for it, or use --prune to delete it)",
                "target-unmanaged",
            ))
    result = kept + added
    result.sort(key=lambda change: change.sort_key)
    return result, notes


def _needed_by(change: Change, changes: list[Change]) -> list[tuple[Change, str]]:
    needed = [(other, "it frees a name a targeted rename needs")
              for other in depends_on(change, changes)]
    if change.action != "delete":
        needed += [
            (other, f"a targeted {change.kind} uses the {other.kind} it creates")
            for other in created_references(change, changes)
        ]
    else:
        by_kind: dict[str, list[Change]] = {}
        for other in changes:
            by_kind.setdefault(other.kind, []).append(other)
        needed += [
            (other, f"a targeted {change.kind} delete waits for it")
            for other in reference_waits(change, by_kind)
        ]
    return needed


def _unknown_target(name: str, known: list[str]) -> str:
    folded = {option.casefold(): option for option in known}
    close = [folded[name.casefold()]] if name.casefold() in folded else []
    close += [c for c in difflib.get_close_matches(name, known, n=3, cutoff=0.6) if c not in close]
    hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
    return f"--target {name!r} names no declared or live {primary().name}{hint}"


def _note(summary: str, code: str) -> Diagnostic:
    """A remark of the plan (`plan/<code>`): not a problem, what a reviewer should know."""
    return Diagnostic("note", f"plan/{code}", summary, category="plan")


def _as_notes(notes: list[Diagnostic] | list[str]) -> list[Diagnostic]:
    """A kind's notes as diagnostics (a kind written before notes were diagnostics gives
    sentences: remarks with no code of their own)."""
    return [note if isinstance(note, Diagnostic) else _note(note, "note") for note in notes]


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
