"""Credentials that cannot be sent are refused before use, saying which variable and which
character position is wrong but never the secret; and whatever an exception says, no
credential known to the process (the variables, every token issued) reaches the output —
in-process and in a real process, with and without --verbose."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from clirun import Run, run_cli

import reconciler.commands._common as common
from reconciler.api.client import ApiClient

TOKEN_CRLF = "tok-S3CRET-5f1a9c0e\r\nX-Injected: 7b2d4e8f"
ISSUED_CRLF = "iss-S3CRET-0c4e7a1b\r\nX-Injected: 9d2f6e3a"
ISSUED_OK = "iss-S3CRET-good-7d9e2b4c1a"
API_KEY = "key-S3CRET-0c4e7a1b9d2f6e3a"
MANIFEST = "campaigns:\n  - campaign_name: Keep\n    concurrent_call: 2\n"


def pieces(secret: str) -> list[str]:
    """The secret and every long visible run of it: none may appear anywhere."""
    runs = [part for part in secret.replace("\r", "\n").split("\n") if len(part) >= 8]
    return [secret, repr(secret)[1:-1], *runs]


def assert_absent(secret: str, text: str) -> None:
    for piece in pieces(secret):
        assert piece not in text, f"{piece!r} leaked: {text!r}"


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    (tmp_path / "m.yaml").write_text(MANIFEST, encoding="utf-8")
    return tmp_path / "m.yaml"


@pytest.fixture
def quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not verbose, whatever an earlier in-process run set."""
    monkeypatch.setattr(common, "_VERBOSE", False)


def _cli(verbose: bool, *args: str) -> Run:
    return run_cli(*(["--verbose"] if verbose else []), *args)


def _subprocess(args: list[str], env: dict[str, str], code: str | None = None) -> tuple[int, str]:
    """`reconciler ARGS` in a real process (or `code` run first, then main()): (exit, output)."""
    run = [sys.executable, "-m", "reconciler", *args]
    if code is not None:
        program = code + "\nimport sys\nfrom reconciler.cli import main\nmain(sys.argv[1:])\n"
        run = [sys.executable, "-c", program, *args]
    result = subprocess.run(run, capture_output=True, env={**env, "PYTHONUTF8": "1"},
                            timeout=60, check=False)
    return result.returncode, (result.stdout + result.stderr).decode("utf-8", "replace")


def _env(server, **credentials: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("RECONCILER_TOKEN",
                                                             "RECONCILER_API_KEY")}
    return {**env, "RECONCILER_API_URL": server.url, **credentials}


# ---- a pasted token with a line break -------------------------------------------------------


@pytest.mark.parametrize("verbose", [False, True])
def test_token_with_crlf_is_refused_before_use(api_env, manifest, monkeypatch, quiet, verbose):
    monkeypatch.setenv("RECONCILER_TOKEN", TOKEN_CRLF)
    result = _cli(verbose, "plan", str(manifest))
    assert result.code == 1
    assert result.stderr.endswith(
        f"error: RECONCILER_TOKEN is not usable: character 20 of {len(TOKEN_CRLF)} is a line "
        "break, and a bearer token is visible ASCII only: letters, digits and punctuation\n"
    )
    assert "internal error" not in result.output
    assert_absent(TOKEN_CRLF, result.output)
    assert api_env.requests == []


@pytest.mark.parametrize("verbose", [False, True])
def test_token_with_crlf_in_a_real_process(api_env, manifest, verbose):
    env = _env(api_env, RECONCILER_TOKEN=TOKEN_CRLF)
    code, output = _subprocess([*(["--verbose"] if verbose else []), "plan", str(manifest)], env)
    assert code == 1
    assert "RECONCILER_TOKEN is not usable: character 20" in output
    assert "internal error" not in output and "Traceback" not in output
    assert_absent(TOKEN_CRLF, output)


def test_api_key_with_a_line_break_is_refused(api_env, manifest, monkeypatch):
    monkeypatch.delenv("RECONCILER_TOKEN")
    monkeypatch.setenv("RECONCILER_API_KEY", "key-S3CRET\n-0c4e7a1b9d2f6e3a")
    result = run_cli("plan", str(manifest))
    assert result.code == 1
    assert "error: RECONCILER_API_KEY is not usable: character 11 of 28 is a space, line " in (
        result.stderr
    )
    assert_absent("key-S3CRET\n-0c4e7a1b9d2f6e3a", result.output)


# ---- a token issued with a line break -------------------------------------------------------


@pytest.fixture
def keyed(api_env, monkeypatch):
    """The emulator with RECONCILER_API_KEY set (no token) to its key."""
    monkeypatch.delenv("RECONCILER_TOKEN")
    monkeypatch.setenv("RECONCILER_API_KEY", api_env.tokens.api_key)
    return api_env


@pytest.mark.parametrize("verbose", [False, True])
def test_issued_token_with_crlf_is_refused(keyed, manifest, quiet, verbose):
    keyed.tokens.issue_next(ISSUED_CRLF)
    result = _cli(verbose, "plan", str(manifest))
    assert result.code == 1
    assert result.stderr.endswith(
        "error: POST /v3/auth/token: the API issued a token that cannot be sent in a header: "
        f"character 20 of {len(ISSUED_CRLF)} is a line break, and a bearer token is visible "
        "ASCII only: letters, digits and punctuation. Report this to the API's operator\n"
    )
    assert_absent(ISSUED_CRLF, result.output)
    assert [(m, p) for m, p, _ in keyed.requests] == [("POST", "/v3/auth/token")]


@pytest.mark.parametrize("verbose", [False, True])
def test_issued_token_with_crlf_in_a_real_process(api_env, manifest, verbose):
    api_env.tokens.issue_next(ISSUED_CRLF)
    env = _env(api_env, RECONCILER_API_KEY=api_env.tokens.api_key)
    code, output = _subprocess([*(["--verbose"] if verbose else []), "plan", str(manifest)], env)
    assert code == 1
    assert "the API issued a token that cannot be sent in a header: character 20" in output
    assert "internal error" not in output and "Traceback" not in output
    assert_absent(ISSUED_CRLF, output)


# ---- the last-resort handler ----------------------------------------------------------------

LEAK = """
import reconciler.api.client as client

def leak(self, *args, **kwargs):
    token = self._tokens.current()
    raise ValueError(
        f"Invalid header value {('Bearer ' + token).encode()!r}; token {token}; "
        f"key {self._tokens._api_key}"
    )
"""
PATCH = "client.ApiClient.list_campaigns = leak\n"


def _leaky(monkeypatch: pytest.MonkeyPatch) -> None:
    namespace: dict = {}
    exec(LEAK, namespace)  # the same function the subprocess tests patch in  # noqa: S102
    monkeypatch.setattr(ApiClient, "list_campaigns", namespace["leak"])


@pytest.mark.parametrize("verbose", [False, True])
def test_internal_error_never_shows_the_token(api_env, manifest, monkeypatch, quiet, verbose):
    _leaky(monkeypatch)
    result = _cli(verbose, "plan", str(manifest))
    assert result.code == 1
    assert "internal error: ValueError: Invalid header value b'Bearer [redacted]'" in result.stderr
    assert ("Traceback (most recent call last)" in result.stderr) is verbose
    assert_absent(api_env.token, result.output)


@pytest.mark.parametrize("verbose", [False, True])
def test_internal_error_never_shows_an_issued_token_or_the_key(
    keyed, manifest, monkeypatch, quiet, verbose
):
    keyed.tokens.issue_next(ISSUED_OK)
    _leaky(monkeypatch)
    result = _cli(verbose, "plan", str(manifest))
    assert result.code == 1
    assert "token [redacted]; key [redacted]" in result.stderr
    assert_absent(ISSUED_OK, result.output)
    assert_absent(keyed.tokens.api_key, result.output)


@pytest.mark.parametrize("verbose", [False, True])
@pytest.mark.parametrize("credential", ["token", "api_key"])
def test_internal_error_in_a_real_process(api_env, manifest, verbose, credential):
    api_env.tokens.issue_next(ISSUED_OK)
    env = _env(api_env, **(
        {"RECONCILER_TOKEN": api_env.token} if credential == "token"
        else {"RECONCILER_API_KEY": api_env.tokens.api_key}
    ))
    args = [*(["--verbose"] if verbose else []), "plan", str(manifest)]
    code, output = _subprocess(args, env, code=textwrap.dedent(LEAK) + PATCH)
    assert code == 1
    assert "internal error: ValueError: Invalid header value b'Bearer [redacted]'" in output
    assert ("Traceback (most recent call last)" in output) is verbose
    for secret in (api_env.token, api_env.tokens.api_key, ISSUED_OK):
        assert_absent(secret, output)
