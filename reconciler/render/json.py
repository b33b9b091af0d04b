"""The plan as a versioned JSON document (the contract in docs/plan-json.md), also the
saved-plan file.

`changes[].{action, campaign_name, campaign_uuid, fields}` and `summary` are the promise;
the `apply` block of each change is what `apply --plan` executes. Every change says its
`kind`, and names itself with its kind's name and uuid fields (`template_name` and
`template_uuid` where a campaign change has `campaign_name` and `campaign_uuid`). Each change
carries its `risk`; the document the plan's `risk` summary and its `refusals`.
"""

from __future__ import annotations

import json
from typing import Any

from reconciler.diagnostics.model import Diagnostic, diagnostic_from_dict
from reconciler.kinds.registry import kind_of, kinds, primary
from reconciler.plan.model import FORMAT_VERSION, Change, Plan, note_text
from reconciler.plan.order import order_changes
from reconciler.plan.risk import summary
from reconciler.policy.findings import Finding
from reconciler.safetext import INVISIBLE, UNSAFE_BUT_NEWLINE

APPLY_KEYS = (
    "create_body", "put", "active", "fingerprint", "live_name", "live_status", "wave", "via_name",
    "refs", "level",
)


def change_document(change: Change) -> dict[str, Any]:
    data = change.to_dict()
    kind = kind_of(change)
    name_key, uuid_key = kind.name_field, kind.uuid_field
    document: dict[str, Any] = {
        "action": change.action,
        "kind": change.kind,
        name_key: change.name,
        uuid_key: change.uuid,
        "fields": data["fields"],
        "source": change.source,
        "risk": change.risk.to_dict(),
    }
    if change.acknowledge:
        document["acknowledge"] = list(change.acknowledge)
    if change.updated_at:
        document["updated_at"] = change.updated_at
    if change.placeholders:
        document["placeholders"] = list(change.placeholders)
    if change.unverifiable:
        document["unverifiable"] = list(change.unverifiable)
    if change.rewrite:
        document["rewrite"] = True
    if change.overrides:
        document["overrides"] = {key: dict(value) for key, value in change.overrides.items()}
    document["apply"] = {key: data[key] for key in APPLY_KEYS}
    return document


def plan_document(plan: Plan) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "api_url": plan.api_url,
        "environment": plan.environment,
        "changes": [change_document(change) for change in plan.changes],
        "summary": plan.summary(),
        "notes": plan.note_texts(),
        "policy": [finding.to_dict() for finding in plan.findings],
        "risk": summary(plan),
        "refusals": [refusal.to_dict() for refusal in plan.refusals],
        # `notes` with their code, severity and subject (added; `notes` stays text).
        "notes_detail": [note.to_dict() for note in plan.notes],
    }


def render(plan: Plan, **_options: object) -> str:
    return safe_json(plan_document(plan)) + "\n"


def safe_json(document: Any) -> str:
    """Indented JSON, readable Unicode kept, but every character `shown` would escape, and
    every space but the ordinary one and every invisible character (a look-alike name's
    U+00A0), as a JSON escape: still the same value, yet nothing in the text hides or
    reorders what a reader sees (json itself escapes only C0 controls; the indentation's
    line breaks stay)."""
    text = json.dumps(document, indent=2, ensure_ascii=False)
    text = UNSAFE_BUT_NEWLINE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
    return INVISIBLE.sub(lambda match: json.dumps(match.group())[1:-1], text)


def _codes(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValueError("acknowledge must be a list of refusal codes")
    return list(value)


def plan_from_document(document: dict[str, Any]) -> Plan:
    """Inverse of plan_document; raises KeyError/TypeError/ValueError on a malformed file."""
    if document.get("format_version") != FORMAT_VERSION:
        raise ValueError(f"unsupported format_version {document.get('format_version')!r}")
    changes = []
    leveled = True
    for item in document["changes"]:
        kind = item.get("kind", primary().name)
        if kind not in kinds():
            raise ValueError(f"unknown kind {kind!r}")
        name_key, uuid_key = kind_of(kind).name_field, kind_of(kind).uuid_field
        data = {"action": item["action"], "kind": kind, "name": item[name_key],
                "uuid": item[uuid_key], "fields": item["fields"]}
        data["source"] = item.get("source", "")
        data["placeholders"] = item.get("placeholders") or []
        data["unverifiable"] = item.get("unverifiable") or []
        data["rewrite"] = item.get("rewrite") is True
        data["updated_at"] = item.get("updated_at")
        data["acknowledge"] = _codes(item.get("acknowledge"))
        if "risk" in item:
            data["risk"] = item["risk"]
        data["overrides"] = _overrides(item.get("overrides"))
        data.update(item["apply"])
        leveled = leveled and "level" in item["apply"]
        if data["action"] not in ("create", "update", "delete"):
            raise ValueError(f"unknown action {data['action']!r}")
        changes.append(Change.from_dict(data))
    if not leveled:  # saved before kinds had levels: order them as that version did
        order_changes(changes)
    notes = document.get("notes") or []
    if not isinstance(notes, list) or not all(isinstance(note, str) for note in notes):
        raise ValueError("notes must be a list of strings")
    details = document.get("notes_detail")
    if isinstance(details, list) and len(details) == len(notes):
        noted = [diagnostic_from_dict(detail) for detail in details]
        if [note_text(note) for note in noted] != notes:
            raise ValueError("notes_detail does not match notes")
    else:  # saved before notes had details (or edited): each a remark as written
        noted = [Diagnostic("note", "plan/note", note, category="plan") for note in notes]
    environment = document.get("environment")
    if environment is not None and not isinstance(environment, str):
        raise ValueError("environment must be a string or null")
    return Plan(
        changes=changes,
        unchanged=document["summary"]["unchanged"],
        api_url=document["api_url"],
        notes=noted,
        findings=[Finding.from_dict(item) for item in document.get("policy") or []],
        environment=environment,
    )


def _overrides(value: Any) -> dict[str, dict[str, str]]:
    """A change's `overrides` as saved: {field: {environment, source}}."""
    if not value:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(item, dict) and isinstance(item.get("environment"), str)
        for item in value.values()
    ):
        raise ValueError("overrides must map fields to {environment, source}")
    return {str(key): {k: str(v) for k, v in item.items()} for key, item in value.items()}
