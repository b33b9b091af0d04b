"""`reconciler start` over real HTTP: refusals make no call at all, a start makes exactly the
run/start call, the run state never shows as drift, and signals stop it like apply."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from clirun import run_cli

from reconciler.emulator import EmulatorServer

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = """\
campaigns:
  - campaign_name: Reminder
    type_autocall: autocall_voice_tts
    concurrent_call: 3
    schedules:
      - mon-fri: "08:00-17:00"
  - campaign_name: Second
    schedules:
      - mon-fri: "09:00-16:00"
  - campaign_name: Dormant
    active: false
  - campaign_name: LateAd
    labels: {purpose: advertising}
    recall_times: 0
    schedules:
      - daily: "08:00-21:00"
  - campaign_name: Retired
    state: absent
"""


@pytest.fixture
def project(tmp_path: Path, api_env: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Applied manifests (LateAd's policy error is waived for the apply only)."""
    (tmp_path / "c.yaml").write_text(MANIFEST, encoding="utf-8")
    (tmp_path / "reconciler.yaml").write_text("policies: {presets: [vn-decree-91]}\n",
                                              encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    applied = run_cli("apply", "c.yaml", "--auto-approve", "--config", os.devnull)
    assert applied.code == 0, applied.output
    api_env.requests.clear()
    return tmp_path


def writes(server: EmulatorServer) -> list[tuple[str, str, int | None]]:
    return server.write_requests()


def test_start_of_an_active_declared_campaign_calls_run_start_only(
    project: Path, api_env: EmulatorServer
) -> None:
    uuid = api_env.store.campaign_uuid_by_name("Reminder")
    result = run_cli("start", "c.yaml", "--target", "Reminder", "--auto-approve")
    assert result.code == 0, result.output
    assert writes(api_env) == [("POST", f"/v1/campaign/{uuid}/run/start", 200)]
    live = api_env.store.get_campaign(uuid)
    assert live["status"] == "start" and live["run_id"]
    assert f"✓ start Reminder: run started (status start, run_id {live['run_id']})" in (
        result.stdout)
    assert "Start complete: 1 started." in result.stdout
    # The run state is not configuration: no drift, and an apply leaves the run alone.
    plan = run_cli("plan", "c.yaml", "--detailed-exitcode", "--config", os.devnull)
    assert plan.code == 0, plan.output
    (project / "c.yaml").write_text(MANIFEST.replace("concurrent_call: 3", "concurrent_call: 4"),
                                    encoding="utf-8")
    assert run_cli("apply", "c.yaml", "--auto-approve", "--config", os.devnull).code == 0
    after = api_env.store.get_campaign(uuid)
    assert (after["concurrent_call"], after["status"], after["run_id"]) == (
        4, "start", live["run_id"])
    # Started again: already running, left alone, no call.
    api_env.requests.clear()
    again = run_cli("start", "c.yaml", "--target", "Reminder", "--auto-approve")
    assert again.code == 0 and "already running" in again.stdout
    assert writes(api_env) == []


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        (["Dormant"], "c.yaml:10: Dormant: inactive (active: false); declare active: true"),
        (["Reminder", "Dormant"], "c.yaml:10: Dormant: inactive"),
        (["Remindr"], "--target 'Remindr': no manifest declares this campaign (did you mean "
                      "'Reminder'?)"),
        (["Retired"], "c.yaml:17: Retired: declared state: absent, so never started"),
        (["LateAd"], "c.yaml:12: LateAd: policy error (vn-decree-91/calling-hours; listed "
                     "above)"),
    ],
)
def test_refusals_make_no_call(project: Path, api_env: EmulatorServer, targets: list[str],
                               message: str) -> None:
    args = [arg for name in targets for arg in ("--target", name)]
    result = run_cli("start", "c.yaml", *args, "--auto-approve")
    assert result.code == 1
    assert message in result.stderr, result.stderr
    assert "no run was started" in result.stderr
    assert writes(api_env) == []
    assert "Traceback" not in result.output
    if targets == ["LateAd"]:  # the finding itself is shown, located
        assert "c.yaml:16: vn-decree-91/calling-hours: daily 08:00-21:00 ends after 17:00" in (
            result.stderr)


def test_a_campaign_not_created_is_refused(project: Path, api_env: EmulatorServer) -> None:
    api_env.store.delete_campaign(api_env.store.campaign_uuid_by_name("Second"))
    result = run_cli("start", "c.yaml", "--target", "Second", "--target", "Reminder",
                     "--auto-approve")
    assert result.code == 1
    assert "c.yaml:7: Second: not created yet (run plan and apply first)" in result.stderr
    assert writes(api_env) == []
    assert api_env.store.get_campaign(api_env.store.campaign_uuid_by_name("Reminder"))[
        "status"] == "stop"


def test_without_a_terminal_auto_approve_is_needed(project: Path,
                                                    api_env: EmulatorServer) -> None:
    result = run_cli("start", "c.yaml", "--target", "Reminder")
    assert result.code == 1
    assert "no terminal to confirm on: pass --auto-approve" in result.stderr
    assert writes(api_env) == []
    missing = run_cli("start", "c.yaml", "--auto-approve")
    assert missing.code == 1 and "Missing option '--target'" in missing.stderr


def test_a_failed_start_is_reported_and_exits_1(project: Path, api_env: EmulatorServer) -> None:
    api_env.faults.fail("POST", r"^/v1/campaign/.*/run/start$", 404, times=None,
                        body={"error": "Not Found"})
    result = run_cli("start", "c.yaml", "--target", "Reminder", "--auto-approve")
    assert result.code == 1
    assert "✗ start Reminder: failed:" in result.stdout and "Not Found" in result.stdout
    assert "Start incomplete: 0 started, 1 failed, 0 not attempted." in result.stderr
    assert api_env.token not in result.output


def _process(server: EmulatorServer, args: list[str], **kwargs) -> subprocess.Popen:  # noqa: ANN003
    env = {**os.environ, "RECONCILER_API_URL": server.url, "RECONCILER_TOKEN": server.token,
           "RECONCILER_CONFIG": os.devnull}
    env.pop("RECONCILER_API_KEY", None)
    return subprocess.Popen([sys.executable, "-m", "reconciler", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_finishes_the_start_in_flight_and_starts_no_more(
    project: Path, api_env: EmulatorServer, signum: int
) -> None:
    arrived, release = threading.Event(), threading.Event()

    def hold(method: str, path: str) -> None:
        if method == "POST" and path.endswith("/run/start") and not arrived.is_set():
            arrived.set()
            release.wait(30)

    api_env.request_hook = hold
    process = _process(api_env, ["start", str(project / "c.yaml"), "--target", "Reminder",
                                 "--target", "Second", "--auto-approve"])
    try:
        assert arrived.wait(30), "the first run/start never came"
        process.send_signal(signum)
        # The signal is handled once the held request answers: wait for the announcement.
        line = process.stderr.readline()
        assert f"{signal.Signals(signum).name} received" in line
        assert "finishing 1 in flight (Reminder)" in line
    finally:
        release.set()
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signum, stderr
    assert "✓ start Reminder: run started" in stdout
    assert "· start Second: not attempted (interrupted)" in stdout
    assert f"Start interrupted by {signal.Signals(signum).name}: 1 started, 0 failed, " \
           "1 not attempted." in stderr
    started = [path for method, path, _ in writes(api_env) if method == "POST"]
    assert started == [f"/v1/campaign/{api_env.store.campaign_uuid_by_name('Reminder')}"
                       "/run/start"]
    assert api_env.store.get_campaign(api_env.store.campaign_uuid_by_name("Second"))[
        "status"] == "stop"


# ---- issue 21: live as declared, unclear answers, server text ------------------------------


def test_a_campaign_not_live_as_declared_is_refused(project: Path,
                                                    api_env: EmulatorServer) -> None:
    store = api_env.store
    # Reminder's schedules widened by hand to the evening; Dormant switched on in the portal.
    store.update_campaign_raw(store.campaign_uuid_by_name("Reminder"), schedules=[
        {**store.get_campaign(store.campaign_uuid_by_name("Reminder"))["schedules"][0],
         "monday_end_time": 21 * 3600 * 10**9}])
    store.update_campaign_raw(store.campaign_uuid_by_name("Dormant"), active=True)
    result = run_cli("start", "c.yaml", "--target", "Reminder", "--target", "Dormant",
                     "--auto-approve")
    assert result.code == 1, result.output
    assert "c.yaml:2: Reminder: the live campaign differs from its manifest in schedules" in (
        result.stderr)
    assert "c.yaml:10: Dormant: the live campaign differs from its manifest in active (live " \
           "true, declared false)" in result.stderr
    assert "no run was started" in result.stderr
    assert writes(api_env) == []


def test_live_values_the_manifest_leaves_out_must_break_no_policy_error(
    project: Path, api_env: EmulatorServer
) -> None:
    (project / "reconciler.yaml").write_text(
        "policies:\n  rules:\n    - id: acme/max-lines\n      max: {concurrent_call: 5}\n",
        encoding="utf-8")
    store = api_env.store
    uuid = store.campaign_uuid_by_name("Second")  # its entry leaves concurrent_call out
    store.update_campaign_raw(uuid, concurrent_call=50)
    result = run_cli("start", "c.yaml", "--target", "Second", "--auto-approve")
    assert result.code == 1, result.output
    assert "c.yaml:7: Second: the live campaign breaks a policy error: acme/max-lines: " \
           "concurrent_call is 50; the maximum is 5" in result.stderr
    assert writes(api_env) == []
    store.update_campaign_raw(uuid, concurrent_call=5)
    assert run_cli("start", "c.yaml", "--target", "Second", "--auto-approve").code == 0


def test_a_lost_answer_after_the_server_started_the_run_reports_the_run(
    project: Path, api_env: EmulatorServer
) -> None:
    api_env.faults.drop("POST", r"/run/start$", when="after")
    uuid = api_env.store.campaign_uuid_by_name("Reminder")
    result = run_cli("start", "c.yaml", "--target", "Reminder", "--auto-approve")
    assert result.code == 0, result.output
    run_id = api_env.store.get_campaign(uuid)["run_id"]
    assert f"✓ start Reminder: run started (status start, run_id {run_id}); the answer to " \
           "run/start was unclear" in result.stdout
    assert "Start complete: 1 started." in result.stdout
    assert [method for method, path, _ in api_env.requests if path.endswith("/run/start")] == [
        "POST"]  # never sent twice


def test_a_lost_answer_with_no_run_to_see_is_unknown_not_a_failure(
    project: Path, api_env: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reconciler.commands import start as start_command

    monkeypatch.setattr(start_command, "READ_BACK_WAITS", (0.0, 0.0))
    api_env.faults.drop("POST", r"/run/start$", when="before")
    result = run_cli("start", "c.yaml", "--target", "Reminder", "--auto-approve")
    assert result.code == 1
    assert "? start Reminder: unknown: the answer to run/start was unclear" in result.stdout
    assert "the campaign still reads back run stop" in result.stdout
    assert "failed" not in result.stdout
    assert "Start incomplete: 0 started, 0 failed, 1 unknown, 0 not attempted." in (
        result.stderr)
    reads = [path for method, path, _ in api_env.requests
             if method == "GET" and path.startswith("/v3/campaign/")]
    assert len(reads) >= 2  # read back, again after a wait


def test_the_run_state_and_run_id_from_the_server_are_escaped(
    project: Path, api_env: EmulatorServer
) -> None:
    store = api_env.store
    store.update_campaign_raw(store.campaign_uuid_by_name("Reminder"),
                              status="\x1b[2Jstop\nFAKE")
    store.update_campaign_raw(store.campaign_uuid_by_name("Second"), status="start",
                              run_id="r1\x1b]0;pwned\x07\u202e")
    result = run_cli("start", "c.yaml", "--target", "Reminder", "--target", "Second",
                     "--auto-approve")
    assert result.code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\u202e" not in result.output and "\nFAKE" not in result.output
    assert "run \\x1b[2Jstop\\nFAKE;" in result.stdout
    assert "already running (run_id r1\\x1b]0;pwned\\x07\\u202e); left alone" in result.stdout


def test_a_start_the_server_carries_out_after_hanging_up_is_seen(
    project: Path, api_env: EmulatorServer
) -> None:
    # The server hangs up first and starts the run a moment later (a slow gateway): the
    # read-backs keep looking for a while before they call it unknown.
    api_env.faults.drop("POST", r"/run/start$", when="later", delay=0.1)
    result = run_cli("start", "c.yaml", "--target", "Reminder", "--auto-approve")
    assert result.code == 0, result.output
    assert "✓ start Reminder: run started (status start, run_id " in result.stdout
    assert api_env.store.get_campaign(api_env.store.campaign_uuid_by_name("Reminder"))[
        "status"] == "start"
