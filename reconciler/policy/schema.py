"""The JSON Schema of reconciler.yaml (for editors and CI), like the manifest's.

`reconciler schema config` prints it; schema/reconciler.schema.json is the committed copy
that examples/reconciler.yaml's `# yaml-language-server: $schema=...` line points at.
"""

from __future__ import annotations

import json
from typing import Any

from reconciler.manifest.models import SCHEDULE_ENTRY_SCHEMA, TIME_RANGE_SCHEMA
from reconciler.manifest.schema import SCHEMA_DIALECT, _finish
from reconciler.policy.rules import ProjectConfig


def config_schema() -> dict[str, Any]:
    schema = ProjectConfig.model_json_schema()
    rule = schema["$defs"]["Rule"]["properties"]
    days = _finish(SCHEDULE_ENTRY_SCHEMA)
    rule["calling_hours"] = {**days, "description": rule["calling_hours"]["description"]}
    rule["quiet_days"]["items"] = {"type": "string", "examples": ["sun", "sat-sun", "monday"]}
    schema = _finish(schema)
    schema["$defs"]["TimeRange"] = TIME_RANGE_SCHEMA
    return {"$schema": SCHEMA_DIALECT, **schema}


def config_schema_json() -> str:
    return json.dumps(config_schema(), indent=2, ensure_ascii=False) + "\n"
