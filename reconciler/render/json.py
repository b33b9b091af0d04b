"""The plan as a versioned JSON document (DESIGN.md's contract), also the saved-plan file.

`changes[].{action, campaign_name, campaign_uuid, fields}` and `summary` are the promise;
the `apply` block of each change is what `apply --plan` executes.
"""

from __future__ import annotations

import json
from typing import Any

from reconciler.plan.model import FORMAT_VERSION, Change, Plan
from reconciler.policy.findings import Finding
from reconciler.safetext import UNSAFE_BUT_NEWLINE

APPLY_KEYS = (
    "create_body", "put", "active", "fingerprint", "live_name", "live_status", "wave", "via_name",
)


def change_document(change: Change) -> dict[str, Any]:
    data = change.to_dict()
    return {
        "action": change.action,
        "campaign_name": change.campaign_name,
        "campaign_uuid": change.campaign_uuid,
        "fields": data["fields"],
        "source": change.source,
        "apply": {key: data[key] for key in APPLY_KEYS},
    }


def plan_document(plan: Plan) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "api_url": plan.api_url,
        "changes": [change_document(change) for change in plan.changes],
        "summary": plan.summary(),
        "notes": list(plan.notes),
        "policy": [finding.to_dict() for finding in plan.findings],
    }


def render(plan: Plan, **_options: object) -> str:
    return safe_json(plan_document(plan)) + "\n"


def safe_json(document: Any) -> str:
    """Indented JSON, readable Unicode kept, but every character `shown` would escape as a
    JSON escape: still the same value, yet no control, bidi or lone surrogate in the text
    (json itself escapes only C0 controls; the indentation's line breaks stay)."""
    text = json.dumps(document, indent=2, ensure_ascii=False)
    return UNSAFE_BUT_NEWLINE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def plan_from_document(document: dict[str, Any]) -> Plan:
    """Inverse of plan_document; raises KeyError/TypeError/ValueError on a malformed file."""
    if document.get("format_version") != FORMAT_VERSION:
        raise ValueError(f"unsupported format_version {document.get('format_version')!r}")
    changes = []
    for item in document["changes"]:
        data = {key: item[key] for key in ("action", "campaign_name", "campaign_uuid", "fields")}
        data["source"] = item.get("source", "")
        data.update(item["apply"])
        if data["action"] not in ("create", "update", "delete"):
            raise ValueError(f"unknown action {data['action']!r}")
        changes.append(Change.from_dict(data))
    notes = document.get("notes") or []
    if not isinstance(notes, list) or not all(isinstance(note, str) for note in notes):
        raise ValueError("notes must be a list of strings")
    return Plan(
        changes=changes,
        unchanged=document["summary"]["unchanged"],
        api_url=document["api_url"],
        notes=notes,
        findings=[Finding.from_dict(item) for item in document.get("policy") or []],
    )
