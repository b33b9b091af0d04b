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


def test_the_shipped_files_cite_only_the_repository():
    # Code, docs, examples and scripts point at docs/ in this repository, never at design
    # notes or vendor pages a reader of the repository does not have.
    cited = [
        str(path.relative_to(ROOT))
        for folder in ("reconciler", "docs", "examples", "scripts")
        for path in (ROOT / folder).rglob("*")
        if path.is_file() and path.suffix in (".py", ".md", ".yaml", ".yml", ".json")
        and any(name in path.read_text(encoding="utf-8", errors="replace")
                for name in ("DESIGN.md", "shared/", "api-docs"))
    ]
    assert cited == []


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


def _matches_excerpt(expected: list[str], actual: list[str]) -> bool:
    """Does `actual` read as `expected`, where `expected` shortens uuids to their first block
    (`f8802dbe-…`) and a `[… cut here: … …]` line stands for lines left out?"""
    import re as _re

    def pattern(line: str) -> _re.Pattern[str]:
        parts = _re.split(r"[0-9a-f]{8}-…", line)
        return _re.compile("[0-9a-f]{8}-[0-9a-f-]{27}".join(_re.escape(part) for part in parts))

    def match(i: int, j: int) -> bool:
        if i == len(expected):
            return j == len(actual)
        if expected[i].startswith("[… cut here:"):
            return any(match(i + 1, k) for k in range(j, len(actual) + 1))
        return j < len(actual) and pattern(expected[i]).fullmatch(actual[j]) is not None \
            and match(i + 1, j + 1)

    return match(0, 0)


def test_the_opening_plan_is_real_output(monkeypatch):
    # The README's first example is the plan of the seeded demo tenant (an excerpt).
    from clirun import run_cli

    from reconciler.emulator import EmulatorServer

    marker = "<!-- opening plan: "
    start = README.index(marker) + len(marker)
    block = README[README.index("```text\n", start) + len("```text\n") :]
    block = block[: block.index("```")]
    prompt, *expected = block.splitlines()
    assert prompt == "$ reconciler plan examples/campaigns"
    monkeypatch.chdir(ROOT)
    with EmulatorServer(port=0, seed=ROOT / "examples" / "emulator-seed.json") as server:
        monkeypatch.setenv("RECONCILER_API_URL", server.url)
        monkeypatch.setenv("RECONCILER_TOKEN", server.token)
        monkeypatch.delenv("RECONCILER_API_KEY", raising=False)
        result = run_cli("plan", "examples/campaigns")
    assert result.code == 0, result.output
    assert _matches_excerpt(expected, result.stdout.splitlines()), result.stdout
    assert expected[-1] == result.stdout.splitlines()[-1]


def test_the_excerpt_matcher_is_strict():
    assert _matches_excerpt(["a", "[… cut here: x …]", "d"], ["a", "b", "c", "d"])
    assert not _matches_excerpt(["a", "d"], ["a", "b", "d"])
    assert not _matches_excerpt(["a", "b"], ["a", "b", "c"])
    uuid = "f8802dbe-da6e-4bf1-b47e-1eb7d7cdff13"
    assert _matches_excerpt(["(0123abcd-…; x)"], [f"({uuid}; x)"])
    assert not _matches_excerpt(["(0123abcd-…; x)"], ["(f8802dbe; x)"])
