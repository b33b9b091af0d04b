"""`reconciler emulator` as a user runs it: a real process on a free port, stopped cleanly."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from reconciler.emulator import EmulatorServer

LISTENING = re.compile(
    r"^emulator listening on (http://127\.0\.0\.1:(\d+)) \(token (\S+), API key (\S+)\)$"
)


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "reconciler", "emulator", "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


@pytest.fixture
def seed_file(tmp_path: Path) -> Path:
    path = tmp_path / "seed.json"
    path.write_text(json.dumps({"campaigns": [
        {"campaign_name": f"Seeded{i}", "active": False} for i in range(5)
    ]}), encoding="utf-8")
    return path


@pytest.fixture
def running(seed_file: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = start("--seed", str(seed_file), "--token", "cli-token", "--api-key", "cli-key",
                    "--page-cap", "3", "--fault", "fail GET ^/v3/carrier$ 503 retry_after=2",
                    "--verbose")
    try:
        line = process.stdout.readline().strip()
        match = LISTENING.match(line)
        assert match, (line, process.stderr.read() if process.poll() is not None else "")
        assert int(match.group(2)) > 0 and match.group(3) == "cli-token"
        assert match.group(4) == "cli-key"  # RECONCILER_API_KEY's value for this emulator
        yield process, match.group(1)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)


def test_cli_serves_until_terminated(running: tuple[subprocess.Popen[str], str]) -> None:
    process, url = running
    headers = {"Authorization": "Bearer cli-token"}
    page = requests.get(f"{url}/v3/campaign?limit=100", headers=headers, timeout=5).json()
    assert page["limit"] == 3 and page["total"] == 5  # --page-cap and --seed applied
    carrier = requests.get(f"{url}/v3/carrier", headers=headers, timeout=5)
    assert carrier.status_code == 503 and carrier.headers["Retry-After"] == "2"  # --fault
    assert requests.get(f"{url}/v3/carrier", headers=headers, timeout=5).status_code == 200
    assert requests.get(f"{url}/v3/campaign", timeout=5).status_code == 401
    issued = requests.post(f"{url}/v3/auth/token", json={"api_key": "cli-key"}, timeout=5)
    assert issued.status_code == 200 and issued.json()["token"]  # the key the banner shows
    process.terminate()
    assert process.wait(timeout=10) == 0
    stderr = process.stderr.read()
    assert "Traceback" not in stderr
    assert "GET /v3/campaign?limit=100" in stderr  # --verbose logs requests (no token)
    assert "cli-token" not in stderr


def test_cli_stops_cleanly_on_ctrl_c(running: tuple[subprocess.Popen[str], str]) -> None:
    process, url = running
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 0
    assert "Traceback" not in process.stderr.read()


@pytest.mark.parametrize(("args", "message"), [
    (("--seed", "/nonexistent/seed.json"), "cannot read seed"),
    (("--fault", "explode GET / 500"), "bad fault spec"),
    (("--page-cap", "0"), "--page-cap"),
])
def test_cli_errors_exit_1_without_traceback(args: tuple[str, ...], message: str) -> None:
    process = start(*args)
    stdout, stderr = process.communicate(timeout=20)
    assert process.returncode == 1, stderr
    assert message in stderr and "Traceback" not in stderr
    assert "listening" not in stdout


def test_cli_bad_seed_content(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text('{"campaigns": [{"campaign_name": "A", "colour": "red"}]}', encoding="utf-8")
    process = start("--seed", str(seed))
    _, stderr = process.communicate(timeout=20)
    assert process.returncode == 1
    assert stderr.startswith("error:") and "colour" in stderr and "Traceback" not in stderr


def test_cli_port_in_use() -> None:
    with EmulatorServer() as busy:
        process = subprocess.Popen(
            [sys.executable, "-m", "reconciler", "emulator", "--port", str(busy.port)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        _, stderr = process.communicate(timeout=20)
    assert process.returncode == 1
    assert "cannot listen on 127.0.0.1:" in stderr and "Traceback" not in stderr


def test_cli_empty_starts_a_tenant_with_nothing_but_its_seed(seed_file: Path) -> None:
    # A brand-new tenant: no default carriers, templates or audio; the seed still applies.
    process = start("--empty", "--seed", str(seed_file))
    try:
        match = LISTENING.match(process.stdout.readline().strip())
        assert match, process.stderr.read() if process.poll() is not None else ""
        url, headers = match.group(1), {"Authorization": "Bearer dev-token"}
        # The defaults the docs tell a newcomer to export (token, or the key as for a tenant).
        documented = (Path(__file__).parent.parent / "docs" / "emulator.md").read_text("utf-8")
        assert match.group(3, 4) == ("dev-token", "dev-api-key")
        assert "RECONCILER_TOKEN=dev-token" in documented
        assert "RECONCILER_API_KEY=dev-api-key" in documented
        totals = {path: requests.get(f"{url}/v3/{path}", headers=headers, timeout=5).json()["total"]
                  for path in ("carrier", "template", "audio", "campaign")}
        assert totals == {"carrier": 0, "template": 0, "audio": 0, "campaign": 5}
        process.terminate()
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)
