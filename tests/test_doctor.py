"""`reconciler doctor [--write]` over real HTTP against the emulator: it passes on the
documented behaviour, names what a quirky tenant does differently, and never leaves its
scratch campaign behind (failed check, exception, Ctrl-C, SIGTERM)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from reconciler.doctor import SCRATCH_PREFIX
from reconciler.doctor.scratch import Scratch
from reconciler.emulator import EmulatorServer
from tests.clirun import Run, run_cli

HOUR = 3600 * 10**9
SEED = {"campaigns": [
    {"campaign_name": f"Seeded{i:02d}", "carrier": "Billing", "template": "ma_otp_01",
     "active": False, "schedules": [{"monday_start_time": 8 * HOUR,
                                     "monday_end_time": 12 * HOUR}]}
    for i in range(25)
]}
LINE = re.compile(r"^(ok|differs|skipped) +(\S.*?)(?: \((.*)\))?$")


@pytest.fixture
def tenant(monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorServer]:
    """A started emulator with 25 campaigns (enough for every paging check), env set."""
    with EmulatorServer(seed=SEED) as server:
        monkeypatch.setenv("RECONCILER_API_URL", server.url)
        monkeypatch.setenv("RECONCILER_TOKEN", server.token)
        monkeypatch.delenv("RECONCILER_API_KEY", raising=False)
        yield server


def lines(run: Run) -> dict[str, tuple[str, str]]:
    """check name -> (status, detail) from the text output; every line must parse."""
    found: dict[str, tuple[str, str]] = {}
    for line in run.stdout.splitlines():
        match = LINE.match(line)
        assert match, line
        found[match.group(2)] = (match.group(1), match.group(3) or "")
    return found


def scratch_left(server: EmulatorServer) -> list[str]:
    return [doc["campaign_name"] for doc in server.store.campaigns()
            if doc["campaign_name"].startswith(SCRATCH_PREFIX)]


def test_doctor_read_only_passes_on_the_documented_api(tenant: EmulatorServer) -> None:
    run = run_cli("doctor")
    assert run.code == 0, run.output
    found = lines(run)
    assert found["paging: limit honoured"] == ("ok", "asked 3, got 3")
    assert found["paging: default limit 10 when absent"][0] == "ok"
    assert found["auth: API key exchange answer"][0] == "skipped"
    assert [check for check, (status, _) in found.items() if status != "ok"] == [
        "auth: API key exchange answer"]
    assert "All assumptions hold (1 skipped)." in run.stderr
    assert tenant.write_requests() == []  # read-only means read-only
    assert tenant.token not in run.output


def test_doctor_write_passes_and_leaves_nothing_behind(tenant: EmulatorServer) -> None:
    run = run_cli("doctor", "--write")
    assert run.code == 0, run.output
    found = lines(run)
    assert all(status == "ok" for check, (status, _) in found.items()
               if check.startswith("write:")), run.stdout
    assert found["write: schedules round-trip to the nanosecond"][0] == "ok"
    assert "kept in the order sent" in found["write: recall_status order"][1]
    assert found["write: scratch campaign deleted"][1].startswith(SCRATCH_PREFIX)
    assert found["write: PUT renames via campaign_name"][0] == "ok"
    assert found["write: PUT re-points via template_uuid"][0] == "ok"
    assert scratch_left(tenant) == [] and tenant.store.campaign_count() == 25
    assert not [doc for doc in tenant.store.templates()
                if doc["template_name"].startswith(SCRATCH_PREFIX)]


def test_doctor_passes_on_an_empty_tenant(api_env: EmulatorServer) -> None:
    """The default emulator has no campaigns: paging checks are skipped, not failed."""
    assert run_cli("doctor").code == 0
    run = run_cli("doctor", "--write")
    assert run.code == 0, run.output
    found = lines(run)
    assert found["paging: limit honoured"][0] == "skipped"
    assert found["write: list row vs detail of the scratch campaign"][0] == "ok"
    assert api_env.store.campaign_count() == 0


# quirk, needs --write, check, expected status, a phrase of its detail
QUIRKS = [
    ("put-drops=schedules", True, "write: PUT stores every field it is sent", "differs",
     "schedules"),
    ("put-ignores-active", True, "write: PUT carries active", "differs",
     "sent false, kept true"),
    # The two writes renames and re-pointing rely on.
    ("put-ignores-name", True, "write: PUT renames via campaign_name", "differs",
     "-renamed\", kept \"reconciler-doctor-"),
    ("put-ignores-template", True, "write: PUT re-points via template_uuid",
     "differs", 'kept ""'),
    ("put-keeps-omitted", True, "write: PUT is a full replace", "differs",
     'callback_url kept "https://reconciler-doctor.invalid/cdr"'),
    ("create-stores-all", True, "write: create stores only the create fields", "differs",
     "also stored call_timeout, callback_url, recall_times"),
    ("list-ignores-limit", False, "paging: limit honoured", "differs", "asked 3, got 10"),
    ("list-ignores-offset", False, "paging: offset honoured", "differs", "offset ignored"),
    ("default-limit=5", False, "paging: default limit 10 when absent", "differs",
     "got 5 of 25 rows"),
    ("total-drifts", False, "paging: total consistent across pages", "differs",
     "total 25 on the first page, 26 at offset"),
    ("detail-joins-names", False, "list rows vs details", "differs",
     'the detail fills carrier_name "Billing"'),
    ("updated-at-frozen", True, "write: updated_at moves on a schedule-only change", "differs",
     "updated_at stayed"),
    ("delete-active-allowed", True, "write: DELETE refuses an active campaign", "differs",
     "DELETE of the active campaign answered 200"),
    ("schedules-rounded", True, "write: schedules round-trip to the nanosecond", "differs",
     "monday_start_time: sent 28801000000007, kept 28801000000000"),
    ("errors-status-200", False, 'errors: unknown campaign answers {"error": ...}', "differs",
     'answered 200 {"error": "Not Found"}'),
    ("errors-status-200", False, "auth: a bad token is refused with 401", "differs",
     'answered 200 {"error": "Unauthorized"}'),
    # Both are allowed by the docs and handled by the tool: reported, not failed.
    ("recall-status-reordered", True, "write: recall_status order", "ok",
     'reordered: sent ["voicemail", "busy", "no-answered"], '
     'kept ["busy", "no-answered", "voicemail"]'),
    ("template-filter-exact", False, "templates: name filter", "ok",
     "matches whole names only"),
]


@pytest.mark.parametrize(("quirk", "write", "check", "status", "phrase"), QUIRKS,
                         ids=[f"{q[0]}:{q[2]}" for q in QUIRKS])
def test_each_quirk_is_named_by_its_check(tenant: EmulatorServer, quirk: str, write: bool,
                                          check: str, status: str, phrase: str) -> None:
    tenant.quirks = [quirk]
    run = run_cli("doctor", *(["--write"] if write else []))
    found = lines(run)
    assert found[check][0] == status, run.stdout
    assert phrase in found[check][1]
    assert run.code == (1 if status == "differs" else 0)
    assert scratch_left(tenant) == []
    assert not [doc for doc in tenant.store.templates()
                if doc["template_name"].startswith(SCRATCH_PREFIX)]


def test_page_cap_is_reported_not_failed(tenant: EmulatorServer) -> None:
    tenant.page_cap = 7
    run = run_cli("doctor")
    assert run.code == 0, run.output
    found = lines(run)
    assert found["paging: page cap"] == (
        "ok", "capped at 7 rows a page: asked 500, got 7; the tool pages on by the rows "
        "received")
    assert found["paging: default limit 10 when absent"] == (
        "ok", "no limit asked, got 7 of 25 rows: the page cap")


def test_put_dropping_schedules_fails_write_and_names_schedules(tenant: EmulatorServer) -> None:
    tenant.quirks.put_drops.add("schedules")  # the run-time switch apply tests use too
    run = run_cli("doctor", "--write")
    assert run.code == 1
    found = lines(run)
    assert found["write: PUT stores every field it is sent"] == (
        "differs", "not kept: schedules (sent 2 schedules, kept null)")
    assert found["write: schedules round-trip to the nanosecond"] == (
        "differs", "sent 2 schedules, kept 0")
    assert "2 of 38 assumptions differ" in run.stderr
    assert scratch_left(tenant) == []


def test_json_format_lists_check_status_detail(tenant: EmulatorServer) -> None:
    tenant.quirks = ["list-ignores-limit"]
    run = run_cli("doctor", "--format", "json")
    assert run.code == 1
    results = json.loads(run.stdout)
    assert all(set(item) == {"check", "status", "detail"} for item in results)
    assert {"check": "paging: limit honoured", "status": "differs",
            "detail": "asked 3, got 10"} in results


def test_api_key_exchange_is_checked_and_no_secret_is_printed(
        tenant: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RECONCILER_TOKEN")
    monkeypatch.setenv("RECONCILER_API_KEY", tenant.tokens.api_key)
    run = run_cli("doctor", "--write")
    assert run.code == 0, run.output
    assert lines(run)["auth: API key exchange answer"] == (
        "ok", "token_type Bearer, expired_in 86400 s (24 h); the tool renews the token "
        "before then and on a 401")
    assert tenant.tokens.api_key not in run.output
    issued = list(tenant.tokens._issued)
    assert issued and not any(token in run.output for token in issued)


def test_a_refused_token_stops_the_other_checks(tenant: EmulatorServer,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECONCILER_TOKEN", "not-the-token")
    run = run_cli("doctor", "--write")
    assert run.code == 1
    found = lines(run)
    assert found["auth: token accepted"][0] == "differs"
    assert found["every other check"][0] == "skipped"
    assert tenant.write_requests() == []
    # Said as a credentials problem, naming the variable: not "the tenant differs".
    assert "The API did not accept the credentials: check RECONCILER_TOKEN" in run.stderr
    assert "assumptions differ" not in run.stderr


def test_a_refused_api_key_names_its_variable(tenant: EmulatorServer,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # The natural mistake: the emulator's token given as RECONCILER_API_KEY.
    monkeypatch.delenv("RECONCILER_TOKEN")
    monkeypatch.setenv("RECONCILER_API_KEY", tenant.token)
    run = run_cli("doctor")
    assert run.code == 1
    assert lines(run)["auth: token accepted"][0] == "differs"
    assert "The API did not accept the credentials: check RECONCILER_API_KEY" in run.stderr
    assert tenant.token not in run.output


def test_no_api_answers_a_clean_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with EmulatorServer() as server:
        url = server.url
    monkeypatch.setenv("RECONCILER_TOKEN", "t")
    monkeypatch.setenv("RECONCILER_RETRY_BACKOFF", "0")
    run = run_cli("doctor", "--api-url", url)
    assert run.code == 1
    assert "connection refused" in run.stderr and "Traceback" not in run.output


def test_scratch_is_deleted_when_a_check_raises(tenant: EmulatorServer,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(self: Scratch) -> None:
        assert self.uuid is not None and tenant.store.get_campaign(self.uuid) is not None
        raise RuntimeError("a bug in a check")

    monkeypatch.setattr(Scratch, "check_recall_status", explode)
    run = run_cli("doctor", "--write")
    assert run.code == 1
    assert "internal error: RuntimeError: a bug in a check" in run.stderr
    assert "ok       write: scratch campaign deleted" in run.stdout
    assert scratch_left(tenant) == []


def test_scratch_is_deleted_on_ctrl_c(tenant: EmulatorServer,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(self: Scratch) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Scratch, "check_full_replace", interrupt)
    run = run_cli("doctor", "--write")
    assert run.code == 130
    assert "Interrupted" in run.stderr
    assert scratch_left(tenant) == []


def test_a_lost_create_answer_is_found_by_name_and_deleted(tenant: EmulatorServer) -> None:
    tenant.faults.drop("POST", "^/v3/campaign$", when="after")
    run = run_cli("doctor", "--write")
    assert run.code == 1
    assert f"error: POST {tenant.url}/v3/campaign: the server closed the connection" in run.stderr
    assert lines(run)["write: scratch campaign deleted"][0] == "ok"
    assert scratch_left(tenant) == []


def test_a_failed_cleanup_names_what_was_left_behind(tenant: EmulatorServer) -> None:
    tenant.faults.fail("DELETE", "^/v3/campaign/", 500, times=None)
    run = run_cli("doctor", "--write")
    assert run.code == 1
    [left] = scratch_left(tenant)
    uuid = tenant.store.campaign_uuid_by_name(left)
    assert f"the scratch campaign {left} ({uuid}) was left behind" in run.stderr
    target = f"{left.removesuffix('-renamed')}-target"
    [template] = [doc["template_uuid"] for doc in tenant.store.templates()
                  if doc["template_name"] == target]
    assert f"then the scratch template {target} ({template})" in run.stderr
    assert "Traceback" not in run.output


def test_a_re_point_template_that_cannot_be_deleted_is_named(tenant: EmulatorServer) -> None:
    tenant.faults.fail("DELETE", "^/v3/template/", 500, times=None)
    run = run_cli("doctor", "--write")
    assert run.code == 1
    assert scratch_left(tenant) == []  # the campaign went first
    assert re.search(r"the scratch template reconciler-doctor-[0-9a-f]+-target \([0-9a-f-]+\) "
                     r"was left behind: DELETE answered 500", run.stderr), run.stderr
    assert "Traceback" not in run.output


def test_sigterm_mid_run_deletes_the_scratch_campaign(tenant: EmulatorServer) -> None:
    """A real process, signalled while its first PUT is held by the emulator."""
    held, release = threading.Event(), threading.Event()

    def hold_first_put(method: str, path: str) -> None:
        if method == "PUT" and not held.is_set():
            held.set()
            release.wait(30)

    tenant.request_hook = hold_first_put
    env = {**os.environ, "RECONCILER_API_URL": tenant.url, "RECONCILER_TOKEN": tenant.token,
           "RECONCILER_RETRY_BACKOFF": "0"}
    process = subprocess.Popen([sys.executable, "-m", "reconciler", "doctor", "--write"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=env)
    try:
        assert held.wait(30), process.communicate(timeout=5)
        assert len(scratch_left(tenant)) == 1  # created, mid-run
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        release.set()
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 143, stderr
    assert "Traceback" not in stderr and "Interrupted" in stderr
    assert "ok       write: scratch campaign deleted" in stdout
    assert scratch_left(tenant) == []


def test_verbose_logs_calls_without_the_token(tenant: EmulatorServer,
                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG", logger="reconciler")
    run = run_cli("doctor", "--write", "--verbose")
    assert run.code == 0, run.output
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert re.search(r"^PUT /v3/campaign/[0-9a-f-]+ -> 200 \(\d+ ms\)$", logged, re.M)
    assert tenant.token not in logged + run.output


def test_missing_credentials_are_a_clean_error(tenant: EmulatorServer,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RECONCILER_TOKEN")
    run = run_cli("doctor")
    assert run.code == 1
    assert run.stderr.startswith("error: no API credentials: set RECONCILER_TOKEN")
    assert tenant.requests == []


def test_doctor_checks_templates_and_deletes_its_scratch_template(tenant: EmulatorServer) -> None:
    run = run_cli("doctor", "--write")
    assert run.code == 0, run.output
    found = lines(run)
    assert found['templates: press options read as [{"1": {voice_type, content}}]'] == (
        "ok", "'khuyen_mai_audio_01': as documented")
    for check in ("write: template create stores every field; unread keys not returned",
                  "write: template PUT of the whole template is kept",
                  "errors: template name required, names unique",
                  "write: template delete answers deleted; then not found"):
        assert found[check][0] == "ok", (check, found[check])
    assert found["write: scratch template deleted"][1].startswith(SCRATCH_PREFIX)
    assert not [doc for doc in tenant.store.templates()
                if doc["template_name"].startswith(SCRATCH_PREFIX)]


def test_a_template_put_that_drops_content_is_named(tenant: EmulatorServer) -> None:
    tenant.quirks.put_drops.add("content")
    run = run_cli("doctor", "--write")
    assert run.code == 1
    status, detail = lines(run)["write: template PUT of the whole template is kept"]
    assert status == "differs" and detail.startswith("sent content")
    assert not [doc for doc in tenant.store.templates()
                if doc["template_name"].startswith(SCRATCH_PREFIX)]


def test_a_server_error_on_delete_is_not_taken_for_the_documented_refusal(api_env):
    api_env.faults.fail("DELETE", "^/v3/campaign/", 500, times=1)
    result = run_cli("doctor", "--write")
    assert result.code == 1
    assert "write: DELETE refuses an active campaign (a server error, not the documented " \
        "refusal: 500" in result.output
    assert api_env.store.campaign_count() == 0


def scratch_carriers(server: EmulatorServer) -> list[str]:
    rows = [json.loads(text) for text in server.store.list_json("carrier", 1000, 0)[0]]
    return [row["carrier_name"] for row in rows if row["carrier_name"].startswith(SCRATCH_PREFIX)]


def test_doctor_checks_carriers_through_the_listing_and_deletes_its_scratch_carrier(
    tenant: EmulatorServer,
) -> None:
    run = run_cli("doctor", "--write")
    assert run.code == 0, run.output
    found = lines(run)
    for check in ("write: carrier create is kept; prefixes read back under data",
                  "write: carrier PUT of the whole carrier is kept",
                  "write: carrier delete; then the listing no longer shows it"):
        assert found[check][0] == "ok", (check, found[check])
    assert '"prefix_mobi": "12"' in found[
        "write: carrier create is kept; prefixes read back under data"][1]
    assert found["write: scratch carrier deleted"][1].startswith(SCRATCH_PREFIX)
    assert not scratch_carriers(tenant)
    writes = [(method, path) for method, path, _ in tenant.write_requests()
              if path.startswith("/v3/carrier")]
    assert [method for method, _ in writes] == ["POST", "PUT", "DELETE"]


def test_a_carrier_put_that_is_not_kept_is_named(tenant: EmulatorServer) -> None:
    tenant.faults.fail("PUT", "^/v3/carrier/", 500, times=None)
    run = run_cli("doctor", "--write")
    assert run.code == 1
    status, detail = lines(run)["write: carrier PUT of the whole carrier is kept"]
    assert status == "differs" and detail.startswith("PUT answered 500")
    assert not scratch_carriers(tenant)
