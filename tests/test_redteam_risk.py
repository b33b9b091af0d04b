"""Red team of issue 24 (risk first, refusals in the plan): the holes found and closed.

- A carrier's capacity lowered (or any dialling change) under running campaigns was low.
- A live window no day form can hold (end before start) hid a widening to all day.
- Removing every calling window was low, though the API's docs do not say what it means.
- A saved plan's delete of a stopped campaign that started running was refused only at its
  own step, after the plan's other writes; a campaign paused when planned (acknowledged
  `delete-paused`) and running at apply time was deleted.
- `acknowledge: [max-deletes]` was refused without saying how to proceed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clirun import run_cli

from reconciler.emulator import EmulatorServer
from reconciler.plan.model import Change, FieldDiff
from reconciler.plan.risk import Facts, assess

MARKETING = "3c1f6f52-5d0e-4a4b-9a53-7f1f8e2b9c10"  # default seed carrier, capacity 20
NS_HOUR = 3600 * 10**9


def write(tmp_path: Path, text: str) -> str:
    (tmp_path / "m.yaml").write_text(text, encoding="utf-8")
    return str(tmp_path)


def plan_json(path: str, *extra: str) -> dict:
    result = run_cli("plan", path, "--format", "json", *extra)
    assert result.code == 0, result.output
    return json.loads(result.stdout)


def running(server: EmulatorServer, uuid: str) -> None:
    """The campaign's run starts (as the portal does it; the fingerprint stays)."""
    updated = server.store.get_campaign(uuid)["updated_at"]
    server.store.update_campaign_raw(uuid, status="start", updated_at=updated)


# -- risk ----------------------------------------------------------------------------------


def test_a_carrier_capacity_lowered_under_a_running_campaign_is_high(api_env, tmp_path):
    api_env.store.add_campaign({"campaign_name": "OTP", "active": True, "status": "start",
                                "carrier_uuid": MARKETING})
    manifests = write(tmp_path, """\
carriers:
  - carrier_name: Marketing
    gateway_uuid: 953a918a-0035-4e6f-97d1-c64e7943b7df
    dial_type: sip_random_for_all
    concurrent_call: 2
    network: {viettel: 10, mobi: 5, vina: 5}
    data: {caller_id: ["02873003587", "02873003588"]}
""")
    [change] = plan_json(manifests)["changes"]
    assert change["fields"].keys() == {"concurrent_call"}
    assert change["risk"] == {"level": "high", "reasons": [
        "carrier concurrent_call lowered 20 → 2 reaches 1 campaign: OTP (running)"]}
    text = run_cli("plan", manifests).stdout
    assert text.splitlines()[0] == "Needs care: 1 high risk."


def carrier_update(**fields: tuple) -> Change:
    return Change(action="update", name="Pool", uuid="u-pool", kind="carrier",
                  fields={name: FieldDiff(*pair) for name, pair in fields.items()})


@pytest.mark.parametrize(("change", "uses", "level", "reasons"), [
    (carrier_update(caller_id=("1", "2")), [("A", "stop")], "medium",
     ("carrier change reaches 1 campaign: A",)),
    (carrier_update(concurrent_call=(20, 30)), [("A", "pause"), ("B", None)], "high",
     ("carrier change reaches 2 campaigns: A (paused), B",)),
    (carrier_update(description=("a", "b")), [("A", "start")], "low", ()),
    (carrier_update(concurrent_call=(20, 2)), [], "low", ()),  # no campaign uses it
])
def test_a_carrier_change_lists_the_campaigns_it_reaches(change, uses, level, reasons):
    from reconciler.plan.model import Use

    facts = Facts(usage={"u-pool": [Use(name, "campaign", status) for name, status in uses]})
    risk = assess(change, facts)
    assert (risk.level, risk.reasons) == (level, reasons)


def schedules(status: str, before: list, after: list) -> Change:
    return Change(action="update", name="C", uuid="u-c", live_status=status,
                  fields={"schedules": FieldDiff(before, after)})


def test_a_live_window_no_day_form_holds_does_not_hide_a_widening():
    # The live side read back as mon 17:00-08:00 (end before start): all day is new.
    risk = assess(schedules("start", [{"mon": "17:00-08:00"}], [{"daily": "00:00-24:00"}]))
    assert risk.level == "high"
    assert risk.reasons[0] == "calling window widened on every day, while running"


@pytest.mark.parametrize(("status", "level", "suffix"), [
    ("stop", "medium", ""), ("start", "high", ", while running"),
    ("pause", "high", ", while paused"),
])
def test_removing_every_calling_window_needs_care(status, level, suffix):
    risk = assess(schedules(status, [{"mon-fri": "08:00-17:00"}], []))
    assert risk.level == level
    assert risk.reasons[0] == (
        "every calling window removed: the API's docs do not say whether it then never calls "
        f"or calls at any hour{suffix}"
    )


def test_removing_every_window_end_to_end(api_env, tmp_path):
    api_env.store.add_campaign({
        "campaign_name": "Reminder", "active": True, "status": "start",
        "schedules": [{"monday_start_time": 8 * NS_HOUR, "monday_end_time": 17 * NS_HOUR}],
    })
    [change] = plan_json(write(tmp_path, "campaigns:\n  - campaign_name: Reminder\n"
                                         "    schedules: []\n"))["changes"]
    assert change["risk"]["level"] == "high"
    assert change["risk"]["reasons"][0].startswith("every calling window removed")


# -- a saved plan and the run state --------------------------------------------------------

DELETES = """\
campaigns:
  - campaign_name: Old
    state: absent{ack}
  - campaign_name: Older
    state: absent
"""


def test_a_saved_plan_whose_campaign_started_running_is_refused_before_any_write(
    api_env, tmp_path
):
    old = api_env.store.add_campaign({"campaign_name": "Old", "active": False})
    older = api_env.store.add_campaign({"campaign_name": "Older", "active": False})
    manifests = write(tmp_path, DELETES.format(ack=""))
    plan_file = str(tmp_path / "plan.json")
    planned = run_cli("plan", manifests, "--out", plan_file)
    assert planned.code == 0 and "apply will refuse" not in planned.output.lower()
    running(api_env, old)
    api_env.requests.clear()

    applied = run_cli("apply", "--plan", plan_file, "--auto-approve", "--force")
    assert applied.code == 1
    assert f"{plan_file} is stale; nothing was changed" in applied.stderr
    assert ("Old started running since the plan was made — run plan again (deleting a "
            "running campaign needs acknowledge: [delete-running] on its entry, or --force)"
            ) in applied.stderr
    assert api_env.write_requests() == []  # Older, reviewed with it, is not deleted either
    assert api_env.store.get_campaign(older) is not None


def test_an_acknowledged_delete_goes_ahead_though_it_started_running_since_the_plan(
    api_env, tmp_path
):
    """Decided: `acknowledge: [delete-running]` reviewed beside the delete says it goes
    even while it calls, whenever it started (the plan warned it is not needed yet)."""
    old = api_env.store.add_campaign({"campaign_name": "Old", "active": False})
    manifests = write(tmp_path, DELETES.format(ack="\n    acknowledge: [delete-running]"))
    plan_file = str(tmp_path / "plan.json")
    planned = run_cli("plan", manifests, "--out", plan_file)
    assert "acknowledge: delete-running is not needed" in planned.stdout
    running(api_env, old)
    applied = run_cli("apply", "--plan", plan_file, "--auto-approve")
    assert applied.code == 0, applied.output
    assert api_env.store.get_campaign(old) is None


def test_acknowledging_a_paused_delete_does_not_cover_it_once_it_runs(api_env, tmp_path):
    old = api_env.store.add_campaign({"campaign_name": "Old", "active": False,
                                      "status": "pause"})
    api_env.store.add_campaign({"campaign_name": "Older", "active": False})
    manifests = write(tmp_path, DELETES.format(ack="\n    acknowledge: [delete-paused]"))
    plan_file = str(tmp_path / "plan.json")
    planned = run_cli("plan", manifests, "--out", plan_file, "--detailed-exitcode")
    assert planned.code == 2, planned.output  # acknowledged: nothing refused
    running(api_env, old)
    api_env.requests.clear()

    applied = run_cli("apply", "--plan", plan_file, "--auto-approve")
    assert applied.code == 1
    assert "Old started running since the plan was made" in applied.stderr
    assert api_env.write_requests() == []
    assert api_env.store.get_campaign(old) is not None


def test_a_live_apply_rechecks_a_paused_campaign_that_started_running(
    api_env, tmp_path, monkeypatch
):
    from clirun import after_planning

    old = api_env.store.add_campaign({"campaign_name": "Old", "active": False,
                                      "status": "pause"})
    manifests = write(tmp_path, "campaigns:\n  - campaign_name: Old\n    state: absent\n"
                                "    acknowledge: [delete-paused]\n")
    after_planning(monkeypatch, lambda: running(api_env, old))
    applied = run_cli("apply", manifests, "--auto-approve")
    assert applied.code == 1
    assert ("Old started running since the plan was made; nothing was written to it — run "
            "plan again (deleting a running campaign needs acknowledge: [delete-running] on "
            "its entry, or --force)") in applied.stdout
    assert api_env.store.get_campaign(old) is not None


# -- acknowledge ---------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "hint"), [
    ("max-deletes", "it is about the whole plan, not one entry: pass apply --max-deletes N"),
    ("policy-error", "waive the rule on the entry instead: policy_waivers: {RULE_ID: reason}"),
])
def test_acknowledging_what_an_entry_cannot_says_how_to_proceed(tmp_path, code, hint):
    manifests = write(tmp_path, "campaigns:\n  - campaign_name: Old\n    state: absent\n"
                                f"    acknowledge: [{code}]\n")
    result = run_cli("validate", manifests)
    assert result.code == 1
    assert (f"m.yaml:4: acknowledge[0]: must be one of delete-running, delete-paused; got the "
            f"string '{code}' ({hint})") in result.output
