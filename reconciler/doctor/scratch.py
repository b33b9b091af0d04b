"""The write checks (`doctor --write`): one scratch campaign, created, changed, deleted.

Every step checks one assumption about writes and returns one `Result`. The campaign is
named `reconciler-doctor-<random hex>`; `cleanup()` deactivates and deletes it, and the
runner calls it whatever happened (failed check, exception, SIGINT/SIGTERM). Re-pointing it
(template_uuid by PUT) needs a template: a scratch one, `<name>-target`, made for that check
and deleted by `cleanup()` after the campaign.
"""

from __future__ import annotations

import copy
import re
import secrets
import time
from typing import Any
from urllib.parse import quote

from reconciler.doctor.probe import Probe, Reply
from reconciler.doctor.reading import CAMPAIGNS, CARRIERS, TEMPLATES, Listing, rows_vs_detail
from reconciler.doctor.result import Result, StepFailed, assumption, differs, ok, shown, skipped
from reconciler.errors import ReconcilerError
from reconciler.fields import CREATE_FIELDS, SCHEDULE_KEYS
from reconciler.plan.normalize import canonical

SCRATCH_PREFIX = "reconciler-doctor-"
SECOND = 10**9

# Odd values on purpose: a server that rounds to seconds or milliseconds shows it.
SCHEDULES: list[dict[str, int]] = [
    {
        **{key: 0 for key in SCHEDULE_KEYS},
        **{f"{day}_start_time": 8 * 3600 * SECOND + SECOND + 7
           for day in ("monday", "tuesday", "wednesday", "thursday", "friday")},
        **{f"{day}_end_time": (20 * 3600 + 45 * 60 + 59) * SECOND + 1
           for day in ("monday", "tuesday", "wednesday", "thursday", "friday")},
        "saturday_start_time": (8 * 3600 + 30 * 60) * SECOND,
        "saturday_end_time": (11 * 3600 + 15 * 60) * SECOND + SECOND - 1,
    },
    {
        **{key: 0 for key in SCHEDULE_KEYS},
        "sunday_start_time": 9 * 3600 * SECOND + 123,
        "sunday_end_time": 24 * 3600 * SECOND,
    },
]
RECALL_STATUS = ["voicemail", "busy", "no-answered"]  # not in the documented order

CREATE_BODY: dict[str, Any] = {
    "type": "autocall",
    "type_autocall": "autocall_voice_tts",
    "description": "scratch campaign of `reconciler doctor --write`; safe to delete",
    "concurrent_call": 2,
    # Not create fields: a POST should not store these.
    "call_timeout": 33,
    "callback_url": "https://reconciler-doctor.invalid/cdr",
    "recall_times": 2,
}

PUT_CHANGES: dict[str, Any] = {
    "description": "changed by `reconciler doctor --write`",
    "concurrent_call": 3,
    "call_timeout": 45,
    "callback_url": "https://reconciler-doctor.invalid/cdr",
    "recall_times": 2,
    "limit_recall_duration": 0,
    "schedule_recall": "minute",
    "schedule_recall_duration": 15,
    "mode_call": "serial",
    "priority_recall": "recall",
    "network": {"viettel": 3, "mobi": 1},
    "recall_status": RECALL_STATUS,
    "schedules": SCHEDULES,
}

# Left out of a PUT to see them reset (each set to a non-zero value by the PUT above).
LEFT_OUT = ("callback_url", "recall_times")
RENAMED_SUFFIX = "-renamed"  # the rename check's new name: still SCRATCH_PREFIX..., findable
TARGET_TEMPLATE: dict[str, Any] = {  # the smallest template the docs allow: a TTS sentence
    "description": "re-point target of `reconciler doctor --write`; safe to delete",
    "voice_type": "tts",
    "voice_tts": "north-f-01",
    "speed_tts": 1,
    "content": "reconciler doctor",
}


class ScratchLeftBehind(ReconcilerError):
    """The scratch campaign could not be deleted: the message names it for a manual delete."""


def scratch_name() -> str:
    return SCRATCH_PREFIX + secrets.token_hex(4)


class Scratch:
    """The scratch campaign and the write checks made on it, in order."""

    def __init__(self, probe: Probe, name: str | None = None) -> None:
        self.probe = probe
        self.name = name or scratch_name()
        self.uuid: str | None = None
        self.posted = False  # a POST was sent: the campaign may exist even without a uuid
        self.sent: dict[str, Any] = {}  # the body of the first full PUT
        self.kept: dict[str, Any] = {}  # the read-back after it
        self.template_posted = False  # the re-point check's template (deleted by cleanup)
        self.template_uuid: str | None = None

    def checks(self) -> list[Any]:
        """The write checks in the order they must run (each needs the ones before)."""
        return [
            self.check_create,
            self.check_put_stores,
            self.check_schedules,
            self.check_recall_status,
            self.check_put_active,
            self.check_updated_at,
            self.check_full_replace,
            self.check_put_renames,
            self.check_put_repoints,
            self.check_row_vs_detail,
            self.check_field_errors,
            self.check_patch_active,
            self.check_delete_active,
        ]

    # -- calls -------------------------------------------------------------------------------

    def read(self) -> dict[str, Any]:
        reply = self.probe.get(self._path())
        if reply.failed or not isinstance(reply.body, dict):
            raise StepFailed(f"reading the scratch campaign back answered {reply.brief()}")
        return reply.body

    def put(self, body: dict[str, Any]) -> Reply:
        reply = self.probe.call("PUT", self._path(), body=body)
        if reply.failed:
            raise StepFailed(f"PUT answered {reply.brief()}")
        return reply

    def _path(self) -> str:
        if self.uuid is None:
            raise StepFailed("the scratch campaign was not created")
        return self.probe.campaign_path(self.uuid)

    # -- checks ------------------------------------------------------------------------------

    @assumption("write: create stores only the create fields")
    def check_create(self, name: str) -> Result:
        self.posted = True
        reply = self.probe.call("POST", CAMPAIGNS, body={"campaign_name": self.name,
                                                         **CREATE_BODY})
        if reply.failed:
            raise StepFailed(f"POST answered {reply.brief()}")
        uuid = reply.body.get("campaign_uuid") if isinstance(reply.body, dict) else None
        if not isinstance(uuid, str) or not uuid:
            raise StepFailed(f"POST answered {reply.brief()}, without a campaign_uuid")
        self.uuid = uuid
        stored = self.read()
        sent = {"campaign_name": self.name, **CREATE_BODY}
        problems = [
            f"{key}: sent {shown(value)}, stored {shown(stored.get(key))}"
            for key, value in sent.items()
            if key in CREATE_FIELDS and canonical(key, stored.get(key)) != canonical(key, value)
        ]
        extra = [key for key, value in sent.items()
                 if key not in CREATE_FIELDS and canonical(key, stored.get(key)) ==
                 canonical(key, value)]
        if extra:
            problems.append(f"also stored {', '.join(extra)} (docs: only the create fields)")
        answer = "" if reply.body.get("created") is True else (
            f"; the answer has created {shown(reply.body.get('created'))}")
        defaults = ", ".join(f"{key} {shown(stored.get(key))}"
                             for key in ("active", "status", "call_timeout", "mode_call"))
        created = f"created {self.name}, {uuid}"
        if problems:
            return differs(name, f"{created}: " + "; ".join(problems))
        return ok(name, f"{created}; defaults: {defaults}{answer}")

    @assumption("write: PUT stores every field it is sent")
    def check_put_stores(self, name: str) -> Result:
        live = self.read()
        changes = dict(PUT_CHANGES)
        carrier = self._a_carrier()
        if carrier:
            changes["carrier_uuid"] = carrier
        self.sent = {**live, **copy.deepcopy(changes), "active": False}
        self.put(self.sent)
        self.kept = self.read()
        lost = [
            f"{key} (sent {_brief(key, value)}, kept {_brief(key, self.kept.get(key))})"
            for key, value in {**changes, "active": False}.items()
            if canonical(key, self.kept.get(key)) != canonical(key, value)
        ]
        if lost:
            return differs(name, "not kept: " + "; ".join(lost))
        return ok(name, f"all {len(changes) + 1} fields sent were kept: "
                        + ", ".join([*changes, "active"]))

    @assumption("write: schedules round-trip to the nanosecond")
    def check_schedules(self, name: str) -> Result:
        if not self.kept:
            raise StepFailed("no PUT was read back")
        kept = self.kept.get("schedules") or []
        sent_days = [[entry[key] for key in SCHEDULE_KEYS] for entry in SCHEDULES]
        kept_days = [[_int(entry.get(key)) if isinstance(entry, dict) else None
                      for key in SCHEDULE_KEYS] for entry in kept]
        if kept_days == sent_days:
            return ok(name, f"{len(sent_days)} schedules kept exactly, e.g. "
                            f"monday_start_time {sent_days[0][0]} = 08:00:01 + 7 ns")
        if sorted(kept_days) == sorted(sent_days):
            return ok(name, "kept exactly, in another order (the tool compares them as a set)")
        if len(kept_days) != len(sent_days):
            return differs(name, f"sent {len(sent_days)} schedules, kept {len(kept_days)}")
        for sent_entry, kept_entry in zip(sent_days, kept_days, strict=True):
            for key, sent_value, kept_value in zip(SCHEDULE_KEYS, sent_entry, kept_entry,
                                                   strict=True):
                if sent_value != kept_value:
                    return differs(name, f"{key}: sent {sent_value}, kept {kept_value}")
        return differs(name, "kept schedules differ from those sent")  # pragma: no cover

    @assumption("write: recall_status order")
    def check_recall_status(self, name: str) -> Result:
        if not self.kept:
            raise StepFailed("no PUT was read back")
        kept = self.kept.get("recall_status")
        if kept == RECALL_STATUS:
            return ok(name, f"kept in the order sent {shown(RECALL_STATUS)}")
        if canonical("recall_status", kept) == canonical("recall_status", RECALL_STATUS):
            return ok(name, f"reordered: sent {shown(RECALL_STATUS)}, kept {shown(kept)} (the "
                            "tool compares it as a set)")
        return differs(name, f"sent {shown(RECALL_STATUS)}, kept {shown(kept)}")

    @assumption("write: PUT carries active")
    def check_put_active(self, name: str) -> Result:
        if not self.kept:
            raise StepFailed("no PUT was read back")
        after_false = self.kept.get("active")
        self.put({**self.kept, "active": True})
        after_true = self.read().get("active")
        seen = f"sent false, kept {shown(after_false)}; sent true, kept {shown(after_true)}"
        if after_false is False and after_true is True:
            return ok(name, seen)
        return differs(name, seen)

    @assumption("write: updated_at moves on a schedule-only change")
    def check_updated_at(self, name: str) -> Result:
        before = self.read()
        after = self._change_schedule_only(before)
        if canonical("schedules", after.get("schedules")) == canonical(
                "schedules", before.get("schedules")):
            return skipped(name, "the schedule change was not kept (see above)")
        if after.get("updated_at") == before.get("updated_at") and _whole_seconds(
                after.get("updated_at")):
            # A clock with one-second resolution: change again in the next second.
            time.sleep(1.05)
            before, after = after, self._change_schedule_only(after)
        moved = f"{shown(before.get('updated_at'))} -> {shown(after.get('updated_at'))}"
        if after.get("updated_at") == before.get("updated_at"):
            return differs(name, f"updated_at stayed {shown(after.get('updated_at'))}")
        return ok(name, moved)

    @assumption("write: PUT is a full replace")
    def check_full_replace(self, name: str) -> Result:
        before = self.read()
        set_before = {key: before.get(key) for key in LEFT_OUT if before.get(key)}
        if not set_before:
            return skipped(name, f"{', '.join(LEFT_OUT)} were not kept by the first PUT")
        body = {key: value for key, value in before.items() if key not in set_before}
        self.put(body)
        after = self.read()
        kept = [f"{key} kept {shown(after.get(key))}" for key in set_before
                if after.get(key) == before.get(key)]
        if kept:
            return differs(name, f"left out of the PUT: {', '.join(set_before)}; " +
                           ", ".join(kept) + " (not reset)")
        reset = ", ".join(f"{key} -> {shown(after.get(key))}" for key in set_before)
        return ok(name, f"fields left out were reset: {reset}")

    @assumption("write: PUT renames via campaign_name")
    def check_put_renames(self, name: str) -> Result:
        before = self.read()
        new_name = self.name + RENAMED_SUFFIX
        self.put({**before, "campaign_name": new_name})
        kept = self.read().get("campaign_name")
        if kept == new_name:
            old, self.name = self.name, new_name
            return ok(name, f"renamed {old} to {new_name}")
        return differs(name, f"sent campaign_name {shown(new_name)}, kept {shown(kept)}: a "
                             "rename would be reported done but not made")

    @assumption("write: PUT re-points via template_uuid")
    def check_put_repoints(self, name: str) -> Result:
        target = self._target_template()
        before = self.read()
        self.put({**before, "template_uuid": target})
        kept = self.read().get("template_uuid")
        if kept == target:
            return ok(name, f"template_uuid {shown(before.get('template_uuid'))} -> {target} "
                            "(a scratch template)")
        return differs(name, f"sent template_uuid {shown(target)}, kept {shown(kept)}: "
                             "re-pointing a campaign to another template would not happen")

    @assumption("write: list row vs detail of the scratch campaign")
    def check_row_vs_detail(self, name: str) -> Result:
        row = self._listed_row()
        if row is None:
            return differs(name, f"{self.name} is not in the campaign listing")
        return rows_vs_detail(name, self.probe, row)

    @assumption("errors: a schema-invalid PUT answers {\"error\": [{field: message}]}")
    def check_field_errors(self, name: str) -> Result:
        reply = self.probe.call("PUT", self._path(), body={"campaign_name": self.name})
        error = reply.error
        if error is None:
            return differs(name, f"a PUT without the required `type` answered {reply.brief()}")
        listed = isinstance(error, list) and all(isinstance(item, dict) for item in error)
        where = "" if reply.status >= 400 else " (an error with a success status)"
        if not listed and not isinstance(error, str):
            return differs(name, f"answered {reply.brief()}: neither documented error shape")
        if reply.status < 400:
            return differs(name, f"answered {reply.brief()}{where}")
        shape = "a problem list" if listed else "a message (the docs' other shape)"
        return ok(name, f"{shape}: {reply.brief()}")

    @assumption("write: PATCH .../active switches active")
    def check_patch_active(self, name: str) -> Result:
        reply = self.probe.call("PATCH", f"{self._path()}/active", body={"active": True})
        if reply.failed:
            raise StepFailed(f"PATCH answered {reply.brief()}")
        stored = self.read().get("active")
        body = reply.body if isinstance(reply.body, dict) else {}
        if stored is not True:
            return differs(name, f"sent active true, kept {shown(stored)}")
        if body.get("active") is not True or body.get("campaign_uuid") != self.uuid:
            return ok(name, f"kept active true; but the answer was {reply.brief()}")
        return ok(name, f"active true kept; answered {reply.brief()}")

    @assumption("write: DELETE refuses an active campaign")
    def check_delete_active(self, name: str) -> Result:
        if self.read().get("active") is not True:
            return skipped(name, "the scratch campaign could not be made active")
        reply = self.probe.call("DELETE", self._path())
        if not reply.failed:
            return differs(name, f"DELETE of the active campaign answered {reply.brief()}")
        message = reply.error if isinstance(reply.error, str) else reply.brief()
        if "deactive" in str(message):
            return ok(name, reply.brief())
        if reply.status >= 500:
            # A server error is no refusal: the rule cannot be told from this answer.
            return differs(name, f"a server error, not the documented refusal: {reply.brief()}")
        return ok(name, f"refused, in other words: {reply.brief()}")

    # -- cleanup -----------------------------------------------------------------------------

    def cleanup(self) -> Result | None:
        """Deactivate and delete the scratch campaign, then the re-point check's template;
        None when no campaign was ever posted.

        Raises `ScratchLeftBehind` naming what it cannot delete.
        """
        if not self.posted:
            return None
        result = self._delete_campaign()
        self._delete_target_template()
        return result

    def _delete_campaign(self) -> Result:
        check = "write: scratch campaign deleted"
        try:
            if self.uuid is None:
                row = self._listed_row()  # the POST's answer was lost or unclear
                if row is None:
                    return ok(check, f"{self.name} was never created")
                self.uuid = str(row.get("campaign_uuid"))
            path = self.probe.campaign_path(self.uuid)
            if _gone(self.probe.get(path)):  # e.g. a DELETE check that was not refused
                return ok(check, f"{self.name} ({self.uuid}) was already gone")
            self.probe.call("PATCH", f"{path}/active", body={"active": False})
            deleted = self.probe.call("DELETE", path)
            gone = _gone(self.probe.get(path))
        except ReconcilerError as exc:
            raise self._left_behind(str(exc)) from None
        if gone:
            return ok(check, f"{self.name}, {self.uuid}")
        raise self._left_behind(f"DELETE answered {deleted.brief()}")

    def _delete_target_template(self) -> None:
        """Delete the template the re-point check made (after the campaign using it)."""
        if not self.template_posted:
            return
        try:
            if self.template_uuid is None:  # the POST's answer was lost or unclear
                page = Listing(self.probe.get(TEMPLATES, template_name=self._target_name(),
                                              limit=100, offset=0))
                row = next((row for row in page.rows
                            if row.get("template_name") == self._target_name()), None)
                if row is None:
                    return
                self.template_uuid = str(row.get("template_uuid"))
            path = f"{TEMPLATES}/{quote(self.template_uuid, safe='')}"
            deleted = self.probe.call("DELETE", path)
            gone = _gone(self.probe.get(path))
        except ReconcilerError as exc:
            raise self._template_left_behind(str(exc)) from None
        if not gone:
            raise self._template_left_behind(f"DELETE answered {deleted.brief()}")

    def _template_left_behind(self, why: str) -> ScratchLeftBehind:
        return ScratchLeftBehind(
            f"the scratch template {self._target_name()} ({self.template_uuid or 'uuid unknown'})"
            f" was left behind: {why}. Delete it by hand: DELETE /v3/template/{{uuid}}"
        )

    def _left_behind(self, why: str) -> ScratchLeftBehind:
        uuid = self.uuid or "uuid unknown"
        template = (
            f"; then the scratch template {self._target_name()} "
            f"({self.template_uuid or 'uuid unknown'}): DELETE /v3/template/{{uuid}}"
            if self.template_posted else ""
        )
        return ScratchLeftBehind(
            f"the scratch campaign {self.name} ({uuid}) was left behind: {why}. Delete it by "
            "hand: PATCH .../active {\"active\": false}, then DELETE /v3/campaign/{uuid}"
            + template
        )

    # -- helpers -----------------------------------------------------------------------------

    def _target_name(self) -> str:
        return f"{self.name.removesuffix(RENAMED_SUFFIX)}-target"

    def _target_template(self) -> str:
        """The uuid of a scratch template to re-point the campaign to (made once)."""
        if self.template_uuid is None:
            self.template_posted = True
            reply = self.probe.call("POST", TEMPLATES, body={"template_name": self._target_name(),
                                                             **TARGET_TEMPLATE})
            uuid = reply.body.get("template_uuid") if isinstance(reply.body, dict) else None
            if reply.failed or not isinstance(uuid, str) or not uuid:
                raise StepFailed(f"creating a scratch template to re-point to answered "
                                 f"{reply.brief()}")
            self.template_uuid = uuid
        return self.template_uuid

    def _a_carrier(self) -> str | None:
        page = Listing(self.probe.get(CARRIERS, limit=1, offset=0))
        if page.problem or not page.rows:
            return None
        uuid = page.rows[0].get("carrier_uuid")
        return uuid if isinstance(uuid, str) and uuid else None

    def _change_schedule_only(self, before: dict[str, Any]) -> dict[str, Any]:
        schedules = copy.deepcopy(before.get("schedules") or SCHEDULES)
        schedules[0]["monday_end_time"] = _int(schedules[0].get("monday_end_time")) + SECOND
        if schedules[0]["monday_end_time"] > 24 * 3600 * SECOND:
            schedules[0]["monday_end_time"] -= 2 * SECOND
        self.put({**before, "schedules": schedules})
        return self.read()

    def _listed_row(self, max_pages: int = 50) -> dict[str, Any] | None:
        """The scratch campaign's list row (newest first, so usually on the first page)."""
        offset = 0
        for _ in range(max_pages):
            page = Listing(self.probe.get(CAMPAIGNS, limit=100, offset=offset))
            if page.problem:
                raise StepFailed(f"listing campaigns: {page.problem}")
            for row in page.rows:
                if row.get("campaign_name") == self.name or (
                        self.uuid and row.get("campaign_uuid") == self.uuid):
                    return row
            offset += len(page.rows)
            if not page.rows or page.total is None or offset >= page.total:
                return None
        return None


def _brief(key: str, value: Any) -> str:
    if key == "schedules":  # the schedules check shows the exact values
        count = len(value) if isinstance(value, list) else 0
        return f"{count} schedule{'' if count == 1 else 's'}" if value is not None else "null"
    return shown(value, 60)


def _gone(reply: Reply) -> bool:
    """Whether a detail read says the campaign does not exist (404, or "not found")."""
    return reply.status == 404 or "not found" in str(reply.error or "").lower()


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


_FRACTION = re.compile(r"\d{2}:\d{2}:\d{2}\.\d+")


def _whole_seconds(timestamp: Any) -> bool:
    return isinstance(timestamp, str) and not _FRACTION.search(timestamp)
