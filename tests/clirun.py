"""Running the real CLI as a user would: in-process (exit code, stdout and stderr), on a
pseudo-terminal, and with someone meddling between planning and writing."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.commands._common import run_guarded


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_cli(*args: str, input: str | None = None) -> Run:
    """`reconciler ARGS...` with stdin not a terminal; failures become exit 1 as in main()."""
    with CliRunner().isolation(input=input) as (stdout, stderr, _):
        code = run_guarded(cli, list(args))
        return Run(code, stdout.getvalue().decode(), stderr.getvalue().decode())


def run_on_terminal(args: list[str], env: dict[str, str], *, stderr_too: bool = False) -> str:
    """`python -m reconciler ARGS...` with stdout on a pseudo-terminal (and stderr as well
    with `stderr_too`, as a person at a shell sees both): what the terminal showed."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler", *args],
        stdout=follower,
        stderr=follower if stderr_too else subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    code = process.wait(timeout=60)
    if not stderr_too:
        assert code in (0, 2), process.stderr.read()
    return b"".join(chunks).decode()


def after_planning(monkeypatch: Any, action: Callable[[], object]) -> None:
    """Run `action()` once, right after `apply` has read the live side and planned: what
    another pipeline or a portal user does while our apply is between planning and writing."""
    import reconciler.refresh

    make_plan = reconciler.refresh.make_plan
    pending = [action]

    def planned_then_meddled(*args: Any, **kwargs: Any) -> Any:
        plan = make_plan(*args, **kwargs)
        while pending:
            pending.pop()()
        return plan

    monkeypatch.setattr(reconciler.refresh, "make_plan", planned_then_meddled)


# What validate and plan say last on stderr when no reconciler.yaml is found and none is given.
NO_POLICIES = (
    "Note: no policies in force (no reconciler.yaml found, none given with --config): "
    "calling-law checks are off\n"
)
