"""Campaign writes, one small function per action (the campaign kind's `actions()`).

Before writing a campaign it is re-read and refused if it changed since planning; every write
is read back (reconciler.kinds.steps). `active` goes through PATCH, and a campaign is never
left running half-configured.
"""

from __future__ import annotations

from typing import Any

from reconciler.api import AmbiguousWriteError, ApiClient, ApiError
from reconciler.fields import CREATE_FIELDS
from reconciler.kinds import steps
from reconciler.kinds.base import Kind
from reconciler.kinds.campaign.rollback import roll_back
from reconciler.kinds.steps import DEFAULT_WAIT, LookupWait, StaleCampaign, StepFailed
from reconciler.plan.guards import started_since
from reconciler.plan.model import Change


def _verify(
    kind: Kind, client: ApiClient, uuid: str, wanted: dict[str, Any],
    before: dict[str, Any] | None = None,
) -> None:
    steps.verify_written(client, uuid, wanted, kind, before)  # looked up at call time


def _put_overlay(
    client: ApiClient, uuid: str, live: dict[str, Any], put: dict[str, Any], active: bool
) -> None:
    """Full-replace PUT: the live object as read, with only the planned fields changed.

    PUT carries `active` too (a field it leaves out is reset), so the body always holds the
    value intended at this moment, never a stale one read earlier.
    """
    client.update_campaign(uuid, {**live, **put, "active": active})


def apply_create(
    kind: Kind, client: ApiClient, change: Change, wait: LookupWait = DEFAULT_WAIT
) -> tuple[list[str], str]:
    """POST, configure it while inactive, read it back, and only then switch it on.

    POST makes an active campaign holding only the create fields: it is switched off at once
    (should that PATCH fail, the PUT that follows carries `active: false` too), so a failure
    at any later point never leaves a live, half-configured campaign. A create that cannot
    be completed is rolled back (rollback.py: switched off, and deleted if this run
    verifiably made it) so the next apply starts clean rather than finding an inactive
    campaign it would not switch on.
    """
    steps_done: list[str] = []
    try:
        uuid = client.create_campaign(change.create_body)
        ours = True  # the POST answered with its uuid
        steps_done.append("created")
    except AmbiguousWriteError as unclear:
        uuid = steps.lookup_after_unclear_create(client, change, unclear, wait, kind)
        ours = False  # found by name: possibly another run's (rollback.py)
        steps_done.append("created (confirmed by lookup after an unclear answer)")
    needs_put = any(key not in CREATE_FIELDS for key in change.put)
    want_active = change.active is not False
    try:
        if needs_put or not want_active:
            try:
                client.set_active(uuid, False)
                steps_done.append("deactivated")
            except ApiError:
                if not needs_put:
                    raise
                # The PUT below carries `active: false` as well: it switches it off.
        before = None  # a create without a PUT: nothing was there before it
        if needs_put:
            before = client.get_campaign(uuid)
            _put_overlay(client, uuid, before, change.put, False)
            steps_done.append("configured")
        wanted = {**change.put, "active": not needs_put and want_active}
        _verify(kind, client, uuid, wanted, before)
        if want_active and needs_put:
            client.set_active(uuid, True)
            steps_done.append("activated")
            _verify(kind, client, uuid, {"active": True}, {"active": False})
    except (ApiError, StaleCampaign) as exc:
        undone, left = roll_back(client, change.name, uuid, ours=ours)
        raise StepFailed(steps_done + undone, uuid, exc, left) from exc
    return steps_done, uuid


def apply_update(kind: Kind, client: ApiClient, change: Change) -> tuple[list[str], str]:
    """Deactivation first; activation only after the written fields are read back as sent,
    so the campaign never runs half-changed or with a setting the API dropped."""
    uuid = change.uuid or ""
    live = steps.read_unchanged(client, change, kind)
    active = bool(live.get("active"))
    steps_done: list[str] = []
    try:
        if change.active is False and active:
            client.set_active(uuid, False)
            active = False
            steps_done.append("deactivated")
        if change.put:
            _put_overlay(client, uuid, live, change.put, active)
            steps_done.append("updated")
        _verify(kind, client, uuid, {**change.put, "active": active}, live)
        if change.active is True and not active:
            client.set_active(uuid, True)
            steps_done.append("activated")
            _verify(kind, client, uuid, {"active": True}, {"active": False})
    except ApiError as exc:
        raise StepFailed(steps_done, uuid, exc) from exc
    return steps_done, uuid


def apply_delete(kind: Kind, client: ApiClient, change: Change) -> tuple[list[str], str]:
    uuid = change.uuid or ""
    live = steps.read_unchanged(client, change, kind)
    stale = started_since(change, live.get("status"), then="; nothing was written to it")
    if stale:  # the plan (and its guard) saw it stopped: --force, if given, never covered this
        raise StaleCampaign(stale)
    steps_done: list[str] = []
    try:
        if live.get("active"):
            client.set_active(uuid, False)
            steps_done.append("deactivated")
        client.delete_campaign(uuid)
        steps.verify_deleted(client, uuid, kind)
        steps_done.append("deleted")
    except ApiError as exc:
        raise StepFailed(steps_done, uuid, exc) from exc
    return steps_done, uuid


def rename(kind: Kind, client: ApiClient, uuid: str, live: dict[str, Any], name: str) -> None:
    """Move a campaign to another name (the first half of a rename cycle), as it is."""
    client.update_campaign(
        uuid, {**live, kind.name_field: name, "active": bool(live.get("active"))}
    )
