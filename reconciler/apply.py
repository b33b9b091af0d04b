"""The applier: executes a Plan's changes, nothing else.

Generic over kinds: changes run level by level (reconciler.plan.order: an object after what
it starts naming, before what stops being used), each kind's writes come from its
`actions()` (reconciler/kinds/<kind>/write.py). Before writing an object a kind re-reads it
and refuses if it changed since planning (reconciler.kinds.steps). Outcomes are reported in
plan order whatever the parallelism, so logs read the same at -p1 and -p8.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import groupby
from typing import Literal

from reconciler.api import ApiClient, ApiError
from reconciler.kinds import steps as write_steps
from reconciler.kinds.registry import kind_of
from reconciler.kinds.steps import (
    DEFAULT_WAIT,
    LookupWait,
    StaleCampaign,
    StepFailed,
    WriteNotKept,
)
from reconciler.names import identity_key
from reconciler.plan.model import Change, Plan
from reconciler.plan.renames import is_rename

__all__ = [
    "ApplyReport", "LookupWait", "Outcome", "StaleCampaign", "StepFailed", "WriteNotKept",
    "apply_change", "apply_plan", "move_aside", "with_references",
]

OutcomeStatus = Literal["done", "failed", "not attempted"]


@dataclass
class Outcome:
    """What happened to one change: the calls that succeeded and, on failure, why."""

    change: Change
    status: OutcomeStatus
    steps: list[str] = field(default_factory=list)
    message: str = ""
    campaign_uuid: str | None = None  # the object's uuid, whatever its kind

    @property
    def uuid(self) -> str | None:
        return self.campaign_uuid


@dataclass
class ApplyReport:
    outcomes: list[Outcome] = field(default_factory=list)
    interrupted: bool = False

    def with_status(self, status: OutcomeStatus) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def ok(self) -> bool:
        return all(o.status == "done" for o in self.outcomes)


def apply_change(client: ApiClient, change: Change, wait: LookupWait = DEFAULT_WAIT) -> Outcome:
    """Run one change; never raises for API trouble, it becomes a failed Outcome."""
    try:
        action = kind_of(change).actions()[change.action]
        if change.action == "create":
            steps, uuid = action(client, change, wait)
        else:
            steps, uuid = action(client, change)
        return Outcome(change, "done", steps, campaign_uuid=uuid)
    except StepFailed as exc:
        message = str(exc.cause)
        if exc.steps:
            done = ", ".join(exc.steps)
            message += f" (already done: {done}; {exc.left}"
            message += "the next plan shows what remains)"
        return Outcome(change, "failed", exc.steps, message, exc.uuid)
    except (ApiError, StaleCampaign) as exc:
        return Outcome(change, "failed", [], str(exc), change.uuid)


def move_aside(client: ApiClient, change: Change) -> list[str]:
    """First half of a rename inside a cycle: move to the temporary name, freeing ours."""
    uuid = change.uuid or ""
    kind = kind_of(change)
    live = write_steps.read_unchanged(client, change, kind)
    temporary = change.via_name or ""
    kind.actions()["rename"](client, uuid, live, temporary)
    write_steps.verify_written(client, uuid, {kind.name_field: temporary}, kind, live)
    return [f"renamed to temporary name {temporary!r}"]


def with_references(change: Change, created: dict[tuple[str, str], str]) -> Change:
    """The change with each `refs` field set to the uuid its object got in this apply (a
    create sends it in its POST too when its kind's POST stores that field); a KeyError
    names (kind, name) of an object that was not created."""
    if not change.refs:
        return change
    kind = kind_of(change)
    resolved = Change.from_dict(change.to_dict())
    for api_field, name in change.refs.items():
        target = next(ref.target for ref in kind.references if ref.covers(api_field))
        kind.set_reference(resolved, api_field, created[(target, name)])
    resolved.refs = {}
    return resolved


def apply_plan(
    client: ApiClient,
    plan: Plan,
    *,
    parallelism: int = 1,
    continue_on_error: bool = False,
    on_outcome: Callable[[Outcome], None] | None = None,
    lookup_wait: LookupWait = DEFAULT_WAIT,
    stop: threading.Event | None = None,
    in_flight: set[str] | None = None,
) -> ApplyReport:
    """Apply level by level (reconciler.plan.order: inside a phased kind deletes, then
    updates wave by wave, then creates; an object after what it starts naming, and deleted
    after what stops using it); within a level up to `parallelism` objects at once.
    Stops starting new work at the first failure unless told to go on, and whenever `stop`
    is set (a signal): what is in flight finishes, the rest is "not attempted"."""
    report = ApplyReport()
    stop = stop if stop is not None else threading.Event()
    failed = threading.Event()
    moved: dict[int, list[str]] = {}
    early: dict[int, Outcome] = {}
    created: dict[tuple[str, str], str] = {}  # (kind, name) -> uuid, for `refs`
    running = in_flight if in_flight is not None else set()

    def halted() -> bool:
        return stop.is_set() or (failed.is_set() and not continue_on_error)

    def not_attempted(change: Change, why: str = "") -> Outcome:
        message = why
        if id(change) in moved:
            message = "; ".join(part for part in (why, (
                f"left under the temporary name {change.via_name!r}; the next apply "
                "finishes the rename"
            )) if part)
        return Outcome(change, "not attempted", moved.get(id(change), []), message, change.uuid)

    # Names still held by an object whose change did not complete: a rename onto one of them
    # would only fail with "already taken" (under --continue-on-error).
    unfinished: set[tuple[str, str]] = set()

    def run(change: Change) -> Outcome:
        if id(change) in early:
            return early[id(change)]
        if halted():
            return not_attempted(change)
        if is_rename(change) and (change.kind, identity_key(change.name)) in unfinished:
            return not_attempted(change, (
                f"waits for the {change.kind} named {change.name!r} to move off that name, "
                "which did not complete"
            ))
        try:
            resolved = with_references(change, created)
        except KeyError as missing:
            failed.set()
            target, name = missing.args[0]
            return Outcome(change, "failed", [], (
                f"its {target} {name!r} was not created in this apply; nothing "
                "was written to it"
            ), change.uuid)
        running.add(change.name)
        try:
            outcome = apply_change(client, resolved, lookup_wait)
        finally:
            running.discard(change.name)
        outcome.change = change
        if id(change) in moved:
            outcome.steps = moved[id(change)] + outcome.steps
            if outcome.status == "failed":
                outcome.message += (
                    f" (it is left under the temporary name {change.via_name!r}; the next "
                    "apply finishes the rename)"
                )
        if outcome.status == "failed":
            failed.set()
        elif change.action == "create" and outcome.uuid:
            created[(change.kind, change.name)] = outcome.uuid
        return outcome

    def move_cycles_aside(level: list[Change]) -> None:
        """Before a kind's first updates, move its cycle-breaking renames aside (all of them:
        the renames of every wave wait for the names they free)."""
        starting = {c.kind for c in level if c.action == "update"}
        for change in plan.changes:
            if change.via_name is None or change.kind not in starting or halted():
                continue
            if id(change) in moved or id(change) in early:
                continue
            running.add(change.name)
            try:
                moved[id(change)] = move_aside(client, change)
            except (ApiError, StaleCampaign) as exc:
                early[id(change)] = Outcome(change, "failed", [], str(exc), change.uuid)
                failed.set()
            finally:
                running.discard(change.name)

    with ThreadPoolExecutor(max_workers=max(1, parallelism)) as pool:
        for _level, grouped in groupby(plan.changes, key=lambda c: c.level):
            level = list(grouped)
            move_cycles_aside(level)
            # pool.map yields in submission order: reports read the same at any parallelism.
            for outcome in pool.map(run, level):
                report.outcomes.append(outcome)
                change = outcome.change
                if outcome.status != "done" and id(change) not in moved:
                    unfinished.add((change.kind, identity_key(change.live_name or change.name)))
                if on_outcome:
                    on_outcome(outcome)
    report.interrupted = stop.is_set()
    return report
