"""Policies on every kind, pure: a rule's `select.kind` picks templates or carriers, its checks
name that kind's fields (validated against the kind's entry model), labels and waivers work
on every kind, and calling-window checks stay with campaigns."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from pydantic import ValidationError

from reconciler.kinds.registry import kinds
from reconciler.manifest.carrier_spec import CarrierSpec
from reconciler.manifest.entry import validate_entry
from reconciler.manifest.template_spec import TemplateSpec
from reconciler.policy.evaluate import evaluate, selects
from reconciler.policy.findings import Finding
from reconciler.policy.kindfields import SUBJECTS, derive
from reconciler.policy.rules import (
    CHOICE_FIELDS,
    NUMERIC_FIELDS,
    REQUIRABLE_FIELDS,
    VOCABULARY,
    Rule,
    preset_rules,
)
from reconciler.policy.schema import config_schema

GATEWAY = "953a918a-0035-4e6f-97d1-c64e7943b7df"


def carrier(**fields: Any) -> CarrierSpec:
    entry, problems = validate_entry(
        {"carrier_name": "Main", "gateway_uuid": GATEWAY, **fields}, CarrierSpec
    )
    assert entry is not None, problems
    return entry


def template(**fields: Any) -> TemplateSpec:
    entry, problems = validate_entry({"template_name": "Greeting", **fields}, TemplateSpec)
    assert entry is not None, problems
    return entry


def locate(name: str, loc: tuple) -> str:
    return f"{name}:" + "/".join(map(str, loc))


def rule(**fields: Any) -> Rule:
    return Rule.model_validate({"id": "r", **fields})


def problem(**fields: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        rule(**fields)
    return str(caught.value)


CALLER_ID = rule(id="carriers/caller-id", select={"kind": "carrier"}, required=["caller_id"])
CAPACITY = rule(id="carriers/capacity", select={"kind": "carrier"}, max={"concurrent_call": 100})
VOICES = rule(
    id="templates/voices",
    select={"kind": "template"},
    allowed={"voice_tts": ["north-f-01", "south-f-03"]},
)


# ---- the vocabulary is each kind's entry model ---------------------------------------------


def test_policy_subjects_are_the_registry_kinds_and_their_entry_models() -> None:
    registry = {
        kind.name: (kind.spec_model, kind.name_field, kind.uuid_field)
        for kind in kinds().values()
    }
    assert SUBJECTS == registry


def test_the_campaign_vocabulary_read_off_its_model_is_the_curated_one() -> None:
    derived = derive("campaign")
    assert set(derived.numeric) == set(NUMERIC_FIELDS)
    assert set(derived.choices) == set(CHOICE_FIELDS)
    assert set(derived.requirable) == set(REQUIRABLE_FIELDS)


def test_carrier_and_template_vocabularies() -> None:
    assert VOCABULARY["carrier"].numeric == (
        "network.viettel", "network.mobi", "network.vina", "network.tel", "network.offnet",
        "concurrent_call",
    )
    assert "caller_id" in VOCABULARY["carrier"].requirable
    assert "carrier_name" not in VOCABULARY["carrier"].requirable
    assert VOCABULARY["template"].enums["voice_tts"][:2] == ("north-m-01", "north-f-01")
    assert "recall_times" not in VOCABULARY["carrier"].numeric


# ---- evaluation ----------------------------------------------------------------------------


def test_a_carrier_without_caller_id_breaks_required() -> None:
    found = evaluate([CALLER_ID], {"Main": carrier()}, locate, "carrier")
    assert found == [
        Finding(
            rule="carriers/caller-id",
            campaign_name="Main",
            severity="error",
            message="caller_id must be declared",
            source="Main:",
            kind="carrier",
        )
    ]
    assert found[0].to_dict()["kind"] == "carrier"


def test_a_carrier_declaring_caller_id_empty_breaks_required_at_the_field() -> None:
    found = evaluate([CALLER_ID], {"Main": carrier(caller_id="")}, locate, "carrier")
    assert [(f.source, f.message) for f in found] == [
        ("Main:caller_id",
         "caller_id is declared empty; caller_id must be declared with a value"),
    ]
    assert evaluate([CALLER_ID], {"Main": carrier(caller_id="0287")}, locate, "carrier") == []


@pytest.mark.parametrize(("capacity", "broken"), [(100, False), (101, True)])
def test_carrier_max_concurrent_call_boundary(capacity: int, broken: bool) -> None:
    found = evaluate([CAPACITY], {"Main": carrier(concurrent_call=capacity)}, locate, "carrier")
    expected = [("Main:concurrent_call", f"concurrent_call is {capacity}; the maximum is 100")]
    assert [(f.source, f.message) for f in found] == (expected if broken else [])


def test_a_template_with_a_voice_not_allowed() -> None:
    spec = template(voice_type="tts", voice_tts="north-m-01", content="Xin chào")
    found = evaluate([VOICES], {"Greeting": spec}, locate, "template")
    assert [(f.kind, f.source, f.message) for f in found] == [
        ("template", "Greeting:voice_tts",
         "voice_tts 'north-m-01' is not allowed here; allowed: 'north-f-01', 'south-f-03'"),
    ]
    allowed = template(voice_type="tts", voice_tts="south-f-03", content="Xin chào")
    assert evaluate([VOICES], {"Greeting": allowed}, locate, "template") == []


def test_a_rule_checks_only_its_own_kind() -> None:
    campaign_rule = rule(id="campaign-cap", max={"concurrent_call": 10})
    big = carrier(concurrent_call=500)
    # A campaign rule (no kind) never reads carriers; a carrier rule never reads campaigns.
    assert evaluate([campaign_rule], {"Main": big}, locate, "carrier") == []
    assert not selects(CAPACITY, big)  # selects() is about campaigns unless told
    assert selects(CAPACITY, big, "carrier")
    entry, _ = validate_entry({"campaign_name": "Promo", "concurrent_call": 500})
    assert evaluate([CAPACITY], {"Promo": entry}, locate) == []
    assert not selects(CAPACITY, entry)


def test_carrier_rules_select_by_labels() -> None:
    growth = rule(id="growth", select={"kind": "carrier", "labels": {"team": "growth"}},
                  max={"concurrent_call": 10})
    specs = {
        "Growth": carrier(concurrent_call=50, labels={"team": "growth"}),
        "Billing": carrier(carrier_name="Billing", concurrent_call=50, labels={"team": "bill"}),
    }
    assert [f.campaign_name for f in evaluate([growth], specs, locate, "carrier")] == ["Growth"]


def test_a_carrier_label_that_nearly_selects_a_rule_is_a_warning() -> None:
    growth = rule(id="growth", select={"kind": "carrier", "labels": {"purpose": "marketing"}},
                  max={"concurrent_call": 10})
    spec = carrier(concurrent_call=50, labels={"purpose": "Marketing"})
    (found,) = evaluate([growth], {"Main": spec}, locate, "carrier")
    assert (found.rule, found.kind, found.source) == (
        "policy/label-near-miss", "carrier", "Main:labels/purpose"
    )
    assert found.message.endswith("so it does not check this carrier")


def test_a_waiver_on_a_carrier_is_honoured_with_its_reason() -> None:
    reason = "Outbound-only trunk: the provider sets the number"
    spec = carrier(policy_waivers={"carriers/caller-id": reason})
    (found,) = evaluate([CALLER_ID], {"Main": spec}, locate, "carrier")
    assert (found.waived, found.reason, found.blocking) == (True, reason, False)
    assert found.line() == (
        f"Main:: carriers/caller-id: caller_id must be declared [waived: {reason}]"
    )


def test_a_template_waiver_naming_no_rule_is_a_warning_once_rules_are_in_force() -> None:
    spec = template(policy_waivers={"templates/voice": "Legal approved this voice"})
    (found,) = evaluate([VOICES], {"Greeting": spec}, locate, "template")
    assert (found.rule, found.severity, found.kind) == ("templates/voice", "warning", "template")
    assert "did you mean 'templates/voices'?" in found.message


@pytest.mark.parametrize("model", [CarrierSpec, TemplateSpec])
def test_a_waiver_without_a_reason_is_refused(model: type) -> None:
    name = "carrier_name" if model is CarrierSpec else "template_name"
    entry, problems = validate_entry({name: "X", "policy_waivers": {"r": " \u200b"}}, model)
    assert entry is None
    assert any("a waiver needs a reason" in message for _loc, message in problems)


def test_name_pattern_reads_the_kind_s_name() -> None:
    named = rule(select={"kind": "carrier"}, name_pattern="^trunk-")
    (found,) = evaluate([named], {"Main": carrier()}, locate, "carrier")
    assert (found.source, found.message) == (
        "Main:carrier_name", "carrier_name 'Main' does not match the pattern '^trunk-'"
    )


def test_finding_diagnostic_names_a_template_by_its_kind() -> None:
    finding = Finding("r", "Greeting", "error", "m", "t.yaml:4", kind="template")
    subject = finding.diagnostic().subject
    assert (subject.file, subject.line, subject.campaign, subject.template) == (
        "t.yaml", 4, None, "Greeting"
    )
    carrier_finding = Finding("r", "Main", "error", "m", "t.yaml:9", kind="carrier")
    assert carrier_finding.diagnostic().subject.campaign is None


def test_a_saved_finding_without_kind_reads_as_a_campaign_s() -> None:
    old = {"rule": "r", "campaign_name": "P", "severity": "error", "message": "m",
           "source": "a.yaml:1", "waived": False, "reason": None}
    assert Finding.from_dict(old).kind == "campaign"


# ---- config errors -------------------------------------------------------------------------


def test_an_unknown_field_of_the_kind_is_refused_with_a_suggestion() -> None:
    message = problem(select={"kind": "carrier"}, max={"concurent_call": 1})
    assert (
        "'concurent_call' is not a field of a carrier entry with a number (did you mean "
        "'concurrent_call'?); use one of network.viettel" in message
    )


def test_a_campaign_field_on_a_carrier_rule_says_so() -> None:
    message = problem(select={"kind": "carrier"}, required=["carrier"])
    assert (
        "'carrier' is not a field of a carrier entry (carrier is a campaign field; this rule "
        "selects kind carrier)" in message
    )
    # The one-call-a-day check (max recall_times) is a campaign's too.
    assert "recall_times is a campaign field" in problem(
        select={"kind": "carrier"}, max={"recall_times": 0}
    )


@pytest.mark.parametrize(
    "check", [{"calling_hours": {"daily": "08:00-17:00"}}, {"quiet_days": ["sun"]}]
)
@pytest.mark.parametrize("kind", ["carrier", "template"])
def test_calling_window_checks_are_for_campaigns_only(check: dict, kind: str) -> None:
    message = problem(select={"kind": kind}, **check)
    assert (
        f"checks a campaign's calling windows, and this rule selects kind {kind} (a {kind} has "
        "none): calling-window rules are for campaigns" in message
    )


def test_an_unknown_kind_is_refused_with_a_suggestion() -> None:
    message = problem(select={"kind": "carier"}, required=["caller_id"])
    assert "must be one of campaign, template, carrier, audio; got the string 'carier'" in message
    assert "(did you mean 'carrier'?)" in message


def test_type_autocall_selects_campaigns_only() -> None:
    message = problem(
        select={"kind": "template", "type_autocall": "autocall_audio"}, required=["content"]
    )
    assert "type_autocall selects campaigns by their type; a template has none" in message


def test_an_allowed_value_must_fit_the_kind_s_field() -> None:
    message = problem(select={"kind": "template"}, allowed={"voice_tts": ["north-f-1"]})
    assert "got the string 'north-f-1' (did you mean 'north-f-01'?)" in message
    assert "must be a whole number" in problem(
        select={"kind": "carrier"}, allowed={"concurrent_call": ["ten"]}
    )


def test_presets_still_select_campaigns() -> None:
    assert {item.kind for item in preset_rules("vn-decree-91")} == {"campaign"}


# ---- the schema narrows field names per kind -----------------------------------------------


def _config(rule_fields: dict[str, Any]) -> dict[str, Any]:
    return {"policies": {"rules": [{"id": "r", **rule_fields}]}}


@pytest.mark.parametrize(
    ("fields", "valid"),
    [
        ({"select": {"kind": "carrier"}, "required": ["caller_id"]}, True),
        ({"select": {"kind": "carrier"}, "max": {"concurrent_call": 100}}, True),
        ({"select": {"kind": "template"}, "allowed": {"voice_tts": ["north-f-01"]}}, True),
        ({"max": {"concurrent_call": 5}}, True),
        ({"select": {"kind": "carrier"}, "max": {"recall_times": 0}}, False),
        ({"max": {"press_timeout": 5}}, False),
        ({"select": {"kind": "carrier"}, "quiet_days": ["sun"]}, False),
        ({"select": {"kind": "carier"}, "required": ["caller_id"]}, False),
    ],
)
def test_config_schema_narrows_field_names_to_the_selected_kind(fields: dict, valid: bool) -> None:
    errors = list(jsonschema.Draft202012Validator(config_schema()).iter_errors(_config(fields)))
    assert (errors == []) == valid, errors
