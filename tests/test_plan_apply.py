"""plan and apply end to end: real CLI, real HTTP, the emulator as the live tenant."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clirun import run_cli

from reconciler.emulator import EmulatorServer

NS_HOUR = 3600 * 10**9
BILLING = "a18b400f-d487-4e17-b5e7-eba5fe6fa54f"
TEMPLATE = "5f427552-857e-4939-8edf-cbd0f1ef6842"


def write(tmp_path: Path, text: str, name: str = "campaigns.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(tmp_path)


def plan_json(manifests: str, *extra: str) -> dict:
    result = run_cli("plan", manifests, "--format", "json", *extra)
    assert result.code == 0, result.output
    return json.loads(result.stdout)


def assert_converged(manifests: str, *extra: str) -> None:
    again = run_cli("plan", manifests, "--detailed-exitcode", *extra)
    assert again.code == 0, again.output
    assert "No changes." in again.stdout


def by_name(server: EmulatorServer, name: str) -> dict:
    uuid = server.store.campaign_uuid_by_name(name)
    assert uuid, f"{name} is not live"
    return server.store.get_campaign(uuid)


FULL = """\
campaigns:
  - campaign_name: DebtReminderTTS
    type_autocall: autocall_voice_tts
    description: Nhắc nợ hàng tháng
    active: false
    concurrent_call: 5
    carrier: Billing
    template: thong_bao_no_cuoc_01
    call_timeout: 45
    mode_call: parralel
    network: {viettel: 10, mobi: 5}
    recall_times: 3
    limit_recall_duration: 0
    schedule_recall: minute
    schedule_recall_duration: 15
    priority_recall: recall
    recall_status: [no-answered, busy]
    callback_url: https://hooks.example.vn/cdr
    schedules:
      - mon-fri: 08:00-12:00
        sat: "08:30-11:15"
      - mon-fri: "13:30-20:45"
"""


def test_create_with_every_field_then_converges(api_env, tmp_path):
    manifests = write(tmp_path, FULL)
    planned = plan_json(manifests)
    assert planned["summary"] == {"create": 1, "update": 0, "delete": 0, "unchanged": 0}
    change = planned["changes"][0]
    assert change["action"] == "create" and change["campaign_uuid"] is None
    assert change["fields"]["carrier"] == {"before": None, "after": "Billing"}
    assert change["fields"]["schedules"]["after"] == [
        {"mon-fri": "08:00-12:00", "sat": "08:30-11:15"},
        {"mon-fri": "13:30-20:45"},
    ]

    applied = run_cli("apply", manifests, "--auto-approve")
    assert applied.code == 0, applied.output
    assert "✓ create DebtReminderTTS: created, deactivated, configured" in applied.stdout

    live = by_name(api_env, "DebtReminderTTS")
    assert live["active"] is False and live["status"] == "stop"
    assert live["carrier_uuid"] == BILLING and live["template_uuid"] == TEMPLATE
    assert live["network"] == {"viettel": 10, "mobi": 5, "vina": 0, "tel": 0, "offnet": 0}
    assert sorted(live["recall_status"]) == ["busy", "no-answered"]
    assert live["schedules"][0]["saturday_start_time"] == 8 * NS_HOUR + 30 * 60 * 10**9
    assert live["mode_call"] == "parralel" and live["call_timeout"] == 45
    assert_converged(manifests)


def test_update_changes_only_declared_fields_and_preserves_the_rest(api_env, tmp_path):
    schedules = [{"monday_start_time": 8 * NS_HOUR, "monday_end_time": 17 * NS_HOUR}]
    uuid = api_env.store.add_campaign(
        {
            "campaign_name": "Promo",
            "type_autocall": "autocall_audio",
            "concurrent_call": 1,
            "callback_url": "https://hooks.example.vn/x",
            "status": "pause",
            "carrier_uuid": BILLING,
            "schedules": schedules,
            "recall_status": ["busy"],
        }
    )
    before = api_env.store.get_campaign(uuid)
    manifests = write(tmp_path, "campaigns:\n  - campaign_name: Promo\n    concurrent_call: 5\n")

    planned = plan_json(manifests)
    assert planned["changes"] == [
        {
            "action": "update",
            "kind": "campaign",  # every change says its kind (templates are the other)
            "campaign_name": "Promo",
            "campaign_uuid": uuid,
            "fields": {"concurrent_call": {"before": 1, "after": 5}},
            "source": planned["changes"][0]["source"],
            # what needs care: 1 → 5 calls at once, on a paused run that resumes by itself
            "risk": {"level": "high", "reasons": [
                "concurrent_call raised 1 → 5 (5×)",
                "paused now: the run resumes with this change at its next window",
            ]},
            "updated_at": before["updated_at"],  # when the live object last changed
            "apply": planned["changes"][0]["apply"],
        }
    ]
    assert planned["changes"][0]["source"].endswith("campaigns.yaml:2")

    assert run_cli("apply", manifests, "--auto-approve").code == 0
    after = api_env.store.get_campaign(uuid)
    assert after["concurrent_call"] == 5
    ignored = {"concurrent_call", "updated_at", "schedules"}
    assert {k: v for k, v in after.items() if k not in ignored} == {
        k: v for k, v in before.items() if k not in ignored
    }
    strip = ("id",)  # the server regenerates schedule ids on PUT
    assert [{k: v for k, v in s.items() if k not in strip} for s in after["schedules"]] == [
        {k: v for k, v in s.items() if k not in strip} for s in before["schedules"]
    ]
    assert_converged(manifests)


def test_rename_through_a_pinned_uuid(api_env, tmp_path):
    uuid = api_env.store.add_campaign({"campaign_name": "OldName", "concurrent_call": 2})
    manifests = write(
        tmp_path, f"campaigns:\n  - campaign_name: NewName\n    campaign_uuid: {uuid}\n"
    )
    change = plan_json(manifests)["changes"][0]
    assert change["action"] == "update"
    assert change["fields"] == {"campaign_name": {"before": "OldName", "after": "NewName"}}
    assert run_cli("apply", manifests, "--auto-approve").code == 0
    assert api_env.store.get_campaign(uuid)["campaign_name"] == "NewName"
    assert api_env.store.campaign_count() == 1
    assert_converged(manifests)


def test_rename_onto_a_taken_name_is_refused_before_any_write(api_env, tmp_path):
    uuid = api_env.store.add_campaign({"campaign_name": "A"})
    api_env.store.add_campaign({"campaign_name": "B"})
    manifests = write(tmp_path, f"campaigns:\n  - campaign_name: B\n    campaign_uuid: {uuid}\n")
    result = run_cli("apply", manifests, "--auto-approve")
    assert result.code == 1
    assert "cannot rename to 'B'" in result.stderr and "campaigns.yaml:2" in result.stderr
    assert api_env.write_requests() == []


@pytest.mark.parametrize("live_active,declared", [(True, "false"), (False, "true")])
def test_active_is_switched_with_patch_only(api_env, tmp_path, live_active, declared):
    uuid = api_env.store.add_campaign({"campaign_name": "Toggle", "active": live_active})
    manifests = write(tmp_path, f"campaigns:\n  - campaign_name: Toggle\n    active: {declared}\n")
    change = plan_json(manifests)["changes"][0]
    assert change["fields"] == {"active": {"before": live_active, "after": not live_active}}
    assert run_cli("apply", manifests, "--auto-approve").code == 0
    assert api_env.store.get_campaign(uuid)["active"] is (not live_active)
    assert [(m, p) for m, p, _ in api_env.write_requests()] == [
        ("PATCH", f"/v3/campaign/{uuid}/active")
    ]
    assert_converged(manifests)


def test_state_absent_deactivates_then_deletes(api_env, tmp_path):
    uuid = api_env.store.add_campaign({"campaign_name": "Retired", "active": True})
    manifests = write(tmp_path, "campaigns:\n  - campaign_name: Retired\n    state: absent\n")
    assert plan_json(manifests)["summary"]["delete"] == 1
    result = run_cli("apply", manifests, "--auto-approve")
    assert result.code == 0, result.output
    assert "✓ delete Retired: deactivated, deleted" in result.stdout
    assert api_env.store.get_campaign(uuid) is None
    assert [m for m, _, _ in api_env.write_requests()] == ["PATCH", "DELETE"]
    assert_converged(manifests)


def test_prune_deletes_only_undeclared_autocall_campaigns(api_env, tmp_path):
    api_env.store.add_campaign({"campaign_name": "Kept", "concurrent_call": 1})
    stray = api_env.store.add_campaign({"campaign_name": "Stray", "active": False})
    inbound = api_env.store.add_campaign({"campaign_name": "Hotline", "type": "inbound"})
    manifests = write(tmp_path, "campaigns:\n  - campaign_name: Kept\n")
    assert plan_json(manifests)["changes"] == []  # no --prune: nothing undeclared is touched
    pruned = plan_json(manifests, "--prune")
    assert [(c["action"], c["campaign_name"]) for c in pruned["changes"]] == [("delete", "Stray")]
    assert run_cli("apply", manifests, "--auto-approve", "--prune").code == 0
    assert api_env.store.get_campaign(stray) is None
    assert api_env.store.get_campaign(inbound) is not None
    assert_converged(manifests, "--prune")


def test_target_limits_the_plan_and_rejects_unknown_names(api_env, tmp_path):
    manifests = write(tmp_path, "campaigns:\n  - campaign_name: One\n  - campaign_name: Two\n")
    targeted = plan_json(manifests, "--target", "Two")
    assert [c["campaign_name"] for c in targeted["changes"]] == ["Two"]
    assert run_cli("apply", manifests, "--auto-approve", "--target", "Two").code == 0
    assert api_env.store.campaign_uuid_by_name("One") is None
    unknown = run_cli("plan", manifests, "--target", "Three")
    assert unknown.code == 1 and "'Three'" in unknown.stderr


def test_apply_without_a_terminal_or_approval_refuses_without_any_write(api_env, tmp_path):
    manifests = write(tmp_path, "campaigns:\n  - campaign_name: One\n")
    result = run_cli("apply", manifests)
    assert result.code == 1
    assert "+ create One" in result.stdout  # the plan it would have asked about
    assert result.stderr == (
        "error: no terminal to confirm on: pass --auto-approve to apply non-interactively "
        "(nothing was changed)\n"
    )
    assert api_env.write_requests() == []


def test_apply_with_no_changes_needs_no_terminal_nor_approval(api_env, tmp_path):
    api_env.store.add_campaign({"campaign_name": "One", "concurrent_call": 2})
    manifests = write(tmp_path, "campaigns:\n  - campaign_name: One\n    concurrent_call: 2\n")
    result = run_cli("apply", manifests)
    assert result.code == 0, result.output
    assert result.stdout == "No changes. The live campaigns match the manifests (1 unchanged).\n"
    assert result.stderr == ""
    assert api_env.write_requests() == []


def test_detailed_exitcode_and_plain_exitcode(api_env, tmp_path):
    manifests = write(tmp_path, "campaigns:\n  - campaign_name: One\n")
    assert run_cli("plan", manifests).code == 0
    pending = run_cli("plan", manifests, "--detailed-exitcode")
    assert pending.code == 2
    assert "Plan: 1 to create, 0 to update, 0 to delete." in pending.stdout
    assert run_cli("apply", manifests, "--auto-approve").code == 0
    assert run_cli("plan", manifests, "--detailed-exitcode").code == 0


def test_plan_error_is_located_and_suggests_names(api_env, tmp_path):
    manifests = write(tmp_path, "campaigns:\n  - campaign_name: One\n    carrier: Biling\n")
    result = run_cli("plan", manifests)
    assert result.code == 1
    assert 'campaigns.yaml:3: carrier: unknown carrier "Biling" (did you mean "Billing"?)' in (
        result.stderr
    )
    assert "Traceback" not in result.output


def test_duplicate_carrier_names_must_be_disambiguated(api_env, tmp_path):
    api_env.store.add_carrier("Twin")
    api_env.store.add_carrier("Twin")
    manifests = write(tmp_path, "campaigns:\n  - campaign_name: One\n    carrier: Twin\n")
    result = run_cli("plan", manifests)
    assert result.code == 1 and 'carriers are named "Twin"' in result.stderr


def test_paging_finds_the_managed_campaign_on_the_last_page(api_env, tmp_path):
    uuid = api_env.store.add_campaign({"campaign_name": "Managed", "concurrent_call": 3})
    for number in range(150):  # newest first: these push "Managed" to the last page
        api_env.store.add_campaign({"campaign_name": f"Other{number:03}"})
    api_env.page_cap = 25
    manifests = write(tmp_path, "campaigns:\n  - campaign_name: Managed\n    concurrent_call: 3\n")
    planned = plan_json(manifests)
    assert planned["summary"] == {"create": 0, "update": 0, "delete": 0, "unchanged": 1}
    pages = [p for m, p, _ in api_env.requests if m == "GET" and p.startswith("/v3/campaign?")]
    assert len(pages) >= 7
    assert api_env.store.get_campaign(uuid)["concurrent_call"] == 3
