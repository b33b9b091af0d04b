"""Seeding (dict, JSON and YAML files), persistence in a --db file, and the store's Python API
that other tests use to create drifted or running campaigns."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests

from reconciler.emulator import EmulatorServer
from reconciler.emulator.seed import SeedError
from reconciler.emulator.store import NameTaken
from reconciler.fields import SCHEDULE_KEYS

BILLING = "a18b400f-d487-4e17-b5e7-eba5fe6fa54f"
WINDOW = {key: (28800 if key.endswith("start_time") else 43200) * 10**9 for key in SCHEDULE_KEYS}

SEED: dict[str, Any] = {
    "carriers": [
        {"carrier_name": "Hotline", "carrier_uuid": "11111111-2222-4333-8444-555555555555"},
        "Backup",
    ],
    "templates": [{"template_name": "nhac_lich_01", "content": "Nhắc lịch hẹn"}],
    "campaigns": [
        {"campaign_name": "Running", "active": True, "status": "start", "carrier_uuid": BILLING,
         "concurrent_call": 9, "schedules": [WINDOW], "recall_status": ["busy"]},
        {"campaign_name": "Paused", "type": "autodialer", "active": False, "status": "pause",
         "carrier": "Hotline", "template": "nhac_lich_01", "network": {"viettel": 4}},
    ],
}


def get(srv: EmulatorServer, path: str) -> Any:
    response = requests.get(srv.url + path, headers={"Authorization": f"Bearer {srv.token}"},
                            timeout=5)
    assert response.status_code == 200, response.text
    return response.json()


def check_seeded(srv: EmulatorServer) -> None:
    rows = {row["campaign_name"]: row for row in get(srv, "/v3/campaign")["data"]}
    assert set(rows) == {"Running", "Paused"}
    running = get(srv, f"/v3/campaign/{rows['Running']['campaign_uuid']}")
    assert (running["active"], running["status"], rows["Running"]["carrier_name"]) == (
        True, "start", "Billing")
    assert running["carrier_name"] == ""  # detail reads have no joins
    assert running["concurrent_call"] == 9 and running["recall_status"] == ["busy"]
    assert running["schedules"][0]["monday_end_time"] == 43200 * 10**9
    assert running["schedules"][0]["campaign_uuid"] == running["campaign_uuid"]
    assert running["call_timeout"] == 60 and running["type"] == "autocall"  # defaults
    paused = get(srv, f"/v3/campaign/{rows['Paused']['campaign_uuid']}")
    assert (paused["active"], paused["status"], paused["type"]) == (False, "pause", "autodialer")
    assert (rows["Paused"]["carrier_name"], rows["Paused"]["template_name"]) == (
        "Hotline", "nhac_lich_01")
    assert paused["network"] == {"viettel": 4, "mobi": 0, "vina": 0, "tel": 0, "offnet": 0}
    carriers = {row["carrier_name"] for row in get(srv, "/v3/carrier?limit=50")["data"]}
    assert {"Billing", "Hotline", "Backup"} <= carriers
    templates = get(srv, "/v3/template?template_name=nhac_lich")["data"]
    assert [row["content"] for row in templates] == ["Nhắc lịch hẹn"]


def test_seed_from_a_dict() -> None:
    with EmulatorServer(seed=SEED) as srv:
        check_seeded(srv)


def test_seed_from_json_and_yaml_files(tmp_path: Path) -> None:
    json_file = tmp_path / "seed.json"
    json_file.write_text(json.dumps(SEED), encoding="utf-8")
    with EmulatorServer(seed=str(json_file)) as srv:
        check_seeded(srv)
    from ruamel.yaml import YAML

    yaml_file = tmp_path / "seed.yaml"
    with yaml_file.open("w", encoding="utf-8") as stream:
        YAML(typ="safe", pure=True).dump(SEED, stream)
    with EmulatorServer(seed=yaml_file) as srv:
        check_seeded(srv)


@pytest.mark.parametrize(("seed", "message"), [
    ({"campaign": []}, "unknown key"),
    ({"campaigns": {}}, "must be a list"),
    ({"campaigns": [{"campaign_name": "A"}, {"campaign_name": "A"}]}, "appears twice"),
    ({"campaigns": [{"campaign_name": "A", "colour": "red"}]}, "unknown campaign field"),
    ({"campaigns": [{"campaign_name": "A", "carrier": "Nope"}]}, "unknown carrier"),
    ({"campaigns": [{"type": "autocall"}]}, "campaign_name"),
    ({"campaigns": ["A"]}, "must be a mapping"),
    ({"carriers": [{"name": "x"}]}, "carrier_name"),
    ([], "expected a mapping"),
])
def test_bad_seeds(seed: Any, message: str) -> None:
    with pytest.raises(SeedError, match=message):
        EmulatorServer(seed=seed)


def test_bad_seed_files(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(SeedError, match="not valid JSON"):
        EmulatorServer(seed=broken)
    yaml_file = tmp_path / "broken.yml"
    yaml_file.write_text("campaigns: [\n", encoding="utf-8")
    with pytest.raises(SeedError, match="not valid YAML"):
        EmulatorServer(seed=yaml_file)
    with pytest.raises(SeedError, match="cannot read"):
        EmulatorServer(seed=tmp_path / "missing.json")


def test_state_persists_in_a_db_file(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite"
    with EmulatorServer(db=db, seed=SEED) as srv:
        response = requests.post(srv.url + "/v3/campaign",
                                 json={"campaign_name": "Later", "type": "autocall"},
                                 headers={"Authorization": f"Bearer {srv.token}"}, timeout=5)
        assert response.ok
    with EmulatorServer(db=db, seed=SEED) as srv:  # the same seed again is harmless
        names = [row["campaign_name"] for row in get(srv, "/v3/campaign")["data"]]
        assert names == ["Later", "Paused", "Running"]


def test_store_api(emulator: EmulatorServer) -> None:
    store = emulator.store
    carrier = store.add_carrier("Sales")
    template = store.add_template("promo", uuid="12345678-1234-4234-8234-123456789012",
                                  content="Hi")
    assert template == "12345678-1234-4234-8234-123456789012"
    uuid = store.add_campaign({"campaign_name": "Portal", "carrier_uuid": carrier})
    assert store.campaign_count() == 1
    before = store.get_campaign(uuid)
    assert before["carrier_name"] == "" and before["schedules"] is None
    assert get(emulator, "/v3/campaign")["data"][0]["carrier_name"] == "Sales"
    after = store.update_campaign_raw(uuid, concurrent_call=3, template_uuid=template,
                                      schedules=[WINDOW], active=False)
    live = get(emulator, f"/v3/campaign/{uuid}")
    assert live == after
    assert live["concurrent_call"] == 3 and live["template_uuid"] == template
    row = next(r for r in get(emulator, "/v3/campaign")["data"] if r["campaign_uuid"] == uuid)
    assert row["template_name"] == "promo"
    assert live["active"] is False and live["updated_at"] > before["updated_at"]
    assert live["schedules"][0]["id"] and live["schedules"][0]["domain_uuid"]
    assert store.get_campaign("00000000-0000-4000-8000-000000000000") is None
    with pytest.raises(KeyError):
        store.update_campaign_raw("00000000-0000-4000-8000-000000000000", active=True)
    with pytest.raises(ValueError, match="unknown campaign field"):
        store.update_campaign_raw(uuid, colour="red")
    store.add_campaign({"campaign_name": "Other"})
    with pytest.raises(NameTaken):
        store.update_campaign_raw(uuid, campaign_name="Other")
    with pytest.raises(NameTaken):
        store.add_campaign({"campaign_name": "Other"})


def test_add_campaign_keeps_given_identity_and_times(emulator: EmulatorServer) -> None:
    uuid = emulator.store.add_campaign({
        "campaign_name": "Old", "campaign_uuid": "c2da23c0-9739-4287-828a-7b15cf0fb19e",
        "created_at": "2023-03-06T16:27:17.784242+07:00",
    })
    assert uuid == "c2da23c0-9739-4287-828a-7b15cf0fb19e"
    detail = get(emulator, f"/v3/campaign/{uuid}")
    assert detail["created_at"] == detail["updated_at"] == "2023-03-06T16:27:17.784242+07:00"


def test_bulk_seeding_is_fast_enough_for_the_benchmark() -> None:
    with EmulatorServer() as srv:
        srv.store.add_campaigns({"campaign_name": f"bulk{i:05d}"} for i in range(2000))
        page = get(srv, "/v3/campaign?limit=5&offset=1995")
        assert page["total"] == 2000
        assert [row["campaign_name"] for row in page["data"]] == [
            f"bulk{i:05d}" for i in range(4, -1, -1)]
