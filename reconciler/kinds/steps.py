"""What every kind's writes share: re-reading an object before writing it, reading back what
was written, learning what an unclear create did, and the failures a write step reports.

Generic over kinds (each helper is given the `Kind`); the applier (reconciler/apply.py) turns
these failures into outcomes.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reconciler.api import AmbiguousWriteError, ApiClient, ApiError
from reconciler.kinds.base import Kind
from reconciler.plan.fingerprint import still_matches
from reconciler.plan.model import Change


class StaleCampaign(Exception):
    """The live object moved on since the plan was computed; writing would clobber it."""


class StepFailed(Exception):
    """A call failed after earlier calls for the same object succeeded; `left` says what a
    create cut short left behind, as read back (see reconciler.kinds.campaign.rollback)."""

    def __init__(self, steps: list[str], uuid: str | None, cause: Exception, left: str = ""):
        super().__init__(str(cause))
        self.steps, self.uuid, self.cause, self.left = steps, uuid, cause, left


class WriteNotKept(ApiError):
    """The API answered success but a read-back shows it did not store what was sent."""


def read_unchanged(client: ApiClient, change: Change, kind: Kind) -> dict[str, Any]:
    """The live object, refused (StaleCampaign) if it changed since the plan was made."""
    live = kind.read(client, change.uuid or "")
    if change.via_name and live.get(kind.name_field) == change.via_name:
        return live  # this run moved it aside, after checking it (see move_aside)
    if not still_matches(change.fingerprint, live, kind.read_dependent):
        raise StaleCampaign(
            f"{change.name} changed on the server since the plan was made "
            "(someone edited it meanwhile); nothing was written to it — run plan again"
        )
    return live


def verify_written(
    client: ApiClient,
    uuid: str,
    wanted: dict[str, Any],
    kind: Kind,
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
    kept = kind.read(client, uuid)
    differing = [
        name for name, value in wanted.items() if not kind.same(name, kept.get(name), value)
    ]
    if not differing:
        return
    details = [readback_detail(kind, name, wanted[name], kept.get(name), before)
               for name in differing]
    if any(third for third, _ in details):
        raise WriteNotKept(
            "the read-back differs from what was sent: " + "; ".join(text for _, text in details)
        )
    raise WriteNotKept(
        "the API answered success but did not keep what was sent: "
        + "; ".join(text for _, text in details)
    )


def verify_deleted(client: ApiClient, uuid: str, kind: Kind) -> None:
    """Read the object back after its DELETE answered success: gone only when a read says
    so (404). A gateway may answer a DELETE it never passed on."""
    try:
        kind.read(client, uuid)
    except ApiError as exc:
        if exc.status == 404:
            return
        raise ApiError(
            f"the API answered success to the DELETE, but reading it back failed ({exc}): "
            "whether it is gone is unknown"
        ) from exc
    raise WriteNotKept("the API answered success to the DELETE, but a read back still shows it")


def readback_detail(
    kind: Kind, name: str, sent: Any, kept: Any, before: dict[str, Any] | None
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


def _shown(kind: Kind, name: str, value: Any) -> str:
    return json.dumps(kind.shown(name, value), ensure_ascii=False, default=str)


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


DEFAULT_WAIT = LookupWait()


def lookup_after_unclear_create(
    client: ApiClient, change: Change, unclear: AmbiguousWriteError, wait: LookupWait,
    kind: Kind,
) -> str:
    """The POST may or may not have created the object: names are unique, so look it up,
    for long enough to be sure (a slow server may finish the POST after we gave up on it).

    Adopted only if it is what we sent; an object of that name that differs was created by
    someone else meanwhile, and writing over it would clobber their work.
    """
    found = None
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
