"""`reconciler status` over real HTTP against the emulator: live state, call figures from the
campaign report, and the audit of real calls (lead report) against the vn-decree-91 rules."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from clirun import run_cli

from reconciler.emulator import EmulatorServer
from reconciler.emulator.reports import add_seed_calls
from reconciler.operations.window import TENANT_TZ

CONFIG = "policies:\n  presets: [vn-decree-91]\n"
MANIFEST = """\
campaigns:
  - campaign_name: AdPromo
    type_autocall: autocall_audio
    labels: {purpose: advertising}
    recall_times: 0
    schedules:
      - mon-sat: "08:00-17:00"
  - campaign_name: DebtReminder
    type_autocall: autocall_voice_tts
    labels: {purpose: debt-reminder}
    schedules:
      - mon-fri: "08:00-20:45"
  - campaign_name: NotYetCreated
    active: false
"""
DAY = ("--from", "2026-03-06 00:00:00", "--to", "2026-03-06 23:59:59")  # a Friday
CALLS: list[dict[str, Any]] = [
    # AdPromo: an evening call, a number called twice, a clean call, and one the day before.
    {"campaign": "AdPromo", "phone": "0901234567", "time": "2026-03-06 18:30:00",
     "status": "busy"},
    {"campaign": "AdPromo", "phone": "0907000111", "time": "2026-03-06 10:00:00",
     "status": "no-answered"},
    {"campaign": "AdPromo", "phone": "0907000111", "time": "2026-03-06 14:00:00"},
    {"campaign": "AdPromo", "phone": "0907000222", "time": "2026-03-06 09:15:00"},
    {"campaign": "AdPromo", "phone": "0907000999", "time": "2026-03-05 20:00:00"},
    # DebtReminder: an evening call, which no advertising rule concerns.
    {"campaign": "DebtReminder", "phone": "0911000333", "time": "2026-03-06 19:45:00"},
]


@pytest.fixture
def project(tmp_path: Path, api_env: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The manifests applied to the emulator (NotYetCreated left out), the calls seeded, and
    the policy config in the working directory."""
    campaigns = tmp_path / "campaigns"
    campaigns.mkdir()
    (campaigns / "c.yaml").write_text(MANIFEST, encoding="utf-8")
    (tmp_path / "reconciler.yaml").write_text(CONFIG, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    applied = run_cli("apply", "campaigns", "--auto-approve")
    assert applied.code == 0, applied.output
    api_env.store.delete_campaign(api_env.store.campaign_uuid_by_name("NotYetCreated"))
    add_seed_calls(api_env.store, CALLS)
    api_env.requests.clear()
    return campaigns


def status_json(*args: str) -> tuple[int, dict[str, Any]]:
    result = run_cli("status", "campaigns", "--format", "json", *args)
    assert result.code in (0, 2), result.output
    return result.code, json.loads(result.stdout)


def test_evening_and_repeated_advertising_calls_are_findings(project: Path,
                                                              api_env: EmulatorServer) -> None:
    code, report = status_json(*DAY)
    assert code == 2
    audit = [(f["rule"], f["campaign_name"], f["phone_number"], f["time"], f["severity"])
             for f in report["audit"]]
    assert audit == [
        ("vn-decree-91/calling-hours", "AdPromo", "0901234567", "2026-03-06T18:30:00+07:00",
         "error"),
        ("vn-decree-91/one-call-a-day", "AdPromo", "0907000111", "2026-03-06T14:00:00+07:00",
         "warning"),
        # 0907000111's 10:00 call is hidden behind its 14:00 one (one row per lead).
        ("audit/incomplete", "AdPromo", "", "", "warning"),
    ]
    hours = report["audit"][0]
    assert "outside 08:00-17:00" in hours["message"] and "Decree 91" in hours["message"]
    assert hours["source"] == "campaigns/c.yaml:2" and hours["waived"] is False
    assert "called 2 times" in report["audit"][1]["message"]
    # The debt reminder's 19:45 call is nobody's finding: no advertising rule selects it.
    assert not [f for f in report["audit"] if f["campaign_name"] == "DebtReminder"]
    assert report["summary"]["findings"] == 3
    # Only the audited campaign's leads were read.
    leads = [path for method, path, _ in api_env.requests if "/report/call/lead" in path]
    uuid = api_env.store.campaign_uuid_by_name("AdPromo")
    assert leads and all(f"campaign_uuid={uuid}" in path for path in leads)


def test_call_counts_match_the_seeded_calls(project: Path, api_env: EmulatorServer) -> None:
    _, report = status_json(*DAY)
    rows = {row["campaign_name"]: row for row in report["campaigns"]}
    assert list(rows) == ["AdPromo", "DebtReminder", "NotYetCreated"]  # manifest order
    ad, debt, missing = rows["AdPromo"], rows["DebtReminder"], rows["NotYetCreated"]
    assert ad["calls"] == {
        "total": 4, "answered": 2, "busy": 1, "no_answered": 1, "not_available": 0,
        "cancel": 0, "congestion": 0, "busy_line": 0, "invalid": 0, "phone_block": 0,
        "outbound": 4, "inbound": 0, "local": 0, "ivr": 0,
    }  # the day before's call is outside the window
    assert debt["calls"]["total"] == 1 and debt["calls"]["answered"] == 1
    assert (ad["live"], ad["active"], ad["status"], ad["audited"]) == (True, True, "stop", True)
    assert ad["campaign_uuid"] == api_env.store.campaign_uuid_by_name("AdPromo")
    assert debt["audited"] is False
    assert missing == {
        "campaign_name": "NotYetCreated", "campaign_uuid": None, "live": False, "active": None,
        "status": None, "run_id": None, "calls": None, "audited": False,
        "declared_active": False, "problem": "not created (run plan/apply)",
        "source": "campaigns/c.yaml:13",
    }
    assert report["window"] == {"from": "2026-03-06T00:00:00+07:00",
                                "to": "2026-03-06T23:59:59+07:00", "time_zone": "+07:00"}
    # The window reached the API as the docs' parameters, in tenant time.
    asked = [path for _, path, _ in api_env.requests if "/report/call/campaign" in path]
    assert asked and all("start_time=2026-03-06+00%3A00%3A00" in path and
                         "end_time=2026-03-06+23%3A59%3A59" in path for path in asked)


def test_text_and_markdown_mask_numbers_and_put_problems_first(project: Path) -> None:
    text = run_cli("status", "campaigns", *DAY)
    assert text.code == 2
    out = text.stdout
    assert "0901234567" not in out and "*******567" in out and "*******111" in out
    assert "(tenant time, UTC+07:00)" in out
    assert out.index("vn-decree-91/calling-hours") < out.index("CAMPAIGN")
    assert out.index("NotYetCreated: not created") < out.index("CAMPAIGN")
    assert "campaigns/c.yaml:2: vn-decree-91/calling-hours: AdPromo: *******567 at " \
           "2026-03-06 18:30:00 +07:00: called at 18:30:00 on Friday, outside 08:00-17:00" in out
    assert "AdPromo !" in out
    markdown = run_cli("status", "campaigns", *DAY, "--format", "markdown")
    assert markdown.code == 2
    md = markdown.stdout
    assert md.startswith("### 🔴 Campaign status")
    assert "0901234567" not in md and "`*******567`" in md
    assert md.index("Audit of real calls") < md.index("| Campaign |")
    assert "| ⚠️ AdPromo | yes | stop | 4 | 2 (50%) | 1 | 1 | 0 | 0 | 0 | 0 |" in md


def test_waivers_apply_as_in_validate(project: Path) -> None:
    manifest = project / "c.yaml"
    manifest.write_text(MANIFEST.replace(
        "    recall_times: 0\n",
        "    recall_times: 0\n    policy_waivers:\n"
        "      vn-decree-91/calling-hours: evening consent recorded (MKT-1)\n"), encoding="utf-8")
    code, report = status_json(*DAY)
    assert code == 2  # the repeated call still counts
    waived = {f["rule"]: (f["waived"], f["reason"]) for f in report["audit"]}
    assert waived["vn-decree-91/calling-hours"] == (True, "evening consent recorded (MKT-1)")
    assert report["summary"] == {**report["summary"], "findings": 2, "waived": 1}
    manifest.write_text(manifest.read_text().replace(
        "    policy_waivers:\n",
        "    policy_waivers:\n      vn-decree-91/one-call-a-day: opted-in list\n"),
        encoding="utf-8")
    code, report = status_json(*DAY)
    # Still 2: a waiver covers a rule, not the call the lead report hides.
    assert code == 2 and len(report["audit"]) == 3
    assert [f["rule"] for f in report["audit"] if not f["waived"]] == ["audit/incomplete"]
    text = run_cli("status", "campaigns", *DAY)
    assert "[waived: opted-in list]" in text.stdout and "Audit of 1 campaign: 1 finding " \
        "(2 waived)" in text.stdout


def test_without_policies_nothing_is_audited(project: Path, api_env: EmulatorServer) -> None:
    (project.parent / "reconciler.yaml").write_text("policies: {}\n", encoding="utf-8")
    code, report = status_json(*DAY)
    assert code == 2 and report["audit"] == []  # 2: NotYetCreated is not created
    assert report["summary"]["problems"] == 1
    assert not [path for _, path, _ in api_env.requests if "/report/call/lead" in path]


def _recent(hours: float) -> str:
    return (datetime.now(TENANT_TZ) - timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M:%S")


def test_the_default_window_is_the_last_24_hours_in_tenant_time(
    project: Path, api_env: EmulatorServer
) -> None:
    add_seed_calls(api_env.store, [
        {"campaign": "DebtReminder", "phone": "0911000444", "time": _recent(1)},
        {"campaign": "DebtReminder", "phone": "0911000555", "time": _recent(23)},
        {"campaign": "DebtReminder", "phone": "0911000666", "time": _recent(25)},
    ])
    _, report = status_json()
    rows = {row["campaign_name"]: row for row in report["campaigns"]}
    assert rows["DebtReminder"]["calls"]["total"] == 2
    start = datetime.fromisoformat(report["window"]["from"])
    end = datetime.fromisoformat(report["window"]["to"])
    assert end - start == timedelta(hours=24)
    assert report["window"]["to"].endswith("+07:00")
    assert abs(datetime.now(TENANT_TZ) - end) < timedelta(minutes=5)
    _, since = status_json("--since", "2h")
    assert {row["campaign_name"]: row for row in since["campaigns"]}["DebtReminder"][
        "calls"]["total"] == 1


def test_every_page_of_the_lead_report_is_audited(project: Path,
                                                   api_env: EmulatorServer) -> None:
    add_seed_calls(api_env.store, [
        {"campaign": "AdPromo", "phone": f"0988{n:06d}", "time": f"2026-03-07 20:{n % 60:02d}:00"}
        for n in range(130)
    ])
    api_env.page_cap = 7  # the server gives 7 rows a page whatever limit asks for
    code, report = status_json("--from", "2026-03-07 00:00:00", "--to", "2026-03-07 23:59:59")
    assert code == 2
    assert len(report["audit"]) == 130
    assert report["campaigns"][0]["calls"]["total"] == 130


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "06/03/2026"), "error: --from: '06/03/2026' is not a time like"),
        (("--to", "2026-03-06 24:30"), "error: --to: '2026-03-06 24:30' is not a time like"),
        (("--since", "yesterday"), "error: --since: 'yesterday' is not a duration like 24h"),
        (("--since", "0m"), "error: --since: '0m' is no time at all"),
        (("--from", "2026-03-06", "--since", "2h"), "error: give --from or --since, not both"),
        (("--from", "2026-03-07", "--to", "2026-03-06"),
         "error: --from (2026-03-07 00:00:00) must be before --to (2026-03-06 00:00:00)"),
        (("--since", "9999999999999d"), "error: --since: '9999999999999d' is longer than 366"),
    ],
)
def test_bad_windows_are_clean_errors_before_any_call(
    project: Path, api_env: EmulatorServer, args: tuple[str, ...], message: str
) -> None:
    result = run_cli("status", "campaigns", *args)
    assert result.code == 1
    assert result.stderr.startswith(message), result.stderr
    assert "Traceback" not in result.output
    assert api_env.requests == []


def test_a_broken_report_is_an_error_not_a_clean_audit(project: Path,
                                                       api_env: EmulatorServer) -> None:
    api_env.faults.fail("GET", r"^/v3/report/call/lead", 200, times=None,
                        body={"data": "x", "total": 3})
    result = run_cli("status", "campaigns", *DAY)
    assert result.code == 1
    assert "lead report" in result.stderr and "not a list of objects" in result.stderr
    assert api_env.token not in result.output


ROOT = Path(__file__).resolve().parent.parent


def test_the_ci_recipes_nightly_jobs_run_status_after_the_drift_check() -> None:
    from ruamel.yaml import YAML

    github = YAML(typ="safe").load((ROOT / "examples/ci/github-actions.yml").read_text())
    steps = [step.get("run", "") for step in github["jobs"]["drift"]["steps"]]
    drift = next(i for i, run in enumerate(steps) if "--drift" in run)
    status = next(i for i, run in enumerate(steps) if "reconciler status campaigns/" in run)
    assert drift < status
    assert github["jobs"]["drift"]["steps"][status]["if"] == "success() || failure()"
    gitlab = YAML(typ="safe").load((ROOT / "examples/ci/gitlab-ci.yml").read_text())
    script = gitlab["drift"]["script"]
    drift = next(i for i, line in enumerate(script) if "--drift" in line)
    status = next(i for i, line in enumerate(script) if "reconciler status campaigns/" in line)
    assert drift < status


def test_the_example_seed_and_manifests_give_a_status(monkeypatch: pytest.MonkeyPatch) -> None:
    with EmulatorServer(seed=ROOT / "examples/emulator-seed.json") as server:
        monkeypatch.setenv("RECONCILER_API_URL", server.url)
        monkeypatch.setenv("RECONCILER_TOKEN", server.token)
        monkeypatch.chdir(ROOT)
        result = run_cli("status", "examples/campaigns", "--config", "examples/reconciler.yaml",
                         "--format", "json", "--from", "2026-03-06", "--to",
                         "2026-03-06 23:59:59")
    # The debt reminder's evening call is no finding; 2: the quick start's apply has not
    # created the other campaigns yet.
    assert result.code == 2, result.output
    report = json.loads(result.stdout)
    assert report["audit"] == []
    assert {row["campaign_name"] for row in report["campaigns"] if row["problem"]} == {
        "VoiceOTP", "PromoAudioNov", "DebtReminderTet"}
    rows = {row["campaign_name"]: row for row in report["campaigns"]}
    assert rows["DebtReminderTTS"]["calls"]["total"] == 4
    assert rows["DebtReminderTTS"]["status"] == "pause"
    assert "SummerPromo2026" not in rows  # declared absent: not a campaign to report on


def test_a_lead_report_that_shows_no_calls_is_never_a_clean_audit(
    project: Path, api_env: EmulatorServer
) -> None:
    api_env.faults.fail("GET", "^/v3/report/call/lead", 200, times=None,
                        body={"data": [], "limit": 100, "offset": 0, "total": 0})
    code, report = status_json(*DAY)
    assert code == 2
    [gap] = [f for f in report["audit"] if f["rule"] == "audit/incomplete"]
    assert gap["campaign_name"] == "AdPromo"
    assert gap["message"] == (
        "the campaign report counts 4 call(s) in the window but the lead report gives none "
        "to audit: these calls could not be checked"
    )
    text = run_cli("status", "campaigns", *DAY)
    assert text.code == 2 and "these calls could not be checked" in text.stdout


# ---- issue 21: what the lead report hides, the 24 hours before, and the verdict ------------

MONDAY = ("--from", "2026-03-09 00:00:00", "--to", "2026-03-09 23:59:59")


def _audit_of(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(f["rule"], f["phone_number"], f["time"]) for f in report["audit"]]


def test_a_call_hidden_behind_its_leads_last_call_is_never_clean(
    project: Path, api_env: EmulatorServer
) -> None:
    # One lead (imported days ago): 06:30 (before the calling hours) then 10:00. The lead
    # report shows the 10:00 call only, with called_count 3; the campaign report counts 2.
    add_seed_calls(api_env.store, [
        {"campaign": "AdPromo", "phone": "0907555000", "time": "2026-03-05 09:00:00"},
        {"campaign": "AdPromo", "phone": "0907555000", "time": "2026-03-09 06:30:00",
         "status": "busy"},
        {"campaign": "AdPromo", "phone": "0907555000", "time": "2026-03-09 10:00:00"},
    ])
    code, report = status_json(*MONDAY)
    assert code == 2
    [gap] = report["audit"]
    assert (gap["rule"], gap["campaign_name"]) == ("audit/incomplete", "AdPromo")
    assert gap["message"] == (
        "the campaign report counts 2 calls in the window but the lead report shows 1 (it "
        "shows each lead's last call only): 1 call(s) could not be checked")
    markdown = run_cli("status", "campaigns", *MONDAY, "--format", "markdown")
    assert markdown.stdout.startswith("### 🟡 Campaign status")
    assert "Audit of 1 campaign: 1 finding." in markdown.stdout


def test_one_call_a_day_looks_back_24_hours_before_the_window(
    project: Path, api_env: EmulatorServer
) -> None:
    # The number imported twice: 16:00 on Sunday, 09:00 on Monday (17 h apart); Sunday also
    # has an evening call, which Monday's report does not speak of.
    add_seed_calls(api_env.store, [
        {"campaign": "AdPromo", "phone": "0907666000", "time": "2026-03-08 16:00:00",
         "lead": "first-import"},
        {"campaign": "AdPromo", "phone": "0907666000", "time": "2026-03-09 09:00:00",
         "lead": "second-import"},
        {"campaign": "AdPromo", "phone": "0907666111", "time": "2026-03-08 19:00:00"},
    ])
    code, report = status_json(*MONDAY)
    assert code == 2
    assert _audit_of(report) == [
        ("vn-decree-91/one-call-a-day", "0907666000", "2026-03-09T09:00:00+07:00")]
    assert report["audit"][0]["message"].startswith(
        "called again 17 h 00 min after a call at 2026-03-08 16:00:00 +07:00")
    uuid = api_env.store.campaign_uuid_by_name("AdPromo")
    looked_back = [path for _, path, _ in api_env.requests if "/report/call/lead" in path
                   and "start_time=2026-03-08+00%3A00%3A00" in path]
    assert looked_back and all(f"campaign_uuid={uuid}" in path and
                               "end_time=2026-03-08+23%3A59%3A59" in path for path in looked_back)
    # The figures stay the window's own: Monday's one call.
    assert report["campaigns"][0]["calls"]["total"] == 1


def test_two_calls_in_the_same_second_are_two_calls(project: Path,
                                                     api_env: EmulatorServer) -> None:
    add_seed_calls(api_env.store, [
        {"campaign": "AdPromo", "phone": "0907777000", "time": "2026-03-09 10:00:00",
         "lead": "import-1"},
        {"campaign": "AdPromo", "phone": "0907777000", "time": "2026-03-09 10:00:00",
         "lead": "import-2"},
    ])
    code, report = status_json(*MONDAY)
    assert code == 2
    assert _audit_of(report) == [
        ("vn-decree-91/one-call-a-day", "0907777000", "2026-03-09T10:00:00+07:00")]
    assert "called again 0 min after a call at 2026-03-09 10:00:00" in report["audit"][0][
        "message"]


def test_leads_not_called_yet_are_no_findings(project: Path, api_env: EmulatorServer) -> None:
    add_seed_calls(api_env.store, [
        {"campaign": "AdPromo", "phone": "0907888000", "time": "2026-03-09 09:00:00"},
        {"campaign": "AdPromo", "phone": "0907888111", "time": "2026-03-09 09:05:00",
         "called": False},
    ])
    code, report = status_json(*MONDAY)
    assert report["audit"] == []
    assert report["campaigns"][0]["calls"]["total"] == 1
    leads = [path for _, path, _ in api_env.requests if "/report/call/lead" in path]
    assert leads  # the uncalled lead was in the rows read (see test_emulator_reports)
    assert code == 2  # NotYetCreated only
    assert report["summary"]["problems"] == 1


def test_a_lead_report_growing_while_read_is_read_to_its_end(
    project: Path, api_env: EmulatorServer
) -> None:
    # A campaign dialling: every page of the lead report served adds a call at the window's
    # end (16:00, within the calling hours), so rows arrive while the report is paged.
    add_seed_calls(api_env.store, [
        {"campaign": "AdPromo", "phone": f"0988{n:06d}", "time": f"2026-03-09 09:{n:02d}:00"}
        for n in range(20)
    ])
    api_env.quirks.lead_report_grows = True
    api_env.page_cap = 7
    window = ("--from", "2026-03-09 00:00:00", "--to", "2026-03-09 16:00:00")
    code, report = status_json(*window)
    assert report["audit"] == []  # every call the figures count was seen, none flagged
    assert report["campaigns"][0]["calls"]["total"] == 20
    assert code == 2 and report["summary"]["problems"] == 1  # NotYetCreated only
    text = run_cli("status", "campaigns", *window)
    assert text.code == 2, text.output
    assert "Calls from 2026-03-09 00:00:00 to 2026-03-09 16:00:00 (tenant time, " \
           "UTC+07:00)." in text.stdout


DECLARED = """\
campaigns:
  - campaign_name: Running
    active: true
    schedules:
      - mon-fri: "08:00-17:00"
  - campaign_name: Dormant
    active: false
  - campaign_name: Unmanaged
"""


@pytest.fixture
def declared(tmp_path: Path, api_env: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Three campaigns applied as declared (Dormant off; Unmanaged leaves `active` out, so
    it is not compared, as plan does not), no policies."""
    (tmp_path / "c.yaml").write_text(DECLARED, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    applied = run_cli("apply", "c.yaml", "--auto-approve")
    assert applied.code == 0, applied.output
    return tmp_path


def test_only_what_differs_from_the_manifests_is_a_problem(
    declared: Path, api_env: EmulatorServer
) -> None:
    clean = run_cli("status", "c.yaml", "--format", "markdown")
    assert clean.code == 0, clean.output
    assert clean.stdout.startswith("### 🟢 Campaign status")
    assert "Dormant: " not in clean.stdout  # declared off, off live: as intended
    store = api_env.store
    store.update_campaign_raw(store.campaign_uuid_by_name("Dormant"), active=True)
    store.update_campaign_raw(store.campaign_uuid_by_name("Running"), active=False)
    store.update_campaign_raw(store.campaign_uuid_by_name("Unmanaged"), active=False)
    drifted = run_cli("status", "c.yaml", "--format", "markdown")
    assert drifted.code == 2
    assert drifted.stdout.startswith("### 🟡 Campaign status")
    assert "- c.yaml:2: Running: declared active: true but off live (run stop)" in drifted.stdout
    assert "- c.yaml:6: Dormant: declared active: false but on live (run stop)" in drifted.stdout
    assert "Unmanaged: " not in drifted.stdout
    assert "2 not as declared" in drifted.stdout
    _, report = status_json_of("c.yaml")
    assert {row["campaign_name"]: row["problem"] for row in report["campaigns"]} == {
        "Running": "declared active: true but off live",
        "Dormant": "declared active: false but on live",
        "Unmanaged": None,
    }
    assert report["summary"]["clean"] is False


def status_json_of(path: str) -> tuple[int, dict[str, Any]]:
    result = run_cli("status", path, "--format", "json")
    assert result.code in (0, 2), result.output
    return result.code, json.loads(result.stdout)


def test_the_run_state_from_the_server_is_escaped(declared: Path,
                                                  api_env: EmulatorServer) -> None:
    hostile = "\x1b[2J\x1b]0;pwned\x07start\nFAKE LINE\u202e"
    api_env.store.update_campaign_raw(api_env.store.campaign_uuid_by_name("Running"),
                                      status=hostile, run_id="r\x1b[31m")
    text = run_cli("status", "c.yaml")
    assert "\x1b" not in text.output and "\x07" not in text.output
    assert "\u202e" not in text.output and "\nFAKE LINE" not in text.output
    assert "\\x1b[2J\\x1b]0;pwned\\x07start\\nFAKE LINE\\u202e" in text.stdout
    as_json = run_cli("status", "c.yaml", "--format", "json")
    assert "\x1b" not in as_json.stdout and "\u202e" not in as_json.stdout
    row = json.loads(as_json.stdout)["campaigns"][0]
    assert (row["status"], row["run_id"]) == (hostile, "r\x1b[31m")  # same value, escaped
