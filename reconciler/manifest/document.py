"""A manifest file as a whole: `campaigns:`, `templates:`, `carriers:` and/or `audio:` (the
schema's root)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from reconciler.manifest.audio_spec import AudioSpec
from reconciler.manifest.carrier_spec import CarrierSpec
from reconciler.manifest.models import CampaignSpec
from reconciler.manifest.template_spec import TemplateSpec


class ManifestFile(BaseModel):
    """A manifest file: `campaigns`, `templates`, `carriers` and/or `audio`, each a list of
    entries."""

    model_config = ConfigDict(
        extra="forbid",
        title="reconciler manifest",
        json_schema_extra={"anyOf": [{"required": ["campaigns"]}, {"required": ["templates"]},
                                    {"required": ["carriers"]}, {"required": ["audio"]}]},
    )

    campaigns: list[CampaignSpec] | None = Field(
        default=None,
        description=(
            "The campaigns this file declares; names are unique across all files. Empty (or "
            "null, every entry commented out) declares none."
        ),
    )
    templates: list[TemplateSpec] | None = Field(
        default=None,
        description=(
            "The call-script templates this file declares; names are unique across all files. "
            "A campaign's `template:` may name one of them."
        ),
    )
    carriers: list[CarrierSpec] | None = Field(
        default=None,
        description=(
            "The carriers (outgoing number pools) this file declares; names are unique across "
            "all files. A campaign's `carrier:` may name one of them."
        ),
    )
    audio: list[AudioSpec] | None = Field(
        default=None,
        description=(
            "The recordings this file declares (WAV files in the repository); names are unique "
            "across all files. A template's `audio_file` may name one of them."
        ),
    )
