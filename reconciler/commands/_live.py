"""Helpers shared by the commands that talk to the API: client, progress, plan output."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import click

from reconciler.commands._common import Settings
from reconciler.errors import ReconcilerError

PARALLELISM_OPTION = click.option(
    "--parallelism",
    "-p",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help=(
        "The most API calls in flight at once (a ceiling). Calls start 4 at a time, more "
        "while the API answers as fast, half as many after a 429/5xx or slower answers. The "
        "default 8 is polite to an API whose limits are not documented; raise it on a "
        "distant link (30 ms away, -p 32 plans about twice as fast)."
    ),
)


PRUNE_OPTION = click.option(
    "--prune",
    is_flag=True,
    help="Also delete autocall campaigns no manifest declares (and, when the manifests declare "
    "templates, undeclared templates no campaign uses).",
)
TARGET_OPTION = click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="NAME",
    help="Only these campaigns or templates (repeatable; a name no manifest or live object has "
    "is an error).",
)


def make_client(cfg: Settings, parallelism: int = 8):  # noqa: ANN201 - lazy import of the HTTP stack
    """A client for the chosen environment's API (or the global settings' without one)."""
    from reconciler.api import ApiClient

    url, environ = client_settings(cfg)  # a bad URL is an error before anything happens
    _show_retries()
    return ApiClient.from_env(url, pool_size=parallelism, environ=environ)


def client_settings(cfg: Settings) -> tuple[str, Mapping[str, str] | None]:
    """(API URL, credential variables) of the environment chosen (choosing it if no
    manifest load did: a command without manifests still needs --env)."""
    from reconciler.commands import _report
    from reconciler.commands._env import chosen, connection

    if not cfg.environment_chosen:
        cfg.environment = chosen(cfg)[0]
        cfg.environment_chosen = True
        _report.set_environment(cfg.environment)
    return connection(cfg, cfg.environment)


def _show_retries() -> None:
    """On a terminal, say each retry as it happens: a wait of many seconds is never silent.
    (--verbose logs them anyway; piped output stays clean for CI logs and scripts.)"""
    if not sys.stderr.isatty():
        return
    notices = logging.getLogger("reconciler.retries")
    if not notices.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        notices.addHandler(handler)
    notices.setLevel(logging.INFO)
    notices.propagate = False


class EarlyRead:
    """The client, and the campaign listing under way while the manifests load."""

    def __init__(self, client, listing, problem: ReconcilerError | None):  # noqa: ANN001
        self._client, self.listing, self._problem = client, listing, problem

    def client(self):  # noqa: ANN201 - lazy import of the HTTP stack
        """The client; a bad URL or credentials are raised here, after the manifests have
        been checked, so their errors still come first."""
        if self._problem is not None:
            raise self._problem
        return self._client


@contextmanager
def reading_early(cfg: Settings, parallelism: int = 8) -> Iterator[EarlyRead]:
    """Start listing the campaigns now, before the manifests are loaded (the listing needs
    none of them). Manifests that turn out invalid throw the read away: no write is ever
    made for them."""
    from reconciler.early import EarlyListing

    try:
        client = make_client(cfg, parallelism)
    except ReconcilerError as exc:
        problem = exc
    else:
        problem = None
    if problem is not None:
        yield EarlyRead(None, None, problem)
        return
    with client:
        listing = EarlyListing(client)
        try:
            yield EarlyRead(client, listing, None)
        finally:
            listing.abandon()  # read in full by then, unless the manifests were refused


@contextmanager
def detail_progress(label: str) -> Iterator:
    """A progress bar on a terminal's stderr for detail reads; silent when piped."""
    if not sys.stderr.isatty():
        yield None
        return
    state: dict = {}

    def update(done: int, total: int) -> None:
        bar = state.get("bar")
        if bar is None:
            bar = state["bar"] = click.progressbar(length=total, label=label, file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        yield update
    finally:
        if "bar" in state:
            state["bar"].__exit__(None, None, None)


def plan_with_progress(
    client, manifests, *, prune: bool, targets: tuple[str, ...], parallelism: int,
    early: EarlyRead | None = None,
):  # noqa: ANN001, ANN201 - lazy imports keep `validate` light
    """Plan loaded manifests against the live API, with a progress bar on a terminal
    (`early`: the campaign listing started before the manifests were loaded)."""
    from reconciler.refresh import make_plan

    with detail_progress("Reading campaigns") as progress:
        return make_plan(
            client,
            manifests,
            prune=prune,
            targets=targets,
            parallelism=parallelism,
            progress=progress,
            listing=early.listing.follow if early and early.listing else None,
        )
