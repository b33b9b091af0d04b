"""`reconciler export` against the emulator over real HTTP: the files it writes validate,
and `plan` on them right after shows no changes."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from reconciler.cli import cli
from reconciler.commands._common import run_guarded
from reconciler.emulator import EmulatorServer
from reconciler.export import file_names, slugify
from reconciler.fields import RECALL_STATUSES, SERVER_MANAGED_FIELDS

H = 3600 * 10**9  # one hour in nanoseconds
M = 60 * 10**9
BILLING = "a18b400f-d487-4e17-b5e7-eba5fe6fa54f"  # a default carrier of the emulator
TEMPLATE = "5f427552-857e-4939-8edf-cbd0f1ef6842"  # default template thong_bao_no_cuoc_01
UNLISTED = "0d9e8f7a-6b5c-4d3e-9f21-0a1b2c3d4e5f"  # no carrier/template has this uuid


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def run(*args: str) -> Run:
    """The CLI as a user runs it: run_guarded turns expected failures into exit 1."""
    with CliRunner().isolation() as (stdout, stderr, _):
        code = run_guarded(cli, list(args))
        return Run(code, stdout.getvalue().decode(), stderr.getvalue().decode())


def window(day: str, start: int, end: int) -> dict[str, int]:
    return {f"{day}_start_time": start, f"{day}_end_time": end}


def weekdays(start: int, end: int) -> dict[str, int]:
    days = ("monday", "tuesday", "wednesday", "thursday", "friday")
    return {key: value for day in days for key, value in window(day, start, end).items()}


def seed(emulator: EmulatorServer) -> dict[str, str]:
    """A varied tenant; returns {campaign_name: uuid} of the autocall campaigns."""
    store = emulator.store
    twin_a = store.add_carrier("Twin")  # two carriers share a name: only a uuid is safe
    store.add_carrier("Twin")
    docs = [
        {
            "campaign_name": "DebtReminderTTS",
            "type_autocall": "autocall_voice_tts",
            "description": "Nhắc nợ hàng tháng",
            "concurrent_call": 5,
            "carrier_uuid": BILLING,
            "template_uuid": TEMPLATE,
            "network": {"viettel": 10, "mobi": 5},
            "recall_times": 3,
            "schedule_recall": "minute",
            "schedule_recall_duration": 15,
            "recall_status": ["no-answered", "busy"],
            "callback_url": "https://hooks.example.vn/cdr",
            "status": "start",
            "run_id": "run-42",
            "schedules": [
                {**weekdays(8 * H, 12 * H), **window("saturday", 8 * H + 30 * M, 11 * H + 15 * M)},
                {**weekdays(13 * H + 30 * M, 20 * H + 45 * M), **window("sunday", 9 * H, 24 * H)},
                window("wednesday", 6 * H + 5 * 10**9, 7 * H),
            ],
        },
        {
            "campaign_name": "Chiến dịch nhắc nợ tháng 11",
            "type_autocall": "autocall_audio",
            "active": False,
            "recall_status": list(reversed(RECALL_STATUSES)),
            "schedules": [{**window("monday", 0, 24 * H), **window("sunday", 0, 24 * H)}],
        },
        {"campaign_name": "Sales / Q4 v1.2", "type_autocall": "autocall_voice_otp",
         "recall_status": [], "mode_call": "parralel"},
        {"campaign_name": "sales q4 v1 2", "type_autocall": "autocall_voice_tts",
         "recall_status": None, "carrier_uuid": twin_a, "template_uuid": UNLISTED},
        # Created through POST without type_autocall: the live value is "", which no manifest
        # can declare; export must leave it unmanaged rather than write an invalid file.
        {"campaign_name": "no.kind", "type_autocall": "", "description": "line one\nline two"},
    ]
    names = {doc["campaign_name"]: store.add_campaign(doc) for doc in docs}
    store.add_campaign({"campaign_name": "Inbound hotline", "type": "inbound"})
    return names


def load(path: Path) -> dict:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def entry(path: Path) -> dict:
    campaigns = load(path)["campaigns"]
    assert len(campaigns) == 1
    return campaigns[0]


@pytest.fixture
def tenant(api_env: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "manifest.schema.json").write_text("{}")
    return seed(api_env)


TEMPLATE_FILES = [
    "template-khuyen-mai-audio-01.yaml",
    "template-ma-otp-01.yaml",
    "template-thong-bao-no-cuoc-01-en.yaml",
    "template-thong-bao-no-cuoc-01.yaml",
]


def files_in(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


# ---- the round trip ------------------------------------------------------------------------


def test_export_then_plan_shows_no_changes(api_env, tenant, tmp_path):
    out = tmp_path / "campaigns"
    result = run("export", "--out", str(out))
    assert result.code == 0, result.stderr
    assert result.stdout.startswith(f"Exported 5 campaigns and 4 templates to {out}.")
    assert files_in(out) == [
        "chien-dich-nhac-no-thang-11.yaml",
        "debtremindertts.yaml",
        "no-kind.yaml",
        "sales-q4-v1-2-2.yaml",  # "sales q4 v1 2" sorts after "Sales / Q4 v1.2"
        "sales-q4-v1-2.yaml",
        *TEMPLATE_FILES,  # the tenant's templates (the emulator's defaults)
    ]
    assert entry(out / "sales-q4-v1-2.yaml")["campaign_name"] == "Sales / Q4 v1.2"

    validated = run("validate", str(out))
    assert validated.code == 0, validated.stdout + validated.stderr
    planned = run("plan", str(out), "--detailed-exitcode", "--format", "json")
    assert planned.code == 0, planned.stdout + planned.stderr
    summary = json.loads(planned.stdout)["summary"]
    assert summary == {"create": 0, "update": 0, "delete": 0, "unchanged": 9}


def test_files_hold_managed_fields_in_manifest_form(api_env, tenant, tmp_path):
    out = tmp_path / "campaigns"
    assert run("export", "--out", str(out)).code == 0
    text = (out / "debtremindertts.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "# yaml-language-server: $schema=../schema/manifest.schema.json"
    assert lines[1] == f"# Exported by `reconciler export` from {api_env.url}."
    debt = entry(out / "debtremindertts.yaml")
    assert list(debt)[:6] == [
        "campaign_name", "type", "type_autocall", "description", "active", "concurrent_call"
    ]
    assert not set(debt) & set(SERVER_MANAGED_FIELDS)
    assert "\n    status:" not in text and "run-42" not in text
    assert debt["carrier"] == "Billing" and debt["template"] == "thong_bao_no_cuoc_01"
    assert debt["network"] == {"viettel": 10, "mobi": 5}
    assert debt["recall_status"] == ["busy", "no-answered"]
    assert debt["schedules"] == [
        {"mon-fri": "08:00-12:00", "sat": "08:30-11:15"},
        {"mon-fri": "13:30-20:45", "sun": "09:00-24:00"},
        {"wed": "06:00:05-07:00"},
    ]
    assert 'mon-fri: "08:00-12:00"' in text  # quoted: never a YAML 1.1 base-60 number
    assert "Nhắc nợ hàng tháng" in text  # unicode kept, not \u-escaped


def test_odd_values_round_trip(api_env, tenant, tmp_path):
    out = tmp_path / "campaigns"
    assert run("export", "--out", str(out)).code == 0
    vietnamese = entry(out / "chien-dich-nhac-no-thang-11.yaml")
    assert vietnamese["active"] is False
    assert vietnamese["recall_status"] == list(RECALL_STATUSES)
    assert vietnamese["schedules"] == [{"mon": "00:00-24:00", "sun": "00:00-24:00"}]
    assert vietnamese["carrier_uuid"] == "" and vietnamese["template_uuid"] == ""
    assert "Chiến dịch nhắc nợ tháng 11" in (out / "chien-dich-nhac-no-thang-11.yaml").read_text()
    sales = entry(out / "sales-q4-v1-2.yaml")
    assert sales["recall_status"] == [] and sales["schedules"] == [] and sales["network"] == {}
    assert sales["mode_call"] == "parralel"
    twin = entry(out / "sales-q4-v1-2-2.yaml")
    assert twin["recall_status"] == []
    assert "carrier" not in twin and twin["carrier_uuid"] == api_env.store.uuid_by_name(
        "carrier", "Twin"
    )
    assert twin["template_uuid"] == UNLISTED
    kind = (out / "no-kind.yaml").read_text(encoding="utf-8")
    assert "type_autocall" not in entry(out / "no-kind.yaml")
    assert (  # named in the header as left unmanaged, worded as validate words it
        '#   type_autocall: "" (must be one of autocall_voice_tts, autocall_audio, '
        "autocall_voice_otp; got the string '')"
    ) in kind
    assert entry(out / "no-kind.yaml")["description"] == "line one\nline two"


def test_no_token_in_any_file(api_env, tenant, tmp_path):
    out = tmp_path / "campaigns"
    assert run("export", "--out", str(out)).code == 0
    for path in out.iterdir():
        assert api_env.token not in path.read_text(encoding="utf-8")


def test_pin_uuid_makes_a_name_change_a_rename(api_env, tenant, tmp_path):
    out = tmp_path / "campaigns"
    assert run("export", "--out", str(out), "--pin-uuid").code == 0
    path = out / "debtremindertts.yaml"
    assert entry(path)["campaign_uuid"] == tenant["DebtReminderTTS"]
    assert run("plan", str(out), "--detailed-exitcode").code == 0

    path.write_text(path.read_text().replace("DebtReminderTTS", "DebtReminder2"))
    planned = run("plan", str(out), "--format", "json")
    changes = json.loads(planned.stdout)["changes"]
    assert [(c["action"], c["campaign_uuid"]) for c in changes] == [
        ("update", tenant["DebtReminderTTS"])
    ]
    assert changes[0]["fields"]["campaign_name"]["after"] == "DebtReminder2"


# ---- filters -------------------------------------------------------------------------------


def test_match_exports_only_matching_names(api_env, tenant, tmp_path):
    out = tmp_path / "campaigns"
    result = run("export", "--out", str(out), "--match", "(?i)^sales")
    assert result.code == 0, result.stderr
    # --match selects campaigns; every template is written (--no-templates: none).
    assert files_in(out) == ["sales-q4-v1-2-2.yaml", "sales-q4-v1-2.yaml", *TEMPLATE_FILES]
    assert "Exported 2 campaigns and 4 templates" in result.stdout
    assert "Skipped 3 campaign(s) not matching --match." in result.stdout


def test_bad_regex_is_a_clean_error(api_env, tenant, tmp_path):
    out = tmp_path / "campaigns"
    result = run("export", "--out", str(out), "--match", "([")
    assert result.code == 1
    assert "--match: invalid regular expression" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_type_all_includes_other_types(api_env, tenant, tmp_path):
    out = tmp_path / "campaigns"
    assert run("export", "--out", str(out), "--type", "all").code == 0
    assert entry(out / "inbound-hotline.yaml")["type"] == "inbound"
    assert len(files_in(out)) == 6 + len(TEMPLATE_FILES)
    assert run("plan", str(out), "--detailed-exitcode").code == 0


# ---- writing -------------------------------------------------------------------------------


def test_refuses_to_overwrite_and_writes_nothing(api_env, tenant, tmp_path):
    out = tmp_path / "campaigns"
    out.mkdir()
    (out / "no-kind.yaml").write_text("mine\n")
    result = run("export", "--out", str(out))
    assert result.code == 1
    assert "already exist" in result.stderr and "no-kind.yaml" in result.stderr
    assert files_in(out) == ["no-kind.yaml"]
    assert (out / "no-kind.yaml").read_text() == "mine\n"

    result = run("export", "--out", str(out), "--overwrite")
    assert result.code == 0, result.stderr
    assert len(files_in(out)) == 5 + len(TEMPLATE_FILES)  # no temporary files left behind
    assert entry(out / "no-kind.yaml")["campaign_name"] == "no.kind"


def test_creates_nested_out_dir(api_env, tenant, tmp_path):
    out = tmp_path / "a" / "b"
    assert run("export", "--out", str(out), "--match", "^DebtReminderTTS$",
               "--no-templates").code == 0
    assert files_in(out) == ["debtremindertts.yaml"]
    header = (out / "debtremindertts.yaml").read_text().splitlines()[0]
    assert header == "# yaml-language-server: $schema=../../schema/manifest.schema.json"


# ---- file names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("Chiến dịch nhắc nợ tháng 11", "chien-dich-nhac-no-thang-11"),
        ("ĐÀ NẴNG / Đợt 2", "da-nang-dot-2"),
        ("a/b.c  d", "a-b-c-d"),
        ("...", "campaign"),
        ("天气", "campaign"),
        ("CON", "con-campaign"),
        ("x" * 300, "x" * 60),
    ],
)
def test_slugify(name, stem):
    assert slugify(name) == stem


def test_file_names_are_distinct_and_independent_of_order():
    pairs = [("A b", "u1"), ("a-b", "u2"), ("a b", "u3"), ("a-b-2", "u4"), ("", "u5"), ("!", "u6")]
    expected = file_names(pairs)
    for _ in range(20):
        random.shuffle(pairs)
        assert file_names(pairs) == expected
    assert len(set(expected.values())) == len(pairs)
    assert expected["u4"] == "a-b-2.yaml"  # a name's own stem is never taken by a suffix
