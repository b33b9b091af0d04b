"""The README stands on its own: every page it links exists in the repository, and it cites
nothing outside it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_relative_link_exists():
    links = re.findall(r"\]\(([^)#\s]+)\)", README)
    local = [link for link in links if "://" not in link]
    assert "docs/api-facts.md" in local and "docs/plan-json.md" in local
    missing = [link for link in local if not (ROOT / link).exists()]
    assert missing == []


def test_no_reference_to_documents_outside_the_repository():
    assert "DESIGN.md" not in README
    assert "shared/" not in README and "api-docs" not in README


def test_source_cites_only_documents_in_the_repository():
    citing = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "reconciler").rglob("*.py"))
        if "shared/api-docs" in path.read_text(encoding="utf-8")
    ]
    assert citing == []
    assert "docs/api-facts.md" in (ROOT / "reconciler/policy/presets.py").read_text()


def test_commands_use_the_venv_consistently():
    # Bare `.venv/bin/reconciler` in one place and `reconciler` in another confuses: the
    # README says once to activate the venv, and writes `reconciler` from then on.
    assert "source .venv/bin/activate" in README
    assert ".venv/bin/reconciler " not in README.replace("`.venv/bin/reconciler` instead", "")


def test_the_annotation_example_is_real_output(monkeypatch):
    # The README's GitHub annotation lines are what the command prints on the examples.
    from clirun import run_cli

    marker = "<!-- annotations: "
    start = README.index(marker) + len(marker)
    command = README[start : README.index(" -->", start)]
    block = README[README.index("```text\n", start) + len("```text\n") :]
    block = block[: block.index("```")]
    prompt, *expected = block.splitlines()
    assert prompt == f"$ {command}"
    env, program, *args = command.split()
    assert (env, program) == ("GITHUB_ACTIONS=true", "reconciler")
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = run_cli(*args)
    assert result.code == 0, result.output
    assert result.stdout.splitlines() == expected
    assert [line for line in expected if line.startswith("::")] != []
