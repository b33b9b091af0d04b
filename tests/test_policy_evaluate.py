"""The policy evaluator, pure: specs × rules → findings, exact messages, exact boundaries."""

from __future__ import annotations

import dataclasses
import unicodedata
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from reconciler.manifest.entry import validate_entry
from reconciler.manifest.models import CampaignSpec
from reconciler.manifest.schedule import format_ns
from reconciler.policy.evaluate import days_text, evaluate
from reconciler.policy.findings import Finding, counts, summary
from reconciler.policy.nearmiss import NearIndex, fold, nearly, one_slip
from reconciler.policy.rules import Rule, preset_rules

DECREE = list(preset_rules("vn-decree-91"))
HOURS_NOTE = (
    " (Decree 91/2020/ND-CP: advertising calls only between 08:00 and 17:00, "
    "fines of 20-30 million VND per violation)"
)
RECALL_NOTE = (
    " (Decree 91/2020/ND-CP: at most one advertising call to a number per 24 hours, so no recalls)"
)
AD = {"purpose": "advertising"}


def spec(**fields: Any) -> CampaignSpec:
    entry, problems = validate_entry({"campaign_name": "Promo", **fields})
    assert entry is not None, problems
    return entry


def locate(name: str, loc: tuple) -> str:
    """Stands in for Manifests.at: the path itself, so tests see exactly where it points."""
    return f"{name}:" + "/".join(map(str, loc))


def rule(**fields: Any) -> Rule:
    return Rule.model_validate({"id": "r", **fields})


def findings(rules: list[Rule], *specs: CampaignSpec) -> list[Finding]:
    return evaluate(rules, {s.campaign_name: s for s in specs}, locate)


def messages(rules: list[Rule], entry: CampaignSpec) -> list[tuple[str, str, str]]:
    return [(f.rule, f.source, f.message) for f in findings(rules, entry)]


# ---- vn-decree-91 --------------------------------------------------------------------------


def test_decree_afternoon_until_19_30_is_an_error_citing_the_day_window_and_limit() -> None:
    promo = spec(labels=AD, schedules=[{"mon-fri": "08:00-12:00"}, {"mon-fri": "14:00-19:30"}])
    assert findings(DECREE, promo) == [
        Finding(
            rule="vn-decree-91/calling-hours",
            campaign_name="Promo",
            severity="error",
            message="mon-fri 14:00-19:30 ends after 17:00" + HOURS_NOTE,
            source="Promo:schedules/1/mon-fri",
        )
    ]


@pytest.mark.parametrize(
    ("window", "fault"),
    [
        ("08:00-17:00", None),
        ("08:00:00-16:59:59", None),
        ("08:00-17:00:01", "ends after 17:00"),
        ("07:59:59-12:00", "starts before 08:00"),
        ("07:59:59.999999999-12:00", "starts before 08:00"),
        ("08:00:00.000000001-17:00", None),
        ("06:00-21:00", "starts before 08:00 and ends after 17:00"),
        ("00:00-24:00", "starts before 08:00 and ends after 17:00"),
    ],
)
def test_decree_boundaries(window: str, fault: str | None) -> None:
    got = messages(DECREE, spec(labels=AD, schedules=[{"daily": window}]))
    if fault is None:
        assert got == []
    else:
        assert got == [
            (
                "vn-decree-91/calling-hours",
                "Promo:schedules/0/daily",
                f"daily {window} {fault}{HOURS_NOTE}",
            )
        ]


def test_decree_applies_only_to_campaigns_labelled_advertising() -> None:
    evening = [{"daily": "18:00-21:00"}]
    assert findings(DECREE, spec(schedules=evening)) == []
    assert findings(DECREE, spec(labels={"purpose": "debt-reminder"}, schedules=evening)) == []
    # Labels are compared exactly: a near miss is not selected, only warned about.
    near = findings(DECREE, spec(labels={"purpose": "Advertising"}, schedules=evening))
    assert [f.rule for f in near] == ["policy/label-near-miss"]
    assert len(findings(DECREE, spec(labels={**AD, "team": "x"}, schedules=evening))) == 1


NEAR_MISS_NOTE = (
    "is not purpose: 'advertising', which rules vn-decree-91/calling-hours, "
    "vn-decree-91/one-call-a-day select; labels are compared exactly, so they do not check "
    "this campaign"
)


@pytest.mark.parametrize(
    ("labels", "at", "shown"),
    [
        ({"purpose": "Advertising"}, "purpose", "purpose: 'Advertising'"),
        ({"Purpose": "advertising"}, "Purpose", "Purpose: 'advertising'"),
        ({"purpose": " advertising"}, "purpose", "purpose: ' advertising'"),
        ({"purpose": "advertisement"}, "purpose", "purpose: 'advertisement'"),
        ({"purpse": "advertising", "team": "x"}, "purpse", "purpse: 'advertising'"),
        ({"PURPOSE": "Advertising "}, "PURPOSE", "PURPOSE: 'Advertising '"),
    ],
)
def test_label_near_miss_of_a_selector_is_a_warning_at_the_label(
    labels: dict[str, str], at: str, shown: str
) -> None:
    assert findings(DECREE, spec(labels=labels)) == [
        Finding(
            rule="policy/label-near-miss",
            campaign_name="Promo",
            severity="warning",
            message=f"label {shown} {NEAR_MISS_NOTE}",
            source=f"Promo:labels/{at}",
        )
    ]


@pytest.mark.parametrize(
    "labels",
    [
        {"purpose": "advertising"},
        {"purpose": "debt-reminder"},
        {"purpose": "ads"},
        {"team": "advertising"},
        {"purpose": "advertising", "Purpose": "x"},
    ],
)
def test_exact_or_clearly_different_labels_are_not_near_misses(labels: dict[str, str]) -> None:
    found = findings(DECREE, spec(labels=labels, schedules=[{"daily": "09:00-10:00"}]))
    assert [f for f in found if f.rule == "policy/label-near-miss"] == []


def test_near_miss_only_where_the_exact_label_would_select_and_may_be_waived() -> None:
    audio = rule(
        id="audio-only",
        select={"labels": {"team": "billing"}, "type_autocall": "autocall_audio"},
        max={"recall_times": 0},
    )
    # The rule's type_autocall does not select this campaign: the label does not matter.
    assert (
        findings([audio], spec(labels={"team": "Billing"}, type_autocall="autocall_voice_tts"))
        == []
    )
    waived = findings(
        [audio],
        spec(
            labels={"team": "Billing"},
            type_autocall="autocall_audio",
            policy_waivers={"policy/label-near-miss": "Billing is another team"},
        ),
    )
    assert [(f.rule, f.message, f.waived, f.reason) for f in waived] == [
        (
            "policy/label-near-miss",
            "label team: 'Billing' is not team: 'billing', which rule audio-only selects; "
            "labels are compared exactly, so it does not check this campaign",
            True,
            "Billing is another team",
        )
    ]


def test_decree_one_call_a_day_is_a_warning_on_any_recall() -> None:
    hours = [{"mon-fri": "09:00-11:00"}]
    assert findings(DECREE, spec(labels=AD, schedules=hours, recall_times=0)) == []
    assert findings(DECREE, spec(labels=AD, schedules=hours)) == []  # recalls not declared
    [warning] = findings(DECREE, spec(labels=AD, schedules=hours, recall_times=2))
    assert (warning.rule, warning.severity, warning.source) == (
        "vn-decree-91/one-call-a-day",
        "warning",
        "Promo:recall_times",
    )
    assert warning.message == "recall_times is 2; the maximum is 0" + RECALL_NOTE
    assert not warning.blocking


def test_undeclared_schedules_cannot_be_shown_to_comply() -> None:
    [finding] = findings(DECREE, spec(labels=AD))
    assert finding.source == "Promo:"
    assert finding.message == (
        "schedules are not declared, so the calling hours cannot be checked; declare them"
        + HOURS_NOTE
    )
    # Declared empty: the API does not say whether that is "never" or "any hour" (below).
    assert [f.rule for f in findings(DECREE, spec(labels=AD, schedules=[]))] == [
        "policy/empty-schedule"]


def test_days_of_one_key_with_different_limits_are_named() -> None:
    weekday_limit = rule(calling_hours={"mon-fri": "08:00-17:00", "sat": "08:00-12:00"})
    entry = spec(schedules=[{"mon-sun": "09:00-13:00"}, {"sat": "07:00-09:00"}])
    assert [m for *_, m in messages([weekday_limit], entry)] == [
        "mon-sun 09:00-13:00 ends after 12:00 on sat",
        "sat 07:00-09:00 starts before 08:00",
    ]
    both = rule(calling_hours={"mon-fri": "08:00-12:00", "sat": "10:00-17:00"})
    assert [m for *_, m in messages([both], spec(schedules=[{"mon-sat": "09:00-13:00"}]))] == [
        "mon-sat 09:00-13:00 ends after 12:00 on mon-fri; starts before 10:00 on sat"
    ]


def test_waiver_keeps_the_finding_visible_and_not_blocking() -> None:
    reason = "Opted-in subscribers only (CRM consent MKT-2291)"
    promo = spec(
        labels=AD,
        schedules=[{"mon-fri": "14:00-19:30"}],
        policy_waivers={"vn-decree-91/calling-hours": reason},
    )
    [finding] = findings(DECREE, promo)
    assert (finding.waived, finding.reason, finding.severity) == (True, reason, "error")
    assert not finding.blocking
    assert finding.line() == (
        "Promo:schedules/0/mon-fri: vn-decree-91/calling-hours: mon-fri 14:00-19:30 ends after "
        f"17:00{HOURS_NOTE} [waived: {reason}]"
    )


def test_waiver_of_a_rule_not_in_force_is_a_warning_with_a_suggestion() -> None:
    promo = spec(labels=AD, schedules=[{"mon": "09:00-10:00"}],
                 policy_waivers={"vn-decree-91/calling-hour": "x"})
    [finding] = findings(DECREE, promo)
    assert (finding.rule, finding.severity, finding.source) == (
        "vn-decree-91/calling-hour",
        "warning",
        "Promo:policy_waivers/vn-decree-91/calling-hour",
    )
    assert finding.message == (
        "policy_waivers names no rule in force (did you mean 'vn-decree-91/calling-hours'?), so "
        "it waives nothing (`reconciler policies` lists the rules)"
    )
    # Without any rule in force waivers are not in play (no config in this directory).
    assert findings([], promo) == []


def test_absent_entries_are_skipped() -> None:
    gone = spec(state="absent", labels=AD, schedules=[{"daily": "00:00-24:00"}])
    assert findings(DECREE, gone) == []


# ---- the vocabulary ------------------------------------------------------------------------


def test_max_and_min_at_their_boundaries() -> None:
    most = rule(max={"concurrent_call": 50, "network.viettel": 10})
    assert messages([most], spec(concurrent_call=50, network={"viettel": 10})) == []
    assert messages([most], spec(concurrent_call=51, network={"viettel": 11})) == [
        ("r", "Promo:concurrent_call", "concurrent_call is 51; the maximum is 50"),
        ("r", "Promo:network/viettel", "network.viettel is 11; the maximum is 10"),
    ]
    least = rule(min={"call_timeout": 20})
    assert messages([least], spec(call_timeout=20)) == []
    assert messages([least], spec(call_timeout=19)) == [
        ("r", "Promo:call_timeout", "call_timeout is 19; the minimum is 20")
    ]
    assert messages([most, least], spec()) == []  # undeclared fields are not checked


def test_required_fields_and_labels() -> None:
    needs = rule(required=["carrier", "labels.team", "schedules"])
    assert messages([needs], spec()) == [
        ("r", "Promo:", "carrier (or carrier_uuid) must be declared"),
        ("r", "Promo:", "the label team must be declared"),
        ("r", "Promo:", "schedules must be declared"),
    ]
    uuid = "a18b400f-d487-4e17-b5e7-eba5fe6fa54f"
    complete = spec(carrier_uuid=uuid, labels={"team": "x"}, schedules=[])
    assert messages([needs], complete) == []


def test_allowed_values_per_type_autocall() -> None:
    audio_on_marketing = rule(
        select={"type_autocall": "autocall_audio"}, allowed={"carrier": ["Marketing"]}
    )
    assert messages(
        [audio_on_marketing], spec(type_autocall="autocall_audio", carrier="Billing")
    ) == [("r", "Promo:carrier", "carrier 'Billing' is not allowed here; allowed: 'Marketing'")]
    assert (
        messages([audio_on_marketing], spec(type_autocall="autocall_voice_tts", carrier="B")) == []
    )
    assert messages([audio_on_marketing], spec(carrier="Billing")) == []  # type not declared
    assert (
        messages([audio_on_marketing], spec(type_autocall="autocall_audio", carrier="Marketing"))
        == []
    )


def test_allowed_checks_each_listed_status_and_tells_booleans_from_numbers() -> None:
    statuses = rule(allowed={"recall_status": ["busy", "no-answered"]})
    assert messages([statuses], spec(recall_status=["busy", "failed"])) == [
        (
            "r",
            "Promo:recall_status/1",
            "recall_status 'failed' is not allowed here; allowed: 'busy', 'no-answered'",
        )
    ]
    only_inactive = rule(allowed={"active": [False]})
    assert messages([only_inactive], spec(active=False)) == []
    assert messages([only_inactive], spec(active=True))[0][2] == (
        "active true is not allowed here; allowed: false"
    )
    zero = rule(allowed={"recall_times": [0]})
    assert messages([zero], spec(recall_times=0)) == []


def test_name_pattern_is_searched() -> None:
    camel = rule(name_pattern="^[A-Z][A-Za-z0-9]*$")
    assert messages([camel], spec()) == []
    entry, _ = validate_entry({"campaign_name": "promo_nov"})
    assert messages([camel], entry) == [
        (
            "r",
            "promo_nov:campaign_name",
            "campaign_name 'promo_nov' does not match the pattern '^[A-Z][A-Za-z0-9]*$'",
        )
    ]


def test_quiet_days() -> None:
    sundays = rule(quiet_days=["sun"], message="no calls on Sundays")
    assert messages([sundays], spec(schedules=[{"mon-sat": "09:00-12:00"}])) == []
    assert messages([sundays], spec(schedules=[{"daily": "09:00-12:00"}])) == [
        (
            "r",
            "Promo:schedules/0/daily",
            "daily 09:00-12:00 calls on sun, a quiet day (no calls on Sundays)",
        )
    ]
    weekend = rule(quiet_days=["sat-sun"])
    assert messages([weekend], spec(schedules=[{"fri-sun": "09:00-12:00"}]))[0][2] == (
        "fri-sun 09:00-12:00 calls on sat-sun, quiet days"
    )


def test_selectors_combine_labels_and_type() -> None:
    narrow = rule(
        select={
            "labels": {"team": "growth"},
            "type_autocall": ["autocall_audio", "autocall_voice_tts"],
        },
        max={"concurrent_call": 1},
    )
    hit = spec(labels={"team": "growth"}, type_autocall="autocall_voice_tts", concurrent_call=2)
    assert len(findings([narrow], hit)) == 1
    wrong_team = spec(labels={"team": "ops"}, type_autocall="autocall_audio", concurrent_call=2)
    wrong_type = spec(
        labels={"team": "growth"}, type_autocall="autocall_voice_otp", concurrent_call=2
    )
    assert findings([narrow], wrong_team, wrong_type) == []


def test_findings_come_campaign_by_campaign_then_rule_by_rule() -> None:
    rules = [
        rule(max={"concurrent_call": 1}),
        Rule(id="s", severity="warning", min={"concurrent_call": 9}),
    ]
    first, second = spec(concurrent_call=5), spec(concurrent_call=6)
    second = second.model_copy(update={"campaign_name": "Other"})
    got = evaluate(rules, {"Promo": first, "Other": second}, locate)
    assert [(f.campaign_name, f.rule) for f in got] == [
        ("Promo", "r"),
        ("Promo", "s"),
        ("Other", "r"),
        ("Other", "s"),
    ]
    assert counts(got) == {"error": 2, "warning": 2, "waived": 0, "outside_target": 0}
    assert summary(got) == "Policy: 2 errors, 2 warnings."


def test_days_text() -> None:
    assert days_text([0, 1, 2, 3, 4, 6]) == "mon-fri, sun"
    assert days_text(range(7)) == "daily"
    assert days_text([5]) == "sat"
    assert days_text([0, 2, 3]) == "mon, wed-thu"


def test_finding_round_trips_through_its_json_form() -> None:
    finding = Finding("r", "Promo", "error", "m", "a.yaml:3", True, "why")
    assert finding.to_dict() == {
        "rule": "r",
        "campaign_name": "Promo",
        "severity": "error",
        "message": "m",
        "source": "a.yaml:3",
        "waived": True,
        "reason": "why",
        "kind": "campaign",
    }
    assert Finding.from_dict({**finding.to_dict(), "later": 1}) == finding


# ---- properties ----------------------------------------------------------------------------

SECOND = 10**9
EIGHT, FIVE_PM = 8 * 3600 * SECOND, 17 * 3600 * SECOND
seconds = st.integers(min_value=0, max_value=24 * 3600)


@given(start=seconds, end=seconds)
@example(start=8 * 3600, end=17 * 3600)
@example(start=8 * 3600 - 1, end=17 * 3600)
@example(start=8 * 3600, end=17 * 3600 + 1)
def test_decree_flags_exactly_the_windows_outside_8_to_17(start: int, end: int) -> None:
    if end <= start or start == 24 * 3600:
        return
    window = f"{format_ns(start * SECOND)}-{format_ns(end * SECOND)}"
    got = findings(DECREE, spec(labels=AD, schedules=[{"wed": window}]))
    outside = start * SECOND < EIGHT or end * SECOND > FIVE_PM
    assert bool(got) == outside
    if outside:
        assert got[0].message.startswith(f"wed {window} ")


# ---- Unicode: NFC everywhere ---------------------------------------------------------------


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


QC = unicodedata.normalize("NFC", "quảng cáo")
DAY_LONG = [{"daily": "06:00-22:00"}]


@pytest.mark.parametrize(
    ("rule_form", "label_form"), [(str, nfd), (nfd, str), (nfd, nfd)], ids=["nfd-label",
                                                                          "nfd-rule", "both"]
)
def test_labels_are_compared_in_nfc(rule_form: Any, label_form: Any) -> None:
    ads = rule(
        id="ads-hours",
        select={"labels": {rule_form("mục đích"): rule_form(QC)}},
        calling_hours={"daily": "08:00-17:00"},
    )
    promo = spec(labels={label_form("mục đích"): label_form(QC)}, schedules=DAY_LONG)
    assert label_form(QC) != rule_form(QC) or label_form is rule_form
    assert messages([ads], promo) == [
        (
            "ads-hours",
            "Promo:schedules/0/daily",
            "daily 06:00-22:00 starts before 08:00 and ends after 17:00",
        )
    ]


def test_allowed_values_required_labels_and_name_patterns_are_compared_in_nfc() -> None:
    carrier = rule(id="carrier", allowed={"carrier": ["Viễn thông"]})
    assert messages([carrier], spec(carrier=nfd("Viễn thông"))) == []
    purpose = rule(id="purpose", allowed={"labels.mục đích": [QC]})
    assert messages([purpose], spec(labels={nfd("mục đích"): nfd(QC)})) == []
    needs = rule(id="needs", required=[nfd("labels.mục đích")])
    assert messages([needs], spec(labels={"mục đích": QC})) == []
    named = rule(id="named", name_pattern="^Khuyến mãi")
    entry, _ = validate_entry({"campaign_name": nfd("Khuyến mãi tháng 11")})
    assert messages([named], entry) == []


def test_an_nfd_label_is_held_to_the_rule_through_validate(tmp_path: Any) -> None:
    """The advertising window of the issue: NFD `quảng cáo` used to pass a 06:00-22:00 day."""
    from tests.clirun import run_cli

    config = tmp_path / "reconciler.yaml"
    config.write_text(
        "policies:\n  rules:\n    - id: ads-hours\n"
        f"      select: {{labels: {{purpose: {QC}}}}}\n"
        '      calling_hours: {daily: "08:00-17:00"}\n',
        encoding="utf-8",
    )
    manifest = tmp_path / "campaigns.yaml"
    manifest.write_text(
        "campaigns:\n  - campaign_name: Promo\n"
        f"    labels: {{purpose: {nfd(QC)}}}\n"
        '    schedules: [{daily: "06:00-22:00"}]\n',
        encoding="utf-8",
    )
    run = run_cli("validate", str(manifest), "--config", str(config))
    assert run.code == 1, run.output
    assert "campaigns.yaml:4: ads-hours: daily 06:00-22:00 starts before 08:00" in run.stderr


# ---- near misses: real ones only ---------------------------------------------------------


def team_rules(count: int) -> list[Rule]:
    return [
        rule(id=f"team{index}", select={"labels": {"team": f"team{index}"}},
             max={"concurrent_call": 5})
        for index in range(1, count + 1)
    ]


@pytest.mark.parametrize("team", ["team1", "team10", "team2", "team11", "team100", "team"])
def test_teams_differing_by_digits_are_not_near_misses(team: str) -> None:
    found = findings(team_rules(12), spec(labels={"team": team}, concurrent_call=1))
    assert [f for f in found if f.rule == "policy/label-near-miss"] == []


@pytest.mark.parametrize("written", ["Quảng cáo", "quang cao", " quảng cáo ", "QUẢNG  CÁO",
                                      nfd("Quảng cáo"), "quảng cáoo"])
def test_case_spacing_accents_and_one_slip_are_near_misses(written: str) -> None:
    ads = rule(id="ads", select={"labels": {"purpose": QC}}, max={"recall_times": 0})
    [warning] = findings([ads], spec(labels={"purpose": written}))
    assert (warning.rule, warning.severity, warning.source) == (
        "policy/label-near-miss", "warning", "Promo:labels/purpose")
    assert warning.message == (
        f"label purpose: '{written}' is not purpose: '{QC}', which rule ads selects; "
        "labels are compared exactly, so it does not check this campaign"
    )


@pytest.mark.parametrize("written", ["ads", "adz", "qc", "quảng bá", "team-1"])
def test_short_or_different_values_are_not_near_misses(written: str) -> None:
    wanted = [rule(id="a", select={"labels": {"purpose": "ads"}}, max={"recall_times": 0}),
              rule(id="b", select={"labels": {"purpose": QC}}, max={"recall_times": 0}),
              rule(id="c", select={"labels": {"purpose": "team-2"}}, max={"recall_times": 0})]
    found = findings(wanted, spec(labels={"purpose": written}))
    assert [f for f in found if f.rule == "policy/label-near-miss"] == []


def test_many_rules_and_campaigns_give_one_warning_per_real_near_miss() -> None:
    campaigns = [spec(campaign_name=f"C{index}", labels={"team": f"team{index % 60}"})
                 for index in range(600)]
    campaigns.append(spec(campaign_name="Slip", labels={"team": "Team7"}))
    found = evaluate(team_rules(50), {s.campaign_name: s for s in campaigns}, locate)
    assert [(f.campaign_name, f.message) for f in found if f.rule == "policy/label-near-miss"] == [
        ("Slip", "label team: 'Team7' is not team: 'team7', which rule team7 selects; labels "
                 "are compared exactly, so it does not check this campaign")
    ]


words = st.text(alphabet="abcdeđéẹ19 ABĐ", max_size=9)


@given(text=words, wanted=st.lists(words, max_size=6))
@example(text="team1", wanted=["team10", "team2", "team11"])
@example(text="advertisement", wanted=["advertising"])
@example(text="purpse", wanted=["purpose"])
def test_the_index_finds_exactly_what_a_pairwise_check_finds(text: str, wanted: list[str]) -> None:
    index = NearIndex(wanted)
    assert list(index.near(text)) == [w for w in dict.fromkeys(wanted) if nearly(text, w)]


@given(text=words, digit_at=st.integers(min_value=0, max_value=9), digit=st.sampled_from("0123"))
def test_a_digit_more_or_changed_is_never_a_slip(text: str, digit_at: int, digit: str) -> None:
    at = min(digit_at, len(text))
    assert not one_slip(fold(text), fold(text[:at] + digit + text[at:]))
    if at < len(text) and text[at].isdigit() and text[at] != digit:
        assert not nearly(text, text[:at] + digit + text[at + 1 :])


def test_an_error_outside_target_is_shown_but_blocks_nothing() -> None:
    error = Finding("cap", "Other", "error", "concurrent_call is 50; the maximum is 10", "c.yaml:5")
    outside = dataclasses.replace(error, outside_target=True)
    assert error.blocking and not outside.blocking
    assert outside.line() == (
        "c.yaml:5: cap: concurrent_call is 50; the maximum is 10 [outside --target: not blocking]"
    )
    assert (outside.diagnostic().severity, outside.diagnostic().detail) == (
        "warning", "outside --target: not blocking")
    assert summary([error, outside]) == "Policy: 1 error, 1 outside --target (not blocking)."
    assert "outside_target" not in error.to_dict()
    assert Finding.from_dict(outside.to_dict()) == outside


# ---- schedules: [] -------------------------------------------------------------------------

EMPTY_NOTE = (
    "schedules declare no calling window; the API does not document whether that means the "
    "campaign never calls or calls at any hour, so rule vn-decree-91/calling-hours cannot show "
    "its calling hours comply; declare the windows it calls in"
)


@pytest.mark.parametrize("empty", [[], [{}], None])
def test_empty_schedules_under_an_hours_rule_are_a_warning(empty: Any) -> None:
    [warning] = findings(DECREE, spec(labels=AD, schedules=empty))
    assert (warning.rule, warning.severity, warning.source, warning.message) == (
        "policy/empty-schedule", "warning", "Promo:schedules", EMPTY_NOTE)
    assert not warning.blocking


def test_empty_schedules_are_said_only_where_hours_are_checked_and_may_be_waived() -> None:
    assert findings(DECREE, spec(labels={"purpose": "debt-reminder"}, schedules=[])) == []
    assert findings([rule(max={"concurrent_call": 5})], spec(schedules=[])) == []
    quiet = rule(id="no-sunday", quiet_days=["sun"])
    assert [f.message for f in findings([quiet], spec(schedules=[]))] == [
        EMPTY_NOTE.replace("vn-decree-91/calling-hours", "no-sunday")]
    waived = spec(labels=AD, schedules=[],
                  policy_waivers={"policy/empty-schedule": "paused until the next season"})
    [finding] = findings(DECREE, waived)
    assert (finding.waived, finding.reason) == (True, "paused until the next season")
