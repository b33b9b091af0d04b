"""When and how long to retry: urllib3's `Retry`, plus a per-call deadline and a Retry-After cap.

The policy lives on the session's adapter, so every call gets it without a hand-rolled loop.
What urllib3 lacks is a bound on the *total* time one call may spend retrying; the adapter is
shared by all threads, so the deadline of the call in flight travels in a context variable
that `ApiClient` sets around each request (each thread has its own).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from urllib3.exceptions import (
    ConnectTimeoutError,
    InvalidHeader,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    ResponseError,
)
from urllib3.util.retry import Retry

log = logging.getLogger("reconciler.api")
# One line per retry, for a person watching a terminal (the CLI shows these there).
notices = logging.getLogger("reconciler.retries")

# Worth another try: rate limited, or a gateway that could not reach a healthy backend.
RETRY_STATUSES = frozenset({429, 502, 503, 504})
# Answers proving the request was turned away unprocessed, so even a POST may be re-sent.
REFUSED_STATUSES = frozenset({429})
# Idempotent against this API: GET reads, PUT replaces whole, PATCH sets a flag, DELETE deletes.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class RetrySettings:
    """Defaults suit a real tenant; tests shrink the waits."""

    max_retries: int = 6  # retries after the first attempt
    backoff_factor: float = 0.5  # waits 0, 1, 2, 4, 8 s... (+ jitter up to one factor)
    backoff_max: float = 10.0
    retry_after_max: float = 30.0  # never wait longer than this on a server's Retry-After
    deadline: float = 60.0  # total seconds one call may spend, retries included


@dataclass
class CallState:
    """What the retry policy needs to know about the call in flight."""

    deadline: float | None  # time.monotonic() value; None = attempt count only
    retries: int = 0
    first_contact: bool = False  # no answer from this API yet: a refused connection is final


_CALL: ContextVar[CallState | None] = ContextVar("reconciler_api_call", default=None)


@contextmanager
def call_scope(
    deadline_seconds: float | None, *, first_contact: bool = False
) -> Iterator[CallState]:
    """Mark the current thread's next request(s) with a deadline (and whether the API has
    ever answered); yields the retry count."""
    limit = None if deadline_seconds is None else time.monotonic() + deadline_seconds
    state = CallState(deadline=limit, first_contact=first_contact)
    token = _CALL.set(state)
    try:
        yield state
    finally:
        _CALL.reset(token)


class ApiRetry(Retry):
    """urllib3 `Retry` that caps Retry-After, ignores a malformed one, lets refused (429)
    requests be re-sent whatever the method, and gives up when the next wait would overrun
    the call's deadline."""

    def __init__(self, *args: Any, retry_after_cap: float = 30.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retry_after_cap = retry_after_cap
        self._planned_wait: float | None = None

    def new(self, **kwargs: Any) -> ApiRetry:
        kwargs.setdefault("retry_after_cap", self.retry_after_cap)
        return super().new(**kwargs)

    def parse_retry_after(self, retry_after: str) -> float:
        return min(super().parse_retry_after(retry_after), self.retry_after_cap)

    def get_retry_after(self, response: Any) -> float | None:
        try:
            return super().get_retry_after(response)
        except InvalidHeader:  # a date we cannot read: fall back to our own backoff
            return None

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if status_code in REFUSED_STATUSES and status_code in self.status_forcelist:
            return True
        return super().is_retry(method, status_code, has_retry_after)

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: TracebackType | None = None,
    ) -> ApiRetry:
        new = super().increment(method, url, response, error, _pool, _stacktrace)
        wait = new._wait_for(response)
        cause = f"{response.status}" if response is not None else type(error).__name__
        state = _CALL.get()
        if state is not None and state.first_contact and isinstance(error, NewConnectionError):
            # Nothing has ever answered at this URL: retrying would only delay the real
            # message (wrong URL, server not started) by up to a minute.
            log.debug("not retrying %s %s: %s before any answer", method, url, cause)
            raise MaxRetryError(_pool, url, error) from error
        if state is not None:
            if state.deadline is not None and time.monotonic() + wait > state.deadline:
                log.debug("giving up on %s %s after %s: retry deadline reached", method, url, cause)
                reason = error or ResponseError(f"retry deadline reached after {cause}")
                raise MaxRetryError(_pool, url, reason) from reason  # type: ignore[arg-type]
            state.retries += 1
        attempt = len(new.history) + 1
        log.debug(
            "retrying %s %s after %s (attempt %d in %.2fs)", method, url, cause, attempt, wait
        )
        notices.info(
            "retrying %s %s after %s (retry %d, in %.1f s)",
            method, url, _readable(response, error), attempt - 1, wait,
        )
        new._planned_wait = wait
        return new

    def _wait_for(self, response: Any) -> float:
        """The pause before the next attempt: the server's Retry-After, else our backoff."""
        if response is not None and self.respect_retry_after_header:
            retry_after = self.get_retry_after(response)
            if retry_after:
                return retry_after
        return self.get_backoff_time()

    def sleep(self, response: Any = None) -> None:
        # Sleep exactly what `increment` measured against the deadline (jitter is random).
        if self._planned_wait is None:
            super().sleep(response)
        elif self._planned_wait > 0:
            time.sleep(self._planned_wait)


def _readable(response: Any, error: Exception | None) -> str:
    """A retry's cause in a few words: `503 Service Unavailable`, `connection refused`."""
    if response is not None:
        return f"{response.status} {response.reason or ''}".strip()
    if isinstance(error, NewConnectionError):
        return "connection refused" if "refused" in str(error).lower() else "no connection"
    if isinstance(error, ConnectTimeoutError):
        return "a connect timeout"
    if isinstance(error, ReadTimeoutError):
        return "a read timeout"
    if isinstance(error, ProtocolError):
        return "a dropped connection"
    return type(error).__name__


def build_retry(
    settings: RetrySettings, *, methods: frozenset[str] = IDEMPOTENT_METHODS
) -> ApiRetry:
    """The adapter's policy: retry connection failures for any method (nothing was sent),
    read failures and 429/502/503/504 only for `methods`, never other errors (e.g. TLS)."""
    return ApiRetry(
        total=settings.max_retries,
        connect=None,
        read=None,
        status=None,
        other=0,
        redirect=0,
        allowed_methods=methods,
        status_forcelist=RETRY_STATUSES,
        backoff_factor=settings.backoff_factor,
        backoff_max=settings.backoff_max,
        backoff_jitter=settings.backoff_factor,
        respect_retry_after_header=True,
        raise_on_status=False,  # hand back the last error answer: its body says why
        raise_on_redirect=False,
        retry_after_cap=settings.retry_after_max,
    )
