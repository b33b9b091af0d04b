"""Running the real CLI in-process, as a user would: exit code, stdout and stderr."""

from __future__ import annotations

from dataclasses import dataclass

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
