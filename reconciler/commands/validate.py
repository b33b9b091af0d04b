"""`reconciler validate PATH...`: check manifests offline (no API call), report every problem."""

from __future__ import annotations

import click

from reconciler.commands._common import global_options, plural, report_warnings


@click.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@global_options
def validate(paths: tuple[str, ...]) -> None:
    """Check the manifests under PATH... (files or directories) without calling the API.

    Every problem is printed as FILE:LINE: MESSAGE; the exit code is 0 when all are valid.
    """
    from reconciler.manifest.loader import load_manifests

    manifests = load_manifests(paths)  # a ManifestError is reported by run_guarded
    report_warnings(manifests.warnings)
    count, files = len(manifests.campaigns), len(manifests.files)
    verb = "is" if count == 1 else "are"
    warned = f" ({plural(len(manifests.warnings), 'warning')})" if manifests.warnings else ""
    click.echo(f"{plural(count, 'campaign')} in {plural(files, 'file')} {verb} valid{warned}.")
