"""docs/commands.md's synopsis names every option of every command (the emulator's are in
docs/emulator.md), so an option added to a command is added to the docs."""

from __future__ import annotations

import re
from pathlib import Path

import click

from reconciler.cli import cli

ROOT = Path(__file__).resolve().parent.parent
_GLOBAL = {"--api-url", "--env", "--config", "--verbose", "-v", "--no-color", "--version",
           "-h", "--help"}


def _synopsis() -> dict[str, str]:
    text = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    block = text.split("## Synopsis", 1)[1].split("```")[1]
    lines: dict[str, str] = {}
    for part in re.split(r"\n(?=reconciler )", block.strip()):
        name = part.split()[1]
        lines[name] = lines.get(name, "") + part
    return lines


def _missing(command: click.Command, text: str) -> list[str]:
    """Options of the command the text does not name (a flag pair: either spelling)."""
    missing = []
    for param in command.params:
        if not isinstance(param, click.Option):
            continue
        spellings = [o for o in param.opts + param.secondary_opts if o not in _GLOBAL]
        if spellings and not any(re.search(re.escape(o) + r"(?![\w-])", text)
                                 for o in spellings):
            missing.append("/".join(spellings))
    return missing


def test_every_option_is_in_the_synopsis() -> None:
    context = click.Context(cli)
    synopsis = _synopsis()
    emulator = (ROOT / "docs" / "emulator.md").read_text(encoding="utf-8")
    missing = {}
    for name in cli.list_commands(context):
        command = cli.get_command(context, name)
        assert command is not None
        text = synopsis.get(name, "") + (emulator if name == "emulator" else "")
        assert text, f"reconciler {name} has no line in docs/commands.md's synopsis"
        if _missing(command, text):
            missing[name] = _missing(command, text)
    assert not missing, f"options not in docs (commands.md synopsis, emulator.md): {missing}"
