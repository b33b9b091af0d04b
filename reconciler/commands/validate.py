"""`reconciler validate PATH...`: check manifests offline (no API call), report every problem."""

from __future__ import annotations

import click

from reconciler.commands._common import global_options


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


@click.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@global_options
@click.pass_context
def validate(ctx: click.Context, paths: tuple[str, ...]) -> None:
    """Check the manifests under PATH... (files or directories) without calling the API.

    Every problem is printed as FILE:LINE: MESSAGE; the exit code is 0 when all are valid.
    """
    from reconciler.errors import ManifestError
    from reconciler.manifest.loader import load_manifests

    try:
        manifests = load_manifests(paths)
    except ManifestError as exc:
        for line in exc.errors:
            click.echo(line, err=True)
        files = getattr(exc, "files", None)
        where = f" in {_plural(len(files), 'file')}" if files else ""
        click.echo(f"{_plural(len(exc.errors), 'error')}{where}.", err=True)
        ctx.exit(1)
    count, files = len(manifests.campaigns), len(manifests.files)
    verb = "is" if count == 1 else "are"
    click.echo(f"{_plural(count, 'campaign')} in {_plural(files, 'file')} {verb} valid.")
