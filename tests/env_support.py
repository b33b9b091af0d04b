"""Helpers of the two-tenant tests (the `tenants` fixture is in conftest.py): the CLI run
with a repository's reconciler.yaml, and a live campaign read from a tenant's store."""

from __future__ import annotations

from pathlib import Path

from clirun import run_cli

from reconciler.emulator import EmulatorServer


def cli(repo: Path, *args: str):  # noqa: ANN201
    return run_cli("--config", str(repo / "reconciler.yaml"), *args)


def live(server: EmulatorServer, name: str) -> dict:
    return server.store.get_campaign(server.store.campaign_uuid_by_name(name))
