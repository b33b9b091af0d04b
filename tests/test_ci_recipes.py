"""The CI recipes in examples/ci/ report problems where reviewers look: the GitHub one
uploads validate's SARIF to code scanning, the GitLab one writes a code quality report; and
the commands they run are ones the CLI accepts and that write those files."""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path

from clirun import run_cli
from diagnostics_support import assert_valid_sarif
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
CI = ROOT / "examples" / "ci"


def load(name: str) -> dict:
    return YAML(typ="safe").load((CI / name).read_text(encoding="utf-8"))


def run_recipe_command(line: str, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """Run a recipe's `reconciler ...` line on a copy of the examples laid out as campaigns/."""
    shutil.copytree(ROOT / "examples" / "campaigns", tmp_path / "campaigns")
    monkeypatch.chdir(tmp_path)
    program, *args = shlex.split(line)
    assert program == "reconciler"
    result = run_cli(*args)
    assert result.code == 0, result.output


def test_github_recipe_uploads_validate_sarif_even_when_validate_fails(tmp_path, monkeypatch):
    steps = load("github-actions.yml")["jobs"]["plan"]["steps"]
    validate = next(step for step in steps if "reconciler validate" in step.get("run", ""))
    upload = next(step for step in steps if "upload-sarif" in step.get("uses", ""))
    assert steps.index(validate) < steps.index(upload)
    assert "always()" in upload["if"]
    sarif_file = upload["with"]["sarif_file"]
    assert f"--format sarif --out {sarif_file}" in validate["run"]
    assert "security-events: write" in (CI / "github-actions.yml").read_text(encoding="utf-8")
    run_recipe_command(validate["run"], tmp_path, monkeypatch)
    document = json.loads((tmp_path / sarif_file).read_text(encoding="utf-8"))
    assert_valid_sarif(document)


def test_gitlab_recipe_reports_code_quality_even_when_validate_fails(tmp_path, monkeypatch):
    job = load("gitlab-ci.yml")["validate"]
    report = job["artifacts"]["reports"]["codequality"]
    assert job["artifacts"]["when"] == "always"
    (line,) = [line for line in job["script"] if line.startswith("reconciler validate")]
    assert f"--format gitlab --out {report}" in line
    run_recipe_command(line, tmp_path, monkeypatch)
    assert json.loads((tmp_path / report).read_text(encoding="utf-8")) == []


def test_gitlab_recipe_image_can_install_from_git():
    # pip's `reconciler @ git+...` needs git, which python:*-slim images do not have.
    recipe = load("gitlab-ci.yml")
    assert "git+" in " ".join(recipe["default"]["before_script"])
    assert not str(recipe["image"]).endswith("-slim")
