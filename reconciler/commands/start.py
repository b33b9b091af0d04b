"""`reconciler start`: start a run (POST /v1/campaign/{uuid}/run/start) of named, declared,
live and active campaigns; confirmation and signals as for apply."""

from __future__ import annotations

import sys
import threading

import click

from reconciler.commands._common import fail, global_options, plural, settings
from reconciler.commands._live import make_client
from reconciler.commands._policy import echo_findings, load_checked
from reconciler.errors import PlanError
from reconciler.interrupt import finish_in_flight, signal_name


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
    from reconciler.api import ApiError
    from reconciler.operations.start import Target, live_problems, offline_problems
    from reconciler.plan.planner import match_campaigns

    cfg = settings()
    names = list(dict.fromkeys(targets))
    manifests, findings = load_checked(paths)
    specs = manifests.campaigns
    problems = offline_problems(names, specs, findings, manifests.where)
    if problems:
        echo_findings([f for f in findings if f.campaign_name in names and f.blocking])
        raise PlanError("\n".join(problems) + "\nno run was started")
    chosen = {name: specs[name] for name in names}
    with make_client(cfg, 1) as client:
        matching = match_campaigns(chosen, client.list_campaigns(), manifests.where)
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
        if problems:
            raise PlanError("\n".join(problems) + "\nno run was started")
        running = [target for target in wanted if target.running]
        ready = [target for target in wanted if not target.running]
        for target in running:
            click.echo(f"= {target.campaign_name}: already running"
                       f"{f' (run_id {target.run_id})' if target.run_id else ''}; left alone")
        if not ready:
            click.echo("Nothing to start.")
            return
        click.echo(f"Will start {plural(len(ready), 'campaign run')}:")
        for target in ready:
            click.echo(f"  ▶ {target.campaign_name}  ({target.campaign_uuid}; run "
                       f"{target.status or '?'}; {target.source})")
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
                    outcomes[name], line = _start_one(client, target, ApiError)
                finally:
                    in_flight.discard(name)
                click.echo(line)
    _finish(outcomes, received[0] if received else None)


def _start_one(client, target, api_error) -> tuple[str, str]:  # noqa: ANN001
    """(outcome, report line) of one run/start, read back."""
    name, uuid = target.campaign_name, target.campaign_uuid
    try:
        client.start_run(uuid)
        after = client.get_campaign(uuid)
    except api_error as exc:
        return "failed", f"✗ start {name}: failed: {exc}"
    if after.get("status") != "start":
        return "failed", (f"✗ start {name}: failed: the API accepted run/start but the run "
                          f"state reads back {after.get('status')!r}")
    run = f", run_id {after['run_id']}" if after.get("run_id") else ""
    return "done", f"✓ start {name}: run started (status start{run})"


def _finish(outcomes: dict[str, str], signum: int | None) -> None:
    done = sum(1 for outcome in outcomes.values() if outcome == "done")
    failed = sum(1 for outcome in outcomes.values() if outcome == "failed")
    skipped = sum(1 for outcome in outcomes.values() if outcome == "not attempted")
    if signum is None and not failed:
        click.echo(f"Start complete: {done} started.")
        return
    how = f"interrupted by {signal_name(signum)}" if signum is not None else "incomplete"
    click.echo(f"Start {how}: {done} started, {failed} failed, {skipped} not attempted.",
               err=True)
    raise click.exceptions.Exit(128 + signum if signum is not None else 1)
