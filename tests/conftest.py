"""Shared fixtures: a fresh local API emulator per test, and an environment pointing at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reconciler.emulator import EmulatorServer


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    """A started emulator on a free port with default carriers and templates, stopped after."""
    server = EmulatorServer(host="127.0.0.1", port=0)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def api_env(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> EmulatorServer:
    """The emulator, with RECONCILER_API_URL/RECONCILER_TOKEN set to it and no API key."""
    monkeypatch.setenv("RECONCILER_API_URL", emulator.url)
    monkeypatch.setenv("RECONCILER_TOKEN", emulator.token)
    monkeypatch.delenv("RECONCILER_API_KEY", raising=False)
    return emulator


@pytest.fixture(autouse=True)
def _no_project_config_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's RECONCILER_CONFIG must not bring policies into the tests."""
    monkeypatch.delenv("RECONCILER_CONFIG", raising=False)


@pytest.fixture(autouse=True)
def _not_in_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under GitHub Actions the CLI adds annotations to stdout; tests opt in explicitly."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


@pytest.fixture
def tenants(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, EmulatorServer]]:
    """Two emulators, staging and production, each with its own token; the generic
    variables unset."""
    servers = {
        "staging": EmulatorServer(token="staging-secret-token"),
        "production": EmulatorServer(token="production-secret-token"),
    }
    for server in servers.values():
        server.start()
    for name in ("RECONCILER_API_URL", "RECONCILER_TOKEN", "RECONCILER_API_KEY",
                 "RECONCILER_ENV"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("STAGING_TOKEN", servers["staging"].token)
    monkeypatch.setenv("PROD_TOKEN", servers["production"].token)
    monkeypatch.setenv("PROD_API_URL", servers["production"].url)
    try:
        yield servers
    finally:
        for server in servers.values():
            server.stop()
