"""Carrier and template names ↔ uuids, resolved without I/O from listings fetched earlier."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Catalog:
    """Names to uuids for carriers and templates (the listings, read once per run)."""

    carriers: dict[str, str] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, carriers: list[dict], templates: list[dict]) -> Catalog:
        return cls(
            carriers={row["carrier_name"]: row["carrier_uuid"] for row in carriers},
            templates={row["template_name"]: row["template_uuid"] for row in templates},
        )

    def table(self, kind: str) -> dict[str, str]:
        return self.carriers if kind == "carrier" else self.templates

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
