"""CampaignSpec: what an entry declares, and the API-form values the planner sends."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from reconciler.fields import MANAGED_FIELDS, NETWORK_KEYS, SCHEDULE_KEYS
from reconciler.manifest.entry import format_loc, validate_entry
from reconciler.manifest.models import CLEARABLE_FIELDS, CampaignSpec

CARRIER_UUID = "a18b400f-d487-4e17-b5e7-eba5fe6fa54f"
TEMPLATE_UUID = "5f427552-857e-4939-8edf-cbd0f1ef6842"

FULL: dict[str, Any] = {
    "campaign_name": "DebtReminderTTS",
    "type": "autocall",
    "type_autocall": "autocall_voice_tts",
    "description": "Nhắc nợ hàng tháng",
    "active": True,
    "concurrent_call": 5,
    "carrier": "Billing",
    "template": "thong_bao_no_cuoc_01",
    "call_timeout": 60,
    "mode_call": "direct",
    "network": {"viettel": 10, "mobi": 5},
    "recall_times": 3,
    "limit_recall_duration": 0,
    "schedule_recall": "minute",
    "schedule_recall_duration": 15,
    "priority_recall": "normal",
    "recall_status": ["no-answered", "busy"],
    "callback_url": "https://hooks.example.vn/cdr",
    "schedules": [{"mon-fri": "08:00-12:00", "sat": "08:30-11:15"}, {"mon-fri": "13:30-20:45"}],
}


def spec(**data: Any) -> CampaignSpec:
    return CampaignSpec.model_validate({"campaign_name": "C", **data})


def test_a_bare_entry_declares_only_its_name_and_has_create_defaults() -> None:
    bare = spec()
    assert bare.declared() == frozenset({"campaign_name"})
    assert bare.api_values() == {"campaign_name": "C"}
    assert (bare.state, bare.type, bare.active) == ("present", "autocall", True)
    assert (bare.campaign_uuid, bare.carrier, bare.template) == (None, None, None)


def test_declared_excludes_state_and_uuid_pin() -> None:
    pinned = spec(state="absent", campaign_uuid=TEMPLATE_UUID, active=False)
    assert pinned.declared() == frozenset({"campaign_name", "active"})
    assert pinned.campaign_uuid == TEMPLATE_UUID
    assert pinned.state == "absent"


def test_api_values_of_a_full_entry() -> None:
    full = CampaignSpec.model_validate(FULL)
    assert full.declared() == frozenset(FULL)
    values = full.api_values()
    assert set(values) == set(FULL) - {"carrier", "template"}
    assert values["network"] == {"viettel": 10, "mobi": 5, "vina": 0, "tel": 0, "offnet": 0}
    assert list(values["network"]) == list(NETWORK_KEYS)
    assert values["recall_status"] == ["no-answered", "busy"]  # declared order
    assert values["active"] is True
    assert len(values["schedules"]) == 2
    assert list(values["schedules"][0]) == list(SCHEDULE_KEYS)
    assert values["schedules"][0]["monday_start_time"] == 28_800_000_000_000
    assert values["schedules"][1]["friday_end_time"] == (20 * 60 + 45) * 60 * 10**9
    assert values["schedules"][1]["saturday_start_time"] == 0
    assert full.carrier == "Billing"
    assert full.template == "thong_bao_no_cuoc_01"
    assert full.schedules == FULL["schedules"]  # the human form, as written


def test_api_values_follow_managed_field_order() -> None:
    values = CampaignSpec.model_validate(FULL).api_values()
    assert list(values) == [name for name in MANAGED_FIELDS if name in values]


@pytest.mark.parametrize("field", sorted(CLEARABLE_FIELDS))
def test_null_declares_a_clearable_field_empty(field: str) -> None:
    cleared = spec(**{field: None})
    assert field in cleared.declared()
    expected = {key: 0 for key in NETWORK_KEYS} if field == "network" else CLEARABLE_FIELDS[field]
    assert cleared.api_values()[field] == expected


def test_empty_values_clear_too() -> None:
    values = spec(
        description="", callback_url="", carrier_uuid="", schedules=[], recall_status=[]
    ).api_values()
    assert values == {
        "campaign_name": "C",
        "description": "",
        "carrier_uuid": "",
        "recall_status": [],
        "callback_url": "",
        "schedules": [],
    }


def test_uuids_pass_through_as_given() -> None:
    values = spec(carrier_uuid=CARRIER_UUID, template_uuid=TEMPLATE_UUID).api_values()
    assert (values["carrier_uuid"], values["template_uuid"]) == (CARRIER_UUID, TEMPLATE_UUID)


def test_inactive_is_declared_and_sent_as_a_bool() -> None:
    assert spec(active=False).api_values() == {"campaign_name": "C", "active": False}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"concurrent_call": -1}, [(("concurrent_call",), "concurrent_call: must be >= 0")]),
        (
            {"concurrent_call": True},
            [
                (
                    ("concurrent_call",),
                    "concurrent_call: must be a whole number, got the boolean true",
                )
            ],
        ),
        (
            {"carrier": "Billing", "carrier_uuid": CARRIER_UUID, "call_timeout": -5},
            [
                (
                    ("carrier_uuid",),
                    "carrier_uuid: cannot be used together with carrier; give one of them",
                ),
                (("call_timeout",), "call_timeout: must be >= 0"),
            ],
        ),
        (
            {"template": "t", "template_uuid": TEMPLATE_UUID},
            [
                (
                    ("template_uuid",),
                    "template_uuid: cannot be used together with template; give one of them",
                )
            ],
        ),
        (
            {"recall_status": ["busy", "failed", "busy"]},
            [
                (
                    ("recall_status", 2),
                    "recall_status[2]: 'busy' is listed twice (recall_status is a set)",
                )
            ],
        ),
        (
            {"schedules": [{"mon": "25:00-26:00"}, {"tue": "09:00-08:00"}]},
            [
                (
                    ("schedules", 0, "mon"),
                    "schedules[0].mon: '25:00' is not a time: hours go from 00 to 23 "
                    "(24:00 ends a day)",
                ),
                (
                    ("schedules", 1, "tue"),
                    "schedules[1].tue: '09:00-08:00' ends before it starts; one window cannot "
                    'cross midnight: for an overnight window, split it at midnight into '
                    '"09:00-24:00" on this day and "00:00-08:00" on the next',
                ),
            ],
        ),
    ],
)
def test_validate_entry_problems(data: dict[str, Any], expected: list) -> None:
    result, problems = validate_entry({"campaign_name": "C", **data})
    assert result is None
    assert problems == expected


def test_validate_entry_accepts_a_valid_entry() -> None:
    result, problems = validate_entry(FULL)
    assert problems == []
    assert isinstance(result, CampaignSpec)


def test_the_model_itself_rejects_name_and_uuid_together() -> None:
    with pytest.raises(ValidationError, match="cannot be used together with carrier"):
        spec(carrier="Billing", carrier_uuid="")


def test_format_loc() -> None:
    assert format_loc(("schedules", 0, "mon-fri")) == "schedules[0].mon-fri"
    assert format_loc(("network", "viettel")) == "network.viettel"
    assert format_loc(()) == ""
