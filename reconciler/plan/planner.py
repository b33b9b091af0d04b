"""The planner: desired specs × live objects → Plan, for every kind. Pure: every input is
already read.

Only declared fields are compared and changed; everything else on a live object is left
exactly as it is (the applier sends it back untouched). What differs by kind (values, compare,
display, dependencies) is the kind's (reconciler/kinds/); identity, renames, pruning, the
cross-kind checks and targeting are here, once.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from reconciler.diagnostics.model import Diagnostic
from reconciler.errors import PlanError
from reconciler.kinds import Context, Kind, kind_of, kinds, no_location, order_changes
from reconciler.kinds import located as _located
from reconciler.names import identity_key, lookalike_key
from reconciler.plan import write_only
from reconciler.plan.catalog import Catalog
from reconciler.plan.model import Change, Plan, TemplateUse
from reconciler.plan.renames import depends_on, is_rename, order_renames, parked_name
from reconciler.safetext import spelt
from reconciler.template_fields import CAMPAIGN_REFERENCE, template_placeholders

Where = Callable[[str, str | None], str]


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
    notes: list[str] = field(default_factory=list)
    # Located warnings (a look-alike name matched); their text is in `notes` too.
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
            rows = by_name.get(identity_key(name), [])
            how = "by name"
            if not rows:  # spelt with other spaces or invisible characters?
                rows = by_look.get(lookalike_key(name), [])
                how = "by a name that reads the same"
            if not rows:  # left under a temporary name by a rename cycle cut short?
                rows = parked.get(identity_key(name), [])
                how = "by name, under the temporary name a cut-short rename left"
            row = rows[0] if len(rows) == 1 else None
            if len(rows) > 1:
                message = (
                    _lookalikes_message(kind, name, rows) if how.endswith("reads the same")
                    else _twins_message(kind, rows)
                )
                errors.append(_located(where, name, name_field, message, "ambiguous-live-name"))
                continue
        matching.pairs[name] = row
        if row is not None:
            claims.setdefault(row[uuid_field], []).append((name, how))
            if row[name_field] != name and identity_key(row[name_field]) == identity_key(name):
                matching.notes.append(
                    _located(
                        where,
                        name,
                        name_field,
                        f"warning: {name_field} {name!r} is spelt in another Unicode form "
                        f"than the live {row[name_field]!r}; they are the same name "
                        "(compared in NFC) and the live spelling is kept",
                        "unicode-spelling",
                    ).text()
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
    looks = {lookalike_key(name): name for name in specs}
    for row in matching.undeclared:
        entry = looks.get(lookalike_key(row[name_field]))
        if entry is not None:
            matching.lookalikes[row[uuid_field]] = entry
            matching.warnings.append(_unclaimed_lookalike(kind, entry, row, where))
    matching.notes.extend(warning.text() for warning in matching.warnings)
    return matching


def match_campaigns(
    specs: Mapping[str, Spec], live_rows: list[dict[str, Any]], where: Where = no_location
) -> Matching:
    return match(kind_of("campaign"), specs, live_rows, where)


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
    """List rows carry no schedules: a detail read is needed only where schedules are managed."""
    return kind_of("campaign").needs_detail(spec)


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
    if errors:
        raise PlanError(diagnostics=errors)


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
    """Diff desired against live, kind by kind (templates first: campaigns may name them).
    Each argument is keyed by kind ("campaign", "template"); live campaigns must be detail
    reads where their specs need them."""
    registry = kinds()
    where_by = where_by or {}
    context = Context(catalog=catalog)
    matchings = {
        name: match(kind, specs_by.get(name, {}), live_by.get(name, []),
                    where_by.get(name, no_location))
        for name, kind in registry.items()
    }
    _note_templates(context, specs_by.get("template", {}), matchings["template"],
                    where_by.get("template", no_location), catalog)
    changes: list[Change] = []
    unchanged = unchanged_templates = 0
    notes: list[str] = []
    # Each declared campaign's template: its uuid, or the template this apply creates.
    declared_uses: dict[str, Any] = {}
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
            if name == "campaign":
                declared_uses[entry] = values.get(CAMPAIGN_REFERENCE)
            if live is None:
                change = kind.plan_create(spec, values, context, kind_where(entry, None))
                change.acknowledge = acknowledged
                kind_changes.append(change)
                continue
            change = kind.plan_update(spec, values, live, context)
            if change is None:
                unchanged += 1
                unchanged_templates += name == "template"
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
                    notes.append(
                        f"--prune: not deleting {row[kind.name_field]!r} "
                        f"({row[kind.uuid_field]}): a rename cycle cut short left it under "
                        "this temporary name; declare it (by its original name or pinned "
                        "uuid) to finish or undo the rename"
                    )
                    continue
                kind_changes.append(
                    kind.plan_delete(row, "not declared in any manifest (--prune)")
                )
        _check_renames(kind, kind_changes, live_by.get(name, []), kind_where)
        order_renames(
            kind_changes,
            {row[kind.name_field] for row in live_by.get(name, [])}
            | {change.name for change in kind_changes},
        )
        changes.extend(kind_changes)
        notes.extend(matching.notes)
    changes, kept_notes = _templates_in_use(changes, live_by.get("campaign", []), where_by)
    notes.extend(kept_notes)
    notes.extend(context.notes)
    order_changes(changes)
    if targets:
        wanted = {identity_key(target) for target in targets}
        target_uuids = {
            live[registry[kind_name].uuid_field]
            for kind_name, matching in matchings.items()
            for entry, live in matching.pairs.items()
            if live is not None and identity_key(entry) in wanted
        }
        changes, target_notes = select_targets(
            changes, targets, specs_by, live_by, target_uuids
        )
        notes.extend(target_notes)
    # Only what this plan writes: a template left out by --target is not sent.
    blind, create_notes = write_only.check(
        changes, specs_by.get("template", {}), matchings["template"].pairs,
        where_by.get("template", no_location),
    )
    if blind:
        raise PlanError(diagnostics=blind)
    notes.extend(create_notes)
    warnings = [warning for matching in matchings.values() for warning in matching.warnings]
    return Plan(changes=changes, unchanged=unchanged, api_url=api_url, notes=notes,
                unchanged_templates=unchanged_templates, warnings=warnings + unneeded,
                usage=template_usage(live_by.get("campaign", []), declared_uses, changes))


def template_usage(
    campaigns: list[dict[str, Any]], declared: Mapping[str, Any], changes: list[Change]
) -> dict[str, list[TemplateUse]]:
    """Template uuid (or the name of one this plan creates) -> the campaigns a change of it
    reaches: those using it now (with their run state), and those whose entry names it."""
    status = {row["campaign_name"]: row.get("status") for row in campaigns}
    live_uses = {
        row["campaign_name"]: row[CAMPAIGN_REFERENCE]
        for row in campaigns if row.get(CAMPAIGN_REFERENCE)
    }
    # A renamed campaign: its entry's name, its live row's run state.
    renamed = {
        change.name: change.live_name for change in changes
        if change.kind == "campaign" and change.live_name and change.live_name != change.name
    }
    keys: dict[str, set[str]] = {}
    for campaign, uuid in live_uses.items():
        keys.setdefault(campaign, set()).add(uuid)
    wanted: dict[str, str] = {}
    for campaign, value in declared.items():
        key = getattr(value, "name", value)  # a Pending template: its name
        if isinstance(key, str) and key:
            wanted[renamed.get(campaign, campaign)] = key
            keys.setdefault(renamed.get(campaign, campaign), set()).add(key)
    usage: dict[str, list[TemplateUse]] = {}
    for campaign in sorted(keys):
        for key in sorted(keys[campaign]):
            usage.setdefault(key, []).append(TemplateUse(
                campaign=campaign, status=status.get(campaign),
                live=live_uses.get(campaign) == key, declared=wanted.get(campaign) == key,
            ))
    return usage


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


def _note_templates(
    context: Context, specs: Mapping[str, Spec], matching: Matching, where: Where,
    catalog: Catalog,
) -> None:
    """What campaigns need to know of the declared templates."""
    for uuid in catalog.templates.values():
        placeholders = catalog.placeholders.get(uuid)
        if placeholders is not None:
            context.placeholders_by_uuid[uuid] = placeholders
    for name, spec in specs.items():
        live = matching.pairs.get(name)
        if spec.state == "absent":
            context.absent_templates[name] = where(name, None) or name
            continue
        uuid = live["template_uuid"] if live is not None else None
        context.declared_templates[name] = uuid
        if live is not None and identity_key(live["template_name"]) != identity_key(name):
            context.renamed_templates[live["template_name"]] = name
        values = {**(live or {}), **spec.api_values()}
        context.placeholders_by_name[name] = template_placeholders(values)
        if uuid:
            context.placeholders_by_uuid[uuid] = context.placeholders_by_name[name]


def _templates_in_use(
    changes: list[Change], campaigns: list[dict[str, Any]], where_by: Mapping[str, Where]
) -> tuple[list[Change], list[str]]:
    """Refuse deleting a template that a campaign which stays (live or planned) still uses,
    naming the campaigns; with --prune, an unused-only rule: a used template is kept."""
    final: dict[str, str] = {}  # campaign name -> the template uuid it will use
    gone = {c.uuid for c in changes if c.kind == "campaign" and c.action == "delete"}
    for row in campaigns:
        if row["campaign_uuid"] not in gone and row.get(CAMPAIGN_REFERENCE):
            final[row["campaign_name"]] = row[CAMPAIGN_REFERENCE]
    for change in changes:
        if change.kind != "campaign" or change.action == "delete":
            continue
        if CAMPAIGN_REFERENCE in change.refs:
            final.pop(change.live_name or change.name, None)
        elif CAMPAIGN_REFERENCE in change.put:
            final.pop(change.live_name or change.name, None)
            final[change.name] = change.put[CAMPAIGN_REFERENCE]
    users: dict[str, list[str]] = {}
    for campaign, uuid in final.items():
        users.setdefault(uuid, []).append(campaign)
    kept: list[Change] = []
    errors: list[Diagnostic] = []
    notes: list[str] = []
    for change in changes:
        using = users.get(change.uuid or "") if change.kind == "template" else None
        if change.action != "delete" or not using:
            kept.append(change)
            continue
        listed = ", ".join(repr(name) for name in sorted(using))
        if change.source.endswith("(--prune)"):
            notes.append(
                f"--prune: template {change.name!r} is kept: campaigns use it ({listed})"
            )
            continue
        where = where_by.get("template", no_location)
        errors.append(_located(
            where, change.name, "state",
            f"cannot delete template {change.name!r}: campaigns that stay use it ({listed}); "
            "point them at another template (or retire them) in the same change",
            "template-in-use",
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
) -> tuple[list[Change], list[str]]:
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
        f"--target: also {change.action} {change.name!r}: {reasons[id(change)]}"
        for change in added
    ]
    left_out = len(changes) - len(kept) - len(added)
    notes.append(
        f"--target is in effect: only {_plural(len(kept) + len(added), 'change')} "
        f"shown and applied; {_plural(left_out, 'other change')} not shown"
    )
    for target in targets:
        key = identity_key(target)
        if key in live_names and key not in declared and not any(
            targeted(c) for c in kept if identity_key(c.name) == key
            or (c.live_name and identity_key(c.live_name) == key)
        ):
            notes.append(
                f"--target {target!r}: a live campaign no manifest declares, so it is not "
                "managed (add an entry for it, or use --prune to delete it)"
            )
    result = kept + added
    result.sort(key=lambda change: change.sort_key)
    return result, notes


def _needed_by(change: Change, changes: list[Change]) -> list[tuple[Change, str]]:
    needed = [(other, "it frees a name a targeted rename needs")
              for other in depends_on(change, changes)]
    if change.kind == "campaign":
        needed += [
            (other, "a targeted campaign uses the template it creates")
            for other in changes
            if other.kind == "template" and other.action == "create"
            and other.name in change.refs.values()
        ]
    elif change.action == "delete":
        by_kind: dict[str, list[Change]] = {}
        for other in changes:
            by_kind.setdefault(other.kind, []).append(other)
        needed += [
            (other, "a targeted template delete waits for it")
            for other in kind_of(change).requires(change, by_kind)
        ]
    return needed


def _unknown_target(name: str, known: list[str]) -> str:
    folded = {option.casefold(): option for option in known}
    close = [folded[name.casefold()]] if name.casefold() in folded else []
    close += [c for c in difflib.get_close_matches(name, known, n=3, cutoff=0.6) if c not in close]
    hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
    return f"--target {name!r} names no declared or live campaign{hint}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
