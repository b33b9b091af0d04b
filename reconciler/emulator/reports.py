"""Runs and call reports: `POST /v1/campaign/{uuid}/run/start`, `GET /v3/report/call/campaign`
and `GET /v3/report/call/lead`, computed from seeded call records
(docs/api-facts.md, "Runs and call reports").

A call record is one attempt (a CDR): campaign, phone number, start time in the tenant's
+07:00 clock, status, duration. Calls to the same number in one campaign are one lead (its
recalls) unless a seed names distinct `lead`s, as importing a number twice does; two calls in
the same second are two calls. A seeded entry with `called: false` is a lead imported at its
`time` and not called yet. The campaign report counts a window's calls by status under the
docs' counter names; the lead report has a row per lead called (or, not called yet, imported)
in the window, with the docs' fields: `called_count` (every attempt on the lead; 0 for one not
called), the window's latest attempt only as `start_stamp`/`end_stamp`/`answer_stamp` (local
time, no zone, as the docs show; an earlier attempt in the window is not shown) and
`last_call_time` (RFC 3339, +07:00; empty for a lead not called).

With the `lead-report-grows` quirk, every page of the lead report served adds a call to the
campaign, started at the window's end: a campaign dialling while a client pages its report.
"""

from __future__ import annotations

import json
import uuid as uuidlib
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from reconciler.emulator.documents import DOMAIN_UUID, TENANT_TZ, new_uuid
from reconciler.emulator.store import Store

if TYPE_CHECKING:
    from reconciler.emulator.routes import Request

STAMP = "%Y-%m-%d %H:%M:%S"  # start_stamp, and the reports' start_time/end_time parameters
# The campaign report's counters, in the docs' key order.
COUNTERS = (
    "answered", "busy", "busy_line", "cancel", "congestion", "inbound", "invalid", "ivr",
    "local", "no_answered", "not_available", "outbound", "phone_block", "total",
)
# Counters a call's status lands in (the others count directions: every autocall is outbound).
STATUS_COUNTERS = (
    "answered", "busy", "busy_line", "cancel", "congestion", "invalid", "no_answered",
    "not_available", "phone_block",
)
# recall_status spellings (and a few obvious ones) of the same statuses.
STATUS_ALIASES = {
    "no-answered": "no_answered", "no_answer": "no_answered", "not-available": "not_available",
    "invalid-number": "invalid", "phone-block": "phone_block", "busy-line": "busy_line",
}
# A lead row's `status` uses the campaign's recall_status vocabulary where it has the word.
LEAD_STATUS = {
    "no_answered": "no-answered", "not_available": "not-available", "invalid": "invalid-number",
    "phone_block": "phone-block", "busy_line": "busy",
}
DEFAULT_LIST = "ListAutocall01"  # the docs' list name
_NAMESPACE = uuidlib.UUID("6f1d7b2e-3c4a-4e5f-9a8b-7c6d5e4f3a2b")
CALL_KEYS = (
    "campaign", "campaign_uuid", "phone", "phone_number", "time", "status", "duration",
    "billsec", "lead", "lead_name", "list_name", "params", "called",
)


class CallError(ValueError):
    """A seeded call that cannot be stored; the message says which and why."""


# ---- seeding -------------------------------------------------------------------------------


def add_seed_calls(store: Store, entries: Iterable[Any], source: str = "seed") -> int:
    """Store seeded calls (`calls:` in a seed); returns how many were new. Entries alike to
    the second are distinct calls (the second one's cdr_uuid is derived with its rank)."""
    docs = [call_record(store, entry, f"{source}: calls[{index}]")
            for index, entry in enumerate(entries)]
    seen: dict[str, int] = {}
    for doc in docs:
        rank = seen[doc["cdr_uuid"]] = seen.get(doc["cdr_uuid"], 0) + 1
        if rank > 1:
            doc["cdr_uuid"] = str(uuidlib.uuid5(_NAMESPACE, f"{doc['cdr_uuid']}#{rank}"))
    return store.add_calls(docs)


def call_record(store: Store, entry: Any, where: str = "call") -> dict[str, Any]:
    """One seeded call as stored: campaign resolved, time in the tenant's clock, status
    checked, lead and cdr ids derived (stably, so the same seed gives the same ids)."""
    if not isinstance(entry, dict):
        raise CallError(f"{where}: expected a mapping with campaign, phone, time, status")
    unknown = sorted(set(entry) - set(CALL_KEYS))
    if unknown:
        raise CallError(f"{where}: unknown key(s) {', '.join(unknown)}; "
                        f"expected {', '.join(CALL_KEYS)}")
    campaign_uuid = _campaign_of(store, entry, where)
    phone = entry.get("phone", entry.get("phone_number"))
    if not isinstance(phone, str) or not phone.strip():
        raise CallError(f"{where}: phone must be the number called, as a string")
    start = parse_time(entry.get("time"), f"{where}: time")
    status = _status(entry.get("status", "answered"), where)
    duration = _seconds(entry, "duration", 30 if status == "answered" else 20, where)
    billsec = _seconds(entry, "billsec", max(duration - 9, 0) if status == "answered" else 0,
                       where)
    if billsec > duration:
        raise CallError(f"{where}: billsec ({billsec}) cannot exceed duration ({duration})")
    lead = str(entry.get("lead", phone))
    stamp = start.strftime(STAMP)
    params = entry.get("params") or {}
    if not isinstance(params, dict):
        raise CallError(f"{where}: params must be a mapping (the lead's imported fields)")
    called = entry.get("called", True)
    if not isinstance(called, bool):
        raise CallError(f"{where}: called must be true or false (false: imported, not called)")
    record = {
        "cdr_uuid": str(uuidlib.uuid5(_NAMESPACE, f"cdr/{campaign_uuid}/{lead}/{stamp}/{phone}")),
        "campaign_uuid": campaign_uuid,
        "lead_uuid": str(uuidlib.uuid5(_NAMESPACE, f"lead/{campaign_uuid}/{lead}")),
        "phone_number": phone.strip(),
        "start_stamp": stamp,
        "status": status,
        "duration": duration,
        "billsec": billsec,
        "lead_name": str(entry.get("lead_name", "")),
        "list_name": str(entry.get("list_name", DEFAULT_LIST)),
        "params": params,
    }
    if not called:  # a lead imported at `time`, no attempt yet: no CDR of its own
        record["cdr_uuid"] = str(uuidlib.uuid5(_NAMESPACE, f"import/{campaign_uuid}/{lead}"))
        record["called"] = False
    return record


def parse_time(value: Any, where: str) -> datetime:
    """`YYYY-MM-DD HH:MM:SS` in the tenant's clock, or ISO 8601 with an offset (converted)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise CallError(f"{where}: {value!r} is not a time like 2026-03-07 13:34:26 "
                            "(tenant time) or 2026-03-07T06:34:26+00:00") from None
    else:
        raise CallError(f"{where}: expected a time like 2026-03-07 13:34:26, got {value!r}")
    if moment.tzinfo is None:
        return moment.replace(tzinfo=TENANT_TZ, microsecond=0)
    return moment.astimezone(TENANT_TZ).replace(microsecond=0)


def _campaign_of(store: Store, entry: dict[str, Any], where: str) -> str:
    if entry.get("campaign_uuid"):
        uuid = str(entry["campaign_uuid"])
        if store.get_campaign(uuid) is None:
            raise CallError(f"{where}: no campaign has uuid {uuid}")
        return uuid
    name = entry.get("campaign")
    uuid = store.campaign_uuid_by_name(name) if isinstance(name, str) else None
    if uuid is None:
        raise CallError(f"{where}: campaign {name!r} is not a campaign of the tenant "
                        "(seed it under campaigns:, or give campaign_uuid)")
    return uuid


def _status(value: Any, where: str) -> str:
    text = str(value).strip().lower()
    status = STATUS_ALIASES.get(text, text)
    if status not in STATUS_COUNTERS:
        raise CallError(f"{where}: status {value!r} is not one of the report's counters: "
                        f"{', '.join(STATUS_COUNTERS)} (or {', '.join(STATUS_ALIASES)})")
    return status


def _seconds(entry: dict[str, Any], key: str, default: int, where: str) -> int:
    value = entry.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise CallError(f"{where}: {key} must be a whole number of seconds >= 0")
    return value


# ---- the endpoints ---------------------------------------------------------------------------


class ReportQuery:
    """The reports' query parameters: campaign_uuid, start_time, end_time, list_uuid."""

    def __init__(self, request: Request, store: Store, error: type[Exception]) -> None:
        self.campaign_uuid = request.arg("campaign_uuid") or None
        self.start = _stamp_arg(request, "start_time", error)
        self.end = _stamp_arg(request, "end_time", error)
        self.list_uuid = request.arg("list_uuid") or None
        if self.campaign_uuid and store.get_campaign(self.campaign_uuid) is None:
            raise error(404, "campaign is not found")

    def in_window(self, call: dict[str, Any]) -> bool:
        stamp = call["start_stamp"]  # same fixed-width format: text order is time order
        if self.start and stamp < self.start:
            return False
        if self.end and stamp > self.end:
            return False
        return not self.list_uuid or list_uuid(call["list_name"]) == self.list_uuid


def _stamp_arg(request: Request, name: str, error: type[Exception]) -> str | None:
    text = request.arg(name)
    if not text:
        return None
    try:
        return datetime.strptime(text.strip(), STAMP).strftime(STAMP)
    except ValueError:
        raise error(400, f"{name} must be a time like 2023-03-07 00:00:00") from None


def list_uuid(list_name: str) -> str:
    return str(uuidlib.uuid5(_NAMESPACE, f"list/{list_name}"))


def campaign_report(store: Store, query: ReportQuery) -> dict[str, Any]:
    """`{"data": [counters per campaign]}`: every campaign, or the one asked for."""
    campaigns = store.campaigns()
    if query.campaign_uuid:
        campaigns = [doc for doc in campaigns if doc["campaign_uuid"] == query.campaign_uuid]
    rows = []
    for doc in campaigns:
        counts = dict.fromkeys(COUNTERS, 0)
        for call in _attempts(store.calls(doc["campaign_uuid"])):
            if query.in_window(call):
                counts[call["status"]] += 1
                counts["outbound"] += 1
                counts["total"] += 1
        row = {key: counts[key] for key in COUNTERS}
        rows.append({**row, "campaign_name": doc["campaign_name"],
                     "campaign_uuid": doc["campaign_uuid"]})
    return {"data": [dict(sorted(row.items())) for row in rows]}  # the docs' key order


def lead_rows(store: Store, query: ReportQuery) -> list[str]:
    """The lead report's rows (JSON text), newest lead first."""
    names = {doc["campaign_uuid"]: doc["campaign_name"] for doc in store.campaigns()}
    leads: dict[str, list[dict[str, Any]]] = {}
    for call in store.calls(query.campaign_uuid):
        leads.setdefault(call["lead_uuid"], []).append(call)
    rows = []
    for records in leads.values():
        campaign = names.get(records[0]["campaign_uuid"], "")
        calls = _attempts(records)
        seen = [call for call in calls if query.in_window(call)]
        if seen:
            rows.append(_lead_row(calls, seen[-1], campaign))
        elif not calls and query.in_window(records[0]):
            rows.append(_uncalled_row(records[0], campaign))
    rows.sort(key=lambda row: (row["created_at"], row["lead_uuid"]), reverse=True)
    return [json.dumps(row, ensure_ascii=False) for row in rows]


def grow(store: Store, query: ReportQuery) -> None:
    """The `lead-report-grows` quirk: one more call of the campaign asked for, a new lead
    started at the window's end (now without one), as a dialling campaign adds them."""
    if not query.campaign_uuid:
        return
    when = _local(query.end) if query.end else datetime.now(TENANT_TZ)
    count = len(store.calls(query.campaign_uuid))
    store.add_calls([call_record(store, {
        "campaign_uuid": query.campaign_uuid, "phone": f"0999{count:06d}",
        "time": when.strftime(STAMP), "status": "no-answered", "lead": f"grown-{count}",
    })])


def _attempts(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The call attempts among a campaign's records (not the imports of leads not called)."""
    return [record for record in records if record.get("called", True)]


def _uncalled_row(lead: dict[str, Any], campaign: str) -> dict[str, Any]:
    """A lead imported and not called yet: the docs' fields, no call in them."""
    return {
        "billsec": 0, "called_count": 0, "campaign_name": campaign, "cdr_uuid": "",
        "contract_number": "", "duration": 0, "lead_code": "", "lead_uuid": lead["lead_uuid"],
        "lead_name": lead["lead_name"], "list_name": lead["list_name"],
        "phone_number": lead["phone_number"], "press_key": "", "record_name": "",
        "recording_url": "", "status": "",
        "additional": {"phone_number": lead["phone_number"], **lead["params"]},
        "start_stamp": "", "end_stamp": "", "answer_stamp": "",
        "created_at": _local(lead["start_stamp"]).isoformat(timespec="microseconds"),
        "last_call_time": "",
    }


def _lead_row(calls: list[dict[str, Any]], cdr: dict[str, Any], campaign: str) -> dict[str, Any]:
    """A lead as the docs' rows show one; its calls oldest first, `cdr` the one shown."""
    start = _local(cdr["start_stamp"])
    end = start + timedelta(seconds=cdr["duration"])
    answered = cdr["status"] == "answered"
    answer = end - timedelta(seconds=cdr["billsec"]) if answered else None
    first, last = _local(calls[0]["start_stamp"]), _local(calls[-1]["start_stamp"])
    created = first - timedelta(seconds=5)  # imported a moment before its first call
    folder = start.strftime("%Y/%b/%d")
    return {
        "billsec": cdr["billsec"],
        "called_count": len(calls),
        "campaign_name": campaign,
        "cdr_uuid": cdr["cdr_uuid"],
        "contract_number": "",
        "duration": cdr["duration"],
        "lead_code": "",
        "lead_uuid": cdr["lead_uuid"],
        "lead_name": cdr["lead_name"],
        "list_name": cdr["list_name"],
        "phone_number": cdr["phone_number"],
        "press_key": "{}" if answered else "",
        "record_name": f"{cdr['cdr_uuid']}.mp3" if answered else "",
        "recording_url": (
            f"/usr/local/freeswitch/recordings/{DOMAIN_UUID}/archive/{folder}" if answered else ""
        ),
        "status": LEAD_STATUS.get(cdr["status"], cdr["status"]),
        "additional": {"phone_number": cdr["phone_number"], **cdr["params"]},
        "start_stamp": start.strftime(STAMP),
        "end_stamp": end.strftime(STAMP),
        "answer_stamp": answer.strftime(STAMP) if answer else "",
        "created_at": created.isoformat(timespec="microseconds"),
        "last_call_time": last.isoformat(timespec="seconds"),
    }


def _local(stamp: str) -> datetime:
    return datetime.strptime(stamp, STAMP).replace(tzinfo=TENANT_TZ)


def start_run(store: Store, campaign_uuid: str) -> dict[str, Any] | None:
    """Turn the campaign's run state to `start` with a fresh run_id (kept if already
    running); None when there is no such campaign. Not a configuration change: updated_at
    stays. (The docs say nothing of inactive campaigns; this starts them all the same.)"""
    with store.lock:
        doc = store.get_campaign(campaign_uuid)
        if doc is None:
            return None
        if doc.get("status") != "start" or not doc.get("run_id"):
            store.update_campaign_raw(
                campaign_uuid, status="start", run_id=new_uuid(), updated_at=doc["updated_at"]
            )
    return {"campaign_uuid": campaign_uuid}
