"""`reconciler unlock`: break a stale tenant lock, after showing who holds it and since when."""

from __future__ import annotations

import sys

import click

from reconciler.commands._common import fail, global_options, settings
from reconciler.commands._live import make_client
from reconciler.safetext import shown


@click.command()
@click.option("--yes", is_flag=True, help="Break it without asking (required without a terminal).")
@global_options
def unlock(yes: bool) -> None:
    """Break the tenant lock an apply left behind (a killed process cannot release it).

    Shows the holder and its age first. Break it only when that apply is no longer running:
    another apply could then write at the same time.
    """
    from reconciler.lock import break_lock, read_lock

    cfg = settings()
    with make_client(cfg) as client:
        if cfg.environment:  # which tenant's lock: said before anything else
            click.echo(shown(f"Environment {cfg.environment} ({client.base_url})"))
        held = read_lock(client)
        if held is None:
            click.echo("The tenant is not locked.")
            return
        click.echo(f"The tenant is locked by {held.describe()}.")
        if not yes:
            if not sys.stdin.isatty():
                fail("no terminal to confirm on: pass --yes to break the lock (it was left as "
                     "it is)")
            answer = click.prompt(
                "Break it? Only if that apply is no longer running. Only 'yes' will be "
                "accepted", default="", show_default=False,
            )
            if answer.strip() != "yes":
                click.echo("Unlock cancelled: the lock was left as it is.", err=True)
                raise click.exceptions.Exit(1)
        if not break_lock(client, held):
            fail("the lock changed since it was shown (released, or taken by another apply); "
                 "it was left as it is: run unlock again to see it")
        click.echo("Lock broken.")
