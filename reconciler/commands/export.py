"""`reconciler export`: write manifests for the live campaigns (adoption), one file each."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import click

from reconciler.commands._common import fail, global_options, settings
from reconciler.commands._live import (
    PARALLELISM_OPTION,
    TARGET_OPTION,
    detail_progress,
    make_client,
)
from reconciler.fields import CAMPAIGN_TYPES
from reconciler.safetext import shown


@click.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write one manifest per campaign into (created if missing).",
)
@click.option(
    "--update",
    "update_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Take live changes back into the manifests under DIR, in place: only the values "
    "that differ change; undeclared live objects go to new files in DIR.",
)
@click.option(
    "--check",
    is_flag=True,
    help="With --update: write nothing; exit 2 when the files would change (0 when not).",
)
@click.option(
    "--no-new",
    is_flag=True,
    help="With --update: no new files for live objects no manifest declares.",
)
@TARGET_OPTION
@click.option(
    "--type",
    "campaign_type",
    type=click.Choice([*CAMPAIGN_TYPES, "all"]),
    default="autocall",
    show_default=True,
    help="Export campaigns of this type only; `all` for every type.",
)
@click.option(
    "--match",
    metavar="REGEX",
    help="Export only campaigns whose name this regular expression finds (use ^...$ to anchor).",
)
@click.option("--overwrite", is_flag=True, help="Replace files of the same name in --out.")
@click.option(
    "--templates/--no-templates",
    "with_templates",
    default=True,
    show_default=True,
    help="Also write every template, one template-<name>.yaml each (--type and --match "
    "select campaigns only).",
)
@click.option(
    "--carriers/--no-carriers",
    "with_carriers",
    default=False,
    show_default=True,
    help="Also write every carrier, one carrier-<name>.yaml each (then campaigns name "
    "declared carriers, and --prune may delete the undeclared ones).",
)
@click.option(
    "--kind",
    "more_kinds",
    metavar="KIND",
    multiple=True,
    help="Also write every object of this kind, one <kind>-<name>.yaml each (repeatable; "
    "--kind carrier is --carriers).",
)
@click.option(
    "--pin-uuid",
    is_flag=True,
    help="Write campaign_uuid too, so a later change of campaign_name plans as a rename.",
)
@PARALLELISM_OPTION
@global_options
def export(
    out_dir: Path | None,
    update_dir: Path | None,
    check: bool,
    no_new: bool,
    targets: tuple[str, ...],
    campaign_type: str,
    match: str | None,
    overwrite: bool,
    pin_uuid: bool,
    with_templates: bool,
    with_carriers: bool,
    more_kinds: tuple[str, ...],
    parallelism: int,
) -> None:
    """Write manifests reproducing the live campaigns, so `plan` on them shows no changes.

    Each file's `$schema` comment points at schema/manifest.schema.json: the nearest one at or
    above --out, else the one in the current directory; with neither, a comment says how to
    write one. Files hold no timestamp: an unchanged tenant exports byte-identical files.

    With --update DIR instead of --out, the manifests under DIR take the live changes back
    in place (comments, labels, waivers and pins stay), for a pull request after drift.
    """
    from reconciler import export as exporting
    from reconciler.kinds.registry import kinds, primary

    if (out_dir is None) == (update_dir is None):
        fail("give one of --out DIR (a fresh export) or --update DIR (edit manifests in place)")
    if update_dir is None and (check or no_new or targets):
        fail("--check, --no-new and --target go with --update DIR")
    if update_dir is not None and overwrite:
        fail("--overwrite goes with --out: --update edits files in place and never overwrites")
    pattern = exporting.compile_match(match)  # a bad regex fails before any API call
    chosen = _chosen(with_templates, with_carriers, more_kinds)
    if update_dir is not None:
        from reconciler.commands.export_update import run_update

        run_update(update_dir, check=check, no_new=no_new, targets=targets, pattern=pattern,
                   campaign_type=campaign_type, pin_uuid=pin_uuid, parallelism=parallelism)
        return
    assert out_dir is not None
    main = primary()
    # Written: the chosen kinds, the primary one first (as the summary names them); listed
    # besides: every kind they reference (its names are what their entries write).
    exported = [kind for kind in reversed(kinds().values()) if kind.name in chosen]
    listed = [kind for kind in kinds().values() if kind is not main and (
        kind.name in chosen
        or any(ref.target == kind.name for other in exported for ref in other.references))]
    cfg = settings()
    with make_client(cfg, parallelism) as client:
        with ThreadPoolExecutor(max_workers=3) as background:
            pending = {kind.name: background.submit(kind.export_rows, client) for kind in listed}
            rows = main.list_live(client, type=None if campaign_type == "all" else campaign_type)
            selection = exporting.select_campaigns(rows, campaign_type, pattern)
            with detail_progress(f"Reading {main.plural}") as progress:
                details = main.export_read(
                    client, selection.rows, parallelism=parallelism,
                    on_progress=_reporter(progress, len(selection.rows)),
                )
            rows_by = {name: future.result() for name, future in pending.items()}
        api_url = client.base_url
    objects = {kind.name: list(details.values()) if kind is main else rows_by[kind.name]
               for kind in exported}
    files, problems = exporting.render_export(
        objects,
        {kind.name: kind.export_listing(rows_by[kind.name]) for kind in listed},
        api_url=api_url,
        schema_ref=exporting.schema_reference(out_dir, Path.cwd()),
        pin_uuid=pin_uuid,
    )
    exporting.write_files(out_dir, files, overwrite=overwrite)
    counts = []
    for kind in exported:
        count = len(objects[kind.name]) - sum(problem.startswith(kind.name)
                                              for problem in problems)
        counts.append(f"{count} {kind.name if count == 1 else kind.plural}")
    env = cfg.environment
    click.echo(f"Exported {' and '.join(counts)}{f' from environment {env}' if env else ''} "
               f"to {out_dir}.")
    for kind in listed:
        if kind.export_summary(rows_by[kind.name]):
            click.echo(shown(kind.export_summary(rows_by[kind.name])))
    if selection.skipped_by_match:
        click.echo(f"Skipped {selection.skipped_by_match} campaign(s) not matching --match.")
    if selection.skipped_by_type:
        click.echo(f"Skipped {selection.skipped_by_type} campaign(s) not of type {campaign_type}.")
    if problems:
        # The others are written; exit 1 so a pipeline notices what is missing.
        for problem in problems:
            click.echo(shown(f"error: {problem}"), err=True)
        count = len(problems)
        fail(
            f"{count} campaign{'' if count == 1 else 's'} not exported (see above); "
            "every other campaign was written"
        )


def _chosen(with_templates: bool, with_carriers: bool, more_kinds: tuple[str, ...]) -> set[str]:
    """The kinds to write: the primary one and those exported by default, as the flags
    change them (--no-templates, --carriers; --kind adds any exportable kind)."""
    from reconciler.kinds.registry import kinds

    known = {name: kind for name, kind in kinds().items() if kind.exportable}
    for name in more_kinds:
        if name not in known:
            fail(f"--kind {name}: not a kind export writes (one of {', '.join(known)})")
    chosen = {name for name, kind in known.items() if kind.export_default or kind.primary}
    if not with_templates:
        chosen.discard("template")
    if with_carriers:
        chosen.add("carrier")
    return chosen | set(more_kinds)


def _reporter(progress, total: int):  # noqa: ANN001, ANN202 - progress is detail_progress's
    """Adapt the client's on_progress(done) to the progress bar's (done, total)."""
    if progress is None:
        return None
    return lambda done: progress(done, total)
