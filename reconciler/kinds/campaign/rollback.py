"""Undoing a campaign create cut short, and saying exactly what it left behind.

The rollback switches the campaign off (PATCH `active`; when that fails, a PUT of the
campaign as read carrying `active: false`, since PUT carries `active` too), reads it back,
and deletes it only when this run verifiably created it: its own POST answered with the
uuid. A campaign found by name after an unclear POST is never deleted: names are unique,
so another run creating the same name at the same moment leaves exactly what ours would
have (same name, same fields, created in the same seconds), and nothing in a create body can
tell the two apart. It is switched off (this run configured it) and left in place.

What is left is always what a read shows, never what the calls were meant to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reconciler.api import ApiClient, ApiError

DELETED = "rolled back: deleted the campaign it had created"


@dataclass(frozen=True)
class Seen:
    """A campaign as read back: `doc` (None when gone or unreadable), whether `doc` is a
    full detail read (a PUT needs one), and why it could not be read (`problem`)."""

    doc: dict[str, Any] | None
    detail: bool = False
    problem: str = ""

    @property
    def gone(self) -> bool:
        return self.doc is None and not self.problem

    @property
    def active(self) -> bool:
        return bool(self.doc and self.doc.get("active"))


def read_back(client: ApiClient, uuid: str) -> Seen:
    """The campaign now: its detail, else (a detail read that fails, not 404) its list row."""
    try:
        return Seen(client.get_campaign(uuid), detail=True)
    except ApiError as exc:
        if exc.status == 404:
            return Seen(None)
        detail_failed = exc
    try:
        rows = client.list_campaigns()
    except ApiError as exc:
        return Seen(None, problem=f"{detail_failed}; the listing failed too: {exc}")
    row = next((row for row in rows if row.get("campaign_uuid") == uuid), None)
    return Seen(row)


def roll_back(client: ApiClient, name: str, uuid: str, *, ours: bool) -> tuple[list[str], str]:
    """Switch the campaign off and, if `ours`, delete it; (the steps taken, what is left)."""
    steps: list[str] = []
    seen = read_back(client, uuid)
    if seen.active:
        steps.append(_switch_off(client, uuid, seen))
        seen = read_back(client, uuid)
    if ours and seen.doc is not None and not seen.active:
        failed = ""
        try:
            client.delete_campaign(uuid)
        except ApiError as exc:
            failed = str(exc)
        seen = read_back(client, uuid)
        if seen.gone:
            steps.append(DELETED)
        elif failed:
            steps.append(f"could not roll back ({failed})")
        elif seen.problem:
            steps.append("the DELETE answered success, but it could not be read back")
        else:
            steps.append("could not roll back (the DELETE answered success, but a read back "
                         "still shows it)")
    elif ours and seen.active:
        steps.append("could not roll back (it is still active, and an active campaign cannot "
                     "be deleted)")
    return steps, left_behind(name, uuid, seen, ours=ours)


def _switch_off(client: ApiClient, uuid: str, seen: Seen) -> str:
    try:
        client.set_active(uuid, False)
        return "deactivated"
    except ApiError as patch_failed:
        if not seen.detail or seen.doc is None:
            return f"could not switch it off (PATCH: {patch_failed}; no detail read for a PUT)"
        try:
            client.update_campaign(uuid, {**seen.doc, "active": False})
        except ApiError as put_failed:
            return f"could not switch it off (PATCH: {patch_failed}; PUT: {put_failed})"
        return f"deactivated by PUT (the PATCH failed: {patch_failed})"


def left_behind(name: str, uuid: str, seen: Seen, *, ours: bool) -> str:
    """What a create cut short left, as read back (ends with "; ")."""
    if seen.gone:
        return "nothing is left: the next apply creates it again; "
    where = "left" if ours else (
        "left in place (created by lookup, not verifiably by this run)"
    )
    what = f"campaign {name} ({uuid})"
    if seen.problem:
        return (f"{where}: {what} could not be read back ({seen.problem}): whether it "
                "exists, and is active, is unknown: check it; ")
    if seen.active:
        return (f"{where}: {what} exists and is ACTIVE (read back): switch it off or check "
                "it now; ")
    return (f"{where}: {what} exists and is not active (read back): check it, then delete it "
            "or switch it on; ")
