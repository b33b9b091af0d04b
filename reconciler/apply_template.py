"""Template writes, one small function per action (the applier's `actions()` for templates).

POST stores every field it is sent; PUT is treated as a full replace, so an update sends the
template as read (in write form) with every declared field over it: the declared press
options go out whole, their unread keys (toggled, enable, type, extension) included. Each
write is read back and compared on what a read returns.
"""

from __future__ import annotations

from typing import Any

from reconciler.api import AmbiguousWriteError, ApiClient, ApiError
from reconciler.apply import (
    LookupWait,
    StaleCampaign,
    StepFailed,
    _lookup_after_unclear_create,
    read_unchanged,
)
from reconciler.kinds.template import write_form
from reconciler.plan.model import Change

KIND = "template"


def _verify(
    client: ApiClient, uuid: str, wanted: dict[str, Any], before: dict[str, Any] | None = None
) -> None:
    from reconciler import apply  # looked up at call time: one read-back for every kind

    apply.verify_written(client, uuid, wanted, KIND, before)


def apply_create(
    client: ApiClient, change: Change, wait: LookupWait | None = None
) -> tuple[list[str], str]:
    """One POST with every declared field, then the read-back."""
    wait = wait or LookupWait()
    try:
        uuid = client.create_template(change.create_body)
        steps = ["created"]
    except AmbiguousWriteError as unclear:
        uuid = _lookup_after_unclear_create(client, change, unclear, wait)
        steps = ["created (confirmed by lookup after an unclear answer)"]
    try:
        _verify(client, uuid, change.create_body)
    except ApiError as exc:
        raise StepFailed(steps, uuid, exc) from exc
    return steps, uuid


def apply_update(client: ApiClient, change: Change) -> tuple[list[str], str]:
    """PUT the live template with the declared fields over it, then read it back."""
    uuid = change.uuid or ""
    live = read_unchanged(client, change)
    steps: list[str] = []
    try:
        client.update_template(uuid, {**write_form(live), **change.put})
        steps.append(_written("rewritten" if change.rewrite else "updated", change))
        _verify(client, uuid, change.put, live)
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


def apply_delete(client: ApiClient, change: Change) -> tuple[list[str], str]:
    """Re-checks, right before the DELETE, that no campaign uses the template: a campaign
    whose move failed in this apply, or one pointed at it since the plan was made, must not
    be left on a deleted template (nothing documents that the API refuses that delete)."""
    uuid = change.uuid or ""
    read_unchanged(client, change)
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
    except ApiError as exc:
        raise StepFailed([], uuid, exc) from exc
    return ["deleted"], uuid


def rename(client: ApiClient, uuid: str, live: dict[str, Any], name: str) -> None:
    """Move a template to another name (the first half of a rename cycle)."""
    client.update_template(uuid, {**write_form(live), "template_name": name})


__all__ = ["StaleCampaign", "apply_create", "apply_delete", "apply_update", "rename"]
