"""Which rules select a campaign, and which labels nearly make one select it, in linear time.

The rules' selectors are indexed once per evaluation: a campaign's labels (in NFC) are looked
up pair by pair, so selecting costs a few lookups per label whatever the number of rules, and
near misses (reconciler/policy/nearmiss.py) are looked for only among the wanted texts a
label nearly is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence, Set

from reconciler.policy.nearmiss import NearIndex
from reconciler.policy.rules import Rule

Pair = tuple[str, str]  # (label key, value), NFC
Missed = dict[tuple[str, str, str], list[str]]  # (label key, wanted key, value) -> rule ids


class Selection:
    """The rules of one evaluation, indexed by the labels and types they select."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = list(rules)
        self._pairs: list[tuple[Pair, ...]] = []
        self._types: list[frozenset[str] | None] = []
        self._by_pair: dict[Pair, list[int]] = {}  # rules wanting this label
        self._unlabelled: list[int] = []  # rules selecting by type or every campaign
        values: dict[str, list[str]] = {}
        for index, rule in enumerate(self.rules):
            select = rule.select
            pairs = tuple(select.wanted.items()) if select else ()
            self._pairs.append(pairs)
            self._types.append(frozenset(select.type_autocall) if select and
                               select.type_autocall else None)
            if not pairs:
                self._unlabelled.append(index)
            for key, value in pairs:
                self._by_pair.setdefault((key, value), []).append(index)
                values.setdefault(key, []).append(value)
        self._keys = NearIndex(values)
        self._values = {key: NearIndex(wanted) for key, wanted in values.items()}
        self._exact = {key: set(wanted) for key, wanted in values.items()}

    def _typed(self, index: int, type_autocall: str | None) -> bool:
        types = self._types[index]
        return types is None or type_autocall in types

    def selected(self, labels: Mapping[str, str], type_autocall: str | None) -> list[int]:
        """Indexes of the rules selecting a campaign with these labels (NFC) and type."""
        hits = Counter(index for pair in labels.items() for index in self._by_pair.get(pair, ()))
        chosen = [index for index in self._unlabelled if self._typed(index, type_autocall)]
        chosen += [index for index, count in hits.items()
                   if count == len(self._pairs[index]) and self._typed(index, type_autocall)]
        return sorted(chosen)

    def near_misses(
        self, labels: Mapping[str, str], type_autocall: str | None, selected: Set[int]
    ) -> Missed:
        """Each label that misses a rule's selector only by case, spacing, accents or a
        slip, where the exact label would have made that rule (not selecting) select."""
        missed: Missed = {}
        if not labels or not self._by_pair:
            return missed
        slips = self._slips(labels)
        candidates = sorted({index for pair in slips for index in self._by_pair[pair]})
        for index in candidates:
            if index in selected or not self._typed(index, type_autocall):
                continue
            found = []
            for key, value in self._pairs[index]:
                if labels.get(key) == value:
                    continue
                if (key, value) not in slips:
                    break
                found.append((slips[key, value], key, value))
            else:
                # Two wanted labels nearly met by one label cannot both be fixed by it.
                if found and len({slip for slip, _, _ in found}) == len(found):
                    for slip in found:
                        missed.setdefault(slip, []).append(self.rules[index].id)
        return missed

    def _slips(self, labels: Mapping[str, str]) -> dict[Pair, str]:
        """(wanted key, wanted value) -> the key of the label that nearly is that pair. A
        label with a wanted key only nearly is a value of that key; another key nearly is
        a wanted key (not itself carried) with the same or nearly the same value."""
        slips: dict[Pair, str] = {}
        for key, value in labels.items():
            if key in self._values:
                for want in self._values[key].near(value):
                    slips.setdefault((key, want), key)
            for want_key in self._keys.near(key):
                if want_key in labels:
                    continue
                wants = self._values[want_key].near(value)
                if value in self._exact[want_key]:
                    wants = (value, *wants)
                for want in wants:
                    slips.setdefault((want_key, want), key)
        return slips
