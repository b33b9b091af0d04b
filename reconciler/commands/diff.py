"""`reconciler diff --env A --env B PATHS`: what would change in B to look like A now.

For promoting a tested change: A's live values, through the manifests' eyes (only the fields
entries declare, overrides and pins left per tenant), planned against B. Read-only.
"""

from __future__ import annotations

import click

from reconciler.commands._common import global_options, settings
from reconciler.commands._live import PARALLELISM_OPTION


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
    help="How to show the differences (a plan of the second environment).",
)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when the tenants differ.")
@PARALLELISM_OPTION
@global_options
def diff(paths: tuple[str, ...], fmt: str, detailed_exitcode: bool, parallelism: int) -> None:
    """Compare two live tenants through the manifests: --env SOURCE --env TARGET shows what
    would change in TARGET to look like SOURCE now."""
    from reconciler.api import ApiClient
    from reconciler.commands._env import chosen, connection
    from reconciler.commands._policy import environment_manifests, load_base
    from reconciler.diagnostics.model import Diagnostic
    from reconciler.kinds.registry import kinds
    from reconciler.plan.planner import match
    from reconciler.promote import promoted
    from reconciler.refresh import make_plan, read_live
    from reconciler.render import render

    cfg = settings()
    names = chosen(cfg, several=True)
    if len(names) != 2 or None in names:
        raise click.UsageError(
            "diff compares two environments: --env SOURCE --env TARGET (e.g. --env staging "
            "--env production: what would change in production to look like staging)"
        )
    source_name, target_name = names
    base, project = load_base(paths)
    source, _ = environment_manifests(base, project, source_name)
    target, _ = environment_manifests(base, project, target_name)
    url, environ = connection(cfg, source_name)
    with ApiClient.from_env(url, pool_size=parallelism, environ=environ) as client:
        live, catalog = read_live(client, source, parallelism=parallelism)
    # Every kind a manifest can hold the live values of (audio: no file comes back).
    matched = {
        name: match(kind, source.specs(name), live.get(name, []), source.where_for(name)).pairs
        for name, kind in kinds().items() if kind.exportable
    }
    desired, notes = promoted(source, target, matched, catalog)
    cfg.environment, cfg.environment_chosen = target_name, True
    url, environ = connection(cfg, target_name)
    with ApiClient.from_env(url, pool_size=parallelism, environ=environ) as client:
        the_plan = make_plan(client, desired, parallelism=parallelism)
    the_plan.notes[:0] = [
        Diagnostic(
            "note", "diff/compared",
            f"diff: what would change in {target_name} to look like {source_name} now "
            f"({source_name}'s live values of the declared fields; overrides and pins stay "
            "per environment)",
            category="plan",
        ),
        *notes,
    ]
    click.echo(render(the_plan, fmt), nl=False)
    if detailed_exitcode and the_plan.has_drift:
        raise click.exceptions.Exit(2)
