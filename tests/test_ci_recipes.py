"""The CI recipes in examples/ci/ report problems where reviewers look: the GitHub one
uploads validate's SARIF to code scanning, the GitLab one writes a code quality report; and
the commands they run are ones the CLI accepts and that write those files."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from clirun import run_cli
from diagnostics_support import assert_valid_sarif
from markdown_support import headings
from ruamel.yaml import YAML

from reconciler.emulator import EmulatorServer

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


# ---- what the recipes watch, what they install, what the drift job's summary shows ----------

# A repository laid out as the recipes expect: manifests under campaigns/, policies in
# ./reconciler.yaml (the CLI's default config). A change to either must run the checks.
WATCHED = ["campaigns/otp.yaml", "campaigns/team/promotions.yml", "reconciler.yaml"]
PYPROJECT = ROOT / "pyproject.toml"


def glob_regex(pattern: str) -> re.Pattern[str]:
    """GitHub `paths:` and GitLab `changes:` globs: `**` crosses directories, `*` does not."""
    parts = re.split(r"(\*\*/|\*\*|\*|\?)", pattern)
    wild = {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}
    return re.compile("".join(wild.get(part, re.escape(part)) for part in parts))


def watches(patterns: list[str], path: str) -> bool:
    return any(glob_regex(pattern).fullmatch(path) for pattern in patterns)


def test_glob_regex_reads_globs_as_the_ci_systems_do():
    assert watches(["campaigns/**"], "campaigns/a/b.yaml")
    assert watches(["campaigns/**/*"], "campaigns/b.yaml")
    assert not watches(["campaigns/*"], "campaigns/a/b.yaml")
    assert not watches(["campaigns/**"], "reconciler.yaml")


def test_recipes_manifests_are_under_campaigns():
    # WATCHED assumes campaigns/: every command in the recipes must point there.
    for name in ("github-actions.yml", "gitlab-ci.yml"):
        paths = re.findall(r"\breconciler (?:validate|plan|apply|status) (?!--plan)(\S+)",
                           read(name))
        paths += re.findall(r"\breconciler export --update (\S+)", read(name))
        assert paths and set(paths) == {"campaigns/"}, (name, paths)


def test_github_recipe_runs_on_manifest_and_policy_changes():
    on = load("github-actions.yml")["on"]
    for event in ("pull_request", "push"):
        for path in WATCHED:
            assert watches(on[event]["paths"], path), (event, path)


def test_gitlab_recipe_runs_on_manifest_and_policy_changes():
    recipe = load("gitlab-ci.yml")
    filters = {
        name: rule["changes"]
        for name, job in recipe.items()
        if isinstance(job, dict)
        for rule in job.get("rules", [])
        if "changes" in rule
    }
    assert {"validate", "saved-plans", "apply-staging", "apply-production"} <= set(filters)
    for name, patterns in filters.items():
        for path in WATCHED:
            assert watches(patterns, path), (name, path)


def read(name: str) -> str:
    return (CI / name).read_text(encoding="utf-8")


def pip_requirements(name: str) -> list[str]:
    """The requirement each `pip install` line of a recipe asks for, its variables filled in
    from the recipe's own `env:` (GitHub) or `variables:` (GitLab)."""
    recipe = load(name)
    variables = recipe.get("env") or recipe.get("variables") or {}

    def fill(match: re.Match[str]) -> str:
        return str(variables.get(match[1] or match[2], match[0]))

    found = []
    for line in read(name).splitlines():
        if re.match(r"\s*(?:- )?(?:run: )?pip install ", line):  # a command, not a comment
            (requirement,) = re.findall(r'"(reconciler[^"]*)"', line)
            found.append(re.sub(r"\$\{(\w+)\}|\$(\w+)", fill, requirement))
    return found


def test_recipes_install_a_pinned_reconciler():
    version = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["version"]
    for name, count in (("github-actions.yml", 5), ("gitlab-ci.yml", 1)):
        requirements = pip_requirements(name)
        assert len(requirements) == count, (name, requirements)
        for requirement in requirements:
            pinned = re.fullmatch(r"reconciler @ git\+.+/reconciler(?:\.git)?@(\S+)", requirement)
            assert pinned, f"{name}: not pinned to a tag or commit: {requirement}"
            ref = pinned[1]
            # A tag is this repository's version; bump RECONCILER_VERSION in both recipes
            # when pyproject.toml's version changes (or pin a full commit sha).
            assert ref == f"v{version}" or re.fullmatch(r"[0-9a-f]{40}", ref), (name, ref)


def test_github_drift_summary_keeps_the_status_heading_a_heading(tmp_path: Path):
    """Run the drift job's steps as GitHub would (bash -eo pipefail, the step summary a file)
    against the quick start's tenant, which has drifted: the summary must render the plan
    and then the status report, each under its own heading."""
    steps = load("github-actions.yml")["jobs"]["drift"]["steps"]
    scripts = [step["run"] for step in steps if "run" in step and "pip install" not in step["run"]]
    assert len(scripts) == 2  # the drift check, then status and the call audit
    shutil.copytree(ROOT / "examples" / "campaigns", tmp_path / "campaigns")
    shutil.copy(ROOT / "examples" / "reconciler.yaml", tmp_path / "reconciler.yaml")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "reconciler"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m reconciler "$@"\n')
    wrapper.chmod(0o755)
    summary = tmp_path / "summary.md"
    codes = []
    with EmulatorServer(port=0, seed=ROOT / "examples" / "emulator-seed.json") as server:
        env = {
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "HOME": str(tmp_path),
            "GITHUB_STEP_SUMMARY": str(summary),
            "RECONCILER_API_URL": server.url,
            "RECONCILER_API_KEY": "dev-api-key",
        }
        for script in scripts:
            result = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                cwd=tmp_path,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            codes.append(result.returncode)
    # Drift found (2); status also 2: the drifted tenant lacks campaigns the manifests declare.
    assert codes == [2, 2], (codes, result.stderr)
    text = summary.read_text(encoding="utf-8")
    assert "</details>" in text  # the plan's last block is a collapsed diff
    sections = [line for line in headings(text) if line.startswith("### ")]
    assert sections[0] == "### Reconciler drift report"
    assert len(sections) == 2 and sections[1].endswith(" Campaign status"), sections


def test_nightly_take_back_jobs_open_a_request_for_review():
    """The drift is proposed as a pull/merge request: plan --drift, export --update in place,
    then GitHub's create-pull-request action (pinned to a major version) or GitLab's API."""
    steps = load("github-actions.yml")["jobs"]["take-back"]["steps"]
    (script,) = [step["run"] for step in steps if "export --update" in step.get("run", "")]
    assert "reconciler plan campaigns/ --drift" in script
    assert "reconciler export --update campaigns/" in script
    # Piped into tee: without pipefail a partial take-back (exit 1) would open a request.
    update = next(line for line in script.splitlines() if "export --update" in line)
    before = script[: script.index(update)]
    assert "| tee" in update and "pipefail" in before.splitlines()[-1], script
    (action,) = [step for step in steps if "create-pull-request" in step.get("uses", "")]
    assert re.fullmatch(r"peter-evans/create-pull-request@v\d+", action["uses"])
    assert action["with"]["add-paths"] == "campaigns/**"
    gitlab = load("gitlab-ci.yml")["take-back"]
    assert gitlab["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "schedule"'}]
    text = "\n".join(gitlab["script"])
    assert "reconciler export --update campaigns/" in text
    assert "/merge_requests" in text and "$RECONCILER_GITLAB_TOKEN" in text
