"""SIGINT and SIGTERM as a CI runner or a person sends them: a clean stop, never a traceback.

Outside apply a signal ends the command at once (nothing was written, or a write is not
half-way: see apply). During apply's writes the first signal only stops new campaigns from
starting, so every campaign in flight finishes its calls and the report tells the truth; a
second signal stops at once, naming what may be half-done.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):  # noqa: N818 - like KeyboardInterrupt, which it stands for
    """A signal asked the command to stop. A BaseException, so no `except Exception` swallows
    it, and not a KeyboardInterrupt, which click would turn into "Aborted!"."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal_name(signum))
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def _raise(signum: int, _frame: FrameType | None) -> None:
    raise Interrupted(signum)


def install_default_handlers() -> None:
    """Every command: SIGINT and SIGTERM raise Interrupted in the main thread (SIGTERM's
    default would kill the process without a word)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in SIGNALS:
        signal.signal(signum, _raise)


@contextmanager
def finish_in_flight(
    stop: threading.Event,
    in_flight: Callable[[], list[str]],
    announce: Callable[[str], None],
    on_abort: Callable[[], None] | None = None,
) -> Iterator[list[int]]:
    """While writing: the first signal sets `stop`; a second exits at once (128+signal),
    after naming the campaigns in flight and calling `on_abort` (apply releases its tenant
    lock there: an exit at once skips every `finally`). Yields the list the first signal
    number lands in."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def handle(signum: int, _frame: FrameType | None) -> None:
        if not received:
            received.append(signum)
            stop.set()
            busy = in_flight()
            announce(
                f"{signal_name(signum)} received: starting no new campaigns; finishing "
                f"{len(busy)} in flight ({', '.join(busy) or 'none'}). Send it again to stop "
                "at once."
            )
            return
        busy = in_flight()
        line = f"{signal_name(signum)} again: stopping at once. " + (
            f"May be half-done: {', '.join(busy)}; run plan to see what remains."
            if busy else "Nothing was in flight."
        )
        # This signal may land inside a write to stderr (the first one's announcement still
        # being flushed): Python then refuses a nested write with RuntimeError. Say it on the
        # descriptor instead, and release the lock and exit all the same.
        try:
            announce(line)
        except RuntimeError:
            os.write(2, (line + "\n").encode("utf-8", "replace"))
        try:
            if on_abort is not None:
                on_abort()
            sys.stdout.flush()
            sys.stderr.flush()
        except RuntimeError:
            pass
        os._exit(128 + signum)

    previous = {signum: signal.signal(signum, handle) for signum in SIGNALS}
    try:
        yield received
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
