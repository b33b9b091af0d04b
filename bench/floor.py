"""The network floor: list every campaign page, then GET every campaign's detail, nothing else.

No validation, no decoding of details, no diff: the least any refresh must do over HTTP.
`--workers 8` is the floor (8 keep-alive connections of one pooled session);
`--workers 1` is the serial, terraform-style refresh the goal compares against.
`--raw` makes the same calls over plain `http.client` connections (one per worker, kept
alive), without `requests`: the independent floor, what the wire and the server alone cost.

.venv/bin/python bench/floor.py URL TOKEN [--workers N] [--page-size 100] [--raw]

Prints one line: `campaigns=N requests=M fetch_s=S` (S excludes interpreter start-up).
"""

from __future__ import annotations

import argparse
import http.client
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode, urlsplit

import requests
from requests.adapters import HTTPAdapter

Get = Callable[[str], bytes]  # path with query -> the answer's body (a 200, read in full)


def requests_get(base: str, token: str, workers: int) -> Get:
    """GETs over one `requests.Session` whose pool keeps `workers` connections."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=1, pool_maxsize=workers, pool_block=True)
    session.mount("http://", adapter)
    session.headers["Authorization"] = f"Bearer {token}"

    def get(target: str) -> bytes:
        response = session.get(base + target)
        response.raise_for_status()
        return response.content

    return get


def raw_get(base: str, token: str) -> Get:
    """GETs over plain `http.client`: each thread keeps one connection alive."""
    parts = urlsplit(base)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    local = threading.local()

    def get(target: str) -> bytes:
        connection = getattr(local, "connection", None)
        if connection is None:
            connection = local.connection = http.client.HTTPConnection(
                parts.hostname, parts.port, timeout=30
            )
        connection.request("GET", target, headers=headers)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise SystemExit(f"GET {target}: {response.status}")
        return body

    return get


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("token")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--raw", action="store_true", help="http.client, not requests")
    args = parser.parse_args()

    started = time.perf_counter()
    base = args.url.rstrip("/")
    get = raw_get(base, args.token) if args.raw else requests_get(base, args.token, args.workers)

    uuids: list[str] = []
    offset, total, calls = 0, None, 0
    while total is None or offset < total:
        query = urlencode({"limit": args.page_size, "offset": offset})
        page = json.loads(get(f"/v3/campaign?{query}"))
        calls += 1
        rows = page["data"] or []
        if not rows:
            break
        uuids.extend(row["campaign_uuid"] for row in rows)
        offset += len(rows)
        total = page["total"]

    def detail(uuid: str) -> int:
        return len(get(f"/v3/campaign/{uuid}"))

    if args.workers == 1:
        for uuid in uuids:
            detail(uuid)
    else:
        # The listing ran on this thread's connection, the details on the workers': never
        # more than `workers` in flight.
        with ThreadPoolExecutor(max_workers=args.workers) as pool:
            list(pool.map(detail, uuids))
    calls += len(uuids)
    elapsed = time.perf_counter() - started
    print(f"campaigns={len(uuids)} requests={calls} fetch_s={elapsed:.4f}")


if __name__ == "__main__":
    main()
