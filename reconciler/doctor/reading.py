"""The read-only checks: auth, paging, list rows vs details, carriers and templates, errors.

Each function checks one assumption the tool makes about the API and returns one `Result`;
none of them writes anything.
"""

from __future__ import annotations

import math
import uuid as uuidlib
from typing import Any

from reconciler.doctor.probe import Probe, Reply
from reconciler.doctor.result import Result, assumption, differs, ok, shown, skipped
from reconciler.template_fields import LOCK_NAME

CAMPAIGNS = "/v3/campaign"
CARRIERS = "/v3/carrier"
TEMPLATES = "/v3/template"
DOCUMENTED_DEFAULT_LIMIT = 10
BIG_LIMIT = 500  # asked for to find a page cap
MAX_TOTAL_PAGES = 5  # pages read to compare `total` across pages

# Documented differences between a list row and the detail of the same campaign.
SUMMARY_NULL_FIELDS = ("schedules", "users", "groups", "statuses")  # null in rows
JOINED_FIELDS = ("carrier_name", "template_name")  # empty in details


class Listing:
    """One page of a `{data, limit, offset, total}` listing, or why it is not one."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.rows: list[dict[str, Any]] = []
        self.total: int | None = None
        self.problem = self._read(reply)

    def _read(self, reply: Reply) -> str | None:
        if reply.failed:
            return f"answered {reply.brief()}"
        body = reply.body
        if not isinstance(body, dict):
            return f"answered {reply.brief()}, not an object"
        data, total = body.get("data"), body.get("total")
        if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
            return f"'data' is {shown(data, 60)}, not a list of objects"
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            return f"'total' is {shown(total, 60)}, not a count"
        self.rows, self.total = data, total
        return None

    def keys(self, key: str) -> list[Any]:
        return [row.get(key) for row in self.rows]


def campaign_page(probe: Probe, **params: Any) -> Listing:
    return Listing(probe.get(CAMPAIGNS, **params))


# -- auth ------------------------------------------------------------------------------------

@assumption("auth: token accepted")
def check_token(probe: Probe, name: str) -> Result:
    how = "RECONCILER_API_KEY" if probe.uses_api_key else "RECONCILER_TOKEN"
    reply = probe.get(CAMPAIGNS, limit=1, offset=0)
    if reply.failed:
        return differs(name, f"GET {CAMPAIGNS} with the token ({how}) answered {reply.brief()}")
    return ok(name, f"GET {CAMPAIGNS} answered {reply.status} with the token from {how}")


@assumption("auth: API key exchange answer")
def check_exchange(probe: Probe, name: str) -> Result:
    if not probe.uses_api_key:
        return skipped(name, "RECONCILER_TOKEN is set; set RECONCILER_API_KEY instead to check "
                             "the exchange at POST /v3/auth/token")
    probe.tokens.current()  # exchanges the key if not done yet
    reply = probe.exchange_reply
    if reply is None:
        return skipped(name, "no exchange happened")
    body = reply.body if isinstance(reply.body, dict) else {}
    problems = []
    if not isinstance(body.get("token"), str) or not body.get("token"):
        problems.append("no 'token'")
    if body.get("token_type") != "Bearer":
        problems.append(f"token_type {shown(body.get('token_type'))} (expected \"Bearer\")")
    lifetime = body.get("expired_in")
    if isinstance(lifetime, bool) or not isinstance(lifetime, int | float) or lifetime <= 0:
        problems.append(f"expired_in {shown(lifetime)} (expected seconds)")
    if problems:
        return differs(name, "; ".join(problems))
    return ok(name, f"token_type Bearer, expired_in {lifetime:g} s ({_duration(lifetime)}); "
                    "the tool renews the token before then and on a 401")


@assumption("auth: a bad token is refused with 401")
def check_bad_token(probe: Probe, name: str) -> Result:
    reply = probe.call("GET", CAMPAIGNS, params={"limit": 1},
                       token=f"reconciler-doctor-invalid-{uuidlib.uuid4().hex}")
    if reply.status == 401 and reply.error is not None:
        return ok(name, reply.brief())
    if reply.status == 401:
        return ok(name, f"{reply.brief()} (no 'error' in the body)")
    return differs(name, f"answered {reply.brief()}; the tool renews an exchanged token only "
                         "on a 401")


# -- paging ----------------------------------------------------------------------------------

@assumption("paging: envelope {data, limit, offset, total}")
def check_envelope(probe: Probe, name: str) -> Result:
    page = campaign_page(probe, limit=3, offset=0)
    if page.problem:
        return differs(name, f"GET {CAMPAIGNS}?limit=3&offset=0: {page.problem}")
    body = page.reply.body
    missing = [key for key in ("limit", "offset") if not isinstance(body.get(key), int)]
    extra = f"; no integer {' or '.join(missing)} (not needed)" if missing else ""
    return ok(name, f"{page.total} campaign(s){extra}")


@assumption("paging: limit honoured")
def check_limit(probe: Probe, name: str) -> Result:
    page = campaign_page(probe, limit=3, offset=0)
    if page.problem:
        return differs(name, page.problem)
    assert page.total is not None
    if page.total < 4:
        return skipped(name, f"needs at least 4 campaigns, the tenant has {page.total}")
    got = len(page.rows)
    if got != 3:
        return differs(name, f"asked 3, got {got}")
    return ok(name, "asked 3, got 3")


@assumption(f"paging: default limit {DOCUMENTED_DEFAULT_LIMIT} when absent")
def check_default_limit(probe: Probe, name: str) -> Result:
    page = campaign_page(probe)
    if page.problem:
        return differs(name, page.problem)
    assert page.total is not None
    got = len(page.rows)
    said = page.reply.body.get("limit")
    if page.total > DOCUMENTED_DEFAULT_LIMIT:
        if got == DOCUMENTED_DEFAULT_LIMIT:
            return ok(name, f"no limit asked, got {got} of {page.total} rows")
        cap = len(campaign_page(probe, limit=BIG_LIMIT, offset=0).rows)
        if got == cap < DOCUMENTED_DEFAULT_LIMIT:
            return ok(name, f"no limit asked, got {got} of {page.total} rows: the page cap")
        return differs(name, f"no limit asked, got {got} of {page.total} rows")
    if said == DOCUMENTED_DEFAULT_LIMIT:
        return ok(name, f"the envelope says limit {said}; only {page.total} campaigns to count")
    if isinstance(said, int):
        return differs(name, f"the envelope says limit {said}")
    return skipped(name, f"needs more than {DOCUMENTED_DEFAULT_LIMIT} campaigns, the tenant "
                         f"has {page.total}")


@assumption("paging: page cap")
def check_page_cap(probe: Probe, name: str) -> Result:
    page = campaign_page(probe, limit=BIG_LIMIT, offset=0)
    if page.problem:
        return differs(name, page.problem)
    assert page.total is not None
    got, expected = len(page.rows), min(BIG_LIMIT, page.total)
    if got == expected:
        return ok(name, f"no cap seen: asked {BIG_LIMIT}, got all {got}")
    if got == 0:
        return differs(name, f"asked {BIG_LIMIT}, got no rows although total is {page.total}")
    if got > expected:
        return differs(name, f"asked {BIG_LIMIT}, got {got} rows (total {page.total})")
    return ok(name, f"capped at {got} rows a page: asked {BIG_LIMIT}, got {got}; the tool "
                    "pages on by the rows received")


@assumption("paging: offset honoured")
def check_offset(probe: Probe, name: str) -> Result:
    first = campaign_page(probe, limit=2, offset=0)
    if first.problem:
        return differs(name, first.problem)
    assert first.total is not None
    if first.total < 3:
        return skipped(name, f"needs at least 3 campaigns, the tenant has {first.total}")
    second = campaign_page(probe, limit=2, offset=1)
    if second.problem:
        return differs(name, f"offset 1: {second.problem}")
    before, after = first.keys("campaign_uuid"), second.keys("campaign_uuid")
    if len(before) < 2 or not after:
        return differs(name, f"offset 0 gave {len(before)} rows, offset 1 gave {len(after)}")
    if after[0] == before[1]:
        return ok(name, "offset 1 starts at the second row of offset 0")
    if after[0] == before[0]:
        return differs(name, "offset 1 answered the same first row as offset 0 (offset ignored)")
    return differs(name, "offset 1 does not start at the second row of offset 0 (an unstable "
                         "order? run again when nothing else changes the tenant)")


@assumption("paging: total consistent across pages")
def check_total(probe: Probe, name: str) -> Result:
    first = campaign_page(probe, limit=1, offset=0)
    if first.problem:
        return differs(name, first.problem)
    assert first.total is not None
    total = first.total
    if total < 2:
        return skipped(name, f"needs at least 2 campaigns, the tenant has {total}")
    size = max(1, min(100, math.ceil(total / 3)))
    seen: list[Any] = []
    offset, pages = 0, 0
    while offset < total and pages < MAX_TOTAL_PAGES:
        page = campaign_page(probe, limit=size, offset=offset)
        pages += 1
        if page.problem:
            return differs(name, f"offset {offset}: {page.problem}")
        if page.total != total:
            return differs(name, f"total {total} on the first page, {page.total} at offset "
                                 f"{offset}")
        if not page.rows:
            break
        seen.extend(page.keys("campaign_uuid"))
        offset += len(page.rows)
    distinct = len(set(seen))
    if distinct != len(seen):
        return differs(name, f"{len(seen) - distinct} row(s) repeated across {pages} pages")
    if offset >= total and distinct != total:
        return differs(name, f"total {total}, but the pages held {distinct} distinct rows")
    whole = "all" if offset >= total else "the first"
    return ok(name, f"total {total} on {whole} {pages} pages of {size}; {distinct} distinct rows")


# -- list rows vs details --------------------------------------------------------------------

def compare_row_and_detail(row: dict[str, Any], detail: dict[str, Any]) -> tuple[list[str],
                                                                                 list[str]]:
    """(expected differences, unexpected ones), each as a short phrase."""
    missing = object()
    expected: list[str] = []
    unexpected: list[str] = []
    for key in dict.fromkeys([*row, *detail]):
        in_row, in_detail = row.get(key, missing), detail.get(key, missing)
        if key in JOINED_FIELDS and in_detail not in ("", None, missing):
            unexpected.append(f"the detail fills {key} {shown(in_detail, 40)} (docs: empty)")
            continue
        if in_row == in_detail:
            continue
        if key in SUMMARY_NULL_FIELDS and in_row is None:
            expected.append(f"{key} null in the row")
        elif key in JOINED_FIELDS:
            expected.append(f"{key} empty in the detail")
        elif in_row is missing or in_detail is missing:
            where = "row" if in_row is missing else "detail"
            unexpected.append(f"{key} missing from the {where}")
        else:
            unexpected.append(f"{key}: row {shown(in_row, 40)}, detail {shown(in_detail, 40)}")
    return expected, unexpected


def rows_vs_detail(name: str, probe: Probe, row: dict[str, Any]) -> Result:
    """Compare one list row with the detail read of the same campaign."""
    uuid = row.get("campaign_uuid")
    if not isinstance(uuid, str) or not uuid:
        return differs(name, "a list row has no campaign_uuid")
    reply = probe.get(probe.campaign_path(uuid))
    if reply.failed or not isinstance(reply.body, dict):
        return differs(name, f"the detail of {row.get('campaign_name')!r} answered "
                             f"{reply.brief()}")
    expected, unexpected = compare_row_and_detail(row, reply.body)
    label = f"{row.get('campaign_name')!r}"
    if unexpected:
        return differs(name, f"{label}: " + "; ".join(unexpected))
    seen = ", ".join(expected) or "nothing"
    return ok(name, f"{label}: only the documented differences: {seen}")


@assumption("list rows vs details")
def check_rows_vs_details(probe: Probe, name: str) -> Result:
    page = campaign_page(probe, limit=50, offset=0)
    if page.problem:
        return differs(name, page.problem)
    if not page.rows:
        return skipped(name, "the tenant has no campaign to compare (doctor --write compares "
                             "its scratch campaign)")
    # A row naming its carrier and template shows the joins; prefer one.
    row = max(page.rows, key=lambda r: (bool(r.get("carrier_name")),
                                        bool(r.get("template_name"))))
    return rows_vs_detail(name, probe, row)


# -- carriers and templates ------------------------------------------------------------------

def _named_rows(name: str, path: str, probe: Probe, key: str,
                label: str) -> tuple[Result, Listing]:
    page = Listing(probe.get(path, limit=100, offset=0))
    if page.problem:
        return differs(name, f"GET {path}: {page.problem}"), page
    bad = [row for row in page.rows
           if not isinstance(row.get(key), str) or not isinstance(row.get(label), str)]
    if bad:
        return differs(name, f"{len(bad)} row(s) without string {key} and {label}"), page
    return ok(name, f"{page.total} {path.rsplit('/', 1)[1]}(s); rows have {key} and "
                    f"{label}"), page


@assumption("carriers: listing")
def check_carriers(probe: Probe, name: str) -> Result:
    return _named_rows(name, CARRIERS, probe, "carrier_uuid", "carrier_name")[0]


@assumption("templates: listing and detail")
def check_templates(probe: Probe, name: str) -> Result:
    result, page = _named_rows(name, TEMPLATES, probe, "template_uuid", "template_name")
    if result.status != "ok" or not page.rows:
        return result
    uuid = page.rows[0]["template_uuid"]
    reply = probe.get(f"{TEMPLATES}/{uuid}")
    if reply.failed or not isinstance(reply.body, dict):
        return differs(name, f"GET {TEMPLATES}/{{uuid}} answered {reply.brief()}")
    if reply.body.get("template_uuid") != uuid:
        return differs(name, f"the detail of {uuid} holds template_uuid "
                             f"{shown(reply.body.get('template_uuid'))}")
    return ok(name, f"{result.detail}; the detail read answers the template")


@assumption("templates: name filter")
def check_template_filter(probe: Probe, name: str) -> Result:
    page = Listing(probe.get(TEMPLATES, limit=100, offset=0))
    if page.problem:
        return differs(name, f"GET {TEMPLATES}: {page.problem}")
    names = [row.get("template_name") for row in page.rows]
    candidates = [n for n in names if isinstance(n, str) and len(n) >= 3 and n != LOCK_NAME]
    if not candidates:
        return skipped(name, "the tenant has no template (with a name of 3+ characters)")
    wanted = max(candidates, key=len)
    exact = Listing(probe.get(TEMPLATES, template_name=wanted, limit=100, offset=0))
    if exact.problem:
        return differs(name, f"template_name={wanted!r}: {exact.problem}")
    if wanted not in exact.keys("template_name"):
        return differs(name, f"filtering by the exact name {wanted!r} did not return it")
    if any(isinstance(n, str) and wanted.lower() not in n.lower()
           for n in exact.keys("template_name")):
        return ok(name, "ignored (answers other names too); the tool picks the exact name")
    part = wanted[1:-1]
    partial = Listing(probe.get(TEMPLATES, template_name=part, limit=100, offset=0))
    if partial.problem:
        return differs(name, f"template_name={part!r}: {partial.problem}")
    if wanted in partial.keys("template_name"):
        return ok(name, f"matches substrings: {part!r} finds {wanted!r}; the tool picks "
                        "the exact name")
    return ok(name, f"matches whole names only: {part!r} does not find {wanted!r}")


# -- errors ----------------------------------------------------------------------------------

@assumption("errors: unknown campaign answers {\"error\": ...}")
def check_not_found(probe: Probe, name: str) -> Result:
    reply = probe.get(probe.campaign_path(str(uuidlib.uuid4())))
    if reply.error is None:
        return differs(name, f"GET of a non-existent uuid answered {reply.brief()}")
    if 200 <= reply.status < 300:
        return differs(name, f"answered {reply.brief()}: an error with a success status (the "
                             "tool reads the body; other scripts may not)")
    return ok(name, reply.brief())


READ_ONLY_CHECKS = (
    check_token,
    check_exchange,
    check_bad_token,
    check_envelope,
    check_limit,
    check_default_limit,
    check_page_cap,
    check_offset,
    check_total,
    check_rows_vs_details,
    check_carriers,
    check_templates,
    check_template_filter,
    check_not_found,
)


def _duration(seconds: float) -> str:
    hours = seconds / 3600
    if hours >= 1:
        return f"{hours:g} h" if hours == int(hours) else f"{hours:.1f} h"
    return f"{seconds / 60:.0f} min"
