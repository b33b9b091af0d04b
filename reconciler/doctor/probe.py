"""`Probe`: raw calls for the doctor, which must see statuses and bodies exactly as answered.

`ApiClient` turns answers into data or errors (that is its job); the doctor needs the answer
itself: a 200 carrying `{"error": ...}`, an envelope missing `total`, a 404's exact body.
Credentials, retries and redaction are those of the client, so what works here works there.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from urllib3.exceptions import HTTPError as TransportError

from reconciler.api.auth import IssuedToken, TokenSource, bearer_header
from reconciler.api.client import API_KEY_ENV, TOKEN_ENV, ApiClient
from reconciler.api.errors import ApiError, describe_transport_error
from reconciler.api.retry import call_scope
from reconciler.api.session import TOKEN_PATH, build_session

_NOT_JSON = object()
log = logging.getLogger("reconciler.api")


@dataclass
class Reply:
    """One answer: its status and its decoded JSON body (or the raw text if not JSON)."""

    status: int
    body: Any
    text: str

    @property
    def is_json(self) -> bool:
        return self.body is not _NOT_JSON

    @property
    def error(self) -> Any:
        """The body's `error` value (a message or a problem list), None when there is none."""
        return self.body.get("error") if isinstance(self.body, dict) else None

    @property
    def failed(self) -> bool:
        """A failure as the tool reads answers: an error status, or an `error` in the body."""
        return not 200 <= self.status < 300 or self.error is not None

    def brief(self, limit: int = 160) -> str:
        """`404 {"error": "Not Found"}`, cut short."""
        shown = json.dumps(self.body, ensure_ascii=False) if self.is_json else self.text
        shown = " ".join(shown.split())
        if len(shown) > limit:
            shown = shown[: limit - 1] + "…"
        return f"{self.status} {shown}".rstrip()


class Probe:
    """Sends single calls with the tool's credentials and retry policy; keeps raw answers."""

    def __init__(self, client: ApiClient, *, token: str | None, api_key: str | None) -> None:
        # The client validated the URL, credentials and backoff settings; reuse its results.
        self.base_url = client.base_url
        self.timeout = client.timeout
        self.retry = client.retry
        self._session = build_session(self.base_url, pool_size=2, retry=self.retry, verify=True)
        self.tokens = TokenSource(token=token, api_key=api_key, exchange=self._exchange)
        self.exchange_reply: Reply | None = None  # the last answer of POST /v3/auth/token

    @classmethod
    def from_env(cls, base_url: str, environ: Mapping[str, str] | None = None) -> Probe:
        """Credentials as every command reads them: RECONCILER_TOKEN, else RECONCILER_API_KEY."""
        env = os.environ if environ is None else environ
        with ApiClient.from_env(base_url, pool_size=1, environ=env) as client:
            token = env.get(TOKEN_ENV, "").strip() or None
            api_key = None if token else env.get(API_KEY_ENV, "").strip() or None
            return cls(client, token=token, api_key=api_key)

    @property
    def uses_api_key(self) -> bool:
        return self.tokens.refreshable

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> Probe:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def redact(self, text: str) -> str:
        return self.tokens.redact(text)

    # -- calls -------------------------------------------------------------------------------

    def call(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
             body: Any = None, token: str | None = None) -> Reply:
        """One call with the current token (or `token`); a 401 with an exchanged token renews
        it once, as the client does. No answer at all raises `ApiError`."""
        use = token if token is not None else self.tokens.current()
        reply = self._send(method, path, params, body, use)
        if reply.status == 401 and token is None and self.tokens.refreshable:
            reply = self._send(method, path, params, body, self.tokens.refresh(use))
        return reply

    def get(self, path: str, **params: Any) -> Reply:
        return self.call("GET", path, params=params or None)

    def campaign_path(self, uuid: str) -> str:
        return f"/v3/campaign/{quote(uuid, safe='')}"

    def _send(self, method: str, path: str, params: Mapping[str, Any] | None, body: Any,
              token: str | None) -> Reply:
        target = f"{path}?{urlencode(params)}" if params else path
        headers = {}
        payload = None
        if body is not None:
            payload = json.dumps(body, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        if token is not None:
            headers["Authorization"] = bearer_header(token)
        started = time.perf_counter()
        with call_scope(self.retry.deadline):
            try:
                response = self._session.request(
                    method, self.base_url + target, body=payload, headers=headers,
                    timeout=self.timeout,
                )
            except TransportError as exc:
                cause = describe_transport_error(exc, self.timeout)
                log.debug("%s %s -> no answer: %s", method, target, cause)
                raise ApiError(cause, method=method, path=path,
                               url=self.base_url + path) from None
        log.debug("%s %s -> %d (%.0f ms)", method, target, response.status_code,
                  (time.perf_counter() - started) * 1000)
        try:
            decoded: Any = response.json()
        except ValueError:
            decoded = _NOT_JSON
        return Reply(response.status_code, decoded, response.text)

    def _exchange(self, api_key: str) -> IssuedToken:
        """POST /v3/auth/token, keeping the raw answer for the doctor's auth check."""
        reply = self._send("POST", TOKEN_PATH, None, {"api_key": api_key}, None)
        self.exchange_reply = reply
        token = reply.body.get("token") if isinstance(reply.body, dict) else None
        if reply.failed or not isinstance(token, str) or not token:
            raise ApiError(f"the API key exchange answered {self.redact(reply.brief())}",
                           status=reply.status, method="POST", path=TOKEN_PATH)
        expires = reply.body.get("expired_in")
        valid = isinstance(expires, int | float) and not isinstance(expires, bool)
        return IssuedToken(token, float(expires) if valid and expires > 0 else None)
