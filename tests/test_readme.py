"""The README and docs/ stand on their own and say what is true: every page they link exists
(and every #anchor is a heading there), they cite nothing outside the repository, and every
example that shows a command's output (a ```text block starting `$ reconciler ...`) is what
that command prints, reproduced as the `<!-- output: ... -->` marker above it says:

- the first word is the stream shown: `stdout`, `stderr` or `stdout+stderr`;
- `demo`: against the emulator seeded with examples/emulator-seed.json, from the repository
  root; `seed=FILE`: seeded with FILE; `quirk=Q`: with that quirk;
- `files above`: in an empty directory holding the files the nearest shell block above writes
  (`cat > PATH <<'TAG'`); `new dir`: in an empty directory.

A block may hold several `$ ` commands, run in turn against the same emulator, each followed
by what it prints.

A command ending `; echo "exit $?"` shows its exit code on the last line. Expected lines
may shorten a uuid to its first block (`f8802dbe-…`), and a `[… cut here: … …]` line stands
for lines left out."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from doc_blocks import (
    anchors,
    blocks,
    examples,
    links,
    pages,
    split_command,
)

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _all_examples() -> list:
    found = []
    for page in pages():
        try:
            found += examples(page)
        except ValueError:
            pass  # reported by test_every_output_example_says_how_to_reproduce_it
    return found


EXAMPLES = _all_examples()


def test_every_relative_link_resolves():
    # Files and anchors alike: a page moved, or a heading reworded, breaks no link.
    broken = []
    for page in pages():
        for line, target in links(page):
            if "://" in target or target.startswith("mailto:"):
                continue
            path, _, anchor = target.partition("#")
            resolved = (page.parent / path).resolve() if path else page
            where = f"{page.relative_to(ROOT)}:{line}: {target}"
            if not resolved.exists():
                broken.append(f"{where} (no such file)")
            elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
                broken.append(f"{where} (no such heading)")
    assert broken == []


def test_the_link_checker_sees_files_and_anchors(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "# Title\n\n## `export --update DIR`\n\n## Problems on the pull request's lines\n\n"
        "[a](other.md#x) ![b](pic.png) `[not](a-link)`\n\n```sh\n# not a heading\n```\n",
        encoding="utf-8",
    )
    assert anchors(page) == {"title", "export---update-dir", "problems-on-the-pull-requests-lines"}
    assert [target for _, target in links(page)] == ["other.md#x", "pic.png"]


def test_the_readme_links_the_reference_pages():
    local = re.findall(r"\]\((docs/[^)#\s]+)", README)
    for page in ("docs/api-facts.md", "docs/plan-json.md", "docs/adopting.md",
                 "docs/commands.md", "docs/troubleshooting.md"):
        assert page in local


def test_the_readme_is_a_short_path_with_adoption_on_its_first_screen():
    lines = README.splitlines()
    assert len(lines) <= 155
    first_screen = "\n".join(lines[:40])
    assert "](#your-tenant-in-five-steps)" in first_screen
    steps = README.split("## Your tenant in five steps\n", 1)[1].split("\n## ", 1)[0]
    for step in ("RECONCILER_API_URL", "reconciler doctor", "reconciler export --out campaigns/",
                 "reconciler plan campaigns/", "examples/ci/"):
        assert step in steps


def test_every_docs_page_starts_with_an_example():
    # A reference page opens with something to run (or a document to read), not with prose
    # only: a code block in its introduction or its first section ("Try it").
    for page in sorted((ROOT / "docs").glob("*.md")):
        text = page.read_text(encoding="utf-8")
        body = "\n## ".join(text.split("\n## ", 2)[:2])
        assert "```" in body, page.name


def _shell_commands(page: Path) -> list[tuple[int, str]]:
    """The `reconciler ...` command lines of `page`'s shell blocks (continuations joined,
    comments, pipes, redirections and `&` cut off)."""
    found = []
    for block in blocks(page):
        if block.info not in ("sh", "bash", "shell"):
            continue
        for offset, line in enumerate("\n".join(block.lines).replace("\\\n", " ").split("\n")):
            text = line.strip()
            if "reconciler " not in text or not re.match(r"(\.venv/bin/)?reconciler ", text):
                continue
            text = text[text.index("reconciler "):].split(" #")[0]
            for stop in (" |", " >", " &", ";", " 2>"):
                text = text.split(stop)[0]
            found.append((block.line + 1 + offset, text))
    return found


def test_every_command_shown_is_one_the_cli_accepts():
    # The shell examples run as shown: each `reconciler ...` line parses (its command, options
    # and arguments exist), without running it.
    import click

    from reconciler.cli import cli

    refused = []
    for page in pages():
        for line, text in _shell_commands(page):
            words = shlex.split(text)[1:]
            try:
                context = cli.make_context("reconciler", list(words))
                name, command, rest = cli.resolve_command(context, context._protected_args
                                                          + context.args)
                command.make_context(name, rest, parent=context)
            except click.exceptions.Exit:
                pass
            except click.ClickException as error:
                refused.append(f"{page.relative_to(ROOT)}:{line}: {text}: "
                               f"{error.format_message()}")
    assert refused == []
    assert len([1 for page in pages() for _ in _shell_commands(page)]) > 40


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


def test_every_output_example_says_how_to_reproduce_it():
    problems = []
    for page in pages():
        try:
            examples(page)
        except ValueError as error:
            problems.append(str(error))
    assert problems == []
    assert len(EXAMPLES) >= 6


QUIET = ("RECONCILER_API_URL", "RECONCILER_TOKEN", "RECONCILER_API_KEY", "RECONCILER_CONFIG",
         "RECONCILER_ENV", "GITHUB_ACTIONS", "GITLAB_CI", "NO_COLOR")


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.where for example in EXAMPLES])
def test_every_output_example_is_real_output(example, monkeypatch, tmp_path):
    from contextlib import nullcontext

    from clirun import run_cli

    from reconciler.emulator import EmulatorServer

    new_dir = example.setup & {"files above", "new dir"}
    cwd = tmp_path if new_dir else ROOT
    for name, content in example.files.items():
        (cwd / name).parent.mkdir(parents=True, exist_ok=True)
        (cwd / name).write_text(content, encoding="utf-8")
    seed = cwd / example.options["seed"] if "seed" in example.options else (
        ROOT / "examples" / "emulator-seed.json" if "demo" in example.setup else None)
    quirks = [example.options["quirk"]] if "quirk" in example.options else []
    for name in QUIET:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(cwd)
    serving = seed is not None or quirks
    with EmulatorServer(port=0, seed=seed, quirks=quirks) if serving else nullcontext() as server:
        if server is not None:
            monkeypatch.setenv("RECONCILER_API_URL", server.url)
            monkeypatch.setenv("RECONCILER_TOKEN", server.token)
        for command, expected in example.steps:
            env, args, echoes = split_command(command)
            with monkeypatch.context() as scoped:
                for name, value in env.items():
                    scoped.setenv(name, value)
                result = run_cli(*args)
            shown = {"stdout": result.stdout, "stderr": result.stderr,
                     "stdout+stderr": result.stdout + result.stderr}[example.stream]
            if echoes:
                assert expected[-1] == f"exit {result.code}", (command, result.output)
                expected = expected[:-1]
            assert _matches_excerpt(expected, shown.splitlines()), (command, shown)


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


def test_the_opening_plan_is_a_checked_example():
    # The README's first example is the plan of the seeded demo tenant (an excerpt), checked
    # by test_every_output_example_is_real_output like every other.
    first = next(example for example in EXAMPLES if example.block.page.name == "README.md")
    assert first.command == "reconciler plan examples/campaigns"
    assert first.setup == {"demo"} and first.stream == "stdout"
    assert first.expected[-1].startswith("Plan: ")


def test_the_annotation_example_shows_annotations():
    [example] = [example for example in EXAMPLES if example.command.startswith("GITHUB_ACTIONS")]
    assert [line for line in example.expected if line.startswith("::")] != []


def test_the_excerpt_matcher_is_strict():
    assert _matches_excerpt(["a", "[… cut here: x …]", "d"], ["a", "b", "c", "d"])
    assert not _matches_excerpt(["a", "d"], ["a", "b", "d"])
    assert not _matches_excerpt(["a", "b"], ["a", "b", "c"])
    uuid = "f8802dbe-da6e-4bf1-b47e-1eb7d7cdff13"
    assert _matches_excerpt(["(0123abcd-…; x)"], [f"({uuid}; x)"])
    assert not _matches_excerpt(["(0123abcd-…; x)"], ["(f8802dbe; x)"])
