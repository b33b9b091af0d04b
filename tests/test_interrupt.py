"""Ctrl-C and CI cancels on real processes: the report matches the server, nothing is left
active that the manifests declare inactive, and the next apply converges."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from clirun import run_cli

import reconciler.interrupt as interrupt
from reconciler.emulator import EmulatorServer

ROOT = Path(__file__).resolve().parent.parent


def manifest(tmp_path: Path, count: int) -> str:
    lines = ["campaigns:"]
    for n in range(count):
        lines += [
            f"  - campaign_name: Batch{n:03d}",
            "    active: false",
            "    callback_url: https://hooks.example.vn/cdr",
            "    schedules:",
            "      - mon-fri: '08:00-17:00'",
        ]
    (tmp_path / "batch.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(tmp_path)


def start(args: list[str], server: EmulatorServer, **kwargs) -> subprocess.Popen:  # noqa: ANN003
    env = {**os.environ, "RECONCILER_API_URL": server.url, "RECONCILER_TOKEN": server.token}
    env.pop("RECONCILER_API_KEY", None)
    return subprocess.Popen(
        [sys.executable, "-m", "reconciler", *args], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs,
    )


def wait_for(condition, what: str, timeout: float = 30.0) -> None:  # noqa: ANN001
    """Poll a condition on the server's state (bounded): the moment to send the signal."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


@pytest.fixture
def slow_emulator():
    server = EmulatorServer(host="127.0.0.1", port=0, latency_ms=25)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.parametrize("signum, parallelism", [
    (signal.SIGINT, "1"), (signal.SIGTERM, "1"), (signal.SIGINT, "8"), (signal.SIGTERM, "8"),
])
def test_a_signal_mid_apply_finishes_in_flight_work_and_reports_the_truth(
    slow_emulator, tmp_path, monkeypatch, signum, parallelism
):
    server = slow_emulator
    count = 40 if parallelism == "1" else 120
    manifests = manifest(tmp_path, count)
    process = start(["apply", manifests, "--auto-approve", "-p", parallelism], server)
    wait_for(lambda: server.store.campaign_count() >= 3, "the first creates")
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=60)

    assert process.returncode == 128 + signum, stderr
    name = signal.Signals(signum).name
    assert f"{name} received: starting no new campaigns" in stderr
    assert "Traceback" not in stderr and "nothing was changed" not in stderr
    done = set(re.findall(r"^✓ create (Batch\d+): ", stdout, re.M))
    skipped = set(re.findall(r"^· create (Batch\d+): not attempted", stdout, re.M))
    assert done and skipped and len(done) + len(skipped) == count
    assert f"Apply interrupted by {name}: {len(done)} done, 0 failed, " \
        f"{len(skipped)} not attempted." in stderr
    live = {doc["campaign_name"]: doc for doc in server.store.campaigns()}
    assert set(live) == done, "the report matches the server's state exactly"
    for doc in live.values():
        assert doc["active"] is False and doc["callback_url"] == "https://hooks.example.vn/cdr"
        assert doc["schedules"], doc["campaign_name"]

    monkeypatch.setenv("RECONCILER_API_URL", server.url)
    monkeypatch.setenv("RECONCILER_TOKEN", server.token)
    server.latency_ms = 0
    again = run_cli("apply", manifests, "--auto-approve", "-p", "8")
    assert again.code == 0, again.output
    assert server.store.campaign_count() == count
    assert run_cli("plan", manifests, "--detailed-exitcode").code == 0


def test_a_second_signal_stops_at_once_naming_what_may_be_half_done(
    slow_emulator, tmp_path, monkeypatch
):
    server = slow_emulator
    manifests = manifest(tmp_path, 40)
    process = start(["apply", manifests, "--auto-approve", "-p", "4"], server)
    wait_for(lambda: server.store.campaign_count() >= 2, "the first creates")
    process.send_signal(signal.SIGINT)
    first = process.stderr.readline()  # the first signal was handled: in-flight work goes on
    assert first.startswith("SIGINT received: starting no new campaigns; finishing 4 in flight")
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "SIGINT again: stopping at once. May be half-done: Batch" in stderr
    assert "Traceback" not in stderr
    # Requests the killed process left in flight still land; then the state is still.
    wait_for(lambda: server.busy == 0, "the killed client's last requests")
    monkeypatch.setenv("RECONCILER_API_URL", server.url)
    monkeypatch.setenv("RECONCILER_TOKEN", server.token)
    server.latency_ms = 0
    again = run_cli("apply", manifests, "--auto-approve")
    assert again.code == 0, again.output
    assert run_cli("plan", manifests, "--detailed-exitcode").code == 0


def test_sigterm_during_plan_is_a_clean_exit_143(slow_emulator, tmp_path):
    server = slow_emulator
    for n in range(200):
        server.store.add_campaign({"campaign_name": f"Batch{n:03d}"})
    manifests = manifest(tmp_path, 200)
    requests_before = len(server.requests)
    process = start(["plan", manifests, "-p", "1"], server)
    wait_for(lambda: len(server.requests) > requests_before + 5, "the plan's reads")
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 143
    assert stderr.strip().endswith("Interrupted by SIGTERM.")
    assert "Traceback" not in stderr


def test_the_emulator_stops_on_sigint_even_when_started_with_it_ignored(tmp_path):
    def ignore_sigint() -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "emulator", "--port", "0"], cwd=ROOT, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=ignore_sigint,
    )
    banner = process.stdout.readline()
    assert "emulator listening on http://" in banner
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "emulator stopped" in stderr


class _Exited(Exception):
    pass


def test_a_second_signal_inside_a_stderr_write_still_releases_and_exits(monkeypatch, capfd):
    # The race the subprocess tests hit under load: the second SIGINT arrives while the first
    # one's announcement is still being flushed, and Python refuses the nested write.
    said, released, codes = [], [], []

    def announce(line: str) -> None:
        if said:
            raise RuntimeError("reentrant call inside <_io.BufferedWriter name='<stderr>'>")
        said.append(line)

    def exit_now(code: int) -> None:
        codes.append(code)
        raise _Exited

    monkeypatch.setattr(interrupt.os, "_exit", exit_now)
    stop = threading.Event()
    with pytest.raises(_Exited), interrupt.finish_in_flight(
        stop, lambda: ["Alpha"], announce, on_abort=lambda: released.append(True)
    ):
        signal.raise_signal(signal.SIGINT)
        assert stop.is_set() and said[0].startswith("SIGINT received")
        signal.raise_signal(signal.SIGINT)
    assert released == [True] and codes == [130]
    assert capfd.readouterr().err == (
        "SIGINT again: stopping at once. May be half-done: Alpha; run plan to see what remains.\n"
    )
