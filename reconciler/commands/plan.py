"""`reconciler plan`: show what apply would do; `--detailed-exitcode` makes it a drift check."""

from __future__ import annotations

from dataclasses import replace

import click

from reconciler.commands import _report
from reconciler.commands._common import global_options, plural, report_warnings, settings
from reconciler.commands._live import (
    PARALLELISM_OPTION,
    PRUNE_OPTION,
    TARGET_OPTION,
    plan_with_progress,
    reading_early,
)
from reconciler.commands._policy import blocking, load_checked
from reconciler.diagnostics.model import Diagnostic
from reconciler.plan.guards import guard_diagnostics, guard_problems
from reconciler.safetext import shown

DOCUMENT_FORMATS = ("markdown", "html")
REPORT_NAMES = {"markdown": "Markdown", "html": "HTML"}
# Formats of the problems plan reports (reconciler/diagnostics/), not of the plan itself.
DIAGNOSTIC_FORMATS = ("sarif", "github", "gitlab")


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown", "html", *DIAGNOSTIC_FORMATS]),
    default=None,
    help=(
        "How to show the plan: text (default), json, markdown or html; or the problems it "
        "reports as sarif, gitlab (code quality) or github (annotations, then the text plan). "
        "json on failure prints the diagnostics document. Under GitHub Actions annotations "
        "come with the text plan, except with text, json, or a document on stdout (no --out)."
    ),
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help=(
        "Save the plan to FILE for `apply --plan` (with --format markdown/html/sarif/gitlab: "
        "write that report to FILE instead, and show the text plan)."
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
    fmt: str | None,
    out: str | None,
    detailed_exitcode: bool,
    prune: bool,
    targets: tuple[str, ...],
    parallelism: int,
) -> None:
    """Compare the manifests under PATHS with the live campaigns and show the changes."""
    from reconciler.render import render

    cfg = settings()
    report = _begin_report(fmt, out)
    fmt = "text" if fmt in (None, "github") else fmt  # github: annotations, then the text plan
    # The campaign listing starts now, while the manifests load; bad manifests still fail
    # first (before a bad URL or token), and throw the read away: they never cause a write.
    with reading_early(cfg, parallelism) as early:
        manifests, findings = load_checked(paths)
        report_warnings(manifests.warnings)
        report.note(manifests.diagnostics + [finding.diagnostic() for finding in findings])
        the_plan = plan_with_progress(
            early.client(), manifests, prune=prune, targets=targets, parallelism=parallelism,
            early=early,
        )
    the_plan.findings = findings  # every report lists them, waived ones with their reasons
    report.note(_guard_warnings(the_plan))
    if fmt in DIAGNOSTIC_FORMATS:  # sarif, gitlab: the document, and the text plan with --out
        if out:
            click.echo(render(the_plan, "text", color=cfg.color()), nl=False)
    elif out and fmt in DOCUMENT_FORMATS:
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
    report.finish()
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
    _report.write_atomically(path, text)


def _begin_report(fmt: str | None, out: str | None) -> _report.Report:
    """sarif/gitlab: the diagnostics document (on stdout, or --out with the text plan);
    json: the diagnostics document on failure only (the plan document is the success)."""
    if fmt == "json":
        return _report.begin("json", stdout_is_text=False, on_failure_only=True)
    if fmt in ("sarif", "gitlab"):
        return _report.begin(fmt, out=out, stdout_is_text=bool(out))
    stdout_is_text = fmt in (None, "text", "github") or bool(out)  # markdown/html --out
    return _report.begin(fmt, stdout_is_text=stdout_is_text)


def _guard_warnings(the_plan) -> list[Diagnostic]:  # noqa: ANN001
    """What the default guards of apply would refuse, as warnings of this plan."""
    return [
        replace(
            diagnostic,
            severity="warning",
            summary=f"apply with default guards will refuse: {diagnostic.summary}",
        )
        for diagnostic in guard_diagnostics(the_plan)
    ]
