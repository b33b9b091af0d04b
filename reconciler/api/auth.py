"""Bearer tokens: a fixed one, or one fetched with an API key and fetched again when rejected.

The secret never leaves this module except inside the Authorization header of a request:
no repr, log line or exception message shows it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from reconciler.api.errors import ApiError
from reconciler.redact import redact, remember


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in: float | None = None  # seconds, as the server said (`expired_in`)


def bearer_header(token: str) -> str:
    """The Authorization header value for `token`."""
    return f"Bearer {token}"


def bearer_problem(token: str) -> str | None:
    """Why `token` cannot be sent as a bearer token (RFC 6750: visible ASCII), or None.
    Says where and what kind of character is wrong, never the character or the token."""
    for position, char in enumerate(token, start=1):
        if "!" <= char <= "~":
            continue
        if char == " ":
            kind = "a space"
        elif char in "\r\n":
            kind = "a line break"
        elif char.isascii() or 0x80 <= ord(char) <= 0x9F:
            kind = "a control character"
        else:
            kind = "not ASCII"
        return (
            f"character {position} of {len(token)} is {kind}, and a bearer token is visible "
            "ASCII only: letters, digits and punctuation"
        )
    return None



class TokenSource:
    """Hands out the current token; with an API key, exchanges it lazily and again after a 401.

    Thread-safe: of several calls rejected with the same token, the first to get the lock
    exchanges the key and the others reuse its result (or its failure).
    """

    # Refresh a token this long before the server said it expires.
    EXPIRY_MARGIN = 60.0

    def __init__(
        self,
        *,
        token: str | None = None,
        api_key: str | None = None,
        exchange: Callable[[str], IssuedToken] | None = None,
    ):
        if (token is None) == (api_key is None):
            raise ValueError("give exactly one of token and api_key")
        if api_key is not None and exchange is None:
            raise ValueError("an api_key needs an exchange function")
        self._token = token
        self._api_key = api_key
        self._exchange = exchange
        self._expires_at: float | None = None
        self._failure: tuple[str | None, ApiError] | None = None
        self._lock = threading.Lock()
        self.exchanges = 0  # how many times the key was exchanged (for logs and tests)
        self._secrets = {secret for secret in (token, api_key) if secret}  # + every token issued
        for secret in self._secrets:
            remember(secret)

    @property
    def refreshable(self) -> bool:
        """Whether a rejected token can be replaced (only with an API key)."""
        return self._api_key is not None

    @property
    def kind(self) -> str:
        return "api_key" if self.refreshable else "token"

    def current(self) -> str:
        """The token to send now; exchanges the key on first use or near expiry."""
        with self._lock:
            if self._token is None or self._expired():
                self._renew(self._token)
            assert self._token is not None
            return self._token

    def refresh(self, rejected: str) -> str:
        """A new token after `rejected` got a 401 (no-op if another thread already renewed)."""
        if not self.refreshable:
            raise ValueError("a fixed token cannot be refreshed")
        with self._lock:
            if self._token == rejected:
                self._renew(rejected)
            assert self._token is not None
            return self._token

    def _expired(self) -> bool:
        return self._expires_at is not None and time.monotonic() >= self._expires_at

    def _renew(self, stale: str | None) -> None:
        if self._failure is not None and self._failure[0] == stale:
            raise self._failure[1]  # this key was already refused (maybe for another thread)
        assert self._exchange is not None and self._api_key is not None
        try:
            issued = self._exchange(self._api_key)
        except ApiError as err:
            if err.status is not None and 400 <= err.status < 500:
                self._failure = (stale, err)  # the key itself was refused: do not ask again
            raise
        self.exchanges += 1
        self._failure = None
        self._token = issued.token
        self._secrets.add(issued.token)
        remember(issued.token)
        self._expires_at = None
        if issued.expires_in and issued.expires_in > 0:
            margin = min(self.EXPIRY_MARGIN, issued.expires_in / 10)
            self._expires_at = time.monotonic() + issued.expires_in - margin

    def redact(self, text: str) -> str:
        """`text` without any secret this source ever held, whole, quoted, or cut short by
        an ellipsis (error snippets are truncated)."""
        return redact(text, self._secrets.copy())

    def redact_error(self, err: ApiError) -> None:
        """Cut secrets from an error's message, field errors and URL (in place)."""
        err.message = self.redact(err.message)
        err.field_errors = [(self.redact(f), self.redact(m)) for f, m in err.field_errors]
        err.url = self.redact(err.url) if err.url else err.url
        err.args = (err._render(),)

    def __repr__(self) -> str:
        return f"TokenSource(kind={self.kind!r}, secret=<hidden>)"
