"""The vendor page's curl examples (api-docs/002), replayed against the emulator: each answers
what the page shows. Bodies and answers are copied from the page, uuids adapted."""

from __future__ import annotations

import copy
from typing import Any

import requests

from reconciler.emulator import EmulatorServer

# "Create Campaign Autocall" curl body.
DOCS_CREATE = {
    "campaign_name": "VoiceOTP", "type": "autocall", "concurrent_call": 1, "template_uuid": "",
    "description": "", "type_autocall": "autocall_voice_tts",
}
DOCS_TYPE_ERROR = {"error": [{
    "type": 'type must be one of the following: "autodialer", "autocall", "inbound", "manual"',
}]}
WORKDAY = {
    f"{day}_{edge}_time": 28800000000000 if edge == "start" else 75600000000000
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    for edge in ("start", "end")
}
RECALL = ["busy", "failed", "no-answered", "not-available", "voicemail", "invalid-number",
          "phone-block", "congestion"]
# "Update Campaign" curl body (campaign_uuid replaced at run time).
DOCS_PUT: dict[str, Any] = {
    "campaign_uuid": "c2da23c0-9739-4287-828a-7b15cf0fb19e", "campaign_name": "AutocallAudio",
    "type": "autocall", "description": "", "active": True, "concurrent_call": 5,
    "carrier_uuid": "a18b400f-d487-4e17-b5e7-eba5fe6fa54f",
    "template_uuid": "5f427552-857e-4939-8edf-cbd0f1ef6842", "recall_times": 3,
    "limit_recall_duration": 0, "schedule_recall": "minute", "schedule_recall_duration": 1,
    "answer_callback_url": "", "status": "stop",
    "created_at": "2023-03-06T16:27:17.784242+07:00",
    "updated_at": "2023-03-06T16:27:17.784242+07:00", "template_name": "", "carrier_name": "",
    "mode_call": "direct", "network": {"viettel": 0, "mobi": 0, "vina": 0, "tel": 0, "offnet": 0},
    "run_id": "", "type_autocall": "autocall_audio", "call_timeout": 60, "domain_name": "",
    "users": [], "groups": [], "statuses": [], "schedules": [WORKDAY],
    "priority_recall": "normal", "recall_status": RECALL, "enable_encrypt": False,
    "callback_url": "", "orig_campaign_uuid": "",
}
# The "Update Campaign" sample data: the same without a few read-only keys (it keeps
# `"active": true`: PUT carries active).
DOCS_PUT_SAMPLE = {key: value for key, value in DOCS_PUT.items() if key not in (
    "answer_callback_url", "domain_name", "users", "groups", "statuses",
    "enable_encrypt", "orig_campaign_uuid")}
# The AutocallAudio row of the "Get Campaign" answer.
DOCS_ROW: dict[str, Any] = {
    "domain_uuid": "b6b796aa-370f-4f57-8f44-5c82414c652b",
    "campaign_uuid": "c2da23c0-9739-4287-828a-7b15cf0fb19e", "campaign_name": "AutocallAudio",
    "type": "autocall", "description": "", "active": True, "concurrent_call": 5, "ratio": 100,
    "carrier_uuid": "a18b400f-d487-4e17-b5e7-eba5fe6fa54f", "call_center_queue_uuid": "",
    "template_uuid": "5f427552-857e-4939-8edf-cbd0f1ef6842", "recall_times": 3,
    "limit_recall_duration": 0, "schedule_recall": "minute", "schedule_recall_duration": 1,
    "hopper": 0, "answer_callback_url": "", "local_start_time": "", "local_end_time": "",
    "customer_order": "", "allow_manual_dial": False, "allow_search_lead": False,
    "enable_callback_alert": False, "default_list_uuid": "", "script_uuid": "",
    "status": "stop", "created_at": "2023-03-06T16:27:17.784242+07:00",
    "updated_at": "2023-03-06T18:27:35.482259+07:00", "call_center_queue_strategy": "",
    "template_name": "thong_bao_no_cuoc_01", "carrier_name": "Billing", "mode_call": "direct",
    "network": {"viettel": 0, "mobi": 0, "vina": 0, "tel": 0, "offnet": 0}, "run_id": "",
    "type_autocall": "autocall_audio", "call_timeout": 60, "domain_name": "", "users": None,
    "groups": None, "statuses": None, "schedules": None, "priority_recall": "normal",
    "recall_status": RECALL, "enable_encrypt": False, "callback_url": "",
    "orig_campaign_uuid": "",
}
# Values that differ by campaign or by when it was made, not by what the calls did. The
# autodialer settings (`hopper: 0`, `customer_order: ""`, `allow_*: false`) are compared: the
# docs' row shows the PUT reset them.
NOT_COMPARED = ("campaign_uuid", "created_at", "updated_at")


def curl(srv: EmulatorServer, method: str, path: str, body: Any = None) -> requests.Response:
    return requests.request(method, srv.url + path, json=body, timeout=5, headers={
        "Content-type": "application/json", "Authorization": f"Bearer {srv.token}"})


def test_create_examples(emulator: EmulatorServer) -> None:
    answer = curl(emulator, "POST", "/v3/campaign", DOCS_CREATE).json()
    assert list(answer) == ["campaign_uuid", "created"] and answer["created"] is True
    assert curl(emulator, "POST", "/v3/campaign", DOCS_CREATE).json() == {
        "error": "campaign_name is already taken"}
    assert curl(emulator, "POST", "/v3/campaign", {**DOCS_CREATE, "campaign_name": "X",
                                                   "type": "robocall"}).json() == DOCS_TYPE_ERROR
    # The page's "sample data" leaves out `type`, which its own table marks required.
    sample = curl(emulator, "POST", "/v3/campaign",
                  {"campaign_name": "autocall_campaign", "concurrent_call": 2})
    assert sample.json() == {"error": [{"(root)": "type is required"}]}


def test_update_list_get_patch_delete_examples(emulator: EmulatorServer) -> None:
    uuid = curl(emulator, "POST", "/v3/campaign", {
        "campaign_name": "AutocallAudio", "type": "autocall"}).json()["campaign_uuid"]
    body = copy.deepcopy(DOCS_PUT)
    body["campaign_uuid"] = uuid
    assert curl(emulator, "PUT", f"/v3/campaign/{uuid}", body).json() == {"campaign_uuid": uuid}
    sample = copy.deepcopy(DOCS_PUT_SAMPLE)
    sample["campaign_uuid"] = uuid
    assert curl(emulator, "PUT", f"/v3/campaign/{uuid}", sample).json() == {
        "campaign_uuid": uuid}

    listing = curl(emulator, "GET", "/v3/campaign").json()
    assert list(listing) == ["data", "limit", "offset", "total"]
    assert (listing["limit"], listing["offset"], listing["total"]) == (10, 0, 1)
    [row] = listing["data"]
    assert list(row) == list(DOCS_ROW)
    assert row["campaign_uuid"] == uuid
    assert {k: v for k, v in row.items() if k not in NOT_COMPARED} == {
        k: v for k, v in DOCS_ROW.items() if k not in NOT_COMPARED}

    detail = curl(emulator, "GET", f"/v3/campaign/{uuid}").json()
    assert list(detail) == list(DOCS_ROW)
    [schedule] = detail["schedules"]
    assert list(schedule) == ["domain_uuid", "id", "campaign_uuid", *WORKDAY]
    assert schedule["domain_uuid"] == DOCS_ROW["domain_uuid"]
    assert schedule["campaign_uuid"] == uuid
    assert {k: v for k, v in schedule.items() if k in WORKDAY} == WORKDAY
    # A detail read has no joins (the docs' VoiceOTP110: "carrier_name": "", "template_name":
    # ""); everything else is the list row's.
    assert (detail["carrier_name"], detail["template_name"]) == ("", "")
    joined = ("schedules", "carrier_name", "template_name")
    assert {k: v for k, v in detail.items() if k not in joined} == {
        k: v for k, v in row.items() if k not in joined}

    assert curl(emulator, "DELETE", f"/v3/campaign/{uuid}").json() == {
        "error": "campaign must be deactive"}
    assert curl(emulator, "PATCH", f"/v3/campaign/{uuid}/active", {"active": False}).json() == {
        "active": False, "campaign_uuid": uuid}
    assert curl(emulator, "PATCH", f"/v3/campaign/{uuid}/active", {}).json() == {
        "error": "active is missing"}
    assert curl(emulator, "DELETE", f"/v3/campaign/{uuid}").json() == {"campaign_uuid": uuid}
    assert curl(emulator, "DELETE", f"/v3/campaign/{uuid}").json() == {"error": "Not Found"}
    assert curl(emulator, "PATCH", f"/v3/campaign/{uuid}/active", {"active": False}).json() == {
        "error": "Not Found"}
