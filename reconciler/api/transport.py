"""One HTTP exchange over the session's pooled connections, without requests' per-call layers.

The `requests.Session` stays the single place of configuration: its adapters own the urllib3
pools and the retry policy, and proxies and the CA bundle come from the environment as
requests reads them. What is skipped per call is what costs: re-reading the environment
(proxy variables, on every request), cookie jars, hooks and `Response` objects. On a plan
of thousands of detail reads that is ~1 ms of client CPU per call, which is what bounded
their concurrency under the GIL; urllib3 directly needs about a third of it.

Failures are raised as the requests exceptions `HTTPAdapter.send` raises for them, so callers
(and their error messages) do not change. A redirect is handed back to requests, which
follows it as before.
"""

from __future__ import annotations

import codecs
import json
from sys import intern
from typing import Any
from urllib.parse import urlsplit

import requests
from requests import exceptions as rexc
from requests.adapters import HTTPAdapter
from urllib3 import Timeout
from urllib3.exceptions import (
    ClosedPoolError,
    ConnectTimeoutError,
    DecodeError,
    HTTPError,
    InvalidHeader,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ProxyError,
    ReadTimeoutError,
    ResponseError,
    SSLError,
)

REDIRECTS = frozenset({301, 302, 303, 307, 308})


class Answer:
    """The parts of an HTTP answer the client reads (what it used of `requests.Response`)."""

    __slots__ = ("status_code", "reason", "headers", "content", "url")

    def __init__(self, status_code: int, reason: str, headers: Any, content: bytes, url: str):
        self.status_code = status_code
        self.reason = reason
        self.headers = headers  # case-insensitive (urllib3 HTTPHeaderDict)
        self.content = content
        self.url = url

    def json(self) -> Any:
        """The decoded JSON body; ValueError when it is not JSON (as requests)."""
        return json.loads(self.content, object_pairs_hook=_shared_keys)

    @property
    def text(self) -> str:
        return self.content.decode(_charset(self.headers.get("Content-Type")), errors="replace")


def _shared_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose keys are the interpreter's one copy of each name. The decoder shares
    keys only within one document, so ten thousand campaign details would otherwise hold ten
    thousand copies of every field name: ~40% of their memory (for ~10 us per document)."""
    return {intern(key): value for key, value in pairs}


def _charset(content_type: str | None) -> str:
    for part in (content_type or "").split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            try:
                return codecs.lookup(value.strip("\"' ")).name
            except LookupError:
                break
    return "utf-8"


class Transport:
    """Sends requests for one API base URL through `session`'s adapters and pools."""

    def __init__(self, session: requests.Session, base_url: str, timeout: tuple[float, float]):
        self._session = session
        settings = session.merge_environment_settings(base_url, {}, None, session.verify, None)
        self._proxies: dict[str, str] = settings["proxies"] or {}
        self._verify = settings["verify"]
        self._cert = settings["cert"]
        self._headers = {k: v for k, v in session.headers.items() if v is not None}
        self._timeout = Timeout(connect=timeout[0], read=timeout[1])
        # A prepared request for the base URL tells an adapter which pool (scheme, host,
        # port, TLS settings, proxy) to use; every call goes to that host.
        self._probe = requests.Request("GET", base_url).prepare()
        self._absolute = _absolute_urls(base_url, self._proxies)
        self._prefix = urlsplit(base_url).path
        self._pools: dict[HTTPAdapter, Any] = {}

    def send(
        self, method: str, url: str, target: str, body: bytes | None, headers: dict[str, str]
    ) -> Answer | requests.Response:
        """One call: `url` is base URL + `target` (path and query)."""
        adapter = self._session.get_adapter(url)
        if not isinstance(adapter, HTTPAdapter):  # pragma: no cover
            return self._via_requests(method, url, body, headers)
        merged = {**self._headers, **headers}
        if body is not None:
            merged["Content-Length"] = str(len(body))
        elif method not in ("GET", "HEAD"):
            merged["Content-Length"] = "0"  # as requests sends it
        try:
            response = self._pool(adapter).urlopen(
                method,
                url if self._absolute else self._prefix + target,
                body=body,
                headers=merged,
                redirect=False,
                assert_same_host=False,
                preload_content=True,
                decode_content=True,
                retries=adapter.max_retries,
                timeout=self._timeout,
                chunked=False,
            )
        except (HTTPError, OSError) as exc:
            raise _as_requests_error(exc) from exc
        if response.status in REDIRECTS and response.headers.get("Location"):
            return self._via_requests(method, url, body, headers)
        return Answer(response.status, response.reason or "", response.headers,
                      response.data or b"", url)

    def _pool(self, adapter: HTTPAdapter) -> Any:
        """The adapter's urllib3 pool for the base URL, set up as requests sets it up; kept
        until it is closed (client closed, or evicted by the pool manager)."""
        pool = self._pools.get(adapter)
        if pool is None or pool.pool is None:
            finder = getattr(adapter, "get_connection_with_tls_context", None)
            if finder is not None:
                pool = finder(self._probe, self._verify, proxies=self._proxies, cert=self._cert)
            else:  # requests < 2.32
                pool = adapter.get_connection(self._probe.url, self._proxies)
            adapter.cert_verify(pool, self._probe.url, self._verify, self._cert)
            self._pools[adapter] = pool
        return pool

    def _via_requests(
        self, method: str, url: str, body: bytes | None, headers: dict[str, str]
    ) -> requests.Response:
        timeout = (self._timeout.connect_timeout, self._timeout.read_timeout)
        # `auth` that changes nothing: keeps requests from putting ~/.netrc credentials in
        # place of our Authorization header.
        return self._session.request(
            method, url, data=body, headers=headers, timeout=timeout, auth=_as_given
        )


def _as_given(request: requests.PreparedRequest) -> requests.PreparedRequest:
    return request


def _absolute_urls(base_url: str, proxies: dict[str, str]) -> bool:
    """Whether requests go out with absolute URLs (plain HTTP through an HTTP proxy)."""
    proxy = requests.utils.select_proxy(base_url, proxies)
    if not proxy or urlsplit(base_url).scheme == "https":
        return False
    return not urlsplit(proxy).scheme.lower().startswith("socks")


def _as_requests_error(exc: Exception) -> rexc.RequestException:
    """The exception requests' HTTPAdapter.send (or reading the body) raises for `exc`."""
    if isinstance(exc, (ProtocolError, OSError)):
        return rexc.ConnectionError(exc)
    if isinstance(exc, MaxRetryError):
        reason = exc.reason
        if isinstance(reason, ConnectTimeoutError) and not isinstance(reason, NewConnectionError):
            return rexc.ConnectTimeout(exc)
        if isinstance(reason, ResponseError):
            return rexc.RetryError(exc)
        if isinstance(reason, ProxyError):
            return rexc.ProxyError(exc)
        if isinstance(reason, SSLError):
            return rexc.SSLError(exc)
        return rexc.ConnectionError(exc)
    if isinstance(exc, ClosedPoolError):
        return rexc.ConnectionError(exc)
    if isinstance(exc, ProxyError):
        return rexc.ProxyError(exc)
    if isinstance(exc, SSLError):
        return rexc.SSLError(exc)
    if isinstance(exc, ReadTimeoutError):
        return rexc.ReadTimeout(exc)
    if isinstance(exc, InvalidHeader):
        return rexc.InvalidHeader(exc)
    if isinstance(exc, DecodeError):
        return rexc.ContentDecodingError(exc)
    return rexc.RequestException(exc)
