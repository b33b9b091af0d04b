"""Safety guards, end to end: mass deletes, deleting running campaigns, pruning other types.

Every refusal exits 1, says why and how to proceed, and makes no write request; raising the
limit (or --force) then does exactly the refused work.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clirun import run_cli

from reconciler.emulator import EmulatorServer
from reconciler.plan.guards import DEFAULT_MAX_DELETES, guard_problems
from reconciler.plan.model import Change, Plan


def write(tmp_path: Path, text: str) -> str:
    (tmp_path / "campaigns.yaml").write_text(text, encoding="utf-8")
    return str(tmp_path)


def absent(*names: str) -> str:
    return "campaigns:\n" + "".join(
        f"  - campaign_name: {name}\n    state: absent\n" for name in names
    )


def seed(server: EmulatorServer, count: int, **extra: object) -> list[str]:
    return [
        server.store.add_campaign({"campaign_name": f"Old{n}", "active": False, **extra})
        for n in range(count)
    ]


def live_names(server: EmulatorServer) -> list[str]:
    return sorted(doc["campaign_name"] for doc in server.store.campaigns())


def assert_refused(result, server: EmulatorServer, *messages: str) -> None:  # noqa: ANN001
    assert result.code == 1, result.output
    for message in messages:
        assert message in result.stderr
    assert "nothing was changed" in result.stderr
    assert "Traceback" not in result.output
    assert server.write_requests() == []


# -- --max-deletes ------------------------------------------------------------------------


def test_more_deletes_than_the_default_limit_are_refused_then_allowed_when_raised(
    api_env, tmp_path
):
    seed(api_env, 6)
    manifests = write(tmp_path, absent(*(f"Old{n}" for n in range(6))))
    refused = run_cli("apply", manifests, "--auto-approve")
    assert_refused(
        refused, api_env,
        "the plan deletes 6 campaigns, more than --max-deletes 5",
        "raise --max-deletes if that is intended",
    )
    assert len(live_names(api_env)) == 6

    applied = run_cli("apply", manifests, "--auto-approve", "--max-deletes", "6")
    assert applied.code == 0, applied.output
    assert live_names(api_env) == []
    assert [m for m, _, _ in api_env.write_requests()] == ["DELETE"] * 6


def test_the_default_limit_itself_is_allowed(api_env, tmp_path):
    seed(api_env, DEFAULT_MAX_DELETES)
    manifests = write(tmp_path, absent(*(f"Old{n}" for n in range(DEFAULT_MAX_DELETES))))
    assert run_cli("apply", manifests, "--auto-approve").code == 0
    assert live_names(api_env) == []


def test_max_deletes_zero_refuses_any_delete(api_env, tmp_path):
    seed(api_env, 1)
    manifests = write(tmp_path, absent("Old0"))
    refused = run_cli("apply", manifests, "--auto-approve", "--max-deletes", "0")
    assert_refused(refused, api_env, "the plan deletes 1 campaign, more than --max-deletes 0")


def test_a_mass_prune_is_refused_until_the_limit_is_raised(api_env, tmp_path):
    seed(api_env, 7)
    api_env.store.add_campaign({"campaign_name": "Kept"})
    manifests = write(tmp_path, "campaigns:\n  - campaign_name: Kept\n")
    refused = run_cli("apply", manifests, "--auto-approve", "--prune")
    assert_refused(refused, api_env, "the plan deletes 7 campaigns, more than --max-deletes 5")
    warned = run_cli("plan", manifests, "--prune")
    assert warned.code == 0
    assert "warning: apply with default guards will refuse: the plan deletes 7" in warned.stderr

    applied = run_cli("apply", manifests, "--auto-approve", "--prune", "--max-deletes", "7")
    assert applied.code == 0, applied.output
    assert live_names(api_env) == ["Kept"]


def test_a_saved_plan_is_guarded_too(api_env, tmp_path):
    seed(api_env, 6)
    manifests = write(tmp_path, absent(*(f"Old{n}" for n in range(6))))
    plan_file = str(tmp_path / "plan.json")
    assert run_cli("plan", manifests, "--out", plan_file).code == 0
    refused = run_cli("apply", "--plan", plan_file, "--auto-approve")
    assert_refused(refused, api_env, "the plan deletes 6 campaigns, more than --max-deletes 5")
    applied = run_cli("apply", "--plan", plan_file, "--auto-approve", "--max-deletes", "6")
    assert applied.code == 0, applied.output
    assert live_names(api_env) == []


# -- running campaigns --------------------------------------------------------------------


def test_a_running_campaign_is_not_deleted_without_force(api_env, tmp_path):
    running = api_env.store.add_campaign(
        {"campaign_name": "Live", "active": True, "status": "start"}
    )
    seed(api_env, 1)  # a stopped one in the same plan is not deleted either
    manifests = write(tmp_path, absent("Live", "Old0"))
    refused = run_cli("apply", manifests, "--auto-approve")
    assert_refused(
        refused, api_env,
        "refusing to delete running campaigns (status start): Live; stop them first, "
        "acknowledge it on the entry (acknowledge: [delete-running]) or pass --force",
    )
    assert live_names(api_env) == ["Live", "Old0"]

    forced = run_cli("apply", manifests, "--auto-approve", "--force")
    assert forced.code == 0, forced.output
    assert live_names(api_env) == []
    assert ("PATCH", f"/v3/campaign/{running}/active", 200) in api_env.write_requests()


def test_a_stopped_campaign_needs_no_force(api_env, tmp_path):
    api_env.store.add_campaign({"campaign_name": "Idle", "active": True, "status": "stop"})
    manifests = write(tmp_path, absent("Idle"))
    result = run_cli("apply", manifests, "--auto-approve")
    assert result.code == 0, result.output
    assert live_names(api_env) == []


PAUSED_REFUSAL = (
    "refusing to delete paused campaigns (status pause): Napping; a paused run resumes by "
    "itself at its next window: stop them first, acknowledge it on the entry "
    "(acknowledge: [delete-paused]) or pass --force"
)


@pytest.mark.parametrize("how", ["absent", "prune"])
def test_a_paused_campaign_is_not_deleted_without_force(api_env, tmp_path, how):
    """A paused run resumes by itself at its next window: guarded exactly like a running one."""
    paused = api_env.store.add_campaign(
        {"campaign_name": "Napping", "active": True, "status": "pause"}
    )
    if how == "absent":
        manifests, flags = write(tmp_path, absent("Napping")), ()
    else:
        manifests, flags = write(tmp_path, "campaigns:\n  - campaign_name: Kept\n"), ("--prune",)
    planned = run_cli("plan", manifests, *flags)
    assert planned.code == 0, planned.output
    assert f"warning: apply with default guards will refuse: {PAUSED_REFUSAL}" in planned.stderr
    refused = run_cli("apply", manifests, "--auto-approve", *flags)
    assert_refused(refused, api_env, PAUSED_REFUSAL)
    assert api_env.store.get_campaign(paused) is not None

    forced = run_cli("apply", manifests, "--auto-approve", "--force", *flags)
    assert forced.code == 0, forced.output
    assert api_env.store.get_campaign(paused) is None


def test_a_paused_campaign_in_a_saved_plan_needs_force(api_env, tmp_path):
    api_env.store.add_campaign({"campaign_name": "Napping", "active": True, "status": "pause"})
    manifests = write(tmp_path, absent("Napping"))
    plan_file = str(tmp_path / "plan.json")
    assert run_cli("plan", manifests, "--out", plan_file).code == 0
    refused = run_cli("apply", "--plan", plan_file, "--auto-approve")
    assert_refused(refused, api_env, PAUSED_REFUSAL)
    assert run_cli("apply", "--plan", plan_file, "--auto-approve", "--force").code == 0
    assert live_names(api_env) == []


def test_a_paused_campaign_is_its_own_diagnostic_at_its_entry(api_env, tmp_path):
    api_env.store.add_campaign({"campaign_name": "Napping", "active": True, "status": "pause"})
    manifests = write(tmp_path, absent("Napping"))
    planned = run_cli("plan", manifests, "--format", "sarif")
    assert planned.code == 0, planned.output
    risk, result = json.loads(planned.stdout)["runs"][0]["results"]
    assert risk["ruleId"] == "risk/high"  # what needs care comes first, at the same line
    assert result["ruleId"] == "guard/paused-campaign"
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 2}
    assert result["message"]["text"] == (
        "apply with default guards will refuse: refusing to delete paused campaign 'Napping' "
        "(status pause); a paused run resumes by itself at its next window: stop it first, "
        "acknowledge it (acknowledge: [delete-paused]) or pass --force\n"
        "to proceed: acknowledge: [delete-paused] on its entry (reviewed), or apply --force"
    )


def test_a_running_campaign_in_a_saved_plan_needs_force(api_env, tmp_path):
    api_env.store.add_campaign({"campaign_name": "Live", "active": True, "status": "start"})
    manifests = write(tmp_path, absent("Live"))
    plan_file = str(tmp_path / "plan.json")
    assert run_cli("plan", manifests, "--out", plan_file).code == 0
    refused = run_cli("apply", "--plan", plan_file, "--auto-approve")
    assert_refused(refused, api_env, "refusing to delete running campaigns (status start): Live")
    assert run_cli("apply", "--plan", plan_file, "--auto-approve", "--force").code == 0
    assert live_names(api_env) == []


def test_both_guards_are_reported_at_once(api_env, tmp_path):
    seed(api_env, 6, status="start", active=True)
    manifests = write(tmp_path, absent(*(f"Old{n}" for n in range(6))))
    refused = run_cli("apply", manifests, "--auto-approve", "--max-deletes", "5")
    assert_refused(
        refused, api_env,
        "more than --max-deletes 5",
        "refusing to delete running campaigns (status start): Old0, Old1, Old2, Old3, Old4, Old5",
    )
    assert run_cli("apply", manifests, "--auto-approve", "--max-deletes", "6").code == 1
    assert api_env.write_requests() == []
    forced = run_cli("apply", manifests, "--auto-approve", "--max-deletes", "6", "--force")
    assert forced.code == 0, forced.output


# -- prune and other campaign types -------------------------------------------------------

OTHER_TYPES = ("inbound", "autodialer", "manual")


def test_prune_never_touches_other_campaign_types(api_env, tmp_path):
    others = {
        kind: api_env.store.add_campaign(
            {"campaign_name": f"Their{kind}", "type": kind, "active": False}
        )
        for kind in OTHER_TYPES
    }
    before = {kind: api_env.store.get_campaign(uuid) for kind, uuid in others.items()}
    stray = api_env.store.add_campaign({"campaign_name": "Stray", "active": False})
    manifests = write(tmp_path, "campaigns:\n  - campaign_name: Kept\n")

    applied = run_cli(
        "apply", manifests, "--auto-approve", "--prune", "--force", "--max-deletes", "100"
    )

    assert applied.code == 0, applied.output
    assert "delete Stray" in applied.stdout
    assert not any(f"Their{kind}" in applied.output for kind in OTHER_TYPES)
    assert {kind: api_env.store.get_campaign(uuid) for kind, uuid in others.items()} == before
    assert api_env.store.get_campaign(stray) is None
    assert not any(
        uuid in path for uuid in others.values() for _, path, _ in api_env.write_requests()
    )
    again = run_cli("plan", manifests, "--prune", "--detailed-exitcode")
    assert again.code == 0, again.output


def test_prune_only_runs_with_the_flag(api_env, tmp_path):
    api_env.store.add_campaign({"campaign_name": "Stray", "active": False})
    manifests = write(tmp_path, "campaigns:\n  - campaign_name: Kept\n")
    assert run_cli("apply", manifests, "--auto-approve").code == 0
    assert live_names(api_env) == ["Kept", "Stray"]
    assert [m for m, _, _ in api_env.write_requests()] == ["POST"]


# -- the pure function ---------------------------------------------------------------------


def delete(name: str, status: str = "stop") -> Change:
    return Change(action="delete", campaign_name=name, campaign_uuid=name, live_status=status)


def test_guard_problems_counts_only_deletes_and_names_running_ones():
    updates = [Change(action="update", campaign_name=f"U{n}") for n in range(9)]
    plan = Plan(changes=[*updates, delete("A"), delete("B", "start"), delete("C", "pause")])
    assert guard_problems(plan, max_deletes=3) == [
        "refusing to delete running campaigns (status start): B; stop them first, acknowledge "
        "it on the entry (acknowledge: [delete-running]) or pass --force",
        "refusing to delete paused campaigns (status pause): C; a paused run resumes by itself "
        "at its next window: stop them first, acknowledge it on the entry "
        "(acknowledge: [delete-paused]) or pass --force",
    ]
    assert guard_problems(plan, max_deletes=3, force=True) == []
    [too_many] = guard_problems(plan, max_deletes=2, force=True)
    assert too_many.startswith("the plan deletes 3 campaigns, more than --max-deletes 2")
    assert guard_problems(Plan(changes=updates), max_deletes=0) == []
