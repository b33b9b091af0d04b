"""Template writes, one small function per action (the template kind's `actions()`).

POST stores every field it is sent; PUT is treated as a full replace, so an update sends the
template as read (in write form) with every declared field over it: the declared press
options go out whole, their unread keys (toggled, enable, type, extension) included. Each
write is read back and compared on what a read returns.
"""

from __future__ import annotations

from typing import Any

from reconciler import template_fields as tf
from reconciler.api import AmbiguousWriteError, ApiClient, ApiError
from reconciler.kinds import steps as write_steps
from reconciler.kinds.base import Kind
from reconciler.kinds.steps import LookupWait, StaleCampaign, StepFailed
from reconciler.plan.model import Change


def write_form(live: dict[str, Any]) -> dict[str, Any]:
    """A template as read, turned into a PUT body: every write field, press options in write
    form (their unread keys are unknown: a PUT without them resets them)."""
    body = {key: live.get(key) for key in (*tf.FIELDS, *tf.PASSED_THROUGH) if key in live}
    for key in tf.OMITTED_WHEN_EMPTY:
        body.setdefault(key, "")
    body["press_options"] = tf.press_options_write_form(live.get("press_options"))
    return body


def _verify(
    kind: Kind, client: ApiClient, uuid: str, wanted: dict[str, Any],
    before: dict[str, Any] | None = None,
) -> None:
    write_steps.verify_written(client, uuid, wanted, kind, before)  # looked up at call time


def apply_create(
    kind: Kind, client: ApiClient, change: Change, wait: LookupWait | None = None
) -> tuple[list[str], str]:
    """One POST with every declared field, then the read-back."""
    wait = wait or LookupWait()
    try:
        uuid = client.create_template(change.create_body)
        steps = ["created"]
    except AmbiguousWriteError as unclear:
        uuid = write_steps.lookup_after_unclear_create(client, change, unclear, wait, kind)
        steps = ["created (confirmed by lookup after an unclear answer)"]
    try:
        _verify(kind, client, uuid, change.create_body)
    except ApiError as exc:
        raise StepFailed(steps, uuid, exc) from exc
    return steps, uuid


def apply_update(kind: Kind, client: ApiClient, change: Change) -> tuple[list[str], str]:
    """PUT the live template with the declared fields over it, then read it back."""
    uuid = change.uuid or ""
    live = write_steps.read_unchanged(client, change, kind)
    steps: list[str] = []
    try:
        client.update_template(uuid, {**write_form(live), **change.put})
        steps.append(_written("rewritten" if change.rewrite else "updated", change))
        _verify(kind, client, uuid, change.put, live)
    except ApiError as exc:
        raise StepFailed(steps, uuid, exc) from exc
    return steps, uuid


def _written(verb: str, change: Change) -> str:
    """`updated`, or what the read-back cannot vouch for: the write-only keys sent."""
    if not change.unverifiable:
        return verb
    keys: dict[str, list[str]] = {}
    for path in change.unverifiable:  # press_options[1].extension
        option, _, key = path.rpartition("].")
        keys.setdefault(option.removeprefix("press_options["), []).append(key)
    sent = "; ".join(f"press {number} {', '.join(names)}" for number, names in keys.items())
    return (f"{verb} (read back: the readable fields match; sent but not verifiable, never "
            f"read back: {sent})")


def apply_delete(kind: Kind, client: ApiClient, change: Change) -> tuple[list[str], str]:
    """Re-checks, right before the DELETE, that no campaign uses the template: a campaign
    whose move failed in this apply, or one pointed at it since the plan was made, must not
    be left on a deleted template (nothing documents that the API refuses that delete)."""
    uuid = change.uuid or ""
    write_steps.read_unchanged(client, change, kind)
    users = sorted(
        row.get("campaign_name") or "?" for row in client.list_campaigns()
        if row.get("template_uuid") == uuid
    )
    if users:
        raise StaleCampaign(
            f"template {change.name!r} is still used by {', '.join(map(repr, users))}; "
            "it was not deleted — move those campaigns off it first, then run plan again"
        )
    try:
        client.delete_template(uuid)
        write_steps.verify_deleted(client, uuid, kind)
    except ApiError as exc:
        raise StepFailed([], uuid, exc) from exc
    return ["deleted"], uuid


def rename(kind: Kind, client: ApiClient, uuid: str, live: dict[str, Any], name: str) -> None:
    """Move a template to another name (the first half of a rename cycle)."""
    client.update_template(uuid, {**write_form(live), kind.name_field: name})


__all__ = ["apply_create", "apply_delete", "apply_update", "rename", "write_form"]
