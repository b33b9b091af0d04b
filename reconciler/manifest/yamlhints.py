"""What to do about a YAML file the parser cannot read: the parser's words plus a hint.

The parser says *what* it met ("found a tab character that violates indentation"); a
newcomer needs to know what to change. Each function here looks at the failure and the
file's text (or bytes) and adds that.
"""

from __future__ import annotations

import codecs
from typing import Any

TAB_HINT = "indent with spaces: YAML does not allow tabs in indentation"
INDENT_HINT = (
    "check the indentation: the fields of one entry must start in the same column, the "
    "first one right after '- '"
)
COLON_HINT = "check the indentation, or quote a value that contains ': '"
# Parser problems that nearly always mean a line is indented wrongly.
_INDENT_PROBLEMS = (
    "did not find expected key",
    "did not find expected '-' indicator",
    "expected <block end>",
    "could not find expected ':'",
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def parser_hint(problem: str, mark: Any, text: str) -> str:
    """`; <hint>` for a parser or scanner problem at `mark`, or ""."""
    if _tab_near(mark, text):
        return f"; {TAB_HINT}"
    if "mapping values are not allowed" in problem:
        return f"; {COLON_HINT}"
    if problem.startswith(_INDENT_PROBLEMS):
        return f"; {INDENT_HINT}"
    return ""


def _tab_near(mark: Any, text: str) -> bool:
    """A tab in the indentation of the problem's line (or the line before it)."""
    if mark is None:
        return False
    lines = text.splitlines()
    for number in (mark.line, mark.line - 1):
        if 0 <= number < len(lines):
            line = lines[number]
            indentation = line[: len(line) - len(line.lstrip(" \t"))]
            if "\t" in indentation:
                return True
    return False


def reader_problem(exc: Any, text: str) -> tuple[int, str]:
    """(line, message) for a character YAML does not accept (a control character, say):
    the reader knows only the character's offset in the text, not its line."""
    position = getattr(exc, "position", None)
    if not isinstance(position, int) or not 0 <= position <= len(text):
        return 1, f"invalid YAML: {str(exc).strip().splitlines()[0]}"
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    character = getattr(exc, "character", None)
    if isinstance(character, str) and len(character) == 1:
        character = ord(character)
    if not isinstance(character, int):
        return line, f"invalid YAML: {str(exc).strip().splitlines()[0]}"
    escape = f"\\x{character:02x}" if character < 0x100 else f"\\u{character:04x}"
    return line, (
        f"invalid YAML: the control character U+{character:04X} (column {column}) is not "
        f'allowed in a YAML file; delete it, or inside a double-quoted string write "{escape}"'
    )


def encoding_problem(raw: bytes, exc: UnicodeDecodeError) -> str:
    """Why the bytes are not UTF-8, naming the encoding when a byte-order mark gives it."""
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return (
                f"the file is {name} text (it starts with a {name} byte-order mark), not "
                "UTF-8: save it as UTF-8"
            )
    return f"not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8"
