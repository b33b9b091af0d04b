"""The emulator's runs and call reports against the vendor pages (api-docs 000_ and 001_): the
docs' example answers are quoted, and seeded calls reproduce their figures and shapes."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from reconciler.emulator import EmulatorServer
from reconciler.emulator.seed import SeedError

# "Report Campaign By ID": the AutocallTTS row, as the page shows it.
DOCS_CAMPAIGN_ROW = {
    "answered": 1, "busy": 4, "busy_line": 0, "campaign_name": "AutocallTTS",
    "campaign_uuid": "fdccdbf2-bc4b-4a0f-a7ea-cb0239daaa7d", "cancel": 0, "congestion": 0,
    "inbound": 0, "invalid": 0, "ivr": 0, "local": 0, "no_answered": 1, "not_available": 0,
    "outbound": 6, "phone_block": 0, "total": 6,
}
# "Report Lead of Campaign": the first (answered) row, as the page shows it.
DOCS_LEAD_ROW = {
    "billsec": 22, "called_count": 4, "campaign_name": "AutocallTTS",
    "cdr_uuid": "93d7d283-1a5c-40ad-bb93-64bb256bd901", "contract_number": "", "duration": 31,
    "lead_code": "", "lead_uuid": "2f8b1c0f-da79-4dfb-959d-1b611cf0cd6a", "lead_name": "",
    "list_name": "ListAutocall01", "phone_number": "0775702541", "press_key": "{}",
    "record_name": "93d7d283-1a5c-40ad-bb93-64bb256bd901.mp3",
    "recording_url": "/usr/local/freeswitch/recordings/autocall.tel4vn.com/archive/2023/Mar/07",
    "status": "answered",
    "additional": {"data1": 1, "miengiam": "Giảm 50% gốc", "phone_number": "0775702541",
                   "sdt": "0981218709", "ten": "Đỗ Thị Ngà"},
    "start_stamp": "2023-03-07 13:34:26", "end_stamp": "2023-03-07 13:34:57",
    "answer_stamp": "2023-03-07 13:34:35", "created_at": "2023-03-07T13:34:21.310357+07:00",
    "last_call_time": "2023-03-07T20:36:42+07:00",
}
DAY = {"start_time": "2023-03-07 00:00:00", "end_time": "2023-03-07 23:59:59"}
PARAMS = {"data1": 1, "miengiam": "Giảm 50% gốc", "sdt": "0981218709", "ten": "Đỗ Thị Ngà"}


def _calls() -> list[dict[str, Any]]:
    """Six calls of AutocallTTS on 2023-03-07 giving the docs' counters (1 answered, 4 busy,
    1 no answer), one more the day before, and none for AutocallAudio."""
    calls: list[dict[str, Any]] = [
        {"campaign": "AutocallTTS", "phone": "0775702541", "time": f"2023-03-07 {hour}",
         "status": "busy"}
        for hour in ("10:40:27", "10:52:01", "11:05:00")
    ]
    calls.append({"campaign": "AutocallTTS", "phone": "0775702541", "time": "2023-03-07 13:34:26",
                  "status": "answered", "duration": 31, "billsec": 22, "params": PARAMS})
    calls.append({"campaign": "AutocallTTS", "phone": "0981000111", "time": "2023-03-07 09:00:00",
                  "status": "busy"})
    calls.append({"campaign": "AutocallTTS", "phone": "0981000222", "time": "2023-03-07 09:30:00",
                  "status": "no-answered"})
    calls.append({"campaign": "AutocallTTS", "phone": "0981000333", "time": "2023-03-06 09:30:00",
                  "status": "answered"})
    return calls


SEED = {
    "campaigns": [{"campaign_name": "AutocallTTS"}, {"campaign_name": "AutocallAudio",
                                                      "active": False}],
    "calls": _calls(),
}


@pytest.fixture
def srv() -> Any:
    with EmulatorServer(seed=SEED) as server:
        yield server


def get(srv: EmulatorServer, path: str, **params: Any) -> requests.Response:
    return requests.get(srv.url + path, params=params, timeout=5,
                        headers={"Authorization": f"Bearer {srv.token}"})


def test_campaign_report_reproduces_the_docs_row(srv: EmulatorServer) -> None:
    uuid = srv.store.campaign_uuid_by_name("AutocallTTS")
    answer = get(srv, "/v3/report/call/campaign", campaign_uuid=uuid, **DAY).json()
    assert list(answer) == ["data"]  # no paging envelope, as the page shows
    [row] = answer["data"]
    assert list(row) == list(DOCS_CAMPAIGN_ROW)  # the docs' keys, in the docs' order
    assert row == {**DOCS_CAMPAIGN_ROW, "campaign_uuid": uuid}


def test_campaign_report_without_a_campaign_lists_every_campaign(srv: EmulatorServer) -> None:
    rows = {row["campaign_name"]: row for row in
            get(srv, "/v3/report/call/campaign", **DAY).json()["data"]}
    assert set(rows) == {"AutocallTTS", "AutocallAudio"}
    assert rows["AutocallAudio"]["total"] == 0 and rows["AutocallTTS"]["total"] == 6
    # Without a window every call counts, the day before's too.
    everything = get(srv, "/v3/report/call/campaign").json()["data"]
    assert {row["campaign_name"]: row["total"] for row in everything} == {
        "AutocallTTS": 7, "AutocallAudio": 0}


def test_lead_report_has_the_docs_fields(srv: EmulatorServer) -> None:
    uuid = srv.store.campaign_uuid_by_name("AutocallTTS")
    answer = get(srv, "/v3/report/call/lead", campaign_uuid=uuid, limit=50, **DAY).json()
    assert (answer["limit"], answer["offset"], answer["total"]) == (50, 0, 3)
    rows = {row["phone_number"]: row for row in answer["data"]}
    lead = rows["0775702541"]
    assert list(lead) == list(DOCS_LEAD_ROW)
    assert {key: type(value) for key, value in lead.items()} == {
        key: type(value) for key, value in DOCS_LEAD_ROW.items()}
    # Four attempts on one lead; the row shows the latest, answered one.
    assert (lead["called_count"], lead["status"], lead["duration"], lead["billsec"]) == (
        4, "answered", 31, 22)
    assert (lead["start_stamp"], lead["end_stamp"], lead["answer_stamp"]) == (
        "2023-03-07 13:34:26", "2023-03-07 13:34:57", "2023-03-07 13:34:35")
    assert lead["last_call_time"] == "2023-03-07T13:34:26+07:00"
    assert lead["additional"] == DOCS_LEAD_ROW["additional"]
    assert lead["created_at"].startswith("2023-03-07T10:40:2") and lead["created_at"].endswith(
        "+07:00")
    assert rows["0981000222"]["status"] == "no-answered"
    assert "0981000333" not in rows  # called the day before: outside the window


def test_lead_report_pages_by_ten_by_default(srv: EmulatorServer) -> None:
    many = [{"campaign": "AutocallAudio", "phone": f"09000000{n:02d}",
             "time": f"2023-03-07 09:{n:02d}:00"} for n in range(23)]
    from reconciler.emulator.reports import add_seed_calls

    assert add_seed_calls(srv.store, many) == 23
    assert add_seed_calls(srv.store, many) == 0  # the same calls again add nothing
    uuid = srv.store.campaign_uuid_by_name("AutocallAudio")
    first = get(srv, "/v3/report/call/lead", campaign_uuid=uuid).json()
    assert (len(first["data"]), first["limit"], first["total"]) == (10, 10, 23)
    last = get(srv, "/v3/report/call/lead", campaign_uuid=uuid, offset=20).json()
    assert len(last["data"]) == 3
    # Newest lead first.
    assert first["data"][0]["phone_number"] == "0900000022"


def test_reports_refuse_unknown_campaigns_and_bad_times(srv: EmulatorServer) -> None:
    for path in ("/v3/report/call/campaign", "/v3/report/call/lead"):
        missing = get(srv, path, campaign_uuid="5ec47358-d062-4385-9fe7-b5e571055f01")
        assert missing.status_code == 404
        assert missing.json() == {"error": "campaign is not found"}  # the docs' error
        bad = get(srv, path, start_time="07/03/2023")
        assert bad.status_code == 400 and "start_time" in bad.json()["error"]
    assert get(srv, "/v3/report/call/lead").status_code == 200
    assert requests.get(srv.url + "/v3/report/call/lead", timeout=5).status_code == 401


def test_run_start_sets_status_and_a_run_id(srv: EmulatorServer) -> None:
    uuid = srv.store.campaign_uuid_by_name("AutocallTTS")
    before = srv.store.get_campaign(uuid)
    assert (before["status"], before["run_id"]) == ("stop", "")
    headers = {"Authorization": f"Bearer {srv.token}", "Content-Type": "application/json"}
    answer = requests.post(f"{srv.url}/v1/campaign/{uuid}/run/start", data="{}",
                           headers=headers, timeout=5)
    assert answer.json() == {"campaign_uuid": uuid}  # the docs' answer
    after = srv.store.get_campaign(uuid)
    assert after["status"] == "start" and after["run_id"]
    assert after["updated_at"] == before["updated_at"]  # a run is not a configuration change
    again = requests.post(f"{srv.url}/v1/campaign/{uuid}/run/start", data="{}",
                          headers=headers, timeout=5)
    assert again.status_code == 200
    assert srv.store.get_campaign(uuid)["run_id"] == after["run_id"]  # still the same run
    missing = requests.post(f"{srv.url}/v1/campaign/nope/run/start", data="{}",
                            headers=headers, timeout=5)
    assert (missing.status_code, missing.json()) == (404, {"error": "Not Found"})
    assert requests.get(f"{srv.url}/v1/campaign/{uuid}/run/start", headers=headers,
                        timeout=5).status_code == 405


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ({"campaign": "Nope", "phone": "09", "time": "2023-03-07 10:00:00"},
         "seed: calls[0]: campaign 'Nope' is not a campaign of the tenant"),
        ({"campaign": "AutocallTTS", "time": "2023-03-07 10:00:00"},
         "seed: calls[0]: phone must be the number called"),
        ({"campaign": "AutocallTTS", "phone": "09", "time": "yesterday"},
         "seed: calls[0]: time: 'yesterday' is not a time like"),
        ({"campaign": "AutocallTTS", "phone": "09", "time": "2023-03-07 10:00:00",
          "status": "ringing"}, "seed: calls[0]: status 'ringing' is not one of"),
        ({"campaign": "AutocallTTS", "phone": "09", "time": "2023-03-07 10:00:00",
          "duration": 5, "billsec": 9}, "billsec (9) cannot exceed duration (5)"),
        ({"campaign": "AutocallTTS", "phone": "09", "time": "2023-03-07 10:00:00",
          "when": 1}, "seed: calls[0]: unknown key(s) when"),
    ],
)
def test_bad_seeded_calls_are_refused_by_name(call: dict[str, Any], message: str) -> None:
    with pytest.raises(SeedError) as caught:
        EmulatorServer(seed={"campaigns": [{"campaign_name": "AutocallTTS"}], "calls": [call]})
    assert message in str(caught.value)


def test_calls_in_another_zone_are_shown_in_tenant_time(srv: EmulatorServer) -> None:
    from reconciler.emulator.reports import add_seed_calls

    add_seed_calls(srv.store, [{"campaign": "AutocallAudio", "phone": "0911",
                                "time": "2023-03-07T11:30:00+00:00"}])
    uuid = srv.store.campaign_uuid_by_name("AutocallAudio")
    [row] = get(srv, "/v3/report/call/lead", campaign_uuid=uuid).json()["data"]
    assert row["start_stamp"] == "2023-03-07 18:30:00"
    assert row["last_call_time"] == "2023-03-07T18:30:00+07:00"


def test_calls_alike_to_the_second_are_two_calls(srv: EmulatorServer) -> None:
    from reconciler.emulator.reports import add_seed_calls

    same = {"campaign": "AutocallAudio", "phone": "0900111222", "time": "2023-03-07 09:00:00"}
    assert add_seed_calls(srv.store, [same, same]) == 2
    assert add_seed_calls(srv.store, [same, same]) == 0  # re-seeding still adds nothing
    uuid = srv.store.campaign_uuid_by_name("AutocallAudio")
    [row] = get(srv, "/v3/report/call/campaign", campaign_uuid=uuid, **DAY).json()["data"]
    assert row["total"] == 2
    [lead] = get(srv, "/v3/report/call/lead", campaign_uuid=uuid, **DAY).json()["data"]
    assert lead["called_count"] == 2 and lead["start_stamp"] == "2023-03-07 09:00:00"


def test_a_lead_not_called_yet_has_a_row_without_a_call(srv: EmulatorServer) -> None:
    from reconciler.emulator.reports import add_seed_calls

    add_seed_calls(srv.store, [{"campaign": "AutocallAudio", "phone": "0900333444",
                                "time": "2023-03-07 08:00:00", "called": False}])
    uuid = srv.store.campaign_uuid_by_name("AutocallAudio")
    [lead] = get(srv, "/v3/report/call/lead", campaign_uuid=uuid, **DAY).json()["data"]
    assert list(lead) == list(DOCS_LEAD_ROW)
    assert (lead["called_count"], lead["cdr_uuid"], lead["status"], lead["start_stamp"],
            lead["last_call_time"]) == (0, "", "", "", "")
    assert lead["created_at"].startswith("2023-03-07T08:00:00")
    [row] = get(srv, "/v3/report/call/campaign", campaign_uuid=uuid, **DAY).json()["data"]
    assert row["total"] == 0  # an import is not a call
    with pytest.raises(SeedError, match="called must be true or false"):
        EmulatorServer(seed={"campaigns": [{"campaign_name": "X"}], "calls": [
            {"campaign": "X", "phone": "09", "time": "2023-03-07 08:00:00", "called": "no"}]})


def test_quirk_lead_report_grows_adds_a_call_per_page(srv: EmulatorServer) -> None:
    srv.quirks.set("lead-report-grows")
    uuid = srv.store.campaign_uuid_by_name("AutocallTTS")
    first = get(srv, "/v3/report/call/lead", campaign_uuid=uuid, limit=2, **DAY).json()
    second = get(srv, "/v3/report/call/lead", campaign_uuid=uuid, limit=2, offset=2,
                 **DAY).json()
    assert (first["total"], second["total"]) == (4, 5)
    assert first["data"][0]["start_stamp"] == "2023-03-07 23:59:59"  # at the window's end
    [row] = get(srv, "/v3/report/call/campaign", campaign_uuid=uuid, **DAY).json()["data"]
    assert row["total"] == 8
