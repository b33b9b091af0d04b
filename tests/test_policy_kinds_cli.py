"""Policies on carriers and templates end to end: the real CLI against the emulator over real
HTTP. Their findings are located at their entries in validate, every plan format, SARIF and
annotations; an error on one blocks apply like a campaign's (only targeted ones under
--target); a waiver on a carrier is honoured and shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clirun import Run, run_cli
from diagnostics_support import assert_valid_sarif

from reconciler.emulator import EmulatorServer

GATEWAY = "953a918a-0035-4e6f-97d1-c64e7943b7df"
CONFIG = """\
policies:
  rules:
    - id: carriers/caller-id
      select: {kind: carrier}
      required: [caller_id]
    - id: templates/voices
      select: {kind: template}
      allowed: {voice_tts: [north-f-01, south-f-03]}
"""
REASON = "Outbound-only trunk: the provider sets the number"
CARRIERS = f"""\
carriers:
  - carrier_name: NoCaller
    gateway_uuid: {GATEWAY}
    dial_type: sip_one_for_all
    concurrent_call: 20
  - carrier_name: Trunk
    gateway_uuid: {GATEWAY}
    dial_type: sip_one_for_all
    concurrent_call: 20
    policy_waivers:
      carriers/caller-id: "{REASON}"
"""
TEMPLATE = """\
templates:
  - template_name: Greeting
    voice_type: tts
    voice_tts: north-m-01
    content: Xin chào
"""
NO_CALLER = "m.yaml:2: carriers/caller-id: caller_id must be declared"
WAIVED = f"m.yaml:6: carriers/caller-id: caller_id must be declared [waived: {REASON}]"
VOICE = (
    "m.yaml:15: templates/voices: voice_tts 'north-m-01' is not allowed here; allowed: "
    "'north-f-01', 'south-f-03'"
)
REFUSAL = (
    "error: 2 policy errors (listed above): nothing was changed. Fix the entry, or waive the "
    "rule for it with policy_waivers: {RULE_ID: reason}"
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(project: Path, manifest: str = CARRIERS + TEMPLATE, config: str = CONFIG) -> None:
    (project / "reconciler.yaml").write_text(config, encoding="utf-8")
    (project / "m.yaml").write_text(manifest, encoding="utf-8")


def carrier_names(api_env: EmulatorServer) -> set[str]:
    rows, _total = api_env.store.list_json("carrier", 1000, 0)
    return {json.loads(row)["carrier_name"] for row in rows}


def run(*args: str) -> Run:
    result = run_cli(*args)
    assert "Traceback" not in result.output
    return result


def test_validate_reports_carrier_and_template_findings_at_their_entries(project) -> None:
    write(project)
    result = run("validate", "m.yaml")
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        NO_CALLER,
        WAIVED,
        VOICE,
        "Policy: 2 errors, 1 waived.",
        "error: 2 policy errors (listed above): the manifests break the project's policies. "
        "Fix the entry, or waive the rule for it with policy_waivers: {RULE_ID: reason}",
    ]


def test_a_waived_carrier_alone_passes_validate_and_shows_its_reason(project) -> None:
    write(project, CARRIERS.split("  - carrier_name: NoCaller")[0]
          + "  - carrier_name: Trunk" + CARRIERS.split("  - carrier_name: Trunk")[1])
    result = run("validate", "m.yaml")
    assert result.code == 0, result.output
    assert result.stderr.splitlines()[:2] == [
        f"m.yaml:2: carriers/caller-id: caller_id must be declared [waived: {REASON}]",
        "Policy: 1 waived.",
    ]


def test_plan_shows_them_in_every_format(project, api_env: EmulatorServer) -> None:
    write(project)
    text = run("plan", "m.yaml")
    assert text.code == 0  # plan reports; apply enforces
    lines = text.stdout.splitlines()
    assert "Policy findings: 2 errors, 1 waived." in lines
    assert [f"  {NO_CALLER}", f"  {WAIVED}", f"  {VOICE}"] == [
        line for line in lines if line.startswith("  m.yaml:")
    ]
    assert "warning: apply will refuse: 2 policy errors" in text.stderr

    document = json.loads(run("plan", "m.yaml", "--format", "json").stdout)
    assert [
        (item["kind"], item["campaign_name"], item["rule"], item["source"], item["waived"])
        for item in document["policy"]
    ] == [
        ("carrier", "NoCaller", "carriers/caller-id", "m.yaml:2", False),
        ("carrier", "Trunk", "carriers/caller-id", "m.yaml:6", True),
        ("template", "Greeting", "templates/voices", "m.yaml:15", False),
    ]
    assert document["policy"][1]["reason"] == REASON

    markdown = run("plan", "m.yaml", "--format", "markdown").stdout
    assert "| carrier NoCaller | `m.yaml:2` | caller\\_id must be declared |" in markdown
    assert "fix the carrier, or waive the rule on its entry" in markdown
    assert f"**Waived:** {REASON}" in markdown
    assert "| template Greeting | `m.yaml:15` |" in markdown
    html = run("plan", "m.yaml", "--format", "html").stdout
    assert "<td>carrier Trunk</td>" in html
    assert api_env.write_requests() == []


def test_apply_refuses_a_carrier_and_a_template_error_before_any_call(
    project, api_env: EmulatorServer
) -> None:
    write(project)
    result = run("apply", "m.yaml", "--auto-approve")
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        NO_CALLER, WAIVED, VOICE, "Policy: 2 errors, 1 waived.", REFUSAL,
    ]
    assert api_env.requests == []


def test_with_target_only_the_targeted_carrier_s_error_blocks(
    project, api_env: EmulatorServer
) -> None:
    write(project, CARRIERS)
    refused = run("apply", "m.yaml", "--target", "NoCaller", "--auto-approve")
    assert refused.code == 1
    assert "error: 1 policy error (listed above)" in refused.stderr
    assert "Fix the carrier" in refused.stderr
    assert api_env.write_requests() == []

    done = run("apply", "m.yaml", "--target", "Trunk", "--auto-approve")
    assert done.code == 0, done.output
    assert f"  {NO_CALLER} [outside --target: not blocking]" in done.stdout.splitlines()
    assert "Trunk" in carrier_names(api_env)
    assert "NoCaller" not in carrier_names(api_env)


def test_a_waived_carrier_is_applied_and_its_waiver_shown(
    project, api_env: EmulatorServer
) -> None:
    write(project, CARRIERS.replace("    concurrent_call: 20\n  - carrier_name: Trunk",
                                    '    caller_id: "02873003586"\n    concurrent_call: 20\n'
                                    "  - carrier_name: Trunk"))
    result = run("apply", "m.yaml", "--auto-approve")
    assert result.code == 0, result.output
    assert f"  m.yaml:7: carriers/caller-id: caller_id must be declared [waived: {REASON}]" in (
        result.stdout.splitlines()
    )
    assert {"NoCaller", "Trunk"} <= carrier_names(api_env)


def test_sarif_and_annotations_locate_carrier_and_template_findings(
    project, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(project)
    document = json.loads(run("validate", "m.yaml", "--format", "sarif").stdout)
    assert_valid_sarif(document)
    results = document["runs"][0]["results"]
    assert [
        (item["ruleId"], item["level"],
         item["locations"][0]["physicalLocation"]["region"]["startLine"],
         item.get("properties"))
        for item in results
    ] == [
        ("carriers/caller-id", "error", 2, None),
        ("carriers/caller-id", "note", 6, None),
        ("templates/voices", "error", 15, {"template": "Greeting"}),
    ]
    assert results[1]["suppressions"][0]["justification"] == REASON

    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    annotations = run("validate", "m.yaml").stdout.splitlines()
    assert annotations[0] == (
        "::error file=m.yaml,line=2,title=carriers/caller-id::caller_id must be declared"
    )
    assert annotations[2].startswith("::error file=m.yaml,line=15,title=templates/voices::")


def test_a_carrier_rule_with_a_calling_window_check_is_a_located_config_error(project) -> None:
    write(project, config=CONFIG + (
        "    - id: carriers/hours\n"
        "      select: {kind: carrier}\n"
        '      calling_hours: {daily: "08:00-17:00"}\n'
    ))
    result = run("validate", "m.yaml")
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        "reconciler.yaml:11: policies.rules[2].calling_hours: checks a campaign's calling "
        "windows, and this rule selects kind carrier (a carrier has none): calling-window rules "
        "are for campaigns",
        "1 error in 1 file.",
    ]


def test_an_unknown_carrier_field_is_a_located_config_error_with_a_suggestion(project) -> None:
    write(project, config=CONFIG.replace("required: [caller_id]", "required: [caller_ids]"))
    result = run("validate", "m.yaml")
    assert result.code == 1
    assert result.stderr.splitlines()[0].startswith(
        "reconciler.yaml:5: policies.rules[0].required: 'caller_ids' is not a field of a "
        "carrier entry (did you mean 'caller_id'?); use one of description, caller_id"
    )


def test_policies_lists_what_a_kind_rule_selects(project) -> None:
    write(project)
    result = run("policies")
    assert "      selects: every carrier" in result.stdout.splitlines()
    assert "      selects: every template" in result.stdout.splitlines()
