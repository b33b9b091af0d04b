"""`reconciler validate PATH...`: check manifests offline (no API call), report every problem."""

from __future__ import annotations

import click

from reconciler.commands import _report
from reconciler.commands._common import global_options, plural, report_warnings
from reconciler.commands._policy import (
    echo_findings,
    load_checked_with_policies,
    no_policies_diagnostic,
    no_policies_note,
    refuse_if_blocking,
)
from reconciler.diagnostics.render import DOCUMENT_FORMATS, FORMATS
from reconciler.kinds.registry import kinds


@click.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help=(
        "How to report problems: text (default), json, sarif (2.1.0, for code scanning), "
        "github (workflow annotations, also printed by default under GitHub Actions) or "
        "gitlab (code quality report)."
    ),
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="Write the json/sarif/gitlab report to FILE, and show the text report as well.",
)
@global_options
def validate(paths: tuple[str, ...], fmt: str | None, out: str | None) -> None:
    """Check the manifests under PATH... (files or directories) without calling the API.

    Every problem is printed as FILE:LINE: MESSAGE; the exit code is 0 when all are valid.
    Policy findings (rules of reconciler.yaml) are printed as FILE:LINE: RULE_ID: MESSAGE;
    an unwaived error among them makes the exit code 1, warnings do not. With --format
    json/sarif/gitlab the report is also printed on stdout as that document (or written to
    --out), the text staying on stderr.
    """
    if out and fmt not in DOCUMENT_FORMATS:
        raise click.UsageError("--out needs --format json, sarif or gitlab")
    document_on_stdout = fmt in DOCUMENT_FORMATS and not out
    report = _report.begin(
        fmt, out=out, stdout_is_text=not document_on_stdout, anchor=paths[0]
    )
    # A ManifestError (manifests or reconciler.yaml) is reported by run_guarded.
    manifests, findings, policies = load_checked_with_policies(paths, live=False)
    note = no_policies_note(policies)  # said last, on stderr, and in the JSON document
    if note and fmt == "json":
        report.note([no_policies_diagnostic(note)])
    report_warnings(manifests.warnings)
    echo_findings(findings)
    report.note(manifests.diagnostics + [finding.diagnostic() for finding in findings])
    refuse_if_blocking(findings, "the manifests break the project's policies")
    count, files = len(manifests.campaigns), len(manifests.files)
    parts = [plural(count, "campaign")]
    for kind in kinds().values():  # the other kinds, said only where declared
        declared = len(manifests.specs(kind.name)) if not kind.primary else 0
        if declared:
            count += declared
            parts.append(f"{declared} {kind.name if declared == 1 else kind.plural}")
    what = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    verb = "is" if count == 1 else "are"
    warned = f" ({plural(len(manifests.warnings), 'warning')})" if manifests.warnings else ""
    summary = f"{what} in {plural(files, 'file')} {verb} valid{warned}."
    if manifests.environment:
        summary = f"Environment {manifests.environment}: {summary}"
    click.echo(summary, err=document_on_stdout)  # stdout holds only the document then
    if note:
        click.echo(f"Note: {note}", err=True)
    report.finish()
