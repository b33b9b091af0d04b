"""Saved plans: `plan --out` then `apply --plan` applies exactly that plan, or refuses."""

from __future__ import annotations

import json
from pathlib import Path

from clirun import run_cli

MANIFEST = """\
campaigns:
  - campaign_name: Existing
    concurrent_call: 7
  - campaign_name: Fresh
    description: brand new
    schedules:
      - mon-fri: "08:00-17:00"
  - campaign_name: Gone
    state: absent
"""


def setup(api_env, tmp_path: Path) -> tuple[str, str, dict[str, str]]:
    uuids = {
        "Existing": api_env.store.add_campaign({"campaign_name": "Existing", "concurrent_call": 1}),
        "Gone": api_env.store.add_campaign({"campaign_name": "Gone", "active": True}),
    }
    (tmp_path / "c.yaml").write_text(MANIFEST, encoding="utf-8")
    plan_file = str(tmp_path / "plan.json")
    saved = run_cli("plan", str(tmp_path), "--out", plan_file, "--detailed-exitcode")
    assert saved.code == 2, saved.output
    return str(tmp_path), plan_file, uuids


def test_saved_plan_applies_exactly_and_then_nothing_is_left(api_env, tmp_path):
    manifests, plan_file, uuids = setup(api_env, tmp_path)
    document = json.loads(Path(plan_file).read_text())
    assert document["api_url"] == api_env.url
    assert [(c["action"], c["campaign_name"]) for c in document["changes"]] == [
        ("delete", "Gone"),
        ("update", "Existing"),
        ("create", "Fresh"),
    ]
    assert all(c["apply"]["fingerprint"] for c in document["changes"] if c["action"] != "create")

    applied = run_cli("apply", "--plan", plan_file, "--auto-approve")
    assert applied.code == 0, applied.output
    assert api_env.store.get_campaign(uuids["Gone"]) is None
    assert api_env.store.get_campaign(uuids["Existing"])["concurrent_call"] == 7
    fresh = api_env.store.get_campaign(api_env.store.campaign_uuid_by_name("Fresh"))
    assert fresh["description"] == "brand new" and len(fresh["schedules"]) == 1
    assert run_cli("plan", manifests, "--detailed-exitcode").code == 0


def test_saved_plan_made_stale_by_an_out_of_band_change_is_refused(api_env, tmp_path):
    _, plan_file, uuids = setup(api_env, tmp_path)
    api_env.store.update_campaign_raw(uuids["Existing"], concurrent_call=3)
    api_env.requests.clear()
    refused = run_cli("apply", "--plan", plan_file, "--auto-approve")
    assert refused.code == 1
    assert "is stale" in refused.stderr
    assert "Existing: changed on the server since the plan was made" in refused.stderr
    assert api_env.write_requests() == []


def test_saved_plan_refused_when_a_planned_create_appeared(api_env, tmp_path):
    _, plan_file, _ = setup(api_env, tmp_path)
    api_env.store.add_campaign({"campaign_name": "Fresh"})
    api_env.requests.clear()
    refused = run_cli("apply", "--plan", plan_file, "--auto-approve")
    assert refused.code == 1 and "Fresh: a campaign of that name now exists" in refused.stderr
    assert api_env.write_requests() == []


def test_saved_plan_from_another_api_url_is_refused(api_env, tmp_path, monkeypatch):
    _, plan_file, _ = setup(api_env, tmp_path)
    document = json.loads(Path(plan_file).read_text())
    document["api_url"] = "https://autocall.example.vn"
    Path(plan_file).write_text(json.dumps(document))
    api_env.requests.clear()
    refused = run_cli("apply", "--plan", plan_file, "--auto-approve")
    assert refused.code == 1
    assert "made against https://autocall.example.vn" in refused.stderr
    assert api_env.write_requests() == []


def test_saved_plan_holds_no_token(api_env, tmp_path):
    _, plan_file, _ = setup(api_env, tmp_path)
    assert api_env.token not in Path(plan_file).read_text()


def test_a_file_that_is_not_a_plan_is_a_clean_error(api_env, tmp_path):
    bogus = tmp_path / "bogus.json"
    for text in ("{not json", '{"format_version": 99}', '{"format_version": 1}', "[]"):
        bogus.write_text(text)
        result = run_cli("apply", "--plan", str(bogus), "--auto-approve")
        assert result.code == 1, text
        assert "not a plan written by `reconciler plan --out`" in result.stderr
        assert "Traceback" not in result.output
    assert api_env.write_requests() == []
