"""Campaign and template documents as the API shows them (carriers: emulator/carriers.py).

Key order, server defaults and zero values are copied from the docs' examples, so a client
that passes against the emulator sees the same shapes a real tenant answers with.
"""

from __future__ import annotations

import threading
import uuid as uuidlib
from datetime import datetime, timedelta, timezone
from typing import Any

from reconciler.fields import CREATE_FIELDS, NETWORK_KEYS, RECALL_STATUSES, SCHEDULE_KEYS
from reconciler.template_fields import FIELDS as TEMPLATE_WRITE_FIELDS
from reconciler.template_fields import (
    OMITTED_WHEN_EMPTY,
    SOUND_FIELDS,
    press_options_read_form,
    press_options_write_form,
)

# The tenant every document belongs to (the docs' example domain).
DOMAIN_UUID = "b6b796aa-370f-4f57-8f44-5c82414c652b"
TENANT_TZ = timezone(timedelta(hours=7))

# Every key of a campaign object, in the order of the docs' list example.
CAMPAIGN_KEYS: tuple[str, ...] = (
    "domain_uuid", "campaign_uuid", "campaign_name", "type", "description", "active",
    "concurrent_call", "ratio", "carrier_uuid", "call_center_queue_uuid", "template_uuid",
    "recall_times", "limit_recall_duration", "schedule_recall", "schedule_recall_duration",
    "hopper", "answer_callback_url", "local_start_time", "local_end_time", "customer_order",
    "allow_manual_dial", "allow_search_lead", "enable_callback_alert", "default_list_uuid",
    "script_uuid", "status", "created_at", "updated_at", "call_center_queue_strategy",
    "template_name", "carrier_name", "mode_call", "network", "run_id", "type_autocall",
    "call_timeout", "domain_name", "users", "groups", "statuses", "schedules",
    "priority_recall", "recall_status", "enable_encrypt", "callback_url", "orig_campaign_uuid",
)

# Keys a schedule object may carry besides the 14 day keys (the server adds them on read).
SCHEDULE_SERVER_KEYS = ("id", "domain_uuid", "campaign_uuid")

# Field kinds of the PUT table, which decide zero values and type checks.
STRING_FIELDS = frozenset({
    "campaign_name", "type", "template_uuid", "description", "type_autocall", "carrier_uuid",
    "schedule_recall", "status", "mode_call", "priority_recall", "callback_url",
})
INT_FIELDS = frozenset({
    "concurrent_call", "ratio", "recall_times", "limit_recall_duration",
    "schedule_recall_duration", "call_timeout",
})


class Clock:
    """RFC 3339 timestamps in the tenant's +07:00 zone that never repeat or go backwards,
    so `updated_at` always moves when a campaign changes."""

    def __init__(self) -> None:
        self._last = datetime.min.replace(tzinfo=TENANT_TZ)
        self._lock = threading.Lock()

    def now(self) -> str:
        with self._lock:
            moment = datetime.now(TENANT_TZ)
            if moment <= self._last:
                moment = self._last + timedelta(microseconds=1)
            self._last = moment
            return moment.isoformat(timespec="microseconds")


def new_uuid() -> str:
    return str(uuidlib.uuid4())


def zero_network() -> dict[str, int]:
    return {key: 0 for key in NETWORK_KEYS}


def server_defaults(campaign_uuid: str, timestamp: str) -> dict[str, Any]:
    """A freshly created campaign as the docs show one (`AutocallTTS`, `VoiceOTP110`)."""
    return {
        "domain_uuid": DOMAIN_UUID,
        "campaign_uuid": campaign_uuid,
        "campaign_name": "",
        "type": "",
        "description": "",
        "active": True,
        "concurrent_call": 0,
        "ratio": 100,
        "carrier_uuid": "",
        "call_center_queue_uuid": "",
        "template_uuid": "",
        "recall_times": 0,
        "limit_recall_duration": 0,
        "schedule_recall": "after",
        "schedule_recall_duration": 0,
        "hopper": 20,
        "answer_callback_url": "",
        "local_start_time": "00:00:00",
        "local_end_time": "23:59:59",
        "customer_order": "id",
        "allow_manual_dial": True,
        "allow_search_lead": True,
        "enable_callback_alert": True,
        "default_list_uuid": "",
        "script_uuid": "",
        "status": "stop",
        "created_at": timestamp,
        "updated_at": timestamp,
        "call_center_queue_strategy": "",
        "template_name": "",
        "carrier_name": "",
        "mode_call": "direct",
        "network": zero_network(),
        "run_id": "",
        "type_autocall": "",
        "call_timeout": 60,
        "domain_name": "",
        "users": None,
        "groups": None,
        "statuses": None,
        "schedules": None,
        "priority_recall": "normal",
        "recall_status": list(RECALL_STATUSES),
        "enable_encrypt": False,
        "callback_url": "",
        "orig_campaign_uuid": "",
    }


def create_document(body: dict[str, Any], campaign_uuid: str, timestamp: str) -> dict[str, Any]:
    """What POST stores: server defaults plus the create fields of a validated body only."""
    doc = server_defaults(campaign_uuid, timestamp)
    for key in CREATE_FIELDS:
        if key in body:
            doc[key] = body[key]
    return doc


# Fields beyond the PUT table that a PUT replaces too: the docs' AutocallAudio, read after the
# PUT that left them out, shows these zero values where never-updated campaigns show the create
# defaults. `ratio` survived that PUT, so it is kept. `active` rides on PUT as well (the PUT
# sample sends it; the autodialer page reads back the `active: false` its PUT sent).
PUT_ALSO_REPLACES: dict[str, Any] = {
    "active": False,
    "hopper": 0,
    "answer_callback_url": "",
    "local_start_time": "",
    "local_end_time": "",
    "customer_order": "",
    "allow_manual_dial": False,
    "allow_search_lead": False,
    "enable_callback_alert": False,
    "default_list_uuid": "",
    "script_uuid": "",
    "call_center_queue_uuid": "",
    "call_center_queue_strategy": "",
    "enable_encrypt": False,
    "orig_campaign_uuid": "",
}

# Derived by joins in list rows only: a detail read answers them empty (the docs' VoiceOTP110).
JOINED_FIELDS = ("carrier_name", "template_name")


def zero_value(field: str) -> Any:
    """What a PUT field left out becomes (Go's zero value of the field's type)."""
    if field in STRING_FIELDS:
        return ""
    if field in INT_FIELDS:
        return 0
    if field == "network":
        return zero_network()
    if field in PUT_ALSO_REPLACES:
        return PUT_ALSO_REPLACES[field]
    return None  # schedules, recall_status: a nil slice


def normalise_network(value: dict[str, int] | None) -> dict[str, int]:
    network = zero_network()
    network.update(value or {})
    return network


def normalise_schedules(value: list[dict[str, Any]] | None, campaign_uuid: str,
                        keep_ids: bool = False) -> list[dict[str, Any]] | None:
    """Stored form of a schedule list: server keys first, all 14 day keys; none -> None
    (the API answers `null` for a campaign without schedules)."""
    if not value:
        return None
    result = []
    for item in value:
        entry: dict[str, Any] = {
            "domain_uuid": DOMAIN_UUID,
            "id": item.get("id") if keep_ids and item.get("id") else new_uuid(),
            "campaign_uuid": campaign_uuid,
        }
        for key in SCHEDULE_KEYS:
            entry[key] = item.get(key, 0)
        result.append(entry)
    return result


def detail_of(doc: dict[str, Any]) -> dict[str, Any]:
    """A detail read: the stored object with the join-derived names empty, as the docs show."""
    detail = dict(doc)
    for key in JOINED_FIELDS:
        detail[key] = ""
    return detail


def summary_of(doc: dict[str, Any]) -> dict[str, Any]:
    """A list row: the full object with the joined collections left null, as the docs show."""
    row = dict(doc)
    row["schedules"] = None
    row["users"] = None
    row["groups"] = None
    row["statuses"] = None
    return row


def ordered(doc: dict[str, Any]) -> dict[str, Any]:
    """The document with the docs' key order (extra keys, if any, at the end)."""
    result = {key: doc[key] for key in CAMPAIGN_KEYS if key in doc}
    for key, value in doc.items():
        if key not in result:
            result[key] = value
    return result


def template_document(name: str, template_uuid: str,
                      values: dict[str, Any] | None = None) -> dict[str, Any]:
    """A stored template: every write-side field (press options as written, so the keys a
    read leaves out are kept), zero values for what was not given."""
    doc: dict[str, Any] = {
        "template_uuid": template_uuid,
        "template_name": name,
        "description": "",
        "voice_type": "",
        "voice_tts": "",
        "speed_tts": 1,
        "content": "",
        "audio_file": "",
        "enable_option": False,
        "press_options": [],
        "exit_sound": None,
        "invalid_sound": None,
        "press_timeout": 0,
        "max_timeout": 0,
        "inter_digit_timeout": 0,
    }
    doc.update({key: value for key, value in (values or {}).items()
                if key in TEMPLATE_WRITE_FIELDS and key != "template_name"})
    doc["press_options"] = press_options_write_form(doc["press_options"])
    return doc


def _sound_read(sound: Any) -> dict[str, Any]:
    sound = sound if isinstance(sound, dict) else {}
    read = {"enable": bool(sound.get("enable")), "voice_type": sound.get("voice_type") or ""}
    for key in OMITTED_WHEN_EMPTY:
        if sound.get(key):
            read[key] = sound[key]
    return dict(sorted(read.items()))


def template_read(doc: dict[str, Any]) -> dict[str, Any]:
    """A template as GET answers it (list rows and details alike, per the docs): keys in
    alphabetical order, empty content/audio_file left out, press options in read form
    (no toggled, enable, type or extension), sounds with enable and voice_type."""
    read: dict[str, Any] = {}
    for key in TEMPLATE_WRITE_FIELDS:
        value = doc.get(key)
        if key in OMITTED_WHEN_EMPTY and not value:
            continue
        if key == "press_options":
            value = press_options_read_form(value)
        elif key in SOUND_FIELDS:
            value = _sound_read(value)
        read[key] = value
    read["template_uuid"] = doc["template_uuid"]
    return dict(sorted(read.items()))
