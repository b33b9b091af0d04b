"""Audio as a kind: identity by `audio_name`, content addressed by digest.

The API has no replace and shows no size or hash, so an upload is named after its bytes
(reconciler.kinds.audio.names): an entry claims the upload named `<audio_name>-<digest>.wav`
of its file. None such → a create (upload); templates that name the audio are re-pointed to
it (their own updates, after the upload); then the entry's earlier digest-named uploads are
deleted once nothing uses them (`settle`). An upload this tool did not name (a plain
`loi_chao` made in the portal) cannot be compared, so it is never adopted: the digest-named
copy is uploaded beside it and it stays until `state: absent` or `--prune` removes it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

from reconciler.api import ApiError
from reconciler.audio_fields import template_audio
from reconciler.diagnostics.model import Diagnostic
from reconciler.kinds.audio import export, names, settle, usage, write
from reconciler.kinds.audio.location import outside_problem
from reconciler.kinds.audio.wav import WavProblem, read_wav
from reconciler.kinds.base import Context, Kind, Loc, Where
from reconciler.manifest.audio_spec import AudioSpec
from reconciler.plan.fingerprint import fingerprint
from reconciler.plan.model import Change, FieldDiff

TEMPLATE = "template"  # the kind that plays uploads (named, never imported)
CAMPAIGN = "campaign"


class AudioKind(Kind):
    name = "audio"
    plural = "audio"
    name_field = "audio_name"
    uuid_field = "audio_uuid"
    read_dependent = usage.NOTED
    spec_model = AudioSpec
    create_fields = ("audio_name",)

    # -- reading -----------------------------------------------------------------------------

    def list_live(self, client: Any, **options: Any) -> list[dict[str, Any]]:
        return usage.read(client)

    def read(self, client: Any, uuid: str) -> dict[str, Any]:
        """The upload's listing row (the API has no detail read); 404 when it is gone."""
        for row in client.list_audio(uuid=uuid):
            if row.get("audio_uuid") == uuid:
                return row
        raise ApiError(f"no audio file {uuid} is listed", status=404, method="GET",
                       path="/v3/audio")

    def find(self, client: Any, name: str) -> dict[str, Any] | None:
        return client.find_audio_by_name(name)

    # -- the manifest ------------------------------------------------------------------------

    def entry_files(self, spec: Any, directory: str) -> list[tuple[Loc, str, str]]:
        if spec.state != "present" or spec.file is None:
            return []
        shown = os.path.join(directory, spec.file) if directory else spec.file
        outside = outside_problem(directory, spec.file, shown)
        if outside:
            return [(("file",), outside, "audio-file-outside")]
        try:
            spec._wav = read_wav(Path(shown), shown)
        except WavProblem as problem:
            return [(("file",), str(problem), "audio-file")]
        return []

    def unique_name(self, name: str) -> str:
        return names.stem(name)  # `x` and `x.wav` would share the uploads `x-<digest>.wav`

    def live_name(self, spec: Any) -> str:
        if spec.state != "present" or spec.wav is None:
            return spec.audio_name
        return names.upload_name(spec.audio_name, spec.wav.short_digest)

    # -- planning ----------------------------------------------------------------------------

    def desired_values(
        self, specs: Mapping[str, Any], context: Context, where: Where,
        live: Mapping[str, dict[str, Any] | None],
    ) -> dict[str, dict[str, Any]]:
        return {name: {"audio_name": self.live_name(spec)}
                for name, spec in specs.items() if spec.state == "present"}

    def plan_create(self, spec: Any, values: dict[str, Any], context: Context,
                    source: str) -> Change:
        wav = spec.wav
        fields = {
            "file": FieldDiff(None, wav.path),
            "size": FieldDiff(None, wav.size),
            "duration": FieldDiff(None, f"{wav.duration:.2f} s"),
            "sha256": FieldDiff(None, wav.sha256),
            "upload": FieldDiff(None, values["audio_name"]),
        }
        return Change(
            action="create", kind=self.name, name=spec.audio_name, fields=fields,
            create_body={"audio_name": values["audio_name"], "file": wav.path,
                         "sha256": wav.sha256, "size": wav.size},
            source=source,
        )

    def plan_update(self, spec: Any, values: dict[str, Any], live: dict[str, Any],
                    context: Context) -> Change | None:
        return None  # the upload named after these very bytes exists: nothing to send

    def plan_delete(self, live: dict[str, Any], source: str) -> Change:
        heard = live.get(usage.TEMPLATES) or {}
        campaigns = live.get(usage.CAMPAIGNS) or []
        fields = {"upload": FieldDiff(live.get("audio_name"), None)}
        if heard:  # `settle` says whether they stay
            fields["heard_in"] = FieldDiff(dict(heard), None)
        if campaigns:
            fields["campaigns"] = FieldDiff(list(campaigns), None)
        return Change(
            action="delete", kind=self.name, name=live["audio_name"], uuid=live["audio_uuid"],
            fields=fields, fingerprint=fingerprint(live, read_dependent=self.read_dependent),
            live_name=live["audio_name"], source=source,
        )

    def prunable(self, row: dict[str, Any]) -> bool:
        return True  # settle keeps those a template plays

    def same(self, field_name: str, kept: Any, sent: Any) -> bool:
        return kept == sent

    def settle(
        self, changes: list[Change], specs: Mapping[str, Any],
        undeclared: list[dict[str, Any]], where: Where,
    ) -> tuple[list[Change], list[Diagnostic], list[Diagnostic]]:
        return settle.settle(self, changes, specs, undeclared, where)

    def requires(self, change: Change, changes: dict[str, list[Change]]) -> list[Change]:
        """A delete waits for every template change of the plan (those re-pointing away
        from it among them)."""
        if change.action != "delete":
            return []
        return [other for other in changes.get(TEMPLATE, ()) if other.action != "create"]

    # -- writing and export ------------------------------------------------------------------

    def actions(self) -> dict[str, Callable[..., Any]]:
        return {
            "create": partial(write.apply_create, self),
            "delete": partial(write.apply_delete, self),
        }

    exportable = False  # listed by name only: the API gives no file back

    def export_rows(self, client: Any) -> list[dict[str, Any]]:
        return client.list_audio()  # names only: who plays an upload is not needed here

    def export_listing(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return export.as_named(rows)

    def export_summary(self, rows: list[dict[str, Any]]) -> str:
        return export.summary(rows)

    def export_entry(self, live: Any, names: Any, *, pin_uuid: bool = False) -> Any:
        raise NotImplementedError("audio is listed by name, never exported: no bytes come back")


AUDIO = AudioKind()


def audio_uuids(values: Mapping[str, Any]) -> set[str]:
    """The uuids a template's values play."""
    return {value for _key, value in template_audio(dict(values))}


__all__ = ["AUDIO", "AudioKind", "audio_uuids"]
