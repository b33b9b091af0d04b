"""The audit of real calls and the report window, as pure functions: the docs' own lead rows,
boundaries of the calling hours and of 24 hours, and the window's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from reconciler.manifest.models import CampaignSpec
from reconciler.operations.audit import (
    CallDataError,
    audit_campaign,
    audit_gaps,
    call_time,
    mask_phone,
)
from reconciler.operations.window import TENANT_TZ, WindowError, parse_window
from reconciler.policy.rules import Rule, preset_rules

RULES = list(preset_rules("vn-decree-91"))
AD = CampaignSpec.model_validate(
    {"campaign_name": "AutocallTTS", "labels": {"purpose": "advertising"}})
OTHER = CampaignSpec.model_validate(
    {"campaign_name": "Reminder", "labels": {"purpose": "debt-reminder"}})

# The three rows of the docs' "Report Lead of Campaign" answer (the fields the audit reads).
DOCS_ROWS: list[dict[str, Any]] = [
    {"called_count": 4, "lead_uuid": "2f8b1c0f-da79-4dfb-959d-1b611cf0cd6a",
     "phone_number": "0775702541", "start_stamp": "2023-03-07 13:34:26",
     "created_at": "2023-03-07T13:34:21.310357+07:00",
     "last_call_time": "2023-03-07T20:36:42+07:00"},
    {"called_count": 4, "lead_uuid": "32ce7469-18fe-4b71-a6d8-2add7a222383",
     "phone_number": "0775702541", "start_stamp": "",
     "created_at": "2023-03-07T10:52:01.102873+07:00",
     "last_call_time": "2023-03-07T17:52:48+07:00"},
    {"called_count": 4, "lead_uuid": "fa145343-09ca-4124-baec-069fce2226f5",
     "phone_number": "0775702541", "start_stamp": "",
     "created_at": "2023-03-07T10:40:27.27422+07:00",
     "last_call_time": "2023-03-07T17:43:43+07:00"},
]


def audit(rows: list[dict[str, Any]], spec: CampaignSpec = AD,
          rules: list[Rule] = RULES) -> list[tuple[str, str, str]]:
    return [(f.rule, f.phone_number, f.time)
            for f in audit_campaign(rules, spec, "uuid-1", rows, "c.yaml:2")]


def row(stamp: str, phone: str = "0901234567", **extra: Any) -> dict[str, Any]:
    return {"lead_uuid": f"lead-{phone}-{stamp}", "phone_number": phone, "start_stamp": stamp,
            "called_count": 1, **extra}


def test_the_docs_rows_audited() -> None:
    # start_stamp where the row has one; last_call_time (+07:00) where it has none.
    assert audit(DOCS_ROWS) == [
        ("vn-decree-91/calling-hours", "0775702541", "2023-03-07T17:43:43+07:00"),
        ("vn-decree-91/calling-hours", "0775702541", "2023-03-07T17:52:48+07:00"),
        ("vn-decree-91/one-call-a-day", "0775702541", "2023-03-07T17:43:43+07:00"),
    ]
    assert audit(DOCS_ROWS, OTHER) == []  # no advertising label: no rule selects it


@pytest.mark.parametrize(
    ("stamp", "flagged"),
    [
        ("2026-03-06 07:59:59", True),
        ("2026-03-06 08:00:00", False),
        ("2026-03-06 16:59:59", False),
        ("2026-03-06 17:00:00", True),  # the window ends at 17:00
        ("2026-03-06 18:30:00", True),
        ("2026-03-06 00:00:00", True),
    ],
)
def test_calling_hours_boundaries(stamp: str, flagged: bool) -> None:
    found = audit([row(stamp)])
    assert found == ([("vn-decree-91/calling-hours", "0901234567",
                       stamp.replace(" ", "T") + "+07:00")] if flagged else [])


def test_repeats_within_24_hours_are_flagged_once_per_number() -> None:
    rows = [row("2026-03-06 09:00:00"), row("2026-03-07 08:59:59"),
            row("2026-03-06 10:00:00", "0907000111"), row("2026-03-07 10:00:00", "0907000111"),
            row("2026-03-06 11:00:00", "+84 907 000 222"),
            row("2026-03-06 12:00:00", "0907000222")]
    found = [item for item in audit(rows) if item[0].endswith("one-call-a-day")]
    assert found == [
        ("vn-decree-91/one-call-a-day", "0907000222", "2026-03-06T12:00:00+07:00"),
        ("vn-decree-91/one-call-a-day", "0901234567", "2026-03-07T08:59:59+07:00"),
    ]  # exactly 24 hours apart (0907000111) is not "within 24 hours"


def test_called_count_proves_a_repeat_only_within_24_hours_of_the_import() -> None:
    recent = row("2026-03-06 14:00:00", called_count=2,
                 created_at="2026-03-06T09:59:55+07:00",
                 last_call_time="2026-03-06T14:00:00+07:00")
    assert audit([recent]) == [
        ("vn-decree-91/one-call-a-day", "0901234567", "2026-03-06T14:00:00+07:00")]
    old = {**recent, "created_at": "2026-03-04T09:59:55+07:00"}
    assert audit([old]) == []  # two calls in 2 days: nothing proves they were 24 h apart or not
    once = {**recent, "called_count": 1}
    assert audit([once]) == []


def test_times_in_another_zone_are_read_in_tenant_time() -> None:
    utc = {"lead_uuid": "x", "phone_number": "09", "start_stamp": "",
           "last_call_time": "2026-03-06T11:30:00+00:00"}
    assert call_time(utc) == datetime(2026, 3, 6, 18, 30, tzinfo=TENANT_TZ)
    assert audit([utc]) == [("vn-decree-91/calling-hours", "09", "2026-03-06T18:30:00+07:00")]
    assert call_time({"start_stamp": "", "last_call_time": ""}) is None  # not called


def test_unreadable_times_are_errors_not_skipped() -> None:
    with pytest.raises(CallDataError, match="start_stamp '07/03/2023 13:34'"):
        audit([row("07/03/2023 13:34")])
    with pytest.raises(CallDataError, match="last_call_time 'soon'"):
        audit([{"lead_uuid": "x", "phone_number": "09", "last_call_time": "soon"}])


def test_project_rules_are_audited_too() -> None:
    rules = [Rule.model_validate({"id": "no-sunday", "quiet_days": ["sun"]}),
             Rule.model_validate({"id": "hours", "calling_hours": {"sat": "09:00-12:00"}}),
             Rule.model_validate({"id": "max", "max": {"concurrent_call": 1}})]
    rows = [row("2026-03-08 10:00:00"), row("2026-03-07 08:30:00", "0911"),
            row("2026-03-06 20:00:00", "0922")]  # Sunday, Saturday early, Friday evening
    assert audit(rows, OTHER, rules) == [
        ("no-sunday", "0901234567", "2026-03-08T10:00:00+07:00"),
        ("hours", "0911", "2026-03-07T08:30:00+07:00"),
    ]


def test_mask_phone_keeps_the_last_three() -> None:
    assert mask_phone("0775702541") == "*******541"
    assert mask_phone("+84775702541") == "*********541"
    assert mask_phone("12") == "12"


NOW = datetime(2026, 3, 6, 9, 15, 30, 123456, tzinfo=UTC)  # 16:15:30 in Vietnam


def test_the_window_is_in_tenant_time() -> None:
    window = parse_window(None, None, None, now=NOW)
    assert (window.start_stamp, window.end_stamp) == ("2026-03-05 16:15:30", "2026-03-06 16:15:30")
    assert window.to_dict()["to"] == "2026-03-06T16:15:30+07:00"
    since = parse_window(None, "2026-03-06 12:00", "1d12h", now=NOW)
    assert (since.start_stamp, since.end_stamp) == ("2026-03-05 00:00:00", "2026-03-06 12:00:00")
    utc = parse_window("2026-03-06T00:00:00+00:00", None, None, now=NOW)
    assert utc.start_stamp == "2026-03-06 07:00:00"
    assert parse_window("2026-03-06", None, None, now=NOW).end - timedelta(
        hours=16, minutes=15, seconds=30) == datetime(2026, 3, 6, tzinfo=TENANT_TZ)
    with pytest.raises(WindowError, match="before it starts"):
        parse_window(None, "0001-01-01", None, now=NOW)


def test_two_calls_in_one_second_are_a_repeat() -> None:
    rows = [row("2026-03-06 10:00:00"), {**row("2026-03-06 10:00:00"), "lead_uuid": "other"}]
    assert audit(rows) == [
        ("vn-decree-91/one-call-a-day", "0901234567", "2026-03-06T10:00:00+07:00")]


def test_leads_not_called_yet_are_neither_calls_nor_gaps() -> None:
    uncalled = {"lead_uuid": "new", "phone_number": "0901234567", "called_count": 0,
                "start_stamp": "", "last_call_time": "", "created_at": "2026-03-06T09:00:00+07:00"}
    assert audit([uncalled]) == []
    assert audit_gaps(AD, "uuid-1", {"total": 0}, [uncalled], "c.yaml:2") == []
    called = {**uncalled, "called_count": 2}  # called, but the row gives no time: a gap
    [gap] = audit_gaps(AD, "uuid-1", {"total": 0}, [called], "c.yaml:2")
    assert gap.rule == "audit/incomplete" and "1 lead row(s) have no call time" in gap.message


DAY = parse_window("2026-03-06 00:00:00", "2026-03-06 23:59:59", None)


def test_calls_before_the_window_pair_with_it_but_are_no_findings() -> None:
    earlier = [row("2026-03-05 16:00:00"), row("2026-03-05 20:00:00", "0911")]
    today = [row("2026-03-06 09:00:00")]
    found = [(f.rule, f.time) for f in audit_campaign(
        RULES, AD, "uuid-1", today, "c.yaml:2", window=DAY, earlier=earlier)]
    assert found == [("vn-decree-91/one-call-a-day", "2026-03-06T09:00:00+07:00")]
    # Without the window, the evening call and the 16:00 one would be findings too.
    assert len(audit(earlier + today)) == 2


def test_the_campaign_reports_count_is_matched_by_calls_seen_in_the_window() -> None:
    rows = [row("2026-03-06 10:00:00"), row("2026-03-06 11:00:00", "0911"),
            row("2026-03-05 23:00:00", "0922")]  # outside the window: not seen in it
    assert audit_gaps(AD, "u", {"total": 2}, rows, "c.yaml:2", window=DAY) == []
    [gap] = audit_gaps(AD, "u", {"total": 3}, rows, "c.yaml:2", window=DAY)
    assert gap.message.endswith("shows 2 (it shows each lead's last call only): 1 call(s) "
                                "could not be checked")
    [none] = audit_gaps(AD, "u", None, rows, "c.yaml:2", window=DAY)
    assert "the campaign report has no row for it" in none.message
