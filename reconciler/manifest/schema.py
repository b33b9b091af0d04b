"""The JSON Schema of a manifest file, in the human form users write (for editors and CI).

`reconciler schema` prints it; schema/manifest.schema.json is the committed copy that the
examples' `# yaml-language-server: $schema=...` line points at.
"""

from __future__ import annotations

import json
from typing import Any

from reconciler.manifest.document import ManifestFile
from reconciler.manifest.models import TIME_RANGE_SCHEMA, WINDOW_PLACEHOLDER

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_WINDOW_KEY = next(iter(WINDOW_PLACEHOLDER))


def manifest_schema() -> dict[str, Any]:
    """The schema as a dict: pydantic's, with one shared definition of a call window."""
    schema = _finish(ManifestFile.model_json_schema())
    schema["$defs"]["TimeRange"] = TIME_RANGE_SCHEMA
    for definition, pin in (("CampaignSpec", "campaign_uuid"), ("TemplateSpec", "template_uuid")):
        _pin_per_environment(schema["$defs"][definition]["properties"], pin)
    return {"$schema": SCHEMA_DIALECT, **schema}


def _pin_per_environment(properties: dict[str, Any], pin: str) -> None:
    """A pin is one uuid, or one per environment (`{staging: ..., production: ...}`): the
    loader takes the mapping apart before the model sees the entry."""
    uuid = {key: value for key, value in properties[pin].items() if key != "description"}
    properties[pin] = {
        "anyOf": [
            uuid,
            {
                "type": "object",
                "minProperties": 1,
                "additionalProperties": uuid,
                "description": "A uuid per environment of reconciler.yaml.",
            },
        ],
        "description": properties[pin]["description"],
    }


def schema_json() -> str:
    """The schema as stable, diff-friendly JSON text (ends with a newline)."""
    return json.dumps(manifest_schema(), indent=2, ensure_ascii=False) + "\n"


def _finish(node: Any) -> Any:
    """Swap window placeholders for $refs; drop `default: null` (it means "not declared")."""
    if isinstance(node, list):
        return [_finish(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {}
    for key, value in node.items():
        if key == _WINDOW_KEY:
            result["$ref"] = "#/$defs/TimeRange"
        elif not (key == "default" and value is None):
            result[key] = _finish(value)
    return result
