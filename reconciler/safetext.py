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


# How a name's invisible differences read in a plan: an ordinary space that starts or ends
# the name, or stands next to another, as U+2420 (␠); any other space, a blank-looking letter
# or an invisible (format) character as its code (`\u00a0`); a literal ␠ as `\u2420`.
SPACE_MARK = "\u2420"
# Spaces other than the ordinary one (any Unicode whitespace but " " and the line break),
# blank-looking letters, and the invisible (format) characters.
INVISIBLE = re.compile(
    "[^\\S \n]|[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff\ufff9-\ufffb\uffa0\u2800"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)


def visible(name: Any) -> str:
    """`name` as `shown`, with every difference a look-alike name could hide made visible:
    `Nhắc nợ␠`, `Nhắc\\u00a0nợ`, `Nhắc␠␠nợ`. A plain name is unchanged."""
    text = name if isinstance(name, str) else str(name)
    last = len(text) - 1
    out = []
    for index, char in enumerate(text):
        if char == " ":
            odd = index in (0, last) or text[index - 1] == " " or text[index + 1] == " "
            out.append(SPACE_MARK if odd else " ")
        elif char == SPACE_MARK or (INVISIBLE.match(char) and not UNSAFE.match(char)):
            out.append(code_of(char))
        else:
            out.append(char)
    return shown("".join(out))


def code_of(char: str) -> str:
    """`\\u00a0` (`\\U000e0001` beyond the first plane): a character by its code."""
    code = ord(char)
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def spelt(name: Any) -> str:
    """A name in double quotes, made `visible`: how plans quote a name whose spelling
    matters (`"Nhắc nợ␠"`)."""
    return f'"{visible(name)}"'


def json_safe(text: str) -> str:
    """JSON text (from `json.dumps(..., ensure_ascii=False)`) with every character `shown`
    would escape as a JSON escape: the same values, but no bidi override, line separator or
    lone surrogate left raw for a CI page (SARIF, GitLab) to render."""
    return UNSAFE_BUT_NEWLINE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
