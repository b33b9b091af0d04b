"""The one connection pool a client uses: urllib3 (requests' own engine) called directly, with
the retry policy and the network settings of the environment, read once.

Why not `requests.Session`: a plan makes thousands of calls, and on a small machine their
CPU is what bounds its pace. One detail read cost 0.55-0.61 ms of CPU through requests
(preparing, merging settings, hooks, cookie jars, wrapping the answer), 0.29-0.33 ms through
urllib3 alone (plain http.client: 0.17 ms), measured against the emulator on this project's
2-core machine; a plan of 2,000 campaigns spends ~0.6 s less CPU. What requests did for this
client is done here, once, the way requests does it:

- proxies from the environment (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY, any case),
  read with requests' own rules for the one API URL, credentials in a proxy URL sent as
  Proxy-Authorization;
- TLS verified against requests' CA bundle (certifi), or the one the environment names
  (REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, SSL_CERT_FILE);
- `pool_size` keep-alive connections that threads wait for rather than opening throw-away
  ones; every answer is read in full, so connections come back;
- answers decoded (gzip, deflate) and read as requests would (`Answer`).

Redirects are not followed: a 3xx is an answer the client does not understand, so an error
(requests would follow it, turning a redirected POST into a GET).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlsplit

import urllib3
from urllib3.util import Timeout, make_headers

from reconciler.api.retry import IDEMPOTENT_METHODS, ApiRetry, RetrySettings, build_retry
from reconciler.errors import ConfigError

TOKEN_PATH = "/v3/auth/token"
USER_AGENT = "reconciler (TEL4VN campaign reconciler)"
# Where a private CA bundle may be named, in the order requests (then OpenSSL) reads them.
CA_BUNDLE_ENV = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")
_HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept": "application/json",
    **make_headers(accept_encoding=True),
}


class Answer:
    """A whole answer, read the way `requests.Response` reads one (the attributes this
    client uses: status_code, reason, headers, content, url, text, json)."""

    __slots__ = ("status_code", "reason", "headers", "content", "url")

    def __init__(self, raw: urllib3.BaseHTTPResponse, url: str) -> None:
        self.status_code: int = raw.status
        self.reason: str = raw.reason or ""
        self.headers = raw.headers  # case-insensitive
        self.content: bytes = raw.data
        self.url = url

    @property
    def text(self) -> str:
        """The body as text: the charset the answer names, else UTF-8; bad bytes replaced."""
        return self.content.decode(self._charset() or "utf-8", errors="replace")

    def json(self, **kwargs: Any) -> Any:
        """The decoded JSON body; ValueError when it is not JSON. Like requests: the named
        charset, else the UTF encoding the bytes show (json's own rule), bad bytes replaced."""
        encoding = self._charset() or json.detect_encoding(self.content)
        return json.loads(self.content.decode(encoding, errors="replace"), **kwargs)

    def _charset(self) -> str | None:
        kind = self.headers.get("Content-Type") or ""
        for param in kind.split(";")[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "charset" and value.strip(" \"'"):
                charset = value.strip(" \"'")
                try:
                    "".encode(charset)
                except LookupError:
                    return None
                return charset
        return None


class Transport:
    """Sends one request (with the retry policy) and returns the whole `Answer`.

    Thread-safe: urllib3's pool hands each thread a connection, blocking when all
    `pool_size` are busy."""

    def __init__(
        self, base_url: str, *, pool_size: int, retry: RetrySettings, verify: bool | str
    ) -> None:
        settings: dict[str, Any] = {
            "num_pools": 4, "maxsize": pool_size, "block": True, "retries": False,
        }
        if urlsplit(base_url).scheme == "https":
            settings.update(tls_settings(environment_verify(verify)))
        self.proxy = environment_proxy(base_url)
        self.manager = pool_manager(self.proxy, settings)
        self.retry: ApiRetry = build_retry(retry)
        # Exchanging the API key is safe to repeat (it only issues a token), so that POST
        # gets the same retries as the idempotent calls.
        self.token_retry: ApiRetry = build_retry(retry, methods=IDEMPOTENT_METHODS | {"POST"})
        self._token_url = base_url + TOKEN_PATH
        # Without a proxy every call goes to the one pool of the API's host: asked directly
        # with the path, it skips the manager's per-call URL parsing and pool lookup.
        parts = urlsplit(base_url)
        self._origin_length = len(f"{parts.scheme}://{parts.netloc}")
        self._pool = None if self.proxy else self.manager.connection_from_url(base_url)

    def request(
        self, method: str, url: str, *, body: bytes | None = None,
        headers: Mapping[str, str] | None = None, timeout: tuple[float, float],
    ) -> Answer:
        """`url` is the base URL followed by a path. Raises urllib3's exceptions
        (`urllib3.exceptions.HTTPError`) on no answer."""
        options: dict[str, Any] = {
            "body": body, "headers": {**_HEADERS, **(headers or {})},
            "retries": self.token_retry if url == self._token_url else self.retry,
            "timeout": _timeout(*timeout),
            "redirect": False, "preload_content": True, "decode_content": True,
        }
        if self._pool is None:
            raw = self.manager.urlopen(method, url, **options)
        else:
            raw = self._pool.urlopen(
                method, url[self._origin_length:], assert_same_host=False, **options
            )
        return Answer(raw, url)

    def connections(self) -> int:
        """How many connections the pools have opened so far (for tests and logs)."""
        return sum(self.manager.pools[key].num_connections for key in self.manager.pools.keys())

    def close(self) -> None:
        self.manager.clear()


@lru_cache(maxsize=8)
def _timeout(connect: float, read: float) -> Timeout:
    """urllib3's timeout object, built once per setting (it is immutable)."""
    return Timeout(connect=connect, read=read)


def build_session(
    base_url: str, *, pool_size: int, retry: RetrySettings, verify: bool | str
) -> Transport:
    return Transport(base_url, pool_size=pool_size, retry=retry, verify=verify)


def pool_manager(proxy: str | None, settings: dict[str, Any]) -> urllib3.PoolManager:
    """A plain pool manager, or one that goes through `proxy` (CONNECT for https)."""
    if not proxy:
        return urllib3.PoolManager(**settings)
    parts = urlsplit(proxy)
    headers = {}
    if parts.username:
        credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        headers = make_headers(proxy_basic_auth=credentials)
    if parts.scheme.startswith("socks"):
        try:
            from urllib3.contrib.socks import SOCKSProxyManager
        except ImportError:
            raise ConfigError(
                f"the proxy {parts.scheme}://{parts.hostname} needs SOCKS support: "
                "pip install PySocks"
            ) from None
        return SOCKSProxyManager(proxy, **settings)
    if parts.scheme not in ("http", "https"):
        raise ConfigError(f"the proxy URL must be http(s):// or socks5://, not {parts.scheme}://")
    return urllib3.ProxyManager(proxy, proxy_headers=headers, **settings)


def environment_proxy(base_url: str) -> str | None:
    """The proxy requests would use for `base_url`: from the environment (HTTPS_PROXY,
    HTTP_PROXY, ALL_PROXY, any case; the system's settings on macOS and Windows), None when
    NO_PROXY covers the URL. Resolved for the base URL alone: every call goes to that host."""
    from urllib.request import getproxies  # what requests reads

    proxy = select_proxy(base_url, getproxies())
    if proxy is None:
        return None
    from requests.utils import should_bypass_proxies  # requests' NO_PROXY rules, only if needed

    return None if should_bypass_proxies(base_url, no_proxy=None) else proxy


def select_proxy(base_url: str, proxies: Mapping[str, str]) -> str | None:
    """The proxy requests would pick for `base_url` (scheme://host, scheme, all://host, all),
    `http://` assumed when it names none."""
    parts = urlsplit(base_url)
    for key in (f"{parts.scheme}://{parts.hostname}", parts.scheme,
                f"all://{parts.hostname}", "all"):
        if proxies.get(key):
            proxy = proxies[key]
            return proxy if "://" in proxy else f"http://{proxy}"
    return None


def environment_verify(verify: bool | str, environ: Mapping[str, str] | None = None) -> bool | str:
    """TLS verification: off or an explicit bundle as given; else the first CA bundle the
    environment names (requests itself ignores SSL_CERT_FILE, OpenSSL's variable), else
    requests' default bundle."""
    if verify is not True:
        return verify
    env = os.environ if environ is None else environ
    for name in CA_BUNDLE_ENV:
        if env.get(name):
            return env[name]
    return True


def tls_settings(verify: bool | str) -> dict[str, Any]:
    """urllib3's TLS settings for `verify` as requests reads it: False -> no verification,
    True -> certifi's bundle (requests' default), a path -> that bundle file or directory."""
    if verify is False:
        return {"cert_reqs": "CERT_NONE"}
    if verify is True:
        import certifi  # requests' own default bundle

        return {"cert_reqs": "CERT_REQUIRED", "ca_certs": certifi.where()}
    if not os.path.exists(verify):
        raise ConfigError(f"the CA bundle {verify!r} does not exist (check REQUESTS_CA_BUNDLE, "
                          "CURL_CA_BUNDLE and SSL_CERT_FILE)")
    if os.path.isdir(verify):
        return {"cert_reqs": "CERT_REQUIRED", "ca_cert_dir": verify}
    return {"cert_reqs": "CERT_REQUIRED", "ca_certs": verify}
