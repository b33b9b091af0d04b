"""Reading a whole `{"data", "limit", "offset", "total"}` listing, defensively.

The API defaults to 10 rows a page and may cap any limit we ask for, so the offset advances
by the rows actually received and the loop runs until `offset >= total`. A listing that
changes while it is read (a campaign created or deleted meanwhile) shifts rows between
pages, so it is read again from the start; a server that ignores `offset` is an error rather
than an endless loop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from reconciler.api.errors import ApiError

log = logging.getLogger("reconciler.api")

FetchPage = Callable[[int], Any]  # offset -> the decoded JSON envelope


def collect(fetch: FetchPage, *, key: str, what: str, max_restarts: int = 3) -> list[dict]:
    """Every row of a listing, in server order, each `key` once."""
    for attempt in range(max_restarts + 1):
        rows = _read_once(fetch, key=key, what=what)
        if rows is not None:
            return rows
        log.debug("%s listing changed while it was read; reading it again (%d)", what, attempt + 1)
    raise ApiError(
        f"the {what} listing kept changing while it was read ({max_restarts + 1} tries); "
        "try again when nothing else is changing it"
    )


def _read_once(fetch: FetchPage, *, key: str, what: str) -> list[dict] | None:
    """The rows, or None when `total` moved between pages (the caller starts over)."""
    rows: list[dict] = []
    seen: set[Any] = set()
    offset = 0
    first_total: int | None = None
    while True:
        data, total = _envelope(fetch(offset), what)
        if first_total is None:
            first_total = total
        elif total is not None and total != first_total:
            return None
        fresh = 0
        for row in data:
            ident = row.get(key)
            if ident is not None:
                if ident in seen:
                    continue
                seen.add(ident)
            rows.append(row)
            fresh += 1
        if not data:
            if total is not None and offset < total:
                log.warning(
                    "%s listing ended at %d rows although the server announced %d",
                    what, offset, total,
                )
            return rows
        if fresh == 0:
            raise ApiError(
                f"the {what} listing repeats itself at offset {offset}: the server seems to "
                "ignore the offset parameter"
            )
        offset += len(data)
        if total is not None and offset >= total:
            return rows


def _envelope(payload: Any, what: str) -> tuple[list[dict], int | None]:
    """(rows, total) of one page; `data: null` counts as no rows, a missing total as unknown."""
    if not isinstance(payload, dict):
        raise ApiError(f"unexpected {what} listing: expected an object with 'data'")
    data = payload.get("data") or []
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise ApiError(f"unexpected {what} listing: 'data' is not a list of objects")
    total = payload.get("total")
    if isinstance(total, bool) or not isinstance(total, int):
        total = None
    return data, total
