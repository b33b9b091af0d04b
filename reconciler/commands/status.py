"""`reconciler status`: each declared campaign's live state and call figures for a window, and
the audit of its real calls against the policies. Exit 0 clean, 2 findings (an audit finding,
an audit that could not see every call, a campaign not as its manifest declares), 1 error."""

from __future__ import annotations

import click

from reconciler.commands._common import global_options, settings
from reconciler.commands._live import PARALLELISM_OPTION, make_client
from reconciler.commands._policy import load_checked


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--from",
    "start",
    metavar="TIME",
    help=(
        'Window start: "YYYY-MM-DD HH:MM:SS", "YYYY-MM-DD HH:MM" or "YYYY-MM-DD" in tenant '
        "time (UTC+07:00); with an offset (+00:00, Z) converted. Default: 24 h ago."
    ),
)
@click.option(
    "--to", "end", metavar="TIME", help="Window end, same format. Default: now."
)
@click.option(
    "--since",
    metavar="DURATION",
    help="Window length back from --to (or now): 24h, 90m, 7d, 1d12h. Default: 24h.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="text for a terminal, json for scripts, markdown for a nightly job's message.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="Write the report to FILE (and say so on stderr) instead of stdout.",
)
@PARALLELISM_OPTION
@global_options
def status(
    paths: tuple[str, ...],
    start: str | None,
    end: str | None,
    since: str | None,
    fmt: str,
    out: str | None,
    parallelism: int,
) -> None:
    """Live state, call figures and the audit of real calls for the campaigns under PATHS."""
    from reconciler.commands.plan import _write
    from reconciler.operations.report import render
    from reconciler.operations.status import read_status
    from reconciler.operations.window import parse_window
    from reconciler.policy.config import load_policies

    window = parse_window(start, end, since)  # bad input fails before anything is read
    manifests, _ = load_checked(paths)
    rules = load_policies(settings().config).rule_list
    with make_client(settings(), parallelism) as client:
        report = read_status(client, manifests, rules, window, parallelism=parallelism)
    report.environment = manifests.environment
    text = render(report, fmt)
    if out:
        _write(out, text)
        click.echo(f"Status report written to {out}.", err=True)
    else:
        click.echo(text, nl=False)
    if not report.clean:
        raise click.exceptions.Exit(2)
