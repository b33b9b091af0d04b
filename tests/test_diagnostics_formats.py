"""The diagnostics renderers on their own (escaping, paths, suppressions, fingerprints), and
how `validate` chooses its outputs: --out, GitHub Actions, documents on stdout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clirun import NO_POLICIES, run_cli
from diagnostics_support import assert_valid_sarif

from reconciler.diagnostics import github, gitlab, sarif
from reconciler.diagnostics import json as diagnostics_json
from reconciler.diagnostics import text as diagnostics_text
from reconciler.diagnostics.model import Diagnostic, Subject
from reconciler.errors import ManifestError, PlanError
from reconciler.policy.findings import Finding

BAD = "campaigns:\n  - campaign_name: A\n    concurent_call: 3\n"
GOOD = "campaigns:\n  - campaign_name: A\n"


def located(summary: str = "boom", **subject: object) -> Diagnostic:
    where = {"file": "c.yaml", "line": 3, "column": 5, **subject}
    return Diagnostic("error", "manifest/invalid-value", summary, Subject(**where))


# -- GitHub annotations --------------------------------------------------------------------


def test_annotation_escapes_percent_and_line_breaks_in_the_message():
    line = github.annotation(located("100% done\r\nnext line"))
    assert line == (
        "::error file=c.yaml,line=3,col=5,title=manifest/invalid-value::100%25 done%0D%0Anext line"
    )
    assert "\n" not in line


def test_annotation_escapes_comma_and_colon_in_properties():
    diagnostic = Diagnostic(
        "warning", "team:rule,1", "m", Subject(file="dir,x/a:b%.yaml", line=1)
    )
    assert github.annotation(diagnostic) == (
        "::warning file=dir%2Cx/a%3Ab%25.yaml,line=1,title=team%3Arule%2C1::m"
    )


def test_annotation_without_a_file_names_the_campaign_and_notes_become_notices():
    diagnostic = Diagnostic("note", "plan/x", "said", Subject(campaign="Promo"))
    assert github.annotation(diagnostic) == "::notice title=plan/x::Promo: said"
    assert github.annotation(Diagnostic("error", "error", "no file")) == (
        "::error title=error::no file"
    )


def test_annotation_paths_are_relative_to_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    inside = located(file=str(tmp_path / "campaigns" / "a.yaml"))
    assert github.annotation(inside).startswith("::error file=campaigns/a.yaml,line=3")
    assert github.annotation(located(file="./campaigns/../b.yaml")).startswith(
        "::error file=b.yaml,"
    )


# -- SARIF ---------------------------------------------------------------------------------


def test_sarif_uris_are_relative_and_percent_encoded_or_file_uris_outside(tmp_path, monkeypatch):
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    document = sarif.document(
        [
            located(file="chiến dịch/a b.yaml"),
            located(file=str(tmp_path / "elsewhere.yaml")),
            Diagnostic("error", "guard/max-deletes", "too many", category="guard"),
        ]
    )
    assert_valid_sarif(document)
    results = document["runs"][0]["results"]
    assert results[0]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "chi%E1%BA%BFn%20d%E1%BB%8Bch/a%20b.yaml",
        "uriBaseId": "%SRCROOT%",
    }
    assert results[1]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": (tmp_path / "elsewhere.yaml").as_uri()
    }
    assert "locations" not in results[2]
    assert [rule["id"] for rule in document["runs"][0]["tool"]["driver"]["rules"]] == [
        "manifest/invalid-value",
        "guard/max-deletes",
    ]


def test_sarif_of_no_diagnostics_is_a_valid_empty_run():
    document = sarif.document([])
    assert_valid_sarif(document)
    assert document["runs"][0]["results"] == []
    assert document["version"] == "2.1.0"


def test_the_schema_check_itself_rejects_a_broken_log():
    document = sarif.document([located()])
    document["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(AssertionError, match="fatal"):
        assert_valid_sarif(document)


def test_waived_finding_is_a_suppressed_note_with_the_reason():
    finding = Finding("r1", "Promo", "error", "too late", "c.yaml:7", True, "opt-in list")
    diagnostic = finding.diagnostic()
    assert (diagnostic.severity, diagnostic.waived, diagnostic.reason) == (
        "note", True, "opt-in list"
    )
    assert diagnostic.text() == finding.line()  # the text form is the finding's line
    (result,) = sarif.document([diagnostic])["runs"][0]["results"]
    assert result["level"] == "note"
    assert result["suppressions"] == [
        {"kind": "inSource", "status": "accepted", "justification": "opt-in list"}
    ]


@pytest.mark.parametrize("severity", ["error", "warning"])
def test_finding_text_is_unchanged_as_a_diagnostic(severity):
    finding = Finding("r1", "Promo", severity, "too late", "c.yaml:7")
    assert finding.diagnostic().text() == finding.line()
    assert finding.diagnostic().subject == Subject(file="c.yaml", line=7, campaign="Promo")


# -- GitLab code quality -------------------------------------------------------------------


def test_gitlab_issues_are_located_with_stable_unique_fingerprints():
    twice = [located("same"), located("same", line=9)]
    issues = gitlab.document([*twice, Diagnostic("error", "error", "unlocated")])
    assert len(issues) == 2  # only what can be placed on a line
    assert issues[0] == {
        "description": "same",
        "check_name": "manifest/invalid-value",
        "fingerprint": issues[0]["fingerprint"],
        "severity": "major",
        "location": {"path": "c.yaml", "lines": {"begin": 3}},
    }
    assert issues[1]["location"]["lines"] == {"begin": 9}
    assert issues[0]["fingerprint"] != issues[1]["fingerprint"]
    assert gitlab.document(twice) == issues  # the same run twice: the same fingerprints
    assert [i["severity"] for i in gitlab.document(
        [located(), Diagnostic("warning", "w", "w", Subject("c.yaml", 1)),
         Diagnostic("note", "n", "n", Subject("c.yaml", 1))]
    )] == ["major", "minor", "info"]


# -- text and JSON -------------------------------------------------------------------------


def test_text_render_is_the_classic_report():
    diagnostics = [
        located("first"),
        Diagnostic("error", "manifest/path", "no such file or directory", Subject("x.yaml")),
        Diagnostic("warning", "manifest/schedule-overlap", "overlap", Subject("c.yaml", 4),
                   category="manifest"),
    ]
    assert diagnostics_text.render(diagnostics) == (
        "c.yaml:3: first\nx.yaml: no such file or directory\nc.yaml:4: warning: overlap\n"
        "2 errors in 2 files.\n"
    )
    assert diagnostics_text.line(located("a\nb\x1b")) == "c.yaml:3: a\\nb\\x1b"


def test_json_counts_and_validity():
    document = diagnostics_json.document(
        [located(), Diagnostic("warning", "w", "w"), Diagnostic("note", "n", "n")]
    )
    assert (document["valid"], document["error_count"], document["warning_count"],
            document["note_count"]) == (False, 1, 1, 1)
    assert diagnostics_json.document([])["valid"] is True


def test_errors_keep_their_text_and_carry_diagnostics():
    error = ManifestError(["c.yaml:3: boom", "x.yaml: gone"])
    assert str(error) == "c.yaml:3: boom\nx.yaml: gone"
    # Raised as text only: `file:line: ` is read back; anything else stays whole, unlocated.
    assert [(d.subject, d.summary) for d in error.diagnostics] == [
        (Subject("c.yaml", 3), "boom"), (None, "x.yaml: gone")
    ]
    assert [d.text() for d in error.diagnostics] == error.errors
    plan_error = PlanError(diagnostics=[located("one"), located("two", line=4)])
    assert str(plan_error) == "c.yaml:3: one\nc.yaml:4: two"
    refusal = PlanError("refused", diagnostics=[])
    assert (str(refusal), refusal.diagnostics) == ("refused", [])
    assert PlanError("plain").diagnostics == [Diagnostic("error", "error", "plain")]


# -- validate's outputs --------------------------------------------------------------------


def write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.yaml").write_text(text, encoding="utf-8")


def test_valid_manifests_give_a_valid_document_and_the_summary_on_stderr(tmp_path, monkeypatch):
    write(tmp_path, monkeypatch, GOOD)
    result = run_cli("validate", "c.yaml", "--format", "json")
    assert result.code == 0
    assert json.loads(result.stdout) == {
        "format_version": 1, "valid": True, "error_count": 0, "warning_count": 0,
        "note_count": 1, "diagnostics": [{
            "severity": "note", "code": "policy/none-in-force", "category": "config",
            "summary": NO_POLICIES.removeprefix("Note: ").strip(), "detail": "",
            "subject": None, "waived": False, "reason": None,
        }],
    }
    assert result.stderr == "1 campaign in 1 file is valid.\n" + NO_POLICIES


@pytest.mark.parametrize("fmt", ["json", "sarif", "gitlab"])
def test_out_writes_the_document_and_shows_the_text(fmt, tmp_path, monkeypatch):
    write(tmp_path, monkeypatch, BAD)
    result = run_cli("validate", "c.yaml", "--format", fmt, "--out", "report.out")
    assert result.code == 1
    assert result.stdout == ""
    names = {"json": "JSON", "sarif": "SARIF", "gitlab": "GitLab code quality"}
    assert result.stderr.splitlines() == [
        "c.yaml:3: unknown field 'concurent_call' (did you mean 'concurrent_call'?)",
        "1 error in 1 file.",
        f"{names[fmt]} report written to report.out.",
    ]
    written = json.loads((tmp_path / "report.out").read_text(encoding="utf-8"))
    assert written == json.loads(run_cli("validate", "c.yaml", "--format", fmt).stdout)
    write(tmp_path, monkeypatch, GOOD)
    result = run_cli("validate", "c.yaml", "--format", fmt, "--out", "report.out")
    assert (result.code, result.stdout) == (0, "1 campaign in 1 file is valid.\n")


def test_out_needs_a_document_format(tmp_path, monkeypatch):
    write(tmp_path, monkeypatch, GOOD)
    result = run_cli("validate", "c.yaml", "--out", "x.json")
    assert result.code == 1
    assert "--out needs --format json, sarif or gitlab" in result.stderr
    assert not (tmp_path / "x.json").exists()


def test_an_out_file_that_cannot_be_written_is_said(tmp_path, monkeypatch):
    write(tmp_path, monkeypatch, BAD)
    result = run_cli("validate", "c.yaml", "--format", "sarif", "--out", "no/such/dir/r.sarif")
    assert result.code == 1
    assert result.stderr.splitlines()[-1].startswith("error: cannot write no/such/dir/r.sarif")
    assert "Traceback" not in result.output


ANNOTATION = (
    "::error file=c.yaml,line=3,col=5,title=manifest/unknown-field::unknown field "
    "'concurent_call' (did you mean 'concurrent_call'?)"
)


def test_under_github_actions_annotations_come_with_the_text(tmp_path, monkeypatch):
    write(tmp_path, monkeypatch, BAD)
    plain = run_cli("validate", "c.yaml")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = run_cli("validate", "c.yaml")
    assert result.code == 1
    assert result.stdout == ANNOTATION + "\n"
    assert result.stderr == plain.stderr
    # --format text says otherwise; a document on stdout stays a document.
    assert run_cli("validate", "c.yaml", "--format", "text").stdout == ""
    assert json.loads(run_cli("validate", "c.yaml", "--format", "json").stdout)["valid"] is False
    # A document written to --out leaves stdout to the log: annotated there.
    result = run_cli("validate", "c.yaml", "--format", "sarif", "--out", "r.sarif")
    assert result.stdout == ANNOTATION + "\n"
    monkeypatch.setenv("GITHUB_ACTIONS", "false")
    assert run_cli("validate", "c.yaml").stdout == ""


def test_under_github_actions_a_valid_run_annotates_warnings(tmp_path, monkeypatch):
    write(tmp_path, monkeypatch, GOOD.replace(
        "campaign_name: A\n",
        "campaign_name: A\n    schedules:\n      - daily: '08:00-12:00'\n"
        "      - sun: '11:00-13:00'\n",
    ))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = run_cli("validate", "c.yaml")
    assert result.code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        "::warning file=c.yaml,line=5,col=9,title=manifest/schedule-overlap::schedules[1].sun"
    )
    assert lines[1:] == ["1 campaign in 1 file is valid (1 warning)."]


def test_all_formats_agree_on_a_project_with_many_problems(monkeypatch):
    monkeypatch.chdir(Path(__file__).parent / "fixtures" / "manifests")
    text = run_cli("validate", "invalid")
    document = json.loads(run_cli("validate", "invalid", "--format", "json").stdout)
    error_lines = text.stderr.splitlines()[:-1]
    assert document["error_count"] == len(error_lines) == len(document["diagnostics"]) > 3
    # The text report is the diagnostics' text, line for line.
    assert [
        f"{d['subject']['file']}:{d['subject']['line']}: {d['summary']}"
        for d in document["diagnostics"]
    ] == error_lines
    log = json.loads(run_cli("validate", "invalid", "--format", "sarif").stdout)
    assert_valid_sarif(log)
    assert len(log["runs"][0]["results"]) == len(error_lines)
    annotations = run_cli("validate", "invalid", "--format", "github").stdout.splitlines()
    assert len(annotations) == len(error_lines)
    assert all(line.startswith("::error file=invalid/") for line in annotations)
    issues = json.loads(run_cli("validate", "invalid", "--format", "gitlab").stdout)
    assert len({issue["fingerprint"] for issue in issues}) == len(error_lines)


def test_hostile_text_stays_on_one_annotation_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.yaml").write_text(
        'campaigns:\n  - campaign_name: A\n    "bad\\r\\n::error::x,y%": 1\n', encoding="utf-8"
    )
    result = run_cli("validate", "c.yaml", "--format", "github")
    assert result.code == 1
    (line,) = result.stdout.splitlines()
    assert line.startswith("::error file=c.yaml,line=3,col=5,title=manifest/unknown-field::")
    assert "bad%0D%0A::error::x,y%25" in line
    sarif_log = json.loads(run_cli("validate", "c.yaml", "--format", "sarif").stdout)
    assert_valid_sarif(sarif_log)
