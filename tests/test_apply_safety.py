"""Apply safety when things go wrong half-way: a create cut short is switched off by another
path when PATCH fails and its report says what a read shows is left; an object this run did
not verifiably create is never deleted; a paused campaign is guarded like a running one.

Through the CLI and real HTTP against the emulator, with its fault injection and quirks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from clirun import after_planning, run_cli

from reconciler.emulator import EmulatorServer

CAMPAIGN = r"^/v3/campaign$"
ONE_CAMPAIGN = r"^/v3/campaign/[^/]+$"
ACTIVE = r"/active$"


@pytest.fixture
def env(api_env: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> EmulatorServer:
    monkeypatch.setenv("RECONCILER_RETRY_BACKOFF", "0.001")
    monkeypatch.setenv("RECONCILER_CREATE_LOOKUP_SECONDS", "0.3")
    return api_env


def manifest(tmp_path: Path, text: str) -> str:
    (tmp_path / "campaigns.yaml").write_text(text, encoding="utf-8")
    return str(tmp_path)


def only(env: EmulatorServer) -> dict[str, Any]:
    [doc] = env.store.campaigns()
    return doc


def methods(env: EmulatorServer) -> list[str]:
    return [method for method, _, _ in env.write_requests()]


def converged(manifests: str) -> None:
    again = run_cli("plan", manifests, "--detailed-exitcode")
    assert again.code == 0, again.output


# -- 2. a create whose every PATCH fails ---------------------------------------------------

INACTIVE_CREATE = "campaigns:\n  - campaign_name: Quiet\n    description: new\n    active: false\n"
CONFIGURED_CREATE = ("campaigns:\n  - campaign_name: Quiet\n"
                     "    callback_url: https://hooks.example.vn/cdr\n")


def test_a_create_whose_every_patch_fails_is_switched_off_by_put_then_deleted(env, tmp_path):
    """POST makes an active campaign; switching it off by PATCH fails, so the rollback
    switches it off with a PUT of it as read (PUT carries `active`), reads it back inactive,
    and deletes it: nothing is left active behind a report saying it is not."""
    manifests = manifest(tmp_path, INACTIVE_CREATE)
    env.faults.fail("PATCH", ACTIVE, 400, times=None, body={"error": "nope"})
    applied = run_cli("apply", manifests, "--auto-approve")
    assert applied.code == 1
    assert env.store.campaign_count() == 0
    assert "(already done: created, deactivated by PUT (the PATCH failed: PATCH " in applied.stdout
    assert ("400 nope), rolled back: deleted the campaign it had created; nothing is left: the "
            "next apply creates it again; the next plan shows what remains)") in applied.stdout
    assert methods(env) == ["POST", "PATCH", "PATCH", "PUT", "DELETE"]


def test_a_configured_create_whose_every_patch_fails_is_deleted_not_patched_again(
    env, tmp_path
):
    """Its PUT switched it off; switching it on fails: the rollback reads it back inactive
    and deletes it, instead of repeating the PATCH that keeps failing."""
    manifests = manifest(tmp_path, CONFIGURED_CREATE)
    env.faults.fail("PATCH", ACTIVE, 400, times=None, body={"error": "nope"})
    applied = run_cli("apply", manifests, "--auto-approve")
    assert applied.code == 1
    assert "(already done: created, configured, rolled back: deleted the campaign it had " \
        "created; nothing is left" in applied.stdout
    assert env.store.campaign_count() == 0
    assert methods(env) == ["POST", "PATCH", "PUT", "PATCH", "DELETE"]


@pytest.mark.parametrize("put", ["fails", "ignores active"])
def test_a_create_that_cannot_be_switched_off_is_reported_active_as_read_back(
    env, tmp_path, put
):
    manifests = manifest(tmp_path, INACTIVE_CREATE)
    env.faults.fail("PATCH", ACTIVE, 400, times=None, body={"error": "nope"})
    if put == "fails":
        env.faults.fail("PUT", ONE_CAMPAIGN, 400, times=None, body={"error": "refused"})
    else:
        env.quirks.put_ignores_active = True
    applied = run_cli("apply", manifests, "--auto-approve")
    assert applied.code == 1
    left = only(env)
    assert left["active"] is True
    assert (f"left: campaign Quiet ({left['campaign_uuid']}) exists and is ACTIVE (read back): "
            "switch it off or check it now; the next plan shows what remains") in applied.stdout
    assert "is not active" not in applied.output
    assert "DELETE" not in methods(env), "an active campaign is never sent a DELETE"
    if put == "fails":
        assert "could not switch it off (PATCH: PATCH " in applied.stdout
    else:
        assert "deactivated by PUT (the PATCH failed: " in applied.stdout


def test_a_rollback_delete_that_answers_success_but_keeps_it_is_reported_as_read(
    env, tmp_path
):
    manifests = manifest(tmp_path, CONFIGURED_CREATE)
    env.faults.fail("PUT", ONE_CAMPAIGN, 400, body={"error": "refused"})
    env.faults.fail("DELETE", ONE_CAMPAIGN, 200, body={})  # answered, not served
    applied = run_cli("apply", manifests, "--auto-approve")
    assert applied.code == 1
    left = only(env)
    assert ("deactivated, could not roll back (the DELETE answered success, but a read back "
            f"still shows it); left: campaign Quiet ({left['campaign_uuid']}) exists and is not "
            "active (read back)") in applied.stdout
    assert "nothing is left" not in applied.output


# -- 3. never delete what this run did not verifiably create --------------------------------


def test_a_campaign_another_run_created_meanwhile_is_never_rolled_back(
    env, tmp_path, monkeypatch
):
    """Another pipeline creates the same campaign between our plan and our POST; our POST's
    answer is unclear, the lookup finds theirs (same name, same fields) and adopts it. When
    our create then fails, the rollback must not delete their campaign."""
    manifests = manifest(tmp_path, CONFIGURED_CREATE)
    theirs: list[str] = []
    after_planning(monkeypatch, lambda: theirs.append(env.store.add_campaign(
        {"campaign_name": "Quiet", "callback_url": "https://hooks.example.vn/cdr"}
    )))
    env.faults.fail("POST", CAMPAIGN, 502)  # not served: only theirs exists
    env.faults.fail("PUT", ONE_CAMPAIGN, 400, body={"error": "refused"})
    applied = run_cli("apply", manifests, "--auto-approve")
    assert applied.code == 1
    [uuid] = theirs
    assert env.store.get_campaign(uuid) is not None, "another run's campaign was deleted"
    assert "DELETE" not in methods(env)
    assert "created (confirmed by lookup after an unclear answer)" in applied.stdout
    assert (f"left in place (created by lookup, not verifiably by this run): campaign Quiet "
            f"({uuid}) exists and is not active (read back)") in applied.stdout


def test_our_own_create_confirmed_only_by_lookup_is_left_in_place_and_finished_next_time(
    env, tmp_path
):
    """The POST was processed but its answer lost: nothing proves the campaign found is ours
    (another run's would look the same), so a failure after it leaves it in place, switched
    off; the next apply adopts and finishes it (`active` is not declared, so switching it on
    is the operator's call, as the report says)."""
    manifests = manifest(tmp_path, CONFIGURED_CREATE)
    env.faults.drop("POST", CAMPAIGN, when="after")
    env.faults.fail("PUT", ONE_CAMPAIGN, 400, body={"error": "refused"})
    applied = run_cli("apply", manifests, "--auto-approve")
    assert applied.code == 1
    left = only(env)
    assert left["active"] is False
    assert "DELETE" not in methods(env)
    assert (f"left in place (created by lookup, not verifiably by this run): campaign Quiet "
            f"({left['campaign_uuid']}) exists and is not active (read back): check it, then "
            "delete it or switch it on") in applied.stdout
    finished = run_cli("apply", manifests, "--auto-approve")
    assert finished.code == 0, finished.output
    assert only(env)["callback_url"] == "https://hooks.example.vn/cdr"
    converged(manifests)


# -- 4. a campaign paused since the plan ----------------------------------------------------


@pytest.mark.parametrize("force", [(), ("--force",)])
def test_a_campaign_paused_since_the_plan_is_not_deleted(env, tmp_path, monkeypatch, force):
    """--force covers what the plan showed; this one was stopped then."""
    uuid = env.store.add_campaign({"campaign_name": "Retired", "active": False})
    manifests = manifest(tmp_path, "campaigns:\n  - campaign_name: Retired\n    state: absent\n")
    after_planning(monkeypatch, lambda: (
        env.store.update_campaign_raw(
            uuid, status="pause", updated_at=env.store.get_campaign(uuid)["updated_at"]
        ),
        env.requests.clear(),
    ))
    applied = run_cli("apply", manifests, "--auto-approve", *force)
    assert applied.code == 1
    assert ("Retired was paused (it resumes by itself) since the plan was made; nothing was "
            "written to it — run plan again (deleting a paused campaign needs acknowledge: "
            "[delete-paused] on its entry, or --force)"
            ) in applied.stdout
    assert env.write_requests() == []
    assert env.store.get_campaign(uuid) is not None


def test_a_saved_plan_of_a_stopped_campaign_refuses_it_once_paused(env, tmp_path):
    uuid = env.store.add_campaign({"campaign_name": "Retired", "active": False})
    manifests = manifest(tmp_path, "campaigns:\n  - campaign_name: Retired\n    state: absent\n")
    plan_file = str(tmp_path / "plan.json")
    assert run_cli("plan", manifests, "--out", plan_file).code == 0
    env.store.update_campaign_raw(
        uuid, status="pause", updated_at=env.store.get_campaign(uuid)["updated_at"]
    )
    applied = run_cli("apply", "--plan", plan_file, "--auto-approve", "--force")
    assert applied.code == 1
    assert "Retired was paused (it resumes by itself) since the plan was made" in applied.output
    assert env.store.get_campaign(uuid) is not None
