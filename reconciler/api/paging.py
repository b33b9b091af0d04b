"""Reading a whole `{"data", "limit", "offset", "total"}` listing, defensively.

The API defaults to 10 rows a page and may cap any limit we ask for, so the offset advances
by the rows actually received and the loop runs until `offset >= total`. A listing that
changes while it is read (a campaign created or deleted meanwhile) shifts rows between
pages, so it is read again from the start; a server that ignores `offset` is an error rather
than an endless loop. A call report (`grows`) only ever gains rows while a campaign dials: its
growth is read on to the new end instead, every row there was at the start having been seen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from reconciler.api.errors import ApiError

log = logging.getLogger("reconciler.api")

FetchPage = Callable[[int], Any]  # offset -> the decoded JSON envelope
OnRows = Callable[[list[dict]], None]  # a page's rows not seen before in this read


def collect(
    fetch: FetchPage,
    *,
    key: str,
    what: str,
    required: tuple[str, ...] = (),
    max_restarts: int = 3,
    on_rows: OnRows | None = None,
    grows: bool = False,
) -> list[dict]:
    """Every row of a listing, in server order, each `key` once.

    Rows must carry `key` (and each of `required`) as a non-empty string. The rows collected
    must number `total`: a listing that comes up short (rows repeated by an unstable sort,
    pages ending early) is read once more, then refused — never taken as a smaller tenant.
    `on_rows` is shown each page's new rows as they arrive, so work on them can start early;
    a listing read again shows them again. With `grows`, a `total` that rises between pages
    is rows appended (or inserted) meanwhile, not a change: paging goes on to the new total,
    rows seen twice are kept once, and the read is whole when it holds at least the first
    page's `total` (rows only added shift others to later pages, never past the reader).
    """
    short: str | None = None
    restarts = 0
    while True:
        rows, problem = _read_once(fetch, key=key, what=what, required=required,
                                   on_rows=on_rows, grows=grows)
        if problem is None:
            return rows
        if problem == _MOVED:
            restarts += 1
            if restarts > max_restarts:
                raise ApiError(
                    f"the {what} listing kept changing while it was read "
                    f"({max_restarts + 1} tries); try again when nothing else is changing it"
                )
            log.debug("%s listing changed while it was read; reading it again", what)
            continue
        if short is not None:
            raise ApiError(f"the {what} listing is inconsistent, twice in a row: {problem}")
        short = problem
        log.debug("%s listing inconsistent (%s); reading it once more", what, problem)


_MOVED = "total moved"


def _read_once(
    fetch: FetchPage, *, key: str, what: str, required: tuple[str, ...],
    on_rows: OnRows | None = None, grows: bool = False,
) -> tuple[list[dict], str | None]:
    """(rows, None), or (partial rows, why the read cannot be trusted)."""
    rows: list[dict] = []
    seen: set[Any] = set()
    offset = 0
    first_total: int | None = None
    last_total = 0
    first_page: list[Any] = []
    while True:
        data, total = _envelope(fetch(offset), what, offset)
        if first_total is None:
            first_total = last_total = total
        elif total != last_total and not (grows and total > last_total):
            return rows, _MOVED  # a growing report that shrinks changed in another way
        last_total = total
        fresh = 0
        page: list[Any] = []
        for row in data:
            ident = _row_key(row, key, required, what, offset)
            page.append(ident)
            if ident in seen:
                continue
            seen.add(ident)
            rows.append(row)
            fresh += 1
        if on_rows is not None and fresh:
            on_rows(rows[-fresh:])
        first_page = first_page or page
        if not data:
            if offset < total:
                return rows, (
                    f"it announced {total} rows but ended after {len(rows)} at offset {offset}"
                )
            return rows, None
        if fresh == 0 and offset and page == first_page[: len(page)]:
            raise ApiError(
                f"the {what} listing repeats itself at offset {offset}: the server seems to "
                "ignore the offset parameter"
            )
        offset += len(data)
        if offset >= total:
            if grows and len(rows) >= first_total:
                return rows, None
            if len(rows) != total:
                return rows, (
                    f"it announced {total} rows but gave {len(rows)} distinct ones "
                    "(rows repeated across pages: an unstable sort?)"
                )
            return rows, None


def _row_key(row: dict, key: str, required: tuple[str, ...], what: str, offset: int) -> Any:
    """The row's identity; a row missing it (or a required field) cannot be managed."""
    for name in (key, *required):
        value = row.get(name)
        if not _usable(value):
            ident = row.get(key)
            which = f"{key} {ident}" if _usable(ident) else f"near offset {offset}"
            raise ApiError(
                f"the {what} listing has a row ({which}) whose {name} is "
                f"{'missing' if value is None else repr(value)}: the tool cannot tell which "
                f"{what} it is, so it stops rather than guess (fix the {what} in the portal)"
            )
    return row[key]


def _usable(value: Any) -> bool:
    """A non-empty string (or an integer id, as some listings use)."""
    if isinstance(value, str):
        return bool(value)
    return isinstance(value, int) and not isinstance(value, bool)


def _envelope(payload: Any, what: str, offset: int) -> tuple[list[dict], int]:
    """(rows, total) of one page. Anything but `{data: [objects], total: int, ...}` is an
    error, never an empty listing (`data: null` only with `total: 0`, as Go encodes none)."""
    where = f"the {what} listing (offset {offset})"
    if not isinstance(payload, dict):
        raise ApiError(f"{where}: expected an object with 'data' and 'total', got "
                       f"{type(payload).__name__}")
    total = payload.get("total")
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise ApiError(f"{where}: 'total' is {total!r}, not a count; refusing to guess how "
                       "many there are")
    data = payload.get("data")
    if data is None and "data" in payload and total == 0:
        return [], 0
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        shown = "missing" if "data" not in payload else repr(data)[:60]
        raise ApiError(f"{where}: 'data' is {shown}, not a list of objects (total {total})")
    return data, total
