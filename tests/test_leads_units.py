"""The pure parts of `reconciler leads`: phone numbers, TTS value forms, the located CSV
reader, validation, calling windows, and the journal a re-run resumes from."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciler.leads import compliance, csvread, journal, phone, rows, values
from reconciler.leads.clock import FixedClock, from_env
from reconciler.operations.window import TENANT_TZ

# ---- phone numbers -----------------------------------------------------------------------

MOBILE = st.builds(
    lambda prefix, rest: f"0{prefix}{rest}",
    st.sampled_from("35789"),
    st.text("0123456789", min_size=8, max_size=8),
)


def _spaced(number: str, separators: list[str]) -> str:
    groups = [number[:4], number[4:7], number[7:]]
    return groups[0] + separators[0] + groups[1] + separators[1] + groups[2]


@given(MOBILE, st.sampled_from(["", "+84", "84", "0084", "+84 ", "(+84)"]),
       st.lists(st.sampled_from(["", " ", ".", "-", "\u00a0"]), min_size=2, max_size=2))
def test_every_way_of_writing_a_mobile_number_is_the_same_number(number, prefix, seps):
    body = number[1:] if prefix else number
    written = prefix + _spaced(body, seps) if prefix else _spaced(number, seps)
    assert phone.normalise(written) == (number, "")


@given(MOBILE)
def test_a_spreadsheet_that_dropped_the_leading_zero_is_read_back(number):
    assert phone.normalise(number[1:]) == (number, "")


@given(st.text(max_size=20))
def test_normalisation_gives_the_sent_form_or_a_reason_and_is_idempotent(text):
    number, why = phone.normalise(text)
    if number is None:
        assert why
    else:
        assert phone.is_normal(number) and why == ""
        assert phone.normalise(number) == (number, "")


@pytest.mark.parametrize("text", ["0987", "+1 555 0100", "01234567890", "0612345678", "abc",
                                  "09123456789", ""])
def test_what_is_not_a_vietnamese_number_is_refused_with_a_reason(text):
    number, why = phone.normalise(text)
    assert number is None and why


def test_landlines_are_eleven_digits():
    assert phone.normalise("(024) 3825 1234") == ("02438251234", "")


# ---- TTS value forms (vendor page: "10410000", "dd/mm/yyyy" or "yyyy-mm-dd") --------------


@pytest.mark.parametrize(("column", "value", "normalised"), [
    ("due_amount", "10.410.000 đ", "10410000"),
    ("due_amount", "1,500,000 VND", "1500000"),
    ("note", "10.410.000", "10410000"),
    ("note", "150000đ", "150000"),
    ("due_date", "30-01-2021", "30/01/2021"),
    ("due_date", "30.1.2021", "30/01/2021"),
    ("due_date", "2021/1/30", "2021-01-30"),
])
def test_misread_forms_are_refused_and_normalize_rewrites_them(column, value, normalised):
    kept, why = values.check(column, value)
    assert kept == value and "--normalize rewrites it" in why and repr(normalised) in why
    assert values.check(column, value, normalize=True) == (normalised, "")


@pytest.mark.parametrize(("column", "value"), [
    ("due_amount", "10410000"), ("due_date", "30/01/2021"), ("due_date", "2021-01-30"),
    ("customer_name", "Nguyễn Văn A"), ("code", "#15"), ("sdt", "0 9 8 7 6 5 4 3 2 1"),
    ("sdt", "0912.345.678"), ("version", "1.234"),
])
def test_the_forms_the_tts_reads_pass_untouched(column, value):
    assert values.check(column, value) == (value, "")
    assert values.check(column, value, normalize=True) == (value, "")


@pytest.mark.parametrize(("column", "value", "needle"), [
    ("due_date", "31/02/2021", "not a real date"),
    ("due_date", "ngày mai", "is read as a date"),
    ("due_amount", "mười triệu", "is read as money"),
])
def test_what_cannot_be_rewritten_is_refused_even_with_normalize(column, value, needle):
    assert needle in values.check(column, value, normalize=True)[1]


# ---- the located CSV reader ------------------------------------------------------------------


def test_cells_are_located_by_line_and_character_column_through_quotes_and_a_bom():
    text = csvread.decode('\ufeffphone_number,name\r\n0912345678,"Trần, B"\r\n\r\n'
                          '"09""1",x\n'.encode())
    table = csvread.parse(text)
    assert [cell.text for cell in table.header] == ["phone_number", "name"]
    first, second = table.records
    assert (first.line, [(c.text, c.line, c.column) for c in first.cells]) == (
        2, [("0912345678", 2, 1), ("Trần, B", 2, 12)])
    assert second.line == 4 and second.cells[0].text == '09"1'


def test_semicolons_are_the_delimiter_when_the_header_uses_them():
    assert csvread.parse("phone_number;name\n1;2\n").records[0].cells[1].column == 3


def test_bytes_that_are_not_utf8_are_located():
    with pytest.raises(csvread.CsvError) as caught:
        csvread.decode(b"phone_number\n09,Tr" + b"\xe1n\n")
    assert (caught.value.line, caught.value.column) == (2, 6)


def test_an_unclosed_quote_is_located_where_the_field_starts():
    with pytest.raises(csvread.CsvError) as caught:
        csvread.parse('phone_number,name\n0912345678,"open\n')
    assert (caught.value.line, caught.value.column) == (2, 12)


# ---- validation ----------------------------------------------------------------------------


def test_a_file_without_the_columns_the_template_reads_is_refused_as_a_whole():
    table = csvread.parse("sdt,customer_name\n0912345678,A\n")
    checked = rows.check(table, ["customer_name", "due_amount"])
    messages = [problem.located("f.csv") for problem in checked.file_problems]
    assert messages == [
        "f.csv:1:1: no phone_number column; rename 'sdt' to phone_number",
        "f.csv:1:1: the campaign's template reads {{due_amount}}: add a column due_amount "
        "(every row needs a value)",
    ]
    assert checked.leads == []


def test_rows_are_checked_each_and_every_problem_located():
    table = csvread.parse(
        "phone_number,customer_name,due_amount\n"
        "+84 912 345 678,A,100\n"
        "0912.345.678,B,100\n"
        "12,C,100\n"
        "0933111222,,10.000.000\n"
        "0933111223,D\n"
    )
    checked = rows.check(table, ["customer_name", "due_amount"])
    assert [lead.phone_number for lead in checked.leads] == ["0912345678"]
    assert [(p.line, p.column) for p in checked.problems] == [(3, 1), (4, 1), (5, 12), (5, 13),
                                                              (6, 12)]
    assert "the same number as line 2" in checked.problems[0].message


# ---- windows -------------------------------------------------------------------------------

MONDAY_10 = datetime(2026, 5, 4, 10, 0, tzinfo=TENANT_TZ)
HOUR_NS = 3600 * 10**9


def test_advertising_hours_and_the_campaigns_schedule_must_both_be_open():
    schedule = compliance.schedule_limit([{"monday_start_time": 9 * HOUR_NS,
                                           "monday_end_time": 21 * HOUR_NS}])
    limits = [schedule, compliance.advertising_limit()]
    assert compliance.closed_by(limits, MONDAY_10) == []
    evening = MONDAY_10.replace(hour=18)
    assert compliance.closed_by(limits, evening) == [limits[1]]
    # Tuesday has no schedule: the next window is next Monday at 09:00.
    assert compliance.next_open(limits, evening) == datetime(2026, 5, 11, 9, 0,
                                                             tzinfo=TENANT_TZ)
    assert compliance.closes_at(limits, MONDAY_10) == MONDAY_10.replace(hour=17)


def test_a_campaign_without_schedules_is_not_limited_by_them():
    assert compliance.schedule_limit([]) is None and compliance.schedule_limit(None) is None


def test_the_injected_clock_stands_still_and_jumps_when_waited_on():
    clock = from_env({"RECONCILER_NOW": "2026-05-04 10:00:00"})
    assert isinstance(clock, FixedClock) and clock.now() == MONDAY_10
    import threading

    assert clock.wait_until(MONDAY_10.replace(hour=12), threading.Event())
    assert clock.now().hour == 12


# ---- the journal ---------------------------------------------------------------------------


def test_a_resumed_journal_knows_what_was_sent_and_what_is_unclear(tmp_path):
    path = tmp_path / "calls.csv.journal"
    book = journal.Journal(path, "uuid-1", "Debt", "calls.csv")
    assert not path.exists()  # nothing is written before the first row
    book.record(journal.SENDING, 2, "0912345678")
    book.record(journal.SENT, 2, "0912345678", call_id="c1", lead_uuid="l1")
    book.record(journal.SENDING, 3, "0933111222")  # then the process died
    book.record(journal.SENDING, 4, "0933111223")
    book.record(journal.REFUSED, 4, "0933111223", error="400 bad")
    book.close()
    with path.open("ab") as handle:
        handle.write(b'{"state": "sent", "line": 3, "phone_nu')  # a write cut short
    again = journal.Journal(path, "uuid-1", "Debt", "calls.csv")
    assert again.sent()["0912345678"].call_id == "c1"
    assert list(again.unclear()) == ["0933111222"]
    assert again.entries["0933111223"].state == journal.REFUSED  # may be sent again
    header = json.loads(path.read_text().splitlines()[0])
    assert header["campaign_uuid"] == "uuid-1"


def test_a_journal_of_another_campaign_or_damaged_is_refused(tmp_path):
    path = tmp_path / "j"
    book = journal.Journal(path, "uuid-1", "Debt", "calls.csv")
    book.record(journal.SENDING, 2, "0912345678")
    book.close()
    with pytest.raises(journal.JournalError, match="not 'Promo'"):
        journal.Journal(path, "uuid-2", "Promo", "calls.csv")
    path.write_text(path.read_text() + "garbage\n" + path.read_text().splitlines()[1] + "\n")
    with pytest.raises(journal.JournalError, match=":3: not a journal line"):
        journal.Journal(path, "uuid-1", "Debt", "calls.csv")
