"""The audio entry model: one recording as a user declares it — its `audio_name` and a WAV
`file` in the repository (a path relative to the manifest). What the file holds (digest,
size, duration) is read by the audio kind when the manifests load (reconciler/kinds/audio),
and kept on the spec, never in the manifest.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from pydantic import ConfigDict, Field, PrivateAttr, field_validator, model_validator

from reconciler.manifest.models import (
    _STRICT,
    NAME_PATTERN,
    EntrySpec,
    FieldError,
    name_problem,
)

_UUID_LIKE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                        r"[0-9a-fA-F]{12}$")
# Declared but not API fields.
NOT_MANAGED = frozenset({"state", "labels", "policy_waivers"})


class AudioSpec(EntrySpec):
    """One audio entry of a manifest: a WAV file the tenant should have, under its name."""

    model_config = ConfigDict(**_STRICT, title="Audio")
    entry_noun: ClassVar[str] = "audio"
    entry_name_field: ClassVar[str] = "audio_name"

    audio_name: str = Field(
        pattern=NAME_PATTERN,
        description=(
            "The recording's name and identity, unique across all manifest files. Templates "
            "name it in `audio_file` (top level, press options, exit_sound, invalid_sound). "
            "It is uploaded as `<audio_name>-<first 8 hex digits of the file's sha256>.wav`, "
            "so a changed file is a new upload."
        ),
    )
    file: str = Field(
        default=None,
        pattern=NAME_PATTERN,
        description=(
            "The WAV file, a path relative to this manifest file (required unless state is "
            "absent). Checked by `validate`: it must exist and be a readable WAV."
        ),
    )
    state: Literal["present", "absent"] = Field(
        default="present",
        description=(
            "present: upload it unless an upload of these very bytes exists. absent: delete "
            "its uploads (refused while a template that stays plays one)."
        ),
    )
    labels: dict[str, str] = Field(
        default=None, description="Text key/value pairs for policy rules. Never sent to the API."
    )
    policy_waivers: dict[str, str] = Field(
        default=None, description="Policy rules this audio may break: {RULE_ID: reason}."
    )

    # What the file holds, read when the manifests load (reconciler.kinds.audio.wav).
    _wav: Any = PrivateAttr(default=None)

    @field_validator("audio_name")
    @classmethod
    def _name_reads_as_it_is(cls, value: str) -> str:
        problem = name_problem(value, "audio_name")
        if problem:
            raise FieldError(problem)
        if _UUID_LIKE.match(value):
            raise FieldError(
                "audio_name must not look like a uuid: a template's audio_file holding it "
                "would read as an upload's uuid"
            )
        if "/" in value or "\\" in value:
            raise FieldError("audio_name must not contain / or \\ (it names an uploaded file)")
        return value

    @model_validator(mode="after")
    def _file_when_present(self) -> AudioSpec:
        if self.state == "present" and self.file is None:
            raise FieldError(
                "file is required: the WAV to upload, a path relative to this manifest",
                ("file",),
            )
        return self

    # The planner's view, shared with the other specs.
    @property
    def name(self) -> str:
        return self.audio_name

    @property
    def pin(self) -> str | None:
        return None  # an upload cannot be edited: nothing to pin

    @property
    def wav(self) -> Any:
        """The file's facts (reconciler.kinds.audio.wav.WavFacts), once loaded."""
        return self._wav

    def declared(self) -> frozenset[str]:
        return frozenset(self.model_fields_set - NOT_MANAGED)

    def api_values(self) -> dict[str, Any]:
        return {"audio_name": self.audio_name}
