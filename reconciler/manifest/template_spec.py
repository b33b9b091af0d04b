"""The template entry model: one call script as a user declares it, in the API's write-side
field names (reconciler.template_fields). Strict like CampaignSpec; which fields an entry
declared is kept (`model_fields_set`): only those are managed.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from reconciler import template_fields
from reconciler.manifest.models import (
    _STRICT,
    ACKNOWLEDGE_DESCRIPTION,
    NAME_PATTERN,
    PREVIOUS_NAMES_DESCRIPTION,
    UUID_PATTERN,
    EntrySpec,
    FieldError,
    GuardCode,
    NonNegInt,
    name_problem,
)

VoiceType = Literal[template_fields.VOICE_TYPES]  # type: ignore[valid-type]
Voice = Literal[template_fields.VOICES]  # type: ignore[valid-type]
PRESS_NUM_PATTERN = r"^[0-9*#]$"

# Fields whose YAML null means "empty": declaring one empty clears it on the live template.
CLEARABLE_FIELDS: dict[str, Any] = {
    "description": "",
    "content": "",
    "audio_file": "",
    "press_options": [],
}
# Declared but not API fields: identity, lifecycle, policy metadata.
NOT_MANAGED = frozenset(
    {"state", "template_uuid", "labels", "policy_waivers", "previous_names", "acknowledge"}
)


def _placeholders_ok(text: str | None) -> str | None:
    if text:
        problem = template_fields.placeholder_problem(text)
        if problem:
            raise FieldError(problem)
    return text


def tf_voice_types() -> tuple[str, ...]:
    return template_fields.VOICE_TYPES


def voice_type_problems(values: dict[str, Any], declared: set[str]) -> list[FieldError]:
    """`voice_type` says which of content / audio_file is played: the other must stay empty."""
    voice_type = values.get("voice_type")
    if "voice_type" not in declared:
        if all(isinstance(values.get(key), str) and values.get(key)
               for key in ("content", "audio_file")):
            return [FieldError(
                "both content and audio_file are given but no voice_type: the call plays only "
                "one of them (voice_type tts plays content, audio_file plays audio_file)",
                ("audio_file",),
            )]
        return []
    if voice_type not in tf_voice_types():
        return []
    wrong = "audio_file" if voice_type == "tts" else "content"
    if wrong in declared and values.get(wrong) and isinstance(values.get(wrong), str):
        right = "content" if wrong == "audio_file" else "audio_file"
        return [
            FieldError(
                f"is for voice_type {'audio_file' if wrong == 'audio_file' else 'tts'}; "
                f"with voice_type {voice_type} the call plays {right} (remove {wrong} or "
                "change voice_type)",
                (wrong,),
            )
        ]
    return []


class Sound(BaseModel):
    """What is played before hanging up (exit_sound) or after a wrong key (invalid_sound)."""

    model_config = ConfigDict(**_STRICT, title="Sound")

    enable: bool = Field(default=False, description="Whether it is played.")
    voice_type: VoiceType = Field(
        default=None, description="tts plays content; audio_file plays audio_file."
    )
    content: str = Field(
        default="", description="Text read by text-to-speech ({{placeholders}} allowed)."
    )
    audio_file: str = Field(
        default="",
        description="The upload played, for voice_type audio_file: an audio entry's audio_name "
        "or an upload's uuid.",
    )

    _content = field_validator("content")(classmethod(lambda cls, value: _placeholders_ok(value)))

    @model_validator(mode="after")
    def _consistent(self) -> Sound:
        problems = voice_type_problems(self.__dict__, set(self.model_fields_set))
        if problems:
            raise problems[0]
        return self


class PressOption(BaseModel):
    """One key of the menu, as a write sends it. A read answers only its voice_type and
    content / audio_file: toggled, enable, type and extension are sent but never checked."""

    model_config = ConfigDict(**_STRICT, title="PressOption")

    press_num: str = Field(
        pattern=PRESS_NUM_PATTERN, description='The key: "0".."9", "*" or "#" (quote it).'
    )
    toggled: bool = Field(default=None, description="Sent on every write; not read back.")
    voice_type: VoiceType = Field(
        default=None, description="tts plays content; audio_file plays audio_file."
    )
    enable: bool = Field(default=None, description="Sent on every write; not read back.")
    content: str = Field(default=None, description="Text read when the key is pressed.")
    audio_file: str = Field(
        default=None,
        description="The upload played when the key is pressed: an audio entry's audio_name or "
        "an upload's uuid.",
    )
    type: str = Field(
        default=None, description='Action type, e.g. "tts". Sent on every write; not read back.'
    )
    extension: str = Field(
        default=None,
        description='Extension the call is transferred to, e.g. "5000". Sent on every write; '
        "not read back.",
    )

    _content = field_validator("content")(classmethod(lambda cls, value: _placeholders_ok(value)))

    @model_validator(mode="after")
    def _consistent(self) -> PressOption:
        problems = voice_type_problems(self.__dict__, set(self.model_fields_set))
        if problems:
            raise problems[0]
        return self

    def write_form(self) -> dict[str, Any]:
        """The option as a write sends it: the keys declared, press_num first."""
        return {
            key: getattr(self, key)
            for key in template_fields.PRESS_OPTION_KEYS
            if key in self.model_fields_set
        }


class TemplateSpec(EntrySpec):
    """One template entry of a manifest: the desired state of one live call script."""

    model_config = ConfigDict(**_STRICT, title="Template")
    entry_noun: ClassVar[str] = "template"
    entry_name_field: ClassVar[str] = "template_name"

    template_name: str = Field(
        pattern=NAME_PATTERN,
        description=(
            "The template's name and, unless template_uuid pins it, its identity: unique across "
            "all manifest files. Campaigns name it in `template:`."
        ),
    )
    state: Literal["present", "absent"] = Field(
        default="present",
        description=(
            "present: create or update it. absent: delete it if it exists (refused while a "
            "campaign that stays uses it)."
        ),
    )
    template_uuid: str = Field(
        default=None,
        pattern=UUID_PATTERN,
        description=(
            "Optional pin to a live template by uuid: then a changed template_name renames it. "
            "One per environment as a mapping, {staging: ..., production: ...}."
        ),
    )
    description: str | None = Field(default=None, description='Free text. "" or null clears it.')
    voice_type: VoiceType = Field(
        default=None,
        description="tts reads `content` aloud; audio_file plays `audio_file`.",
    )
    voice_tts: Voice = Field(
        default=None, description="The text-to-speech voice (north/south, male/female)."
    )
    speed_tts: float = Field(
        default=None,
        allow_inf_nan=False,
        ge=template_fields.SPEED_MIN,
        le=template_fields.SPEED_MAX,
        description="Reading speed from 0 to 2; 1 is normal, 2 the fastest.",
    )
    content: str | None = Field(
        default=None,
        description=(
            "The script read when the call is answered (voice_type tts). {{placeholders}} are "
            "filled from each lead's param of that name."
        ),
    )
    audio_file: str | None = Field(
        default=None,
        description=(
            "The upload played when answered (voice_type audio_file): an audio entry's "
            "audio_name (resolved to its current upload) or an upload's uuid."
        ),
    )
    enable_option: bool = Field(default=None, description="Whether the key-press menu is on.")
    press_options: list[PressOption] | None = Field(
        default=None,
        description=(
            "The key-press menu: one entry per key (press_num unique). [] or null clears it."
        ),
    )
    exit_sound: Sound = Field(default=None, description="Played before the call ends.")
    invalid_sound: Sound = Field(default=None, description="Played when a wrong key is pressed.")
    press_timeout: NonNegInt = Field(default=None, description="Seconds to wait for a key.")
    max_timeout: NonNegInt = Field(default=None, description="How many times the script repeats.")
    inter_digit_timeout: NonNegInt = Field(
        default=None, description="Seconds to wait between the digits of a key sequence."
    )
    labels: dict[str, str] = Field(
        default=None,
        description="Text key/value pairs that policy rules of kind template select templates "
        "by. Never sent to the API.",
    )
    policy_waivers: dict[str, str] = Field(
        default=None, description="Policy rules this template may break: {RULE_ID: reason}."
    )
    previous_names: list[str] = Field(default=None, description=PREVIOUS_NAMES_DESCRIPTION)

    acknowledge: list[GuardCode] = Field(
        default=None, json_schema_extra={"uniqueItems": True},
        description=ACKNOWLEDGE_DESCRIPTION,
    )

    @field_validator(*CLEARABLE_FIELDS, mode="before")
    @classmethod
    def _null_is_empty(cls, value: Any, info: Any) -> Any:
        return CLEARABLE_FIELDS[info.field_name] if value is None else value

    @field_validator("template_name")
    @classmethod
    def _name_reads_as_it_is(cls, value: str) -> str:
        problem = name_problem(value, "template_name")
        if problem:
            raise FieldError(problem)
        if value.strip() == template_fields.LOCK_NAME:
            raise FieldError(
                f"{value!r} is reserved for apply's tenant lock, a template of that name "
                "(see docs/locking.md)"
            )
        return value

    @field_validator("content")
    @classmethod
    def _placeholders(cls, value: str | None) -> str | None:
        return _placeholders_ok(value)

    @field_validator("press_options")
    @classmethod
    def _keys_once(cls, value: list[PressOption]) -> list[PressOption]:
        seen: set[str] = set()
        for index, option in enumerate(value):
            if option.press_num in seen:
                raise FieldError(
                    f"press_num {option.press_num!r} is listed twice (one entry per key)",
                    (index, "press_num"),
                )
            seen.add(option.press_num)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> TemplateSpec:
        problems = voice_type_problems(self.__dict__, set(self.model_fields_set))
        if problems:
            raise problems[0]
        return self

    # The planner's view, shared with CampaignSpec: name and pin under generic names.
    @property
    def name(self) -> str:
        return self.template_name

    @property
    def pin(self) -> str | None:
        return self.template_uuid

    def declared(self) -> frozenset[str]:
        """Manifest fields this entry declared: exactly the ones the planner manages."""
        return frozenset(self.model_fields_set - NOT_MANAGED)

    def api_values(self) -> dict[str, Any]:
        """Declared fields in API write form, keyed by API field name."""
        declared = self.declared()
        values: dict[str, Any] = {}
        for name in template_fields.FIELDS:
            if name not in declared:
                continue
            value = getattr(self, name)
            if name == "press_options":
                value = [option.write_form() for option in value]
            elif name in template_fields.SOUND_FIELDS:
                value = value.model_dump(exclude_none=True)
            values[name] = value
        return values

    def options_missing_unread(self) -> dict[str, list[str]]:
        """press_num -> the unread keys (toggled, enable, ...) a declared option leaves out:
        every write sends the option without them, so the API may reset them."""
        missing: dict[str, list[str]] = {}
        for option in self.press_options or ():
            absent = [
                key for key in template_fields.PRESS_OPTION_UNREAD
                if key not in option.model_fields_set
            ]
            if absent:
                missing[str(option.press_num)] = absent
        return missing

    def unverifiable(self) -> list[str]:
        """`press_options[1].extension`, ...: each declared value no read can confirm (so the
        template is rewritten on every apply)."""
        if "press_options" not in self.model_fields_set:
            return []
        return [
            f"press_options[{option.press_num}].{key}"
            for option in self.press_options or ()
            for key in template_fields.PRESS_OPTION_UNREAD
            if key in option.model_fields_set
        ]
