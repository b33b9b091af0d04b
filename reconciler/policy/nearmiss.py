"""Near misses: a label that almost selects a campaign into a rule, found in linear time.

A text nearly is a wanted one when they differ (in NFC) but only by case, spacing or accents
(`Quảng cáo`, ` quang cao ` for `quảng cáo`), by one slip of spelling in a text of five or
more letters (`purpse`), or by a word's ending (`advertisement` for `advertising`). A
difference that touches a digit is never a slip: `team1`, `team10` and `team2` are three
teams. Wanted texts are indexed once (by folded form, one-deletion neighbours and five-letter
prefix), so each label costs a few dictionary lookups, whatever the number of rules.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable

MIN_SLIP_LENGTH = 5  # shorter texts (ads, team) are too short for a slip to mean anything
_STEM = 5  # a word-ending variant shares at least this many leading letters


@functools.lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """The text without case, accents or extra spaces: `  Quảng  Cáo ` → `quang cao`."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.replace("đ", "d").split())


def one_slip(a: str, b: str) -> bool:
    """Whether folded `a` and `b` differ by one insertion, deletion, substitution or swap of
    neighbours, no digit involved, and the shorter has at least MIN_SLIP_LENGTH letters."""
    if min(len(a), len(b)) < MIN_SLIP_LENGTH or abs(len(a) - len(b)) > 1 or a == b:
        return False
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a, end_b = end_a - 1, end_b - 1
    differ = a[start:end_a] + b[start:end_b]  # what the edit changes
    if any(char.isdigit() for char in differ):
        return False
    if len(a) != len(b):
        return end_a - start + end_b - start == 1
    width = end_a - start
    return width == 1 or (width == 2 and a[start:end_a] == b[start:end_b][::-1])


def word_ending(a: str, b: str) -> bool:
    """Whether folded `a` and `b` are one word with another ending: a common stem of at
    least five letters, leaving at most three of the shorter (advertisement, advertising)."""
    common = 0
    for left, right in zip(a, b, strict=False):
        if left != right:
            break
        common += 1
    shorter = min(len(a), len(b))
    return (
        common >= _STEM
        and common >= shorter - 3
        and common < shorter
        and a[common - 1].isalpha()
        and a[common].isalpha()
        and b[common].isalpha()
    )


def nearly(text: str, wanted: str) -> bool:
    """Different (in NFC), but only by case, spacing, accents, a slip or a word's ending."""
    if unicodedata.normalize("NFC", text) == unicodedata.normalize("NFC", wanted):
        return False
    a, b = fold(text), fold(wanted)
    return a == b or one_slip(a, b) or word_ending(a, b)


def _deletions(text: str) -> Iterable[str]:
    return (text[:index] + text[index + 1 :] for index in range(len(text)))


class NearIndex:
    """The wanted texts (NFC) of one place (the label keys rules select by, or one key's
    values), indexed so that `near(text)` looks at a handful of candidates only."""

    def __init__(self, wanted: Iterable[str]) -> None:
        self._by_fold: dict[str, list[str]] = {}
        self._by_neighbour: dict[str, list[str]] = {}  # folded, and folded minus one letter
        self._by_stem: dict[str, list[str]] = {}
        self._memo: dict[str, tuple[str, ...]] = {}
        for text in dict.fromkeys(wanted):
            folded = fold(text)
            self._by_fold.setdefault(folded, []).append(text)
            for key in {folded, *_deletions(folded)}:
                self._by_neighbour.setdefault(key, []).append(text)
            if len(folded) >= _STEM:
                self._by_stem.setdefault(folded[:_STEM], []).append(text)

    def near(self, text: str) -> tuple[str, ...]:
        """The wanted texts `text` nearly is (never one it equals), in the order given."""
        found = self._memo.get(text)
        if found is None:
            found = self._memo[text] = self._find(text)
        return found

    def _find(self, text: str) -> tuple[str, ...]:
        folded = fold(text)
        candidates: dict[str, None] = dict.fromkeys(self._by_fold.get(folded, ()))
        for key in {folded, *_deletions(folded)}:
            candidates.update(dict.fromkeys(self._by_neighbour.get(key, ())))
        candidates.update(dict.fromkeys(self._by_stem.get(folded[:_STEM], ())))
        return tuple(wanted for wanted in candidates if nearly(text, wanted))
