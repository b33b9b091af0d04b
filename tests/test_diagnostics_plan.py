"""What `plan` and `apply` report as diagnostics, over real HTTP against the emulator: plan
errors as a JSON document on stdout (exit 1), SARIF and GitLab documents, GitHub annotations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clirun import run_cli
from diagnostics_support import assert_valid_sarif

MISSING = "00000000-0000-4000-8000-000000000000"


def write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str]) -> None:
    monkeypatch.chdir(tmp_path)
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")


def only(document: dict) -> dict:
    (diagnostic,) = document["diagnostics"]
    return diagnostic


def test_plan_json_with_an_unknown_carrier_prints_the_located_diagnostic(
    api_env, tmp_path, monkeypatch
):
    write(tmp_path, monkeypatch, {"c.yaml": (
        "campaigns:\n  - campaign_name: One\n    concurrent_call: 2\n    carrier: Biling\n"
    )})
    result = run_cli("plan", "c.yaml", "--format", "json")
    assert result.code == 1
    document = json.loads(result.stdout)
    assert document == {
        "format_version": 1,
        "valid": False,
        "error_count": 1,
        "warning_count": 0,
        "note_count": 0,
        "diagnostics": [
            {
                "severity": "error",
                "code": "plan/unknown-carrier",
                "category": "plan",
                "summary": 'carrier: unknown carrier "Biling" (did you mean "Billing"?)',
                "detail": "",
                "subject": {"file": "c.yaml", "line": 4, "column": None, "kind": "campaign",
                            "campaign": "One", "template": None},
                "waived": False,
                "reason": None,
            }
        ],
    }
    # The text report is still on stderr, unchanged.
    assert result.stderr.splitlines() == [
        'c.yaml:4: carrier: unknown carrier "Biling" (did you mean "Billing"?)',
        "1 error in 1 file.",
    ]
    assert api_env.write_requests() == []
    # Asked to save the plan too: the document still comes on stdout, and no plan file.
    saved = run_cli("plan", "c.yaml", "--format", "json", "--out", "plan.json")
    assert (saved.code, saved.stdout) == (1, result.stdout)
    assert not (tmp_path / "plan.json").exists()


def test_plan_json_on_failure_includes_the_warnings_noted_before(api_env, tmp_path, monkeypatch):
    write(tmp_path, monkeypatch, {"c.yaml": (
        "campaigns:\n  - campaign_name: One\n    template: nope\n    schedules:\n"
        "      - mon: '08:00-12:00'\n      - mon: '11:00-13:00'\n"
    )})
    result = run_cli("plan", "c.yaml", "--format", "json")
    assert result.code == 1
    document = json.loads(result.stdout)
    assert [(d["severity"], d["code"], d["subject"]["line"]) for d in document["diagnostics"]] == [
        ("warning", "manifest/schedule-overlap", 6),
        ("error", "plan/unknown-template", 3),
    ]


def test_plan_json_on_success_is_the_plan_document(api_env, tmp_path, monkeypatch):
    write(tmp_path, monkeypatch, {"c.yaml": "campaigns:\n  - campaign_name: One\n"})
    result = run_cli("plan", "c.yaml", "--format", "json")
    assert result.code == 0
    document = json.loads(result.stdout)
    assert document["changes"][0]["action"] == "create"
    assert "diagnostics" not in document


def plan_error(tmp_path, monkeypatch, files, *args):  # noqa: ANN001, ANN201
    write(tmp_path, monkeypatch, files)
    result = run_cli("plan", ".", "--format", "json", *args)
    assert result.code == 1, result.output
    return json.loads(result.stdout)


def test_plan_time_errors_each_carry_their_code_and_entry(api_env, tmp_path, monkeypatch):
    promo = api_env.store.add_campaign({"campaign_name": "Promo"})
    api_env.store.add_campaign({"campaign_name": "Taken"})
    document = plan_error(tmp_path, monkeypatch, {"c.yaml": (
        "campaigns:\n"
        "  - campaign_name: A\n"
        f"    carrier_uuid: {MISSING}\n"
        "  - campaign_name: B\n"
        f"    campaign_uuid: {MISSING}\n"
    )})
    assert [(d["code"], d["subject"]["file"], d["subject"]["line"], d["subject"]["campaign"])
            for d in document["diagnostics"]] == [
        ("plan/pin-not-found", "./c.yaml", 5, "B"),
    ]
    document = plan_error(tmp_path, monkeypatch, {"c.yaml": (
        "campaigns:\n"
        "  - campaign_name: A\n"
        f"    carrier_uuid: {MISSING}\n"
    )})
    assert [(d["code"], d["subject"]["line"]) for d in document["diagnostics"]] == [
        ("plan/unknown-uuid", 3)
    ]
    document = plan_error(tmp_path, monkeypatch, {"c.yaml": (
        "campaigns:\n"
        f"  - campaign_name: Promo2026\n    campaign_uuid: {promo}\n"
        "  - campaign_name: Promo\n    concurrent_call: 1\n"
    )})
    diagnostic = only(document)
    assert (diagnostic["code"], diagnostic["subject"]["line"]) == ("plan/identity-conflict", 2)
    assert "is claimed by 2 entries" in diagnostic["summary"]
    document = plan_error(tmp_path, monkeypatch, {"c.yaml": (
        f"campaigns:\n  - campaign_name: Taken\n    campaign_uuid: {promo}\n"
    )})
    diagnostic = only(document)
    assert (diagnostic["code"], diagnostic["subject"]["line"]) == ("plan/rename-conflict", 2)
    document = plan_error(
        tmp_path, monkeypatch, {"c.yaml": "campaigns:\n  - campaign_name: A\n"},
        "--target", "Tken",
    )
    assert only(document)["code"] == "plan/unknown-target"
    assert only(document)["subject"] is None
    assert only(document)["summary"] == (
        "--target 'Tken' names no declared or live campaign (did you mean 'Taken'?)"
    )


def test_plan_sarif_on_failure_is_valid_and_located(api_env, tmp_path, monkeypatch):
    write(tmp_path, monkeypatch, {"c.yaml": "campaigns:\n  - campaign_name: A\n    carrier: X\n"})
    result = run_cli("plan", "c.yaml", "--format", "sarif")
    assert result.code == 1
    document = json.loads(result.stdout)
    assert_valid_sarif(document)
    (found,) = document["runs"][0]["results"]
    assert found["ruleId"] == "plan/unknown-carrier"
    assert found["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "c.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 3},
    }
    result = run_cli("plan", "c.yaml", "--format", "gitlab")
    assert result.code == 1
    assert [issue["location"] for issue in json.loads(result.stdout)] == [
        {"path": "c.yaml", "lines": {"begin": 3}}
    ]


RUNNING_AND_POLICY = {
    "c.yaml": (
        "campaigns:\n"
        "  - campaign_name: Live\n    state: absent\n"
        "  - campaign_name: Promo\n    labels: {purpose: advertising}\n    recall_times: 2\n"
        "    schedules:\n      - mon-fri: '09:00-16:00'\n"
    ),
    "reconciler.yaml": "policies:\n  presets: [vn-decree-91]\n",
}


def test_plan_sarif_on_success_carries_findings_and_guard_warnings(api_env, tmp_path, monkeypatch):
    api_env.store.add_campaign({"campaign_name": "Live", "active": True, "status": "start"})
    write(tmp_path, monkeypatch, RUNNING_AND_POLICY)
    result = run_cli("plan", "c.yaml", "--format", "sarif")
    assert result.code == 0, result.output
    document = json.loads(result.stdout)
    assert_valid_sarif(document)
    results = document["runs"][0]["results"]
    assert [(r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["region"])
            for r in results] == [
        ("vn-decree-91/one-call-a-day", "warning", {"startLine": 6}),
        ("risk/high", "warning", {"startLine": 2}),  # what needs care, at the entry
        ("guard/running-campaign", "warning", {"startLine": 2}),
    ]
    assert results[1]["message"]["text"] == (
        "high risk: delete campaign 'Live': deleted (state: absent), while running now"
    )
    assert results[2]["message"]["text"] == (
        "apply with default guards will refuse: refusing to delete running campaign 'Live' "
        "(status start); stop it first, acknowledge it (acknowledge: [delete-running]) or pass "
        "--force\nto proceed: acknowledge: [delete-running] on its entry (reviewed), or apply "
        "--force"
    )
    # With --out the document goes to the file and the text plan is shown.
    result = run_cli("plan", "c.yaml", "--format", "sarif", "--out", "plan.sarif")
    assert result.code == 0
    assert "Plan: 1 to create, 0 to update, 1 to delete." in result.stdout
    assert json.loads((tmp_path / "plan.sarif").read_text(encoding="utf-8")) == document
    assert "SARIF report written to plan.sarif." in result.stderr


def test_plan_github_prints_annotations_then_the_text_plan(api_env, tmp_path, monkeypatch):
    api_env.store.add_campaign({"campaign_name": "Live", "active": True, "status": "start"})
    write(tmp_path, monkeypatch, RUNNING_AND_POLICY)
    text = run_cli("plan", "c.yaml")
    result = run_cli("plan", "c.yaml", "--format", "github")
    assert result.code == 0
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert annotations == [
        "::warning file=c.yaml,line=6,title=vn-decree-91/one-call-a-day::recall_times is 2; "
        "the maximum is 0 (Decree 91/2020/ND-CP: at most one advertising call to a number "
        "per 24 hours, so no recalls)",
        "::warning file=c.yaml,line=2,title=risk/high::high risk: delete campaign 'Live': "
        "deleted (state: absent), while running now",
        "::warning file=c.yaml,line=2,title=guard/running-campaign::apply with default guards "
        "will refuse: refusing to delete running campaign 'Live' (status start); stop it "
        "first, acknowledge it (acknowledge: [delete-running]) or pass --force%0Ato proceed: "
        "acknowledge: [delete-running] on its entry (reviewed), or apply --force",
    ]
    assert result.stdout.endswith(text.stdout)
    assert result.stderr == text.stderr
    # The same under GitHub Actions without --format, and with markdown written to --out.
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert run_cli("plan", "c.yaml").stdout == result.stdout
    markdown = run_cli("plan", "c.yaml", "--format", "markdown", "--out", "plan.md")
    assert markdown.stdout == result.stdout
    # Documents on stdout are never mixed with annotations.
    assert not run_cli("plan", "c.yaml", "--format", "markdown").stdout.startswith("::")
    assert json.loads(run_cli("plan", "c.yaml", "--format", "json").stdout)["changes"]


def test_apply_refusals_are_annotated_under_github_actions(api_env, tmp_path, monkeypatch):
    api_env.store.add_campaign({"campaign_name": "Live", "active": True, "status": "start"})
    api_env.store.add_campaign({"campaign_name": "Old", "active": False})
    write(tmp_path, monkeypatch, {"c.yaml": (
        "campaigns:\n  - campaign_name: Live\n    state: absent\n"
        "  - campaign_name: Old\n    state: absent\n"
    )})
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = run_cli("apply", "c.yaml", "--auto-approve", "--max-deletes", "1")
    assert result.code == 1
    assert [line for line in result.stdout.splitlines() if line.startswith("::")] == [
        "::error title=guard/max-deletes::the plan deletes 2 campaigns, more than "
        "--max-deletes 1; check the plan, then raise --max-deletes if that is intended%0A"
        "to proceed: apply --max-deletes 2",
        "::error file=c.yaml,line=2,title=guard/running-campaign::refusing to delete running "
        "campaign 'Live' (status start); stop it first, acknowledge it (acknowledge: "
        "[delete-running]) or pass --force%0Ato proceed: acknowledge: [delete-running] on its "
        "entry (reviewed), or apply --force",
    ]
    assert result.stderr.startswith("error: the plan deletes 2 campaigns")
    assert api_env.write_requests() == []


def test_apply_policy_refusal_annotates_the_findings_only(api_env, tmp_path, monkeypatch):
    files = dict(RUNNING_AND_POLICY)
    files["c.yaml"] = files["c.yaml"].replace("16:00", "18:00")
    write(tmp_path, monkeypatch, files)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = run_cli("apply", "c.yaml", "--auto-approve")
    assert result.code == 1
    assert [line.split("::")[1] for line in result.stdout.splitlines()] == [
        "error file=c.yaml,line=8,title=vn-decree-91/calling-hours",
        "warning file=c.yaml,line=6,title=vn-decree-91/one-call-a-day",
    ]
    assert api_env.requests == []


def test_an_unreachable_api_is_a_diagnostic_too(tmp_path, monkeypatch):
    write(tmp_path, monkeypatch, {"c.yaml": "campaigns:\n  - campaign_name: A\n"})
    monkeypatch.setenv("RECONCILER_TOKEN", "t")
    result = run_cli("plan", "c.yaml", "--format", "json", "--api-url", "http://127.0.0.1:9")
    assert result.code == 1
    diagnostic = only(json.loads(result.stdout))
    assert (diagnostic["code"], diagnostic["subject"]) == ("api", None)
    assert diagnostic["summary"] in result.stderr


def test_plan_sarif_and_gitlab_report_an_api_failure_at_the_manifest(
    api_env, tmp_path, monkeypatch
):
    """An API error has no file; the documents still carry it (GitLab used to print [])."""
    monkeypatch.setenv("RECONCILER_RETRY_BACKOFF", "0")
    write(tmp_path, monkeypatch, {"c.yaml": "campaigns:\n  - campaign_name: A\n"})
    api_env.faults.fail("GET", "^/v3/campaign", 500, times=None)
    result = run_cli("plan", "c.yaml", "--format", "gitlab")
    assert result.code == 1
    [issue] = json.loads(result.stdout)
    assert (issue["check_name"], issue["severity"], issue["location"]) == (
        "api", "major", {"path": "c.yaml", "lines": {"begin": 1}})
    assert "500" in issue["description"]

    result = run_cli("plan", "c.yaml", "--format", "sarif")
    assert result.code == 1
    document = json.loads(result.stdout)
    assert_valid_sarif(document)
    [found] = document["runs"][0]["results"]
    assert found["ruleId"] == "api"
    assert found["locations"] == [{"physicalLocation": {
        "artifactLocation": {"uri": "c.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 1}}}]

    result = run_cli("plan", "c.yaml", "--format", "github")
    assert result.code == 1
    assert result.stdout.startswith("::error title=api::")


@pytest.mark.parametrize("kind, text, line, code", [
    ("carrier", "carriers:\n  - carrier_name: NewTrunk\n", 2, "plan/carrier-create-incomplete"),
    ("template", (
        "templates:\n  - template_name: Greeting\n    template_uuid: " + MISSING + "\n"
        "    content: Hello\n"
    ), 3, "plan/pin-not-found"),
])
def test_a_plan_error_names_its_entry_under_its_kind(
    api_env, tmp_path, monkeypatch, kind, text, line, code
):
    """A carrier's or a template's plan error is about that entry, under its kind's key (not
    `campaign`), in the JSON document and in SARIF."""
    write(tmp_path, monkeypatch, {"m.yaml": text})
    result = run_cli("plan", "m.yaml", "--format", "json")
    assert result.code == 1, result.output
    diagnostic = only(json.loads(result.stdout))
    name = "NewTrunk" if kind == "carrier" else "Greeting"
    assert diagnostic["code"] == code
    assert diagnostic["subject"]["kind"] == kind
    assert diagnostic["subject"][kind] == name
    assert (diagnostic["subject"]["file"], diagnostic["subject"]["line"]) == ("m.yaml", line)
    assert diagnostic["subject"]["campaign"] is None
    sarif = json.loads(run_cli("plan", "m.yaml", "--format", "sarif").stdout)
    (sarif_result,) = sarif["runs"][0]["results"]
    assert sarif_result["properties"] == {"kind": kind, kind: name}
