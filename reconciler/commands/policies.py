"""`reconciler policies`: the rules in force, each with where it comes from (offline)."""

from __future__ import annotations

import click

from reconciler.commands._common import global_options, plural, settings


@click.command()
@global_options
def policies() -> None:
    """List the policy rules in force (presets and reconciler.yaml's own rules), with their
    source, severity, the campaigns each selects and what it checks."""
    from reconciler.policy.config import config_location, load_policies

    in_force = load_policies(settings().config)  # a bad config is reported as located errors
    if in_force.config is None:
        where, _ = config_location(settings().config)
        click.echo(
            f"No policies: {where} not found. Write one (see examples/reconciler.yaml) or "
            "name it with --config FILE."
        )
        return
    if not in_force.rules:
        click.echo(f"No policy rules in {in_force.config}.")
        return
    click.echo(f"{plural(len(in_force.rules), 'rule')} in force (from {in_force.config}):")
    for item in in_force.rules:
        rule = item.rule
        selects = rule.select.describe() if rule.select else "every campaign"
        click.echo(f"\n  {rule.id}  [{rule.severity}]  {item.origin}")
        click.echo(f"      selects: {selects}")
        click.echo(f"      checks:  {rule.describe()}")
        if rule.message:
            click.echo(f"      message: {rule.message}")
