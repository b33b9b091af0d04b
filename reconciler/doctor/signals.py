"""SIGTERM as an exception, and a shield that keeps signals from cutting a cleanup short.

Python turns SIGINT into KeyboardInterrupt; SIGTERM would end the process without running
`finally` blocks, which is where the scratch campaign is deleted.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class Terminated(BaseException):
    """SIGTERM arrived (a BaseException, like KeyboardInterrupt, so no `except Exception`
    swallows it)."""


EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def sigterm_raises() -> Iterator[None]:
    """Within the block, SIGTERM raises `Terminated` in the main thread."""
    if not _main_thread():
        yield
        return

    def raise_terminated(_signum: int, _frame: Any) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def shielded() -> Iterator[list[int]]:
    """Within the block, SIGINT and SIGTERM are noted (in the yielded list), not acted on."""
    received: list[int] = []
    if not _main_thread():
        yield received
        return

    def note(signum: int, _frame: Any) -> None:
        received.append(signum)

    previous = {sig: signal.signal(sig, note) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield received
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
