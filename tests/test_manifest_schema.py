"""The committed JSON Schema, the generated reference page and the examples stay current."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from clirun import NO_POLICIES, run_cli

from reconciler.manifest.loader import load_manifests
from reconciler.manifest.models import DAY_RANGE_PATTERN, TIME_PATTERN, CampaignSpec
from reconciler.manifest.reference import REGENERATE, render_reference
from reconciler.manifest.schedule import ScheduleError, parse_window
from reconciler.manifest.schema import manifest_schema
from reconciler.manifest.template_spec import TemplateSpec

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples" / "campaigns"
SCHEMA_LINE = "# yaml-language-server: $schema=../../schema/manifest.schema.json"


def test_committed_schema_is_the_schema_command_output() -> None:
    result = run_cli("schema")
    assert result.code == 0
    committed = (ROOT / "schema" / "manifest.schema.json").read_text(encoding="utf-8")
    assert result.stdout == committed, "run: reconciler schema > schema/manifest.schema.json"


def test_reference_doc_is_current() -> None:
    committed = (ROOT / "docs" / "manifest.md").read_text(encoding="utf-8")
    assert committed == render_reference(), f"run: {REGENERATE}"


def test_schema_describes_every_field_in_human_form() -> None:
    schema = manifest_schema()
    # campaigns:, templates:, carriers:, audio:, or any of them together.
    assert schema["anyOf"] == [{"required": ["campaigns"]}, {"required": ["templates"]},
                               {"required": ["carriers"]}, {"required": ["audio"]}]
    audio = schema["$defs"]["AudioSpec"]
    assert set(audio["properties"]) == {"audio_name", "file", "state", "labels", "policy_waivers"}
    assert all(prop.get("description") for prop in audio["properties"].values())
    template = schema["$defs"]["TemplateSpec"]
    assert set(template["properties"]) == set(TemplateSpec.model_fields)
    for name, prop in template["properties"].items():
        assert prop.get("description"), f"{name} has no description"
    assert template["properties"]["voice_tts"]["enum"][0] == "north-m-01"
    campaign = schema["$defs"]["CampaignSpec"]
    assert campaign["additionalProperties"] is False
    assert set(campaign["properties"]) == set(CampaignSpec.model_fields)
    for name, prop in campaign["properties"].items():
        assert prop.get("description"), f"{name} has no description"
    entry = campaign["properties"]["schedules"]["anyOf"][0]["items"]
    assert entry["properties"]["mon-fri"]["$ref"] == "#/$defs/TimeRange"
    assert schema["$defs"]["TimeRange"]["pattern"] == TIME_PATTERN
    assert "x-reconciler-window" not in json.dumps(schema)
    assert "default" not in campaign["properties"]["concurrent_call"]


@pytest.mark.parametrize(
    "window",
    ["08:00-12:00", "8:00-12:00", "08:00 - 12:00", "00:00-24:00", "13:30:15-20:45:00.5"],
)
def test_time_pattern_accepts_what_the_parser_accepts(window: str) -> None:
    assert re.search(TIME_PATTERN, window)
    parse_window(window)


@pytest.mark.parametrize(
    "window",
    ["25:00-26:00", "12:60-13:00", "24:00-24:00", "24:30-24:40", "08:00", "8h-12h", "8:0-9:00"],
)
def test_time_pattern_rejects_what_the_parser_rejects(window: str) -> None:
    assert not re.search(TIME_PATTERN, window)
    with pytest.raises(ScheduleError):
        parse_window(window)


@pytest.mark.parametrize("key", ["mon-fri", "monday-friday", "sat-sun", "tue-thursday"])
def test_day_range_pattern(key: str) -> None:
    assert re.search(DAY_RANGE_PATTERN, key)


def test_examples_are_valid() -> None:
    result = run_cli("validate", str(EXAMPLES))
    assert (result.code, result.stderr) == (0, NO_POLICIES)
    assert result.stdout == (
        "5 campaigns, 1 audio, 1 carrier and 2 templates in 7 files are valid.\n")


def test_examples_point_editors_at_the_schema() -> None:
    for path in sorted(EXAMPLES.glob("*.yaml")):
        assert path.read_text(encoding="utf-8").splitlines()[0] == SCHEMA_LINE, path.name


def test_examples_cover_the_documented_campaigns() -> None:
    campaigns = load_manifests([EXAMPLES]).campaigns
    debt = campaigns["DebtReminderTTS"]
    assert (debt.carrier, debt.template, debt.type_autocall) == (
        "Billing",
        "thong_bao_no_cuoc_01",
        "autocall_voice_tts",
    )
    assert debt.schedules == [
        {"mon-fri": "08:00-12:00", "sat": "08:00-11:30"},
        {"mon-fri": "13:30-20:45"},
    ]
    promo = campaigns["PromoAudioNov"]
    assert (promo.carrier, promo.type_autocall) == ("Marketing", "autocall_audio")
    assert campaigns["VoiceOTP"].schedules == [{"daily": "00:00-24:00"}]
    assert [name for name, spec in campaigns.items() if not spec.active] == ["DebtReminderTet"]
    carriers = {spec.carrier for spec in campaigns.values()} - {None}
    templates = {spec.template for spec in campaigns.values()} - {None}
    assert carriers == {"Billing", "Marketing"}
    # The emulator's default templates (reconciler/emulator/seed.py) carry these names; the
    # examples declare two more (templates.yaml), which campaigns use: one plays a recording
    # the examples declare too, and Billing, a default carrier, is declared.
    manifests = load_manifests([EXAMPLES])
    declared = set(manifests.templates)
    assert declared == {"nhac_no_tet", "khuyen_mai_thang_11"}
    assert templates == {"thong_bao_no_cuoc_01", "ma_otp_01", *declared}
    assert manifests.templates["khuyen_mai_thang_11"].audio_file == "khuyen_mai_data"
    assert set(manifests.audio) == {"khuyen_mai_data"} and set(manifests.carriers) == {"Billing"}
    assert campaigns["SummerPromo2026"].state == "absent"
