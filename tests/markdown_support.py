"""How CommonMark (and so GitHub) splits a markdown document into blocks, just far enough to
ask which lines are headings: a line inside a fenced code block or an HTML block is not one."""

from __future__ import annotations

import re

FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
# An HTML block of CommonMark's type 6 (block-level tags such as <details>): it starts at such
# a tag, opening or closing, and ends only at a blank line.
HTML_BLOCK = re.compile(r" {0,3}</?(details|summary|div|table|p|ul|ol|li)(\s|/?>|$)", re.I)
HEADING = re.compile(r" {0,3}#{1,6}(\s|$)")


def headings(document: str) -> list[str]:
    """The lines of `document` that render as ATX headings (`### ...`)."""
    found: list[str] = []
    fence = ""
    in_html = False
    for line in document.split("\n"):
        if in_html:
            in_html = line.strip() != ""
        elif fence:
            closing = FENCE.match(line)
            if closing and closing[1][0] == fence[0] and len(closing[1]) >= len(fence):
                if not line.strip().strip(fence[0]):
                    fence = ""
        elif opening := FENCE.match(line):
            fence = opening[1]
        elif HTML_BLOCK.match(line):
            in_html = True
        elif HEADING.match(line):
            found.append(line.strip())
    return found
