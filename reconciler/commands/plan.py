"""`reconciler plan`: show what apply would do; `--detailed-exitcode` makes it a drift check."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from reconciler.commands import _report
from reconciler.commands._common import (
    global_options,
    one_line_each,
    plural,
    report_warnings,
    settings,
)
from reconciler.commands._live import (
    PARALLELISM_OPTION,
    PRUNE_OPTION,
    TARGET_OPTION,
    plan_with_progress,
    reading_early,
)
from reconciler.commands._policy import (
    blocking,
    load_checked_with_policies,
    no_policies_diagnostic,
    no_policies_note,
    plan_scope,
    within_targets,
)
from reconciler.diagnostics.model import Diagnostic
from reconciler.errors import ReconcilerError
from reconciler.plan.guards import DEFAULT_MAX_DELETES, GUARD_CODES, diagnostic, guard_problems
from reconciler.plan.review import review
from reconciler.plan.risk import hours_by_campaign
from reconciler.redact import redact
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
    help=(
        "Exit 2 when there are changes (0 none, 1 error, or a plan apply would refuse as "
        "written: a guard, a policy error): a drift and PR check. A template rewritten "
        "only because its press options' write-only keys cannot be read back is not drift."
    ),
)
@click.option(
    "--drift",
    is_flag=True,
    help="Word the plan as drift (what changed outside the manifests, since each object's "
    "updated_at) in text and markdown; exit 2 when there is drift, as --detailed-exitcode.",
)
@click.option(
    "--max-deletes",
    type=click.IntRange(0),
    default=DEFAULT_MAX_DELETES,
    show_default=True,
    help="Show as refused a plan deleting more than this (as apply --max-deletes would).",
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
    drift: bool,
    max_deletes: int,
    prune: bool,
    targets: tuple[str, ...],
    parallelism: int,
) -> None:
    """Compare the manifests under PATHS with the live campaigns and show the changes.

    With several --env (or --env all), each environment is planned in turn, a section
    each; the exit code is the worst of them, and --out must name `{env}`."""
    from reconciler.commands._env import chosen

    cfg = settings()
    environments = chosen(cfg, several=True)
    if len(environments) == 1:
        cfg.environment, cfg.environment_chosen = environments[0], True
        code = _plan_one(paths, fmt, out, detailed_exitcode, drift, prune, targets, parallelism,
                         max_deletes)
        if code:
            raise click.exceptions.Exit(code)
        return
    if out and "{env}" not in out:
        raise click.UsageError(
            "with several environments, --out must name {env} (e.g. --out plan-{env}.json): "
            "one file per environment"
        )
    if fmt in ("json", "sarif", "gitlab", "html") and not out:
        raise click.UsageError(
            f"with several environments, --format {fmt} needs --out FILE naming {{env}} (one "
            "document per environment); text and markdown print a section each"
        )
    worst = 0
    for index, name in enumerate(environments):
        if index and fmt in (None, "text", "github"):
            click.echo()
        cfg.environment, cfg.environment_chosen = name, True
        target = out.replace("{env}", str(name)) if out else None
        if target:  # plans/{env}.json: the directory is made for the files
            try:
                Path(target).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise click.UsageError(f"--out {out}: cannot make {Path(target).parent}: "
                                       f"{exc.strerror or exc}") from None
        try:
            code = _plan_one(
                paths, fmt, target, detailed_exitcode, drift, prune, targets, parallelism,
                max_deletes,
            )
        except ReconcilerError as exc:  # said in its section; the others are still planned
            click.echo(f"Environment {name}: plan failed.")
            click.echo(f"error: {one_line_each(redact(str(exc)))}", err=True)
            code = 1
        worst = max(worst, code) if 1 not in (worst, code) else 1
    if worst:
        raise click.exceptions.Exit(worst)


def _plan_one(
    paths: tuple[str, ...],
    fmt: str | None,
    out: str | None,
    detailed_exitcode: bool,
    drift: bool,
    prune: bool,
    targets: tuple[str, ...],
    parallelism: int,
    max_deletes: int,
) -> int:
    """One environment's plan, shown as asked; its exit code (0, or 2 for changes with
    --detailed-exitcode/--drift, or 1 for a plan apply would refuse as written)."""
    from reconciler.render import render

    cfg = settings()
    report = _begin_report(fmt, out)
    report.anchor = paths[0]
    fmt = "text" if fmt in (None, "github") else fmt  # github: annotations, then the text plan
    # The campaign listing starts now, while the manifests load; bad manifests still fail
    # first (before a bad URL or token), and throw the read away: they never cause a write.
    with reading_early(cfg, parallelism) as early:
        manifests, findings, policies = load_checked_with_policies(paths)
        note = no_policies_note(policies)  # said last on stderr; with json, in the notes
        if manifests.files:  # where SARIF/GitLab place what has no file (an API failure)
            report.anchor = manifests.files[0]
        report_warnings(manifests.warnings)
        report.note(manifests.diagnostics)
        if not targets:
            report.note([finding.diagnostic() for finding in findings])
        the_plan = plan_with_progress(
            early.client(), manifests, prune=prune, targets=targets, parallelism=parallelism,
            early=early,
        )
    if targets:  # errors outside what the targeted plan touches would not block its apply
        findings = within_targets(findings, plan_scope(the_plan, targets))
        report.note([finding.diagnostic() for finding in findings])
    the_plan.findings = findings  # every report lists them, waived ones with their reasons
    # Risk and refusals, computed once: every format shows them, apply enforces the same.
    review(the_plan, hours=hours_by_campaign(policies.rule_list, manifests.campaigns),
           max_deletes=max_deletes)
    if note and fmt == "json":
        the_plan.notes.append(no_policies_diagnostic(note))
    report.note(_risk_notes(the_plan) + the_plan.warnings + _guard_warnings(the_plan))
    if fmt in DIAGNOSTIC_FORMATS:  # sarif, gitlab: the document, and the text plan with --out
        if out:
            click.echo(render(the_plan, "text", color=cfg.color(), drift=drift), nl=False)
    elif out and fmt in DOCUMENT_FORMATS:
        _write(out, render(the_plan, fmt, drift=drift))
        click.echo(render(the_plan, "text", color=cfg.color(), drift=drift), nl=False)
        click.echo(f"{REPORT_NAMES[fmt]} report written to {out}.", err=True)
    else:
        if out:
            _write(out, render(the_plan, "json"))
        click.echo(render(the_plan, fmt, color=cfg.color(), drift=drift), nl=False)
        if out:
            click.echo(
                f"Plan saved to {out}; apply it with: reconciler apply --plan {out}", err=True
            )
    report.finish()
    if note and fmt != "json":
        click.echo(f"Note: {note}", err=True)
    for problem in guard_problems(the_plan, max_deletes=max_deletes):
        click.echo(shown(f"warning: apply with default guards will refuse: {problem}"), err=True)
    if blocking(findings):
        click.echo(
            f"warning: apply will refuse: {plural(len(blocking(findings)), 'policy error')}",
            err=True,
        )
    refused = the_plan.blocking_refusals()
    if (detailed_exitcode or drift) and refused:
        click.echo(
            f"error: apply would refuse this plan as written ({plural(len(refused), 'refusal')}"
            f": {', '.join(sorted({r.code for r in refused}))}); fix it, or override it in "
            "review (acknowledge:, policy_waivers:)",
            err=True,
        )
        return 1
    if (detailed_exitcode or drift) and the_plan.has_drift:
        return 2
    return 0


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


def _risk_notes(the_plan) -> list[Diagnostic]:  # noqa: ANN001
    """Each change that needs care, at its manifest line: a high risk as a warning, a medium
    one as a note (SARIF, GitLab, GitHub annotations)."""
    from reconciler.diagnostics.model import Subject
    from reconciler.plan.risk import needs_care

    return [
        Diagnostic(
            "warning" if change.risk.level == "high" else "note",
            f"risk/{change.risk.level}",
            f"{change.risk.level} risk: {change.action} {change.kind} {change.name!r}: "
            + "; ".join(change.risk.reasons),
            Subject.parse(change.source, kind=change.kind, name=change.name),
            category="plan",
        )
        for change in needs_care(the_plan)
    ]


def _guard_warnings(the_plan) -> list[Diagnostic]:  # noqa: ANN001
    """What the guards of apply would refuse, as warnings of this plan (policy errors are
    reported as their findings); an acknowledged one as a note."""
    found = []
    for refusal in the_plan.refusals:
        if refusal.code not in GUARD_CODES:
            continue
        if refusal.acknowledged:
            said = diagnostic(refusal, "note")
            found.append(replace(
                said, detail="",
                summary=f"{refusal.code} acknowledged in review for {refusal.subject!r} "
                "(acknowledge: on its entry): apply allows it",
            ))
        else:
            said = diagnostic(refusal, "warning")
            found.append(
                replace(said, summary=f"apply with default guards will refuse: {said.summary}")
            )
    return found
