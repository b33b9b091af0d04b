"""The emulator's endpoints over real HTTP: paging, summaries vs detail, create, full-replace
PUT, PATCH active, DELETE, auth, carriers and templates."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from reconciler.emulator import EmulatorServer
from reconciler.fields import NETWORK_KEYS, RECALL_STATUSES, SCHEDULE_KEYS, UPDATE_FIELDS

BILLING = "a18b400f-d487-4e17-b5e7-eba5fe6fa54f"
TEMPLATE = "5f427552-857e-4939-8edf-cbd0f1ef6842"
DOMAIN = "b6b796aa-370f-4f57-8f44-5c82414c652b"
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+07:00$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
WORKDAY = {key: (28800 if key.endswith("start_time") else 75600) * 10**9
           for key in SCHEDULE_KEYS}


def call(srv: EmulatorServer, method: str, path: str, body: Any = None,
         token: str | None = "static", **kwargs: Any) -> requests.Response:
    headers = kwargs.pop("headers", {})
    if token == "static":
        token = srv.token
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return requests.request(method, srv.url + path, json=body, headers=headers, timeout=5,
                            **kwargs)


def full_body(**changes: Any) -> dict[str, Any]:
    """A complete PUT body for an autocall campaign."""
    body: dict[str, Any] = {
        "campaign_name": "Full", "type": "autocall", "description": "mô tả",
        "concurrent_call": 5, "carrier_uuid": BILLING, "template_uuid": TEMPLATE,
        "type_autocall": "autocall_audio", "recall_times": 3, "limit_recall_duration": 10,
        "schedule_recall": "minute", "schedule_recall_duration": 15, "status": "stop",
        "mode_call": "serial", "network": {"viettel": 10, "mobi": 5},
        "call_timeout": 45, "schedules": [dict(WORKDAY)], "priority_recall": "recall",
        "recall_status": ["busy", "failed"], "callback_url": "https://hooks.example.vn/cdr",
    }
    body.update(changes)
    return body


def create(srv: EmulatorServer, name: str = "Camp", **fields: Any) -> str:
    response = call(srv, "POST", "/v3/campaign", {"campaign_name": name, "type": "autocall",
                                                   **fields})
    assert response.status_code == 200, response.text
    return response.json()["campaign_uuid"]


# ---- listing ---------------------------------------------------------------------------

def test_list_defaults_to_ten_newest_first(emulator: EmulatorServer) -> None:
    for index in range(12):
        emulator.store.add_campaign({"campaign_name": f"c{index:02d}"})
    page = call(emulator, "GET", "/v3/campaign").json()
    assert set(page) == {"data", "limit", "offset", "total"}
    assert (page["limit"], page["offset"], page["total"]) == (10, 0, 12)
    assert [row["campaign_name"] for row in page["data"]] == [f"c{i:02d}" for i in range(11, 1, -1)]


def test_offset_reaches_the_oldest(emulator: EmulatorServer) -> None:
    for index in range(12):
        emulator.store.add_campaign({"campaign_name": f"c{index:02d}"})
    page = call(emulator, "GET", "/v3/campaign?limit=10&offset=10").json()
    assert [row["campaign_name"] for row in page["data"]] == ["c01", "c00"]
    assert (page["limit"], page["offset"], page["total"]) == (10, 10, 12)
    beyond = call(emulator, "GET", "/v3/campaign?offset=50").json()
    assert beyond["data"] == [] and beyond["total"] == 12


def test_page_cap_silently_lowers_a_large_limit(emulator: EmulatorServer) -> None:
    for index in range(8):
        emulator.store.add_campaign({"campaign_name": f"c{index}"})
    emulator.page_cap = 5
    page = call(emulator, "GET", "/v3/campaign?limit=100").json()
    assert page["limit"] == 5 and len(page["data"]) == 5 and page["total"] == 8
    small = call(emulator, "GET", "/v3/campaign?limit=3").json()
    assert small["limit"] == 3 and len(small["data"]) == 3
    emulator.page_cap = None
    assert len(call(emulator, "GET", "/v3/campaign?limit=100").json()["data"]) == 8


def test_page_cap_from_the_constructor() -> None:
    with EmulatorServer(page_cap=2) as srv:
        for index in range(3):
            srv.store.add_campaign({"campaign_name": f"c{index}"})
        page = call(srv, "GET", "/v3/campaign?limit=10").json()
        assert page["limit"] == 2 and len(page["data"]) == 2


def test_type_filter(emulator: EmulatorServer) -> None:
    emulator.store.add_campaign({"campaign_name": "auto1"})
    emulator.store.add_campaign({"campaign_name": "dialer", "type": "autodialer"})
    emulator.store.add_campaign({"campaign_name": "auto2", "type": "autocall"})
    page = call(emulator, "GET", "/v3/campaign?type=autodialer").json()
    assert [row["campaign_name"] for row in page["data"]] == ["dialer"]
    assert page["total"] == 1
    autocall = call(emulator, "GET", "/v3/campaign?type=autocall").json()
    assert [row["campaign_name"] for row in autocall["data"]] == ["auto2", "auto1"]
    assert call(emulator, "GET", "/v3/campaign?type=").json()["total"] == 3


def test_order_is_by_creation_even_after_updates(emulator: EmulatorServer) -> None:
    old = create(emulator, "old")
    create(emulator, "new")
    assert call(emulator, "PUT", f"/v3/campaign/{old}", full_body(campaign_name="old")).ok
    names = [row["campaign_name"] for row in call(emulator, "GET", "/v3/campaign").json()["data"]]
    assert names == ["new", "old"]


@pytest.mark.parametrize("query", ["limit=abc", "limit=-1", "offset=x", "offset=-5"])
def test_bad_paging_parameters(emulator: EmulatorServer, query: str) -> None:
    response = call(emulator, "GET", f"/v3/campaign?{query}")
    assert response.status_code == 400
    assert isinstance(response.json()["error"], str)


def test_list_rows_are_summaries_and_detail_has_schedules(emulator: EmulatorServer) -> None:
    uuid = emulator.store.add_campaign({"campaign_name": "sched", "schedules": [WORKDAY]})
    row = call(emulator, "GET", "/v3/campaign").json()["data"][0]
    for key in ("schedules", "users", "groups", "statuses"):
        assert row[key] is None
    for key in ("domain_uuid", "ratio", "hopper", "call_center_queue_uuid",
                "answer_callback_url", "local_start_time", "enable_encrypt",
                "orig_campaign_uuid", "carrier_name", "template_name", "run_id"):
        assert key in row
    detail = call(emulator, "GET", f"/v3/campaign/{uuid}").json()
    assert list(detail) == list(row)
    assert detail["users"] is None and detail["groups"] is None and detail["statuses"] is None
    [schedule] = detail["schedules"]
    assert list(schedule)[:3] == ["domain_uuid", "id", "campaign_uuid"]
    assert UUID.match(schedule["id"])
    assert schedule["domain_uuid"] == DOMAIN and schedule["campaign_uuid"] == uuid
    assert {k: v for k, v in schedule.items() if k in SCHEDULE_KEYS} == WORKDAY


def test_detail_of_a_campaign_without_schedules_is_null(emulator: EmulatorServer) -> None:
    uuid = create(emulator)
    assert call(emulator, "GET", f"/v3/campaign/{uuid}").json()["schedules"] is None
    body = full_body(campaign_name="Camp", schedules=[])
    assert call(emulator, "PUT", f"/v3/campaign/{uuid}", body).ok
    assert call(emulator, "GET", f"/v3/campaign/{uuid}").json()["schedules"] is None


def test_unknown_campaign_is_404(emulator: EmulatorServer) -> None:
    for method in ("GET", "PUT", "DELETE"):
        response = call(emulator, method, "/v3/campaign/4be67f66-4228-480e-b86d-8f333dc46c3c",
                        full_body() if method == "PUT" else None)
        assert (response.status_code, response.json()) == (404, {"error": "Not Found"})


# ---- create ----------------------------------------------------------------------------

def test_create_stores_only_create_fields_and_fills_defaults(emulator: EmulatorServer) -> None:
    body = {
        "campaign_name": "Created", "type": "autocall", "description": "d",
        "concurrent_call": 7, "ratio": 90, "template_uuid": TEMPLATE,
        "type_autocall": "autocall_voice_otp",
        # not create fields: all ignored
        "active": False, "status": "start", "carrier_uuid": BILLING, "recall_times": 4,
        "network": {"viettel": 3}, "schedules": [WORKDAY], "callback_url": "https://x",
        "mode_call": "serial", "recall_status": ["busy"], "call_timeout": 5, "hopper": 1,
    }
    response = call(emulator, "POST", "/v3/campaign", body)
    assert response.status_code == 200
    answer = response.json()
    assert set(answer) == {"campaign_uuid", "created"} and answer["created"] is True
    detail = call(emulator, "GET", f"/v3/campaign/{answer['campaign_uuid']}").json()
    assert detail["campaign_uuid"] == answer["campaign_uuid"]
    assert {key: detail[key] for key in ("campaign_name", "type", "description",
                                          "concurrent_call", "ratio", "template_uuid",
                                          "type_autocall", "template_name")} == {
        "campaign_name": "Created", "type": "autocall", "description": "d",
        "concurrent_call": 7, "ratio": 90, "template_uuid": TEMPLATE,
        # A detail read has no joins: the docs' VoiceOTP110 answers "template_name": "".
        "type_autocall": "autocall_voice_otp", "template_name": "",
    }
    assert detail["active"] is True and detail["status"] == "stop"
    assert detail["call_timeout"] == 60 and detail["mode_call"] == "direct"
    assert detail["priority_recall"] == "normal"
    assert detail["recall_status"] == list(RECALL_STATUSES)
    assert detail["network"] == dict.fromkeys(NETWORK_KEYS, 0)
    assert detail["recall_times"] == 0 and detail["schedule_recall"] == "after"
    assert detail["schedule_recall_duration"] == 0 and detail["limit_recall_duration"] == 0
    assert detail["hopper"] == 20
    assert detail["carrier_uuid"] == "" and detail["carrier_name"] == ""
    assert detail["callback_url"] == "" and detail["schedules"] is None
    assert detail["domain_uuid"] == DOMAIN
    assert TIMESTAMP.match(detail["created_at"]) and detail["created_at"] == detail["updated_at"]


def test_create_minimal_defaults(emulator: EmulatorServer) -> None:
    detail = call(emulator, "GET", f"/v3/campaign/{create(emulator, 'Min')}").json()
    assert detail["description"] == "" and detail["ratio"] == 100
    assert detail["template_uuid"] == "" and detail["template_name"] == ""


def test_create_with_unknown_template(emulator: EmulatorServer) -> None:
    response = call(emulator, "POST", "/v3/campaign", {
        "campaign_name": "x", "type": "autocall",
        "template_uuid": "00000000-0000-4000-8000-000000000000"})
    assert (response.status_code, response.json()) == (400, {"error": "template not found"})
    assert emulator.store.campaign_count() == 0


def test_create_names_are_unique(emulator: EmulatorServer) -> None:
    create(emulator, "Same")
    response = call(emulator, "POST", "/v3/campaign", {"campaign_name": "Same",
                                                        "type": "inbound"})
    assert response.status_code == 400
    assert response.json() == {"error": "campaign_name is already taken"}
    assert emulator.store.campaign_count() == 1


# ---- update (PUT) ----------------------------------------------------------------------

def test_put_is_a_full_replace(emulator: EmulatorServer) -> None:
    uuid = create(emulator, "Full")
    assert call(emulator, "PUT", f"/v3/campaign/{uuid}", full_body()).json() == {
        "campaign_uuid": uuid}
    detail = call(emulator, "GET", f"/v3/campaign/{uuid}").json()
    assert detail["network"] == {"viettel": 10, "mobi": 5, "vina": 0, "tel": 0, "offnet": 0}
    assert detail["recall_status"] == ["busy", "failed"]
    assert (detail["carrier_name"], detail["template_name"]) == ("", "")  # no joins in details
    row = next(r for r in call(emulator, "GET", "/v3/campaign").json()["data"]
               if r["campaign_uuid"] == uuid)
    assert (row["carrier_name"], row["template_name"]) == ("Billing", "thong_bao_no_cuoc_01")
    # Send only the required fields: everything else in the update table is reset.
    call(emulator, "PUT", f"/v3/campaign/{uuid}", {"campaign_name": "Full", "type": "autocall"})
    after = call(emulator, "GET", f"/v3/campaign/{uuid}").json()
    zeros = {
        "description": "", "concurrent_call": 0, "carrier_uuid": "", "template_uuid": "",
        "type_autocall": "", "recall_times": 0, "limit_recall_duration": 0,
        "schedule_recall": "", "schedule_recall_duration": 0, "status": "", "mode_call": "",
        "network": dict.fromkeys(NETWORK_KEYS, 0), "call_timeout": 0, "schedules": None,
        "priority_recall": "", "recall_status": None, "callback_url": "",
    }
    assert set(zeros) == set(UPDATE_FIELDS) - {"campaign_name", "type"}
    assert {key: after[key] for key in zeros} == zeros
    assert after["carrier_name"] == "" and after["template_name"] == ""


def test_put_leaving_out_one_field_zeroes_it(emulator: EmulatorServer) -> None:
    uuid = create(emulator, "Full")
    call(emulator, "PUT", f"/v3/campaign/{uuid}", full_body())
    body = full_body()
    del body["concurrent_call"]
    assert call(emulator, "PUT", f"/v3/campaign/{uuid}", body).ok
    detail = call(emulator, "GET", f"/v3/campaign/{uuid}").json()
    assert detail["concurrent_call"] == 0
    assert detail["callback_url"] == "https://hooks.example.vn/cdr"


def test_put_carries_active_and_resets_server_fields_it_leaves_out(
    emulator: EmulatorServer,
) -> None:
    """The docs' AutocallAudio, read after a PUT that left them out: `"hopper": 0`,
    `"local_start_time": ""`, `"customer_order": ""`, `"allow_manual_dial": false` (the
    never-updated AutocallTTS shows 20, "00:00:00", "id", true); `"ratio": 100` survived.
    The PUT sample sends `"active": true`; the autodialer page reads back a PUT's false."""
    uuid = create(emulator, "Full", ratio=80)
    before = call(emulator, "GET", f"/v3/campaign/{uuid}").json()
    assert (before["hopper"], before["local_start_time"], before["customer_order"]) == (
        20, "00:00:00", "id")
    body = full_body(active=False, created_at="2020-01-01T00:00:00+07:00",
                     run_id="r", domain_name="d", campaign_uuid="something-else")
    assert call(emulator, "PUT", f"/v3/campaign/{uuid}", body).ok
    after = call(emulator, "GET", f"/v3/campaign/{uuid}").json()
    assert after["active"] is False
    assert (after["hopper"], after["local_start_time"], after["local_end_time"],
            after["customer_order"], after["allow_manual_dial"], after["allow_search_lead"],
            after["enable_callback_alert"]) == (0, "", "", "", False, False, False)
    for key in ("ratio", "created_at", "run_id", "domain_name", "campaign_uuid"):
        assert after[key] == before[key], key
    assert after["updated_at"] > before["updated_at"]
    # Sent, they are stored; `active` left out is reset like any other field.
    body = full_body(hopper=30, customer_order="id", allow_manual_dial=True)
    assert "active" not in body
    assert call(emulator, "PUT", f"/v3/campaign/{uuid}", body).ok
    after = call(emulator, "GET", f"/v3/campaign/{uuid}").json()
    assert (after["hopper"], after["customer_order"], after["allow_manual_dial"]) == (
        30, "id", True)
    assert after["active"] is False
    assert call(emulator, "PUT", f"/v3/campaign/{uuid}", full_body(hopper="x")).json() == {
        "error": [{"hopper": "Invalid type. Expected: integer, given: string"}]}


def test_put_regenerates_schedule_ids(emulator: EmulatorServer) -> None:
    uuid = create(emulator, "Full")
    call(emulator, "PUT", f"/v3/campaign/{uuid}", full_body())
    first = call(emulator, "GET", f"/v3/campaign/{uuid}").json()
    # Send the live object back, server keys included, as a client would.
    assert call(emulator, "PUT", f"/v3/campaign/{uuid}", first).ok
    second = call(emulator, "GET", f"/v3/campaign/{uuid}").json()
    assert first["schedules"][0]["id"] != second["schedules"][0]["id"]
    strip = [{k: v for k, v in s.items() if k != "id"} for s in first["schedules"]]
    assert [{k: v for k, v in s.items() if k != "id"} for s in second["schedules"]] == strip


def test_put_accepts_the_apis_spelling_and_empty_enums(emulator: EmulatorServer) -> None:
    uuid = create(emulator, "Full")
    body = full_body(mode_call="parralel", status="", schedule_recall="", type_autocall="")
    assert call(emulator, "PUT", f"/v3/campaign/{uuid}", body).ok
    assert call(emulator, "GET", f"/v3/campaign/{uuid}").json()["mode_call"] == "parralel"
    response = call(emulator, "PUT", f"/v3/campaign/{uuid}", full_body(mode_call="parallel"))
    assert response.status_code == 400


@pytest.mark.parametrize(("field", "message"), [
    ("carrier_uuid", "carrier not found"),
    ("template_uuid", "template not found"),
])
def test_put_unknown_carrier_or_template(emulator: EmulatorServer, field: str,
                                         message: str) -> None:
    uuid = create(emulator, "Full")
    body = full_body(**{field: "00000000-0000-4000-8000-000000000000"})
    response = call(emulator, "PUT", f"/v3/campaign/{uuid}", body)
    assert (response.status_code, response.json()) == (400, {"error": message})
    assert call(emulator, "GET", f"/v3/campaign/{uuid}").json()["concurrent_call"] == 0


def test_put_names_are_unique(emulator: EmulatorServer) -> None:
    create(emulator, "Taken")
    uuid = create(emulator, "Mine")
    response = call(emulator, "PUT", f"/v3/campaign/{uuid}", full_body(campaign_name="Taken"))
    assert (response.status_code, response.json()) == (
        400, {"error": "campaign_name is already taken"})
    assert call(emulator, "PUT", f"/v3/campaign/{uuid}", full_body(campaign_name="Mine")).ok
    assert call(emulator, "PUT", f"/v3/campaign/{uuid}", full_body(campaign_name="New")).ok
    assert call(emulator, "GET", f"/v3/campaign/{uuid}").json()["campaign_name"] == "New"
    assert create(emulator, "Mine")  # the old name is free again


# ---- PATCH active ----------------------------------------------------------------------

def test_patch_active(emulator: EmulatorServer) -> None:
    uuid = create(emulator)
    before = call(emulator, "GET", f"/v3/campaign/{uuid}").json()
    response = call(emulator, "PATCH", f"/v3/campaign/{uuid}/active", {"active": False})
    assert response.json() == {"active": False, "campaign_uuid": uuid}
    after = call(emulator, "GET", f"/v3/campaign/{uuid}").json()
    assert after["active"] is False and after["updated_at"] > before["updated_at"]
    call(emulator, "PATCH", f"/v3/campaign/{uuid}/active", {"active": True})
    assert call(emulator, "GET", f"/v3/campaign/{uuid}").json()["active"] is True


@pytest.mark.parametrize("body", [{}, {"active": "false"}, {"active": None}, {"active": 0}, []])
def test_patch_without_a_boolean(emulator: EmulatorServer, body: Any) -> None:
    uuid = create(emulator)
    response = call(emulator, "PATCH", f"/v3/campaign/{uuid}/active", body)
    assert (response.status_code, response.json()) == (400, {"error": "active is missing"})


def test_patch_unknown_campaign(emulator: EmulatorServer) -> None:
    response = call(emulator, "PATCH", "/v3/campaign/5ec47358-d062-4385-9fe7-b5e571055f01/active",
                    {"active": False})
    assert (response.status_code, response.json()) == (404, {"error": "Not Found"})


# ---- DELETE ----------------------------------------------------------------------------

def test_delete_refuses_an_active_campaign(emulator: EmulatorServer) -> None:
    uuid = create(emulator)
    response = call(emulator, "DELETE", f"/v3/campaign/{uuid}")
    assert (response.status_code, response.json()) == (
        400, {"error": "campaign must be deactive"})
    assert emulator.store.campaign_count() == 1
    call(emulator, "PATCH", f"/v3/campaign/{uuid}/active", {"active": False})
    assert call(emulator, "DELETE", f"/v3/campaign/{uuid}").json() == {"campaign_uuid": uuid}
    assert call(emulator, "GET", f"/v3/campaign/{uuid}").status_code == 404
    assert call(emulator, "DELETE", f"/v3/campaign/{uuid}").json() == {"error": "Not Found"}


# ---- routing and bodies ----------------------------------------------------------------

def test_unknown_path_and_method(emulator: EmulatorServer) -> None:
    response = call(emulator, "GET", "/v3/nothing")
    assert (response.status_code, response.json()) == (404, {"error": "Not Found"})
    assert call(emulator, "GET", "/v3/campaign/x/y/z").status_code == 404
    response = call(emulator, "DELETE", "/v3/campaign")
    assert response.status_code == 405 and "error" in response.json()


@pytest.mark.parametrize("data", [b"{not json", b"", b"[1, 2", b'{"a": NaN}'])
def test_bad_json_body(emulator: EmulatorServer, data: bytes) -> None:
    response = call(emulator, "POST", "/v3/campaign", data=data,
                    headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert isinstance(response.json()["error"], str)


def test_body_that_is_not_an_object(emulator: EmulatorServer) -> None:
    response = call(emulator, "POST", "/v3/campaign", ["campaign_name"])
    assert response.status_code == 400
    assert response.json() == {"error": [{"(root)": "Invalid type. Expected: object, "
                                                     "given: array"}]}


def test_responses_carry_content_length_and_keep_alive(emulator: EmulatorServer) -> None:
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {emulator.token}"
        first = session.get(emulator.url + "/v3/campaign")
        second = session.get(emulator.url + "/v3/nothing")
    assert int(first.headers["Content-Length"]) == len(first.content)
    assert int(second.headers["Content-Length"]) == len(second.content)
    assert first.headers["Content-Type"].startswith("application/json")
    assert "close" not in first.headers.get("Connection", "")


# ---- auth ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "header", [None, "Bearer wrong", "Basic dev-token", "Bearer ", "dev-token"])
def test_unauthorized(emulator: EmulatorServer, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    for path in ("/v3/campaign", "/v3/carrier", "/v3/template"):
        response = requests.get(emulator.url + path, headers=headers, timeout=5)
        assert (response.status_code, response.json()) == (401, {"error": "Unauthorized"})
    response = call(emulator, "POST", "/v3/campaign", {"campaign_name": "a", "type": "autocall"},
                    token="wrong")
    assert response.status_code == 401 and emulator.store.campaign_count() == 0


def test_api_key_exchange_and_expiry(emulator: EmulatorServer) -> None:
    answer = requests.post(emulator.url + "/v3/auth/token", json={"api_key": "dev-api-key"},
                           timeout=5)
    assert answer.status_code == 200
    grant = answer.json()
    assert set(grant) == {"token", "token_type", "expired_in"}
    assert grant["token_type"] == "Bearer" and grant["expired_in"] == 86400
    token = grant["token"]
    assert token != emulator.token
    assert call(emulator, "GET", "/v3/campaign", token=token).status_code == 200
    emulator.faults.expire_tokens()
    assert call(emulator, "GET", "/v3/campaign", token=token).status_code == 401
    assert call(emulator, "GET", "/v3/campaign").status_code == 200  # the static one lives on
    fresh = requests.post(emulator.url + "/v3/auth/token", json={"api_key": "dev-api-key"},
                          timeout=5).json()["token"]
    assert call(emulator, "GET", "/v3/campaign", token=fresh).status_code == 200
    emulator.faults.expire_tokens(include_static=True)
    assert call(emulator, "GET", "/v3/campaign").status_code == 401


@pytest.mark.parametrize("body", [{"api_key": "wrong"}, {}, {"api_key": 1}, ["dev-api-key"]])
def test_wrong_api_key(emulator: EmulatorServer, body: Any) -> None:
    response = requests.post(emulator.url + "/v3/auth/token", json=body, timeout=5)
    assert (response.status_code, response.json()) == (401, {"error": "Unauthorized"})


def test_custom_token_and_api_key() -> None:
    with EmulatorServer(token="t0k", api_key="k3y") as srv:
        assert srv.token == "t0k"
        assert call(srv, "GET", "/v3/campaign").status_code == 200
        assert call(srv, "GET", "/v3/campaign", token="dev-token").status_code == 401
        response = requests.post(srv.url + "/v3/auth/token", json={"api_key": "k3y"}, timeout=5)
        assert response.status_code == 200


# ---- carriers and templates ------------------------------------------------------------

def test_carriers(emulator: EmulatorServer) -> None:
    page = call(emulator, "GET", "/v3/carrier").json()
    assert set(page) == {"data", "limit", "offset", "total"} and page["limit"] == 10
    names = {row["carrier_name"]: row for row in page["data"]}
    assert names["Billing"]["carrier_uuid"] == BILLING
    assert {"dial_type", "concurrent_call"} <= set(names["Billing"])
    assert page["total"] == len(page["data"]) >= 2
    one = call(emulator, "GET", "/v3/carrier?limit=1&offset=1").json()
    assert len(one["data"]) == 1 and one["limit"] == 1 and one["offset"] == 1


def test_templates(emulator: EmulatorServer) -> None:
    page = call(emulator, "GET", "/v3/template").json()
    assert page["total"] >= 3
    found = call(emulator, "GET", "/v3/template?template_name=no_cuoc").json()
    names = sorted(row["template_name"] for row in found["data"])
    assert "thong_bao_no_cuoc_01" in names
    assert all("no_cuoc" in name for name in names) and found["total"] == len(names)
    none = call(emulator, "GET", "/v3/template?template_name=zzz").json()
    assert none["data"] == [] and none["total"] == 0
    detail = call(emulator, "GET", f"/v3/template/{TEMPLATE}").json()
    assert detail["template_name"] == "thong_bao_no_cuoc_01"
    assert {"template_uuid", "content", "voice_tts"} <= set(detail)
    missing = call(emulator, "GET", "/v3/template/00000000-0000-4000-8000-000000000000")
    # The template page's own error for a missing template (its Delete example).
    assert (missing.status_code, missing.json()) == (404, {"error": "template not found"})


def test_added_carrier_and_template_are_usable(emulator: EmulatorServer) -> None:
    carrier = emulator.store.add_carrier("Sales")
    template = emulator.store.add_template("promo_02", content="Xin chào")
    uuid = create(emulator, "Full", template_uuid=template)
    assert call(emulator, "PUT", f"/v3/campaign/{uuid}",
                full_body(carrier_uuid=carrier, template_uuid=template)).ok
    row = call(emulator, "GET", "/v3/campaign").json()["data"][0]
    assert (row["carrier_name"], row["template_name"]) == ("Sales", "promo_02")
    assert call(emulator, "GET", f"/v3/template/{template}").json()["content"] == "Xin chào"
