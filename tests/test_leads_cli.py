"""`reconciler leads` over real HTTP against the emulator: validation before the first call,
skips with reasons, windows, confirmation, and never a number imported twice — across a
re-run, a lost answer, an interruption and a killed process."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
from clirun import run_cli

from reconciler.emulator import EmulatorServer
from reconciler.emulator.seed import apply_seed

IMPORT = "/v3/autocall/import"
NOW = "2026-05-04 10:00:00"  # a Monday, tenant time
HOUR = 3600 * 10**9
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
EVERY_DAY_8_TO_21 = [{key: value for day in DAYS for key, value in (
    (f"{day}_start_time", 8 * HOUR), (f"{day}_end_time", 21 * HOUR))}]
SEED = {
    "campaigns": [
        {"campaign_name": "Debt", "template": "thong_bao_no_cuoc_01",
         "schedules": EVERY_DAY_8_TO_21},
        {"campaign_name": "Promo", "template": "thong_bao_no_cuoc_01_en"},
        {"campaign_name": "OtherAd"},
    ],
    "calls": [
        {"campaign": "OtherAd", "phone": "0912000001", "time": "2026-05-04 08:00:00"},
        {"campaign": "OtherAd", "phone": "0912000002", "time": "2026-05-03 09:00:00"},
    ],
}
MANIFEST = """\
campaigns:
  - campaign_name: Debt
  - campaign_name: Promo
    labels: {purpose: advertising}
  - campaign_name: OtherAd
    labels: {purpose: advertising}
"""
HEADER = "phone_number,customer_name,due_amount,due_date\n"


@pytest.fixture
def tenant(api_env: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    apply_seed(api_env.store, SEED)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RECONCILER_NOW", NOW)
    monkeypatch.setenv("RECONCILER_RETRY_BACKOFF", "0.001")
    (tmp_path / "m.yaml").write_text(MANIFEST, encoding="utf-8")
    api_env.requests.clear()
    return api_env


def imported(server: EmulatorServer, name: str) -> list[str]:
    """The numbers the campaign's import endpoint took, in order (repeats included)."""
    uuid = server.store.campaign_uuid_by_name(name)
    return [call["phone_number"] for call in server.store.calls(uuid)]


def import_posts(server: EmulatorServer) -> list:
    return [entry for entry in server.write_requests() if entry[1] == IMPORT]


def debt_rows(count: int, start: int = 0) -> str:
    return "".join(f"09{start + index:08d},Khách {index},{100000 + index},30/01/2027\n"
                   for index in range(count))


def results(path: str) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_problem_is_located_before_the_first_call(tenant, tmp_path):
    (tmp_path / "calls.csv").write_text(
        "\ufeff" + HEADER
        + "+84 912 345 678,Nguyễn Văn A,10.410.000 đ,30/01/2027\n"
        + "0912.345.678,B,100,30/01/2027\n"
        + "0987,C,100,30/01/2027\n"
        + "0933111222,,100,31/02/2027\n",
        encoding="utf-8",
    )
    result = run_cli("leads", "Debt", "calls.csv", "--yes")
    assert result.code == 1
    assert result.stderr.splitlines()[:6] == [
        "calls.csv:2:30: due_amount: '10.410.000 đ' is read digit by digit: write the amount "
        "as plain digits, '10410000' (--normalize rewrites it)",
        "calls.csv:3:1: the same number as line 2 (0912345678): each number is called once",
        "calls.csv:4:1: '0987' is not a Vietnamese phone number (10 digits 03x/05x/07x/08x/09x, "
        "or 11 digits 02x; +84 or 84 in front is fine)",
        "calls.csv:5:12: customer_name is empty: the template reads {{customer_name}} aloud",
        "calls.csv:5:17: due_date: '31/02/2027' is not a real date (day 31, month 2, year 2027)",
        "5 errors in 1 file.",
    ]
    assert import_posts(tenant) == [] and not (tmp_path / "calls.csv.journal").exists()


def test_a_missing_placeholder_column_refuses_the_file(tenant, tmp_path):
    (tmp_path / "calls.csv").write_text("phone_number,customer_name\n0912345678,A\n",
                                        encoding="utf-8")
    result = run_cli("leads", "Debt", "calls.csv", "--yes")
    assert result.code == 1
    assert ("calls.csv:1:1: the campaign's template reads {{due_amount}}, {{due_date}}: add "
            "columns due_amount, due_date (every row needs a value)") in result.stderr
    assert import_posts(tenant) == []


def test_dry_run_shows_what_would_be_pushed_and_skipped_and_sends_nothing(tenant, tmp_path):
    (tmp_path / "calls.csv").write_text(
        HEADER + debt_rows(3) + "0987,C,100,30/01/2027\n" + "0912000009,D,1.500.000đ,1-2-2027\n",
        encoding="utf-8")
    (tmp_path / "dnc.txt").write_text("phone_number\n+84 900 000 001\n", encoding="utf-8")
    result = run_cli("leads", "Debt", "calls.csv", "--dry-run", "--exclude", "dnc.txt",
                     "--skip-invalid", "--normalize")
    assert result.code == 0, result.output
    out = result.stdout
    assert "calls.csv: 5 rows. Would push 3 to Debt" in out
    assert "  2 values normalised (--normalize)." in out
    assert "  skipped: 1\n    line 3 *******001: on the do-not-call list (--exclude line 2)" in out
    assert "  invalid: 1\n    line 5: '0987' is not a Vietnamese phone number" in out
    assert "  + line 6 *******009: customer_name=D, due_amount=1500000, due_date=01/02/2027" in out
    assert out.endswith("Dry run: nothing was sent.\n")
    assert tenant.write_requests() == [] and not (tmp_path / "calls.csv.journal").exists()


def test_no_terminal_and_no_yes_sends_nothing(tenant, tmp_path):
    (tmp_path / "calls.csv").write_text(HEADER + debt_rows(2), encoding="utf-8")
    result = run_cli("leads", "Debt", "calls.csv")
    assert result.code == 1
    assert "no terminal to confirm on: pass --yes" in result.stderr
    assert import_posts(tenant) == [] and not (tmp_path / "calls.csv.journal").exists()


def test_a_push_sends_each_row_once_and_a_rerun_sends_nothing(tenant, tmp_path):
    (tmp_path / "calls.csv").write_text(HEADER + debt_rows(20), encoding="utf-8")
    result = run_cli("leads", "Debt", "calls.csv", "--yes", "--rate", "100")
    assert result.code == 0, result.output
    assert "Push complete: 20 sent. Results: calls.csv.results.csv" in result.stdout
    assert sorted(imported(tenant, "Debt")) == [f"09{index:08d}" for index in range(20)]
    rows = results("calls.csv.results.csv")
    assert [row["row"] for row in rows] == [str(line) for line in range(2, 22)]
    assert {row["outcome"] for row in rows} == {"sent"}
    store_calls = {call["cdr_uuid"]: call for call in tenant.store.calls()}
    for row in rows:  # the ids the API answered, as the emulator stored them
        assert store_calls[row["call_id"]]["lead_uuid"] == row["lead_uuid"]
        assert store_calls[row["call_id"]]["params"]["due_date"] == "30/01/2027"
    # A CI retry of the same command: every row is already sent, nothing goes out.
    tenant.requests.clear()
    again = run_cli("leads", "Debt", "calls.csv", "--yes")
    assert again.code == 0, again.output
    assert "Push complete: 20 skipped." in again.stdout
    assert "already sent (line 2 on " in again.stdout
    assert import_posts(tenant) == []
    # `status` sees the calls the push made.
    status = run_cli("status", "m.yaml", "--format", "json")
    import json

    report = {row["campaign_name"]: row for row in json.loads(status.stdout)["campaigns"]}
    assert report["Debt"]["calls"]["total"] == 20


def test_advertising_skips_numbers_called_in_the_last_24_hours_and_do_not_call(tenant, tmp_path):
    (tmp_path / "calls.csv").write_text(
        "phone_number,customer_name,due_amount\n"
        "0912000001,A,100\n"  # OtherAd called it at 08:00 today
        "84912000002,B,100\n"  # OtherAd called it 25 h ago: allowed
        "0912000003,C,100\n"
        "0912000004,D,100\n",
        encoding="utf-8")
    (tmp_path / "dnc.txt").write_text("0912 000 004\n", encoding="utf-8")
    result = run_cli("leads", "Promo", "calls.csv", "--manifests", "m.yaml", "--yes",
                     "--exclude", "dnc.txt", "--rate", "100")
    assert result.code == 0, result.output
    assert sorted(imported(tenant, "Promo")) == ["0912000002", "0912000003"]
    outcome = {row["number"]: (row["outcome"], row["detail"]) for row in results(
        "calls.csv.results.csv")}
    assert outcome["0912000001"] == (
        "skipped", "called in the last 24 h by an advertising campaign (OtherAd, 2026-05-04 "
        "08:00:00 +07:00): Decree 91 allows one a day")
    assert outcome["0912000004"] == ("skipped", "on the do-not-call list (--exclude line 1)")
    assert "Push complete: 2 sent, 2 skipped." in result.stdout


def test_without_the_advertising_label_the_24_hour_rule_does_not_apply(tenant, tmp_path):
    (tmp_path / "calls.csv").write_text("phone_number,customer_name,due_amount\n"
                                        "0912000001,A,100\n", encoding="utf-8")
    result = run_cli("leads", "Promo", "calls.csv", "--yes")
    assert result.code == 0, result.output
    assert "no manifest declares the campaign" in result.stderr
    assert imported(tenant, "Promo") == ["0912000001"]


def test_advertising_outside_8_to_17_is_refused_or_waits_for_the_next_window(
        tenant, tmp_path, monkeypatch):
    (tmp_path / "calls.csv").write_text("phone_number,customer_name,due_amount\n"
                                        "0912000003,A,100\n", encoding="utf-8")
    monkeypatch.setenv("RECONCILER_NOW", "2026-05-04 17:30:00")
    refused = run_cli("leads", "Promo", "calls.csv", "--manifests", "m.yaml", "--yes")
    assert refused.code == 1
    assert ("error: outside the calling window at 2026-05-04 17:30:00 +07:00: Decree 91/2020 "
            "(advertising calls 08:00-17:00): monday 08:00-17:00; the next window opens "
            "2026-05-05 08:00:00 +07:00. Pass --at-next-window to wait for it (nothing was "
            "sent)") in refused.stderr
    assert import_posts(tenant) == []
    dry = run_cli("leads", "Promo", "calls.csv", "--manifests", "m.yaml", "--dry-run")
    assert dry.code == 1 and "a push now would be refused" in dry.stderr
    waited = run_cli("leads", "Promo", "calls.csv", "--manifests", "m.yaml", "--yes",
                     "--at-next-window")
    assert waited.code == 0, waited.output
    assert "waiting until 2026-05-05 08:00:00 +07:00" in waited.stderr
    assert imported(tenant, "Promo") == ["0912000003"]


def test_the_campaigns_own_schedule_is_a_window_too(tenant, tmp_path, monkeypatch):
    (tmp_path / "calls.csv").write_text(HEADER + debt_rows(1), encoding="utf-8")
    monkeypatch.setenv("RECONCILER_NOW", "2026-05-04 22:00:00")
    result = run_cli("leads", "Debt", "calls.csv", "--yes")
    assert result.code == 1
    assert "the campaign's schedules: monday 08:00-21:00" in result.stderr
    assert import_posts(tenant) == []


def test_an_answer_lost_after_the_import_is_found_in_the_lead_report(tenant, tmp_path):
    (tmp_path / "calls.csv").write_text(HEADER + debt_rows(3), encoding="utf-8")
    tenant.faults.drop("POST", f"^{IMPORT}$", when="after", times=1)
    result = run_cli("leads", "Debt", "calls.csv", "--yes", "--parallel", "1", "--rate", "100")
    assert result.code == 0, result.output
    assert sorted(imported(tenant, "Debt")) == [f"09{index:08d}" for index in range(3)]
    first = results("calls.csv.results.csv")[0]
    assert (first["outcome"], first["detail"]) == ("sent", "answer lost; found in the lead report")
    assert first["lead_uuid"] in {call["lead_uuid"] for call in tenant.store.calls()}


def test_an_unclear_answer_is_never_sent_again_until_a_person_decides(tenant, tmp_path):
    (tmp_path / "calls.csv").write_text(HEADER + debt_rows(3), encoding="utf-8")
    tenant.faults.drop("POST", f"^{IMPORT}$", when="before", times=1)
    result = run_cli("leads", "Debt", "calls.csv", "--yes", "--parallel", "1", "--rate", "100")
    assert result.code == 1
    assert "Push incomplete: 2 sent, 1 unclear." in result.stderr
    assert "line 2 *******000: unclear: POST " in result.stderr
    assert sorted(imported(tenant, "Debt")) == ["0900000001", "0900000002"]
    # A retry (CI, a person pressing up-enter) does not send it blindly.
    again = run_cli("leads", "Debt", "calls.csv", "--yes")
    assert again.code == 1
    assert "1 row left unclear by an earlier run: 0 found in the lead report" in again.stderr
    assert "unclear since an earlier run" in again.stdout
    assert len(imported(tenant, "Debt")) == 2
    decided = run_cli("leads", "Debt", "calls.csv", "--yes", "--resend-unclear")
    assert decided.code == 0, decided.output
    assert Counter(imported(tenant, "Debt")) == Counter(
        {"0900000000": 1, "0900000001": 1, "0900000002": 1})


def _subprocess_env(server: EmulatorServer) -> dict[str, str]:
    env = {**os.environ, "RECONCILER_API_URL": server.url, "RECONCILER_TOKEN": server.token,
           "RECONCILER_NOW": NOW, "RECONCILER_RETRY_BACKOFF": "0.001"}
    env.pop("RECONCILER_API_KEY", None)
    env.pop("RECONCILER_CONFIG", None)
    return env


def _push_in_subprocess(server: EmulatorServer, tmp_path: Path,
                        on_import: dict[int, object], parallel: int = 2,
                        ) -> subprocess.CompletedProcess:
    """Run a push; when the emulator receives import number N, call `on_import[N](process)`
    (before the request is read: it may queue a fault for it, or signal the client)."""
    seen = [0]
    lock = threading.Lock()
    holder: dict[str, subprocess.Popen] = {}

    def hook(method: str, path: str) -> None:
        if method == "POST" and path == IMPORT:
            with lock:
                seen[0] += 1
                action = on_import.get(seen[0])
                if action is not None:
                    action(holder["process"])

    server.request_hook = hook
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "reconciler", "leads", "Debt", "calls.csv", "--yes",
             "--rate", "100", "--parallel", str(parallel)],
            cwd=tmp_path, env=_subprocess_env(server), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
        )
        holder["process"] = process
        out, err = process.communicate(timeout=120)
    finally:
        server.request_hook = None
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def test_an_interrupted_push_resumes_without_a_single_duplicate(tenant, tmp_path):
    (tmp_path / "calls.csv").write_text(HEADER + debt_rows(120), encoding="utf-8")
    first = _push_in_subprocess(
        tenant, tmp_path, {30: lambda process: process.send_signal(signal.SIGINT)})
    assert first.returncode == 130, first.stderr
    assert "SIGINT received" in first.stderr
    assert "Push interrupted by SIGINT:" in first.stderr
    done = len(imported(tenant, "Debt"))
    assert 30 <= done < 120
    tallies = Counter(row["outcome"] for row in results(str(tmp_path / "calls.csv.results.csv")))
    assert tallies["sent"] == done and tallies["not attempted"] == 120 - done
    resumed = run_cli("leads", "Debt", "calls.csv", "--yes", "--rate", "100")
    assert resumed.code == 0, resumed.output
    assert f"Push complete: {120 - done} sent, {done} skipped." in resumed.stdout
    numbers = imported(tenant, "Debt")
    assert len(numbers) == 120 and len(set(numbers)) == 120


def test_a_killed_push_resumes_settling_what_it_can_and_never_resending_blindly(
        tenant, tmp_path):
    """Import 20 is made but its answer lost; the client is killed (SIGKILL: no handler,
    no cleanup) with import 21 on the wire, which the server never processes."""
    (tmp_path / "calls.csv").write_text(HEADER + debt_rows(60), encoding="utf-8")

    def lose_the_answer(_process: subprocess.Popen) -> None:
        tenant.faults.drop("POST", f"^{IMPORT}$", when="after")

    def kill(process: subprocess.Popen) -> None:
        process.kill()
        tenant.faults.drop("POST", f"^{IMPORT}$", when="before")

    first = _push_in_subprocess(tenant, tmp_path, {20: lose_the_answer, 21: kill}, parallel=1)
    assert first.returncode == -signal.SIGKILL
    assert imported(tenant, "Debt") == [f"09{index:08d}" for index in range(20)]
    journal = (tmp_path / "calls.csv.journal").read_text(encoding="utf-8").splitlines()
    assert '"state": "unclear", "line": 21, "phone_number": "0900000019"' in journal[-2]
    assert '"state": "sending", "line": 22, "phone_number": "0900000020"' in journal[-1]
    resumed = run_cli("leads", "Debt", "calls.csv", "--yes", "--rate", "100")
    assert resumed.code == 1
    assert ("2 rows left unclear by an earlier run: 1 found in the lead report (sent), "
            "1 not found.") in resumed.stderr
    assert "Push incomplete: 39 sent, 20 skipped, 1 unclear." in resumed.stderr
    numbers = imported(tenant, "Debt")
    assert len(numbers) == 59 and len(set(numbers)) == 59 and "0900000020" not in numbers
    decided = run_cli("leads", "Debt", "calls.csv", "--yes", "--resend-unclear")
    assert decided.code == 0, decided.output
    numbers = imported(tenant, "Debt")
    assert len(numbers) == 60 and len(set(numbers)) == 60
