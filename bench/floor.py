"""The network floor: list every campaign page, then GET every campaign's detail, nothing else.

No validation, no decoding of details, no diff: the least any refresh must do over HTTP.
`--workers 8` is the floor (8 keep-alive connections of one pooled session);
`--workers 1` is the serial, terraform-style refresh the goal compares against.

.venv/bin/python bench/floor.py URL TOKEN [--workers N] [--page-size 100]

Prints one line: `campaigns=N requests=M fetch_s=S` (S excludes interpreter start-up).
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from requests.adapters import HTTPAdapter


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("token")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--page-size", type=int, default=100)
    args = parser.parse_args()

    started = time.perf_counter()
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=1, pool_maxsize=args.workers, pool_block=True)
    session.mount("http://", adapter)
    session.headers["Authorization"] = f"Bearer {args.token}"
    base = args.url.rstrip("/")

    uuids: list[str] = []
    offset, total, calls = 0, None, 0
    while total is None or offset < total:
        page = session.get(
            f"{base}/v3/campaign", params={"limit": args.page_size, "offset": offset}
        ).json()
        calls += 1
        rows = page["data"] or []
        if not rows:
            break
        uuids.extend(row["campaign_uuid"] for row in rows)
        offset += len(rows)
        total = page["total"]

    def detail(uuid: str) -> int:
        response = session.get(f"{base}/v3/campaign/{uuid}")
        response.raise_for_status()
        return len(response.content)

    if args.workers == 1:
        for uuid in uuids:
            detail(uuid)
    else:
        with ThreadPoolExecutor(max_workers=args.workers) as pool:
            list(pool.map(detail, uuids))
    calls += len(uuids)
    elapsed = time.perf_counter() - started
    print(f"campaigns={len(uuids)} requests={calls} fetch_s={elapsed:.4f}")


if __name__ == "__main__":
    main()
