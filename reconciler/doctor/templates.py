"""The template checks: the read shape (read-only) and, with --write, one scratch template
created, changed and deleted (always deleted, like the scratch campaign).

What the tool assumes (reconciler/template_fields.py): a read answers press options as
`[{"1": {voice_type, content | audio_file}}]`, without toggled/enable/type/extension; POST
stores every field; PUT takes the whole template; the documented answers and errors.
"""

from __future__ import annotations

import copy
from typing import Any

from reconciler import template_fields as tf
from reconciler.doctor.probe import Probe, Reply
from reconciler.doctor.reading import TEMPLATES, Listing
from reconciler.doctor.result import Result, StepFailed, assumption, differs, ok, shown, skipped
from reconciler.doctor.scratch import SCRATCH_PREFIX, ScratchLeftBehind, scratch_name
from reconciler.errors import ReconcilerError
from reconciler.kinds.template.plan import canonical

SCRATCH_BODY: dict[str, Any] = {  # the template page's TTS example, shortened
    "voice_type": "tts",
    "enable_option": True,
    "voice_tts": "south-m-03",
    "speed_tts": 0.9,
    "content": "Chào bạn {{customer_name}}: kịch bản thử của reconciler doctor --write",
    "exit_sound": {"enable": True, "voice_type": "tts", "content": "Cám ơn {{customer_name}}"},
    "invalid_sound": {"enable": True, "voice_type": "tts", "content": "Sai phím"},
    "press_options": [{"press_num": "1", "toggled": False, "voice_type": "tts", "enable": True,
                       "content": "Cám ơn đã bấm phím", "type": "tts", "extension": "5000"}],
    "press_timeout": 3,
    "max_timeout": 1,
    "inter_digit_timeout": 2,
}


def _read_form_problem(options: Any) -> str:
    """Why press options are not in the documented read form ("" when they are)."""
    if not isinstance(options, list):
        return f"press_options is {shown(options, 60)}, not a list"
    for item in options:
        if not isinstance(item, dict):
            return f"a press option is {shown(item, 60)}, not an object"
        if "press_num" in item:
            return "press options come in write form (press_num keys), not [{\"1\": {...}}]"
        if len(item) != 1 or not isinstance(next(iter(item.values())), dict):
            return f"a press option is {shown(item, 60)}, not {{\"<key>\": {{...}}}}"
    return ""


@assumption("templates: press options read as [{\"1\": {voice_type, content}}]")
def check_template_read_shape(probe: Probe, name: str) -> Result:
    page = Listing(probe.get(TEMPLATES, limit=100, offset=0))
    if page.problem:
        return differs(name, f"GET {TEMPLATES}: {page.problem}")
    with_options = [row for row in page.rows if row.get("press_options")]
    if not with_options:
        return skipped(name, "no template has press options (doctor --write makes one)")
    row = with_options[0]
    problem = _read_form_problem(row["press_options"])
    if problem:
        return differs(name, f"{row.get('template_name')!r}: {problem}")
    unread = sorted({key for item in row["press_options"] for inner in item.values()
                     for key in inner if key in tf.PRESS_OPTION_UNREAD})
    extra = f"; it also returns {', '.join(unread)}" if unread else ""
    return ok(name, f"{row.get('template_name')!r}: as documented{extra}")


class ScratchTemplate:
    """The scratch template and the write checks made on it, in order."""

    def __init__(self, probe: Probe, name: str | None = None) -> None:
        self.probe = probe
        self.name = name or scratch_name()
        self.uuid: str | None = None
        self.posted = False

    def checks(self) -> list[Any]:
        return [self.check_create, self.check_put, self.check_errors, self.check_delete]

    def _path(self) -> str:
        if self.uuid is None:
            raise StepFailed("the scratch template was not created")
        return f"{TEMPLATES}/{self.uuid}"

    def read(self) -> dict[str, Any]:
        reply = self.probe.get(self._path())
        if reply.failed or not isinstance(reply.body, dict):
            raise StepFailed(f"reading the scratch template back answered {reply.brief()}")
        return reply.body

    @assumption("write: template create stores every field; unread keys not returned")
    def check_create(self, name: str) -> Result:
        self.posted = True
        body = {"template_name": self.name, **copy.deepcopy(SCRATCH_BODY)}
        reply = self.probe.call("POST", TEMPLATES, body=body)
        if reply.failed:
            raise StepFailed(f"POST answered {reply.brief()}")
        uuid = reply.body.get("template_uuid") if isinstance(reply.body, dict) else None
        if not isinstance(uuid, str) or not uuid:
            raise StepFailed(f"POST answered {reply.brief()}, without a template_uuid")
        self.uuid = uuid
        kept = self.read()
        lost = [key for key, value in body.items() if canonical(key, kept.get(key)) !=
                canonical(key, value)]
        problem = _read_form_problem(kept.get("press_options"))
        created = f"created {self.name}, {uuid}"
        if lost:
            return differs(name, f"{created}; not kept: {', '.join(lost)}")
        if problem:
            return differs(name, f"{created}; {problem}")
        answer = "" if reply.body.get("created") == "true" else (
            f"; the answer has created {shown(reply.body.get('created'))} (docs: \"true\")")
        return ok(name, f"{created}; every field kept{answer}")

    @assumption("write: template PUT of the whole template is kept")
    def check_put(self, name: str) -> Result:
        live = self.read()
        body = {key: live.get(key) for key in tf.FIELDS if key in live}
        body["press_options"] = copy.deepcopy(SCRATCH_BODY["press_options"])
        body["content"] = "Đã sửa bởi reconciler doctor --write"
        body.pop("audio_file", None)
        reply = self.probe.call("PUT", self._path(), body=body)
        if reply.failed:
            raise StepFailed(f"PUT answered {reply.brief()}")
        kept = self.read()
        if kept.get("content") != body["content"]:
            return differs(name, f"sent content {shown(body['content'])}, kept "
                                 f"{shown(kept.get('content'))}")
        answer = reply.body if isinstance(reply.body, dict) else {}
        if answer.get("updated") != "true":
            return ok(name, f"kept; but the answer was {reply.brief()}")
        return ok(name, f"content kept; answered {reply.brief()}")

    @assumption("errors: template name required, names unique")
    def check_errors(self, name: str) -> Result:
        nameless = self.probe.call("POST", TEMPLATES, body={"voice_type": "tts"})
        twin = self.probe.call("POST", TEMPLATES, body={"template_name": self.name,
                                                        **SCRATCH_BODY})
        if not nameless.failed or not twin.failed:
            made = [reply for reply in (nameless, twin) if not reply.failed]
            self._forget(made)
            return differs(name, "accepted: " + "; ".join(reply.brief() for reply in made))
        return ok(name, f"no name: {nameless.brief(80)}; same name: {twin.brief(80)}")

    @assumption("write: template delete answers deleted; then not found")
    def check_delete(self, name: str) -> Result:
        reply = self.probe.call("DELETE", self._path())
        if reply.failed:
            raise StepFailed(f"DELETE answered {reply.brief()}")
        after = self.probe.get(self._path())
        if not _gone(after):
            return differs(name, f"after DELETE the read answered {after.brief()}")
        return ok(name, f"{reply.brief()}; then {after.brief()}")

    def cleanup(self) -> Result | None:
        check = "write: scratch template deleted"
        if not self.posted:
            return None
        try:
            if self.uuid is None:
                row = self._listed_row()
                if row is None:
                    return ok(check, f"{self.name} was never created")
                self.uuid = str(row.get("template_uuid"))
            if _gone(self.probe.get(self._path())):
                return ok(check, f"{self.name} ({self.uuid}) is gone")
            deleted = self.probe.call("DELETE", self._path())
            gone = _gone(self.probe.get(self._path()))
        except ReconcilerError as exc:
            raise self._left_behind(str(exc)) from None
        if gone:
            return ok(check, f"{self.name}, {self.uuid}")
        raise self._left_behind(f"DELETE answered {deleted.brief()}")

    def _forget(self, replies: list[Reply]) -> None:
        """A create that should have been refused made a template: delete it at once."""
        for reply in replies:
            uuid = reply.body.get("template_uuid") if isinstance(reply.body, dict) else None
            if isinstance(uuid, str) and uuid and uuid != self.uuid:
                self.probe.call("DELETE", f"{TEMPLATES}/{uuid}")

    def _listed_row(self) -> dict[str, Any] | None:
        page = Listing(self.probe.get(TEMPLATES, template_name=self.name, limit=100, offset=0))
        return next((row for row in page.rows if row.get("template_name") == self.name), None)

    def _left_behind(self, why: str) -> ScratchLeftBehind:
        return ScratchLeftBehind(
            f"the scratch template {self.name} ({self.uuid or 'uuid unknown'}) was left behind: "
            f"{why}. Delete it by hand: DELETE /v3/template/{{uuid}}"
        )


def _gone(reply: Reply) -> bool:
    return reply.status == 404 or "not found" in str(reply.error or "").lower()


__all__ = ["SCRATCH_PREFIX", "ScratchTemplate", "check_template_read_shape"]
