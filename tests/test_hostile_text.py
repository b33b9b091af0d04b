"""Server and file text never drives the terminal: names, `status` and API error messages
holding ESC/OSC/CSI sequences, BEL, CR, C1 controls, bidi overrides or lone surrogates are
shown as visible escapes in every format, piped and on a terminal, while Vietnamese stays
readable; JSON keeps the true value."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from clirun import run_cli

from reconciler.safetext import UNSAFE, UNSAFE_BUT_NEWLINE, shown

# Everything a hostile tenant could put in a name: a window-title OSC ended by BEL, a
# screen clear, a CR that would let the rest overwrite the line, NEL and the one-byte CSI,
# DEL, bidi override and isolate, a lone surrogate, NUL and backspace.
BAD = "\x1b]0;pwned\x07\x1b[2J\rOK\x85\x9b31m\x7f\u202e\u2066\ud800\x00\x08"
NAME = f"Nhắc nợ{BAD}end"
STATUS = f"stop{BAD}"
ERROR = f"quota\x1b[31m exceeded\r{BAD}"
# What each of those characters must turn into.
VISIBLE = ["\\x1b]0;pwned\\x07", "\\x1b[2J", "\\rOK", "\\x85", "\\x9b", "\\x7f", "\\u202e",
           "\\u2066", "\\ud800", "\\x00", "\\x08"]
MANIFEST = """\
campaigns:
  - campaign_name: Chiến dịch nhắc nợ
    concurrent_call: 3
"""
SGR = re.compile(r"\x1b\[[0-9;]*m")  # our own colours, on a terminal


def assert_safe(text: str, *, colored: bool = False) -> None:
    """No raw control, bidi or surrogate character; the hostile text visibly escaped."""
    if colored:
        text = SGR.sub("", text)
    found = UNSAFE_BUT_NEWLINE.search(text)
    assert found is None, f"raw {found.group()!r} in output: {text!r}"
    text.encode("utf-8")  # printable: a lone surrogate would raise here


@pytest.fixture
def hostile(api_env, tmp_path: Path):
    """A tenant whose unmanaged campaign has a hostile name and status, and a manifest."""
    api_env.store.add_campaign({"campaign_name": "Chiến dịch nhắc nợ", "concurrent_call": 1})
    api_env.store.add_campaign({"campaign_name": NAME, "status": STATUS})
    (tmp_path / "m.yaml").write_text(MANIFEST, encoding="utf-8")
    return tmp_path / "m.yaml"


def test_shown_escapes_every_dangerous_character_and_keeps_vietnamese():
    assert shown(NAME) == (
        "Nhắc nợ\\x1b]0;pwned\\x07\\x1b[2J\\rOK\\x85\\x9b31m\\x7f\\u202e\\u2066\\ud800"
        "\\x00\\x08end"
    )
    assert shown("a\nb") == "a\\nb"
    assert shown("a\nb\r", keep_newlines=True) == "a\nb\\r"
    assert shown("Chiến dịch — 🙂 «ok»") == "Chiến dịch — 🙂 «ok»"
    for code in [*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029, 0x202A, 0x202E, 0x2069]:
        assert UNSAFE.search(shown(chr(code))) is None


def test_text_plan_escapes_name_and_status(hostile):
    result = run_cli("plan", str(hostile), "--prune")
    assert result.code == 0, result.output
    assert_safe(result.output)
    delete = next(line for line in result.output.splitlines() if "- delete" in line)
    assert delete.startswith("  - delete Nhắc nợ\\x1b]0;pwned\\x07")
    assert "status stop\\x1b]0;pwned" in delete
    for escape in VISIBLE:
        assert escape in delete
    assert "Chiến dịch nhắc nợ" in result.output


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_reports_escape_name_and_status(hostile, fmt):
    result = run_cli("plan", str(hostile), "--prune", "--format", fmt)
    assert result.code == 0, result.output
    assert_safe(result.output)
    assert "\\u202e" in result.output and "\\ud800" in result.output
    assert "Chiến dịch nhắc nợ" in result.output


def test_report_files_escape_too(hostile, tmp_path):
    for fmt in ("markdown", "html"):
        out = tmp_path / f"report.{fmt}"
        result = run_cli("plan", str(hostile), "--prune", "--format", fmt, "--out", str(out))
        assert result.code == 0, result.output
        assert_safe(result.output)
        assert_safe(out.read_text(encoding="utf-8"))


def test_json_stays_valid_and_true_but_escaped(hostile, tmp_path):
    result = run_cli("plan", str(hostile), "--prune", "--format", "json")
    assert result.code == 0, result.output
    assert_safe(result.output)
    document = json.loads(result.stdout)
    delete = next(c for c in document["changes"] if c["action"] == "delete")
    assert delete["campaign_name"] == NAME
    assert delete["apply"]["live_status"] == STATUS
    assert "Chiến dịch nhắc nợ" in result.stdout  # not ASCII-escaped
    saved = tmp_path / "plan.json"
    result = run_cli("plan", str(hostile), "--prune", "--out", str(saved))
    assert result.code == 0, result.output
    assert_safe(saved.read_text(encoding="utf-8"))
    assert json.loads(saved.read_text(encoding="utf-8"))["changes"][0]["campaign_name"] == NAME


def test_apply_outcomes_and_report_escape_server_error(api_env, tmp_path):
    # validate refuses control characters in a manifest's names, so the hostile name is the
    # live one: the entry pins its uuid and renames it.
    uuid = api_env.store.add_campaign({"campaign_name": NAME, "concurrent_call": 1})
    (tmp_path / "m.yaml").write_text(
        f"campaigns:\n  - campaign_name: Clean\n    campaign_uuid: {uuid}\n"
        "    concurrent_call: 2\n",
        encoding="utf-8",
    )
    api_env.faults.fail("PUT", "^/v3/campaign/", 400, times=None, body={"error": ERROR})
    result = run_cli("apply", str(tmp_path), "--auto-approve")
    assert result.code == 1
    assert_safe(result.output)
    assert 'renamed from "Nhắc nợ\\x1b]0;pwned' in result.stdout
    assert "✗ update Clean: failed: " in result.stdout
    assert "400 quota\\x1b[31m exceeded\\r\\x1b]0;pwned" in result.output
    assert "  failed: Clean: " in result.stderr


def test_error_messages_escape_server_text(api_env, tmp_path):
    (tmp_path / "m.yaml").write_text(MANIFEST, encoding="utf-8")
    api_env.faults.fail("GET", "^/v3/campaign$", 400, times=None, body={"error": ERROR})
    result = run_cli("plan", str(tmp_path))
    assert result.code == 1
    assert_safe(result.output)
    assert result.stderr.startswith("error: GET /v3/campaign: 400 quota\\x1b[31m exceeded\\r")
    assert "internal error" not in result.output


def test_manifest_error_text_is_escaped(tmp_path):
    (tmp_path / "m.yaml").write_text(
        'campaigns:\n  - campaign_name: x\n    "bad\\e]0;t\\a\\u202e\\x85": 1\n', encoding="utf-8"
    )
    result = run_cli("validate", str(tmp_path))
    assert result.code == 1
    assert_safe(result.output)
    assert "bad\\x1b]0;t\\x07\\u202e\\x85" in result.stderr


def _run_on_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """`reconciler ARGS` with stdout and stderr on a pseudo-terminal; (exit code, output)."""
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler", *args],
        stdin=subprocess.DEVNULL, stdout=secondary, stderr=secondary, env=env,
    )
    os.close(secondary)
    chunks: list[bytes] = []

    def read() -> None:
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # the terminal closed: the process is gone
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=read)
    reader.start()
    code = process.wait(timeout=60)
    reader.join(timeout=10)
    os.close(primary)
    return code, b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


@pytest.mark.parametrize("no_color", [False, True])
def test_on_a_terminal_with_and_without_colour(hostile, no_color):
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env["PYTHONUTF8"] = "1"
    if no_color:
        env["NO_COLOR"] = "1"
    code, output = _run_on_terminal(["plan", str(hostile), "--prune"], env)
    assert code == 0, output
    assert_safe(output, colored=not no_color)
    assert bool(SGR.search(output)) is not no_color
    assert "\\u202e" in output and "Chiến dịch nhắc nợ" in output


def test_piped_subprocess(hostile):
    env = {**os.environ, "PYTHONUTF8": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "reconciler", "plan", str(hostile), "--prune"],
        capture_output=True, env=env, timeout=60, check=False,
    )
    output = (result.stdout + result.stderr).decode("utf-8")
    assert result.returncode == 0, output
    assert_safe(output)
    assert "\\x1b]0;pwned\\x07" in output
