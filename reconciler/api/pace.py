"""How many calls may be in flight at once: polite at first, more while the API keeps up.

Nobody documents the vendor's rate limits, so a fixed high concurrency is rude and a fixed low
one is slow on a distant link. `Pace` decides, from what the calls themselves show, in rounds
of as many calls as the current level (about one round trip each):

- start at `START` (or the ceiling, if lower);
- a round whose calls answered about as fast as the quickest recent ones (median latency at
  most `FLAT` times that) and with nothing refused: grow, doubling until the first back-off,
  then one at a time;
- a refusal (429, a 5xx gateway answer, a dropped connection: anything retried) halves the
  level at once; so does a round whose median latency rose past `RISE` times the quickest;
- never above the ceiling (`--parallelism`), never below 1.

Latency is compared per kind of call (a page of 100 rows is slower than one detail, a write
slower than a read). Answers to calls started before the last back-off say nothing about the
new level and are not counted again. `Pace` is pure bookkeeping (no clock, no threads: the
caller passes latencies in); `Gate` makes threads wait for a free slot.
"""

from __future__ import annotations

import logging
import statistics
import threading
import time
from collections import deque
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

log = logging.getLogger("reconciler.pace")

START = 4  # a few at once, like a browser's connections to one host
FLAT = 1.5  # a round's median latency within 1.5x the quickest recent: the API keeps up
RISE = 2.0  # beyond 2x: calls are queueing somewhere; back off
# Rises smaller than these are the client's own scheduling, not the API's distress: on a
# 2-core machine 8 reads in flight against the emulator at 2 ms take 2.3 -> 5 ms while
# throughput still grows (backing off on that cost a 2,000-campaign plan 0.6 s of 1.8 s).
FLAT_S = 0.005
RISE_S = 0.010
WINDOW = 200  # "recent": the last 200 calls of a kind


@dataclass
class Pace:
    """The concurrency level, adjusted round by round from latencies and refusals."""

    ceiling: int
    level: int = 0  # 0: START, capped by the ceiling
    peak: int = 0
    backoffs: int = 0
    growing_fast: bool = True  # doubling until the first back-off
    generation: int = 0  # bumped at each change of level
    _round: list[tuple[float, float]] = field(default_factory=list)  # (ratio, excess)
    _refused: bool = False
    _recent: dict[Hashable, deque[float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.ceiling = max(1, int(self.ceiling))
        self.level = min(self.ceiling, self.level or START)
        self.peak = self.level

    def started(self) -> int:
        """A call starts: its ticket (which level it was started under)."""
        return self.generation

    def finished(self, ticket: int, kind: Hashable, latency: float, refused: bool) -> str:
        """A call ended after `latency` seconds; returns why the level changed ("" if not)."""
        recent = self._recent.setdefault(kind, deque(maxlen=WINDOW))
        recent.append(latency)
        if ticket != self.generation:
            return ""  # started under an earlier level
        if refused:
            return self._back_off("a call was refused or retried")
        quickest = min(recent)
        self._round.append((latency / quickest if quickest > 0 else 1.0, latency - quickest))
        if len(self._round) < self.level:
            return ""
        ratio = statistics.median(ratio for ratio, _ in self._round)
        excess = statistics.median(excess for _, excess in self._round)
        if ratio > RISE and excess > RISE_S:
            return self._back_off(f"latency rose to {ratio:.1f}x the quickest")
        if (ratio <= FLAT or excess <= FLAT_S) and self.level < self.ceiling:
            grown = self.level * 2 if self.growing_fast else self.level + 1
            return self._set(min(self.ceiling, grown), f"latency flat ({ratio:.1f}x)")
        self._round.clear()
        return ""

    def _back_off(self, why: str) -> str:
        self.backoffs += 1
        self.growing_fast = False
        return self._set(max(1, self.level // 2), why)

    def _set(self, level: int, why: str) -> str:
        before, self.level = self.level, level
        self.peak = max(self.peak, level)
        self.generation += 1
        self._round.clear()
        return f"{before} -> {level}: {why}" if level != before else ""

    def summary(self) -> str:
        return (
            f"parallelism: reached {self.peak} (ceiling {self.ceiling}), now {self.level}; "
            f"backed off {self.backoffs} time{'' if self.backoffs == 1 else 's'}"
        )


class Call:
    """What the gate learns about one call while it runs."""

    __slots__ = ("refused",)

    def __init__(self) -> None:
        self.refused = False


class Gate:
    """Lets at most `pace.level` calls through at once; thread-safe.

    A listing is the critical path (every detail read hangs on its pages), so calls made in a
    `lane` go first: while a lane is open one slot is kept for it (details fill the rest), and
    a lane's call waiting for a slot is served before any queued detail read. A listing thus
    never waits behind the reads it started.
    """

    def __init__(self, pace: Pace):
        self.pace = pace
        lock = threading.Lock()
        self._urgent_free = threading.Condition(lock)  # lanes' calls wait here
        self._free = threading.Condition(lock)  # every other call waits here
        self._in_flight = 0
        self._urgent_in_flight = 0
        self._lanes = 0  # lanes open
        self._waiting = [0, 0]  # [lanes' calls, other calls] waiting for a slot
        self._local = threading.local()
        self.calls = 0

    @contextmanager
    def lane(self) -> Iterator[None]:
        """While open, this thread's calls go first and one slot is kept for them."""
        depth = getattr(self._local, "lanes", 0)
        self._local.lanes = depth + 1
        with self._free:
            self._lanes += 1
        try:
            yield
        finally:
            self._local.lanes = depth
            with self._free:
                self._lanes -= 1
                self._wake()

    @property
    def waiting(self) -> tuple[int, int]:
        """(lanes' calls, other calls) waiting for a slot right now."""
        with self._free:
            return self._waiting[0], self._waiting[1]

    def _room(self, urgent: bool) -> int:
        """How many more calls of that sort may start now (called holding the lock)."""
        room = self.pace.level - self._in_flight
        if urgent:
            return room
        # Other calls leave a slot to each open lane whose call is not in flight (never all
        # slots: at level 1 lanes and reads take turns), and to every lane call waiting.
        kept = min(self._lanes, self.pace.level - 1) - self._urgent_in_flight
        return room - max(kept, self._waiting[0])

    def _wake(self) -> None:
        """Wake as many waiters as may start, lanes' calls first (called holding the lock).
        Woken lane calls still count as waiting until they start, so their slots stay kept."""
        urgent = min(self._waiting[0], self._room(True))
        if urgent > 0:
            self._urgent_free.notify(urgent)
        others = min(self._waiting[1], self._room(False))
        if others > 0:
            self._free.notify(others)

    @contextmanager
    def slot(self, kind: Hashable) -> Iterator[Call]:
        """Wait for a free slot, hold it for the call, then report its latency."""
        urgent = getattr(self._local, "lanes", 0) > 0
        waiters = self._urgent_free if urgent else self._free
        with waiters:
            if self._room(urgent) <= 0:
                self._waiting[not urgent] += 1
                try:
                    while self._room(urgent) <= 0:
                        waiters.wait()
                except BaseException:
                    self._waiting[not urgent] -= 1
                    self._wake()  # reads held back for this call may go
                    raise
                self._waiting[not urgent] -= 1
            self._in_flight += 1
            self._urgent_in_flight += urgent
            self.calls += 1
            ticket = self.pace.started()
        call = Call()
        started = time.perf_counter()
        try:
            yield call
        except BaseException:
            call.refused = True  # no answer at all: as much a sign of trouble as a 503
            raise
        finally:
            latency = time.perf_counter() - started
            with self._free:
                self._in_flight -= 1
                self._urgent_in_flight -= urgent
                change = self.pace.finished(ticket, kind, latency, call.refused)
                self._wake()
            if change:
                log.debug("parallelism %s", change)
