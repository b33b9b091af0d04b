"""Audio in an export: the API gives no file back, so live uploads are only listed by name,
and templates name the uploads they play (a digest-named upload by its declared name)."""

from __future__ import annotations

from typing import Any

from reconciler.kinds.audio.names import declared_name


def as_named(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The audio listing with each upload under the name a manifest gives it."""
    return [{**row, "audio_name": declared_name(str(row.get("audio_name")))
             or row.get("audio_name")} for row in rows]


def summary(rows: list[dict[str, Any]]) -> str:
    """One line naming the live uploads (empty when there are none)."""
    if not rows:
        return ""
    listed = ", ".join(sorted(str(row.get("audio_name")) for row in rows))
    return (f"Live audio, listed by name only (the API gives no file back: declare each under "
            f"audio: with its WAV file): {listed}")
