"""One apply at a time per tenant: the lock template, taken before the first write and
released on every way out, against the emulator over real HTTP (real processes where two
applies or a signal are involved). Overlaps are made certain by holding a request in the
emulator (its request_hook) until the test lets it go: no sleeps for timing."""

from __future__ import annotations

import getpass
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from clirun import run_cli
from hypothesis import given
from hypothesis import strategies as st

from reconciler.emulator import EmulatorServer
from reconciler.lock_record import (
    LockRecord,
    age,
    holder_from_env,
    parse_description,
    parse_duration,
)
from reconciler.template_fields import LOCK_NAME

ROOT = Path(__file__).resolve().parent.parent
JOB_URL = "https://gitlab.example.vn/ops/tenant/-/jobs/4242"
STALE = LockRecord("bob@old-runner", "2024-01-01T00:00:00Z", "sha256:0123456789abcdef", 4711,
                   "0.1.0", "f" * 32)


# -- the record ------------------------------------------------------------------------------

@given(st.text(min_size=1), st.text(), st.integers(min_value=0, max_value=2**31))
def test_a_record_reads_back_from_its_description(holder, digest, pid):
    record = LockRecord(holder, "2024-05-01T10:00:00Z", digest, pid, "0.1.0", "ab" * 16)
    assert parse_description(record.to_description()) == record


@pytest.mark.parametrize("description", [
    "", "nightly script", "{}", "[1]", '{"lock": "reconciler tenant lock"}',
    json.dumps({**json.loads(STALE.to_description()), "pid": True}),
    json.dumps({**json.loads(STALE.to_description()), "nonce": ""}),
    json.dumps({**json.loads(STALE.to_description()), "lock": "someone else's"}),
])
def test_a_description_this_tool_did_not_write_holds_no_record(description):
    assert parse_description(description) is None


def test_the_holder_names_the_ci_job_or_the_user_and_host():
    github = {"GITHUB_ACTIONS": "true", "GITHUB_SERVER_URL": "https://github.com",
              "GITHUB_REPOSITORY": "ops/tenant", "GITHUB_RUN_ID": "99"}
    assert holder_from_env(github) == (
        "GitHub Actions run https://github.com/ops/tenant/actions/runs/99")
    assert holder_from_env({"GITLAB_CI": "true", "CI_JOB_URL": JOB_URL}) == (
        f"GitLab CI job {JOB_URL}")
    assert holder_from_env({}) == f"{getpass.getuser()}@{socket.gethostname()}"


def test_durations_and_ages_read_as_people_write_them():
    assert [parse_duration(text) for text in ("5m", "90s", "1h30m", "45", "0")] == [
        300, 90, 5400, 45, 0]
    for bad in ("", "5 minutes", "m", "-1s", "5x"):
        with pytest.raises(ValueError):
            parse_duration(bad)
    now = datetime(2024, 1, 1, 3, 12, 5, tzinfo=UTC)
    assert age("2024-01-01T00:00:00Z", now) == "3 h 12 min ago"
    assert age("not a time", now) == ""


# -- helpers ---------------------------------------------------------------------------------

def campaigns(directory: Path, *names: str) -> str:
    directory.mkdir(parents=True, exist_ok=True)
    lines = ["campaigns:"]
    for name in names:
        lines += [f"  - campaign_name: {name}", "    active: false",
                  "    callback_url: https://hooks.example.vn/cdr"]
    (directory / "campaigns.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(directory)


def start(args: list[str], server: EmulatorServer, **env: str) -> subprocess.Popen:
    environ = {**os.environ, "RECONCILER_API_URL": server.url,
               "RECONCILER_TOKEN": server.token, **env}
    environ.pop("RECONCILER_API_KEY", None)
    environ.pop("GITHUB_ACTIONS", None)
    return subprocess.Popen(
        [sys.executable, "-m", "reconciler", *args], cwd=ROOT, env=environ, text=True,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def wait_for(condition, what: str, timeout: float = 30.0) -> None:  # noqa: ANN001
    """Poll a condition (bounded): the moment to act, never a guessed delay."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


class Hold:
    """Holds the first request matching (method, path prefix) in the emulator until
    `release()`; `held` is set once it is being held."""

    def __init__(self, server: EmulatorServer, method: str, prefix: str) -> None:
        self.held, self._go = threading.Event(), threading.Event()
        self._taken = False
        self._lock = threading.Lock()

        def hook(seen_method: str, path: str) -> None:
            with self._lock:
                first = (seen_method == method and path.startswith(prefix) and not self._taken)
                self._taken = self._taken or first
            if first:
                self.held.set()
                self._go.wait(60)

        server.request_hook = hook

    def release(self) -> None:
        self._go.set()


def lock_templates(server: EmulatorServer) -> list[dict]:
    return [doc for doc in server.store.templates() if doc["template_name"] == LOCK_NAME]


def seed_lock(server: EmulatorServer, record: LockRecord = STALE) -> str:
    return server.store.add_template(LOCK_NAME, description=record.to_description())


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer() as emulator:
        yield emulator


@pytest.fixture
def env(server: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> EmulatorServer:
    monkeypatch.setenv("RECONCILER_API_URL", server.url)
    monkeypatch.setenv("RECONCILER_TOKEN", server.token)
    monkeypatch.delenv("RECONCILER_API_KEY", raising=False)
    monkeypatch.setenv("RECONCILER_RETRY_BACKOFF", "0.001")
    return server


# -- two applies at once ---------------------------------------------------------------------

def test_two_applies_started_together_one_applies_the_other_is_refused_naming_it(
    server, tmp_path
):
    manifests = campaigns(tmp_path / "m", "Alpha", "Beta", "Gamma")
    hold = Hold(server, "POST", "/v3/campaign")  # the winner's first write waits for us
    first = start(["apply", manifests, "--auto-approve"], server,
                  GITLAB_CI="true", CI_JOB_URL=JOB_URL)
    second = start(["apply", manifests, "--auto-approve"], server,
                   GITLAB_CI="true", CI_JOB_URL=JOB_URL)
    hold.held.wait(60)
    wait_for(lambda: first.poll() is not None or second.poll() is not None, "the loser")
    loser, winner = (first, second) if first.poll() is not None else (second, first)
    hold.release()
    lost_out, lost_err = loser.communicate(timeout=60)
    won_out, won_err = winner.communicate(timeout=60)

    assert winner.returncode == 0, won_err
    assert "Apply complete: 3 done." in won_out
    assert loser.returncode == 1, lost_err
    assert (f"error: the tenant is locked by another apply: held by GitLab CI job {JOB_URL} "
            "since ") in lost_err
    assert f", pid {winner.pid}, reconciler " in lost_err
    assert "nothing was changed. Wait for it with --lock-timeout" in lost_err
    assert "Traceback" not in lost_err + won_err

    writes = server.write_requests(lock=True)
    lock_posts = [entry for entry in writes if entry[:2] == ("POST", "/v3/template")]
    assert sorted(status for _, _, status in lock_posts) == [200, 400]  # one taken, one refused
    taken = writes.index(next(entry for entry in lock_posts if entry[2] == 200))
    released = [i for i, entry in enumerate(writes) if entry[0] == "DELETE"]
    assert len(released) == 1 and released[0] == len(writes) - 1
    campaign_writes = [i for i, entry in enumerate(writes) if "/v3/campaign" in entry[1]]
    # Every campaign write inside the winner's lock: nothing of the loser's interleaved.
    assert campaign_writes and taken < min(campaign_writes) and max(campaign_writes) < released[0]
    assert [entry[1] for entry in writes].count("/v3/campaign") == 3  # each created once
    assert sorted(doc["campaign_name"] for doc in server.store.campaigns()) == [
        "Alpha", "Beta", "Gamma"]
    assert lock_templates(server) == []


def wait_then_apply(server: EmulatorServer, first_manifests: str, second_manifests: str):
    """The first apply holds the lock (its first campaign write held); the second, given
    --lock-timeout, says it waits; then the first is let go."""
    hold = Hold(server, "POST", "/v3/campaign")
    first = start(["apply", first_manifests, "--auto-approve"], server)
    hold.held.wait(60)
    second = start(["apply", second_manifests, "--auto-approve", "--lock-timeout", "1m"], server)
    waiting = second.stderr.readline()
    hold.release()
    first_out, first_err = first.communicate(timeout=60)
    second_out, second_err = second.communicate(timeout=60)
    assert first.returncode == 0, first_err
    return waiting, second, second_out, second_err


def test_with_a_lock_timeout_the_second_apply_waits_then_applies(server, tmp_path):
    waiting, second, out, err = wait_then_apply(
        server, campaigns(tmp_path / "a", "Alpha", "Beta"), campaigns(tmp_path / "b", "Delta"))
    assert waiting.startswith(f"The tenant is locked by {getpass.getuser()}@")
    assert waiting.rstrip().endswith("waiting up to 60 s for it (--lock-timeout).")
    assert second.returncode == 0, err
    assert "Tenant lock taken; checking the plan still holds." in err
    assert "✓ create Delta: created" in out
    writes = server.write_requests(lock=True)
    taken = [i for i, (method, path, status) in enumerate(writes)
             if (method, path, status) == ("POST", "/v3/template", 200)]
    released = [i for i, (method, path, _) in enumerate(writes)
                if method == "DELETE" and path.startswith("/v3/template/")]
    assert len(taken) == len(released) == 2
    assert taken[0] < released[0] < taken[1] < released[1]  # one after the other
    creates = [i for i, (method, path, _) in enumerate(writes)
               if (method, path) == ("POST", "/v3/campaign")]
    assert [i for i in creates if taken[0] < i < released[0]] == creates[:2]  # the first's
    assert [i for i in creates if taken[1] < i < released[1]] == creates[2:]  # Delta
    assert len(creates) == 3
    first_writes = range(taken[0] + 1, released[0])
    assert not [i for i, entry in enumerate(writes) if "/v3/campaign" in entry[1]
                and i not in first_writes and not taken[1] < i < released[1]]
    assert lock_templates(server) == []


def test_after_waiting_a_plan_the_first_apply_made_stale_is_refused_with_no_write(
    server, tmp_path
):
    manifests = campaigns(tmp_path / "a", "Alpha")
    waiting, second, out, err = wait_then_apply(server, manifests, manifests)
    assert "waiting up to 60 s" in waiting
    assert second.returncode == 1
    assert ("while this apply waited for the tenant lock, the tenant changed; nothing was "
            "changed. Make a new plan.\n  Alpha: a campaign of that name now exists") in err
    assert [entry[1] for entry in server.write_requests()].count("/v3/campaign") == 1
    assert lock_templates(server) == []


def test_a_lock_timeout_that_runs_out_is_a_refusal(env, tmp_path):
    seed_lock(env)
    run = run_cli("apply", campaigns(tmp_path, "Alpha"), "--auto-approve",
                  "--lock-timeout", "0.3s")
    assert run.code == 1
    assert "The tenant is locked by bob@old-runner since 2024-01-01T00:00:00Z (" in run.stderr
    assert "error: the tenant is locked by another apply after waiting 0.3 s: held by " \
        "bob@old-runner" in run.stderr
    assert env.write_requests() == [] and env.store.campaigns() == []
    assert len(lock_templates(env)) == 1  # someone else's: left as it is


# -- released on every way out ---------------------------------------------------------------

@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_mid_apply_still_releases_the_lock(server, tmp_path, signum):
    manifests = campaigns(tmp_path, "Alpha", "Beta", "Gamma")
    hold = Hold(server, "POST", "/v3/campaign")
    process = start(["apply", manifests, "--auto-approve", "-p", "1"], server)
    hold.held.wait(60)
    assert len(lock_templates(server)) == 1
    process.send_signal(signum)
    assert process.stderr.readline().startswith(f"{signal.Signals(signum).name} received")
    hold.release()
    out, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signum, err
    assert "✓ create Alpha: created" in out and "· create Beta: not attempted" in out
    assert lock_templates(server) == []
    assert [method for method, _, _ in server.lock_requests()] == ["POST", "DELETE"]


def test_a_second_signal_stops_at_once_and_still_releases_the_lock(server, tmp_path):
    manifests = campaigns(tmp_path, "Alpha", "Beta")
    hold = Hold(server, "POST", "/v3/campaign")
    process = start(["apply", manifests, "--auto-approve", "-p", "4"], server)
    hold.held.wait(60)
    process.send_signal(signal.SIGINT)
    assert process.stderr.readline().startswith("SIGINT received")
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)  # while its create is still held
    assert process.returncode == 130, err
    assert "SIGINT again: stopping at once." in err
    assert lock_templates(server) == []
    hold.release()


def test_a_signal_while_waiting_for_the_lock_leaves_it_to_its_holder(server, tmp_path):
    seed_lock(server)
    process = start(["apply", campaigns(tmp_path, "Alpha"), "--auto-approve",
                     "--lock-timeout", "5m"], server)
    assert "waiting up to 300 s" in process.stderr.readline()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "Stopped while waiting for the tenant lock: nothing was changed." in err
    assert err.rstrip().endswith("Interrupted by SIGINT.")
    assert parse_description(lock_templates(server)[0]["description"]) == STALE
    assert server.write_requests() == [] and server.store.campaigns() == []


def test_a_failed_apply_releases_the_lock(env, tmp_path):
    env.faults.fail("POST", "^/v3/campaign$", 400, body={"error": "carrier is busy"})
    run = run_cli("apply", campaigns(tmp_path, "Alpha"), "--auto-approve")
    assert run.code == 1 and "carrier is busy" in run.stdout
    assert lock_templates(env) == []
    assert [method for method, _, _ in env.lock_requests()] == ["POST", "DELETE"]


def test_no_lock_is_taken_by_an_apply_that_will_not_write(env, tmp_path):
    """Refused before confirming (no terminal), or nothing to do: no lock call at all."""
    manifests = campaigns(tmp_path, "Alpha")
    assert run_cli("apply", manifests).code == 1
    assert not [entry for entry in env.requests if "template" in entry[1]]
    assert run_cli("apply", manifests, "--auto-approve").code == 0
    env.requests.clear()
    assert run_cli("apply", manifests, "--auto-approve").code == 0  # no changes
    assert not [entry for entry in env.requests if "template" in entry[1]]


# -- holding it: our nonce, not anyone's lock ------------------------------------------------

def test_a_lost_create_answer_is_settled_by_reading_the_lock_back(env, tmp_path):
    env.faults.drop("POST", "^/v3/template$", when="after")  # created, answer lost
    run = run_cli("apply", campaigns(tmp_path, "Alpha"), "--auto-approve")
    assert run.code == 0, run.output
    assert lock_templates(env) == [] and len(env.store.campaigns()) == 1


def test_a_lost_create_answer_never_makes_another_runs_lock_ours(env, tmp_path):
    """Our create is lost on the way; meanwhile another run took the lock: its nonce is
    not ours, so we are refused and leave its lock alone."""
    env.faults.drop("POST", "^/v3/template$", when="before")

    def another_run_takes_it(method: str, path: str) -> None:
        if method == "POST" and path == "/v3/template" and not lock_templates(env):
            seed_lock(env)

    env.request_hook = another_run_takes_it
    run = run_cli("apply", campaigns(tmp_path, "Alpha"), "--auto-approve")
    assert run.code == 1
    assert "held by bob@old-runner since 2024-01-01T00:00:00Z" in run.stderr
    assert parse_description(lock_templates(env)[0]["description"]) == STALE
    assert env.store.campaigns() == []


def test_a_lock_template_that_holds_no_record_still_locks(env, tmp_path):
    env.store.add_template(LOCK_NAME, description="made by hand")
    run = run_cli("apply", campaigns(tmp_path, "Alpha"), "--auto-approve")
    assert run.code == 1
    assert ("held by an unknown holder (the lock template's description is not a lock record "
            "this tool wrote: 'made by hand')") in run.stderr


def test_a_saved_plan_is_applied_under_the_lock_too(env, tmp_path):
    manifests = campaigns(tmp_path / "m", "Alpha")
    plan_file = str(tmp_path / "plan.json")
    assert run_cli("plan", manifests, "--out", plan_file).code == 0
    seed_lock(env)
    refused = run_cli("apply", "--plan", plan_file, "--auto-approve")
    assert refused.code == 1 and "held by bob@old-runner" in refused.stderr
    assert env.store.campaigns() == []
    assert run_cli("unlock", "--yes").code == 0
    applied = run_cli("apply", "--plan", plan_file, "--auto-approve")
    assert applied.code == 0, applied.output
    assert [(method, status) for method, _, status in env.lock_requests()] == [
        ("POST", 400), ("POST", 200), ("DELETE", 200)]  # refused, then taken and released


# -- unlock ----------------------------------------------------------------------------------

def test_unlock_shows_the_lock_and_breaks_it_only_when_told(env, tmp_path):
    uuid = seed_lock(env)
    shown = ("The tenant is locked by bob@old-runner since 2024-01-01T00:00:00Z (")
    asked = run_cli("unlock")
    assert asked.code == 1 and asked.stdout.startswith(shown)
    assert ", pid 4711, reconciler 0.1.0, plan sha256:0123456789abcdef." in asked.stdout
    assert "pass --yes to break the lock (it was left as it is)" in asked.stderr
    assert len(lock_templates(env)) == 1

    broken = run_cli("unlock", "--yes")
    assert broken.code == 0 and broken.stdout.startswith(shown)
    assert broken.stdout.endswith("Lock broken.\n")
    assert lock_templates(env) == []
    assert ("DELETE", f"/v3/template/{uuid}", 200) in env.write_requests()
    again = run_cli("unlock", "--yes")
    assert (again.code, again.stdout) == (0, "The tenant is not locked.\n")
    assert run_cli("apply", campaigns(tmp_path, "Alpha"), "--auto-approve").code == 0


def test_unlock_asks_on_a_terminal(server):
    import pty

    seed_lock(server)
    leader, follower = pty.openpty()
    environ = {**os.environ, "RECONCILER_API_URL": server.url, "RECONCILER_TOKEN": server.token}
    process = subprocess.Popen([sys.executable, "-m", "reconciler", "unlock"], cwd=ROOT,
                               env=environ, stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    seen = b""
    while b"Only 'yes' will be accepted" not in seen:
        seen += os.read(leader, 4096)
    os.write(leader, b"yes\n")
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert process.wait(timeout=60) == 0
    assert b"held by" not in seen and b"The tenant is locked by bob@old-runner" in seen
    assert b"Lock broken." in seen
    assert lock_templates(server) == []


def test_unlock_leaves_a_lock_that_changed_since_it_was_shown(env):
    """Between showing and breaking, the stale lock went and a live apply took a new one:
    that one is not broken."""
    seed_lock(env)
    fresh = LockRecord.new("carol@ci", "sha256:feedfeedfeedfeed")

    listings = []

    def replaced(method: str, path: str) -> None:
        if method == "GET" and path.startswith("/v3/template?"):
            listings.append(path)
            if len(listings) == 2:  # unlock's second look, right before it would delete
                for doc in lock_templates(env):
                    env.store.delete_template(doc["template_uuid"])
                seed_lock(env, fresh)

    env.request_hook = replaced
    run = run_cli("unlock", "--yes")
    assert run.code == 1
    assert "the lock changed since it was shown" in run.stderr
    assert parse_description(lock_templates(env)[0]["description"]) == fresh


# -- invisible everywhere else ---------------------------------------------------------------

def test_the_lock_never_shows_in_plans_exports_prune_status_or_doctor(env, tmp_path):
    seed_lock(env)
    manifests = tmp_path / "m"
    manifests.mkdir()
    (manifests / "t.yaml").write_text(
        "templates:\n  - template_name: Greeting\n    voice_type: tts\n    content: Xin chao\n",
        encoding="utf-8")
    outputs = []
    for args in (["plan", str(manifests), "--prune"],
                 ["plan", str(manifests), "--prune", "--format", "json"],
                 ["export", "--out", str(tmp_path / "out")],
                 ["status", str(manifests)],
                 ["doctor"]):
        run = run_cli(*args)
        assert run.code in (0, 2), (args, run.output)
        outputs.append(run.output)
    outputs += [path.read_text(encoding="utf-8") for path in (tmp_path / "out").rglob("*")
                if path.is_file()]
    assert [text for text in outputs if "reconciler-lock" in text] == []
    assert json.loads(outputs[1])["changes"], "the prune plan does delete other templates"


def test_a_manifest_cannot_declare_the_lock_template(tmp_path):
    (tmp_path / "t.yaml").write_text(
        f"templates:\n  - template_name: '{LOCK_NAME}'\n    content: hi\n", encoding="utf-8")
    run = run_cli("validate", str(tmp_path))
    assert run.code == 1
    assert (f"t.yaml:2: template_name: '{LOCK_NAME}' is reserved for apply's tenant lock, a "
            "template of that name (see docs/locking.md)") in run.stderr


def test_doctor_never_picks_the_lock_to_probe_the_name_filter(env):
    """The name-filter check probes with the tenant's longest template name: never the
    lock's, which another apply may be holding right now."""
    for doc in env.store.templates():
        env.store.delete_template(doc["template_uuid"])
    env.store.add_template("Greeting")
    seed_lock(env)
    run = run_cli("doctor")
    assert "templates: name filter" in run.stdout
    assert "reconciler-lock" not in run.output
