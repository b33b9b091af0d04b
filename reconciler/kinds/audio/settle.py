"""The audio kind's last word on a plan, once every kind's changes are known (pure).

- An entry's earlier digest-named uploads (its file changed) are deleted: after the
  templates using them are re-pointed, and only if nothing else still plays them (then
  they stay, with a note). `state: absent` deletes every upload of the name; one still
  played by a template that stays is refused. `--prune` spares used uploads.
- Each change says who hears the file: the templates (and the fields in them) and the
  campaigns using those templates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.audio_fields import template_audio
from reconciler.diagnostics.model import Diagnostic
from reconciler.kinds.audio import names, usage
from reconciler.kinds.base import Kind, Where, located
from reconciler.plan.model import Change, FieldDiff

REPLACED = " (replaced by a new upload of the file)"
TEMPLATE, CAMPAIGN = "template", "campaign"
HEARD = "heard_in"


def settle(
    kind: Kind, changes: list[Change], specs: Mapping[str, Any],
    undeclared: list[dict[str, Any]], where: Where,
) -> tuple[list[Change], list[Diagnostic], list[Diagnostic]]:
    notes: list[Diagnostic] = []
    changes = list(changes)
    owner: dict[str, str] = {}  # uuid of an upload to delete -> the entry asking for it
    campaigns_of: dict[str, list[str]] = {}  # audio uuid -> campaigns hearing it now
    deleting = {c.uuid for c in changes if c.kind == kind.name and c.action == "delete"}
    for row in undeclared:
        campaigns_of[row["audio_uuid"]] = list(row.get(usage.CAMPAIGNS) or [])
    for name, spec in specs.items():
        current = kind.live_name(spec)
        for row in undeclared:
            live_name = row["audio_name"]
            if names.digest_of(live_name, spec.audio_name) is None:
                if spec.state == "present" and names.is_plain(live_name, spec.audio_name):
                    notes.append(_note(
                        "audio-not-adopted",
                        f"audio {name!r}: the upload {live_name!r} ({row['audio_uuid']}) was "
                        "not made by this tool and its bytes cannot be compared, so it is "
                        f"left as it is; the file is uploaded as {current!r} (delete the old "
                        "one with --prune or state: absent once nothing plays it)",
                    ))
                continue
            if live_name == current:
                continue
            owner[row["audio_uuid"]] = name
            if row["audio_uuid"] in deleting:
                continue
            spared = spec.state == "present"
            source = where(name, None if spared else "state") or name
            changes.append(kind.plan_delete(row, source + (REPLACED if spared else "")))
            deleting.add(row["audio_uuid"])
    for change in changes:
        if change.kind == kind.name and change.action == "delete":
            owner.setdefault(change.uuid or "", next(
                (n for n, s in specs.items() if s.audio_name == change.name), change.name))
    kept: list[Change] = []
    errors: list[Diagnostic] = []
    templates = [c for c in changes if c.kind == TEMPLATE]
    for change in changes:
        if change.kind != kind.name:
            kept.append(change)
            continue
        if change.action == "create":
            earlier = [uuid for uuid, name in owner.items() if name == change.name]
            kept.append(_heard_create(change, templates, changes,
                                      [c for uuid in earlier for c in campaigns_of.get(uuid, [])]))
            continue
        heard = change.fields.get(HEARD)
        after = _users(change.uuid or "", dict(heard.before) if heard else {}, templates)
        if not after:
            if heard:
                change.fields = {**change.fields, HEARD: FieldDiff(heard.before, {})}
            kept.append(change)
            continue
        listed = ", ".join(f"{name!r} ({', '.join(keys)})" for name, keys in after.items())
        if change.source.endswith(REPLACED) or change.source.endswith("(--prune)"):
            why = "replaced" if change.source.endswith(REPLACED) else "--prune"
            notes.append(_note(
                "audio-kept-in-use",
                f"audio upload {change.name!r} is kept ({why}): templates still play it: "
                f"{listed}",
            ))
            continue
        errors.append(located(
            where, owner.get(change.uuid or "", change.name), "state",
            f"cannot delete audio upload {change.name!r}: templates that stay play it "
            f"({listed}); point them at another recording in the same change",
            "audio-in-use",
        ))
    return kept, notes, errors


def _note(code: str, message: str) -> Diagnostic:
    return Diagnostic("note", f"plan/{code}", message, category="plan")


def _users(
    uuid: str, heard: dict[str, list[str]], templates: list[Change]
) -> dict[str, list[str]]:
    """The templates (and their fields) playing the upload once the plan is applied."""
    users = {name: list(keys) for name, keys in heard.items()}
    for change in templates:
        name = change.live_name or change.name
        if change.action == "delete":
            users.pop(name, None)
            continue
        body = change.put if change.action == "update" else change.create_body
        playing = sorted({key.split(".")[0] for key, value in template_audio(dict(body))
                          if value == uuid})
        left = [key for key in users.pop(name, []) if key not in body]  # fields not sent stay
        if playing or left:
            users[change.name] = sorted(set(playing) | set(left))
    return users


def _heard_create(
    change: Change, templates: list[Change], changes: list[Change], earlier: list[str]
) -> Change:
    """The create, showing the templates re-pointed to (or first playing) the new upload
    and the campaigns that use them."""
    heard: dict[str, list[str]] = {}
    for template in templates:
        keys = {key.split(".")[0] for key, name in template.refs.items() if name == change.name}
        if keys:
            heard[template.name] = sorted(keys)
    if not heard:
        return change
    campaigns = set(earlier) | {
        other.name for other in changes
        if other.kind == CAMPAIGN and other.refs.get("template_uuid") in heard
    }
    fields = {**change.fields, HEARD: FieldDiff(None, heard)}
    if campaigns:
        fields["campaigns"] = FieldDiff(None, sorted(campaigns))
    change.fields = fields
    return change
