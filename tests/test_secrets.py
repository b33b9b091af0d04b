"""The token and the API key appear in no output, log or file: plan, apply, export, saved
plans and error messages, `--verbose` included, when the server errs and when auth fails.

Secrets here are distinctive strings, and every token the emulator issues is recorded, so a
leak of any of them anywhere is caught. One test runs the real CLI as a subprocess, so what a
CI log would hold (stdout, stderr, every log line) is checked as a whole.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from clirun import Run, run_cli

import reconciler.emulator.auth
import reconciler.refresh
from reconciler.emulator import EmulatorServer

TOKEN = "tok-S3CRET-5f1a9c0e7b2d4e8f"
API_KEY = "key-S3CRET-0c4e7a1b9d2f6e3a"
MANIFEST = """\
campaigns:
  - campaign_name: Existing
    concurrent_call: 4
    schedules:
      - mon-fri: "08:00-17:00"
  - campaign_name: Fresh
    description: new
    callback_url: https://hooks.example.vn/cdr
  - campaign_name: Failing
    concurrent_call: 2
  - campaign_name: Gone
    state: absent
"""


class Secrets:
    """Every secret in play: the static token, the API key, and each token issued."""

    def __init__(self, server: EmulatorServer, monkeypatch: pytest.MonkeyPatch):
        self.server = server
        self.issued: list[str] = []
        exchange = server.tokens.exchange
        # Issued tokens are predictable here, so a fault can echo the one a run will hold.
        monkeypatch.setattr(
            reconciler.emulator.auth.secrets, "token_urlsafe", lambda _n: self.next_token()
        )

        def recording(api_key: object) -> str | None:
            token = exchange(api_key)
            if token:
                self.issued.append(token)
            return token

        server.tokens.exchange = recording  # type: ignore[method-assign]

    def next_token(self) -> str:
        return f"iss-S3CRET-{len(self.issued):04}-7d9e2b4c1a"

    def all(self) -> list[str]:
        return [TOKEN, API_KEY, *self.issued]

    def assert_absent(self, text: str, where: str) -> None:
        for secret in self.all():
            assert secret not in text, f"a secret leaked into {where}"
            # A secret cut short is a leak too (e.g. `tok-S3CRET-5f1a…` in a truncated line).
            assert secret[:16] not in text, f"part of a secret leaked into {where}"


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(port=0, token=TOKEN, api_key=API_KEY) as emulator:
        emulator.store.add_campaign({"campaign_name": "Existing", "concurrent_call": 1})
        emulator.store.add_campaign({"campaign_name": "Failing", "concurrent_call": 1})
        emulator.store.add_campaign({"campaign_name": "Gone", "active": False})
        emulator.store.add_campaign({"campaign_name": "Other", "description": "exported"})
        yield emulator


@pytest.fixture
def secrets(server: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> Secrets:
    return Secrets(server, monkeypatch)


@pytest.fixture(params=["token", "api_key"])
def credentials(
    request: pytest.FixtureRequest, server: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> str:
    monkeypatch.setenv("RECONCILER_API_URL", server.url)
    monkeypatch.setenv("RECONCILER_RETRY_BACKOFF", "0")
    monkeypatch.delenv("RECONCILER_TOKEN", raising=False)
    monkeypatch.delenv("RECONCILER_API_KEY", raising=False)
    if request.param == "token":
        monkeypatch.setenv("RECONCILER_TOKEN", TOKEN)
    else:
        monkeypatch.setenv("RECONCILER_API_KEY", API_KEY)
    return request.param


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(
        f"{record.name} {record.getMessage()} {record.args!r} {record.exc_text or ''}"
        for record in caplog.records
    )


def files_under(folder: Path) -> str:
    return "\n".join(
        f"{path}\n{path.read_text(encoding='utf-8', errors='replace')}"
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    )


def run(secrets: Secrets, *args: str) -> Run:
    result = run_cli("--verbose", *args)
    secrets.assert_absent(result.output, f"the output of {' '.join(args)}")
    return result


def test_no_secret_in_any_output_log_or_file(
    server, secrets, credentials, tmp_path, caplog, monkeypatch
):
    caplog.set_level(logging.DEBUG)
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    (manifests / "c.yaml").write_text(MANIFEST, encoding="utf-8")
    failing = server.store.campaign_uuid_by_name("Failing")
    plan_file = tmp_path / "plan.json"
    # Gateways and the server misbehave throughout; some error bodies echo the request.
    server.faults.fail("GET", r"^/v3/campaign$", 503, times=2)
    server.faults.fail("GET", r"^/v3/campaign/", 502, body="<title>Bad Gateway</title>")

    assert run(secrets, "plan", str(manifests)).code == 0
    assert run(secrets, "plan", str(manifests), "--format", "json").code == 0
    assert run(secrets, "plan", str(manifests), "--format", "markdown").code == 0
    assert run(secrets, "plan", str(manifests), "--out", str(plan_file)).code == 0
    assert run(secrets, "plan", str(manifests), "--format", "html",
               "--out", str(tmp_path / "plan.html")).code == 0

    # The credential the next run holds, as a gateway quoting request headers would echo it.
    held = TOKEN if credentials == "token" else f"{API_KEY} {secrets.next_token()}"
    server.faults.fail("PUT", f"^/v3/campaign/{failing}$", 500, times=None,
                       body={"error": f"rejected Authorization: Bearer {held} " + "x" * 150})
    server.faults.drop("POST", r"^/v3/campaign$", when="after")
    applied = run(secrets, "apply", "--plan", str(plan_file), "--auto-approve",
                  "--continue-on-error")
    assert applied.code == 1 and "Failing" in applied.stderr
    assert "rejected Authorization: Bearer [redacted]" in applied.output

    server.faults.clear()
    expire_after_planning(monkeypatch, server)  # with an API key: a 401, a re-exchange
    assert run(secrets, "apply", str(manifests), "--auto-approve").code == 0
    assert run(secrets, "export", "--out", str(tmp_path / "export"), "--type", "all").code == 0
    held = TOKEN if credentials == "token" else API_KEY
    server.faults.fail("GET", r"^/v3/campaign$", 400, times=None,
                       body={"error": [{"api_key": f"bad key {held}"}, {"(root)": held}]})
    assert run(secrets, "plan", str(manifests)).code == 1

    if credentials == "api_key":
        assert len(secrets.issued) >= 2, "the token really was renewed along the way"
    secrets.assert_absent(everything_logged(caplog), "the logs")
    secrets.assert_absent(files_under(tmp_path), "a written file")


def test_no_secret_when_auth_fails(server, secrets, credentials, tmp_path, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    (tmp_path / "c.yaml").write_text(MANIFEST, encoding="utf-8")
    server.tokens.api_key = "another-key"  # the key we hold is now wrong
    server.faults.expire_tokens(include_static=True)  # and so is the static token
    for args in (
        ("plan", str(tmp_path)),
        ("apply", str(tmp_path), "--auto-approve"),
        ("export", "--out", str(tmp_path / "export")),
    ):
        result = run(secrets, *args)
        assert result.code == 1
        assert ("bearer token was rejected" if credentials == "token" else "API key rejected") in (
            result.stderr
        )
    secrets.assert_absent(everything_logged(caplog), "the logs")
    secrets.assert_absent(files_under(tmp_path), "a written file")


def expire_after_planning(
    monkeypatch: pytest.MonkeyPatch, server: EmulatorServer, include_static: bool = False
) -> None:
    """Expire the tokens once, when the next `apply` has planned and is about to write."""
    make_plan = reconciler.refresh.make_plan
    pending = [True]

    def planned_then_expired(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        plan = make_plan(*args, **kwargs)
        if pending:
            pending.pop()
            server.faults.expire_tokens(include_static=include_static)
        return plan

    monkeypatch.setattr(reconciler.refresh, "make_plan", planned_then_expired)


def test_no_secret_when_a_token_dies_mid_apply(server, secrets, tmp_path, caplog, monkeypatch):
    """A static token rejected between planning and writing: a clean failure, no secret."""
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("RECONCILER_API_URL", server.url)
    monkeypatch.setenv("RECONCILER_TOKEN", TOKEN)
    (tmp_path / "c.yaml").write_text(MANIFEST, encoding="utf-8")
    expire_after_planning(monkeypatch, server, include_static=True)
    result = run(secrets, "apply", str(tmp_path), "--auto-approve")
    assert result.code == 1 and "bearer token was rejected" in result.output
    secrets.assert_absent(everything_logged(caplog), "the logs")


def test_no_secret_in_a_real_process_output(server, secrets, tmp_path):
    """The CLI as CI runs it: a separate process whose whole output is one log."""
    (tmp_path / "c.yaml").write_text(MANIFEST, encoding="utf-8")
    failing = server.store.campaign_uuid_by_name("Failing")
    server.faults.fail("GET", r"^/v3/campaign$", 429)
    server.faults.fail("PUT", f"^/v3/campaign/{failing}$", 500, times=None,
                       body={"error": f"key {API_KEY} refused"})
    env = {
        **os.environ,
        "RECONCILER_API_URL": server.url,
        "RECONCILER_API_KEY": API_KEY,
        "RECONCILER_RETRY_BACKOFF": "0",
        "PYTHONWARNINGS": "always",
    }
    env.pop("RECONCILER_TOKEN", None)
    process = subprocess.run(
        [sys.executable, "-m", "reconciler", "--verbose", "apply", str(tmp_path),
         "--auto-approve", "--continue-on-error"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    output = process.stdout + process.stderr
    assert process.returncode == 1, output
    assert "GET /v3/campaign?limit=100&offset=0 -> 200" in process.stderr  # verbose is on
    assert "failed: Failing" in process.stderr and "refused" in process.stderr
    assert secrets.issued, "the key was exchanged"
    secrets.assert_absent(output, "the process output")


@pytest.mark.parametrize("cut", [0, 3, 10, 20])
def test_an_echoed_secret_cut_short_by_truncation_is_redacted_too(server, cut):
    from reconciler.api import ApiClient, ApiError

    # Error snippets are cut at 200 characters: put the cut inside the token.
    padding = "y" * (199 - 1 - len(TOKEN) + cut)
    server.faults.fail("GET", r"^/v3/campaign$", 400, body={"error": f"{padding} {TOKEN} end"})
    with ApiClient(server.url, token=TOKEN) as api, pytest.raises(ApiError) as caught:
        api.list_campaigns()
    text = str(caught.value)
    assert "[redacted]" in text
    assert TOKEN[:6] not in text, text
