"""One apply at a time per tenant, on the one guarantee the API gives: names are unique.

The API has no locks and no conditional writes, but a create of a taken name is refused
(`"template is existed!"`). The lock is a template named `LOCK_NAME` (a template never dials;
a campaign could) whose description holds our record (reconciler.lock_record). Taking it is
a create, then a read-back: we hold it only if the lock read back carries our nonce, so an
unclear or lost create answer never makes us think we hold another run's lock. Releasing
deletes it only if it still carries our nonce (`unlock` may have broken it meanwhile).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reconciler.api import ApiClient, ApiError
from reconciler.errors import ReconcilerError
from reconciler.lock_record import LockRecord, describe, parse_description
from reconciler.template_fields import LOCK_NAME

FIRST_PAUSE, LONGEST_PAUSE = 0.2, 2.0  # seconds between looks while waiting for the lock
TRIES = 3  # creates that fail with no lock to be seen before the API's refusal is final


@dataclass(frozen=True)
class Held:
    """The lock as read: its template, and the record its description holds (None when it
    holds none this tool wrote)."""

    uuid: str
    record: LockRecord | None
    description: Any

    def describe(self) -> str:
        return describe(self.record, self.description)


class LockError(ReconcilerError):
    """The lock could not be taken, read or broken (the API refused, or answered oddly)."""

    code = "lock/error"


class LockHeld(ReconcilerError):
    """Another run holds the lock: nothing was changed."""

    code = "lock/held"

    def __init__(self, held: Held, waited: float = 0.0):
        self.held = held
        waited_text = f" after waiting {waited:g} s" if waited else ""
        super().__init__(
            f"the tenant is locked by another apply{waited_text}: held by {held.describe()}; "
            "nothing was changed. Wait for it with --lock-timeout (e.g. --lock-timeout 5m); "
            "if that apply is gone (a killed process leaves its lock behind), break the lock "
            "with `reconciler unlock`."
        )


class LockWaitStopped(Exception):
    """A signal arrived while waiting for the lock: nothing was changed."""


def read_lock(client: ApiClient) -> Held | None:
    """The lock template, or None. Its detail is read for the description (a list row may
    be a summary)."""
    try:
        rows = [row for row in client.list_templates(LOCK_NAME, with_lock=True)
                if row.get("template_name") == LOCK_NAME]
        if len(rows) > 1:
            raise LockError(
                f"the API lists {len(rows)} templates named {LOCK_NAME!r}: names are not "
                "unique on this tenant, so the tenant lock cannot work; delete the extra ones"
            )
        if not rows:
            return None
        uuid = str(rows[0]["template_uuid"])
        detail = client.get_template(uuid)
    except ApiError as exc:
        if exc.status == 404:  # deleted between the listing and the detail read
            return None
        raise LockError(f"could not read the tenant lock: {exc}") from exc
    description = detail.get("description")
    return Held(uuid, parse_description(description), description)


class TenantLock:
    """The lock for one apply: `acquire`, then `release` on every way out."""

    def __init__(self, client: ApiClient, record: LockRecord):
        self.client = client
        self.record = record
        self._created = False  # a create was sent: we may hold it, whatever its answer said
        self._held = False  # ... and a read-back showed our nonce
        self._release_lock = threading.Lock()

    def acquire(
        self,
        timeout: float = 0.0,
        stop: threading.Event | None = None,
        on_wait: Callable[[Held], None] | None = None,
    ) -> bool:
        """Take the lock, waiting up to `timeout` seconds while another run holds it.
        Returns whether it had to wait. Raises LockHeld (still held at the deadline),
        LockError (the API refused or answered oddly), LockWaitStopped (`stop` was set)."""
        stop = stop or threading.Event()
        started = time.monotonic()
        pause, waited, look_first = FIRST_PAUSE, False, False
        while True:
            other = self._try(look_first)
            if other is None:
                return waited
            spent = time.monotonic() - started
            if spent >= timeout:
                raise LockHeld(other, timeout if waited else 0.0)
            if not waited and on_wait is not None:
                on_wait(other)
            waited, look_first = True, True
            if stop.wait(min(pause, timeout - spent)):
                raise LockWaitStopped()
            pause = min(pause * 2, LONGEST_PAUSE)

    def _try(self, look_first: bool) -> Held | None:
        """One attempt: None when we hold the lock, else the other holder. While waiting
        it looks before creating: a poll is a read, not a refused create."""
        for _ in range(TRIES):
            current = read_lock(self.client) if look_first else None
            refusal: ApiError | None = None
            if current is None:
                self._created = True
                try:
                    self.client.create_template({
                        "template_name": LOCK_NAME, "description": self.record.to_description(),
                    })
                except ApiError as exc:  # taken, unclear, or refused: the read-back says
                    refusal = exc
                current = read_lock(self.client)
            if current is not None:
                if current.record is not None and current.record.nonce == self.record.nonce:
                    self._held = True
                    return None
                return current
            look_first = True
            if refusal is not None and refusal.status in (400, 401, 403, 422):
                break  # a plain refusal of the create, not a lost answer: final
        raise LockError(
            f"could not take the tenant lock: the create of template {LOCK_NAME!r} "
            + (f"failed ({refusal})" if refusal else "answered success")
            + " and no lock template can be read back; nothing was changed"
        )

    def release(self) -> str:
        """Delete the lock if it still carries our nonce. Returns a warning to show ("" when
        released, or never taken); never raises for API trouble (it runs on every exit)."""
        with self._release_lock:
            if not self._created:
                return ""
            try:
                current = read_lock(self.client)
                if current is None:
                    held, self._created, self._held = self._held, False, False
                    return ("the tenant lock was broken (`reconciler unlock`) while this apply "
                            "ran" if held else "")
                if current.record is None or current.record.nonce != self.record.nonce:
                    self._created = False
                    if not self._held:
                        return ""  # another run's lock, which refused ours
                    return (
                        "the tenant lock was broken while this apply ran (it is now held by "
                        f"{current.describe()}); it was left as it is"
                    )
                self.client.delete_template(current.uuid)
            except (ApiError, LockError) as exc:
                return (
                    f"could not release the tenant lock ({exc}); once no apply is running, "
                    "break it with `reconciler unlock`"
                )
            self._created = self._held = False
            return ""

    def release_within(self, seconds: float) -> str:
        """`release` on a daemon thread, waited for at most `seconds`: the way out of a
        second signal, which must not hang on a struggling API."""
        result: list[str] = []
        worker = threading.Thread(target=lambda: result.append(self.release()), daemon=True)
        worker.start()
        worker.join(seconds)
        if worker.is_alive():
            return ("the tenant lock's release did not finish in time; see whether it is left "
                    "with `reconciler unlock`")
        return result[0] if result else ""


def break_lock(client: ApiClient, seen: Held) -> bool:
    """Delete the lock `unlock` showed, if it is still that one (same template, same
    record); False when it changed or went meanwhile (nothing was deleted)."""
    current = read_lock(client)
    if current is None or current.uuid != seen.uuid or current.description != seen.description:
        return False
    try:
        client.delete_template(current.uuid)
    except ApiError as exc:
        raise LockError(f"could not delete the tenant lock: {exc}") from exc
    return True
