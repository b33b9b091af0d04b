"""The one `requests.Session` a client uses: pooled keep-alive connections, retry policy, and
the network settings of the environment, read once.

Every call goes through `Session.request`, as requests intends. Two documented settings keep
its per-call cost down (a plan makes thousands of calls, and on a small machine their CPU is
what bounds the pace):

- `trust_env = False`, with what the environment says for the one API URL resolved here once
  (proxy, NO_PROXY, CA bundle) and set on the session; otherwise requests re-reads the proxy
  variables and ~/.netrc on every call (a third of its per-call CPU: 576 -> 419 us per
  detail read, measured against the emulator on this project's 2-core machine).
- A pool of `pool_size` connections that threads wait for (`pool_block`) rather than opening
  throw-away ones; every response is read in full, so connections come back.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import requests
from requests.adapters import HTTPAdapter
from requests.utils import get_environ_proxies

from reconciler.api.retry import IDEMPOTENT_METHODS, RetrySettings, build_retry

TOKEN_PATH = "/v3/auth/token"
USER_AGENT = "reconciler (TEL4VN campaign reconciler)"
# Where a private CA bundle may be named, in the order requests (then OpenSSL) reads them.
CA_BUNDLE_ENV = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")


def build_session(
    base_url: str, *, pool_size: int, retry: RetrySettings, verify: bool | str
) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # read below, once: see the module docstring
    session.proxies.update(environment_proxies(base_url))
    session.verify = environment_verify(verify)
    session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
    adapter = HTTPAdapter(
        pool_connections=4, pool_maxsize=pool_size, pool_block=True,
        max_retries=build_retry(retry),
    )
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    # Exchanging the API key is safe to repeat (it only issues a token), so that POST gets
    # the same retries as the idempotent calls. requests picks the longest matching prefix.
    token_adapter = HTTPAdapter(
        pool_connections=1, pool_maxsize=1,
        max_retries=build_retry(retry, methods=IDEMPOTENT_METHODS | {"POST"}),
    )
    session.mount(base_url + TOKEN_PATH, token_adapter)
    return session


def environment_proxies(base_url: str) -> dict[str, str]:
    """The proxies for `base_url` as requests reads them from the environment (HTTPS_PROXY,
    HTTP_PROXY, ALL_PROXY, NO_PROXY, any case); {} when NO_PROXY covers the URL. Resolved for
    the base URL alone: every call goes to that host."""
    return dict(get_environ_proxies(base_url))


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
