"""The plan JSON contract of docs/plan-json.md, checked key by key on a mixed real plan."""

from __future__ import annotations

import json

from clirun import run_cli

MANIFEST = """\
campaigns:
  - campaign_name: Created
    concurrent_call: 4
    schedules:
      - sat: "08:30-11:15"
  - campaign_name: Updated
    concurrent_call: 5
    recall_status: [busy, failed]
  - campaign_name: Same
    concurrent_call: 1
  - campaign_name: Deleted
    state: absent
"""
CONTRACT_CHANGE_KEYS = {"action", "campaign_name", "campaign_uuid", "fields"}


def test_plan_json_follows_the_contract(api_env, tmp_path):
    updated = api_env.store.add_campaign(
        {"campaign_name": "Updated", "concurrent_call": 1, "recall_status": ["failed", "busy"]}
    )
    api_env.store.add_campaign({"campaign_name": "Same", "concurrent_call": 1})
    deleted = api_env.store.add_campaign({"campaign_name": "Deleted", "active": False})
    (tmp_path / "c.yaml").write_text(MANIFEST)

    result = run_cli("plan", str(tmp_path), "--format", "json")
    assert result.code == 0, result.output
    document = json.loads(result.stdout)  # stdout holds the document and nothing else

    assert document["format_version"] == 1
    assert document["summary"] == {"create": 1, "update": 1, "delete": 1, "unchanged": 1}
    changes = document["changes"]
    assert [(c["action"], c["campaign_name"]) for c in changes] == [
        ("delete", "Deleted"),
        ("update", "Updated"),
        ("create", "Created"),
    ]
    for change in changes:
        assert CONTRACT_CHANGE_KEYS <= set(change)
        assert change["action"] in {"create", "update", "delete"}
        for diff in change["fields"].values():
            assert set(diff) == {"before", "after"}
    by_action = {c["action"]: c for c in changes}
    assert by_action["delete"]["campaign_uuid"] == deleted
    assert by_action["delete"]["fields"] == {}
    assert by_action["update"]["campaign_uuid"] == updated
    # recall_status is a set: only concurrent_call differs
    assert by_action["update"]["fields"] == {"concurrent_call": {"before": 1, "after": 5}}
    assert by_action["create"]["campaign_uuid"] is None
    assert by_action["create"]["fields"] == {
        "campaign_name": {"before": None, "after": "Created"},
        "concurrent_call": {"before": None, "after": 4},
        "schedules": {"before": None, "after": [{"sat": "08:30-11:15"}]},
    }


def test_no_change_plan_is_an_empty_list_with_counts(api_env, tmp_path):
    api_env.store.add_campaign({"campaign_name": "Same", "concurrent_call": 1})
    (tmp_path / "c.yaml").write_text(
        "campaigns:\n  - campaign_name: Same\n    concurrent_call: 1\n"
    )
    document = json.loads(run_cli("plan", str(tmp_path), "--format", "json").stdout)
    assert document["changes"] == []
    assert document["summary"] == {"create": 0, "update": 0, "delete": 0, "unchanged": 1}
