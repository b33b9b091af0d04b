"""`plan --format markdown|html --out FILE`: the report goes to the file, the text plan to
stdout, and a failed write leaves nothing behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from clirun import NO_POLICIES, run_cli

MANIFEST = "campaigns:\n  - campaign_name: Reported\n    schedules:\n      - sat: 08:30-11:15\n"


@pytest.mark.parametrize(
    "fmt,marker,name",
    [("markdown", "<details>", "Markdown"), ("html", "<!DOCTYPE html>", "HTML")],
)
def test_report_goes_to_the_file_and_the_text_plan_to_stdout(
    api_env, tmp_path, fmt, marker, name
):
    (tmp_path / "c.yaml").write_text(MANIFEST)
    report = tmp_path / f"report.{fmt}"
    result = run_cli("plan", str(tmp_path / "c.yaml"), "--format", fmt, "--out", str(report))
    assert result.code == 0, result.output
    text = report.read_text(encoding="utf-8")
    assert marker in text and "Reported" in text
    assert "08:30" in text and "30600000000000" not in text  # human times, never nanoseconds
    assert "+ create Reported" in result.stdout
    assert result.stderr == f"{name} report written to {report}.\n" + NO_POLICIES
    assert api_env.token not in text


def test_markdown_on_stdout_without_out(api_env, tmp_path):
    (tmp_path / "c.yaml").write_text(MANIFEST)
    result = run_cli("plan", str(tmp_path), "--format", "markdown")
    assert result.code == 0
    assert result.stdout.lstrip().startswith("### Reconciler plan")
    assert "Plan: 1 to create, 0 to update, 0 to delete, 0 unchanged" in result.stdout


def test_unwritable_out_is_a_clean_error_and_leaves_no_file(api_env, tmp_path):
    (tmp_path / "c.yaml").write_text(MANIFEST)
    target = tmp_path / "missing-dir" / "plan.json"
    result = run_cli("plan", str(tmp_path / "c.yaml"), "--out", str(target))
    assert result.code == 1
    assert f"cannot write {target}" in result.stderr and "Traceback" not in result.output
    assert not target.parent.exists()
    assert not list(Path(tmp_path).glob("**/*.tmp"))
