"""`reconciler schema`: print the JSON Schema of a manifest file (for editors and CI)."""

from __future__ import annotations

import click

from reconciler.commands._common import global_options


@click.command()
@global_options
def schema() -> None:
    """Print the JSON Schema of a manifest file (schema/manifest.schema.json is a copy).

    Point an editor at it, e.g. with a first line
    `# yaml-language-server: $schema=<path>/manifest.schema.json`.
    """
    from reconciler.manifest.schema import schema_json

    click.echo(schema_json(), nl=False)
