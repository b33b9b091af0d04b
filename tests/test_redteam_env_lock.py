"""Red team of environments and the tenant lock: what operators get wrong, each a test that
failed before its fix (two emulators as staging and production, over real HTTP)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clirun import run_cli
from env_support import cli, live
from hypothesis import given
from hypothesis import strategies as st

from reconciler.emulator import EmulatorServer
from reconciler.redact import url_shown

CONFIG = """\
environments:
  staging:
    api_url: {staging}
    token_env: STAGING_TOKEN
    overrides:
      - set: {{concurrent_call: 1}}
  production:
    api_url_env: PROD_API_URL
    token_env: PROD_TOKEN
"""
MANIFEST = """\
campaigns:
  - campaign_name: Reminder
    concurrent_call: 5
    call_timeout: 40
  - campaign_name: Promo
    labels: {purpose: advertising}
    concurrent_call: 3
"""
SECRET = "hunter2-password"


@pytest.fixture
def repo(tenants: dict[str, EmulatorServer], tmp_path: Path) -> Path:
    (tmp_path / "reconciler.yaml").write_text(
        CONFIG.format(staging=tenants["staging"].url), encoding="utf-8"
    )
    (tmp_path / "manifests").mkdir()
    (tmp_path / "manifests" / "c.yaml").write_text(MANIFEST, encoding="utf-8")
    return tmp_path


# ---- a URL holding credentials is never printed ---------------------------------------------


@pytest.mark.parametrize("url", [
    f"http://admin:{SECRET}@127.0.0.1:9/v3",  # refused for /v3: printed the URL whole
    f"ftp://admin:{SECRET}@host",  # refused for its scheme: printed the URL whole
    f"admin:{SECRET}@host",  # no scheme at all
    f"http://127.0.0.1:9/?token={SECRET}",  # a token in the query
    f"http://127.0.0.1:9/v3?token={SECRET}",
])
def test_an_api_url_holding_credentials_is_refused_without_printing_them(
    tenants, repo, monkeypatch, url
):
    monkeypatch.setenv("PROD_API_URL", url)
    through_env = cli(repo, "plan", str(repo / "manifests"), "--env", "production")
    assert through_env.code == 1 and through_env.stderr.startswith("error: ")
    assert SECRET not in through_env.output
    for name in ("STAGING_TOKEN", "PROD_TOKEN", "PROD_API_URL"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("RECONCILER_API_URL", url)
    monkeypatch.setenv("RECONCILER_TOKEN", "some-token-value")
    generic = run_cli("--config", "/dev/null", "plan", str(repo / "manifests"))
    assert generic.code == 1 and "error: " in generic.stderr
    assert SECRET not in generic.output


@given(st.text(alphabet="abc:/@?#.x-", max_size=30), st.text(alphabet="XYZ", min_size=3))
def test_a_url_as_shown_never_holds_its_user_info_or_query(url, secret):
    shown = url_shown(f"http://user:{secret}@{url}?t={secret}")
    assert secret not in shown
    assert url_shown("https://api.example.vn:8443/base") == "https://api.example.vn:8443/base"


# ---- export --update never takes an override's value back into the files --------------------


def test_export_update_in_an_environment_leaves_what_its_overrides_set(tenants, repo):
    manifests = repo / "manifests"
    assert cli(repo, "apply", str(manifests), "--env", "staging", "--auto-approve").code == 0
    staging = tenants["staging"]
    # Drift in staging: a field the manifests set, and one the staging override sets.
    staging.store.update_campaign_raw(staging.store.campaign_uuid_by_name("Reminder"),
                                      call_timeout=55, concurrent_call=7)
    result = cli(repo, "export", "--update", str(manifests), "--env", "staging")
    assert result.code == 0, result.output
    text = (manifests / "c.yaml").read_text(encoding="utf-8")
    assert "call_timeout: 55" in text  # drift the manifests own: taken back
    # The override's field: staging's value, not the manifests' (5 stays, for every tenant).
    assert "concurrent_call: 5" in text and "concurrent_call: 7" not in text
    assert "concurrent_call: 1\n" not in text
    assert (f"Kept: campaign 'Reminder': concurrent_call (set by the staging override at "
            f"{repo / 'reconciler.yaml'}:6; never taken back)") in result.stdout
    # Production has no override: nothing of staging's reaches it.
    assert cli(repo, "apply", str(manifests), "--env", "production", "--auto-approve").code == 0
    assert live(tenants["production"], "Reminder")["concurrent_call"] == 5


# ---- validate without --env judges every environment's values -------------------------------


def test_validate_without_env_refuses_an_override_that_breaks_a_policy_in_one_environment(
    tenants, repo
):
    config = repo / "reconciler.yaml"
    config.write_text(config.read_text() + (
        "    overrides:\n"
        "      - match: {names: [Reminder]}\n"
        "        set: {concurrent_call: 50}\n"
        "policies:\n  rules:\n    - id: max-cc\n      severity: error\n"
        "      max: {concurrent_call: 10}\n"
    ), encoding="utf-8")
    manifests = str(repo / "manifests")
    result = cli(repo, "validate", manifests)
    assert result.code == 1, result.output
    assert (f"{config}:12: max-cc: concurrent_call is 50; the maximum is 10 "
            "(environment production)") in result.stderr
    assert result.stderr.count("max-cc") == 1
    assert cli(repo, "validate", manifests, "--env", "staging").code == 0
    refused = cli(repo, "apply", manifests, "--env", "production", "--auto-approve")
    assert refused.code == 1 and "1 policy error" in refused.stderr


# ---- an override that matches nothing, one that deletes -------------------------------------


def test_an_override_that_matches_nothing_is_a_located_warning_with_did_you_mean(tenants, repo):
    config = repo / "reconciler.yaml"
    config.write_text(config.read_text().replace(
        "      - set: {concurrent_call: 1}\n",
        "      - match: {names: [Remnder]}\n        set: {concurrent_call: 1}\n",
    ), encoding="utf-8")
    manifests = str(repo / "manifests")
    warning = (f"{config}:6: warning: environments.staging.overrides[0] matches no campaign "
               "entry, so it changes nothing (did you mean 'Reminder'?)")
    validated = cli(repo, "validate", manifests)  # every environment's overrides, offline
    assert validated.code == 0 and warning in validated.stderr
    planned = cli(repo, "plan", manifests, "--env", "staging")
    assert planned.code == 0 and warning in planned.stderr
    assert "warning" not in cli(repo, "plan", manifests, "--env", "production").stderr


def test_an_override_that_deletes_an_entry_says_so_wherever_the_delete_is_shown(tenants, repo):
    config = repo / "reconciler.yaml"
    config.write_text(config.read_text() + (
        "    overrides:\n      - match: {names: [Promo]}\n        set: {state: absent}\n"
    ), encoding="utf-8")
    manifests = str(repo / "manifests")
    assert cli(repo, "apply", manifests, "--env", "production", "--auto-approve").code == 0
    assert tenants["production"].store.campaign_uuid_by_name("Promo") is None  # not created
    tenants["production"].store.add_campaign({"campaign_name": "Promo", "active": False})
    text = cli(repo, "plan", manifests, "--env", "production").stdout
    assert "  medium  delete Promo: deleted (state: absent (production override))" in text
    line = next(line for line in text.splitlines() if line.startswith("  - delete Promo"))
    assert "state: absent (production override)" in line
    assert f"{config}:12;" in line  # the override's line, not the manifest's entry
    markdown = cli(repo, "plan", manifests, "--env", "production", "--format", "markdown")
    assert "state: absent (production override)" in markdown.stdout
    html = cli(repo, "plan", manifests, "--env", "production", "--format", "html").stdout
    assert "deleted (live status: stop) by state: absent (production override)" in html
    document = json.loads(cli(repo, "plan", manifests, "--env", "production", "--format",
                              "json").stdout)
    (delete,) = [c for c in document["changes"] if c["action"] == "delete"]
    assert delete["overrides"] == {"state": {"environment": "production",
                                             "source": f"{config}:12"}}
    assert delete["source"] == f"{config}:12"


# ---- choosing environments: all at once is for plan only ------------------------------------


@pytest.mark.parametrize("command", [
    ["apply", "{manifests}", "--auto-approve"], ["unlock", "--yes"], ["status", "{manifests}"],
])
def test_env_all_on_a_command_of_one_tenant_is_refused_as_such(tenants, repo, command):
    args = [part.format(manifests=repo / "manifests") for part in command]
    result = cli(repo, *args, "--env", "all")
    assert result.code == 1
    assert "--env all: this command works on one environment at a time" in result.stderr
    assert "no such environment" not in result.stderr
    assert tenants["staging"].store.campaign_uuid_by_name("Reminder") is None
    assert tenants["production"].store.campaign_uuid_by_name("Reminder") is None


# ---- the lock: unlock names its tenant, hostile lock text is escaped ------------------------


def lock_template(server: EmulatorServer, description: str) -> str:
    return server.store.add_template("~reconciler-lock", description=description)


def test_unlock_names_its_environment_and_both_commands_escape_a_hostile_lock(tenants, repo):
    record = {"lock": "reconciler tenant lock", "pid": 1, "nonce": "n",
              "holder": "evil\x1b[2J\x1b]0;pwned\x07\u202eoops\r\nLock released",
              "since": "2024-01-01T00:00:00Z\x1b[31m", "plan_digest": "sha256:\u202e",
              "version": "0.1\x1b[0m"}
    lock_template(tenants["production"], json.dumps(record))
    refused = cli(repo, "apply", str(repo / "manifests"), "--env", "production",
                  "--auto-approve")
    assert refused.code == 1 and "locked by another apply" in refused.stderr
    broken = cli(repo, "unlock", "--env", "production", "--yes")
    assert broken.code == 0, broken.output
    # Which tenant's lock is broken: said first (an operator with two tenants must know).
    assert broken.stdout.startswith(f"Environment production ({tenants['production'].url})\n")
    assert "Lock broken." in broken.stdout
    for output in (refused.output, broken.output):
        assert not any(char in output for char in "\x1b\x07\u202e\r")
        assert "evil\\x1b[2J\\x1b]0;pwned\\x07\\u202eoops\\r\\nLock released" in output
    assert tenants["production"].store.campaign_uuid_by_name("Reminder") is None
