"""Every class of problem `validate` reports, in each diagnostics format: the JSON document,
SARIF 2.1.0 (checked against the OASIS schema) and the GitHub annotation line.

Each case is a small project (manifests, maybe a reconciler.yaml) with exactly one problem;
the text form of the same run is asserted too, so the formats are seen to say the same thing.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from clirun import NO_POLICIES, Run, run_cli
from diagnostics_support import assert_valid_sarif

UUID_A = "5f427552-857e-4939-8edf-cbd0f1ef6842"
ADVERTISING = """
    campaigns:
      - campaign_name: Promo
        labels: {purpose: advertising}
        recall_times: 0
        schedules:
          - mon-fri: "09:00-18:00"
    """
DECREE = "policies:\n  presets: [vn-decree-91]\n"


def yaml(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


# name: (files, args after `validate`, expected diagnostic, its text line)
CASES = {
    "manifest/path": (
        {},
        ["missing.yaml"],
        {"severity": "error", "code": "manifest/path", "file": "missing.yaml", "line": None,
         "column": None, "campaign": None, "summary": "no such file or directory"},
        "missing.yaml: no such file or directory",
    ),
    "manifest/yaml": (
        {"c.yaml": "campaigns:\n  - campaign_name: A\n   concurrent_call: 1\n"},
        ["c.yaml"],
        {"severity": "error", "code": "manifest/yaml", "file": "c.yaml", "line": 3,
         "column": 4, "campaign": None},
        None,
    ),
    "manifest/duplicate-key": (
        {"c.yaml": "campaigns:\n  - campaign_name: A\n    active: true\n    active: false\n"},
        ["c.yaml"],
        {"severity": "error", "code": "manifest/duplicate-key", "file": "c.yaml", "line": 4,
         "column": None, "campaign": None, "summary": "duplicate key 'active' (first at line 3)"},
        "c.yaml:4: duplicate key 'active' (first at line 3)",
    ),
    "manifest/shape": (
        {"c.yaml": "campaign:\n  - campaign_name: A\n"},
        ["c.yaml"],
        {"severity": "error", "code": "manifest/shape", "file": "c.yaml", "line": 1,
         "column": 1, "campaign": None},
        None,
    ),
    "manifest/unknown-field": (
        {"c.yaml": "campaigns:\n  - campaign_name: A\n    concurent_call: 3\n"},
        ["c.yaml"],
        {"severity": "error", "code": "manifest/unknown-field", "file": "c.yaml", "line": 3,
         "column": 5, "campaign": "A",
         "summary": "unknown field 'concurent_call' (did you mean 'concurrent_call'?)"},
        "c.yaml:3: unknown field 'concurent_call' (did you mean 'concurrent_call'?)",
    ),
    "manifest/missing-field": (
        {"c.yaml": "campaigns:\n  - concurrent_call: 1\n"},
        ["c.yaml"],
        {"severity": "error", "code": "manifest/missing-field", "file": "c.yaml", "line": 2,
         "column": 5, "campaign": None, "summary": "campaign_name: is required"},
        "c.yaml:2: campaign_name: is required",
    ),
    "manifest/invalid-value": (
        {"c.yaml": "campaigns:\n  - campaign_name: A\n    concurrent_call: -1\n"},
        ["c.yaml"],
        {"severity": "error", "code": "manifest/invalid-value", "file": "c.yaml", "line": 3,
         "column": 5, "campaign": "A", "summary": "concurrent_call: must be >= 0"},
        "c.yaml:3: concurrent_call: must be >= 0",
    ),
    "manifest/invalid-schedule": (
        {"c.yaml": yaml("""
            campaigns:
              - campaign_name: A
                schedules:
                  - mon-fri: "12:00-08:00"
            """)},
        ["c.yaml"],
        {"severity": "error", "code": "manifest/invalid-schedule", "file": "c.yaml",
         "line": 4, "column": 9, "campaign": "A"},
        None,
    ),
    "manifest/conflicting-fields": (
        {"c.yaml": yaml(f"""
            campaigns:
              - campaign_name: A
                carrier: Billing
                carrier_uuid: {UUID_A}
            """)},
        ["c.yaml"],
        {"severity": "error", "code": "manifest/conflicting-fields", "file": "c.yaml",
         "line": 4, "column": 5, "campaign": "A",
         "summary": "carrier_uuid: cannot be used together with carrier; give one of them"},
        "c.yaml:4: carrier_uuid: cannot be used together with carrier; give one of them",
    ),
    "manifest/duplicate-identity": (
        {"a.yaml": "campaigns:\n  - campaign_name: A\n",
         "b.yaml": "campaigns:\n  - campaign_name: A\n"},
        ["a.yaml", "b.yaml"],
        {"severity": "error", "code": "manifest/duplicate-identity", "file": "b.yaml",
         "line": 2, "column": 5, "campaign": "A",
         "summary": "duplicate campaign_name 'A' (first declared at a.yaml:2)"},
        "b.yaml:2: duplicate campaign_name 'A' (first declared at a.yaml:2)",
    ),
    "manifest/schedule-overlap": (
        {"c.yaml": yaml("""
            campaigns:
              - campaign_name: A
                schedules:
                  - mon-fri: "08:00-12:00"
                  - mon: "11:00-13:00"
            """)},
        ["c.yaml"],
        {"severity": "warning", "code": "manifest/schedule-overlap", "file": "c.yaml",
         "line": 5, "column": 9, "campaign": "A"},
        None,
    ),
    "config/path": (
        {"c.yaml": "campaigns: []\n"},
        ["c.yaml", "--config", "nowhere.yaml"],
        {"severity": "error", "code": "config/path", "file": "nowhere.yaml", "line": None,
         "column": None, "campaign": None,
         "summary": "no such config file (named by --config or RECONCILER_CONFIG)"},
        "nowhere.yaml: no such config file (named by --config or RECONCILER_CONFIG)",
    ),
    "config/yaml": (
        {"c.yaml": "campaigns: []\n", "reconciler.yaml": "policies: [\n"},
        ["c.yaml"],
        {"severity": "error", "code": "config/yaml", "file": "reconciler.yaml",
         "campaign": None},
        None,
    ),
    "config/duplicate-key": (
        {"c.yaml": "campaigns: []\n",
         "reconciler.yaml": "policies:\n  presets: []\n  presets: []\n"},
        ["c.yaml"],
        {"severity": "error", "code": "config/duplicate-key", "file": "reconciler.yaml",
         "line": 3, "summary": "duplicate key 'presets' (first at line 2)"},
        "reconciler.yaml:3: duplicate key 'presets' (first at line 2)",
    ),
    "config/shape": (
        {"c.yaml": "campaigns: []\n", "reconciler.yaml": "- policies\n"},
        ["c.yaml"],
        {"severity": "error", "code": "config/shape", "file": "reconciler.yaml", "line": 1},
        None,
    ),
    "config/unknown-key": (
        {"c.yaml": "campaigns: []\n", "reconciler.yaml": "policy:\n  presets: []\n"},
        ["c.yaml"],
        {"severity": "error", "code": "config/unknown-key", "file": "reconciler.yaml",
         "line": 1, "column": 1},
        None,
    ),
    "config/invalid-value": (
        {"c.yaml": "campaigns: []\n",
         "reconciler.yaml": "policies:\n  rules:\n    - id: r\n      severity: fatal\n"
                            "      max: {concurrent_call: 1}\n"},
        ["c.yaml"],
        {"severity": "error", "code": "config/invalid-value", "file": "reconciler.yaml",
         "line": 4, "column": 7},
        None,
    ),
    "config/duplicate-rule-id": (
        {"c.yaml": "campaigns: []\n",
         "reconciler.yaml": "policies:\n  rules:\n    - id: r\n      max: {concurrent_call: 1}\n"
                            "    - id: r\n      max: {concurrent_call: 2}\n"},
        ["c.yaml"],
        {"severity": "error", "code": "config/duplicate-rule-id", "file": "reconciler.yaml",
         "line": 5, "column": 7},
        None,
    ),
    "policy error": (
        {"c.yaml": yaml(ADVERTISING), "reconciler.yaml": DECREE},
        ["c.yaml"],
        {"severity": "error", "code": "vn-decree-91/calling-hours", "file": "c.yaml",
         "line": 6, "campaign": "Promo", "waived": False},
        None,
    ),
    "policy warning": (
        {"c.yaml": yaml(ADVERTISING.replace("recall_times: 0", "recall_times: 2")
                        .replace("18:00", "17:00")),
         "reconciler.yaml": DECREE},
        ["c.yaml"],
        {"severity": "warning", "code": "vn-decree-91/one-call-a-day", "file": "c.yaml",
         "line": 4, "campaign": "Promo",
         "summary": "recall_times is 2; the maximum is 0 (Decree 91/2020/ND-CP: at most one "
                    "advertising call to a number per 24 hours, so no recalls)"},
        "c.yaml:4: vn-decree-91/one-call-a-day: recall_times is 2; the maximum is 0 (Decree "
        "91/2020/ND-CP: at most one advertising call to a number per 24 hours, so no "
        "recalls) [warning]",
    ),
    "policy waived": (
        {"c.yaml": yaml(ADVERTISING).replace(
            "recall_times: 0",
            "recall_times: 0\n    policy_waivers: {vn-decree-91/calling-hours: 'MKT-1: opt-in'}",
        ),
         "reconciler.yaml": DECREE},
        ["c.yaml"],
        {"severity": "note", "code": "vn-decree-91/calling-hours", "file": "c.yaml",
         "line": 7, "campaign": "Promo", "waived": True, "reason": "MKT-1: opt-in"},
        None,
    ),
}


def run_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str],
           *args: str) -> Run:
    monkeypatch.chdir(tmp_path)
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = run_cli("validate", *args)
    assert "Traceback" not in result.output
    return result


def without_policy_note(document: dict) -> dict:
    """The document without the note that no policies are in force (runs without a
    reconciler.yaml say so; test_policy_config checks it): the case's own diagnostics."""
    kept = [d for d in document["diagnostics"] if d["code"] != "policy/none-in-force"]
    dropped = len(document["diagnostics"]) - len(kept)
    return {**document, "diagnostics": kept, "note_count": document["note_count"] - dropped}


def the_one(diagnostics: list[dict], expected: dict) -> dict:
    """The run's only diagnostic, checked against the expected keys."""
    assert len(diagnostics) == 1, diagnostics
    found = diagnostics[0]
    flat = {**found, **(found["subject"] or {})}
    assert {key: flat[key] for key in expected} == expected
    return found


@pytest.mark.parametrize("case", CASES)
def test_json_form(case, tmp_path, monkeypatch):
    files, args, expected, text_line = CASES[case]
    text = run_in(tmp_path, monkeypatch, files, *args)
    result = run_cli("validate", "--format", "json", *args)
    document = without_policy_note(json.loads(result.stdout))
    is_error = expected["severity"] == "error"
    assert result.code == text.code == (1 if is_error else 0)
    assert set(document) == {
        "format_version", "valid", "error_count", "warning_count", "note_count", "diagnostics"
    }
    assert document["format_version"] == 1
    assert document["valid"] is not is_error
    assert document["error_count"] == int(is_error)
    assert document["warning_count"] == int(expected["severity"] == "warning")
    assert document["note_count"] == int(expected["severity"] == "note")
    found = the_one(document["diagnostics"], expected)
    assert set(found) == {
        "severity", "code", "category", "summary", "detail", "subject", "waived", "reason"
    }
    assert set(found["subject"]) >= {"file", "line", "column", "kind", "campaign", "template"}
    kind = found["subject"]["kind"]
    assert set(found["subject"]) - {"file", "line", "column", "kind", "campaign", "template"} \
        <= ({kind} if kind else set())
    # The text report is unchanged on stderr, and says the same as the document.
    assert result.stderr.startswith(text.stderr.removesuffix(NO_POLICIES))
    text_lines = text.stderr.splitlines()
    if text_line is not None:
        assert text_line in text_lines
    located = f"{found['subject']['file']}:{found['subject']['line']}: "
    if found["subject"]["line"] is None:
        located = f"{found['subject']['file']}: "
    assert any(line.startswith(located) and found["summary"] in line for line in text_lines)


@pytest.mark.parametrize("case", CASES)
def test_sarif_form(case, tmp_path, monkeypatch):
    files, args, expected, _ = CASES[case]
    text = run_in(tmp_path, monkeypatch, files, *args)
    result = run_cli("validate", "--format", "sarif", *args)
    assert result.code == text.code
    document = json.loads(result.stdout)
    assert_valid_sarif(document)
    (run,) = document["runs"]
    assert run["tool"]["driver"]["name"] == "reconciler"
    (rule,) = run["tool"]["driver"]["rules"]
    (sarif_result,) = run["results"]
    assert rule["id"] == sarif_result["ruleId"] == expected["code"]
    assert rule["shortDescription"]["text"]
    assert sarif_result["ruleIndex"] == 0
    assert sarif_result["level"] == expected["severity"]
    (location,) = sarif_result["locations"]
    physical = location["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": expected["file"], "uriBaseId": "%SRCROOT%"}
    if expected.get("line", 0) is None:
        assert "region" not in physical
    elif "line" in expected:
        region = {"startLine": expected["line"]}
        if expected.get("column"):
            region["startColumn"] = expected["column"]
        if "column" in expected:
            assert physical["region"] == region
        else:
            assert physical["region"]["startLine"] == expected["line"]
    if "summary" in expected:
        assert sarif_result["message"]["text"] == expected["summary"]
    if expected.get("waived"):
        assert sarif_result["suppressions"] == [
            {"kind": "inSource", "status": "accepted", "justification": expected["reason"]}
        ]
    else:
        assert "suppressions" not in sarif_result
    if expected.get("campaign"):
        assert sarif_result["properties"] == {"kind": "campaign",
                                              "campaign": expected["campaign"]}


@pytest.mark.parametrize("case", CASES)
def test_github_annotation_line(case, tmp_path, monkeypatch):
    files, args, expected, _ = CASES[case]
    text = run_in(tmp_path, monkeypatch, files, *args)
    listed = run_cli("validate", "--format", "json", *args)
    document = without_policy_note(json.loads(listed.stdout))
    (found,) = document["diagnostics"]
    result = run_cli("validate", "--format", "github", *args)
    assert result.code == text.code
    command = {"error": "error", "warning": "warning", "note": "notice"}[expected["severity"]]
    place = f"file={expected['file']}"
    if found["subject"]["line"] is not None:
        place += f",line={found['subject']['line']}"
        if found["subject"]["column"] is not None:
            place += f",col={found['subject']['column']}"
    message = found["summary"].replace("%", "%25").replace("\n", "%0A")
    if found["waived"]:
        message += f" [waived: {found['reason']}]"
    title = expected["code"].replace(":", "%3A")
    annotation = f"::{command} {place},title={title}::{message}"
    # Annotations on stdout (where the runner reads workflow commands), text on stderr.
    assert result.stdout.splitlines()[0] == annotation
    assert result.stderr == text.stderr


def test_an_annotation_line_in_full(tmp_path, monkeypatch):
    files, args, _, _ = CASES["manifest/unknown-field"]
    run_in(tmp_path, monkeypatch, files, *args)
    result = run_cli("validate", "--format", "github", *args)
    assert result.stdout == (
        "::error file=c.yaml,line=3,col=5,title=manifest/unknown-field::unknown field "
        "'concurent_call' (did you mean 'concurrent_call'?)\n"
    )
    assert result.stderr == (
        "c.yaml:3: unknown field 'concurent_call' (did you mean 'concurrent_call'?)\n"
        "1 error in 1 file.\n"
    )


def test_every_error_class_is_reported_at_once_in_one_document(tmp_path, monkeypatch):
    files = {}
    for case in ("config/unknown-key", "manifest/unknown-field"):  # the last c.yaml wins
        files.update(CASES[case][0])
    (tmp_path / "more").mkdir()
    files["more/d.yaml"] = "campaigns:\n  - campaign_name: B\n    concurrent_call: -1\n"
    run_in(tmp_path, monkeypatch, files, "c.yaml", "more")
    result = run_cli("validate", "--format", "json", "c.yaml", "more")
    document = json.loads(result.stdout)
    assert result.code == 1
    assert [d["code"] for d in document["diagnostics"]] == [
        "config/unknown-key", "manifest/unknown-field", "manifest/invalid-value"
    ]
    assert document["error_count"] == 3
    assert result.stderr.splitlines()[-1] == "3 errors in 3 files."
    sarif = json.loads(run_cli("validate", "--format", "sarif", "c.yaml", "more").stdout)
    assert_valid_sarif(sarif)
    assert [r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]] == [
        "config/unknown-key", "manifest/unknown-field", "manifest/invalid-value"
    ]
    assert [r["ruleIndex"] for r in sarif["runs"][0]["results"]] == [0, 1, 2]
