"""What a rule may check on each kind of entry: its fields, read off the kind's entry model.

The kinds and their entry models are the registry's (reconciler/kinds/registry.py: kind.name,
spec_model, name_field, uuid_field). Policies sit below the kinds in the import layers, so
`SUBJECTS` names the same entry models from reconciler/manifest/ (a test holds the two equal).
The campaign's vocabulary is the one rules always had (curated in rules.py and passed in);
another kind's is derived from its model: whole-number fields (and `network.KEY`) for
`max`/`min`, single-valued fields and lists of choices for `allowed`, every declarable field for
`required`. Checks about calling windows (`calling_hours`, `quiet_days`) stay campaign-only.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any, Literal, Union

from pydantic import BaseModel

from reconciler import fields
from reconciler.manifest.audio_spec import AudioSpec
from reconciler.manifest.carrier_spec import CarrierSpec
from reconciler.manifest.models import CampaignSpec
from reconciler.manifest.template_spec import TemplateSpec

CAMPAIGN = "campaign"
# kind name -> (entry model, name field, uuid field), as the registry lists them.
SUBJECTS: dict[str, tuple[type[BaseModel], str, str]] = {
    "campaign": (CampaignSpec, "campaign_name", "campaign_uuid"),
    "template": (TemplateSpec, "template_name", "template_uuid"),
    "carrier": (CarrierSpec, "carrier_name", "carrier_uuid"),
    "audio": (AudioSpec, "audio_name", "audio_uuid"),
}
KIND_NAMES = tuple(SUBJECTS)
CAMPAIGN_ONLY_CHECKS = ("calling_hours", "quiet_days")
# Not something an entry declares about the object: identity, lifecycle, policy metadata.
_NOT_FIELDS = ("state", "labels", "policy_waivers", "previous_names", "acknowledge")
_FREE_TEXT = ("description",)  # a list of allowed descriptions would mean nothing


@dataclass(frozen=True)
class KindFields:
    """One kind's vocabulary for rules; `shapes` says what a value of each field is
    (`enum`, `int`, `bool` or `text`), `enums` the values of each enum field."""

    kind: str
    name_field: str
    numeric: tuple[str, ...]
    choices: tuple[str, ...]
    requirable: tuple[str, ...]
    enums: dict[str, tuple[Any, ...]]
    shapes: dict[str, str]


def _bare(annotation: Any) -> tuple[Any, bool]:
    """(the type under Optional / Annotated, whether it is a list of it)."""
    many = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            rest = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            if len(rest) != 1:
                return None, many
            annotation = rest[0]
        elif origin is list and not many:
            many = True
            annotation = typing.get_args(annotation)[0]
        else:
            return annotation, many


def _shape(annotation: Any) -> tuple[str | None, tuple[Any, ...], bool]:
    """(enum | int | bool | text | None, the enum's values, list?) of a field's type."""
    bare, many = _bare(annotation)
    if typing.get_origin(bare) is Literal:
        return "enum", typing.get_args(bare), many
    for python, shape in ((bool, "bool"), (int, "int"), (str, "text")):
        if bare is python:
            return shape, (), many
    return None, (), many


def derive(kind: str) -> KindFields:
    """A kind's vocabulary read off its entry model (see the module docstring)."""
    model, name_field, uuid_field = SUBJECTS[kind]
    skip = {name_field, uuid_field, *_NOT_FIELDS}
    numeric: list[str] = []
    choices: list[str] = []
    enums: dict[str, tuple[Any, ...]] = {}
    shapes: dict[str, str] = {}
    for name, info in model.model_fields.items():
        if name in skip:
            continue
        if name == "network":
            keys = [f"network.{key}" for key in fields.NETWORK_KEYS]
            numeric += keys
            choices += keys
            shapes.update(dict.fromkeys(keys, "int"))
            continue
        shape, values, many = _shape(info.annotation)
        if shape is None or name in _FREE_TEXT or (many and shape != "enum"):
            continue
        shapes[name] = shape
        choices.append(name)
        if shape == "enum":
            enums[name] = values
        if shape == "int" and not many:
            numeric.append(name)
    requirable = tuple(name for name in model.model_fields if name not in skip)
    return KindFields(kind, name_field, tuple(numeric), tuple(choices), requirable, enums, shapes)


def campaign_fields(
    numeric: tuple[str, ...], choices: tuple[str, ...], requirable: tuple[str, ...],
    enums: dict[str, tuple[str, ...]],
) -> KindFields:
    """The campaign's curated vocabulary, with each field's shape read off CampaignSpec."""
    shapes = derive(CAMPAIGN).shapes
    return KindFields(CAMPAIGN, SUBJECTS[CAMPAIGN][1], numeric, choices, requirable,
                      dict(enums), shapes)
