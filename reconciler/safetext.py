"""Text from the server or a file, made safe to show: one function, used where output is made.

A campaign name, a `status` or an API error message may hold terminal escape sequences (ESC,
OSC, CSI), a BEL, a carriage return that overwrites the line a reviewer is reading, bidi
overrides that reorder what is shown, or a lone surrogate that cannot even be printed. Each
such character is shown as a visible escape (`\\x1b`, `\\r`, `\\u202e`); every other
character, Vietnamese letters included, is shown as it is.
"""

from __future__ import annotations

import re
from typing import Any

# C0 controls and DEL, C1 controls (NEL U+0085 and CSI U+009B among them), the bidi marks,
# embeddings, overrides and isolates, zero-width space and BOM, the Unicode line and
# paragraph separators, and lone surrogates. `\n` is first so it can be kept or not.
UNSAFE = re.compile(
    "[\n\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028\u2029"
    "\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)
UNSAFE_BUT_NEWLINE = re.compile(UNSAFE.pattern.replace("\n", "", 1))
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text: Any, *, keep_newlines: bool = False) -> str:
    """`text` with every control, bidi and unpaired-surrogate character as a visible escape
    (line breaks kept only with `keep_newlines`, for messages of several lines)."""
    text = text if isinstance(text, str) else str(text)
    return (UNSAFE_BUT_NEWLINE if keep_newlines else UNSAFE).sub(_escape, text)
