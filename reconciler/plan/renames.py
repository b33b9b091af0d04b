"""Ordering renames so that chains and cycles apply in one run. Pure: plan-time only.

Names are unique per tenant, so a rename onto a name another campaign still holds fails.
Each rename waits for the change that frees its name (`wave`); a cycle (A↔B, A→B→C→A) has
no such order, so one of its campaigns first moves to a temporary name (`via_name`), which
frees its own name and turns the cycle into a chain.
"""

from __future__ import annotations

import re

from reconciler.kinds.registry import kind_of
from reconciler.names import identity_key
from reconciler.plan.model import Change

TEMPORARY_SUFFIX = "~reconciler-rename"


_PARKED = re.compile(re.escape(TEMPORARY_SUFFIX) + r"(?:-\d+)?$")


def parked_name(name: str) -> str | None:
    """The original name of a campaign left under a temporary name, else None."""
    match = _PARKED.search(name)
    return name[: match.start()] if match and match.start() > 0 else None


def is_rename(change: Change) -> bool:
    return (
        change.action == "update"
        and kind_of(change).name_field in change.put
        and change.live_name is not None
        and identity_key(change.live_name) != identity_key(change.name)
    )


def order_renames(changes: list[Change], live_names: set[str]) -> None:
    """Set `wave` and, for one campaign per cycle, `via_name` on the rename changes.
    `live_names` holds every name a temporary one must not take (live and planned)."""
    renames = [change for change in changes if is_rename(change)]
    holder = {identity_key(change.live_name or ""): change for change in renames}
    waits_for: dict[int, Change] = {}
    for change in renames:
        blocker = holder.get(identity_key(change.name))
        if blocker is not None and blocker is not change:
            waits_for[id(change)] = blocker
    taken = {identity_key(name) for name in live_names}
    for cycle in _cycles(renames, waits_for):
        breaker = min(cycle, key=lambda change: change.name)
        breaker.via_name = _temporary_name(breaker, taken)
        taken.add(identity_key(breaker.via_name))
        # Moving the breaker aside first frees its name: whoever waited for it need not.
        for change in cycle:
            if waits_for.get(id(change)) is breaker:
                del waits_for[id(change)]
    for change in renames:
        change.wave = _depth(change, waits_for)


def depends_on(change: Change, changes: list[Change]) -> list[Change]:
    """The changes that must also run for a rename to apply: the delete or rename that frees
    the name it renames to (moved aside early or not), and, transitively, theirs."""
    needed: list[Change] = []
    todo = [change]
    while todo:
        current = todo.pop()
        if not is_rename(current):
            continue
        for other in frees_name_of(current, changes, moved_aside_too=True):
            if other is not change and other not in needed:
                needed.append(other)
                todo.append(other)
    return needed


def frees_name_of(
    change: Change, changes: list[Change], *, moved_aside_too: bool = False
) -> list[Change]:
    """The changes of the same kind that free the name a create or rename takes (a delete,
    or a rename away). For ordering, one moved aside first through a temporary name frees it
    early and is left out; `moved_aside_too` keeps it (what a --target must bring along)."""
    if change.action == "create" or is_rename(change):
        wanted = identity_key(change.name)
        return [
            other for other in changes
            if other is not change and other.kind == change.kind
            and (moved_aside_too or other.via_name is None)
            and (other.action == "delete" or is_rename(other))
            and identity_key(other.live_name or "") == wanted
        ]
    return []


def _cycles(renames: list[Change], waits_for: dict[int, Change]) -> list[list[Change]]:
    """Each cycle of the waits-for graph once (every change waits for at most one other)."""
    cycles: list[list[Change]] = []
    state: dict[int, str] = {}
    for start in renames:
        path: list[Change] = []
        current: Change | None = start
        while current is not None and id(current) not in state:
            state[id(current)] = "visiting"
            path.append(current)
            current = waits_for.get(id(current))
        if current is not None and state.get(id(current)) == "visiting":
            cycles.append(path[path.index(current):])
        for change in path:
            state[id(change)] = "done"
    return cycles


def _depth(change: Change, waits_for: dict[int, Change]) -> int:
    depth, current = 0, waits_for.get(id(change))
    while current is not None:
        depth += 1
        current = waits_for.get(id(current))
    return depth


def _temporary_name(change: Change, taken: set[str]) -> str:
    base = f"{change.live_name}{TEMPORARY_SUFFIX}"
    candidate, number = base, 1
    while identity_key(candidate) in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate
