"""Campaign and template names as identities: equal when they read the same.

Vietnamese text typed on different systems arrives composed (NFC) or decomposed (NFD); both
render identically, so a manifest in one form must find the live campaign in the other rather
than create a visually identical second one (`identity_key`: the same name, no rename).

A name typed in the portal may also carry a trailing space, a no-break space (U+00A0), an
ideographic space (U+3000), a doubled space or a zero-width character: it reads like the
manifest's clean spelling. Such a look-alike is the same object to a reviewer, so the planner
matches it (`lookalike_key`) and renames it to the manifest's spelling, rather than planning
a create next to it and, with --prune, the delete of the real one and its history.
"""

from __future__ import annotations

import unicodedata

# Letters that render as a blank (Hangul fillers, braille blank, ...): read as a space.
BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5")


def identity_key(name: str) -> str:
    """The form names are compared in (NFC)."""
    return unicodedata.normalize("NFC", name)


def same_name(first: str, second: str) -> bool:
    return identity_key(first) == identity_key(second)


def lookalike_key(name: str) -> str:
    """The name as it reads: NFC, invisible (format) characters dropped, and every run of
    spaces of any kind (no-break, ideographic, tabs, blank-looking letters) one ordinary
    space, none at either end."""
    if name.isprintable() and BLANK_LOOKING.isdisjoint(name):  # no odd space, no Cf: fast
        return identity_key(" ".join(name.split()))
    kept = "".join(
        " " if char in BLANK_LOOKING else char
        for char in name
        if unicodedata.category(char) != "Cf"
    )
    return identity_key(" ".join(kept.split()))


def looks_alike(first: str, second: str) -> bool:
    """Whether two names read the same (same_name, or only spaces or invisible characters
    differ)."""
    return lookalike_key(first) == lookalike_key(second)
