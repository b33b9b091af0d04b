"""Shared by the diagnostics tests: the vendored SARIF 2.1.0 schema and a validator."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

SARIF_SCHEMA = Path(__file__).parent / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"


@cache
def _validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def assert_valid_sarif(document: Any) -> None:
    """Valid against the OASIS schema, every error listed when not."""
    problems = sorted(_validator().iter_errors(document), key=str)
    assert problems == [], "\n".join(
        f"{list(error.absolute_path)}: {error.message}" for error in problems
    )
    # format "uri-reference" is not checked by jsonschema without extras: check ours.
    for run in document["runs"]:
        for result in run["results"]:
            for location in result.get("locations", []):
                uri = location["physicalLocation"]["artifactLocation"]["uri"]
                assert " " not in uri and "\\" not in uri, uri
