"""Reading the README and docs/ as a test reads them: the output examples they claim (a
```text block whose first line is `$ command`), the marker above each that says how to
reproduce it, the files a shell block above writes, the links and the headings' anchors."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)")
MARKER = re.compile(r"<!-- output: (.+?) -->\s*$")
HEREDOC = re.compile(r"cat > (\S+) <<'(\w+)'$")
STREAMS = ("stdout", "stderr", "stdout+stderr")


def pages() -> list[Path]:
    """The README and every page of docs/."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@dataclass
class Block:
    """A fenced code block: its info string, its lines, where it starts and the line above."""

    page: Path
    line: int  # 1-based line of the opening fence
    info: str
    lines: list[str]
    above: str  # the line right above the opening fence


@dataclass
class Example:
    """An output example: `$ command` and what it prints, as the marker says to reproduce it."""

    block: Block
    stream: str
    setup: set[str] = field(default_factory=set)
    options: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # what the shell block above writes

    @property
    def where(self) -> str:
        return f"{self.block.page.relative_to(ROOT)}:{self.block.line}"

    @property
    def steps(self) -> list[tuple[str, list[str]]]:
        """Each `$ command` of the block with the lines it prints, in order."""
        found: list[tuple[str, list[str]]] = []
        for line in self.block.lines:
            if line.startswith("$ "):
                found.append((line[2:], []))
            else:
                found[-1][1].append(line)
        return found

    @property
    def command(self) -> str:
        return self.steps[0][0]

    @property
    def expected(self) -> list[str]:
        return self.steps[0][1]


def blocks(page: Path) -> list[Block]:
    """The fenced code blocks of `page`, in order (indented ones too, as in list items)."""
    found: list[Block] = []
    current: Block | None = None
    fence = ""
    lines = page.read_text(encoding="utf-8").split("\n")
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if current is None:
            opening = FENCE.match(stripped)
            if opening:
                fence = opening[1]
                above = lines[number - 2].strip() if number > 1 else ""
                current = Block(page, number, opening[2].strip(), [], above)
        elif stripped.startswith(fence) and not stripped.strip(fence[0]):
            found.append(current)
            current = None
        else:
            indent = len(line) - len(line.lstrip(" "))
            current.lines.append(line[min(indent, _indent(lines[current.line - 1])):])
    return found


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def claims_output(block: Block) -> bool:
    """A text block whose first line is a shell prompt claims to show a command's output."""
    return block.info in ("text", "console") and bool(block.lines) \
        and block.lines[0].startswith("$ ")


def examples(page: Path) -> list[Example]:
    """The output examples of `page`, each read with its marker (an error if it has none)."""
    found: list[Example] = []
    shell_above: Block | None = None
    for block in blocks(page):
        if block.info in ("sh", "bash", "shell"):
            shell_above = block
        if not claims_output(block):
            continue
        marker = MARKER.match(block.above)
        where = f"{page.relative_to(ROOT)}:{block.line}"
        if marker is None:
            raise ValueError(f"{where}: an output example needs <!-- output: ... --> above it")
        stream, *words = [word.strip() for word in marker[1].split(",")]
        if stream not in STREAMS:
            raise ValueError(f"{where}: the marker's first word is one of {STREAMS}")
        example = Example(block, stream)
        for word in words:
            key, sep, value = word.partition("=")
            if sep:
                example.options[key] = value
            else:
                example.setup.add(word)
        unknown = example.setup - {"demo", "files above", "new dir"} \
            | set(example.options) - {"seed", "quirk"}
        if unknown:
            raise ValueError(f"{where}: unknown marker words {sorted(unknown)}")
        if "files above" in example.setup:
            if shell_above is None:
                raise ValueError(f"{where}: 'files above' but no shell block above")
            example.files = heredocs(shell_above.lines)
        found.append(example)
    return found


def heredocs(lines: list[str]) -> dict[str, str]:
    """The files a shell block writes with `cat > PATH <<'TAG'` ... `TAG`."""
    files: dict[str, str] = {}
    target: tuple[str, str] | None = None
    body: list[str] = []
    for line in lines:
        if target is None:
            opening = HEREDOC.search(line.strip())
            if opening:
                target, body = (opening[1], opening[2]), []
        elif line.strip() == target[1]:
            files[target[0]] = "".join(part + "\n" for part in body)
            target = None
        else:
            body.append(line)
    return files


def split_command(command: str) -> tuple[dict[str, str], list[str], bool]:
    """`[VAR=value ...] reconciler ARGS [; echo "exit $?"]` as (environment, args, whether the
    exit code is echoed)."""
    echoes = command.endswith('; echo "exit $?"')
    if echoes:
        command = command[: -len('; echo "exit $?"')]
    words = shlex.split(command)
    env: dict[str, str] = {}
    while words and "=" in words[0] and words[0] != "reconciler":
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    if not words or words[0] != "reconciler":
        raise ValueError(f"not a reconciler command: {command}")
    return env, words[1:], echoes


# ---- links and anchors --------------------------------------------------------------------

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
INLINE_CODE = re.compile(r"(`+).*?\1")
HEADING = re.compile(r" {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")


def prose(page: Path, *, code_spans: bool = False) -> list[tuple[int, str]]:
    """The lines of `page` outside code blocks, with inline code removed (kept with
    `code_spans`)."""
    kept: list[tuple[int, str]] = []
    inside = {block_line for block in blocks(page)
              for block_line in range(block.line, block.line + len(block.lines) + 2)}
    for number, line in enumerate(page.read_text(encoding="utf-8").split("\n"), 1):
        if number not in inside:
            kept.append((number, line if code_spans else INLINE_CODE.sub("", line)))
    return kept


def links(page: Path) -> list[tuple[int, str]]:
    """Every link target of `page`'s prose (images included), with its line."""
    return [(number, target) for number, line in prose(page) for target in LINK.findall(line)]


def anchors(page: Path) -> set[str]:
    """The anchors GitHub gives `page`'s headings (and explicit `<a id=...>` / `name=`)."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    for line in page.read_text(encoding="utf-8").split("\n"):
        found.update(re.findall(r"<a (?:id|name)=\"([^\"]+)\"", line))
    for _, line in prose(page, code_spans=True):
        heading = HEADING.match(line)
        if not heading:
            continue
        slug = slugify(heading[2])
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def slugify(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = re.sub(r"[^\w\- ]", "", text.lower())
    return text.replace(" ", "-")
