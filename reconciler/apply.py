"""The applier: executes a Plan's changes, nothing else, one small function per action.

Before writing a campaign it re-reads it and refuses if it changed since planning. Outcomes are
reported in plan order whatever the parallelism, so logs read the same at -p1 and -p8.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any, Literal

from reconciler.api import AmbiguousWriteError, ApiClient, ApiError
from reconciler.fields import CREATE_FIELDS
from reconciler.plan.fingerprint import fingerprint
from reconciler.plan.model import Change, Plan
from reconciler.plan.normalize import canonical

OutcomeStatus = Literal["done", "failed", "not attempted"]


@dataclass
class Outcome:
    """What happened to one change: the calls that succeeded and, on failure, why."""

    change: Change
    status: OutcomeStatus
    steps: list[str] = field(default_factory=list)
    message: str = ""
    campaign_uuid: str | None = None


@dataclass
class ApplyReport:
    outcomes: list[Outcome] = field(default_factory=list)

    def with_status(self, status: OutcomeStatus) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def ok(self) -> bool:
        return all(o.status == "done" for o in self.outcomes)


class StaleCampaign(Exception):
    """The live campaign moved on since the plan was computed; writing would clobber it."""


class StepFailed(Exception):
    """A call failed after earlier calls for the same campaign succeeded."""

    def __init__(self, steps: list[str], uuid: str | None, cause: Exception):
        super().__init__(str(cause))
        self.steps, self.uuid, self.cause = steps, uuid, cause


def _read_unchanged(client: ApiClient, change: Change) -> dict[str, Any]:
    live = client.get_campaign(change.campaign_uuid or "")
    if change.fingerprint and fingerprint(live) != change.fingerprint:
        raise StaleCampaign(
            f"{change.campaign_name} changed on the server since the plan was made "
            "(someone edited it meanwhile); nothing was written to it — run plan again"
        )
    return live


def _put_overlay(client: ApiClient, uuid: str, live: dict[str, Any], put: dict[str, Any]) -> None:
    """Full-replace PUT: the live object as read, with only the planned fields changed."""
    client.update_campaign(uuid, {**live, **put})


def _lookup_after_unclear_create(
    client: ApiClient, change: Change, unclear: AmbiguousWriteError
) -> str:
    """The POST may or may not have created the campaign: names are unique, so look it up.

    Adopted only if it is what we sent; a campaign of that name that differs was created by
    someone else meanwhile, and writing over it would clobber their work.
    """
    try:
        found = client.find_campaign_by_name(change.campaign_name)
    except ApiError as exc:
        raise ApiError(
            f"{unclear}; looking it up by name failed too ({exc}): the next plan shows "
            "whether it exists"
        ) from exc
    if found is None:
        raise ApiError(
            f"{unclear}; a lookup by name right after shows no campaign of that name exists: "
            "it was not created"
        ) from unclear
    differing = sorted(
        key
        for key, value in change.create_body.items()
        if key in found and canonical(key, found[key]) != canonical(key, value)
    )
    if differing:
        raise StaleCampaign(
            f"{unclear}; a campaign named {change.campaign_name} exists but differs from "
            f"what was sent ({', '.join(differing)}): someone else created it meanwhile; "
            "nothing was written to it — check it, then run plan again"
        )
    return str(found["campaign_uuid"])


def apply_create(client: ApiClient, change: Change) -> tuple[list[str], str]:
    steps: list[str] = []
    try:
        uuid = client.create_campaign(change.create_body)
        steps.append("created")
    except AmbiguousWriteError as unclear:
        uuid = _lookup_after_unclear_create(client, change, unclear)
        steps.append("created (confirmed by lookup after an unclear answer)")
    try:
        if any(key not in CREATE_FIELDS for key in change.put):
            _put_overlay(client, uuid, client.get_campaign(uuid), change.put)
            steps.append("updated")
        if change.active is False:
            client.set_active(uuid, False)
            steps.append("deactivated")
    except (ApiError, StaleCampaign) as exc:
        raise StepFailed(steps, uuid, exc) from exc
    return steps, uuid


def apply_update(client: ApiClient, change: Change) -> tuple[list[str], str]:
    uuid = change.campaign_uuid or ""
    live = _read_unchanged(client, change)
    steps: list[str] = []
    try:
        if change.put:
            _put_overlay(client, uuid, live, change.put)
            steps.append("updated")
        if change.active is not None and bool(live.get("active")) != change.active:
            client.set_active(uuid, change.active)
            steps.append("activated" if change.active else "deactivated")
    except ApiError as exc:
        raise StepFailed(steps, uuid, exc) from exc
    return steps, uuid


def apply_delete(client: ApiClient, change: Change) -> tuple[list[str], str]:
    uuid = change.campaign_uuid or ""
    live = _read_unchanged(client, change)
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


ACTIONS: dict[str, Callable[[ApiClient, Change], tuple[list[str], str]]] = {
    "create": apply_create,
    "update": apply_update,
    "delete": apply_delete,
}


def apply_change(client: ApiClient, change: Change) -> Outcome:
    """Run one change; never raises for API trouble, it becomes a failed Outcome."""
    try:
        steps, uuid = ACTIONS[change.action](client, change)
        return Outcome(change, "done", steps, campaign_uuid=uuid)
    except StepFailed as exc:
        message = str(exc.cause)
        if exc.steps:
            done = ", ".join(exc.steps)
            message += f" (already done: {done}; the next plan shows what remains)"
        return Outcome(change, "failed", exc.steps, message, exc.uuid)
    except (ApiError, StaleCampaign) as exc:
        return Outcome(change, "failed", [], str(exc), change.campaign_uuid)


def apply_plan(
    client: ApiClient,
    plan: Plan,
    *,
    parallelism: int = 1,
    continue_on_error: bool = False,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> ApplyReport:
    """Apply phase by phase (deletes, updates, creates); within a phase up to `parallelism`
    campaigns at once. Stops starting new work at the first failure unless told to go on."""
    report = ApplyReport()
    stop = threading.Event()

    def run(change: Change) -> Outcome:
        if stop.is_set():
            return Outcome(change, "not attempted", campaign_uuid=change.campaign_uuid)
        outcome = apply_change(client, change)
        if outcome.status == "failed" and not continue_on_error:
            stop.set()
        return outcome

    with ThreadPoolExecutor(max_workers=max(1, parallelism)) as pool:
        for _action, phase in groupby(plan.changes, key=lambda c: c.action):
            # pool.map yields in submission order: reports read the same at any parallelism.
            for outcome in pool.map(run, list(phase)):
                report.outcomes.append(outcome)
                if on_outcome:
                    on_outcome(outcome)
    return report
