"""`reconciler start`: start a run (POST /v1/campaign/{uuid}/run/start) of named, declared,
live and active campaigns that are live exactly as declared; confirmation and signals as for
apply. An unclear answer to run/start is followed by reading the campaign back: the report
says what is true (started, with its run id; not started; or unknown, exit 1)."""

from __future__ import annotations

import sys
import threading
import time

import click

from reconciler.commands._common import fail, global_options, plural, settings
from reconciler.commands._live import make_client
from reconciler.commands._policy import echo_findings, load_checked
from reconciler.errors import PlanError
from reconciler.interrupt import finish_in_flight, signal_name
from reconciler.safetext import shown

# Seconds to wait before each read-back after an unclear answer to run/start: a server may
# act on a request after the connection dropped (a slow gateway), so one look is not enough.
READ_BACK_WAITS: tuple[float, ...] = (0.0, 0.5, 1.0, 2.0)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--target",
    "targets",
    multiple=True,
    required=True,
    metavar="NAME",
    help="A declared campaign to start a run of (repeatable; at least one).",
)
@click.option("--auto-approve", is_flag=True, help="Do not ask; required without a terminal.")
@global_options
def start(paths: tuple[str, ...], targets: tuple[str, ...], auto_approve: bool) -> None:
    """Start runs of the campaigns named by --target, as declared under PATHS."""
    from reconciler.kinds.campaign import CAMPAIGN
    from reconciler.operations.start import Target, live_problems, offline_problems
    from reconciler.plan.planner import match

    cfg = settings()
    names = list(dict.fromkeys(targets))
    manifests, findings = load_checked(paths)
    specs = manifests.campaigns
    problems = offline_problems(names, specs, findings, manifests.where)
    if problems:
        echo_findings([f for f in findings
                        if f.kind == "campaign" and f.campaign_name in names and f.blocking])
        raise PlanError("\n".join(problems) + "\nno run was started")
    chosen = {name: specs[name] for name in names}
    with make_client(cfg, 1) as client:
        matching = match(CAMPAIGN, chosen, client.list_campaigns(), manifests.where)
        wanted: list[Target] = []
        for name in names:
            live = matching.pairs.get(name)
            target = Target(name, manifests.where(name))
            if live is not None:
                target.campaign_uuid = live["campaign_uuid"]
                target.status, target.run_id = live.get("status"), live.get("run_id")
            problem = live_problems(target, live)
            if problem:
                problems.append(problem)
            wanted.append(target)
        if not problems:  # live, active autocall campaigns: are they what was reviewed?
            problems += _not_as_declared(client, manifests, names, matching.pairs)
        if problems:
            raise PlanError("\n".join(problems) + "\nno run was started")
        running = [target for target in wanted if target.running]
        ready = [target for target in wanted if not target.running]
        for target in running:
            click.echo(f"= {target.campaign_name}: already running"
                       f"{f' (run_id {shown(target.run_id)})' if target.run_id else ''}; "
                       "left alone")
        if not ready:
            click.echo("Nothing to start.")
            return
        click.echo(f"Will start {plural(len(ready), 'campaign run')}:")
        for target in ready:
            click.echo(f"  ▶ {target.campaign_name}  ({shown(target.campaign_uuid)}; run "
                       f"{shown(target.status or '?')}; {target.source})")
        if not auto_approve and not sys.stdin.isatty():
            fail("no terminal to confirm on: pass --auto-approve to start runs "
                 "non-interactively (no run was started)")
        if not auto_approve:
            answer = click.prompt(
                "Start these runs? Only 'yes' will be accepted", default="", show_default=False
            )
            if answer.strip() != "yes":
                click.echo("Start cancelled: no run was started.", err=True)
                raise click.exceptions.Exit(1)  # as apply: a script can tell it from success
        stop, in_flight = threading.Event(), set()
        announce = lambda line: click.echo(line, err=True)  # noqa: E731
        outcomes: dict[str, str] = {}
        with finish_in_flight(stop, lambda: sorted(in_flight), announce) as received:
            for target in ready:
                name = target.campaign_name
                if stop.is_set():
                    outcomes[name] = "not attempted"
                    click.echo(f"· start {name}: not attempted (interrupted)")
                    continue
                in_flight.add(name)
                try:
                    outcomes[name], line = _start_one(client, target)
                finally:
                    in_flight.discard(name)
                click.echo(line)
    _finish(outcomes, received[0] if received else None)


def _not_as_declared(client, manifests, names, pairs) -> list[str]:  # noqa: ANN001
    """Refusals from the live side: a plan restricted to the targets must be empty (the
    live campaign is what its manifest says), and the live values (fields the entries leave
    out included) must break no policy error."""
    from reconciler.operations.start import drift_problems, live_policy_problems, live_spec
    from reconciler.policy.config import load_policies
    from reconciler.policy.evaluate import evaluate
    from reconciler.refresh import make_plan

    # The templates they use are what a call plays: a script edited live is not what was
    # reviewed either, so a targeted template's drift refuses the start too.
    scripts = [spec.template for name in names
               if (spec := manifests.campaigns[name]).template
               and spec.template in manifests.templates]
    plan = make_plan(client, manifests, targets=tuple(dict.fromkeys([*names, *scripts])),
                     parallelism=1)
    drifted = [change for change in plan.changes if not change.rewrite]  # rewrites: by design
    problems = drift_problems(drifted, names, manifests.where)
    if problems:
        return problems
    rules = load_policies(settings().config).rule_list
    if not rules:
        return []
    for name in names:
        source, row = manifests.where(name), pairs[name]
        spec = live_spec(manifests.campaigns[name], client.get_campaign(row["campaign_uuid"]),
                         row)
        if isinstance(spec, str):
            problems.append(f"{source}: {name}: the live values cannot be checked against the "
                            f"policies ({spec}); fix them live or declare them")
            continue
        findings = evaluate(rules, {name: spec}, lambda *_, at=source: at)
        problems += live_policy_problems(findings, source, name)
    return problems


def _start_one(client, target) -> tuple[str, str]:  # noqa: ANN001
    """(outcome, report line) of one run/start, read back. An answer that leaves it unclear
    whether the server acted (no answer, a 5xx, a body not understood) is followed by
    reading the campaign back until it shows the run (or the waits run out: unknown)."""
    from reconciler.api import AmbiguousWriteError, ApiError

    name, uuid = target.campaign_name, target.campaign_uuid
    try:
        answer = client.start_run(uuid)
    except AmbiguousWriteError as exc:
        return _read_back_unclear(client, target, str(exc))
    except ApiError as exc:
        return "failed", f"✗ start {name}: failed: {shown(exc)} (not started)"
    if not isinstance(answer, dict) or answer.get("campaign_uuid") != uuid:
        return _read_back_unclear(client, target, f"an answer not understood: {answer!r}")
    try:
        after = client.get_campaign(uuid)
    except ApiError as exc:
        return "unknown", (f"? start {name}: unknown: the API accepted run/start but the "
                           f"campaign could not be read back: {shown(exc)}")
    if after.get("status") != "start":
        return "failed", (f"✗ start {name}: failed: the API accepted run/start but the run "
                          f"state reads back {shown(repr(after.get('status')))}")
    return "done", f"✓ start {name}: run started (status start{_run_id(after)})"


def _read_back_unclear(client, target, why: str) -> tuple[str, str]:  # noqa: ANN001
    """What is true after an unclear answer: started (the read-back shows the run), or
    unknown (it does not yet, or cannot be read): never reported as a failure that may have
    started calling, nor as a start not seen."""
    from reconciler.api import ApiError

    name, uuid = target.campaign_name, target.campaign_uuid
    status, problem = None, ""
    for wait in READ_BACK_WAITS:
        time.sleep(wait)
        try:
            after = client.get_campaign(uuid)
        except ApiError as exc:
            problem = f"; reading it back failed: {shown(exc)}"
            continue
        status, problem = after.get("status"), ""
        if status == "start":
            return "done", (f"✓ start {name}: run started (status start{_run_id(after)}); "
                            f"the answer to run/start was unclear ({shown(why)}), the campaign "
                            "reads back running")
    state = f"still reads back run {shown(status or '?')}" if not problem else "is unread"
    return "unknown", (
        f"? start {name}: unknown: the answer to run/start was unclear ({shown(why)}) and "
        f"the campaign {state}{problem}; the start may still reach the server: check with "
        "`reconciler status` before starting it again"
    )


def _run_id(after: dict) -> str:
    return f", run_id {shown(after['run_id'])}" if after.get("run_id") else ""


def _finish(outcomes: dict[str, str], signum: int | None) -> None:
    done = sum(1 for outcome in outcomes.values() if outcome == "done")
    failed = sum(1 for outcome in outcomes.values() if outcome == "failed")
    unknown = sum(1 for outcome in outcomes.values() if outcome == "unknown")
    skipped = sum(1 for outcome in outcomes.values() if outcome == "not attempted")
    if signum is None and not failed and not unknown:
        click.echo(f"Start complete: {done} started.")
        return
    how = f"interrupted by {signal_name(signum)}" if signum is not None else "incomplete"
    unclear = f", {unknown} unknown" if unknown else ""
    click.echo(f"Start {how}: {done} started, {failed} failed{unclear}, {skipped} not "
               "attempted.", err=True)
    raise click.exceptions.Exit(128 + signum if signum is not None else 1)
