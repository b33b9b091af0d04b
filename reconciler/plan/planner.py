"""The planner: desired specs × live campaigns → Plan. Pure: every input is already read.

Only declared fields are compared and changed; everything else on a live campaign is left
exactly as it is (the applier sends it back untouched).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from reconciler.diagnostics.model import Diagnostic, Subject
from reconciler.errors import PlanError
from reconciler.fields import CREATE_FIELDS, MANAGED_FIELDS
from reconciler.names import identity_key
from reconciler.plan.catalog import Catalog
from reconciler.plan.fingerprint import fingerprint
from reconciler.plan.model import Change, FieldDiff, Plan
from reconciler.plan.normalize import canonical, display
from reconciler.plan.renames import depends_on, is_rename, order_renames, parked_name

Where = Callable[[str, str | None], str]
PRUNABLE_TYPE = "autocall"
# Manifest name fields and the API uuid field each resolves to.
NAME_FIELDS = {"carrier": "carrier_uuid", "template": "template_uuid"}


class Spec(Protocol):
    """What the planner needs of a manifest entry (reconciler.manifest.models.CampaignSpec)."""

    campaign_name: str
    state: str
    campaign_uuid: str | None
    carrier: str | None
    template: str | None

    def declared(self) -> frozenset[str]: ...

    def api_values(self) -> dict[str, Any]: ...


@dataclass
class Matching:
    """Each declared campaign paired with its live object (or None), plus the live leftovers."""

    pairs: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    undeclared: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _no_location(_name: str, _field: str | None = None) -> str:
    return ""


def _located(
    where: Where, name: str, field_name: str | None, message: str, code: str
) -> Diagnostic:
    """A plan error about one entry: at its manifest line when known (else named by it)."""
    subject = Subject.parse(where(name, field_name), campaign=name)
    return Diagnostic("error", f"plan/{code}", message, subject, category="plan")


def match_campaigns(
    specs: Mapping[str, Spec], live_rows: list[dict[str, Any]], where: Where = _no_location
) -> Matching:
    """Identity: the pinned campaign_uuid when given, else campaign_name (compared in NFC).

    A live campaign claimed by more than one entry (by pin, by name, or one of each) is an
    error naming every claimant: applying both would update and delete, or update twice,
    the same campaign.
    """
    by_uuid = {str(row["campaign_uuid"]).lower(): row for row in live_rows}
    by_name: dict[str, list[dict[str, Any]]] = {}
    parked: dict[str, list[dict[str, Any]]] = {}
    for row in live_rows:
        by_name.setdefault(identity_key(row["campaign_name"]), []).append(row)
        original = parked_name(row["campaign_name"])
        if original is not None:
            parked.setdefault(identity_key(original), []).append(row)
    errors: list[Diagnostic] = []
    matching = Matching()
    claims: dict[str, list[tuple[str, str]]] = {}
    for name, spec in specs.items():
        if spec.campaign_uuid:
            row = by_uuid.get(spec.campaign_uuid.lower())
            how = "by its campaign_uuid pin"
            if row is None and spec.state == "present":
                errors.append(
                    _located(
                        where,
                        name,
                        "campaign_uuid",
                        f"campaign_uuid: no live campaign has uuid {spec.campaign_uuid} "
                        "(remove the pin to create it anew)",
                        "pin-not-found",
                    )
                )
        else:
            rows = by_name.get(identity_key(name), [])
            how = "by name"
            if not rows:  # left under a temporary name by a rename cycle cut short?
                rows = parked.get(identity_key(name), [])
                how = "by name, under the temporary name a cut-short rename left"
            row = rows[0] if len(rows) == 1 else None
            if len(rows) > 1:
                errors.append(
                    _located(
                        where, name, "campaign_name", _twins_message(rows), "ambiguous-live-name"
                    )
                )
                continue
        matching.pairs[name] = row
        if row is not None:
            claims.setdefault(row["campaign_uuid"], []).append((name, how))
            if row["campaign_name"] != name and identity_key(row["campaign_name"]) == (
                identity_key(name)
            ):
                matching.notes.append(
                    _located(
                        where,
                        name,
                        "campaign_name",
                        f"warning: campaign_name {name!r} is spelt in another Unicode form "
                        f"than the live {row['campaign_name']!r}; they are the same name "
                        "(compared in NFC) and the live spelling is kept",
                        "unicode-spelling",
                    ).text()
                )
    for uuid, claimants in claims.items():
        if len(claimants) > 1:
            errors.append(_claimed_twice_message(uuid, claimants, by_uuid, where))
    if errors:
        raise PlanError(diagnostics=errors)
    claimed = set(claims)
    matching.undeclared = [row for row in live_rows if row["campaign_uuid"] not in claimed]
    return matching


def _claimed_twice_message(
    uuid: str,
    claimants: list[tuple[str, str]],
    by_uuid: dict[str, dict[str, Any]],
    where: Where,
) -> Diagnostic:
    live_name = by_uuid[uuid.lower()]["campaign_name"]
    first_name = claimants[0][0]
    listed = "; ".join(
        f"{where(name, None) or name} ({name!r}, {how})" for name, how in claimants
    )
    return _located(
        where,
        first_name,
        None,
        f"live campaign {live_name!r} ({uuid}) is claimed by {len(claimants)} entries: "
        f"{listed}. One live campaign can be declared by one entry only: to rename it, "
        "keep the pinned entry and remove the other",
        "identity-conflict",
    )


def _twins_message(rows: list[dict[str, Any]]) -> str:
    listed = " and ".join(f"{row['campaign_name']!r} ({row['campaign_uuid']})" for row in rows)
    return (
        f"campaign_name: {len(rows)} live campaigns have this name once Unicode-normalised "
        f"(NFC): {listed}; pin the one you mean with campaign_uuid"
    )


def needs_detail(spec: Spec) -> bool:
    """List rows carry no schedules: a detail read is needed only where schedules are managed."""
    return spec.state == "present" and "schedules" in spec.declared()


def desired_values(
    specs: Mapping[str, Spec],
    catalog: Catalog,
    where: Where = _no_location,
    live: Mapping[str, dict[str, Any] | None] | None = None,
) -> dict[str, dict[str, Any]]:
    """Each present spec's API-form values, carrier/template names resolved to uuids; a
    declared uuid the tenant does not list is refused unless the live campaign has it."""
    resolved: dict[str, dict[str, Any]] = {}
    errors: list[Diagnostic] = []
    for name, spec in specs.items():
        if spec.state != "present":
            continue
        values = spec.api_values()
        for name_field, uuid_field in NAME_FIELDS.items():
            wanted = getattr(spec, name_field)
            if wanted is None:
                current = ((live or {}).get(name) or {}).get(uuid_field)
                problem = catalog.unknown_uuid(name_field, values.get(uuid_field), current)
                if problem:
                    errors.append(_located(where, name, uuid_field, problem, "unknown-uuid"))
                continue
            uuid, problem = catalog.resolve(name_field, wanted)
            if uuid is None:
                errors.append(_located(where, name, name_field, problem, f"unknown-{name_field}"))
            else:
                values[uuid_field] = uuid
        resolved[name] = _in_manifest_order(values)
    if errors:
        raise PlanError(diagnostics=errors)
    return resolved


_FIELD_RANK = {name: rank for rank, name in enumerate(MANAGED_FIELDS)}


def _in_manifest_order(values: dict[str, Any]) -> dict[str, Any]:
    """Plans list fields in the documented manifest order, resolved names included."""
    return dict(sorted(values.items(), key=lambda item: _FIELD_RANK.get(item[0], len(_FIELD_RANK))))


def _shown(field_name: str, api_value: Any, catalog: Catalog, live: dict[str, Any] | None) -> Any:
    """A field's value as the manifest would write it (names for carrier/template)."""
    if field_name in NAME_FIELDS:
        uuid_field = NAME_FIELDS[field_name]
        if live is not None:
            return (
                live.get(f"{field_name}_name")
                or catalog.name_of(field_name, live.get(uuid_field) or "")
                or live.get(uuid_field)
                or ""
            )
        return catalog.name_of(field_name, api_value or "") or api_value or ""
    return display(field_name, api_value)


def _manifest_field(spec: Spec, api_field: str) -> str:
    """The manifest key a diff is reported under: `carrier` when the spec used the name."""
    for name_field, uuid_field in NAME_FIELDS.items():
        if api_field == uuid_field and getattr(spec, name_field) is not None:
            return name_field
    return api_field


def plan_create(spec: Spec, values: dict[str, Any], catalog: Catalog, source: str) -> Change:
    create_body = {"campaign_name": spec.campaign_name, "type": values.get("type", "autocall")}
    create_body.update({key: values[key] for key in CREATE_FIELDS if key in values})
    put = {key: value for key, value in values.items() if key != "active"}
    fields: dict[str, FieldDiff] = {}
    for api_field, value in values.items():
        manifest_field = _manifest_field(spec, api_field)
        shown = (
            _shown(manifest_field, value, catalog, None)
            if manifest_field in NAME_FIELDS
            else display(api_field, value)
        )
        fields[manifest_field] = FieldDiff(None, shown)
    return Change(
        action="create",
        campaign_name=spec.campaign_name,
        fields=fields,
        create_body=create_body,
        put=put,
        active=False if values.get("active") is False else None,
        source=source,
    )


def plan_update(
    spec: Spec, values: dict[str, Any], live: dict[str, Any], catalog: Catalog, source: str
) -> Change | None:
    put: dict[str, Any] = {}
    fields: dict[str, FieldDiff] = {}
    active: bool | None = None
    for api_field, value in values.items():
        current = live.get(api_field)
        # Equal as given is equal once normalised too; canonical() only for what differs.
        if current == value or canonical(api_field, current) == canonical(api_field, value):
            continue
        manifest_field = _manifest_field(spec, api_field)
        if manifest_field in NAME_FIELDS:
            before = _shown(manifest_field, None, catalog, live)
            after = _shown(manifest_field, value, catalog, None)
        else:
            before, after = display(api_field, live.get(api_field)), display(api_field, value)
        fields[manifest_field] = FieldDiff(before, after)
        if api_field == "active":
            active = bool(value)
        else:
            put[api_field] = value
    if not fields:
        return None
    return Change(
        action="update",
        campaign_name=spec.campaign_name,
        campaign_uuid=live["campaign_uuid"],
        fields=fields,
        put=put,
        active=active,
        fingerprint=fingerprint(live, with_schedules=needs_detail(spec)),
        live_name=live.get("campaign_name"),
        live_status=live.get("status"),
        source=source,
    )


def plan_delete(live: dict[str, Any], source: str) -> Change:
    return Change(
        action="delete",
        campaign_name=live["campaign_name"],
        campaign_uuid=live["campaign_uuid"],
        fingerprint=fingerprint(live),
        live_name=live["campaign_name"],
        live_status=live.get("status"),
        source=source,
    )


def _check_renames(changes: list[Change], live_rows: list[dict[str, Any]], where: Where) -> None:
    """A rename onto a name another live campaign keeps would fail half-way: refuse up front.
    Names freed in the same plan (deleted, or renamed away) are fine: apply orders them."""
    freed = {
        identity_key(c.live_name)
        for c in changes
        if c.live_name and (c.action == "delete" or is_rename(c))
    }
    taken = {identity_key(row["campaign_name"]): row["campaign_uuid"] for row in live_rows}
    errors: list[Diagnostic] = []
    for change in changes:
        if not is_rename(change):
            continue
        holder = taken.get(identity_key(change.campaign_name))
        if holder and holder != change.campaign_uuid and (
            identity_key(change.campaign_name) not in freed
        ):
            errors.append(
                _located(
                    where,
                    change.campaign_name,
                    "campaign_name",
                    f"campaign_name: cannot rename to {change.campaign_name!r}: "
                    f"live campaign {holder} already has that name",
                    "rename-conflict",
                )
            )
    if errors:
        raise PlanError(diagnostics=errors)


def build_plan(
    specs: Mapping[str, Spec],
    live_rows: list[dict[str, Any]],
    catalog: Catalog,
    *,
    where: Where = _no_location,
    prune: bool = False,
    targets: Collection[str] = (),
    api_url: str = "",
) -> Plan:
    """Diff desired against live. `live_rows` must hold detail reads for specs needing them."""
    matching = match_campaigns(specs, live_rows, where)
    values_by_name = desired_values(specs, catalog, where, matching.pairs)
    changes: list[Change] = []
    unchanged = 0
    for name, spec in specs.items():
        live = matching.pairs[name]
        # `where` may have to re-read a manifest for its lines: asked only for changes.
        if spec.state == "absent":
            if live is not None:
                changes.append(plan_delete(live, where(name, None)))
            continue
        values = values_by_name[name]
        if live is None:
            changes.append(plan_create(spec, values, catalog, where(name, None)))
            continue
        change = plan_update(spec, values, live, catalog, "")
        if change is None:
            unchanged += 1
        else:
            change.source = where(name, None)
            changes.append(change)
    notes = list(matching.notes)
    if prune:
        for row in matching.undeclared:
            if row.get("type") != PRUNABLE_TYPE:
                continue
            if parked_name(row["campaign_name"]) is not None:
                notes.append(
                    f"--prune: not deleting {row['campaign_name']!r} ({row['campaign_uuid']}): "
                    "a rename cycle cut short left it under this temporary name; declare it "
                    "(by its original name or pinned uuid) to finish or undo the rename"
                )
                continue
            changes.append(plan_delete(row, "not declared in any manifest (--prune)"))
    _check_renames(changes, live_rows, where)
    order_renames(
        changes,
        {row["campaign_name"] for row in live_rows} | {c.campaign_name for c in changes},
    )
    if targets:
        target_uuids = {
            live["campaign_uuid"]
            for name, live in matching.pairs.items()
            if live is not None and identity_key(name) in {identity_key(t) for t in targets}
        }
        changes, target_notes = select_targets(
            changes, targets, specs, live_rows, target_uuids
        )
        notes.extend(target_notes)
    return Plan(changes=changes, unchanged=unchanged, api_url=api_url, notes=notes)


def select_targets(
    changes: list[Change],
    targets: Collection[str],
    specs: Mapping[str, Spec],
    live_rows: list[dict],
    target_uuids: Collection[str] = (),
) -> tuple[list[Change], list[str]]:
    """Keep only the named campaigns' changes, plus those they cannot apply without (the
    delete or rename that frees a name one of them renames to). Returns notes saying what
    targeting left out and why anything was added. An unknown name is an error, not a no-op."""
    declared = {identity_key(name): name for name in specs}
    live_names = {identity_key(row["campaign_name"]): row["campaign_name"] for row in live_rows}
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
            identity_key(change.campaign_name) in wanted
            or (change.live_name is not None and identity_key(change.live_name) in wanted)
            or (change.campaign_uuid is not None and change.campaign_uuid in target_uuids)
        )

    kept = [c for c in changes if targeted(c)]
    added: list[Change] = []
    for change in kept:
        for needed in depends_on(change, changes):
            if needed not in kept and needed not in added:
                added.append(needed)
    notes = []
    for change in added:
        notes.append(
            f"--target: also {change.action} {change.campaign_name!r}: it frees a name a "
            "targeted rename needs"
        )
    left_out = len(changes) - len(kept) - len(added)
    notes.append(
        f"--target is in effect: only {_plural(len(kept) + len(added), 'change')} "
        f"shown and applied; {_plural(left_out, 'other change')} not shown"
    )
    for target in targets:
        key = identity_key(target)
        if key in live_names and key not in declared and not any(
            targeted(c) for c in kept if identity_key(c.campaign_name) == key
            or (c.live_name and identity_key(c.live_name) == key)
        ):
            notes.append(
                f"--target {target!r}: a live campaign no manifest declares, so it is not "
                "managed (add an entry for it, or use --prune to delete it)"
            )
    return kept + added, notes


def _unknown_target(name: str, known: list[str]) -> str:
    folded = {option.casefold(): option for option in known}
    close = [folded[name.casefold()]] if name.casefold() in folded else []
    close += [c for c in difflib.get_close_matches(name, known, n=3, cutoff=0.6) if c not in close]
    hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
    return f"--target {name!r} names no declared or live campaign{hint}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
