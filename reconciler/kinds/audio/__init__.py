"""Audio files: the kind (plan.py, settle.py), what a WAV holds (wav.py), digest-addressed
upload names (names.py), who hears an upload (usage.py) and its writes (write.py)."""

from reconciler.kinds.audio.plan import AUDIO, AudioKind

__all__ = ["AUDIO", "AudioKind"]
