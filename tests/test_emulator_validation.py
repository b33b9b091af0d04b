"""POST and PUT validation over HTTP: each rule answers the docs' list-shaped error
(`{"error": [{"<field>": "message"}]}`) with status 400 and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from reconciler.emulator import EmulatorServer
from reconciler.fields import SCHEDULE_KEYS

TYPE_ENUM = 'type must be one of the following: "autodialer", "autocall", "inbound", "manual"'
DAY_MAX = 86400 * 10**9


def send(srv: EmulatorServer, method: str, path: str, body: Any) -> requests.Response:
    return requests.request(method, srv.url + path, json=body, timeout=5,
                            headers={"Authorization": f"Bearer {srv.token}"})


def base(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"campaign_name": "V", "type": "autocall"}
    body.update(changes)
    return {key: value for key, value in body.items() if value is not DROP}


DROP = object()  # marks a key to leave out of the body

CREATE_CASES = [
    (base(campaign_name=DROP), {"(root)": "campaign_name is required"}),
    (base(type=DROP), {"(root)": "type is required"}),
    (base(type="robocall"), {"type": TYPE_ENUM}),
    (base(type=""), {"type": TYPE_ENUM}),
    (base(campaign_name=""), {"campaign_name": "String length must be greater than or equal to 1"}),
    (base(campaign_name=5), {"campaign_name": "Invalid type. Expected: string, given: integer"}),
    (base(concurrent_call="5"),
     {"concurrent_call": "Invalid type. Expected: integer, given: string"}),
    (base(concurrent_call=True),
     {"concurrent_call": "Invalid type. Expected: integer, given: boolean"}),
    (base(concurrent_call=2.5),
     {"concurrent_call": "Invalid type. Expected: integer, given: number"}),
    (base(concurrent_call=-1), {"concurrent_call": "concurrent_call must be greater than or "
                                                   "equal to 0"}),
    (base(ratio="x"), {"ratio": "Invalid type. Expected: integer, given: string"}),
    (base(description=None), {"description": "Invalid type. Expected: string, given: null"}),
    (base(type_autocall="autocall_video"),
     {"type_autocall": 'type_autocall must be one of the following: "autocall_voice_tts", '
                       '"autocall_audio", "autocall_voice_otp"'}),
]


@pytest.mark.parametrize(("body", "problem"), CREATE_CASES)
def test_create_validation(emulator: EmulatorServer, body: dict[str, Any],
                           problem: dict[str, str]) -> None:
    response = send(emulator, "POST", "/v3/campaign", body)
    assert response.status_code == 400
    assert response.json() == {"error": [problem]}
    assert emulator.store.campaign_count() == 0


def test_create_reports_every_problem_at_once(emulator: EmulatorServer) -> None:
    response = send(emulator, "POST", "/v3/campaign", {"concurrent_call": "x"})
    assert response.status_code == 400
    assert response.json()["error"] == [
        {"(root)": "campaign_name is required"},
        {"(root)": "type is required"},
        {"concurrent_call": "Invalid type. Expected: integer, given: string"},
    ]


def test_create_ignores_bad_values_of_fields_it_does_not_store(emulator: EmulatorServer) -> None:
    response = send(emulator, "POST", "/v3/campaign", base(network="x", mode_call="fast"))
    assert response.status_code == 200


def day(**values: int) -> dict[str, int]:
    return {**dict.fromkeys(SCHEDULE_KEYS, 0), **values}


UPDATE_CASES = [
    (base(type=DROP), {"(root)": "type is required"}),
    (base(mode_call="parallel"), {"mode_call": 'mode_call must be one of the following: '
                                               '"direct", "serial", "parralel"'}),
    (base(status="running"), {"status": 'status must be one of the following: '
                                        '"stop", "start", "pause"'}),
    (base(priority_recall="high"), {"priority_recall": 'priority_recall must be one of the '
                                                       'following: "normal", "recall"'}),
    (base(schedule_recall="hour"), {"schedule_recall": 'schedule_recall must be one of the '
                                                       'following: "minute", "after"'}),
    (base(recall_times=-2), {"recall_times": "recall_times must be greater than or equal to 0"}),
    (base(call_timeout="60"), {"call_timeout": "Invalid type. Expected: integer, given: string"}),
    (base(limit_recall_duration=False),
     {"limit_recall_duration": "Invalid type. Expected: integer, given: boolean"}),
    (base(callback_url=1), {"callback_url": "Invalid type. Expected: string, given: integer"}),
    (base(carrier_uuid=None), {"carrier_uuid": "Invalid type. Expected: string, given: null"}),
    (base(recall_status="busy"),
     {"recall_status": "Invalid type. Expected: array, given: string"}),
    (base(recall_status=["busy", "hung-up"]),
     {"recall_status.1": 'recall_status.1 must be one of the following: "answered", "busy", '
                         '"failed", "no-answered", "not-available", "voicemail", '
                         '"invalid-number", "phone-block", "congestion"'}),
    (base(network={"viettel": 1, "sfone": 2}),
     {"network": "Additional property sfone is not allowed"}),
    (base(network={"mobi": "2"}),
     {"network.mobi": "Invalid type. Expected: integer, given: string"}),
    (base(network={"vina": -1}), {"network.vina": "network.vina must be greater than or "
                                                  "equal to 0"}),
    (base(network=[]), {"network": "Invalid type. Expected: object, given: array"}),
    (base(schedules={}), {"schedules": "Invalid type. Expected: array, given: object"}),
    (base(schedules=["08:00"]), {"schedules.0": "Invalid type. Expected: object, given: string"}),
    (base(schedules=[day(), {"monday": "08:00-12:00"}]),
     {"schedules.1": "Additional property monday is not allowed"}),
    (base(schedules=[day(monday_start_time="8")]),
     {"schedules.0.monday_start_time": "Invalid type. Expected: integer, given: string"}),
    (base(schedules=[day(friday_end_time=1.5)]),
     {"schedules.0.friday_end_time": "Invalid type. Expected: integer, given: number"}),
    (base(schedules=[day(sunday_end_time=DAY_MAX + 1)]),
     {"schedules.0.sunday_end_time":
      f"schedules.0.sunday_end_time must be less than or equal to {DAY_MAX}"}),
    (base(schedules=[day(tuesday_start_time=-1, tuesday_end_time=5)]),
     {"schedules.0.tuesday_start_time":
      "schedules.0.tuesday_start_time must be greater than or equal to 0"}),
    (base(schedules=[day(wednesday_start_time=75600 * 10**9, wednesday_end_time=28800 * 10**9)]),
     {"schedules.0.wednesday_end_time":
      "wednesday_end_time must be greater than or equal to wednesday_start_time"}),
    (base(schedules=[{"thursday_start_time": 5}]),
     {"schedules.0.thursday_end_time":
      "thursday_end_time must be greater than or equal to thursday_start_time"}),
]


@pytest.mark.parametrize(("body", "problem"), CREATE_CASES[:6] + UPDATE_CASES)
def test_update_validation(emulator: EmulatorServer, body: dict[str, Any],
                           problem: dict[str, str]) -> None:
    uuid = emulator.store.add_campaign({"campaign_name": "V", "description": "keep"})
    response = send(emulator, "PUT", f"/v3/campaign/{uuid}", body)
    assert response.status_code == 400
    assert response.json() == {"error": [problem]}
    assert emulator.store.get_campaign(uuid)["description"] == "keep"


@pytest.mark.parametrize("body", [
    base(schedules=[day(monday_start_time=0, monday_end_time=DAY_MAX)]),
    base(schedules=[day()]),  # 0-0 everywhere: no calling at all that week
    base(schedules=[{"monday_start_time": 1, "monday_end_time": 2, "id": "x",
                     "domain_uuid": "d", "campaign_uuid": "c"}]),
    base(schedules=None, recall_status=None, network=None),
    base(recall_status=[], network={}),
    base(network={"viettel": 0, "mobi": 0, "vina": 0, "tel": 0, "offnet": 0}),
    base(users=[], groups="anything", unknown_key={"ignored": True}),
])
def test_update_accepts(emulator: EmulatorServer, body: dict[str, Any]) -> None:
    uuid = emulator.store.add_campaign({"campaign_name": "V"})
    response = send(emulator, "PUT", f"/v3/campaign/{uuid}", body)
    assert response.status_code == 200, response.text


def test_partial_schedule_is_filled_with_zero_days(emulator: EmulatorServer) -> None:
    uuid = emulator.store.add_campaign({"campaign_name": "V"})
    body = base(schedules=[{"saturday_start_time": 30600 * 10**9,
                            "saturday_end_time": 40500 * 10**9}])
    assert send(emulator, "PUT", f"/v3/campaign/{uuid}", body).ok
    [schedule] = emulator.store.get_campaign(uuid)["schedules"]
    assert {key: schedule[key] for key in SCHEDULE_KEYS} == day(
        saturday_start_time=30600 * 10**9, saturday_end_time=40500 * 10**9)


def test_update_of_unknown_campaign_is_404_even_when_invalid(emulator: EmulatorServer) -> None:
    response = send(emulator, "PUT", "/v3/campaign/00000000-0000-4000-8000-000000000000", {})
    assert (response.status_code, response.json()) == (404, {"error": "Not Found"})
