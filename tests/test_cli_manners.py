"""Terminal manners: version, colour only on a terminal, pre-commit hook, shell completion."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from clirun import NO_POLICIES, run_cli, run_on_terminal
from ruamel.yaml import YAML

import reconciler
from reconciler.cli import COMMANDS

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-9;]*m")
MANIFEST = "campaigns:\n  - campaign_name: Colourful\n    concurrent_call: 2\n"


@pytest.mark.parametrize(
    "args",
    [["--version"], ["plan", "--version"], ["validate", "missing.yaml", "--version"],
     ["emulator", "--version"]],
)
def test_version_before_or_after_a_command(args):
    result = run_cli(*args)
    assert result.code == 0
    assert result.stdout == f"reconciler, version {reconciler.__version__}\n"
    assert result.stderr == ""


@pytest.fixture
def terminal_env(api_env, tmp_path):
    (tmp_path / "c.yaml").write_text(MANIFEST)
    env = {**os.environ, "RECONCILER_API_URL": api_env.url, "RECONCILER_TOKEN": api_env.token}
    env.pop("NO_COLOR", None)
    return env, str(tmp_path)


def test_colour_on_a_terminal(terminal_env):
    env, manifests = terminal_env
    output = run_on_terminal(["plan", manifests], env)
    assert ANSI.search(output), output
    assert "+ create Colourful" in ANSI.sub("", output)


def test_no_colour_with_no_color_env_or_flag(terminal_env):
    env, manifests = terminal_env
    assert not ANSI.search(run_on_terminal(["plan", manifests], {**env, "NO_COLOR": "1"}))
    flagged = run_on_terminal(["plan", manifests, "--no-color"], env)
    assert not ANSI.search(flagged) and "+ create Colourful" in flagged
    before_command = run_on_terminal(["--no-color", "plan", manifests], env)
    assert not ANSI.search(before_command)


def test_no_colour_and_no_progress_when_piped(terminal_env):
    env, manifests = terminal_env
    piped = subprocess.run(
        [sys.executable, "-m", "reconciler", "plan", manifests],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert not ANSI.search(piped.stdout + piped.stderr)
    assert piped.stderr == NO_POLICIES  # no progress bar, no noise
    assert "Plan: 1 to create, 0 to update, 0 to delete." in piped.stdout


def test_global_options_are_accepted_before_and_after_the_command(api_env, tmp_path, monkeypatch):
    monkeypatch.delenv("RECONCILER_API_URL")
    (tmp_path / "c.yaml").write_text(MANIFEST)
    before = run_cli("--api-url", api_env.url, "plan", str(tmp_path))
    after = run_cli("plan", str(tmp_path), "--api-url", api_env.url)
    assert before.code == after.code == 0
    assert before.stdout == after.stdout


def test_pre_commit_hook_runs_validate_on_manifest_files_only():
    hooks = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text())
    (hook,) = hooks
    assert hook["id"] == "reconciler-validate"
    assert hook["entry"] == "reconciler validate" and hook["language"] == "python"
    assert hook["entry"].split()[1] in COMMANDS
    pattern = re.compile(hook["files"])
    assert pattern.search("campaigns/debt.yaml") and pattern.search("ops/campaigns/a/b.yml")
    assert not pattern.search(".github/workflows/ci.yml")
    matched = sorted(
        str(path.relative_to(ROOT))
        for path in ROOT.glob("examples/**/*.y*ml")
        if pattern.search(str(path.relative_to(ROOT)))
    )
    assert matched, "the examples should be what the hook checks"
    result = run_cli(*hook["entry"].split()[1:], *matched)
    assert result.code == 0, result.output


def test_shell_completion_script_is_generated():
    env = {**os.environ, "_RECONCILER_COMPLETE": "bash_source"}
    script = subprocess.run(
        [sys.executable, "-m", "reconciler"], capture_output=True, text=True, env=env
    ).stdout
    assert "_reconciler_completion" in script and "complete " in script


def apply_on_terminal(env: dict[str, str], manifests: str, answer: str) -> tuple[int, str]:
    """`reconciler apply` with stdin and stdout on a pseudo-terminal, answering the prompt."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "apply", manifests, "--no-color"],
        stdin=follower,
        stdout=follower,
        stderr=subprocess.STDOUT,
        env=env,
    )
    os.close(follower)
    seen = b""
    while b"Only 'yes' will be accepted" not in seen:
        chunk = os.read(leader, 65536)
        assert chunk, seen.decode()
        seen += chunk
    os.write(leader, answer.encode() + b"\n")
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    return process.wait(timeout=60), seen.decode()


def test_apply_on_a_terminal_asks_and_only_yes_applies(terminal_env, api_env):
    env, manifests = terminal_env
    code, output = apply_on_terminal(env, manifests, "y")
    assert code == 1 and "Apply cancelled: nothing was changed." in output
    assert api_env.write_requests() == []
    code, output = apply_on_terminal(env, manifests, "yes")
    assert code == 0 and "Apply complete: 1 done." in output, output
    assert api_env.store.campaign_uuid_by_name("Colourful") is not None
