"""The one `requests.Session` a client uses: pooled keep-alive connections, retry policy.

Thousands of detail reads from a thread pool must reuse a few warm connections instead of
opening one per call, so the adapter keeps up to `pool_size` connections per host.
"""

from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter

from reconciler.api.retry import IDEMPOTENT_METHODS, RetrySettings, build_retry

TOKEN_PATH = "/v3/auth/token"
USER_AGENT = "reconciler (TEL4VN campaign reconciler)"


def build_session(
    base_url: str, *, pool_size: int, retry: RetrySettings, verify: bool | str
) -> requests.Session:
    session = requests.Session()
    session.verify = verify
    session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
    # pool_block: more threads than connections wait for a free one rather than opening
    # throw-away connections (every response is read in full, so connections come back).
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
