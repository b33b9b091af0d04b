"""Environments: one repository drives two tenants (two emulators, so every uuid differs),
with overrides, per-environment pins, previous_names and saved plans that know their tenant."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clirun import run_cli
from env_support import cli, live

from reconciler.emulator import EmulatorServer

CONFIG = """\
environments:
  staging:
    api_url: {staging}
    token_env: STAGING_TOKEN
    overrides:
      - set: {{concurrent_call: 1}}
      - match: {{labels: {{purpose: advertising}}}}
        set: {{active: false}}
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


@pytest.fixture
def repo(tenants: dict[str, EmulatorServer], tmp_path: Path) -> Path:
    (tmp_path / "reconciler.yaml").write_text(
        CONFIG.format(staging=tenants["staging"].url), encoding="utf-8"
    )
    (tmp_path / "manifests").mkdir()
    (tmp_path / "manifests" / "c.yaml").write_text(MANIFEST, encoding="utf-8")
    return tmp_path


def test_one_repository_drives_two_tenants_with_their_own_uuids_and_overrides(tenants, repo):
    manifests = str(repo / "manifests")
    for env in ("staging", "production"):
        applied = cli(repo, "apply", manifests, "--env", env, "--auto-approve")
        assert applied.code == 0, applied.output
        assert applied.stdout.startswith(f"Environment {env} ({tenants[env].url})\n")
    staging, production = tenants["staging"], tenants["production"]
    assert staging.store.campaign_uuid_by_name("Reminder") != (
        production.store.campaign_uuid_by_name("Reminder")
    )
    # The override set staging's values; production has the manifests' own.
    assert live(staging, "Reminder")["concurrent_call"] == 1
    assert live(staging, "Promo")["active"] is False
    assert live(production, "Reminder")["concurrent_call"] == 5
    assert live(production, "Promo")["active"] is True
    for env in ("staging", "production"):
        again = cli(repo, "plan", manifests, "--env", env, "--detailed-exitcode")
        assert again.code == 0, again.output
        assert again.stdout.startswith(f"Environment {env} ")


def test_the_plan_says_which_values_an_override_set_in_every_format(tenants, repo):
    manifests = str(repo / "manifests")
    text = cli(repo, "plan", manifests, "--env", "staging")
    assert text.code == 0, text.output
    assert "+ concurrent_call: 1 (staging override)" in text.stdout
    assert "+ call_timeout: 40\n" in text.stdout  # not overridden: no origin
    document = json.loads(cli(repo, "plan", manifests, "--env", "staging",
                              "--format", "json").stdout)
    assert document["environment"] == "staging"
    reminder = next(c for c in document["changes"] if c["campaign_name"] == "Reminder")
    assert reminder["overrides"] == {
        "concurrent_call": {"environment": "staging", "source": f"{repo / 'reconciler.yaml'}:6"}
    }
    markdown = cli(repo, "plan", manifests, "--env", "staging", "--format", "markdown").stdout
    assert markdown.startswith("### Reconciler plan (environment staging)")
    assert "+ concurrent_call: 1 (staging override)" in markdown
    html = cli(repo, "plan", manifests, "--env", "staging", "--format", "html").stdout
    assert "Reconciler plan (environment staging)" in html and "staging override" in html
    sarif = json.loads(cli(repo, "plan", manifests, "--env", "staging", "--format",
                           "sarif").stdout)
    assert sarif["runs"][0]["properties"]["environment"] == "staging"
    production = cli(repo, "plan", manifests, "--env", "production")
    assert "override" not in production.stdout
    assert "+ concurrent_call: 5\n" in production.stdout


def test_a_saved_plan_is_refused_in_another_environment_not_called_stale(tenants, repo):
    manifests, plan_file = str(repo / "manifests"), str(repo / "plan.json")
    saved = cli(repo, "plan", manifests, "--env", "staging", "--out", plan_file)
    assert saved.code == 0, saved.output
    assert json.loads(Path(plan_file).read_text())["environment"] == "staging"
    production = tenants["production"]
    production.requests.clear()
    refused = cli(repo, "apply", "--plan", plan_file, "--env", "production", "--auto-approve")
    assert refused.code == 1
    assert "made for environment staging, not environment production" in refused.stderr
    assert "stale" not in refused.output
    assert production.write_requests() == []
    assert production.store.campaign_uuid_by_name("Reminder") is None
    applied = cli(repo, "apply", "--plan", plan_file, "--env", "staging", "--auto-approve")
    assert applied.code == 0, applied.output
    assert live(tenants["staging"], "Reminder")["concurrent_call"] == 1


def test_previous_names_renames_in_place_in_each_tenant_that_still_has_the_old_name(
    tenants, repo
):
    uuids = {}
    for env, server in tenants.items():
        uuids[env] = server.store.add_campaign({"campaign_name": "OldReminder",
                                                "concurrent_call": 5})
    # A third situation in production: the new name exists already (renamed by hand).
    tenants["production"].store.update_campaign_raw(uuids["production"],
                                                    campaign_name="Reminder")
    (repo / "manifests" / "c.yaml").write_text(
        "campaigns:\n  - campaign_name: Reminder\n    previous_names: [OldReminder]\n"
        "    concurrent_call: 5\n",
        encoding="utf-8",
    )
    manifests = str(repo / "manifests")
    planned = cli(repo, "plan", manifests, "--env", "staging")
    assert "renamed from \"OldReminder\"" in planned.stdout, planned.output
    for env in ("staging", "production"):
        applied = cli(repo, "apply", manifests, "--env", env, "--auto-approve")
        assert applied.code == 0, applied.output
        assert tenants[env].store.campaign_uuid_by_name("Reminder") == uuids[env]
        assert tenants[env].store.campaign_uuid_by_name("OldReminder") is None
    # Applied everywhere: a no-op from now on, in both.
    for env in ("staging", "production"):
        assert cli(repo, "plan", manifests, "--env", env, "--detailed-exitcode").code == 0


def test_choosing_the_environment_is_required_checked_and_never_ambiguous(
    tenants, repo, monkeypatch
):
    manifests = str(repo / "manifests")
    missing = cli(repo, "plan", manifests)
    assert missing.code == 1
    assert "declares environments (staging, production): choose one with --env" in missing.stderr
    typo = cli(repo, "status", manifests, "--env", "prodution")
    assert typo.code == 1
    assert "--env prodution: no such environment (did you mean 'production'?)" in typo.stderr
    monkeypatch.setenv("RECONCILER_API_URL", tenants["staging"].url)
    ambiguous = cli(repo, "export", "--out", str(repo / "out"), "--env", "production")
    assert ambiguous.code == 1 and "refused as ambiguous" in ambiguous.stderr
    monkeypatch.setenv("RECONCILER_API_URL", tenants["production"].url)  # the same: fine
    monkeypatch.setenv("RECONCILER_TOKEN", tenants["staging"].token)
    wrong_token = cli(repo, "plan", manifests, "--env", "production")
    assert wrong_token.code == 1 and "RECONCILER_TOKEN is set" in wrong_token.stderr
    assert tenants["staging"].token not in wrong_token.output
    monkeypatch.delenv("RECONCILER_TOKEN")
    monkeypatch.setenv("RECONCILER_ENV", "production")
    chosen = cli(repo, "plan", manifests)
    assert chosen.code == 0 and chosen.stdout.startswith("Environment production ")


def test_a_misspelt_override_field_is_a_located_error_with_did_you_mean(tenants, repo):
    config = repo / "reconciler.yaml"
    config.write_text(
        config.read_text().replace("{concurrent_call: 1}", "{concurent_call: 1}"),
        encoding="utf-8",
    )
    result = cli(repo, "validate", str(repo / "manifests"))
    assert result.code == 1
    assert (
        f"{config}:6: environments.staging.overrides[0]: unknown campaign field "
        "'concurent_call' (did you mean 'concurrent_call'?)"
    ) in result.stderr


def test_an_override_value_the_entry_cannot_take_is_located_at_the_override(tenants, repo):
    config = repo / "reconciler.yaml"
    config.write_text(
        config.read_text().replace("{concurrent_call: 1}", "{carrier: Billing}"),
        encoding="utf-8",
    )
    (repo / "manifests" / "c.yaml").write_text(
        "campaigns:\n  - campaign_name: Reminder\n"
        "    carrier_uuid: 5f427552-857e-4939-8edf-cbd0f1ef6842\n",
        encoding="utf-8",
    )
    # carrier replaces the entry's carrier_uuid (they may not be declared together).
    result = cli(repo, "plan", str(repo / "manifests"), "--env", "staging",
                 "--format", "json")
    document = json.loads(result.stdout)
    fields = document["changes"][0]["fields"]
    assert "carrier" in fields and "carrier_uuid" not in fields


def test_policies_run_on_the_overridden_values_and_point_at_the_override(tenants, repo):
    config = repo / "reconciler.yaml"
    config.write_text(
        config.read_text()
        + "policies:\n  rules:\n    - id: few-lines\n      severity: error\n"
        "      max: {concurrent_call: 2}\n",
        encoding="utf-8",
    )
    manifests = str(repo / "manifests")
    staging = cli(repo, "validate", manifests, "--env", "staging")
    assert staging.code == 0, staging.output
    production = cli(repo, "validate", manifests, "--env", "production")
    assert production.code == 1
    assert "few-lines" in production.stderr
    config.write_text(
        config.read_text().replace("{concurrent_call: 1}", "{concurrent_call: 9}"),
        encoding="utf-8",
    )
    located = cli(repo, "validate", manifests, "--env", "staging")
    assert located.code == 1
    assert f"{config}:6: few-lines" in located.stderr


def test_pins_per_environment_hold_each_tenants_own_uuid(tenants, repo):
    uuids = {env: server.store.add_campaign({"campaign_name": f"Legacy {env}"})
             for env, server in tenants.items()}
    (repo / "manifests" / "c.yaml").write_text(
        "campaigns:\n  - campaign_name: Reminder\n    campaign_uuid:\n"
        f"      staging: {uuids['staging']}\n      production: {uuids['production']}\n",
        encoding="utf-8",
    )
    manifests = str(repo / "manifests")
    for env in ("staging", "production"):
        applied = cli(repo, "apply", manifests, "--env", env, "--auto-approve")
        assert applied.code == 0, applied.output
        assert tenants[env].store.campaign_uuid_by_name("Reminder") == uuids[env]
    typo = (repo / "manifests" / "c.yaml").read_text().replace("production:", "prod:")
    (repo / "manifests" / "c.yaml").write_text(typo, encoding="utf-8")
    result = cli(repo, "validate", manifests)
    assert result.code == 1
    assert "campaign_uuid: no environment 'prod'" in result.stderr


def test_plan_every_environment_in_turn_with_the_worst_exit_code(tenants, repo):
    manifests = str(repo / "manifests")
    applied = cli(repo, "apply", manifests, "--env", "production", "--auto-approve")
    assert applied.code == 0, applied.output
    both = cli(repo, "plan", manifests, "--env", "all", "--detailed-exitcode")
    assert both.code == 2, both.output  # staging has changes, production none
    assert both.stdout.index("Environment staging") < both.stdout.index(
        "Environment production"
    )
    assert "No changes." in both.stdout.split("Environment production")[1]
    clean = cli(repo, "plan", manifests, "--env", "production", "--detailed-exitcode")
    assert clean.code == 0
    markdown = cli(repo, "plan", manifests, "--env", "staging", "--env", "production",
                   "--format", "markdown")
    assert "### Reconciler plan (environment staging)" in markdown.stdout
    assert "### Reconciler plan (environment production)" in markdown.stdout


def test_a_create_that_looks_like_an_unmanaged_live_object_hints_previous_names(
    tenants, repo
):
    tenants["staging"].store.add_campaign(
        {"campaign_name": "Reminder 2023", "concurrent_call": 1, "call_timeout": 40}
    )
    result = cli(repo, "plan", str(repo / "manifests"), "--env", "staging")
    assert result.code == 0, result.output
    assert 'looks like a rename of "Reminder 2023"' in result.output
    assert "add `previous_names: [Reminder 2023]`" in result.output


def test_diff_shows_what_would_change_in_production_to_look_like_staging(tenants, repo):
    manifests = str(repo / "manifests")
    for env in ("staging", "production"):
        assert cli(repo, "apply", manifests, "--env", env, "--auto-approve").code == 0
    staging = tenants["staging"]
    staging.store.update_campaign_raw(staging.store.campaign_uuid_by_name("Reminder"),
                                      call_timeout=60)  # tested by hand in staging
    tenants["production"].requests.clear()
    result = cli(repo, "diff", manifests, "--env", "staging", "--env", "production",
                 "--detailed-exitcode")
    assert result.code == 2, result.output
    assert result.stdout.startswith(f"Environment production ({tenants['production'].url})")
    assert "what would change in production to look like staging now" in result.stdout
    assert "~ call_timeout: 40 → 60" in result.stdout
    # concurrent_call differs by design (staging's override): not a promotion.
    assert "concurrent_call" not in result.stdout
    assert tenants["production"].write_requests() == []
    one = cli(repo, "diff", manifests, "--env", "staging")
    assert one.code == 1 and "diff compares two environments" in one.output


def test_export_and_status_name_their_environment(tenants, repo):
    manifests = str(repo / "manifests")
    assert cli(repo, "apply", manifests, "--env", "staging", "--auto-approve").code == 0
    exported = cli(repo, "export", "--out", str(repo / "out"), "--env", "staging")
    assert exported.code == 0, exported.output
    assert "from environment staging to" in exported.stdout
    assert "concurrent_call: 1" in (repo / "out" / "reminder.yaml").read_text()
    status = cli(repo, "status", manifests, "--env", "staging", "--format", "json")
    assert json.loads(status.stdout)["environment"] == "staging"
    text = cli(repo, "status", manifests, "--env", "production")
    assert text.stdout.startswith(f"Environment production ({tenants['production'].url})")


def test_the_github_recipe_applies_the_saved_plans_it_reviewed(tenants, repo, monkeypatch):
    """The recipe's own lines: plan every environment to plans/{env}.json, then each apply
    job applies its environment's saved plan (production's refused for staging)."""
    import shlex

    from ruamel.yaml import YAML

    recipe = YAML(typ="safe").load(
        (Path(__file__).parent.parent / "examples" / "ci" / "github-actions.yml").read_text()
    )
    (repo / "manifests").rename(repo / "campaigns")
    monkeypatch.chdir(repo)
    jobs = recipe["jobs"]

    def lines(job: str, needle: str) -> list[str]:
        return [step["run"] for step in jobs[job]["steps"]
                if step.get("run", "").startswith(needle)]

    (plan_line,) = lines("plan", "reconciler plan campaigns/ --env all --out")
    assert run_cli(*shlex.split(plan_line)[1:]).code == 0
    assert json.loads((repo / "plans" / "production.json").read_text())["environment"] == (
        "production"
    )
    for job, env in (("apply-staging", "staging"), ("apply-production", "production")):
        (apply_line,) = lines(job, "reconciler apply --plan")
        applied = run_cli(*shlex.split(apply_line)[1:])
        assert applied.code == 0, applied.output
        assert tenants[env].store.campaign_uuid_by_name("Reminder") is not None
    wrong = run_cli("apply", "--plan", "plans/production.json", "--env", "staging",
                    "--auto-approve")
    assert wrong.code == 1 and "made for environment production" in wrong.stderr


CARRIER_OVERRIDE = """\
      - match: {{kind: carrier, names: [Trunk]}}
        set: {{concurrent_call: 2}}
"""
CARRIER_MANIFEST = """\
carriers:
  - carrier_name: Trunk
    gateway_uuid: 953a918a-0035-4e6f-97d1-c64e7943b7df
    dial_type: sip_one_for_all
    concurrent_call: 30
"""


def test_an_override_sets_a_carriers_concurrent_call_in_one_environment(tenants, repo):
    """Overrides take every kind of entry (`match.kind` from the registry): a carrier's
    concurrent_call is 2 in staging, the manifest's 30 in production."""
    config = CONFIG.replace("        set: {{active: false}}\n",
                            "        set: {{active: false}}\n" + CARRIER_OVERRIDE)
    (repo / "reconciler.yaml").write_text(config.format(staging=tenants["staging"].url),
                                          encoding="utf-8")
    (repo / "manifests" / "trunk.yaml").write_text(CARRIER_MANIFEST, encoding="utf-8")
    manifests = str(repo / "manifests")
    assert cli(repo, "validate", manifests).code == 0
    plan = cli(repo, "plan", manifests, "--env", "staging")
    assert plan.code == 0, plan.output
    assert "staging override" in plan.stdout
    for env in ("staging", "production"):
        applied = cli(repo, "apply", manifests, "--env", env, "--auto-approve")
        assert applied.code == 0, applied.output
    for env, wanted in (("staging", 2), ("production", 30)):
        rows, _total = tenants[env].store.list_json("carrier", 1000, 0)
        (trunk,) = [row for row in map(json.loads, rows) if row["carrier_name"] == "Trunk"]
        assert trunk["concurrent_call"] == wanted
        again = cli(repo, "plan", manifests, "--env", env, "--detailed-exitcode")
        assert again.code == 0, again.output


def test_diff_compares_carriers_too(tenants, repo):
    """Every kind is compared, not campaigns and templates only: a carrier's description
    changed in staging shows as what would change in production."""
    for server in tenants.values():
        server.store.add_carrier("Pool", dial_type="channel_prefix", prefix_mobi="12",
                                 network={"viettel": 3}, caller_id="0287", description="one")
    (repo / "manifests" / "pool.yaml").write_text(
        "carriers:\n  - carrier_name: Pool\n    description: one\n", encoding="utf-8")
    manifests = str(repo / "manifests")
    for env in ("staging", "production"):
        assert cli(repo, "apply", manifests, "--env", env, "--auto-approve").code == 0
    staging = tenants["staging"]
    staging.store.add_carrier("Pool", staging.store.uuid_by_name("carrier", "Pool"),
                              dial_type="channel_prefix", prefix_mobi="12",
                              network={"viettel": 3}, caller_id="0287", description="two")
    tenants["production"].requests.clear()
    result = cli(repo, "diff", manifests, "--env", "staging", "--env", "production",
                 "--detailed-exitcode")
    assert result.code == 2, result.output
    assert "~ update carrier Pool" in result.stdout
    assert '~ description: "one" → "two"' in result.stdout
    assert "not compared" not in result.stdout
    assert tenants["production"].write_requests() == []


def test_env_without_a_reconciler_yaml_says_none_was_found(tmp_path, monkeypatch):
    # The CI recipe's `plan --env all` copied into a repository with no reconciler.yaml yet.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RECONCILER_CONFIG", raising=False)
    (tmp_path / "campaigns").mkdir()
    given = run_cli("plan", "campaigns", "--env", "all")
    assert given.code == 1
    assert given.stderr == (
        "error: --env all: no reconciler.yaml found (none here, none given with --config), so "
        "no environments are declared (add environments: to reconciler.yaml, or drop --env)\n"
    )
    monkeypatch.setenv("RECONCILER_ENV", "staging")
    from_variable = run_cli("plan", "campaigns")
    assert from_variable.code == 1
    assert from_variable.stderr.startswith("error: RECONCILER_ENV=staging: no reconciler.yaml")
    assert from_variable.stderr.endswith("or unset RECONCILER_ENV)\n")
