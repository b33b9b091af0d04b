"""Campaign names as identities: equal when they read the same, whatever the Unicode form.

Vietnamese text typed on different systems arrives composed (NFC) or decomposed (NFD); both
render identically, so a manifest in one form must find the live campaign in the other rather
than create a visually identical second one.
"""

from __future__ import annotations

import unicodedata


def identity_key(name: str) -> str:
    """The form names are compared in (NFC)."""
    return unicodedata.normalize("NFC", name)


def same_name(first: str, second: str) -> bool:
    return identity_key(first) == identity_key(second)
