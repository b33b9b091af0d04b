"""Bearer tokens: the static token given at start, and tokens exchanged for the API key.

Issued tokens live `TOKEN_LIFETIME` seconds like the vendor's, and a test can expire them all
at once to exercise a client's re-exchange on 401.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time

TOKEN_LIFETIME = 86400  # seconds; what /v3/auth/token reports as expired_in


class TokenBook:
    """Knows which bearer tokens are valid right now."""

    def __init__(self, token: str, api_key: str) -> None:
        self.static_token = token
        self.api_key = api_key
        self._issued: dict[str, float] = {}  # token -> monotonic expiry
        self._queued: list[str] = []  # tokens to issue next, in order (set by tests)
        self._lock = threading.Lock()

    def exchange(self, api_key: object) -> str | None:
        """A new token for the right API key, else None."""
        if not isinstance(api_key, str) or not hmac.compare_digest(
            api_key.encode(), self.api_key.encode()
        ):
            return None
        with self._lock:
            token = self._queued.pop(0) if self._queued else secrets.token_urlsafe(32)
            self._issued[token] = time.monotonic() + TOKEN_LIFETIME
        return token

    def issue_next(self, *tokens: str) -> None:
        """Hand out these tokens (any text: a broken gateway's, say) at the next exchanges."""
        with self._lock:
            self._queued.extend(tokens)

    def authorized(self, header: str | None) -> bool:
        """Whether an `Authorization` header carries a currently valid bearer token."""
        if not header:
            return False
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return False
        if self.static_token and hmac.compare_digest(token.encode(), self.static_token.encode()):
            return True
        with self._lock:
            expiry = self._issued.get(token)
            if expiry is None:
                return False
            if expiry < time.monotonic():
                del self._issued[token]
                return False
            return True

    def expire_all(self, include_static: bool = False) -> None:
        """Invalidate every issued token (and the static one too if asked)."""
        with self._lock:
            self._issued.clear()
            if include_static:
                self.static_token = ""
