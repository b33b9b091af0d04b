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
    from reconciler.kinds.audio import export as audio_export

    if (out_dir is None) == (update_dir is None):
        fail("give one of --out DIR (a fresh export) or --update DIR (edit manifests in place)")
    if update_dir is None and (check or no_new or targets):
        fail("--check, --no-new and --target go with --update DIR")
    if update_dir is not None and overwrite:
        fail("--overwrite goes with --out: --update edits files in place and never overwrites")
    pattern = exporting.compile_match(match)  # a bad regex fails before any API call
    if update_dir is not None:
        from reconciler.commands.export_update import run_update

        run_update(update_dir, check=check, no_new=no_new, targets=targets, pattern=pattern,
                   campaign_type=campaign_type, pin_uuid=pin_uuid, parallelism=parallelism)
        return
    assert out_dir is not None
    cfg = settings()
    with make_client(cfg, parallelism) as client:
        with ThreadPoolExecutor(max_workers=3) as background:
            carriers = background.submit(client.list_carriers)
            templates = background.submit(client.list_templates)
            audio = background.submit(client.list_audio) if with_templates else None
            listed = client.list_campaigns(None if campaign_type == "all" else campaign_type)
            selection = exporting.select_campaigns(listed, campaign_type, pattern)
            with detail_progress("Reading campaigns") as progress:
                details = client.get_campaigns(
                    [row["campaign_uuid"] for row in selection.rows],
                    parallelism=parallelism,
                    on_progress=_reporter(progress, len(selection.rows)),
                )
            carrier_rows, template_rows = carriers.result(), templates.result()
            audio_rows = audio.result() if audio is not None else []
        api_url = client.base_url
    objects = {"campaign": details.values()}
    if with_templates:
        objects["template"] = template_rows
    if with_carriers:
        objects["carrier"] = carrier_rows
    files, problems = exporting.render_export(
        objects,
        {"carrier": carrier_rows, "template": template_rows,
         "audio": audio_export.as_named(audio_rows)},
        api_url=api_url,
        schema_ref=exporting.schema_reference(out_dir, Path.cwd()),
        pin_uuid=pin_uuid,
    )
    exporting.write_files(out_dir, files, overwrite=overwrite)
    left_out = {
        kind: sum(problem.startswith(kind) for problem in problems)
        for kind in ("campaign", "template", "carrier")
    }
    count = len(details) - left_out["campaign"]
    what = f"{count} campaign{'' if count == 1 else 's'}"
    if with_templates:
        count = len(template_rows) - left_out["template"]
        what += f" and {count} template{'' if count == 1 else 's'}"
    if with_carriers:
        count = len(carrier_rows) - left_out["carrier"]
        what += f" and {count} carrier{'' if count == 1 else 's'}"
    env = cfg.environment
    click.echo(f"Exported {what}{f' from environment {env}' if env else ''} to {out_dir}.")
    if audio_export.summary(audio_rows):
        click.echo(shown(audio_export.summary(audio_rows)))
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


def _reporter(progress, total: int):  # noqa: ANN001, ANN202 - progress is detail_progress's
    """Adapt the client's on_progress(done) to the progress bar's (done, total)."""
    if progress is None:
        return None
    return lambda done: progress(done, total)
