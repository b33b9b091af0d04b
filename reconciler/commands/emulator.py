"""`reconciler emulator`: serve the local TEL4VN API until Ctrl-C (or SIGTERM)."""

from __future__ import annotations

import signal
import sqlite3
import sys
import time
from typing import Any

import click

from reconciler.commands._common import fail, global_options, settings
from reconciler.interrupt import Interrupted


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8080,
    show_default=True,
    help="Port to listen on; 0 picks a free one (printed).",
)
@click.option(
    "--db",
    metavar="FILE",
    default=":memory:",
    help="SQLite file keeping state across restarts (default: in memory).",
)
@click.option(
    "--seed",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="JSON or YAML with carriers, templates, campaigns and calls (for the call reports).",
)
@click.option(
    "--empty",
    is_flag=True,
    help="Start a tenant with nothing in it: no default carriers, templates or audio "
    "(--seed still applies).",
)
@click.option(
    "--token",
    default="dev-token",
    show_default=True,
    help="Static bearer token accepted on every call.",
)
@click.option(
    "--api-key",
    default="dev-api-key",
    show_default=True,
    help="API key that POST /v3/auth/token exchanges for a token.",
)
@click.option(
    "--page-cap",
    type=click.IntRange(min=1),
    default=None,
    help="Largest page served, whatever `limit` asks for (default: no cap).",
)
@click.option(
    "--latency-ms",
    type=click.FloatRange(min=0),
    default=0.0,
    help="Delay added to every request, in milliseconds.",
)
@click.option(
    "--fault",
    "faults",
    multiple=True,
    metavar="SPEC",
    help="Inject a fault, e.g. 'fail POST ^/v3/campaign$ 503 times=2 retry_after=1' "
    "or 'drop PUT /v3/campaign/ after'. Repeatable.",
)
@click.option(
    "--quirk",
    "quirks",
    multiple=True,
    metavar="NAME[=VALUE]",
    help="Break one documented behaviour, e.g. 'put-drops=schedules' or 'list-ignores-limit' "
    "(reconciler/emulator/quirks.py lists them). Repeatable.",
)
@global_options
def emulator(
    host: str,
    port: int,
    db: str,
    seed: str | None,
    empty: bool,
    token: str,
    api_key: str,
    page_cap: int | None,
    latency_ms: float,
    faults: tuple[str, ...],
    quirks: tuple[str, ...],
) -> None:
    """Serve the campaign, carrier, template and auth API locally, as the vendor docs
    describe it, for the quick start, tests and experiments."""
    from reconciler.emulator import EmulatorServer
    from reconciler.emulator.faults import parse_fault_spec
    from reconciler.emulator.quirks import Quirks
    from reconciler.emulator.seed import SeedError

    try:
        quirk_settings = Quirks.parse(quirks)
    except ValueError as exc:
        fail(f"--quirk: {exc}")
    try:
        server = EmulatorServer(
            host=host,
            port=port,
            db=db,
            token=token,
            api_key=api_key,
            page_cap=page_cap,
            latency_ms=latency_ms,
            seed=seed,
            verbose=settings().verbose,
            record_requests=False,
            quirks=quirk_settings,
            defaults=not empty,
        )
    except SeedError as exc:
        fail(str(exc))
    except sqlite3.Error as exc:
        fail(f"cannot open database {db}: {exc}")
    try:
        for spec in faults:
            parse_fault_spec(spec, server.faults)
        server.start()
    except ValueError as exc:
        server.store.close()
        fail(str(exc))
    except OSError as exc:
        server.store.close()
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    # Both credentials: the docs' first step sets RECONCILER_API_KEY, the examples a token.
    banner = f"emulator listening on {server.url} (token {token}, API key {api_key})"
    if quirk_settings.active():
        click.echo(f"quirks: {', '.join(quirk_settings.active())}", err=True)
    _serve_until_interrupted(server, banner)


def _serve_until_interrupted(server: Any, banner: str) -> None:
    """Announce, then wait; Ctrl-C or SIGTERM (even during the announcement) stops cleanly."""

    def interrupt(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    # Both, explicitly: a background CI step starts us with SIGINT ignored, and Python then
    # installs no KeyboardInterrupt handler of its own.
    previous = {signum: signal.signal(signum, interrupt)
                for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        click.echo(banner)
        sys.stdout.flush()
        while True:
            time.sleep(3600)
    except (KeyboardInterrupt, Interrupted):
        pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        server.stop()
    click.echo(
        f"emulator stopped (at most {server.peak_busy} requests at once, "
        f"{server.served} served)", err=True,
    )
