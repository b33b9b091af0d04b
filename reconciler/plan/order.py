"""The order changes apply in, across kinds: each change's `level`. Pure.

A kind with `phased` changes keeps its own order (deletes, then updates wave by wave, then
creates: each phase waits for the one before); a kind without phases has its creates and
renames wait for what frees their names. References (reconciler/kinds/base.py) add the rest:
an object waits for the create of what it starts naming (and for the update of what it will
use, when that one need not wait itself: its content is best changed before calls use it); a
delete waits for the changes of the objects that stop using it.
"""

from __future__ import annotations

from reconciler.errors import PlanError
from reconciler.kinds.registry import kind_of, kinds, referrers
from reconciler.plan.model import ACTION_ORDER, Change
from reconciler.plan.renames import frees_name_of


def reference_waits(change: Change, changes: dict[str, list[Change]]) -> list[Change]:
    """The changes (by kind) this one waits for through references: the creates (and
    first-wave updates) of what it names; for a delete, the changes of what uses it now."""
    kind = kind_of(change)
    needed: list[Change] = []
    if change.action == "delete":
        for referrer, ref in referrers(kind.name):
            if not ref.ordered:
                continue
            needed += [
                other for other in changes.get(referrer.name, ())
                if other.uses is not None and other.uses == change.uuid and (
                    other.action == "delete"
                    or (other.action == "update" and (ref.field in other.fields
                                                      or ref.uuid_field in other.fields))
                )
            ]
        return needed
    for ref in kind.references:
        uses = {name for field, name in change.refs.items() if ref.covers(field)}
        wanted_uuid = change.put.get(ref.uuid_field)
        for other in changes.get(ref.target, ()):
            if other.action == "delete":
                continue
            if other.action == "create" and other.name in uses:
                needed.append(other)
            elif other.action == "update" and wanted_uuid and other.uuid == wanted_uuid and (
                other.wave == 0 and other.via_name is None
            ):
                needed.append(other)
    return needed


def created_references(change: Change, changes: list[Change]) -> list[Change]:
    """The creates of the objects this change names by a reference (it needs their uuid)."""
    kind = kind_of(change)
    targets = {ref.target for ref in kind.references}
    return [
        other for other in changes
        if other.kind in targets and other.action == "create"
        and other.name in change.refs.values()
    ]


def requires(change: Change, changes: dict[str, list[Change]]) -> list[Change]:
    """Everything a change waits for beyond its own kind's phases."""
    kind = kind_of(change)
    needed = reference_waits(change, changes)
    if not kind.phased and change.action != "delete":
        needed += frees_name_of(change, changes.get(kind.name, []))
    return needed + kind.requires(change, changes)


def order_changes(changes: list[Change]) -> None:
    """Set each change's `level`: one more than the highest level of what it waits for.
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
    needs = {id(change): requires(change, by_kind) for change in changes}
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
                f"apply them in two runs (e.g. --target the {_first_plural(registry, change)} "
                "first)"
            )
        visiting.add(key)
        floor = group_level(previous.get((change.kind, phase(change))))
        value = 1 + max([floor, *(level(other) for other in needs[key])])
        visiting.discard(key)
        levels[key] = value
        return value

    for change in changes:
        change.level = level(change)


def _first_plural(registry: dict, change: Change) -> str:
    """The kind to apply first: the change's own, when other kinds reference it; else the
    first registered."""
    kind = registry[change.kind]
    return kind.plural if not kind.primary else next(iter(registry.values())).plural


def phase(change: Change) -> tuple[int, int]:
    """A change's place in its kind's own order: (action, wave)."""
    return ACTION_ORDER[change.action], change.wave
