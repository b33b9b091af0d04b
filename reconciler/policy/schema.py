"""The JSON Schema of reconciler.yaml (for editors and CI), like the manifest's.

`reconciler schema config` prints it; schema/reconciler.schema.json is the committed copy
that examples/reconciler.yaml's `# yaml-language-server: $schema=...` line points at. A rule's
field names are narrowed to those of the kind its `select.kind` names (campaign by default),
and the calling-window checks to campaigns, as reading the config checks them.
"""

from __future__ import annotations

import json
from typing import Any

from reconciler.manifest.models import SCHEDULE_ENTRY_SCHEMA, TIME_RANGE_SCHEMA
from reconciler.manifest.schema import SCHEMA_DIALECT, _finish
from reconciler.policy.kindfields import CAMPAIGN, CAMPAIGN_ONLY_CHECKS
from reconciler.policy.rules import _LABEL, VOCABULARY, ProjectConfig


def config_schema() -> dict[str, Any]:
    schema = ProjectConfig.model_json_schema()
    rule = schema["$defs"]["Rule"]["properties"]
    days = _finish(SCHEDULE_ENTRY_SCHEMA)
    rule["calling_hours"] = {**days, "description": rule["calling_hours"]["description"]}
    rule["quiet_days"]["items"] = {"type": "string", "examples": ["sun", "sat-sun", "monday"]}
    schema["$defs"]["Rule"]["allOf"] = [_per_kind(kind) for kind in VOCABULARY]
    schema = _finish(schema)
    schema["$defs"]["TimeRange"] = TIME_RANGE_SCHEMA
    return {"$schema": SCHEMA_DIALECT, **schema}


def _per_kind(kind: str) -> dict[str, Any]:
    """If the rule selects `kind`, its checks name that kind's fields (and, for kinds other
    than campaign, none of the calling-window checks)."""
    vocabulary = VOCABULARY[kind]
    if kind == CAMPAIGN:  # no select, no select.kind, or kind: campaign
        selects: dict[str, Any] = {
            "properties": {"select": {"properties": {"kind": {"const": kind}}}}
        }
    else:
        selects = {
            "properties": {
                "select": {"properties": {"kind": {"const": kind}}, "required": ["kind"]}
            },
            "required": ["select"],
        }
    numbers = {"propertyNames": {"enum": list(vocabulary.numeric)}}
    checks: dict[str, Any] = {
        "max": numbers,
        "min": numbers,
        "required": {"items": {"anyOf": [{"enum": list(vocabulary.requirable)}, _LABEL]}},
        "allowed": {"propertyNames": {"anyOf": [{"enum": list(vocabulary.choices)}, _LABEL]}},
    }
    if kind != CAMPAIGN:
        checks.update(dict.fromkeys(CAMPAIGN_ONLY_CHECKS, False))
    return {"if": selects, "then": {"properties": checks}}


def config_schema_json() -> str:
    return json.dumps(config_schema(), indent=2, ensure_ascii=False) + "\n"
