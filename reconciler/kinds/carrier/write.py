"""Carrier writes, one small function per action (the carrier kind's `actions()`).

POST stores what it is sent; PUT is a full replace, so an update sends the carrier as read
(values.write_form) with the declared fields over it. Every write is read back through the
listing (the API documents no GET by id) and compared as the planner compares. DELETE's
documented answer (`{"carrier_uuid", "created": true}`) says nothing of a delete: it counts
only once the listing no longer shows the carrier.
"""

from __future__ import annotations

from typing import Any

from reconciler.api import AmbiguousWriteError, ApiClient, ApiError
from reconciler.kinds import steps
from reconciler.kinds.base import Kind
from reconciler.kinds.carrier.values import write_form
from reconciler.kinds.steps import LookupWait, StaleCampaign, StepFailed, WriteNotKept
from reconciler.plan.model import Change


def apply_create(
    kind: Kind, client: ApiClient, change: Change, wait: LookupWait | None = None
) -> tuple[list[str], str]:
    """One POST with every declared field, then the read-back."""
    wait = wait or LookupWait()
    try:
        uuid = client.create_carrier(change.create_body)
        done = ["created"]
    except AmbiguousWriteError as unclear:
        uuid = steps.lookup_after_unclear_create(client, change, unclear, wait, kind)
        done = ["created (confirmed by lookup after an unclear answer)"]
    try:
        steps.verify_written(client, uuid, change.create_body, kind)
    except ApiError as exc:
        raise StepFailed(done, uuid, exc) from exc
    return done, uuid


def apply_update(kind: Kind, client: ApiClient, change: Change) -> tuple[list[str], str]:
    """PUT the live carrier with the declared fields over it, then read it back."""
    uuid = change.uuid or ""
    live = steps.read_unchanged(client, change, kind)
    put = dict(change.put)
    if kind.name_field not in change.fields and live.get(kind.name_field):
        put[kind.name_field] = live[kind.name_field]  # the same name in another Unicode form
    done: list[str] = []
    try:
        client.update_carrier(uuid, write_form(live, put))
        done.append("updated")
        steps.verify_written(client, uuid, change.put, kind, live)
    except ApiError as exc:
        raise StepFailed(done, uuid, exc) from exc
    return done, uuid


def apply_delete(kind: Kind, client: ApiClient, change: Change) -> tuple[list[str], str]:
    """Re-checks, right before the DELETE, that no campaign uses the carrier (a campaign whose
    move failed in this apply, or one pointed at it since the plan was made: whether the API
    refuses that delete is not documented), then confirms by listing that it is gone."""
    uuid = change.uuid or ""
    steps.read_unchanged(client, change, kind)
    users = sorted(
        row.get("campaign_name") or "?" for row in client.list_campaigns()
        if row.get(kind.uuid_field) == uuid
    )
    if users:
        raise StaleCampaign(
            f"carrier {change.name!r} is still used by {', '.join(map(repr, users))}; it was "
            "not deleted — move those campaigns off it first, then run plan again"
        )
    try:
        answer = client.delete_carrier(uuid)
        still = [row for row in client.list_carriers() if row.get(kind.uuid_field) == uuid]
    except ApiError as exc:
        raise StepFailed([], uuid, exc) from exc
    if still:
        raise WriteNotKept(
            f"the DELETE answered {_shown(answer)}, but the carrier listing still shows "
            f"{change.name!r} ({uuid}): it was not deleted"
        )
    if not isinstance(answer, dict):
        raise ApiError(
            f"the DELETE's answer was not understood ({_shown(answer)}); the carrier listing "
            f"no longer shows {change.name!r}: check it"
        )
    return ["deleted (confirmed: the listing no longer shows it)"], uuid


def rename(kind: Kind, client: ApiClient, uuid: str, live: dict[str, Any], name: str) -> None:
    """Move a carrier to another name (the first half of a rename cycle), as it is."""
    client.update_carrier(uuid, write_form(live, {kind.name_field: name}))


def _shown(answer: Any) -> str:
    text = repr(answer)
    return text if len(text) <= 120 else text[:117] + "..."


__all__ = ["apply_create", "apply_delete", "apply_update", "rename"]
