"""Getting the API URL wrong, or losing the API: each case says what happened and what to do,
at once, and never suggests the URL is wrong when the API answered a moment ago."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from clirun import NO_POLICIES, run_cli, run_on_terminal

import reconciler.apply
import reconciler.kinds.steps
from reconciler.api import ApiClient, ApiError

MANIFEST = "campaigns:\n  - campaign_name: A\n    concurrent_call: 1\n"
THREE = "".join(f"  - campaign_name: {name}\n    concurrent_call: 1\n" for name in "ABC")


@pytest.fixture
def manifest(tmp_path: Path) -> str:
    (tmp_path / "c.yaml").write_text(MANIFEST, encoding="utf-8")
    return str(tmp_path / "c.yaml")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_empty_url_variable_is_an_error_naming_it(api_env, manifest, monkeypatch):
    monkeypatch.setenv("RECONCILER_API_URL", "")
    result = run_cli("plan", manifest)
    assert result.code == 1
    assert result.stderr == (
        "error: RECONCILER_API_URL is empty: set it to the API's base URL, e.g. "
        "https://api.example.vn (in CI, check that the secret is defined), or unset it to use "
        "the local emulator at http://127.0.0.1:8080\n"
    )
    assert api_env.requests == []


def test_an_empty_api_url_option_is_an_error_even_with_the_variable_set(api_env, manifest):
    result = run_cli("plan", manifest, "--api-url", " ")
    assert result.code == 1
    assert result.stderr == (
        "error: --api-url is empty: give the API's base URL, e.g. https://api.example.vn\n"
    )
    assert api_env.requests == []


@pytest.mark.parametrize("suffix", ["/v3", "/v3/", "/V3"])
def test_a_url_ending_in_v3_is_told_to_drop_it(api_env, manifest, monkeypatch, suffix):
    monkeypatch.setenv("RECONCILER_API_URL", api_env.url + suffix)
    result = run_cli("plan", manifest)
    assert result.code == 1
    assert result.stderr == (
        f"error: RECONCILER_API_URL ends in /v3 ({api_env.url}{suffix.rstrip('/')}): drop it, "
        f"the tool adds /v3/... to every call itself; use {api_env.url}\n"
    )
    assert api_env.requests == []


@pytest.mark.parametrize("value", ["127.0.0.1:8080", "api.example.vn", "ftp://api.example.vn"])
def test_a_url_without_http_names_the_variable(api_env, manifest, monkeypatch, value):
    monkeypatch.setenv("RECONCILER_API_URL", value)
    result = run_cli("plan", manifest)
    assert result.code == 1
    assert result.stderr == (
        "error: RECONCILER_API_URL must be an http(s) URL such as https://api.example.vn, not "
        f"{value!r}\n"
    )
    assert api_env.requests == []


def test_https_against_a_plain_http_server_is_explained(api_env, manifest):
    https = api_env.url.replace("http://", "https://")
    result = run_cli("plan", manifest, "--api-url", https)
    assert result.code == 1
    assert result.stderr == (
        f"error: GET {https}/v3/campaign?limit=100&offset=0: the server does not speak HTTPS on "
        "this port (the TLS handshake got a plain-HTTP answer); if it is a plain-HTTP server, "
        "such as the local emulator, use an http:// URL\n"
    )


def test_a_refused_first_call_fails_at_once_without_retries(manifest, monkeypatch):
    url = f"http://127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("RECONCILER_TOKEN", "t")
    monkeypatch.delenv("RECONCILER_RETRY_BACKOFF", raising=False)  # real waits: 1, 2, 4 s...
    result = run_cli("plan", manifest, "--api-url", url)
    assert result.code == 1
    assert result.stderr == (
        f"error: GET {url}/v3/campaign?limit=100&offset=0: connection refused; is the API URL "
        "right? (--api-url or RECONCILER_API_URL)\n"
    )
    with ApiClient(url, token="t") as api, pytest.raises(ApiError) as info:
        api.list_campaigns()
    assert info.value.retries == 0


def test_once_the_api_has_answered_a_refused_connection_is_retried_and_not_blamed_on_the_url(
    api_env,
):
    with ApiClient(api_env.url, token=api_env.token, backoff_factor=0.001) as api:
        api.list_campaigns()
        api_env.stop()
        with pytest.raises(ApiError) as info:
            api.list_campaigns()
    assert info.value.retries == 6
    assert str(info.value) == (
        f"GET {api_env.url}/v3/campaign?limit=100&offset=0: connection refused (after 6 "
        "retries); the API answered earlier in this run, so it has stopped or become "
        "unreachable since"
    )


def test_the_api_going_away_mid_apply(api_env, tmp_path, monkeypatch):
    monkeypatch.setenv("RECONCILER_RETRY_BACKOFF", "0.001")
    (tmp_path / "c.yaml").write_text("campaigns:\n" + THREE, encoding="utf-8")
    verify = reconciler.kinds.steps.verify_written

    def verify_then_lose_the_api(*args):  # noqa: ANN002, ANN202
        verify(*args)  # the first campaign is created and read back
        api_env.stop()

    monkeypatch.setattr(reconciler.kinds.steps, "verify_written", verify_then_lose_the_api)
    url = api_env.url
    result = run_cli("apply", str(tmp_path), "--auto-approve", "-p", "1")
    assert result.code == 1
    refused = (
        f"POST {url}/v3/campaign: connection refused (after 6 retries); the API answered "
        "earlier in this run, so it has stopped or become unreachable since"
    )
    assert result.stdout.splitlines()[-3:] == [
        "✓ create A: created",
        f"✗ create B: failed: {refused}",
        "· create C: not attempted",
    ]
    lock_listing = f"GET {url}/v3/template?template_name=~reconciler-lock&limit=100&offset=0"
    assert result.stderr == (
        f"warning: could not release the tenant lock (could not read the tenant lock: "
        f"{lock_listing}: connection refused (after 6 retries); the API answered earlier in "
        "this run, so it has stopped or become unreachable since); once no apply is running, "
        "break it with `reconciler unlock`\n"
        "Apply incomplete: 1 done, 1 failed, 1 not attempted.\n"
        f"  failed: B: {refused}\n"
    )
    assert "API URL" not in result.output


def test_retries_show_as_they_happen_on_a_terminal_only(api_env, manifest):
    api_env.faults.fail("GET", "^/v3/campaign$", 503, times=2)
    env = {
        **os.environ,
        "RECONCILER_API_URL": api_env.url,
        "RECONCILER_TOKEN": api_env.token,
        "RECONCILER_RETRY_BACKOFF": "0.001",
        "NO_COLOR": "1",
    }
    shown = run_on_terminal(["plan", manifest], env, stderr_too=True).replace("\r\n", "\n")
    retries = [line for line in shown.splitlines() if line.startswith("retrying")]
    assert [line.split(" (retry")[0] for line in retries] == [
        "retrying GET /v3/campaign?limit=100&offset=0 after 503 Service Unavailable",
        "retrying GET /v3/campaign?limit=100&offset=0 after 503 Service Unavailable",
    ]
    assert [line.split(" (retry ")[1].split(",")[0] for line in retries] == ["1", "2"]
    assert "+ create A" in shown

    api_env.faults.fail("GET", "^/v3/campaign$", 503, times=2)
    piped = subprocess.run(
        [sys.executable, "-m", "reconciler", "plan", manifest],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert piped.returncode == 0 and piped.stderr == NO_POLICIES  # no retry lines
