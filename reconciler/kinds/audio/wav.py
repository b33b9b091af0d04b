"""What a WAV file in the repository holds: its digest (the identity of its content), size
and duration, read with the standard library's `wave` module. Refusing anything else here
makes `validate` refuse it, located at the entry's `file:` line."""

from __future__ import annotations

import hashlib
import io
import wave
from dataclasses import dataclass
from pathlib import Path


class WavProblem(ValueError):
    """The file cannot be uploaded as a WAV: missing, unreadable or not a WAV."""


@dataclass(frozen=True)
class WavFacts:
    """One WAV file: where it is (as the manifest's directory leads to it) and what it is."""

    path: str
    size: int
    sha256: str
    duration: float  # seconds
    rate: int
    channels: int

    @property
    def short_digest(self) -> str:
        """The first 8 hex digits of the sha256: the upload name's suffix."""
        return self.sha256[:8]


def read_wav(path: Path, shown: str) -> WavFacts:
    """The facts of the WAV at `path` (`shown`: the path as reports print it)."""
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise WavProblem(f"file {shown}: no such file") from None
    except IsADirectoryError:
        raise WavProblem(f"file {shown}: is a directory, not a WAV file") from None
    except OSError as exc:
        raise WavProblem(f"file {shown}: cannot read it ({exc.strerror or exc})") from None
    return facts_of(content, shown)


def facts_of(content: bytes, shown: str) -> WavFacts:
    """The facts of WAV bytes; WavProblem when they are not a WAV the wave module reads
    (RIFF/WAVE, PCM)."""
    if content[:4] != b"RIFF" or content[8:12] != b"WAVE":
        raise WavProblem(
            f"file {shown}: not a WAV file (a WAV starts with RIFF....WAVE; only WAV is "
            "accepted by the audio API)"
        )
    try:
        with wave.open(io.BytesIO(content)) as reader:
            frames, rate = reader.getnframes(), reader.getframerate()
            channels = reader.getnchannels()
    except (wave.Error, EOFError, ValueError) as exc:
        raise WavProblem(f"file {shown}: not a readable WAV file ({exc})") from None
    if rate <= 0:
        raise WavProblem(f"file {shown}: not a readable WAV file (sample rate {rate})")
    return WavFacts(
        path=shown, size=len(content), sha256=hashlib.sha256(content).hexdigest(),
        duration=frames / rate, rate=rate, channels=channels,
    )
