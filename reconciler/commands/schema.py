"""`reconciler schema [manifest|config]`: print a JSON Schema (for editors and CI)."""

from __future__ import annotations

import click

from reconciler.commands._common import global_options


@click.command()
@click.argument("which", type=click.Choice(["manifest", "config"]), default="manifest")
@global_options
def schema(which: str) -> None:
    """Print the JSON Schema of a manifest file (schema/manifest.schema.json is a copy), or
    with `config` of reconciler.yaml (schema/reconciler.schema.json).

    Point an editor at it, e.g. with a first line
    `# yaml-language-server: $schema=<path>/manifest.schema.json`.
    """
    if which == "config":
        from reconciler.policy.schema import config_schema_json

        click.echo(config_schema_json(), nl=False)
        return
    from reconciler.manifest.schema import schema_json

    click.echo(schema_json(), nl=False)
