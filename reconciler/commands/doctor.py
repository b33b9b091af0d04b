"""`reconciler doctor`: check the tool's assumptions about the API on the tenant at --api-url."""

from __future__ import annotations

import json
import signal

import click

from reconciler.commands._common import global_options, settings
from reconciler.safetext import shown

WIDTH = 9  # "skipped" + 2: the detail column of every line starts here


@click.command()
@click.option(
    "--write",
    is_flag=True,
    help="Also create a scratch campaign (reconciler-doctor-<hex>) to check what writes do; "
    "it is deleted at the end, whatever happens. Use a test tenant.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: one aligned line per assumption; json: a list of {check, status, detail}.",
)
@global_options
def doctor(write: bool, output_format: str) -> None:
    """Check every assumption the tool makes about the API, one line each: ok, differs
    (with what was seen) or skipped (with why). Read-only unless --write.

    Exit 0 when every assumption holds (skipped ones included), 1 when any differs.
    Run it before the first apply against a new tenant.
    """
    from reconciler.doctor import (
        EXIT_CODES,
        Probe,
        Result,
        ScratchLeftBehind,
        Terminated,
        all_hold,
        run_checks,
        sigterm_raises,
    )

    cfg = settings()
    results: list[Result] = []
    text = output_format == "text"

    def report(result: Result) -> None:
        results.append(result)
        if text:
            click.echo(_line(result))

    interrupted: int | None = None
    left_behind: ScratchLeftBehind | None = None
    from reconciler.commands._live import client_settings

    url, environ = client_settings(cfg)
    with sigterm_raises(), Probe.from_env(url, environ) as probe:
        if text:
            what = "read-only checks and write checks" if write else "read-only checks"
            env = f" (environment {cfg.environment})" if cfg.environment else ""
            click.echo(f"Checking {probe.base_url}{env} ({what}):", err=True)
        try:
            run_checks(probe, write=write, report=report)
        except KeyboardInterrupt:
            interrupted = EXIT_CODES[signal.SIGINT]
        except Terminated:
            interrupted = EXIT_CODES[signal.SIGTERM]
        except ScratchLeftBehind as exc:
            left_behind = exc
        finally:
            if not text:
                click.echo(json.dumps([result.as_dict() for result in results], indent=2,
                                      ensure_ascii=False))
    if left_behind is not None:
        raise left_behind
    if interrupted is not None:
        click.echo("Interrupted: the checks did not finish.", err=True)
        raise click.exceptions.Exit(interrupted)
    differing = sum(result.status == "differs" for result in results)
    skipped = sum(result.status == "skipped" for result in results)
    if text:
        if all_hold(results):
            note = f" ({skipped} skipped)" if skipped else ""
            click.echo(f"All assumptions hold{note}.", err=True)
        elif results and results[0].status == "differs" and len(results) == 2:
            # Only the auth check ran: a wrong key or URL, not a tenant unlike the docs.
            click.echo(f"The API did not accept the credentials: check {_credential(cfg, probe)} "
                       "and that the URL is this tenant's; nothing else was checked.", err=True)
        else:
            click.echo(f"{differing} of {len(results)} assumptions differ: the tool may "
                       "misread or miswrite this tenant.", err=True)
    if not all_hold(results):
        raise click.exceptions.Exit(1)


def _credential(cfg, probe) -> str:  # noqa: ANN001 - Settings and a doctor Probe (lazy)
    """The variable the credential came from, as the user set it (an environment's own)."""
    if cfg.environment:
        from reconciler.commands._env import project

        environment = project(cfg).environments[cfg.environment]
        return environment.api_key_env or environment.token_env
    return "RECONCILER_API_KEY" if probe.uses_api_key else "RECONCILER_TOKEN"


def _line(result) -> str:  # noqa: ANN001 - a reconciler.doctor Result (lazy import)
    detail = f" ({result.detail})" if result.detail else ""
    return shown(f"{result.status:<{WIDTH}}{result.check}{detail}")  # server text escaped
