"""`reconciler plan`: show what apply would do; `--detailed-exitcode` makes it a drift check."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.commands._common import fail, global_options, plural, report_warnings, settings
from reconciler.commands._live import (
    PARALLELISM_OPTION,
    PRUNE_OPTION,
    TARGET_OPTION,
    make_client,
    plan_with_progress,
)
from reconciler.commands._policy import blocking, load_checked
from reconciler.plan.guards import guard_problems
from reconciler.safetext import shown

DOCUMENT_FORMATS = ("markdown", "html")
REPORT_NAMES = {"markdown": "Markdown", "html": "HTML"}


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown", "html"]),
    default="text",
    show_default=True,
    help="How to show the plan.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help=(
        "Save the plan to FILE for `apply --plan` (with --format markdown/html: write that "
        "report to FILE instead, and show the text plan)."
    ),
)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 2 when there are changes (0 none, 1 error): a drift check.",
)
@PRUNE_OPTION
@TARGET_OPTION
@PARALLELISM_OPTION
@global_options
def plan(
    paths: tuple[str, ...],
    fmt: str,
    out: str | None,
    detailed_exitcode: bool,
    prune: bool,
    targets: tuple[str, ...],
    parallelism: int,
) -> None:
    """Compare the manifests under PATHS with the live campaigns and show the changes."""
    from reconciler.render import render

    cfg = settings()
    manifests, findings = load_checked(paths)  # bad manifests fail before any client or call
    report_warnings(manifests.warnings)
    with make_client(cfg, parallelism) as client:
        the_plan = plan_with_progress(
            client, manifests, prune=prune, targets=targets, parallelism=parallelism
        )
    the_plan.findings = findings  # every report lists them, waived ones with their reasons
    if out and fmt in DOCUMENT_FORMATS:
        _write(out, render(the_plan, fmt))
        click.echo(render(the_plan, "text", color=cfg.color()), nl=False)
        click.echo(f"{REPORT_NAMES[fmt]} report written to {out}.", err=True)
    else:
        if out:
            _write(out, render(the_plan, "json"))
        click.echo(render(the_plan, fmt, color=cfg.color()), nl=False)
        if out:
            click.echo(
                f"Plan saved to {out}; apply it with: reconciler apply --plan {out}", err=True
            )
    for problem in guard_problems(the_plan):
        click.echo(shown(f"warning: apply with default guards will refuse: {problem}"), err=True)
    if blocking(findings):
        click.echo(
            f"warning: apply will refuse: {plural(len(blocking(findings)), 'policy error')}",
            err=True,
        )
    if detailed_exitcode and the_plan.has_changes:
        raise click.exceptions.Exit(2)


def _write(path: str, text: str) -> None:
    """Write whole or not at all: a temp file renamed into place."""
    target = Path(path)
    temporary = target.with_name(f".{target.name}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        fail(f"cannot write {path}: {exc.strerror or exc}")
