"""`reconciler leads CAMPAIGN FILE.csv`: push a call list through POST /v3/autocall/import,
validated, compliant, and never twice (see reconciler/leads/ and docs/leads.md)."""

from __future__ import annotations

import math
import sys
import threading
import time
from contextlib import ExitStack, closing
from pathlib import Path

import click

from reconciler.commands._common import global_options, plural, report_located, settings
from reconciler.errors import PlanError, ReconcilerError

FIRST_LINES = 10  # lines shown per kind of outcome


@click.command()
@click.argument("campaign")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--manifests", "manifests", multiple=True, metavar="DIR",
              help="Manifests declaring the campaign: its labels (purpose: advertising) and "
              "policy waivers. Repeatable.")
@click.option("--exclude", "excludes", multiple=True, metavar="FILE",
              help="A do-not-call list, one number a line; always honoured. Repeatable.")
@click.option("--dry-run", is_flag=True, help="Check and show what would be pushed; send nothing.")
@click.option("--yes", is_flag=True, help="Do not ask; required without a terminal.")
@click.option("--rate", type=click.FloatRange(0.01, 100), default=5.0, show_default=True,
              callback=lambda _ctx, _param, value: _finite(value),
              help="Calls started per second, at most.")
@click.option("--parallel", type=click.IntRange(1, 16), default=4, show_default=True,
              help="Requests in flight at once, at most.")
@click.option("--journal", "journal_path", type=click.Path(dir_okay=False),
              help="The journal of rows sent (default: FILE.journal beside the file).")
@click.option("--results", "results_path", type=click.Path(dir_okay=False),
              help="The results CSV (default: FILE.results.csv beside the file).")
@click.option("--normalize", is_flag=True,
              help="Rewrite money (10.410.000 đ → 10410000) and dates (30-1-2021 → 30/01/2021) "
              "into the forms the TTS reads, instead of refusing them.")
@click.option("--skip-invalid", is_flag=True,
              help="Skip rows with problems (each reported) instead of refusing the whole file.")
@click.option("--at-next-window", is_flag=True,
              help="Outside the calling window, wait for the next one instead of refusing.")
@click.option("--resend-unclear", is_flag=True,
              help="Send again rows an earlier run left unclear and the lead report does not "
              "show (only after checking with the tenant: it may call them twice).")
@global_options
def leads(campaign: str, file: str, manifests: tuple[str, ...], excludes: tuple[str, ...],
          dry_run: bool, yes: bool, rate: float, parallel: int, journal_path: str | None,
          results_path: str | None, normalize: bool, skip_invalid: bool,
          at_next_window: bool, resend_unclear: bool) -> None:
    """Push the call list FILE (CSV with a phone_number column) to the live CAMPAIGN."""
    from reconciler.commands._live import make_client
    from reconciler.leads import batch as batches
    from reconciler.leads import clock as clocks
    from reconciler.leads import csvread, prepare, rows
    from reconciler.leads.journal import Journal

    clock = clocks.from_env()
    table = _read_table(file, csvread)
    manifest_set, findings, rules = _policies(manifests)
    excluded: dict[str, int] = {}
    for path in excludes:
        excluded.update({number: line for number, line in prepare.read_exclusions(path).items()
                         if number not in excluded})
    journal_file = Path(journal_path or f"{file}.journal")
    results_file = Path(results_path or f"{file}.results.csv")
    _distinct_paths(file, journal_file, results_file)
    with make_client(settings(), parallel) as client, ExitStack() as held:
        target = prepare.find_campaign(client, campaign)
        if target.type not in (None, "autocall"):
            raise ReconcilerError(f"campaign {campaign!r} is of type {target.type!r}: leads are "
                                  "imported into autocall campaigns only")
        checked = rows.check(table, target.placeholders, normalize)
        _refuse_problems(checked, file, skip_invalid)
        spec = prepare.spec_of(manifest_set, target)
        if manifests and spec is None:
            raise ReconcilerError(f"campaign {campaign!r} is not declared under "
                                  f"{', '.join(manifests)}: its labels and waivers are unknown")
        source = manifest_set.where(spec.campaign_name) if spec is not None else ""
        prepare.govern(target, spec, rules, source)
        _refuse_policy_errors(findings, spec)
        # A push holds the journal from before it reads it to the end: a second push of the
        # same list is refused rather than sending the rows this one has not reached yet.
        book = held.enter_context(closing(
            Journal(journal_file, target.campaign_uuid, campaign, file, lock=not dry_run)))
        _settle_earlier(client, book, checked, dry_run)  # says what it settled
        now = clock.now()
        recent: dict[str, str] = {}
        ads: list[tuple[str, str]] = []
        if target.advertising:
            ads = prepare.advertising_campaigns(manifest_set, client.list_campaigns())
            if target.campaign_uuid not in {uuid for _, uuid in ads}:
                ads.append((target.campaign_name, target.campaign_uuid))
            recent = prepare.recent_numbers(client, ads, now)
        batch = batches.build(target, checked, book.entries, excluded, recent, now,
                              resend_unclear)
        _describe(batch, checked, file, rate, dry_run, at_next_window)
        refused = batch.window and not at_next_window
        if refused:
            message = (f"{batch.window}; "
                       + (f"the next window opens {_when(batch.opens)}" if batch.opens
                          else "no window opens in the next 8 days")
                       + ". Pass --at-next-window to wait for it (nothing was sent)")
        if dry_run:
            if refused:
                raise ReconcilerError("a push now would be refused: " + message)
            click.echo("Dry run: nothing was sent.")
            return
        if refused:
            raise ReconcilerError(message)
        if not batch.to_send:
            _finish(batch.outcomes, results_file, None)
            return
        _confirm(yes, batch)
        _recheck(client, target, "nothing was sent")
        outcomes, signum = _push(client, book, batch, clock, rate, parallel, at_next_window,
                                 _reopened(client, target, ads, clock))
        book.close()
    _finish(batch.outcomes + outcomes, results_file, signum)


def _finite(rate: float) -> float:
    """`--rate nan` passes a range check (every comparison with NaN is false)."""
    if not math.isfinite(rate):
        raise click.BadParameter(f"{rate} is not a number of calls a second", param_hint="--rate")
    return rate


def _distinct_paths(file: str, journal_file: Path, results_file: Path) -> None:
    """Refuse before anything is read when the journal or the results would overwrite the
    list itself or each other (`--results calls.csv` would replace the list by its results),
    or the results could not be written at the end (after the calls were made)."""
    named = {"FILE.csv": Path(file), "--journal": journal_file, "--results": results_file}
    seen: dict[Path, str] = {}
    for option, path in named.items():
        real = path.resolve()
        if real in seen:
            raise ReconcilerError(f"{option} {path} is the same file as {seen[real]}: give "
                                  "the list, the journal and the results different paths")
        seen[real] = f"{option} {path}" if option != "FILE.csv" else f"the list {path}"
    for option, path in (("--journal", journal_file), ("--results", results_file)):
        folder = path.resolve().parent
        if not folder.is_dir():
            raise ReconcilerError(f"{option} {path}: no folder {folder} to write it in "
                                  "(nothing was sent)")


def _read_table(file: str, csvread):  # noqa: ANN001, ANN202 - lazy module
    try:
        data = Path(file).read_bytes()
    except FileNotFoundError:
        raise ReconcilerError(f"{file}: no such file") from None
    except OSError as exc:
        raise ReconcilerError(f"{file}: cannot be read: {exc.strerror}") from None
    try:
        return csvread.parse(csvread.decode(data))
    except csvread.CsvError as exc:
        raise PlanError(f"{file}:{exc.line}:{exc.column}: {exc}") from None


def _policies(paths: tuple[str, ...]):  # noqa: ANN202 - lazy imports
    """(manifests or None, findings, rules in force)."""
    from reconciler.commands._policy import load_checked
    from reconciler.policy.config import load_policies

    rules = load_policies(settings().config).rule_list
    if not paths:
        return None, [], rules
    manifests, findings = load_checked(paths)
    return manifests, findings, rules


def _refuse_problems(checked, file: str, skip_invalid: bool) -> None:  # noqa: ANN001
    problems = checked.file_problems or ([] if skip_invalid else checked.row_problems)
    if not problems:
        return
    report_located([problem.located(file) for problem in problems], [file])
    rows = checked.rows
    raise click.exceptions.Exit(_say(
        f"{file}: {plural(rows, 'row')} checked; nothing was sent"
        + ("" if checked.file_problems else
           " (fix the rows, or pass --skip-invalid to push the others)")))


def _refuse_policy_errors(findings, spec) -> None:  # noqa: ANN001
    if spec is None:
        return
    from reconciler.commands._policy import echo_findings

    mine = [f for f in findings
            if f.kind == "campaign" and f.campaign_name == spec.campaign_name and f.blocking]
    if mine:
        echo_findings(mine)
        raise ReconcilerError(f"{spec.campaign_name}: policy error (listed above): fix or waive "
                              "it before pushing leads (nothing was sent)")


def _settle_earlier(client, book, checked, dry_run: bool) -> int:  # noqa: ANN001
    """Look up rows an earlier run left unclear; journal those found as sent. How many."""
    from reconciler.leads import journal, lookup

    unclear = book.unclear()
    if not unclear:
        return 0
    params = {lead.phone_number: lead.param for lead in checked.leads}
    known = {entry.lead_uuid for entry in book.entries.values() if entry.lead_uuid}
    found = lookup.look_up(client, book.campaign_uuid, unclear, params, known)
    for number, row in found.items():
        entry = unclear[number]
        if not dry_run:
            book.record(journal.SENT, entry.line, number, lead_uuid=str(row["lead_uuid"]),
                        call_id=str(row.get("cdr_uuid") or ""), found="lead report")
        else:
            book.entries[number] = journal.Entry(
                journal.SENT, entry.line, number, entry.at, str(row.get("cdr_uuid") or ""),
                str(row["lead_uuid"]), found="lead report")
    left = len(unclear) - len(found)
    click.echo(f"{plural(len(unclear), 'row')} left unclear by an earlier run: {len(found)} "
               f"found in the lead report (sent){f', {left} not found' if left else ''}.",
               err=True)
    return len(found)


def _describe(batch, checked, file: str, rate: float, dry_run: bool,
              at_next_window: bool) -> None:  # noqa: ANN001
    from reconciler.leads.results import counts

    target = batch.target
    head = f"{target.campaign_name} ({target.campaign_uuid}"
    if target.template_name:
        head += f"; template {target.template_name}"
    head = _one_line(head + ")")
    if target.active is False:
        click.echo(f"Note: {_one_line(target.campaign_name)} is inactive: its calls wait "
                   "until it is switched on.", err=True)
    if not target.labelled:
        click.echo("Note: no manifest declares the campaign (--manifests): its labels are "
                   "unknown, so it is not treated as advertising.", err=True)
    elif target.advertising:
        click.echo("Advertising (purpose: advertising): 08:00-17:00 only, numbers called by "
                   "an advertising campaign in the last 24 h are skipped.")
    tally = counts(batch.outcomes)
    verb = "Would push" if dry_run else "Will push"
    click.echo(f"{file}: {plural(checked.rows, 'row')}. {verb} {len(batch.to_send)} to {head}"
               + (f", at most {rate:g} a second (about {_duration(len(batch.to_send) / rate)})"
                  if batch.to_send else "") + ".")
    if checked.normalised:
        click.echo(f"  {plural(checked.normalised, 'value')} normalised (--normalize).")
    for outcome in ("skipped", "invalid", "unclear"):
        shown = [item for item in batch.outcomes if item.outcome == outcome]
        if not shown:
            continue
        click.echo(f"  {outcome}: {tally[outcome]}")
        for item in sorted(shown, key=lambda item: item.line)[:FIRST_LINES]:
            number = f" {_masked(item.phone_number)}" if item.phone_number else ""
            click.echo(f"    line {item.line}{number}: {_one_line(item.detail)}")
        if len(shown) > FIRST_LINES:
            click.echo(f"    ... and {len(shown) - FIRST_LINES} more (all in the results CSV)")
    for lead in batch.to_send[:3 if not dry_run else FIRST_LINES]:
        click.echo(f"  + line {lead.line} {_masked(lead.phone_number)}: "
                   + _one_line(", ".join(f"{key}={value}" for key, value in lead.param.items())))
    if batch.window:
        opens = f"; next window {_when(batch.opens)}" if batch.opens else ""
        click.echo(f"Window: {batch.window}{opens}"
                   + (" (--at-next-window: the push waits for it)" if at_next_window else ""))


def _reopened(client, target, ads, clock):  # noqa: ANN001, ANN202
    """What a push does when a window it waited for opens, hours after the checks: read the
    template again, and the numbers advertising campaigns called in the 24 h before now."""
    from reconciler.leads import compliance, prepare

    def skips(rest):  # noqa: ANN001, ANN202
        _recheck(client, target, "the rest was not sent")
        if not target.advertising:
            return {}
        recent = prepare.recent_numbers(client, ads, clock.now())
        return compliance.skips(rest, {}, recent, {})

    return skips


def _recheck(client, target, after: str) -> None:  # noqa: ANN001
    """Read the campaign and its template again just before the first call (a person may
    have sat at the prompt a long while): a placeholder the file was not checked against
    would be read aloud as nothing, so the push is refused."""
    from reconciler.leads import prepare

    again = prepare.find_campaign(client, target.campaign_name)
    if again.campaign_uuid != target.campaign_uuid:
        raise ReconcilerError(f"campaign {target.campaign_name!r} is now another campaign "
                              f"({again.campaign_uuid}): run again ({after})")
    added = [name for name in again.placeholders if name not in target.placeholders]
    if added:
        listed = ", ".join("{{" + name + "}}" for name in added)
        raise ReconcilerError(_one_line(
            f"the campaign's template ({again.template_name}) changed since the file was "
            f"checked: it now reads {listed}; run again to check the file against it ({after})"))


def _confirm(yes: bool, batch) -> None:  # noqa: ANN001
    if yes:
        return
    if not sys.stdin.isatty():
        raise ReconcilerError("no terminal to confirm on: pass --yes to push non-interactively "
                              "(nothing was sent)")
    answer = click.prompt(
        f"Push {plural(len(batch.to_send), 'call')} to {batch.target.campaign_name}? Only "
        "'yes' will be accepted", default="", show_default=False)
    if answer.strip() != "yes":
        click.echo("Push cancelled: nothing was sent.", err=True)
        raise click.exceptions.Exit(1)


def _push(client, book, batch, clock, rate: float, parallel: int, wait: bool,  # noqa: ANN001, ANN202
          reopened=None):  # noqa: ANN001
    from reconciler.interrupt import finish_in_flight
    from reconciler.leads import lookup, push

    stop = threading.Event()
    announce = lambda line: click.echo(line, err=True)  # noqa: E731
    pusher = push.Pusher(client, book, batch.target.campaign_uuid, rate=rate, parallel=parallel,
                         clock=clock, limits=batch.target.limits, wait=wait, stop=stop,
                         announce=announce, progress=_progress(), reopened=reopened)
    in_flight = lambda: [f"line {line}" for line in sorted(pusher.in_flight)]  # noqa: E731
    with finish_in_flight(stop, in_flight, announce) as received:
        outcomes = pusher.run(batch.to_send)
    if sys.stderr.isatty():
        click.echo("", err=True)
    if book.disturbed:
        click.echo(f"warning: {_one_line(book.disturbed)}", err=True)
    unclear = {item.phone_number: book.entries[item.phone_number]
               for item in outcomes.values() if item.outcome == push.UNCLEAR}
    if unclear:
        params = {lead.phone_number: lead.param for lead in batch.to_send}
        known = {entry.lead_uuid for entry in book.entries.values() if entry.lead_uuid}
        try:
            found = lookup.look_up(client, batch.target.campaign_uuid, unclear, params, known)
        except ReconcilerError as exc:
            from reconciler.redact import redact

            click.echo("The lead report could not be read to settle unclear rows: "
                       + _one_line(redact(str(exc))), err=True)
            found = {}
        for number, row in found.items():
            item = next(item for item in outcomes.values() if item.phone_number == number)
            item.outcome, item.detail = push.SENT, "answer lost; found in the lead report"
            item.lead_uuid, item.call_id = str(row["lead_uuid"]), str(row.get("cdr_uuid") or "")
            book.record("sent", item.line, number, lead_uuid=item.lead_uuid,
                        call_id=item.call_id, found="lead report")
    return list(outcomes.values()), (received[0] if received else None)


def _progress():  # noqa: ANN202
    """Rate and ETA on a terminal's stderr, redrawn at most twice a second; None when piped."""
    if not sys.stderr.isatty():
        return None
    started = time.monotonic()
    last = [0.0]
    lock = threading.Lock()

    def update(done: int, total: int) -> None:
        now = time.monotonic()
        with lock:
            if now - last[0] < 0.5 and done < total:
                return
            last[0] = now
        elapsed = max(now - started, 1e-6)
        speed = done / elapsed
        eta = _duration((total - done) / speed) if speed > 0 else "?"
        sys.stderr.write(f"\r  {done}/{total} sent · {speed:.1f}/s · ETA {eta}   ")
        sys.stderr.flush()

    return update


def _finish(outcomes, results_file: Path, signum: int | None) -> None:  # noqa: ANN001
    from reconciler.interrupt import signal_name
    from reconciler.leads import results

    results.write(results_file, outcomes)
    tally = results.counts(outcomes)
    order = ("sent", "skipped", "invalid", "refused", "unclear", "not attempted")
    parts = [f"{tally[key]} {key}" for key in order if tally[key]]
    problems = [item for item in outcomes if item.outcome not in results.SETTLED]
    for item in sorted(problems, key=lambda item: item.line)[:FIRST_LINES]:
        if item.outcome in ("refused", "unclear"):
            click.echo(f"  line {item.line} {_masked(item.phone_number)}: {item.outcome}: "
                       f"{_one_line(item.detail)}", err=True)
    how = (f"interrupted by {signal_name(signum)}" if signum is not None
           else "complete" if not problems else "incomplete")
    line = f"Push {how}: {', '.join(parts) or 'no rows'}. Results: {results_file}"
    if signum is None and not problems:
        click.echo(line)
        return
    click.echo(line, err=True)
    if tally["unclear"]:
        click.echo(f"{plural(tally['unclear'], 'row')} unclear: the API may or may not have "
                   "imported them; they are not sent again. Check with the tenant, then re-run "
                   "(with --resend-unclear for those it did not import).", err=True)
    if tally["not attempted"] or tally["refused"]:
        click.echo("Run the same command again to push what was not sent: the journal skips "
                   "every row already sent.", err=True)
    raise click.exceptions.Exit(128 + signum if signum is not None else 1)


def _say(message: str) -> int:
    click.echo(message, err=True)
    return 1


def _masked(number: str) -> str:
    from reconciler.operations.audit import mask_phone

    return mask_phone(number) if number else "-"


def _one_line(text: str) -> str:
    from reconciler.safetext import shown

    return shown(text)


def _when(moment) -> str:  # noqa: ANN001
    from reconciler.operations.window import shown

    return shown(moment) if moment is not None else "?"


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"
