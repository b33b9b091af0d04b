"""Sending the rows: at a rate, a few at a time, each journaled before and after its request.

The order of a row's steps is the whole safety story: `sending` is on disk before the
request leaves, the answer is on disk before the row counts as done. An answer that proves
nothing was imported (a 4xx, an error body) is `refused`; no answer, a 5xx, or an answer
without ids is `unclear`, never retried here; five of either in a row stop the push (the
rest is left unattempted, for a plain re-run). Calls start at most `rate` a second and at most
`parallel` at once; before each one the calling windows are checked again (a long list may
outlive its window): closed, the rest waits for the next window or is left unattempted. After
such a wait the template and the last 24 h of advertising calls are read again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from reconciler.api.errors import AmbiguousWriteError, ApiError
from reconciler.leads import compliance, journal
from reconciler.leads.clock import Clock
from reconciler.leads.rows import Lead
from reconciler.operations.window import shown
from reconciler.safetext import shown as safe

SENT, SKIPPED, REFUSED, UNCLEAR, NOT_ATTEMPTED = (
    "sent", "skipped", "refused", "unclear", "not attempted")
REFUSALS_IN_A_ROW = 5  # the API refusing every row (a deleted campaign, a bad token): stop
# A gateway failing every row (502s, dropped connections): each such row is unclear and needs
# a person; stop before the whole list is.
UNCLEAR_IN_A_ROW = 5


@dataclass
class Outcome:
    line: int
    phone_number: str
    outcome: str
    detail: str = ""
    call_id: str = ""
    lead_uuid: str = ""


Progress = Callable[[int, int], None]  # (rows finished, rows to send)


class Pusher:
    def __init__(
        self, client: Any, book: journal.Journal, campaign_uuid: str, *, rate: float,
        parallel: int, clock: Clock, limits: Sequence[compliance.Limit], wait: bool,
        stop: threading.Event, announce: Callable[[str], None],
        progress: Progress | None = None,
        reopened: Callable[[Sequence[Lead]], Mapping[int, str]] | None = None,
    ) -> None:
        self.client, self.book, self.campaign_uuid = client, book, campaign_uuid
        self.interval = 1.0 / rate
        self.parallel = parallel
        self.clock, self.limits, self.wait = clock, list(limits), wait
        self.stop, self.announce, self.progress = stop, announce, progress
        # After waiting for a window (hours): the rows to skip now ({line: why}), read again
        # (another advertising campaign may have called some meanwhile); raises to stop.
        self.reopened = reopened
        self._waited = False
        self.outcomes: dict[int, Outcome] = {}
        self.in_flight: set[int] = set()
        self.halted = ""
        self._lock = threading.Lock()
        self._slots = threading.Semaphore(parallel)
        self._refusals: list[str] = []
        self._unclear: list[str] = []
        self._finished = 0

    def run(self, leads: Sequence[Lead]) -> dict[int, Outcome]:
        """Send every lead (in order), unless stopped; {line: outcome} of each one."""
        total = len(leads)
        next_at = time.monotonic()
        with ThreadPoolExecutor(self.parallel, thread_name_prefix="reconciler-leads") as pool:
            for index, lead in enumerate(leads):
                why = self._hold() or self._reopen(leads[index:])
                if why:
                    for rest in leads[index:]:
                        self.outcomes.setdefault(rest.line, Outcome(
                            rest.line, rest.phone_number, NOT_ATTEMPTED, why))
                    break
                if lead.line in self.outcomes:  # skipped when the window reopened
                    continue
                now = time.monotonic()
                if next_at > now:
                    if self.stop.wait(next_at - now):
                        continue  # _hold() says why on the next turn
                next_at = max(next_at, time.monotonic()) + self.interval
                while not self._slots.acquire(timeout=0.2):
                    if self.stop.is_set():
                        break
                else:
                    if self.halted or self.book.disturbed:  # said by the row that freed the slot
                        self._slots.release()
                        continue
                    try:
                        self.book.record(journal.SENDING, lead.line, lead.phone_number)
                    except OSError as exc:  # nothing was sent for it: stop here
                        self._slots.release()
                        self.halted = (f"stopped: the journal {self.book.path} could not be "
                                       f"written ({exc})")
                        continue
                    with self._lock:
                        self.in_flight.add(lead.line)
                    pool.submit(self._send, lead, total)
                    continue
            pool.shutdown(wait=True)
        for lead in leads:  # stopped while waiting for a free slot
            self.outcomes.setdefault(lead.line, Outcome(
                lead.line, lead.phone_number, NOT_ATTEMPTED, self._hold() or "interrupted"))
        return self.outcomes

    def _hold(self) -> str:
        """Why no further row may start now ("" when one may), waiting for the next window
        first when asked to."""
        if self.stop.is_set():
            return "interrupted"
        if self.halted:
            return self.halted
        if self.book.disturbed:
            return self.book.disturbed
        now = self.clock.now()
        closed = compliance.closed_by(self.limits, now)
        if not closed:
            return ""
        opens = compliance.next_open(self.limits, now)
        reason = (f"outside the calling window at {shown(now)} "
                  f"({'; '.join(limit.describe(now.weekday()) for limit in closed)})")
        if not self.wait or opens is None:
            return reason + (f"; next window {shown(opens)}" if opens else "")
        self.announce(f"Calling window closed ({reason}); waiting until {shown(opens)} "
                      "(Ctrl-C to stop: nothing more is sent).")
        if not self.clock.wait_until(opens, self.stop):
            return "interrupted"
        self._waited = True
        return self._hold()

    def _reopen(self, rest: Sequence[Lead]) -> str:
        """After a wait for the window: skip the rows `reopened` says to; why to stop, or ""."""
        if not self._waited or self.reopened is None:
            return ""
        self._waited = False
        try:
            skips = self.reopened(rest)
        except Exception as exc:  # noqa: BLE001 - whatever it was, nothing more is sent
            return safe(f"stopped when the window reopened: {exc}")
        for lead in rest:
            if lead.line in skips:
                self.outcomes[lead.line] = Outcome(lead.line, lead.phone_number, SKIPPED,
                                                   skips[lead.line])
        return ""

    def _send(self, lead: Lead, total: int) -> None:
        try:
            try:
                outcome = self._import(lead)
            except OSError as exc:  # the journal could not be written: stop before the next
                outcome = Outcome(lead.line, lead.phone_number, UNCLEAR,
                                  f"the journal could not be written: {exc}")
                self.halted = (f"stopped: the journal {self.book.path} could not be written "
                               f"({exc})")
            finished = self._count(lead, outcome)
        finally:  # only once counted: the next row must see a stop this outcome calls for
            self._slots.release()
        if self.progress is not None:
            self.progress(finished, total)

    def _count(self, lead: Lead, outcome: Outcome) -> int:
        """Record the outcome; stop the push after too many refused or unclear rows in a
        row. How many rows are finished."""
        with self._lock:
            self.in_flight.discard(lead.line)
            self.outcomes[lead.line] = outcome
            self._finished += 1
            if outcome.outcome == REFUSED:
                self._refusals.append(outcome.detail)
                if len(self._refusals) >= REFUSALS_IN_A_ROW and not self.halted:
                    self.halted = (f"stopped: the API refused {REFUSALS_IN_A_ROW} rows in a "
                                   f"row (last: {outcome.detail})")
            else:
                self._refusals.clear()
            if outcome.outcome == UNCLEAR:
                self._unclear.append(outcome.detail)
                if len(self._unclear) >= UNCLEAR_IN_A_ROW and not self.halted:
                    self.halted = (f"stopped: {UNCLEAR_IN_A_ROW} rows in a row got no clear "
                                   f"answer (last: {outcome.detail})")
            else:
                self._unclear.clear()
            return self._finished

    def _import(self, lead: Lead) -> Outcome:
        line, number = lead.line, lead.phone_number
        try:
            answer = self.client.import_lead(self.campaign_uuid, number, lead.param)
        except AmbiguousWriteError as exc:
            detail = safe(str(exc))
            self.book.record(journal.UNCLEAR, line, number, error=detail)
            return Outcome(line, number, UNCLEAR, detail)
        except ApiError as exc:
            detail = safe(str(exc))
            self.book.record(journal.REFUSED, line, number, error=detail)
            return Outcome(line, number, REFUSED, detail)
        except Exception as exc:  # noqa: BLE001 - whatever happened, the row is unclear
            detail = safe(f"{type(exc).__name__}: {exc}")
            self.book.record(journal.UNCLEAR, line, number, error=detail)
            return Outcome(line, number, UNCLEAR, detail)
        call_id, lead_uuid = str(answer["call_id"]), str(answer["lead_uuid"])
        self.book.record(journal.SENT, line, number, call_id=call_id, lead_uuid=lead_uuid)
        return Outcome(line, number, SENT, "", call_id, lead_uuid)
