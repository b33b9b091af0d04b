"""`plan` lists the campaigns while the manifests load: the listing needs none of them. Bad
manifests still fail first, in their own words, and make no write."""

from __future__ import annotations

import threading

import pytest
from clirun import run_cli

import reconciler.manifest.loader as loader
from reconciler.emulator import EmulatorServer

GOOD = "campaigns:\n  - campaign_name: Alpha\n    concurrent_call: 3\n"
BAD = "campaigns:\n  - campaign_name: Alpha\n    concurrent_call: -3\n"


def test_the_listing_is_asked_for_while_the_manifests_load(api_env, tmp_path, monkeypatch):
    api_env.store.add_campaign({"campaign_name": "Alpha", "concurrent_call": 3})
    (tmp_path / "c.yaml").write_text(GOOD, encoding="utf-8")
    listed = threading.Event()

    def hook(method: str, target: str) -> None:
        if method == "GET" and target.startswith("/v3/campaign?"):
            listed.set()

    api_env.request_hook = hook
    real_load = loader.load_manifests
    seen_while_loading: list[bool] = []

    def load_manifests(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        # Loading waits (bounded) for the listing's first request: it comes only if the
        # listing was started before the manifests were loaded.
        seen_while_loading.append(listed.wait(10))
        return real_load(*args, **kwargs)

    monkeypatch.setattr(loader, "load_manifests", load_manifests)
    result = run_cli("plan", str(tmp_path), "--detailed-exitcode")
    assert result.code == 0, result.output
    assert seen_while_loading == [True]
    assert "No changes" in result.stdout


def test_invalid_manifests_fail_in_their_own_words_and_write_nothing(api_env, tmp_path):
    api_env.store.add_campaign({"campaign_name": "Alpha", "concurrent_call": 3})
    (tmp_path / "c.yaml").write_text(BAD, encoding="utf-8")
    result = run_cli("plan", str(tmp_path))
    assert result.code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"{tmp_path / 'c.yaml'}:3: concurrent_call: must be >= 0")
    assert api_env.write_requests() == []  # at most a page read and thrown away


@pytest.mark.parametrize(
    ("variable", "value"), [("RECONCILER_API_URL", ""), ("RECONCILER_TOKEN", "bad\ntoken")]
)
def test_invalid_manifests_are_reported_before_a_bad_url_or_token(
    api_env: EmulatorServer, tmp_path, monkeypatch, variable, value
):
    monkeypatch.setenv(variable, value)
    (tmp_path / "c.yaml").write_text(BAD, encoding="utf-8")
    result = run_cli("plan", str(tmp_path))
    assert result.code == 1
    assert "concurrent_call: must be >= 0" in result.stderr
    assert variable not in result.stderr
    assert api_env.requests == []  # no client could be made: nothing was asked
