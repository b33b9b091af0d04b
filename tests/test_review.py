"""Risk first, refusals in the plan (issue 24), end to end through the emulator.

The pull request of the issue: it deletes a running campaign, switches one on while raising
its concurrency 30 → 300, widens a running campaign's window to 07:00–22:00 and moves OTP
calls to the marketing carrier. Four ordinary `~`/`-` lines before; now each comes out high
with its reasons in text, markdown and JSON, the refusal is in every format, and
`plan --detailed-exitcode` exits 1 until the delete is acknowledged in the manifest.
"""

from __future__ import annotations

import json
from pathlib import Path

from clirun import run_cli

from reconciler.emulator import EmulatorServer

NS_HOUR = 3600 * 10**9
CSKH = "9e0d2b7a-1c44-4f4e-8d2a-5b6c7d8e9f01"  # default seed carriers
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
OFFICE = {
    f"{day}_{edge}_time": hour * NS_HOUR
    for day in WEEKDAYS for edge, hour in (("start", 8), ("end", 17))
}

MANIFEST = """\
campaigns:
  - campaign_name: OldPromo
    state: absent{ack}
  - campaign_name: Promo
    active: true
    concurrent_call: 300
  - campaign_name: Reminder
    schedules:
      - mon-fri: "07:00-22:00"
  - campaign_name: OTP
    carrier: Marketing
"""


def seed(server: EmulatorServer) -> dict[str, str]:
    store = server.store
    return {
        "OldPromo": store.add_campaign(
            {"campaign_name": "OldPromo", "active": True, "status": "start"}
        ),
        "Promo": store.add_campaign(
            {"campaign_name": "Promo", "active": False, "concurrent_call": 30}
        ),
        "Reminder": store.add_campaign(
            {"campaign_name": "Reminder", "active": True, "status": "start",
             "schedules": [OFFICE]}
        ),
        "OTP": store.add_campaign(
            {"campaign_name": "OTP", "active": True, "status": "start", "carrier_uuid": CSKH}
        ),
    }


def write(tmp_path: Path, ack: str = "") -> str:
    (tmp_path / "campaigns.yaml").write_text(MANIFEST.format(ack=ack), encoding="utf-8")
    return str(tmp_path)


REASONS = {
    "OldPromo": ["deleted (state: absent), while running now"],
    "Promo": [
        "active false → true: it starts calling at its next window",
        "concurrent_call raised 30 → 300 (10×)",
    ],
    "Reminder": [
        "calling window widened on mon, tue, wed, thu, fri, while running",
        "running now: the change reaches calls in progress",
    ],
    "OTP": [
        "carrier switched CSKH → Marketing under a running campaign",
        "running now: the change reaches calls in progress",
    ],
}


def test_the_four_dangerous_changes_are_high_with_reasons_in_json(api_env, tmp_path):
    seed(api_env)
    result = run_cli("plan", write(tmp_path), "--format", "json")
    assert result.code == 0, result.output
    document = json.loads(result.stdout)
    risks = {change["campaign_name"]: change["risk"] for change in document["changes"]}
    assert risks == {name: {"level": "high", "reasons": reasons}
                     for name, reasons in REASONS.items()}
    assert document["risk"] == {"level": "high", "high": 4, "medium": 0, "low": 0}
    [refusal] = document["refusals"]
    assert refusal == {
        "code": "delete-running", "subject": "OldPromo",
        "message": "refusing to delete running campaign 'OldPromo' (status start); stop it "
        "first, acknowledge it (acknowledge: [delete-running]) or pass --force",
        "override": "acknowledge: [delete-running] on its entry (reviewed), or apply --force",
        "kind": "campaign", "source": refusal["source"], "acknowledged": False,
    }
    assert refusal["source"].endswith("campaigns.yaml:2")


def test_the_text_plan_leads_with_what_needs_care(api_env, tmp_path):
    seed(api_env)
    result = run_cli("plan", write(tmp_path))
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "Needs care: 4 high risk; apply refuses 1 as written (delete-running)."
    )
    care = lines[: lines.index("Reconciler will perform the following actions:")]
    for name, reasons in REASONS.items():
        head = next(line for line in care if f" {name}: " in line)
        assert head.lstrip().startswith("high") and head.endswith(reasons[0])
    assert "Apply will refuse:" in care
    assert any(line.startswith("  ✗ delete-running OldPromo") for line in care)
    assert sum(line.endswith("; high risk)") for line in lines) == 4  # each change's heading


def test_markdown_has_a_one_line_summary_and_a_needs_care_table_first(api_env, tmp_path):
    seed(api_env)
    result = run_cli("plan", write(tmp_path), "--format", "markdown")
    text = result.stdout
    first_screen = text.splitlines()[:3]
    assert "**⛔ Needs care: 4 high risk; apply refuses 1 as written (delete-running).**" in (
        first_screen)
    care, refuse, table = (text.index("#### Needs care"), text.index("#### Apply will refuse"),
                           text.index("| Action | Campaign |"))
    assert care < refuse < table  # before the details
    assert "| 🔴 high | update Promo | active false → true: it starts calling at its next " \
        "window<br>concurrent\\_call raised 30 → 300 (10×) |" in text
    assert "| ⛔ refused | `delete-running` | OldPromo" in text


def test_html_and_sarif_carry_risk_and_the_refusal(api_env, tmp_path):
    seed(api_env)
    page = run_cli("plan", write(tmp_path), "--format", "html").stdout
    assert page.index("data-care") < page.index('class="index"')
    assert page.count('data-risk="high" data-change=') == 4
    assert 'data-refusal="delete-running" data-acknowledged="false"' in page
    sarif = json.loads(run_cli("plan", write(tmp_path), "--format", "sarif").stdout)
    rules = [result["ruleId"] for result in sarif["runs"][0]["results"]]
    assert rules.count("risk/high") == 4 and "guard/running-campaign" in rules


def test_detailed_exitcode_is_1_until_the_delete_is_acknowledged_then_apply_needs_no_force(
    api_env, tmp_path
):
    uuids = seed(api_env)
    refused = run_cli("plan", write(tmp_path), "--detailed-exitcode")
    assert refused.code == 1, refused.output
    assert "error: apply would refuse this plan as written (1 refusal: delete-running)" in (
        refused.stderr)
    assert run_cli("apply", write(tmp_path), "--auto-approve").code == 1
    assert api_env.write_requests() == []

    manifests = write(tmp_path, ack="\n    acknowledge: [delete-running]")
    planned = run_cli("plan", manifests, "--detailed-exitcode")
    assert planned.code == 2, planned.output  # changes, none refused
    assert "acknowledged in review" in planned.stdout
    assert "  ✓ delete-running OldPromo" in planned.stdout
    document = json.loads(run_cli("plan", manifests, "--format", "json").stdout)
    assert [(r["code"], r["acknowledged"]) for r in document["refusals"]] == [
        ("delete-running", True)]
    assert document["changes"][0]["acknowledge"] == ["delete-running"]

    applied = run_cli("apply", manifests, "--auto-approve")  # no --force
    assert applied.code == 0, applied.output
    assert api_env.store.get_campaign(uuids["OldPromo"]) is None


def test_an_acknowledged_saved_plan_applies_without_force(api_env, tmp_path):
    uuids = seed(api_env)
    manifests = write(tmp_path, ack="\n    acknowledge: [delete-running]")
    plan_file = str(tmp_path / "plan.json")
    assert run_cli("plan", manifests, "--out", plan_file).code == 0
    applied = run_cli("apply", "--plan", plan_file, "--auto-approve")
    assert applied.code == 0, applied.output
    assert api_env.store.get_campaign(uuids["OldPromo"]) is None


def test_an_acknowledgement_no_change_needs_is_a_warning(api_env, tmp_path):
    seed(api_env)
    api_env.store.add_campaign({"campaign_name": "Quiet", "concurrent_call": 2})
    (tmp_path / "campaigns.yaml").write_text(
        "campaigns:\n"
        "  - campaign_name: Promo\n    concurrent_call: 31\n    acknowledge: [delete-running]\n"
        "  - campaign_name: Quiet\n    concurrent_call: 2\n    acknowledge: [delete-paused]\n",
        encoding="utf-8",
    )
    result = run_cli("plan", str(tmp_path), "--detailed-exitcode")
    assert result.code == 2, result.output  # a warning, not a refusal
    assert "campaigns.yaml:2: warning: acknowledge: delete-running is not needed: this " \
        "plan's update of campaign 'Promo' is not refused for it" in result.stdout
    assert "campaigns.yaml:7: warning: acknowledge: delete-paused is not needed: this plan " \
        "does not change campaign 'Quiet'" in result.stdout
    sarif = json.loads(run_cli("plan", str(tmp_path), "--format", "sarif").stdout)
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]].count(
        "guard/acknowledge-unneeded") == 2
