"""Settling unclear rows from the lead report: was the lead imported after all?

An unclear row (no answer, or a crash between `sending` and the answer) is looked for in
GET /v3/report/call/lead of the campaign, from a little before it was sent: a lead with its
number, that no other journal row accounts for, whose imported fields (`additional`) hold
the row's params. Found: it was imported, and is journaled as sent. Not found: it may still
have been, or not; only a person can decide (`--resend-unclear` is that decision).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from reconciler.leads import phone
from reconciler.leads.journal import Entry
from reconciler.operations.window import STAMP, TENANT_TZ

MARGIN = timedelta(minutes=10)  # clocks differ; a report row may be stamped a bit early


def window_start(entries: Iterable[Entry]) -> str | None:
    """The report's start_time: a margin before the earliest unclear row was sent."""
    times = []
    for entry in entries:
        try:
            times.append(datetime.fromisoformat(entry.at))
        except ValueError:
            return None  # unknown: read the whole report
    if not times:
        return None
    return (min(times).astimezone(TENANT_TZ) - MARGIN).strftime(STAMP)


def match(
    unclear: Mapping[str, Mapping[str, str] | None],
    rows: Sequence[Mapping[str, Any]],
    known: set[str],
) -> dict[str, Mapping[str, Any]]:
    """{number: report row} for each unclear number (→ the params it was sent with, None when
    unknown) that a report row proves imported. Pure."""
    found: dict[str, Mapping[str, Any]] = {}
    candidates: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        lead_uuid = row.get("lead_uuid")
        if not isinstance(lead_uuid, str) or lead_uuid in known:
            continue
        candidates.setdefault(phone.key(str(row.get("phone_number") or "")), []).append(row)
    for number, param in unclear.items():
        rows_of = [row for row in candidates.get(number, []) if _holds(row, param)]
        if rows_of:
            found[number] = max(rows_of, key=lambda row: str(row.get("created_at") or ""))
    return found


def _holds(row: Mapping[str, Any], param: Mapping[str, str] | None) -> bool:
    if not param:
        return True
    additional = row.get("additional")
    if not isinstance(additional, Mapping):
        return False
    return all(str(additional.get(key)) == str(value) for key, value in param.items())


def look_up(
    client: Any, campaign_uuid: str, unclear: Mapping[str, Entry],
    params: Mapping[str, Mapping[str, str] | None], known: set[str],
) -> dict[str, Mapping[str, Any]]:
    """Read the lead report once and match every unclear number in it."""
    if not unclear:
        return {}
    rows = client.lead_call_report(campaign_uuid, window_start(unclear.values()), None,
                                   page_size=500)
    return match({number: params.get(number) for number in unclear}, rows, known)
