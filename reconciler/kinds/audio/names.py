"""Upload names: content is addressed by digest. A declared `audio_name: loi_chao` with a
file whose sha256 starts 3f9a1c2e is uploaded as `loi_chao-3f9a1c2e.wav`; a changed file is
a new name, so an unchanged one is never uploaded again and a changed one always is. Pure."""

from __future__ import annotations

import re

SUFFIX = ".wav"
_DIGEST = re.compile(r"-([0-9a-f]{8})\.wav$")


def stem(audio_name: str) -> str:
    """The declared name without a trailing .wav (it is added back once, after the digest)."""
    return audio_name[: -len(SUFFIX)] if audio_name.lower().endswith(SUFFIX) else audio_name


def upload_name(audio_name: str, short_digest: str) -> str:
    """`loi_chao-3f9a1c2e.wav`."""
    return f"{stem(audio_name)}-{short_digest}{SUFFIX}"


def digest_of(live_name: str, audio_name: str) -> str | None:
    """The short digest when `live_name` is an upload this tool made for `audio_name`, else
    None."""
    match = _DIGEST.search(live_name)
    if match is None or live_name[: match.start()] != stem(audio_name):
        return None
    return match.group(1)


def declared_name(live_name: str) -> str | None:
    """The name an upload was made for (`loi_chao` for `loi_chao-3f9a1c2e.wav`), or None for
    an upload this tool did not name."""
    match = _DIGEST.search(live_name)
    return live_name[: match.start()] if match and match.start() > 0 else None


def is_plain(live_name: str, audio_name: str) -> bool:
    """Whether `live_name` is the declared name itself (an upload made by hand or before
    this tool, whose bytes cannot be compared)."""
    return live_name in (audio_name, stem(audio_name), stem(audio_name) + SUFFIX)
