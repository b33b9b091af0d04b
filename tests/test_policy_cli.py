"""Policies end to end: validate, plan and apply through the real CLI against the emulator over
real HTTP. A policy error stops apply before any call; a waiver shows, with its reason, in every
report; labels are never sent."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from clirun import Run, run_cli

from reconciler.emulator import EmulatorServer

HOURS_NOTE = (
    "(Decree 91/2020/ND-CP: advertising calls only between 08:00 and 17:00, fines of 20-30 "
    "million VND per violation)"
)
DECREE = "policies:\n  presets: [vn-decree-91]\n"
EVENING_AD = """\
campaigns:
  - campaign_name: PromoEvening
    type_autocall: autocall_audio
    labels: {purpose: advertising, team: growth}
    concurrent_call: 5
    schedules:
      - mon-fri: "14:00-19:30"
"""
REASON = "Opted-in subscribers only (CRM consent MKT-2291)"
WAIVED_AD = EVENING_AD.replace(
    "    concurrent_call: 5\n",
    f'    policy_waivers:\n      vn-decree-91/calling-hours: "{REASON}"\n    concurrent_call: 5\n',
)
CALLING_HOURS_FINDING = (
    f"campaigns.yaml:7: vn-decree-91/calling-hours: mon-fri 14:00-19:30 ends after 17:00 "
    f"{HOURS_NOTE}"
)
REFUSAL = (
    "error: 1 policy error (listed above): nothing was changed. Fix the campaign, or waive the "
    "rule for it with policy_waivers: {RULE_ID: reason}"
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project directory as the current directory."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(project: Path, manifest: str, config: str = DECREE) -> None:
    (project / "reconciler.yaml").write_text(config, encoding="utf-8")
    (project / "campaigns.yaml").write_text(manifest, encoding="utf-8")


def run(*args: str) -> Run:
    result = run_cli(*args)
    assert "Traceback" not in result.output
    return result


# ---- Done when: an evening advertising campaign fails validate; apply writes nothing -------


def test_evening_advertising_fails_validate_with_rule_line_and_limit(project) -> None:
    write(project, EVENING_AD)
    result = run("validate", "campaigns.yaml")
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        CALLING_HOURS_FINDING,
        "Policy: 1 error.",
        "error: 1 policy error (listed above): the manifests break the project's policies. Fix "
        "the campaign, or waive the rule for it with policy_waivers: {RULE_ID: reason}",
    ]


def test_apply_refuses_before_any_call(project, api_env: EmulatorServer) -> None:
    write(project, EVENING_AD)
    result = run("apply", "campaigns.yaml", "--auto-approve")
    assert result.code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [CALLING_HOURS_FINDING, "Policy: 1 error.", REFUSAL]
    assert api_env.requests == []
    assert api_env.store.campaign_uuid_by_name("PromoEvening") is None


def test_apply_refuses_to_bring_a_live_campaign_into_violation(
    project, api_env: EmulatorServer
) -> None:
    write(project, EVENING_AD.replace("14:00-19:30", "14:00-17:00"))
    assert run("apply", "campaigns.yaml", "--auto-approve").code == 0
    before = api_env.store.get_campaign(api_env.store.campaign_uuid_by_name("PromoEvening"))
    api_env.requests.clear()

    write(project, EVENING_AD.replace("14:00-19:30", "14:00-17:00:01"))
    result = run("apply", "campaigns.yaml", "--auto-approve")
    assert result.code == 1
    assert result.stderr.splitlines()[0] == (
        "campaigns.yaml:7: vn-decree-91/calling-hours: mon-fri 14:00-17:00:01 ends after 17:00 "
        f"{HOURS_NOTE}"
    )
    assert api_env.write_requests() == []
    after = api_env.store.get_campaign(api_env.store.campaign_uuid_by_name("PromoEvening"))
    assert after == before


def test_saved_plan_with_a_policy_error_is_refused_without_a_write(
    project, api_env: EmulatorServer
) -> None:
    write(project, EVENING_AD)
    planned = run("plan", "campaigns.yaml", "--out", "plan.json")
    assert planned.code == 0  # plan reports; apply enforces
    assert "warning: apply will refuse: 1 policy error" in planned.stderr
    saved = json.loads((project / "plan.json").read_text(encoding="utf-8"))
    assert [item["rule"] for item in saved["policy"]] == ["vn-decree-91/calling-hours"]

    result = run("apply", "--plan", "plan.json", "--auto-approve")
    assert result.code == 1
    assert f"  {CALLING_HOURS_FINDING}" in result.stdout.splitlines()
    assert result.stderr.splitlines() == [REFUSAL]
    assert api_env.write_requests() == []
    assert api_env.store.campaign_uuid_by_name("PromoEvening") is None


# ---- Done when: a waiver passes validate and shows in every report --------------------------


def test_waiver_passes_validate_and_stays_visible(project) -> None:
    write(project, WAIVED_AD)
    result = run("validate", "campaigns.yaml")
    assert result.code == 0, result.output
    assert result.stdout == "1 campaign in 1 file is valid.\n"
    assert result.stderr.splitlines() == [
        CALLING_HOURS_FINDING.replace(":7:", ":9:") + f" [waived: {REASON}]",
        "Policy: 1 waived.",
    ]


def test_waiver_and_reason_in_markdown_html_and_json_plans(
    project, api_env: EmulatorServer
) -> None:
    write(project, WAIVED_AD)
    markdown = run("plan", "campaigns.yaml", "--format", "markdown")
    assert markdown.code == 0, markdown.output
    assert "#### Policy findings: 1 waived." in markdown.stdout
    row = next(line for line in markdown.stdout.splitlines() if "calling-hours" in line)
    assert row == (
        "| ✅ waived | `vn-decree-91/calling-hours` | PromoEvening | `campaigns.yaml:9` | mon-fri "
        "14:00-19:30 ends after 17:00 (Decree 91/2020/ND-CP: advertising calls only between "
        "08:00 and 17:00, fines of 20-30 million VND per violation)<br>**Waived:** Opted-in "
        "subscribers only (CRM consent MKT-2291) |"
    )

    page = run("plan", "campaigns.yaml", "--format", "html").stdout
    finding = re.search(r'<tr data-finding="vn-decree-91/calling-hours".*?</tr>', page)
    assert finding is not None
    assert 'data-kind="waived"' in finding.group()
    assert f"<b>Waived:</b> {REASON}</span>" in finding.group()
    assert "ends after 17:00" in finding.group()

    document = json.loads(run("plan", "campaigns.yaml", "--format", "json").stdout)
    assert document["format_version"] == 1
    assert document["policy"] == [
        {
            "rule": "vn-decree-91/calling-hours",
            "campaign_name": "PromoEvening",
            "severity": "error",
            "message": f"mon-fri 14:00-19:30 ends after 17:00 {HOURS_NOTE}",
            "source": "campaigns.yaml:9",
            "waived": True,
            "reason": REASON,
            "kind": "campaign",
        }
    ]
    assert api_env.write_requests() == []


def test_waived_campaign_applies_labels_never_sent_and_never_diffed(
    project, api_env: EmulatorServer
) -> None:
    write(project, WAIVED_AD)
    document = json.loads(run("plan", "campaigns.yaml", "--format", "json").stdout)
    [change] = document["changes"]
    assert "labels" not in change["fields"] and "policy_waivers" not in change["fields"]
    assert not {"labels", "policy_waivers"} & set(change["apply"]["create_body"])
    assert not {"labels", "policy_waivers"} & set(change["apply"]["put"])

    applied = run("apply", "campaigns.yaml", "--auto-approve")
    assert applied.code == 0, applied.output
    assert "Policy findings: 1 waived." in applied.stdout
    live = api_env.store.get_campaign(api_env.store.campaign_uuid_by_name("PromoEvening"))
    assert "labels" not in live and "policy_waivers" not in live

    relabelled = WAIVED_AD.replace("team: growth", "team: retention")
    write(project, relabelled)
    again = run("plan", "campaigns.yaml", "--detailed-exitcode")
    assert again.code == 0, again.output
    assert again.stdout.startswith("No changes.")
    assert again.stdout.endswith(
        "\n\nPolicy findings: 1 waived.\n"
        f"  {CALLING_HOURS_FINDING.replace(':7:', ':9:')} [waived: {REASON}]\n"
    )


# ---- Done when: a custom max rule is enforced ------------------------------------------------

MAX_RULE = """\
policies:
  rules:
    - id: max-concurrency
      severity: {severity}
      max: {{concurrent_call: 50}}
"""
BUSY = EVENING_AD.replace("concurrent_call: 5", "concurrent_call: 80").replace(
    "14:00-19:30", "14:00-16:00"
)


def test_custom_max_rule_blocks_apply(project, api_env: EmulatorServer) -> None:
    write(project, BUSY, MAX_RULE.format(severity="error"))
    checked = run("validate", "campaigns.yaml")
    assert checked.code == 1
    assert checked.stderr.splitlines()[0] == (
        "campaigns.yaml:5: max-concurrency: concurrent_call is 80; the maximum is 50"
    )
    applied = run("apply", "campaigns.yaml", "--auto-approve")
    assert applied.code == 1
    assert api_env.requests == []

    write(project, BUSY.replace("80", "50"), MAX_RULE.format(severity="error"))
    assert run("validate", "campaigns.yaml").code == 0
    assert run("apply", "campaigns.yaml", "--auto-approve").code == 0


def test_warnings_print_but_do_not_fail(project, api_env: EmulatorServer) -> None:
    write(project, BUSY, MAX_RULE.format(severity="warning"))
    line = "campaigns.yaml:5: max-concurrency: concurrent_call is 80; the maximum is 50 [warning]"
    checked = run("validate", "campaigns.yaml")
    assert checked.code == 0
    assert checked.stderr.splitlines() == [line, "Policy: 1 warning."]

    planned = run("plan", "campaigns.yaml")
    assert planned.code == 0
    assert f"Policy findings: 1 warning.\n  {line}\n\nPlan: 1 to create" in planned.stdout
    assert "apply will refuse" not in planned.stderr

    applied = run("apply", "campaigns.yaml", "--auto-approve")
    assert applied.code == 0, applied.output
    assert f"  {line}" in applied.stdout.splitlines()
    assert api_env.store.campaign_uuid_by_name("PromoEvening") is not None


def test_decree_preset_and_team_rule_together_in_the_text_plan(
    project, api_env: EmulatorServer
) -> None:
    config = DECREE + "  rules:\n" + MAX_RULE.format(severity="error").split("rules:\n")[1]
    write(project, BUSY.replace("14:00-16:00", "07:30-16:00"), config)
    planned = run("plan", "campaigns.yaml")
    assert planned.code == 0
    section = planned.stdout.split("\n\n")[-2]
    assert section.splitlines() == [
        "Policy findings: 2 errors.",
        f"  campaigns.yaml:7: vn-decree-91/calling-hours: mon-fri 07:30-16:00 starts before "
        f"08:00 {HOURS_NOTE}",
        "  campaigns.yaml:5: max-concurrency: concurrent_call is 80; the maximum is 50",
    ]
    assert planned.stderr.splitlines()[-1] == "warning: apply will refuse: 2 policy errors"


def test_docs_policies_example_is_real_output(project) -> None:
    # The files docs/policies.md writes are DECREE and EVENING_AD (test_readme checks the
    # page's example too, from the page's own shell block).
    page = (Path(__file__).parent.parent / "docs" / "policies.md").read_text(encoding="utf-8")
    assert DECREE in page and EVENING_AD in page
    block = page.split("```text\n", 1)[1].split("```", 1)[0]
    command, *expected = block.splitlines()
    assert command == "$ reconciler validate campaigns/"
    (project / "reconciler.yaml").write_text(DECREE, encoding="utf-8")
    (project / "campaigns").mkdir()
    (project / "campaigns" / "promotions.yaml").write_text(EVENING_AD, encoding="utf-8")
    result = run("validate", "campaigns/")
    assert result.code == 1
    assert result.stderr.splitlines() == expected


# ---- --target: only what the targeted apply touches can block it ----------------------------

CAP = "policies:\n  rules:\n    - id: cap\n      max: {concurrent_call: 10}\n"
URGENT_AND_OTHER = """\
campaigns:
  - campaign_name: Urgent
    concurrent_call: 5
  - campaign_name: Other
    concurrent_call: 50
"""
OTHER_FINDING = "campaigns.yaml:5: cap: concurrent_call is 50; the maximum is 10"


def test_apply_target_is_not_blocked_by_an_unrelated_campaign_s_error(
    project, api_env: EmulatorServer
) -> None:
    write(project, URGENT_AND_OTHER, CAP)
    assert run("apply", "campaigns.yaml", "--auto-approve").code == 1  # untargeted: refused
    assert api_env.write_requests() == []

    applied = run("apply", "campaigns.yaml", "--auto-approve", "--target", "Urgent")
    assert applied.code == 0, applied.output
    assert api_env.store.campaign_uuid_by_name("Urgent") is not None
    assert api_env.store.campaign_uuid_by_name("Other") is None
    assert "Policy findings: 1 outside --target (not blocking)." in applied.stdout
    assert f"  {OTHER_FINDING} [outside --target: not blocking]" in applied.stdout.splitlines()

    planned = run("plan", "campaigns.yaml", "--target", "Urgent", "--format", "json")
    assert planned.code == 0 and "apply will refuse" not in planned.stderr
    [finding] = json.loads(planned.stdout)["policy"]
    assert (finding["campaign_name"], finding["outside_target"]) == ("Other", True)


def test_apply_target_is_blocked_by_the_target_s_own_error_before_any_call(
    project, api_env: EmulatorServer
) -> None:
    write(project, URGENT_AND_OTHER, CAP)
    result = run("apply", "campaigns.yaml", "--auto-approve", "--target", "Other")
    assert result.code == 1
    assert result.stderr.splitlines() == [OTHER_FINDING, "Policy: 1 error.", REFUSAL]
    assert api_env.requests == []
    planned = run("plan", "campaigns.yaml", "--target", "Other")
    assert "warning: apply will refuse: 1 policy error" in planned.stderr


def test_apply_target_is_blocked_by_an_error_of_a_change_it_pulls_in(
    project, api_env: EmulatorServer
) -> None:
    """Renaming A to Bee needs Bee renamed to Cee first: Cee's error blocks; Other's does not."""
    a = api_env.store.add_campaign({"campaign_name": "A"})
    bee = api_env.store.add_campaign({"campaign_name": "Bee"})
    write(project, (
        "campaigns:\n"
        f"  - campaign_name: Bee\n    campaign_uuid: {a}\n"
        f"  - campaign_name: Cee\n    campaign_uuid: {bee}\n    concurrent_call: 40\n"
        "  - campaign_name: Other\n    concurrent_call: 50\n"
    ), CAP)
    api_env.requests.clear()
    result = run("apply", "campaigns.yaml", "--auto-approve", "--target", "A")
    assert result.code == 1
    assert "  campaigns.yaml:6: cap: concurrent_call is 40; the maximum is 10" in (
        result.stdout.splitlines())
    assert "  campaigns.yaml:8: cap: concurrent_call is 50; the maximum is 10 [outside " \
        "--target: not blocking]" in result.stdout.splitlines()
    assert result.stderr.splitlines()[-1] == REFUSAL
    assert api_env.write_requests() == []


def test_apply_annotates_warnings_and_waived_findings_under_github_actions(
    project, api_env: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    write(project, WAIVED_AD.replace("    concurrent_call: 5\n", "    concurrent_call: 5\n"
                                     "    recall_times: 2\n"))
    applied = run("apply", "campaigns.yaml", "--auto-approve")
    assert applied.code == 0, applied.output
    annotations = [line for line in applied.stdout.splitlines() if line.startswith("::")]
    assert [line.split(" ", 1)[0] for line in annotations] == ["::notice", "::warning"]
    assert "title=vn-decree-91/calling-hours::" in annotations[0]
    assert "title=vn-decree-91/one-call-a-day::" in annotations[1]
