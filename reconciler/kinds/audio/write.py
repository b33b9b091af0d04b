"""Audio writes: an upload (once: the POST is never re-sent; an unclear answer is settled by
listing for the digest name) and a delete (re-checked just before the DELETE: no template
may play it). The file is read again at apply time and must still have the digest the plan
was made with (a saved plan applies only the bytes that were reviewed)."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

from reconciler.api import AmbiguousWriteError, ApiClient, ApiError
from reconciler.audio_fields import template_audio
from reconciler.kinds import steps as write_steps
from reconciler.kinds.base import Kind
from reconciler.kinds.steps import LookupWait, StaleCampaign, StepFailed
from reconciler.plan.model import Change


def apply_create(
    kind: Kind, client: ApiClient, change: Change, wait: LookupWait | None = None
) -> tuple[list[str], str]:
    """Upload the file under its digest name, then find it listed under that name."""
    body = change.create_body
    name, path = str(body["audio_name"]), str(body["file"])
    try:
        content = Path(path).read_bytes()
    except OSError as exc:
        raise StaleCampaign(f"file {path}: cannot read it ({exc.strerror or exc}); nothing "
                            "was uploaded") from None
    if hashlib.sha256(content).hexdigest() != body.get("sha256"):
        raise StaleCampaign(
            f"file {path} changed since the plan was made (its sha256 is not the planned "
            f"{str(body.get('sha256'))[:8]}…); nothing was uploaded — run plan again"
        )
    try:
        uuid = client.upload_audio(name, Path(path).name, content)
        steps = ["uploaded"]
    except AmbiguousWriteError as unclear:
        found = _settle_unclear(client, name, unclear, wait or LookupWait())
        uuid, steps = found, ["uploaded (confirmed by listing after an unclear answer)"]
    try:
        listed = kind.read(client, uuid)
        if listed.get("audio_name") != name:
            raise write_steps.WriteNotKept(
                f"audio_name: sent {name!r}, the API lists {listed.get('audio_name')!r}"
            )
    except ApiError as exc:
        raise StepFailed(steps, uuid, exc) from exc
    return steps, uuid

def _settle_unclear(
    client: ApiClient, name: str, unclear: AmbiguousWriteError, wait: LookupWait
) -> str:
    """The POST may or may not have arrived: the digest name says whether these bytes are
    uploaded (never re-sent: a second upload of the same name is refused anyway)."""

    for attempt, pause in enumerate(wait.pauses()):
        if pause:
            wait.announce(name, pause, attempt)
            time.sleep(pause)
        try:
            found = client.find_audio_by_name(name)
        except ApiError as exc:
            raise ApiError(f"{unclear}; listing for {name!r} failed too ({exc}): the next "
                           "plan shows whether it was uploaded") from exc
        if found is not None:
            return str(found["audio_uuid"])
    raise ApiError(f"{unclear}; no upload named {name!r} appeared in {wait.total:g} s of "
                   "lookups: it was not uploaded") from unclear

def apply_delete(kind: Kind, client: ApiClient, change: Change) -> tuple[list[str], str]:
    """DELETE an upload no template plays, then find it gone."""
    uuid = change.uuid or ""
    write_steps.read_unchanged(client, change, kind)
    players = _players(client.list_templates(), uuid)
    if players:
        raise StaleCampaign(
            f"audio upload {change.name!r} is still played by template "
            f"{', '.join(map(repr, players))}; it was not deleted — run plan again"
        )
    try:
        client.delete_audio(uuid)
        write_steps.verify_deleted(client, uuid, kind)
    except ApiError as exc:
        raise StepFailed([], uuid, exc) from exc
    return ["deleted"], uuid

def _players(templates: list[dict[str, Any]], uuid: str) -> list[str]:
    return sorted(str(row.get("template_name")) for row in templates
                  if any(value == uuid for _key, value in template_audio(row)))
