"""Names ↔ uuids of the kinds references name, resolved without I/O from listings fetched
earlier. Keyed by kind name: a row of kind K names itself with `K_name` and `K_uuid`."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler.names import identity_key, looks_alike
from reconciler.safetext import spelt

Placeholders = Callable[[Mapping[str, Any]], list[str]]


@dataclass(frozen=True)
class Catalog:
    """Names to uuids, by kind (the listings, read once per run)."""

    tables: dict[str, dict[str, str]] = field(default_factory=dict)
    # Names more than one row carries: resolving them by name would be a guess.
    ambiguous: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    # The kinds whose whole listing was read: only those can say a uuid is not on the tenant.
    listed: frozenset[str] = frozenset()
    # Every uuid of each listed kind (names aside: a carrier may have no usable name).
    uuids: dict[str, frozenset[str]] = field(default_factory=dict)
    # Uuid -> the {{placeholders}} its texts use (the params lead imports supply), for the
    # kinds whose objects have texts.
    placeholders: dict[str, list[str]] = field(default_factory=dict)
    # Every listing read, by kind (for kinds that resolve names in them themselves).
    listings: dict[str, list[dict]] = field(default_factory=dict)

    @classmethod
    def from_listings(
        cls,
        listings: Mapping[str, list[dict] | None],
        placeholders: Mapping[str, Placeholders] | None = None,
    ) -> Catalog:
        """From the listings read, by kind (a kind not read, or None, is left out);
        `placeholders`: per kind whose objects have texts, how to find their placeholders."""
        tables: dict[str, dict[str, str]] = {}
        ambiguous: dict[str, dict[str, list[str]]] = {}
        uuids: dict[str, frozenset[str]] = {}
        found: dict[str, list[str]] = {}
        for kind, rows in listings.items():
            if rows is None:
                continue
            table = tables.setdefault(kind, {})
            twins = ambiguous.setdefault(kind, {})
            uuids[kind] = frozenset(row[f"{kind}_uuid"] for row in rows)
            for row in rows:
                name, uuid = row[f"{kind}_name"], row[f"{kind}_uuid"]
                if name in table and table[name] != uuid:
                    twins.setdefault(name, [table[name]]).append(uuid)
                table[name] = uuid
            of = (placeholders or {}).get(kind)
            if of is not None:
                found.update({row[f"{kind}_uuid"]: of(row) for row in rows})
        read = {kind: list(rows) for kind, rows in listings.items() if rows is not None}
        return cls(tables, ambiguous, frozenset(uuids), uuids, found, read)

    def unknown_uuid(self, kind: str, uuid: str | None, current: str | None = None) -> str:
        """Why a declared `<kind>_uuid` cannot be set ("" when it can, or was not checked).

        Found at plan time, a wrong uuid fails before any write rather than half-way through
        an apply (the API refuses, or stores a dangling reference). A uuid the live campaign
        already holds is no change, even if the object it names has gone since."""
        if not uuid or uuid == current or kind not in self.listed or uuid in self.uuids[kind]:
            return ""
        same = next((known for known in self.uuids[kind] if known.lower() == uuid.lower()), None)
        if same is not None:
            return f"{kind}_uuid: the API spells this {kind}'s uuid {same}: write it that way"
        names = sorted(self.table(kind))
        if names:
            more = " ..." if len(names) > 8 else ""
            known = f"known {kind}s: " + ", ".join(f'"{name}"' for name in names[:8]) + more
        else:
            known = f"the API lists no {kind}s"
        return (
            f"{kind}_uuid: no {kind} on the tenant has uuid {uuid} ({known}; "
            f"or name one with {kind}: NAME)"
        )

    def resolve(self, kind: str, name: str) -> tuple[str | None, str]:
        """(uuid, "") when the name is known and unique, else (None, the error message).
        Names are compared as identities are (NFC): a decomposed spelling finds the name."""
        name = self._spelt_as_listed(kind, name)
        duplicates = self.ambiguous.get(kind, {}).get(name)
        if duplicates:
            return None, (
                f'{kind}: {len(duplicates)} {kind}s are named "{name}" '
                f"({', '.join(duplicates)}); use {kind}_uuid to say which"
            )
        table = self.table(kind)
        if name in table:
            return table[name], ""
        alike = [listed for listed in table if looks_alike(listed, name)]
        if alike:  # a manifest cannot spell it so: the uuid says which, unmistakably
            listed = ", ".join(f"{spelt(other)} ({table[other]})" for other in alike)
            return None, (
                f"{kind}: no {kind} is named {spelt(name)}, but {listed} "
                f"{'reads' if len(alike) == 1 else 'read'} like it (only spaces or invisible "
                f"characters differ): name it by {kind}_uuid"
            )
        return None, unknown_name_message(kind, name, list(table))

    def _spelt_as_listed(self, kind: str, name: str) -> str:
        table = self.table(kind)
        if name in table:
            return name
        same = [listed for listed in table if identity_key(listed) == identity_key(name)]
        return same[0] if len(same) == 1 else name

    def table(self, kind: str) -> dict[str, str]:
        return self.tables.get(kind, {})

    def name_of(self, kind: str, uuid: str) -> str | None:
        for name, known_uuid in self.table(kind).items():
            if known_uuid == uuid:
                return name
        return None


def unknown_name_message(kind: str, name: str, known: list[str]) -> str:
    """`unknown carrier "Biling" (did you mean "Billing"?)`, listing a few known names."""
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    if close:
        hint = " or ".join(f'"{option}"' for option in close)
        return f'{kind}: unknown {kind} "{name}" (did you mean {hint}?)'
    if known:
        shown = ", ".join(f'"{option}"' for option in sorted(known)[:8])
        more = " ..." if len(known) > 8 else ""
        return f'{kind}: unknown {kind} "{name}" (known: {shown}{more})'
    return f'{kind}: unknown {kind} "{name}" (the API lists no {kind}s)'
