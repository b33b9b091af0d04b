"""`reconciler apply`: plan (or load a saved plan), confirm, execute, report every outcome."""

from __future__ import annotations

import sys
import threading

import click

from reconciler.commands import _report
from reconciler.commands._common import fail, global_options, report_warnings, settings
from reconciler.commands._live import (
    PARALLELISM_OPTION,
    PRUNE_OPTION,
    TARGET_OPTION,
    make_client,
    plan_with_progress,
)
from reconciler.commands._policy import (
    blocking,
    echo_findings,
    load_checked_with_policies,
    plan_scope,
    refuse_if_blocking,
    within_targets,
)
from reconciler.diagnostics.model import Diagnostic
from reconciler.errors import PlanError
from reconciler.interrupt import Interrupted, finish_in_flight, signal_name
from reconciler.plan.guards import DEFAULT_MAX_DELETES, guard_diagnostics, guard_problems
from reconciler.plan.review import review
from reconciler.plan.risk import hours_by_campaign
from reconciler.safetext import shown

SYMBOLS = {"done": ("✓", "green"), "failed": ("✗", "red"), "not attempted": ("·", None)}
LOCK_TIMEOUT_MAX = 24 * 3600.0


class Duration(click.ParamType):
    """A duration such as 30s, 5m or 1h30m (a bare number is seconds)."""

    name = "duration"

    def convert(self, value, param, ctx):  # noqa: ANN001, ANN201
        from reconciler.lock_record import parse_duration

        if isinstance(value, float):
            return value
        try:
            seconds = parse_duration(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
        if seconds > LOCK_TIMEOUT_MAX:
            self.fail(f"{value!r} is longer than 24h", param, ctx)
        return seconds


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(dir_okay=False),
    help="Apply exactly this saved plan (from `plan --out`), if it still holds.",
)
@click.option("--auto-approve", is_flag=True, help="Do not ask; required without a terminal.")
@PRUNE_OPTION
@TARGET_OPTION
@click.option(
    "--continue-on-error",
    is_flag=True,
    help="Go on with other campaigns after one fails (default: stop at the first).",
)
@click.option(
    "--max-deletes",
    type=click.IntRange(0),
    default=DEFAULT_MAX_DELETES,
    show_default=True,
    help="Refuse a plan deleting more campaigns than this.",
)
@click.option(
    "--force", is_flag=True,
    help="Allow deleting running or paused campaigns (status start or pause) without an "
    "acknowledge: in the manifest (for a person at a terminal; a pipeline applies what review "
    "acknowledged).",
)
@click.option(
    "--lock-timeout",
    type=Duration(),
    default="0",
    help="Wait this long (e.g. 5m) for another apply's tenant lock; default: refuse at once.",
)
@PARALLELISM_OPTION
@global_options
def apply(
    paths: tuple[str, ...],
    plan_file: str | None,
    auto_approve: bool,
    prune: bool,
    targets: tuple[str, ...],
    continue_on_error: bool,
    max_deletes: int,
    force: bool,
    lock_timeout: float,
    parallelism: int,
) -> None:
    """Make the live campaigns match the manifests under PATHS (or a saved plan)."""
    from reconciler.apply import apply_plan
    from reconciler.render import render

    cfg = settings()
    report = _report.begin(None)  # GitHub annotations under GitHub Actions
    if bool(paths) == bool(plan_file):
        fail("give manifest PATHS or --plan FILE (exactly one of them)")
    if plan_file and (prune or targets):
        fail("--prune and --target shape a new plan; a saved plan is applied as it was saved")
    # Bad manifests, a bad reconciler.yaml, or a policy error: refused before any call. With
    # --target only the targets' errors can refuse here; what the targeted changes pull in is
    # known once planned, and errors elsewhere are shown but block nothing.
    manifests, findings, policies = (
        (None, [], None) if plan_file else load_checked_with_policies(paths)
    )
    if manifests is not None:
        report_warnings(manifests.warnings)
        report.note(manifests.diagnostics)
    early = within_targets(findings, targets) if targets else findings
    if not targets or blocking(early):  # every finding annotated, warnings and waived too
        report.note([finding.diagnostic() for finding in early])
    if blocking(early):
        echo_findings(early)
        refuse_if_blocking(early)
    with make_client(cfg, parallelism) as client:
        the_plan = (
            _saved(client, plan_file)
            if manifests is None
            else plan_with_progress(
                client, manifests, prune=prune, targets=targets, parallelism=parallelism
            )
        )
        if manifests is not None:
            the_plan.findings = (
                within_targets(findings, plan_scope(the_plan, targets)) if targets else findings
            )
        if manifests is None or targets:  # not annotated above: a saved plan's, a targeted one's
            report.note([finding.diagnostic() for finding in the_plan.findings])
        # The refusals plan showed, computed the same way (a saved plan keeps its risk).
        review(
            the_plan,
            hours=None if policies is None else hours_by_campaign(
                policies.rule_list, manifests.campaigns
            ),
            max_deletes=max_deletes, force=force, assess=manifests is not None,
        )
        click.echo(render(the_plan, "text", color=cfg.color()), nl=False)
        refuse_if_blocking(the_plan.findings)  # a saved plan's findings hold too
        if not the_plan.has_changes:
            return  # nothing to confirm: exit 0 with or without a terminal
        problems = guard_problems(the_plan, max_deletes=max_deletes, force=force)
        if problems:
            raise PlanError(
                "\n".join(problems) + "\nnothing was changed",
                guard_diagnostics(the_plan, max_deletes=max_deletes, force=force),
            )
        if not auto_approve and not sys.stdin.isatty():
            fail(
                "no terminal to confirm on: pass --auto-approve to apply non-interactively "
                "(nothing was changed)"
            )
        if not auto_approve:
            answer = click.prompt(
                "Apply these changes? Only 'yes' will be accepted", default="", show_default=False
            )
            if answer.strip() != "yes":
                click.echo("Apply cancelled: nothing was changed.", err=True)
                raise click.exceptions.Exit(1)  # as terraform: a script can tell it from success
        color = cfg.color()
        stop, in_flight = threading.Event(), set()
        announce = lambda line: click.echo(line, err=True)  # noqa: E731
        lock = _tenant_lock(client, the_plan)
        with finish_in_flight(
            stop, lambda: sorted(in_flight), announce,
            on_abort=lambda: _warn(lock.release_within(5.0)),
        ) as received:
            try:
                _take_lock(client, lock, the_plan, lock_timeout, stop, received)
                report = apply_plan(
                    client,
                    the_plan,
                    parallelism=parallelism,
                    continue_on_error=continue_on_error,
                    on_outcome=lambda outcome: click.echo(_outcome_line(outcome, color)),
                    lookup_wait=lookup_wait_from_env(),
                    stop=stop,
                    in_flight=in_flight,
                )
            finally:
                _warn(lock.release())  # on every way out: errors and signals included
    _finish(report, received[0] if received else None)


def _tenant_lock(client, the_plan):  # noqa: ANN001, ANN202 - lazy import
    from reconciler.lock import TenantLock
    from reconciler.lock_record import LockRecord, holder_from_env, plan_digest

    digest = plan_digest([change.to_dict() for change in the_plan.changes])
    return TenantLock(client, LockRecord.new(holder_from_env(), digest))


def _take_lock(client, lock, the_plan, timeout, stop, received) -> None:  # noqa: ANN001
    """Hold the tenant lock before the first write (reconciler.lock). Every write re-reads
    its object under the lock and refuses if it changed since the plan; after waiting for
    another apply, the whole plan is checked again first, so it is refused before any write
    rather than failing half-way."""
    from reconciler.lock import LockWaitStopped

    def waiting(held) -> None:  # noqa: ANN001
        click.echo(
            f"The tenant is locked by {held.describe()}; waiting up to {timeout:g} s for it "
            "(--lock-timeout).",
            err=True,
        )

    try:
        waited = lock.acquire(timeout, stop, waiting)
    except LockWaitStopped:
        click.echo("Stopped while waiting for the tenant lock: nothing was changed.", err=True)
        raise Interrupted(received[0]) from None
    if waited:
        click.echo("Tenant lock taken; checking the plan still holds.", err=True)
        _refuse_if_stale(client, the_plan, "while this apply waited for the tenant lock, "
                         "the tenant changed")


LOOKUP_ENV = "RECONCILER_CREATE_LOOKUP_SECONDS"


def lookup_wait_from_env():  # noqa: ANN201 - lazy import of the applier
    """How long an unclear create is looked for (env, seconds; default 20), the wait shown
    on a terminal."""
    import os

    from reconciler.apply import LookupWait

    text = os.environ.get(LOOKUP_ENV, "").strip()
    try:
        total = float(text) if text else LookupWait.total
    except ValueError:
        total = -1.0
    if not 0 <= total <= 600:
        fail(f"{LOOKUP_ENV} must be a number of seconds (0-600), not {text!r}")
    on_wait = (lambda line: click.echo(shown(line), err=True)) if sys.stderr.isatty() else None
    return LookupWait(total=total, first=min(0.5, total / 4) or 0.5, on_wait=on_wait)


def _saved(client, plan_file):  # noqa: ANN001, ANN202
    from reconciler.saved_plan import environment_problem, read_saved_plan

    the_plan = read_saved_plan(plan_file)
    elsewhere = environment_problem(the_plan, settings().environment)
    if elsewhere:  # refused before the tenant is read: not stale, meant for another one
        raise PlanError(
            f"{plan_file}: {elsewhere}; nothing was changed",
            [Diagnostic("error", "guard/other-environment", f"{plan_file}: {elsewhere}",
                        category="guard")],
        )
    _refuse_if_stale(client, the_plan, f"{plan_file} is stale")
    return the_plan


def _refuse_if_stale(client, the_plan, why: str) -> None:  # noqa: ANN001
    """Refuse (exit 1, no write) a plan that no longer holds against the live tenant."""
    from reconciler.refresh import read_full_catalog
    from reconciler.saved_plan import live_for, stale_problems

    problems = stale_problems(
        the_plan, live_for(the_plan, client), client.base_url, client.get_campaign,
        lambda: read_full_catalog(client),
    )
    if problems:
        raise PlanError(
            f"{why}; nothing was changed. Make a new plan.\n  " + "\n  ".join(problems),
            [
                Diagnostic("error", "guard/stale-plan", f"{why}: {problem}", category="guard")
                for problem in problems
            ],
        )


def _warn(warning: str) -> None:
    if warning:
        click.echo(shown(f"warning: {warning}"), err=True)


def _outcome_line(outcome, color: bool) -> str:  # noqa: ANN001
    from reconciler.kinds.registry import kind_of

    symbol, hue = SYMBOLS[outcome.status]
    change = outcome.change
    what = kind_of(change).label
    head = shown(f"{symbol} {change.action} {what}{change.name}")
    if outcome.status == "done":
        detail = ", ".join(outcome.steps)
    elif outcome.status == "failed":
        detail = f"failed: {outcome.message}"
    else:
        detail = "not attempted" + (f" ({outcome.message})" if outcome.message else "")
    return (click.style(head, fg=hue) if color and hue else head) + f": {shown(detail)}"


def _finish(report, signum: int | None = None) -> None:  # noqa: ANN001
    done = len(report.with_status("done"))
    failed = len(report.with_status("failed"))
    skipped = len(report.with_status("not attempted"))
    if report.ok and signum is None:
        click.echo(f"Apply complete: {done} done.")
        return
    how = f"interrupted by {signal_name(signum)}" if signum is not None else "incomplete"
    click.echo(
        f"Apply {how}: {done} done, {failed} failed, {skipped} not attempted.", err=True
    )
    # Each campaign's outcome, "not attempted" included, is already listed on stdout in plan
    # order; stderr repeats only why the apply stopped.
    for outcome in report.with_status("failed"):
        click.echo(shown(f"  failed: {outcome.change.name}: {outcome.message}"), err=True)
    raise click.exceptions.Exit(128 + signum if signum is not None else 1)
