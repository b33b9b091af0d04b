"""The applier: executes a Plan's changes, nothing else, one small function per action.

Generic over kinds: changes run level by level (reconciler.kinds.order_changes: templates
before the campaigns that start using them, after those that stop), each kind's writes come
from its `actions()` (campaigns: the functions below; templates: apply_template.py). Before
writing an object it re-reads it and refuses if it changed since planning. Outcomes are
reported in plan order whatever the parallelism, so logs read the same at -p1 and -p8.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any, Literal

from reconciler.api import AmbiguousWriteError, ApiClient, ApiError
from reconciler.fields import CREATE_FIELDS
from reconciler.kinds import kind_of
from reconciler.names import identity_key
from reconciler.plan.fingerprint import still_matches
from reconciler.plan.guards import GUARDED_RUN_STATES
from reconciler.plan.model import Change, Plan
from reconciler.plan.renames import is_rename
from reconciler.rollback import roll_back

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


class StaleCampaign(Exception):
    """The live object moved on since the plan was computed; writing would clobber it."""


class StepFailed(Exception):
    """A call failed after earlier calls for the same campaign succeeded; `left` says what a
    create cut short left behind, as read back (see reconciler.rollback)."""

    def __init__(self, steps: list[str], uuid: str | None, cause: Exception, left: str = ""):
        super().__init__(str(cause))
        self.steps, self.uuid, self.cause, self.left = steps, uuid, cause, left


def read_unchanged(client: ApiClient, change: Change) -> dict[str, Any]:
    """The live object, refused (StaleCampaign) if it changed since the plan was made."""
    kind = kind_of(change)
    live = kind.read(client, change.uuid or "")
    if change.via_name and live.get(kind.name_field) == change.via_name:
        return live  # this run moved it aside, after checking it (see move_aside)
    if not still_matches(change.fingerprint, live, change.kind):
        raise StaleCampaign(
            f"{change.name} changed on the server since the plan was made "
            "(someone edited it meanwhile); nothing was written to it — run plan again"
        )
    return live


def _put_overlay(
    client: ApiClient, uuid: str, live: dict[str, Any], put: dict[str, Any], active: bool
) -> None:
    """Full-replace PUT: the live object as read, with only the planned fields changed.

    PUT carries `active` too (a field it leaves out is reset), so the body always holds the
    value intended at this moment, never a stale one read earlier.
    """
    client.update_campaign(uuid, {**live, **put, "active": active})


class WriteNotKept(ApiError):
    """The API answered success but a read-back shows it did not store what was sent."""


def verify_written(
    client: ApiClient,
    uuid: str,
    wanted: dict[str, Any],
    kind: str = "campaign",
    before: dict[str, Any] | None = None,
) -> None:
    """Read the object back and compare every planned field as the planner compares them.

    Nothing documents that a PUT stores every field it is sent: an API that drops, rewrites
    or ignores one would otherwise be reported "updated" and planned again forever. (A
    template's unread press-option keys are not compared: no read returns them.) With
    `before` (the object as read right before the write) a mismatch says which it is: the
    old value (the API did not keep the write) or a third one (someone else wrote it
    meanwhile), so nobody blames the API for another apply's work.
    """
    of_kind = kind_of(kind)
    kept = of_kind.read(client, uuid)
    differing = [
        name for name, value in wanted.items() if not of_kind.same(name, kept.get(name), value)
    ]
    if not differing:
        return
    details = [readback_detail(of_kind, name, wanted[name], kept.get(name), before)
               for name in differing]
    if any(third for third, _ in details):
        raise WriteNotKept(
            "the read-back differs from what was sent: " + "; ".join(text for _, text in details)
        )
    raise WriteNotKept(
        "the API answered success but did not keep what was sent: "
        + "; ".join(text for _, text in details)
    )


def readback_detail(
    kind: Any, name: str, sent: Any, kept: Any, before: dict[str, Any] | None
) -> tuple[bool, str]:
    """One differing field in words, and whether it holds a third value: neither what was
    there before the write nor what was sent (another writer's, not the API's doing)."""
    head = f"{name}: sent {_shown(kind, name, sent)}"
    if before is None:
        return False, f"{head}, the API kept {_shown(kind, name, kept)}"
    old = before.get(name)
    if kind.same(name, kept, old):
        return False, (
            f"{head}, the API kept the old value {_shown(kind, name, old)} (it did not keep "
            "the write)"
        )
    return True, (
        f"{head}, read back a third value {_shown(kind, name, kept)} (neither the old "
        f"{_shown(kind, name, old)} nor the sent {_shown(kind, name, sent)}): most likely "
        "someone else wrote it meanwhile (else the API rewrote what it was sent) — run plan "
        "again"
    )


def _shown(kind: Any, name: str, value: Any) -> str:
    return json.dumps(kind.shown(name, value), ensure_ascii=False, default=str)


def _lookup_after_unclear_create(
    client: ApiClient, change: Change, unclear: AmbiguousWriteError, wait: LookupWait
) -> str:
    """The POST may or may not have created the campaign: names are unique, so look it up,
    for long enough to be sure (a slow server may finish the POST after we gave up on it).

    Adopted only if it is what we sent; a campaign of that name that differs was created by
    someone else meanwhile, and writing over it would clobber their work.
    """
    found = None
    kind = kind_of(change)
    for attempt, pause in enumerate(wait.pauses()):
        if pause:
            wait.announce(change.name, pause, attempt)
            time.sleep(pause)
        try:
            found = kind.find(client, change.name)
        except ApiError as exc:
            raise ApiError(
                f"{unclear}; looking it up by name failed too ({exc}): the next plan shows "
                "whether it exists"
            ) from exc
        if found is not None:
            break
    if found is None:
        raise ApiError(
            f"{unclear}; no {kind.name} of that name appeared in {wait.total:g} s of lookups: "
            "it was not created"
        ) from unclear
    differing = sorted(
        key
        for key, value in change.create_body.items()
        if key in found and not kind.same(key, found[key], value)
    )
    if differing:
        raise StaleCampaign(
            f"{unclear}; a {kind.name} named {change.name} exists but differs from "
            f"what was sent ({', '.join(differing)}): someone else created it meanwhile; "
            "nothing was written to it — check it, then run plan again"
        )
    return str(found[kind.uuid_field])


@dataclass(frozen=True)
class LookupWait:
    """How long an unclear create is looked up for before it is reported as not created:
    pauses doubling from `first` up to `total` seconds in all; `announce` shows the wait."""

    total: float = 20.0
    first: float = 0.5
    on_wait: Callable[[str], None] | None = None

    def pauses(self) -> list[float]:
        pauses, spent, pause = [0.0], 0.0, self.first
        while self.total > 0 and spent < self.total:
            step = min(pause, self.total - spent)
            pauses.append(step)
            spent += step
            pause *= 2
        return pauses

    def announce(self, name: str, pause: float, attempt: int) -> None:
        if self.on_wait is not None:
            self.on_wait(
                f"{name}: create answer unclear; not found yet, looking again in {pause:g} s "
                f"(lookup {attempt + 1})"
            )


def apply_create(
    client: ApiClient, change: Change, wait: LookupWait = LookupWait()
) -> tuple[list[str], str]:
    """POST, configure it while inactive, read it back, and only then switch it on.

    POST makes an active campaign holding only the create fields: it is switched off at once
    (should that PATCH fail, the PUT that follows carries `active: false` too), so a failure
    at any later point never leaves a live, half-configured campaign. A create that cannot
    be completed is rolled back (reconciler.rollback: switched off, and deleted if this run
    verifiably made it) so the next apply starts clean rather than finding an inactive
    campaign it would not switch on.
    """
    steps: list[str] = []
    try:
        uuid = client.create_campaign(change.create_body)
        ours = True  # the POST answered with its uuid
        steps.append("created")
    except AmbiguousWriteError as unclear:
        uuid = _lookup_after_unclear_create(client, change, unclear, wait)
        ours = False  # found by name: possibly another run's (reconciler.rollback)
        steps.append("created (confirmed by lookup after an unclear answer)")
    needs_put = any(key not in CREATE_FIELDS for key in change.put)
    want_active = change.active is not False
    try:
        if needs_put or not want_active:
            try:
                client.set_active(uuid, False)
                steps.append("deactivated")
            except ApiError:
                if not needs_put:
                    raise
                # The PUT below carries `active: false` as well: it switches it off.
        before = None  # a create without a PUT: nothing was there before it
        if needs_put:
            before = client.get_campaign(uuid)
            _put_overlay(client, uuid, before, change.put, False)
            steps.append("configured")
        wanted = {**change.put, "active": not needs_put and want_active}
        verify_written(client, uuid, wanted, "campaign", before)
        if want_active and needs_put:
            client.set_active(uuid, True)
            steps.append("activated")
            verify_written(client, uuid, {"active": True}, "campaign", {"active": False})
    except (ApiError, StaleCampaign) as exc:
        undone, left = roll_back(client, change.name, uuid, ours=ours)
        raise StepFailed(steps + undone, uuid, exc, left) from exc
    return steps, uuid


def apply_update(client: ApiClient, change: Change) -> tuple[list[str], str]:
    """Deactivation first; activation only after the written fields are read back as sent,
    so the campaign never runs half-changed or with a setting the API dropped."""
    uuid = change.uuid or ""
    live = read_unchanged(client, change)
    active = bool(live.get("active"))
    steps: list[str] = []
    try:
        if change.active is False and active:
            client.set_active(uuid, False)
            active = False
            steps.append("deactivated")
        if change.put:
            _put_overlay(client, uuid, live, change.put, active)
            steps.append("updated")
        verify_written(client, uuid, {**change.put, "active": active}, "campaign", live)
        if change.active is True and not active:
            client.set_active(uuid, True)
            steps.append("activated")
            verify_written(client, uuid, {"active": True}, "campaign", {"active": False})
    except ApiError as exc:
        raise StepFailed(steps, uuid, exc) from exc
    return steps, uuid


def apply_delete(client: ApiClient, change: Change) -> tuple[list[str], str]:
    uuid = change.uuid or ""
    live = read_unchanged(client, change)
    status = live.get("status")
    if status in GUARDED_RUN_STATES and change.live_status not in GUARDED_RUN_STATES:
        # The plan (and its guard) saw it stopped: --force, if given, never covered this.
        word = GUARDED_RUN_STATES[status]
        how = "started running" if status == "start" else "was paused (it resumes by itself)"
        raise StaleCampaign(
            f"{change.name} {how} since the plan was made; nothing was written to it — run "
            f"plan again (deleting a {word} campaign needs --force)"
        )
    steps: list[str] = []
    try:
        if live.get("active"):
            client.set_active(uuid, False)
            steps.append("deactivated")
        client.delete_campaign(uuid)
        steps.append("deleted")
    except ApiError as exc:
        raise StepFailed(steps, uuid, exc) from exc
    return steps, uuid


def apply_change(client: ApiClient, change: Change, wait: LookupWait = LookupWait()) -> Outcome:
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
    live = read_unchanged(client, change)
    temporary = change.via_name or ""
    kind = kind_of(change)
    if change.kind == "campaign":
        client.update_campaign(
            uuid, {**live, "campaign_name": temporary, "active": bool(live.get("active"))}
        )
    else:
        kind.actions()["rename"](client, uuid, live, temporary)
    verify_written(client, uuid, {kind.name_field: temporary}, change.kind, live)
    return [f"renamed to temporary name {temporary!r}"]


def with_references(change: Change, created: dict[tuple[str, str], str]) -> Change:
    """The change with each `refs` field set to the uuid its object got in this apply; a
    KeyError names an object that was not created."""
    if not change.refs:
        return change
    resolved = Change.from_dict(change.to_dict())
    for api_field, name in change.refs.items():
        uuid = created[("template", name)]
        resolved.put[api_field] = uuid
        if change.action == "create" and api_field in CREATE_FIELDS:
            resolved.create_body[api_field] = uuid
    resolved.refs = {}
    return resolved


def apply_plan(
    client: ApiClient,
    plan: Plan,
    *,
    parallelism: int = 1,
    continue_on_error: bool = False,
    on_outcome: Callable[[Outcome], None] | None = None,
    lookup_wait: LookupWait = LookupWait(),
    stop: threading.Event | None = None,
    in_flight: set[str] | None = None,
) -> ApplyReport:
    """Apply level by level (reconciler.kinds.order_changes: inside one kind deletes, then
    updates wave by wave, then creates; templates before the campaigns that start using them
    and deleted after those that stop); within a level up to `parallelism` objects at once.
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
            return Outcome(change, "failed", [], (
                f"its template {missing.args[0][1]!r} was not created in this apply; nothing "
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
