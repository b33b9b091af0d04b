"""`reconciler validate PATH...`: check manifests offline (no API call), report every problem."""

from __future__ import annotations

import click

from reconciler.commands._common import global_options, plural, report_warnings
from reconciler.commands._policy import echo_findings, load_checked, refuse_if_blocking


@click.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@global_options
def validate(paths: tuple[str, ...]) -> None:
    """Check the manifests under PATH... (files or directories) without calling the API.

    Every problem is printed as FILE:LINE: MESSAGE; the exit code is 0 when all are valid.
    Policy findings (rules of reconciler.yaml) are printed as FILE:LINE: RULE_ID: MESSAGE;
    an unwaived error among them makes the exit code 1, warnings do not.
    """
    # A ManifestError (manifests or reconciler.yaml) is reported by run_guarded.
    manifests, findings = load_checked(paths)
    report_warnings(manifests.warnings)
    echo_findings(findings)
    refuse_if_blocking(findings, "the manifests break the project's policies")
    count, files = len(manifests.campaigns), len(manifests.files)
    what = plural(count, "campaign")
    if manifests.templates:  # said only where templates are declared
        count += len(manifests.templates)
        what += f" and {plural(len(manifests.templates), 'template')}"
    verb = "is" if count == 1 else "are"
    warned = f" ({plural(len(manifests.warnings), 'warning')})" if manifests.warnings else ""
    click.echo(f"{what} in {plural(files, 'file')} {verb} valid{warned}.")
