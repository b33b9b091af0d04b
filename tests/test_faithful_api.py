"""The tool against the API as its docs show it, not as we once guessed it: detail reads
without joins, PUTs that replace everything (active included), answers that are not always
honest. Each test goes through the CLI and real HTTP against the emulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from clirun import after_planning, run_cli

from reconciler.emulator import EmulatorServer

BILLING = "a18b400f-d487-4e17-b5e7-eba5fe6fa54f"
TEMPLATE = "5f427552-857e-4939-8edf-cbd0f1ef6842"
NS_HOUR = 3600 * 10**9
WORKDAY = {f"{day}_{edge}_time": (8 if edge == "start" else 17) * NS_HOUR
           for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
           for edge in ("start", "end")}
# A campaign as the docs' examples show one: carrier and template set, so its list row names
# them ("carrier_name": "Billing") and its detail read does not ("carrier_name": "").
JOINED = {"carrier_uuid": BILLING, "template_uuid": TEMPLATE, "concurrent_call": 1,
          "schedules": [WORKDAY]}


@pytest.fixture
def env(api_env: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> EmulatorServer:
    monkeypatch.setenv("RECONCILER_RETRY_BACKOFF", "0.001")
    monkeypatch.setenv("RECONCILER_CREATE_LOOKUP_SECONDS", "5")
    return api_env


def manifest(tmp_path: Path, text: str) -> str:
    (tmp_path / "campaigns.yaml").write_text(text, encoding="utf-8")
    return str(tmp_path)


def seed(env: EmulatorServer, name: str, **fields: Any) -> str:
    return env.store.add_campaign({"campaign_name": name, **JOINED, **fields})


def list_row(env: EmulatorServer, uuid: str) -> dict[str, Any]:
    rows, _ = env.store.list_campaigns_json(None, 1000, 0)
    return next(row for row in map(json.loads, rows) if row["campaign_uuid"] == uuid)


def converged(manifests: str) -> None:
    again = run_cli("plan", manifests, "--detailed-exitcode")
    assert again.code == 0, again.output


def test_the_emulator_answers_list_rows_and_details_as_the_docs_do(env):
    uuid = seed(env, "Joined")
    row, detail = list_row(env, uuid), env.store.get_campaign(uuid)
    assert (row["carrier_name"], row["template_name"]) == ("Billing", "thong_bao_no_cuoc_01")
    assert (detail["carrier_name"], detail["template_name"]) == ("", "")
    assert row["schedules"] is None and len(detail["schedules"]) == 1


def test_an_update_planned_from_a_list_row_applies(env, tmp_path):
    uuid = seed(env, "Joined")
    manifests = manifest(tmp_path, "campaigns:\n  - campaign_name: Joined\n"
                                   "    concurrent_call: 5\n")
    applied = run_cli("apply", manifests, "--auto-approve")
    assert applied.code == 0, applied.output
    assert "✓ update Joined: updated" in applied.stdout
    kept = env.store.get_campaign(uuid)
    assert kept["concurrent_call"] == 5
    assert kept["schedules"][0]["monday_end_time"] == 17 * NS_HOUR  # sent back untouched
    assert (kept["carrier_uuid"], kept["template_uuid"], kept["active"]) == (
        BILLING, TEMPLATE, True)
    converged(manifests)


def test_a_delete_planned_from_a_list_row_applies(env, tmp_path):
    uuid = seed(env, "Retired")
    manifests = manifest(tmp_path, "campaigns:\n  - campaign_name: Retired\n"
                                   "    state: absent\n")
    applied = run_cli("apply", manifests, "--auto-approve")
    assert applied.code == 0, applied.output
    assert "✓ delete Retired: deactivated, deleted" in applied.stdout
    assert env.store.get_campaign(uuid) is None


SCHEDULED = """\
campaigns:
  - campaign_name: Joined
    schedules:
      - mon-fri: "09:00-16:00"
  - campaign_name: Retired
    state: absent
"""


def saved_plan(env: EmulatorServer, tmp_path: Path) -> tuple[str, dict[str, str]]:
    uuids = {"Joined": seed(env, "Joined"), "Retired": seed(env, "Retired")}
    manifests = manifest(tmp_path, SCHEDULED)
    plan_file = str(tmp_path / "plan.json")
    saved = run_cli("plan", manifests, "--out", plan_file, "--detailed-exitcode")
    assert saved.code == 2, saved.output
    return plan_file, uuids


def test_a_fresh_saved_plan_managing_schedules_applies(env, tmp_path):
    plan_file, uuids = saved_plan(env, tmp_path)
    applied = run_cli("apply", "--plan", plan_file, "--auto-approve")
    assert applied.code == 0, applied.output
    assert env.store.get_campaign(uuids["Retired"]) is None
    schedule = env.store.get_campaign(uuids["Joined"])["schedules"][0]
    assert (schedule["monday_start_time"], schedule["friday_end_time"]) == (
        9 * NS_HOUR, 16 * NS_HOUR)
    converged(str(tmp_path))


@pytest.mark.parametrize("updated_at_moves", [True, False])
def test_a_schedule_only_change_makes_a_saved_plan_stale(env, tmp_path, updated_at_moves):
    """Caught even on a server that does not move `updated_at` for a schedule edit: the
    fingerprint of a plan made from a detail read covers the schedules."""
    plan_file, uuids = saved_plan(env, tmp_path)
    before = env.store.get_campaign(uuids["Joined"])
    keep = {} if updated_at_moves else {"updated_at": before["updated_at"]}
    weekend = {**WORKDAY, "saturday_start_time": 8 * NS_HOUR, "saturday_end_time": 9 * NS_HOUR}
    env.store.update_campaign_raw(uuids["Joined"], schedules=[weekend], **keep)
    env.requests.clear()
    refused = run_cli("apply", "--plan", plan_file, "--auto-approve")
    assert refused.code == 1
    assert "Joined: changed on the server since the plan was made" in refused.stderr
    assert env.write_requests() == []


@pytest.mark.parametrize("meddle", [
    {"concurrent_call": 9},
    {"schedules": [{**WORKDAY, "sunday_start_time": NS_HOUR, "sunday_end_time": 2 * NS_HOUR}]},
    {"active": False},
])
def test_a_concurrent_change_during_apply_is_refused_with_no_write(
    env, tmp_path, monkeypatch, meddle
):
    uuid = seed(env, "Joined")
    manifests = manifest(tmp_path, "campaigns:\n  - campaign_name: Joined\n"
                                   "    description: changed\n"
                                   "    schedules:\n      - mon-fri: '09:00-16:00'\n")
    after_planning(monkeypatch, lambda: (
        env.store.update_campaign_raw(uuid, **meddle), env.requests.clear()
    ))
    applied = run_cli("apply", manifests, "--auto-approve")
    assert applied.code == 1
    assert "changed on the server since the plan was made" in applied.stdout
    assert env.write_requests() == []


def test_an_error_answered_with_200_fails_the_apply_with_the_api_text(env, tmp_path):
    uuid = seed(env, "Joined")
    manifests = manifest(tmp_path, "campaigns:\n  - campaign_name: Joined\n"
                                   "    concurrent_call: 5\n")
    env.faults.fail("PUT", f"/v3/campaign/{uuid}$", 200,
                    body={"error": "concurrent_call exceeds the carrier's limit"})
    applied = run_cli("apply", manifests, "--auto-approve")
    assert applied.code == 1
    assert "concurrent_call exceeds the carrier's limit" in applied.stdout
    assert "Apply incomplete: 0 done, 1 failed, 0 not attempted." in applied.stderr
    again = run_cli("plan", manifests, "--detailed-exitcode")
    assert again.code == 2 and "concurrent_call: 1 → 5" in again.stdout


@pytest.mark.parametrize("answer", [
    {}, b"", {"data": None, "total": 25}, {"rows": [], "total": 0}, {"data": []},
    {"data": "nope", "total": 1}, [],
])
def test_a_malformed_listing_is_an_error_never_a_plan_of_creates(env, tmp_path, answer):
    seed(env, "Joined")
    manifests = manifest(tmp_path, "campaigns:\n  - campaign_name: Joined\n"
                                   "    concurrent_call: 1\n")
    env.faults.fail("GET", r"^/v3/campaign\?", 200, times=None, body=answer)
    planned = run_cli("plan", manifests, "--format", "json")
    assert planned.code == 1
    assert "campaign listing" in planned.stderr or "JSON" in planned.stderr
    assert "create" not in planned.stdout
    assert "internal error" not in planned.output


def test_an_unstable_listing_is_read_again_then_refused(env, tmp_path):
    env.page_cap = 2
    for name in ("A", "B", "C"):
        env.store.add_campaign({"campaign_name": name})
    rows, _ = env.store.list_campaigns_json(None, 2, 0)
    first_page = json.loads("[" + ",".join(rows) + "]")
    # Every second page repeats the first page's last row: 3 announced, 2 distinct.
    env.faults.fail("GET", r"^/v3/campaign\?.*offset=2", 200, times=None,
                    body={"data": first_page[1:], "limit": 2, "offset": 2, "total": 3})
    manifests = manifest(tmp_path, "campaigns:\n  - campaign_name: A\n")
    planned = run_cli("plan", manifests)
    assert planned.code == 1
    assert "inconsistent, twice in a row: it announced 3 rows but gave 2 distinct ones" \
        in planned.stderr


@pytest.mark.parametrize("answer", ["null", "[]", '"ok"', '{"campaign_uuid": "other"}'])
def test_a_malformed_detail_after_a_create_is_a_clean_failure_naming_what_was_done(
    env, tmp_path, answer
):
    manifests = manifest(tmp_path, "campaigns:\n  - campaign_name: Fresh\n"
                                   "    callback_url: https://hooks.example.vn/cdr\n")
    env.faults.fail("GET", r"^/v3/campaign/[^/?]+$", 200, times=None, body=answer.encode())
    applied = run_cli("apply", manifests, "--auto-approve")
    assert applied.code == 1
    assert "unexpected answer" in applied.stdout
    assert "already done: created, deactivated, rolled back: deleted the campaign it had " \
        "created; nothing is left: the next apply creates it again" in applied.stdout
    assert "internal error" not in applied.output
    env.faults.clear()
    assert env.store.campaign_count() == 0
    finished = run_cli("apply", manifests, "--auto-approve")
    assert finished.code == 0, finished.output
    converged(manifests)


def test_a_campaign_deleted_between_listing_and_detail_read_is_simply_gone(env, tmp_path):
    uuid = seed(env, "Vanishing")
    manifests = manifest(tmp_path, "campaigns:\n  - campaign_name: Vanishing\n"
                                   "    schedules:\n      - daily: '08:00-17:00'\n")
    env.faults.fail("GET", f"^/v3/campaign/{uuid}$", 404, body={"error": "Not Found"})
    planned = run_cli("plan", manifests, "--format", "json")
    assert planned.code == 0, planned.output
    [change] = json.loads(planned.stdout)["changes"]
    assert change["action"] == "create"


def test_a_create_the_server_finishes_late_is_found_not_reported_missing(env, tmp_path):
    manifests = manifest(tmp_path, "campaigns:\n  - campaign_name: Slow\n"
                                   "    concurrent_call: 3\n"
                                   "    callback_url: https://hooks.example.vn/cdr\n")
    env.faults.drop("POST", r"^/v3/campaign$", when="later", delay=0.4)
    applied = run_cli("apply", manifests, "--auto-approve")
    assert applied.code == 0, applied.output
    assert "✓ create Slow: created (confirmed by lookup after an unclear answer)" \
        in applied.stdout
    assert [doc["campaign_name"] for doc in env.store.campaigns()] == ["Slow"]
    kept = env.store.get_campaign(env.store.campaign_uuid_by_name("Slow"))
    assert kept["callback_url"] == "https://hooks.example.vn/cdr" and kept["active"] is True
    converged(manifests)


@pytest.mark.parametrize("parallelism", ["1", "8"])
def test_an_api_that_quietly_keeps_an_old_value_fails_the_apply_naming_the_field(
    env, tmp_path, parallelism
):
    uuid = seed(env, "Joined")
    manifests = manifest(tmp_path, "campaigns:\n  - campaign_name: Joined\n"
                                   "    concurrent_call: 5\n    description: kept\n")
    env.quirks.put_drops.add("concurrent_call")
    applied = run_cli("apply", manifests, "--auto-approve", "-p", parallelism)
    assert applied.code == 1
    assert ("✗ update Joined: failed: the API answered success but did not keep what was "
            "sent: concurrent_call: sent 5, the API kept the old value 1 (it did not keep the "
            "write) (already done: updated; the next plan shows what remains)") in applied.stdout
    assert env.store.get_campaign(uuid)["description"] == "kept"
    again = run_cli("plan", manifests, "--format", "json")
    [change] = json.loads(again.stdout)["changes"]
    assert change["fields"] == {"concurrent_call": {"before": 1, "after": 5}}


def test_a_value_written_by_someone_else_between_put_and_read_back_is_not_blamed_on_the_api(
    env, tmp_path
):
    """Another writer (a second apply, the portal) changes the field after our PUT and
    before our read-back: the read-back shows a third value, neither the old nor the sent."""
    uuid = seed(env, "Joined")
    manifests = manifest(tmp_path, "campaigns:\n  - campaign_name: Joined\n"
                                   "    concurrent_call: 5\n")
    seen_put = []

    def someone_else_writes(method: str, path: str) -> None:
        if method == "PUT" and path == f"/v3/campaign/{uuid}":
            seen_put.append(path)
        elif method == "GET" and path == f"/v3/campaign/{uuid}" and seen_put:
            seen_put.clear()  # once: right before our read-back
            env.store.update_campaign_raw(uuid, concurrent_call=7)

    env.request_hook = someone_else_writes
    applied = run_cli("apply", manifests, "--auto-approve")
    assert applied.code == 1
    assert ("✗ update Joined: failed: the read-back differs from what was sent: "
            "concurrent_call: sent 5, read back a third value 7 (neither the old 1 nor the "
            "sent 5): most likely someone else wrote it meanwhile (else the API rewrote what "
            "it was sent) — run plan again (already done: updated;") in applied.stdout
    assert "the API kept" not in applied.output


def test_a_run_starting_between_plan_and_apply_is_no_conflict_for_an_update(
    env, tmp_path, monkeypatch
):
    """The run state changes by itself (a paused campaign starts at its scheduled time); it
    is never managed, so it does not make the plan stale, and the PUT carries it as read."""
    uuid = seed(env, "Joined", status="pause")
    manifests = manifest(tmp_path, "campaigns:\n  - campaign_name: Joined\n"
                                   "    concurrent_call: 4\n")
    after_planning(monkeypatch, lambda: env.store.update_campaign_raw(
        uuid, status="start", run_id="run-1",
        updated_at=env.store.get_campaign(uuid)["updated_at"],
    ))
    applied = run_cli("apply", manifests, "--auto-approve")
    assert applied.code == 0, applied.output
    kept = env.store.get_campaign(uuid)
    assert (kept["concurrent_call"], kept["status"], kept["run_id"]) == (4, "start", "run-1")


def test_a_campaign_that_started_running_since_the_plan_is_not_deleted(
    env, tmp_path, monkeypatch
):
    uuid = seed(env, "Retired", status="stop")
    manifests = manifest(tmp_path, "campaigns:\n  - campaign_name: Retired\n    state: absent\n")
    after_planning(monkeypatch, lambda: (
        env.store.update_campaign_raw(
            uuid, status="start", updated_at=env.store.get_campaign(uuid)["updated_at"]
        ),
        env.requests.clear(),
    ))
    applied = run_cli("apply", manifests, "--auto-approve")
    assert applied.code == 1
    assert "Retired started running since the plan was made" in applied.stdout
    assert env.write_requests() == []
    assert env.store.get_campaign(uuid) is not None


def test_an_update_switching_a_campaign_on_checks_its_settings_first(env, tmp_path):
    """A dropped setting is found while the campaign is still off: it stays off."""
    uuid = seed(env, "Off", active=False)
    manifests = manifest(tmp_path, "campaigns:\n  - campaign_name: Off\n    active: true\n"
                                   "    schedules:\n      - mon-fri: '09:00-16:00'\n")
    env.quirks.put_drops.add("schedules")
    applied = run_cli("apply", manifests, "--auto-approve")
    assert applied.code == 1
    assert "did not keep what was sent: schedules" in applied.stdout
    assert "(already done: updated;" in applied.stdout
    assert env.store.get_campaign(uuid)["active"] is False


def test_a_create_the_api_does_not_store_whole_is_rolled_back_never_left_running(env, tmp_path):
    manifests = manifest(tmp_path, "campaigns:\n  - campaign_name: New\n"
                                   "    schedules:\n      - mon-fri: '09:00-16:00'\n")
    env.quirks.put_drops.add("schedules")
    applied = run_cli("apply", manifests, "--auto-approve")
    assert applied.code == 1
    assert "(already done: created, deactivated, configured, rolled back: deleted the " \
        "campaign it had created; nothing is left" in applied.stdout
    assert env.store.campaign_count() == 0


def test_a_create_whose_first_switching_off_fails_is_switched_off_by_its_put(env, tmp_path):
    manifests = manifest(tmp_path, "campaigns:\n  - campaign_name: NewOne\n"
                                   "    callback_url: https://hooks.example.vn/cdr\n")
    env.faults.fail("PATCH", "/active$", 400, times=1, body={"error": "nope"})
    first = run_cli("apply", manifests, "--auto-approve")
    assert first.code == 0, first.output
    assert "✓ create NewOne: created, configured, activated" in first.stdout
    puts = [entry for entry in env.write_requests() if entry[0] == "PUT"]
    assert len(puts) == 1
    assert env.store.get_campaign(env.store.campaign_uuid_by_name("NewOne"))["active"] is True
    converged(manifests)


@pytest.mark.parametrize("status", [500, 200])
def test_a_create_whose_switching_on_fails_is_rolled_back_and_the_next_apply_finishes(
    env, tmp_path, status
):
    manifests = manifest(tmp_path, "campaigns:\n  - campaign_name: NewOne\n"
                                   "    callback_url: https://hooks.example.vn/cdr\n")
    patches: list[str] = []

    def refuse_switching_on(method: str, path: str) -> None:
        if method == "PATCH":
            patches.append(path)
            if len(patches) == 2:  # off (1st), then on (2nd): the 2nd is refused
                env.faults.fail("PATCH", "/active$", status, times=1, body={"error": "busy"})

    env.request_hook = refuse_switching_on
    first = run_cli("apply", manifests, "--auto-approve")
    env.request_hook = None
    assert first.code == 1
    assert "(already done: created, deactivated, configured, rolled back: deleted the " \
        "campaign it had created; nothing is left: the next apply creates it again" \
        in first.stdout
    assert env.store.campaign_count() == 0
    second = run_cli("apply", manifests, "--auto-approve")
    assert second.code == 0, second.output
    assert env.store.get_campaign(env.store.campaign_uuid_by_name("NewOne"))["active"] is True
    converged(manifests)
