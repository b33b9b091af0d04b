"""Who hears each upload: the templates whose `audio_file` (anywhere) holds its uuid, and the
campaigns using those templates. The API shows no such link, so the audio kind reads the
template and campaign listings beside the audio one, and notes users on each row (under
keys no read of an upload has: left out of its fingerprint)."""

from __future__ import annotations

from typing import Any

from reconciler.audio_fields import template_audio

TEMPLATES = "heard_in_templates"  # {template name: [the template's fields holding it]}
CAMPAIGNS = "heard_in_campaigns"  # [campaign names], through those templates
NOTED = frozenset({TEMPLATES, CAMPAIGNS})


def users(templates: list[dict[str, Any]]) -> dict[str, dict[str, list[str]]]:
    """audio uuid -> {template name: [fields holding it]}."""
    found: dict[str, dict[str, list[str]]] = {}
    for row in templates:
        for key, uuid in template_audio(row):
            names = found.setdefault(uuid, {})
            names.setdefault(str(row.get("template_name")), []).append(key.split(".")[0])
    return found


def annotate(
    audio: list[dict[str, Any]], templates: list[dict[str, Any]],
    campaigns: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """The audio rows, each with the templates and campaigns that hear it."""
    by_uuid = users(templates)
    template_uuid = {str(row.get("template_name")): row.get("template_uuid") for row in templates}
    heard_by: dict[str, list[str]] = {}
    for row in campaigns:
        if row.get("template_uuid"):
            heard_by.setdefault(row["template_uuid"], []).append(str(row.get("campaign_name")))
    rows = []
    for row in audio:
        named = by_uuid.get(row.get("audio_uuid") or "", {})
        callers = sorted({campaign for name in named
                          for campaign in heard_by.get(template_uuid.get(name) or "", [])})
        rows.append({**row, TEMPLATES: {name: sorted(set(fields))
                                        for name, fields in sorted(named.items())},
                     CAMPAIGNS: callers})
    return rows


def read(client: Any) -> list[dict[str, Any]]:
    """Every upload, with who hears it (three listings)."""
    return annotate(client.list_audio(), client.list_templates(), client.list_campaigns())
