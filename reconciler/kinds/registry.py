"""The one list of kinds, in dependency order (a kind before the kinds that reference it).

Adding a kind is a package under reconciler/kinds/ and one line in `KINDS`.
"""

from __future__ import annotations

from reconciler.kinds.audio import AUDIO
from reconciler.kinds.base import Kind, Reference
from reconciler.kinds.campaign import CAMPAIGN
from reconciler.kinds.carrier import CARRIER
from reconciler.kinds.template import TEMPLATE

KINDS: list[Kind] = [AUDIO, CARRIER, TEMPLATE, CAMPAIGN]

_BY_NAME: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Add a kind (after those it references); its name must be new."""
    if kind.name in _BY_NAME:
        raise ValueError(f"kind {kind.name!r} is registered twice")
    _BY_NAME[kind.name] = kind
    return kind


for _kind in KINDS:
    register(_kind)


def kinds() -> dict[str, Kind]:
    """Every kind by name, in dependency order."""
    return dict(_BY_NAME)


def kind_of(change_or_name: object) -> Kind:
    """The kind of a change (its `kind`), or of that name."""
    name = change_or_name if isinstance(change_or_name, str) else change_or_name.kind  # type: ignore[attr-defined]
    return _BY_NAME[name]


def primary() -> Kind:
    """The kind a change or document means when it names none."""
    return next(kind for kind in _BY_NAME.values() if kind.primary)


def referrers(target: str) -> list[tuple[Kind, Reference]]:
    """(kind, reference) for each reference to `target`."""
    return [(kind, ref) for kind in _BY_NAME.values() for ref in kind.references
            if ref.target == target]
