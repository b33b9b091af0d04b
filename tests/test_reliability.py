"""Reliability end to end: the real CLI over real HTTP against an emulator that misbehaves.

Gateways answer 429/502/503, connections drop after the server did the work, tokens expire,
campaigns fail for good, other pipelines race us. Whatever happens: no duplicate, no lost
field, nothing written over a concurrent change, and the next plan tells the truth.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from clirun import after_planning, run_cli

import reconciler.apply
import reconciler.refresh
import reconciler.saved_plan
from reconciler.api import ApiClient
from reconciler.emulator import EmulatorServer
from reconciler.errors import ConfigError

NS_HOUR = 3600 * 10**9
NS_MINUTE = 60 * 10**9
BILLING = "a18b400f-d487-4e17-b5e7-eba5fe6fa54f"
TEMPLATE = "5f427552-857e-4939-8edf-cbd0f1ef6842"
CAMPAIGN = r"^/v3/campaign$"
ONE_CAMPAIGN = r"^/v3/campaign/[^/]+$"
VOLATILE = ("updated_at",)


@pytest.fixture
def env(api_env: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> EmulatorServer:
    """The emulator as the live tenant, with retry waits shrunk to milliseconds."""
    monkeypatch.setenv("RECONCILER_RETRY_BACKOFF", "0.001")
    monkeypatch.setenv("RECONCILER_CREATE_LOOKUP_SECONDS", "0.3")
    return api_env


def write(tmp_path: Path, text: str) -> str:
    (tmp_path / "campaigns.yaml").write_text(text, encoding="utf-8")
    return str(tmp_path)


def uuid_of(server: EmulatorServer, name: str) -> str:
    uuid = server.store.campaign_uuid_by_name(name)
    assert uuid, f"{name} is not live"
    return uuid


def live(server: EmulatorServer, name: str) -> dict[str, Any]:
    return server.store.get_campaign(uuid_of(server, name))


def comparable(doc: dict[str, Any]) -> dict[str, Any]:
    """A live document without what the server regenerates (timestamps, schedule ids)."""
    out = {key: value for key, value in doc.items() if key not in VOLATILE}
    out["schedules"] = [
        {key: value for key, value in entry.items() if key != "id"}
        for entry in doc.get("schedules") or []
    ]
    return out


def names(server: EmulatorServer) -> list[str]:
    return sorted(doc["campaign_name"] for doc in server.store.campaigns())


def writes_to(server: EmulatorServer, uuid: str) -> list[tuple[str, str, int | None]]:
    return [entry for entry in server.write_requests() if uuid in entry[1]]


def assert_converged(manifests: str, *extra: str) -> None:
    again = run_cli("plan", manifests, "--detailed-exitcode", *extra)
    assert again.code == 0, again.output
    assert "No changes." in again.stdout


def plan_changes(manifests: str) -> list[dict[str, Any]]:
    result = run_cli("plan", manifests, "--format", "json")
    assert result.code == 0, result.output
    return json.loads(result.stdout)["changes"]


# -- one apply through every transient fault ----------------------------------------------

TRANSIENT = """\
campaigns:
  - campaign_name: Reminder
    concurrent_call: 9
    schedules:
      - mon-fri: "09:00-17:00"
  - campaign_name: Promo
    description: Khuyến mãi tháng 7
    recall_status: [busy, failed]
  - campaign_name: Fresh
    type_autocall: autocall_voice_tts
    description: brand new
    active: false
    concurrent_call: 4
    carrier: Billing
    template: thong_bao_no_cuoc_01
    call_timeout: 45
    mode_call: parralel
    network: {viettel: 10, mobi: 5}
    recall_times: 2
    recall_status: [no-answered, busy]
    callback_url: https://hooks.example.vn/cdr
    schedules:
      - mon-fri: "08:00-12:00"
        sat: "08:30-11:15"
"""


def seed_transient(server: EmulatorServer) -> dict[str, dict[str, Any]]:
    for name, extra in {
        "Reminder": {
            "concurrent_call": 2,
            "status": "pause",
            "callback_url": "https://hooks.example.vn/keep",
            "carrier_uuid": BILLING,
            "recall_status": ["busy"],
            "schedules": [{"monday_start_time": 8 * NS_HOUR, "monday_end_time": 12 * NS_HOUR}],
        },
        "Promo": {
            "description": "old words",
            "active": False,
            "call_timeout": 30,
            "network": {"vina": 3},
            "schedules": [{"sunday_start_time": 0, "sunday_end_time": 24 * NS_HOUR}],
        },
        "Bystander": {"concurrent_call": 1},  # declared nowhere: must not be touched
    }.items():
        server.store.add_campaign({"campaign_name": name, **extra})
    return {name: live(server, name) for name in ("Reminder", "Promo", "Bystander")}


def test_one_apply_converges_through_every_transient_fault(env, tmp_path):
    before = seed_transient(env)
    manifests = write(tmp_path, TRANSIENT)
    env.faults.fail("GET", CAMPAIGN, 429)  # the first listing page
    env.faults.fail("GET", ONE_CAMPAIGN, 502, body="<html><title>502 Bad Gateway</title></html>")
    env.faults.fail("PUT", ONE_CAMPAIGN, 503, times=2)
    env.faults.drop("POST", CAMPAIGN, when="after")  # created, but the answer is lost

    applied = run_cli("apply", manifests, "--auto-approve")

    assert applied.code == 0, applied.output
    assert env.faults.pending() == [], "every fault fired"
    assert "✓ create Fresh: created (confirmed by lookup after an unclear answer), " \
        "deactivated, configured" in applied.stdout
    statuses = [status for _, _, status in env.requests]
    assert statuses.count(429) == 1 and statuses.count(502) == 1 and statuses.count(503) == 2
    posts = [entry for entry in env.write_requests() if entry[0] == "POST"]
    assert posts == [("POST", "/v3/campaign", None)], "a create is never sent twice"
    assert names(env) == ["Bystander", "Fresh", "Promo", "Reminder"], "no duplicate"

    # Nothing lost: each updated campaign is its old self plus exactly the declared changes.
    reminder = comparable(before["Reminder"])
    reminder["concurrent_call"] = 9
    reminder["schedules"] = [
        {**entry, **{f"{day}_start_time": 9 * NS_HOUR for day in WEEKDAYS},
         **{f"{day}_end_time": 17 * NS_HOUR for day in WEEKDAYS}}
        for entry in reminder["schedules"]
    ]
    assert comparable(live(env, "Reminder")) == reminder
    promo = comparable(before["Promo"])
    promo.update(description="Khuyến mãi tháng 7", recall_status=["busy", "failed"])
    got = comparable(live(env, "Promo"))
    got["recall_status"] = sorted(got["recall_status"])
    assert got == promo
    assert live(env, "Bystander") == before["Bystander"]

    fresh = live(env, "Fresh")
    assert {key: fresh[key] for key in EXPECTED_FRESH} == EXPECTED_FRESH
    assert sorted(fresh["recall_status"]) == ["busy", "no-answered"]
    assert fresh["network"] == {"viettel": 10, "mobi": 5, "vina": 0, "tel": 0, "offnet": 0}
    [schedule] = fresh["schedules"]
    assert schedule["monday_start_time"] == 8 * NS_HOUR
    assert schedule["saturday_end_time"] == 11 * NS_HOUR + 15 * NS_MINUTE
    assert schedule["sunday_start_time"] == schedule["sunday_end_time"] == 0
    assert_converged(manifests)


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
EXPECTED_FRESH = {
    "type": "autocall",
    "type_autocall": "autocall_voice_tts",
    "description": "brand new",
    "active": False,
    "status": "stop",
    "concurrent_call": 4,
    "carrier_uuid": BILLING,
    "template_uuid": TEMPLATE,
    "call_timeout": 45,
    "mode_call": "parralel",
    "recall_times": 2,
    "callback_url": "https://hooks.example.vn/cdr",
}


def test_a_create_dropped_before_processing_is_reported_and_the_next_apply_creates_it(
    env, tmp_path
):
    manifests = write(tmp_path, "campaigns:\n  - campaign_name: Fresh\n    description: x\n")
    env.faults.drop("POST", CAMPAIGN, when="before")
    first = run_cli("apply", manifests, "--auto-approve")
    assert first.code == 1
    assert "failed: Fresh:" in first.stderr
    assert "no campaign of that name appeared in 0.3 s of lookups: it was not created" \
        in first.stderr
    assert names(env) == []
    assert [c["action"] for c in plan_changes(manifests)] == ["create"]
    second = run_cli("apply", manifests, "--auto-approve")
    assert second.code == 0, second.output
    assert names(env) == ["Fresh"]
    assert_converged(manifests)


def test_an_unclear_create_does_not_adopt_a_campaign_someone_else_created(
    env, tmp_path, monkeypatch
):
    manifests = write(tmp_path, "campaigns:\n  - campaign_name: Fresh\n    description: ours\n"
                      "    callback_url: https://hooks.example.vn/ours\n")
    env.faults.drop("POST", CAMPAIGN, when="before")  # ours never arrives, theirs did
    theirs: list[str] = []
    after_planning(
        monkeypatch,
        lambda: theirs.append(env.store.add_campaign(
            {"campaign_name": "Fresh", "description": "theirs"}
        )),
    )
    result = run_cli("apply", manifests, "--auto-approve")
    assert result.code == 1
    assert "a campaign named Fresh exists but differs from what was sent (description)" in (
        result.stderr
    )
    assert "someone else created it meanwhile; nothing was written to it" in result.stderr
    assert names(env) == ["Fresh"] and writes_to(env, theirs[0]) == []
    assert live(env, "Fresh")["description"] == "theirs"


def test_an_unclear_create_whose_lookup_fails_too_is_reported_and_the_next_apply_finishes(
    env, tmp_path, monkeypatch
):
    manifests = write(tmp_path, "campaigns:\n  - campaign_name: Fresh\n    description: x\n"
                      "    recall_times: 4\n")
    env.faults.drop("POST", CAMPAIGN, when="after")
    after_planning(monkeypatch, lambda: env.faults.fail("GET", CAMPAIGN, 500, times=None))
    first = run_cli("apply", manifests, "--auto-approve")
    assert first.code == 1
    assert "the request may or may not have been processed; looking it up by name failed " \
        "too (GET /v3/campaign: 500 Internal Server Error)" in first.stderr
    assert names(env) == ["Fresh"]
    env.faults.clear()
    assert [c["action"] for c in plan_changes(manifests)] == ["update"]
    second = run_cli("apply", manifests, "--auto-approve")
    assert second.code == 0, second.output
    assert names(env) == ["Fresh"] and live(env, "Fresh")["recall_times"] == 4
    assert_converged(manifests)


def test_retry_backoff_from_the_environment_is_checked():
    environ = {"RECONCILER_TOKEN": "t", "RECONCILER_RETRY_BACKOFF": "0.002"}
    assert ApiClient.from_env("http://h", environ=environ).retry.backoff_factor == 0.002
    for bad in ("fast", "-1", "nan", "1e9"):
        with pytest.raises(ConfigError, match="RECONCILER_RETRY_BACKOFF"):
            ApiClient.from_env("http://h", environ={**environ, "RECONCILER_RETRY_BACKOFF": bad})


# -- partial failure ----------------------------------------------------------------------

PARTIAL = """\
campaigns:
  - campaign_name: A
    concurrent_call: 2
  - campaign_name: B
    concurrent_call: 2
  - campaign_name: C
    concurrent_call: 2
  - campaign_name: D
    description: created last
"""


def seed_partial(server: EmulatorServer) -> dict[str, str]:
    return {
        name: server.store.add_campaign({"campaign_name": name, "concurrent_call": 1})
        for name in ("A", "B", "C")
    }


def test_a_persistent_failure_stops_the_apply_and_reports_every_campaign(env, tmp_path):
    uuids = seed_partial(env)
    manifests = write(tmp_path, PARTIAL)
    env.faults.fail(
        "PUT", f"^/v3/campaign/{uuids['B']}$", 500, times=None,
        body={"error": "database is locked"},
    )

    result = run_cli("apply", manifests, "--auto-approve", "-p", "1")

    assert result.code == 1
    assert "✓ update A: updated" in result.stdout
    assert f"✗ update B: failed: PUT /v3/campaign/{uuids['B']}: 500 database is locked" in (
        result.stdout
    )
    assert "· update C: not attempted" in result.stdout
    assert "· create D: not attempted" in result.stdout
    assert "Apply incomplete: 1 done, 1 failed, 2 not attempted." in result.stderr
    assert "  failed: B: PUT" in result.stderr and "database is locked" in result.stderr
    assert "not attempted: C" not in result.stderr  # listed once, on stdout
    assert "Traceback" not in result.output
    assert writes_to(env, uuids["C"]) == [] and "D" not in names(env)
    assert [c["campaign_name"] for c in plan_changes(manifests)] == ["B", "C", "D"]

    env.faults.clear()
    again = run_cli("apply", manifests, "--auto-approve")
    assert again.code == 0, again.output
    assert all(live(env, name)["concurrent_call"] == 2 for name in "ABC")
    assert names(env) == ["A", "B", "C", "D"]
    assert_converged(manifests)


@pytest.mark.parametrize("parallelism", ["1", "8"])
def test_continue_on_error_attempts_every_other_campaign(env, tmp_path, parallelism):
    uuids = seed_partial(env)
    manifests = write(tmp_path, PARTIAL)
    env.faults.fail("PUT", f"^/v3/campaign/{uuids['B']}$", 500, times=None)

    result = run_cli(
        "apply", manifests, "--auto-approve", "--continue-on-error", "-p", parallelism
    )

    assert result.code == 1
    assert "Apply incomplete: 3 done, 1 failed, 0 not attempted." in result.stderr
    assert f"failed: B: PUT /v3/campaign/{uuids['B']}: 500 Internal Server Error" in (
        result.stderr
    )
    lines = [line for line in result.stdout.splitlines() if line[:2] in ("✓ ", "✗ ", "· ")]
    assert [line.split(":")[0] for line in lines] == [
        "✓ update A", "✗ update B", "✓ update C", "✓ create D"
    ], "reported in plan order at any parallelism"
    assert [live(env, name)["concurrent_call"] for name in "ABC"] == [2, 1, 2]
    assert [c["campaign_name"] for c in plan_changes(manifests)] == ["B"]

    env.faults.clear()
    assert run_cli("apply", manifests, "--auto-approve").code == 0
    assert_converged(manifests)


def test_default_parallel_apply_starts_no_later_phase_after_a_failure(env, tmp_path):
    uuids = seed_partial(env)
    manifests = write(tmp_path, PARTIAL)
    env.faults.fail("PUT", f"^/v3/campaign/{uuids['B']}$", 500, times=None)
    result = run_cli("apply", manifests, "--auto-approve")
    assert result.code == 1
    assert "· create D: not attempted" in result.stdout
    assert "D" not in names(env)
    assert [entry for entry in env.write_requests() if entry[0] == "POST"] == []


def test_a_create_whose_follow_up_put_failed_is_reported_and_then_finished(env, tmp_path):
    manifests = write(
        tmp_path,
        "campaigns:\n  - campaign_name: Fresh\n    description: new\n    active: false\n"
        "    callback_url: https://hooks.example.vn/cdr\n"
        "    schedules:\n      - daily: '08:00-20:00'\n",
    )
    env.faults.fail("PUT", ONE_CAMPAIGN, 500, body={"error": "upstream timeout"})
    # The roll-back (deleting what the failed create made) is refused too.
    env.faults.fail("DELETE", ONE_CAMPAIGN, 400, body={"error": "locked"})

    first = run_cli("apply", manifests, "--auto-approve")

    assert first.code == 1
    uuid = uuid_of(env, "Fresh")
    message = (
        f"PUT /v3/campaign/{uuid}: 500 upstream timeout "
        f"(already done: created, deactivated, could not roll back (DELETE /v3/campaign/{uuid}: "
        f"400 locked); left: campaign Fresh ({uuid}) exists and is not active (read back): "
        "check it, then delete it or switch it on; the next plan shows what remains)"
    )
    assert f"✗ create Fresh: failed: {message}" in first.stdout
    assert f"failed: Fresh: {message}" in first.stderr
    assert "Apply incomplete: 0 done, 1 failed, 0 not attempted." in first.stderr
    created = live(env, "Fresh")
    assert created["description"] == "new" and created["callback_url"] == ""
    assert created["active"] is False, "a half-configured campaign is never left active"

    [pending] = plan_changes(manifests)
    assert pending["action"] == "update" and pending["campaign_uuid"] == uuid
    # Declared inactive, and already deactivated before the failed PUT: active is no change.
    assert set(pending["fields"]) == {"callback_url", "schedules"}

    second = run_cli("apply", manifests, "--auto-approve")
    assert second.code == 0, second.output
    assert names(env) == ["Fresh"]
    done = live(env, "Fresh")
    assert done["callback_url"] == "https://hooks.example.vn/cdr" and done["active"] is False
    assert_converged(manifests)


# -- auth ---------------------------------------------------------------------------------


@pytest.fixture
def key_env(env: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> EmulatorServer:
    monkeypatch.delenv("RECONCILER_TOKEN")
    monkeypatch.setenv("RECONCILER_API_KEY", env.tokens.api_key)
    return env


def exchanges(server: EmulatorServer) -> list[int | None]:
    return [status for method, path, status in server.requests
            if method == "POST" and path == "/v3/auth/token"]


def test_tokens_expiring_between_plan_and_write_are_renewed_once(key_env, tmp_path, monkeypatch):
    seed_partial(key_env)
    manifests = write(tmp_path, PARTIAL)
    after_planning(monkeypatch, key_env.faults.expire_tokens)

    result = run_cli("apply", manifests, "--auto-approve", "-p", "4")

    assert result.code == 0, result.output
    assert exchanges(key_env) == [200, 200], "one exchange to start, one after the 401"
    assert [status for _, _, status in key_env.requests].count(401) >= 1
    assert names(key_env) == ["A", "B", "C", "D"]
    assert_converged(manifests)


def test_tokens_expiring_mid_apply_are_renewed_and_the_call_retried(
    key_env, tmp_path, monkeypatch
):
    seed_partial(key_env)
    manifests = write(tmp_path, PARTIAL)
    apply_change = reconciler.apply.apply_change

    def expire_first(client, change, *rest):  # noqa: ANN001, ANN202
        key_env.faults.expire_tokens()
        return apply_change(client, change)

    monkeypatch.setattr(reconciler.apply, "apply_change", expire_first)
    result = run_cli("apply", manifests, "--auto-approve", "-p", "1")

    assert result.code == 0, result.output
    assert exchanges(key_env) == [200] * 5  # the first, then one per campaign
    rejected = [(m, p) for m, p, status in key_env.requests if status == 401]
    assert len(rejected) == 4 and all(m == "GET" for m, _ in rejected[:3])
    assert rejected[3] == ("POST", "/v3/campaign"), "a create refused for its token is re-sent"
    assert names(key_env) == ["A", "B", "C", "D"]
    assert_converged(manifests)


def test_a_static_token_expiring_mid_run_is_a_clean_failure(env, tmp_path, monkeypatch):
    seed_partial(env)
    manifests = write(tmp_path, PARTIAL)
    after_planning(monkeypatch, lambda: env.faults.expire_tokens(include_static=True))
    result = run_cli("apply", manifests, "--auto-approve", "-p", "1")
    assert result.code == 1
    assert "the bearer token was rejected" in result.stderr
    assert "RECONCILER_API_KEY" in result.stderr and "Traceback" not in result.output
    assert env.write_requests() == []


# -- races --------------------------------------------------------------------------------


def test_apply_refuses_to_overwrite_a_campaign_changed_after_planning(env, tmp_path, monkeypatch):
    uuids = seed_partial(env)
    manifests = write(tmp_path, PARTIAL)
    after_planning(
        monkeypatch, lambda: env.store.update_campaign_raw(uuids["B"], concurrent_call=7)
    )

    result = run_cli("apply", manifests, "--auto-approve", "-p", "1")

    assert result.code == 1
    assert "B changed on the server since the plan was made" in result.stdout
    assert "nothing was written to it" in result.stderr
    assert writes_to(env, uuids["B"]) == []
    assert live(env, "B")["concurrent_call"] == 7, "the concurrent change survives"
    assert "not attempted: C" not in result.stderr  # listed once, on stdout


@pytest.mark.parametrize(
    "meddle", [{"status": "start"}, {"active": True}, {"description": "someone's"}]
)
def test_a_planned_delete_is_refused_when_the_campaign_changed(env, tmp_path, monkeypatch, meddle):
    uuid = env.store.add_campaign({"campaign_name": "Old", "active": False})
    manifests = write(tmp_path, "campaigns:\n  - campaign_name: Old\n    state: absent\n")
    after_planning(monkeypatch, lambda: env.store.update_campaign_raw(uuid, **meddle))
    result = run_cli("apply", manifests, "--auto-approve")
    assert result.code == 1
    assert "Old changed on the server since the plan was made" in result.stderr
    assert env.write_requests() == [] and env.store.get_campaign(uuid) is not None


def test_a_name_taken_by_someone_else_meanwhile_is_not_duplicated_nor_overwritten(
    env, tmp_path, monkeypatch
):
    manifests = write(tmp_path, "campaigns:\n  - campaign_name: Fresh\n    description: ours\n")
    theirs: list[str] = []
    after_planning(
        monkeypatch,
        lambda: theirs.append(env.store.add_campaign(
            {"campaign_name": "Fresh", "description": "theirs"}
        )),
    )
    result = run_cli("apply", manifests, "--auto-approve")
    assert result.code == 1
    assert "campaign_name is already taken" in result.stderr
    assert names(env) == ["Fresh"]
    assert live(env, "Fresh")["description"] == "theirs"
    assert writes_to(env, theirs[0]) == []


def test_a_saved_plan_changed_out_of_band_is_refused_without_a_write(env, tmp_path):
    uuids = seed_partial(env)
    manifests = write(tmp_path, PARTIAL)
    plan_file = str(tmp_path / "plan.json")
    assert run_cli("plan", manifests, "--out", plan_file).code == 0
    env.store.update_campaign_raw(uuids["C"], description="edited in the portal")
    result = run_cli("apply", "--plan", plan_file, "--auto-approve")
    assert result.code == 1
    assert "C: changed on the server since the plan was made" in result.stderr
    assert env.write_requests() == []


def test_a_saved_plan_changed_after_its_staleness_check_is_still_refused(
    env, tmp_path, monkeypatch
):
    uuids = seed_partial(env)
    manifests = write(tmp_path, PARTIAL)
    plan_file = str(tmp_path / "plan.json")
    assert run_cli("plan", manifests, "--out", plan_file).code == 0
    check = reconciler.saved_plan.stale_problems

    def checked_then_meddled(*args: Any) -> list[str]:
        problems = check(*args)
        env.store.update_campaign_raw(uuids["A"], concurrent_call=9)
        return problems

    monkeypatch.setattr(reconciler.saved_plan, "stale_problems", checked_then_meddled)
    result = run_cli("apply", "--plan", plan_file, "--auto-approve", "-p", "1")
    assert result.code == 1
    assert "A changed on the server since the plan was made" in result.stdout
    assert env.write_requests() == []
    assert live(env, "A")["concurrent_call"] == 9
