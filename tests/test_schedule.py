"""Human schedules ⇄ API nanoseconds: exact conversion, canonical form, every error."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciler.fields import DAYS, SCHEDULE_KEYS
from reconciler.manifest.schedule import (
    NS_PER_DAY,
    NS_PER_HOUR,
    NS_PER_MINUTE,
    NS_PER_SECOND,
    SHORT_DAYS,
    ScheduleError,
    format_ns,
    parse_time,
    to_api,
    to_human,
)

H = NS_PER_HOUR
M = NS_PER_MINUTE


def api_entry(**days: tuple[int, int]) -> dict[str, int]:
    """An API schedule object with the given day windows, every other day 0-0."""
    entry = dict.fromkeys(SCHEDULE_KEYS, 0)
    for day, (start, end) in days.items():
        entry[f"{day}_start_time"] = start
        entry[f"{day}_end_time"] = end
    return entry


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")


# --- times --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ns"),
    [
        ("00:00", 0),
        ("08:00", 28_800_000_000_000),
        ("21:00", 75_600_000_000_000),
        ("8:00", 8 * H),
        ("13:30", 13 * H + 30 * M),
        ("08:00:30", 8 * H + 30 * NS_PER_SECOND),
        ("23:59:59", NS_PER_DAY - NS_PER_SECOND),
        ("24:00", NS_PER_DAY),
        ("24:00:00", NS_PER_DAY),
        ("00:00:00.5", NS_PER_SECOND // 2),
        ("00:00:00.000000001", 1),
    ],
)
def test_parse_time(text: str, ns: int) -> None:
    assert parse_time(text) == ns


@pytest.mark.parametrize(
    ("ns", "text"),
    [
        (0, "00:00"),
        (28_800_000_000_000, "08:00"),
        (NS_PER_DAY, "24:00"),
        (8 * H + 30 * NS_PER_SECOND, "08:00:30"),
        (8 * H + NS_PER_SECOND // 4, "08:00:00.25"),
        (1, "00:00:00.000000001"),
        (-H, "-01:00"),
    ],
)
def test_format_ns(ns: int, text: str) -> None:
    assert format_ns(ns) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("25:00", "'25:00' is not a time: hours go from 00 to 23 (24:00 ends a day)"),
        ("24:01", "'24:01' is not a time: hours go from 00 to 23 (24:00 ends a day)"),
        ("12:60", "'12:60' is not a time: minutes go from 00 to 59"),
        ("12:00:60", "'12:00:60' is not a time: seconds go from 00 to 59"),
        ("12:5", "'12:5' is not a time; write minutes and seconds with two digits"),
        ("8h", "'8h' is not a time; expected HH:MM or HH:MM:SS"),
        ("", "'' is not a time; expected HH:MM or HH:MM:SS"),
        (None, "expected a time like 08:00, got an empty value (null)"),
        (True, "expected a time like 08:00, got the boolean true"),
    ],
)
def test_parse_time_errors(text: object, message: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_time(text)
    assert caught.value.message == message


def test_a_time_read_as_a_base_60_number_is_never_guessed() -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_time(1260)  # what YAML 1.1 makes of an unquoted 21:00
    assert "got the number 1260" in caught.value.message
    assert 'quote the value, e.g. "08:00-21:00"' in caught.value.message


# --- to_api -------------------------------------------------------------------------------


def test_to_api_the_documented_example() -> None:
    api = to_api([{"mon-fri": "08:00-12:00", "sat": "08:30-11:15"}, {"mon-fri": "13:30-20:45"}])
    morning = {day: (8 * H, 12 * H) for day in WEEKDAYS}
    afternoon = {day: (13 * H + 30 * M, 20 * H + 45 * M) for day in WEEKDAYS}
    assert api == [
        api_entry(**morning, saturday=(8 * H + 30 * M, 11 * H + 15 * M)),
        api_entry(**afternoon),
    ]
    assert list(api[0]) == list(SCHEDULE_KEYS)


@pytest.mark.parametrize(
    ("key", "days"),
    [
        ("monday", ("monday",)),
        ("sun", ("sunday",)),
        ("mon-fri", WEEKDAYS),
        ("monday-friday", WEEKDAYS),
        ("tue-thursday", ("tuesday", "wednesday", "thursday")),
        ("sat-sun", ("saturday", "sunday")),
        ("daily", DAYS),
    ],
)
def test_day_keys(key: str, days: tuple[str, ...]) -> None:
    window = (9 * H, 17 * H)
    assert to_api([{key: "09:00-17:00"}]) == [api_entry(**dict.fromkeys(days, window))]


@pytest.mark.parametrize(
    "value", ["08:00-12:00", "08:00 - 12:00", " 08:00-12:00 ", "8:00-12:00", "08:00:00-12:00:00"]
)
def test_window_spellings(value: str) -> None:
    assert to_api([{"mon": value}]) == [api_entry(monday=(8 * H, 12 * H))]


def test_whole_day_and_empty_entries() -> None:
    assert to_api([{"daily": "00:00-24:00"}]) == [api_entry(**dict.fromkeys(DAYS, (0, NS_PER_DAY)))]
    assert to_api([{}]) == [api_entry()]
    assert to_api([]) == []
    assert to_api(None) == []


@pytest.mark.parametrize(
    ("entries", "path", "message"),
    [
        (
            [{"mon": "12:00-08:00"}],
            (0, "mon"),
            "'12:00-08:00' ends before it starts; one window cannot cross midnight: for an "
            'overnight window, split it at midnight into "12:00-24:00" on this day and '
            '"00:00-08:00" on the next',
        ),
        (
            [{"mon": "08:00-08:00"}],
            (0, "mon"),
            "'08:00-08:00' is empty: the end must be after the start",
        ),
        (
            [{"mon": "24:00-24:00"}],
            (0, "mon"),
            "'24:00-24:00' starts at 24:00; 24:00 is allowed only as an end",
        ),
        (
            [{"mon": "25:00-26:00"}],
            (0, "mon"),
            "'25:00' is not a time: hours go from 00 to 23 (24:00 ends a day)",
        ),
        ([{"mon": "12:60-13:00"}], (0, "mon"), "'12:60' is not a time: minutes go from 00 to 59"),
        ([{"mon": "08:00"}], (0, "mon"), "'08:00' is not a time range; expected \"HH:MM-HH:MM\""),
        (
            [{"mon": "08:00-10:00-12:00"}],
            (0, "mon"),
            "'08:00-10:00-12:00' is not a time range; expected \"HH:MM-HH:MM\"",
        ),
        (
            [{"mnday": "08:00-09:00"}],
            (0, "mnday"),
            "unknown day 'mnday' (did you mean 'monday'?); expected monday..sunday, mon..sun, "
            "a range like mon-fri, or daily",
        ),
        (
            [{"Mon": "08:00-09:00"}],
            (0, "Mon"),
            "unknown day 'Mon' (did you mean 'mon'?); expected monday..sunday, mon..sun, "
            "a range like mon-fri, or daily",
        ),
        (
            [{"weekdays": "08:00-09:00"}],
            (0, "weekdays"),
            "unknown day 'weekdays' (did you mean 'mon-fri'?); expected monday..sunday, "
            "mon..sun, a range like mon-fri, or daily",
        ),
        (
            [{"mon-fry": "08:00-09:00"}],
            (0, "mon-fry"),
            "unknown day 'fry' in range 'mon-fry' (did you mean 'fri'?); expected "
            "monday..sunday, mon..sun, a range like mon-fri, or daily",
        ),
        (
            [{"mon-": "08:00-09:00"}],
            (0, "mon-"),
            "'mon-' is not a day range; expected two days, e.g. mon-fri",
        ),
        (
            [{"mon-wed-fri": "08:00-09:00"}],
            (0, "mon-wed-fri"),
            "'mon-wed-fri' is not a day range; expected two days, e.g. mon-fri",
        ),
        (
            [{"fri-mon": "08:00-09:00"}],
            (0, "fri-mon"),
            "day range 'fri-mon' runs backwards; ranges go from monday to sunday and do not "
            "wrap (write 'fri-sun' and 'mon')",
        ),
        (
            [{"mon-mon": "08:00-09:00"}],
            (0, "mon-mon"),
            "day range 'mon-mon' names one day; write 'mon'",
        ),
        (
            [{"mon-fri": "08:00-09:00", "wed": "10:00-11:00"}],
            (0, "wed"),
            "wednesday is named twice in one entry ('mon-fri' and 'wed'); put a second window "
            "in another entry",
        ),
        (
            [{"daily": "08:00-09:00", "sunday": "10:00-11:00"}],
            (0, "sunday"),
            "sunday is named twice in one entry ('daily' and 'sunday'); put a second window "
            "in another entry",
        ),
        (
            [{"mon": "08:00-09:00"}, "tue 08:00-09:00"],
            (1,),
            'each schedule entry must be a mapping of days to "HH:MM-HH:MM", got the string '
            "'tue 08:00-09:00'",
        ),
        (
            [{"mon": ["08:00-09:00"]}],
            (0, "mon"),
            'expected a time range like "08:00-12:00", got a list',
        ),
    ],
)
def test_to_api_errors(entries: list, path: tuple, message: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        to_api(entries)
    assert (caught.value.path, caught.value.message) == (path, message)
    assert str(caught.value).endswith(message)


def test_to_api_reports_every_problem_at_once() -> None:
    with pytest.raises(ScheduleError) as caught:
        to_api([{"mon": "25:00-26:00", "tue": "08:00-09:00"}, {"sun": "x", "sat": "1-2"}])
    assert [problem.path for problem in caught.value.problems] == [
        (0, "mon"),
        (1, "sun"),
        (1, "sat"),
    ]
    assert str(caught.value).startswith("[0].mon: '25:00' is not a time")


def test_to_api_rejects_a_non_list() -> None:
    with pytest.raises(ScheduleError, match="schedules must be a list of entries, got a mapping"):
        to_api({"mon": "08:00-09:00"})  # type: ignore[arg-type]


# --- to_human -----------------------------------------------------------------------------


def test_to_human_groups_consecutive_days() -> None:
    weekday = (8 * H, 12 * H)
    api = [
        api_entry(**dict.fromkeys(WEEKDAYS, weekday), saturday=(8 * H + 30 * M, 11 * H + 15 * M)),
        api_entry(**dict.fromkeys(DAYS, (0, NS_PER_DAY))),
        api_entry(monday=weekday, wednesday=weekday, saturday=weekday, sunday=weekday),
        api_entry(tuesday=(8 * H + 30 * NS_PER_SECOND, 9 * H)),
        api_entry(),
    ]
    assert to_human(api) == [
        {"mon-fri": "08:00-12:00", "sat": "08:30-11:15"},
        {"daily": "00:00-24:00"},
        {"mon": "08:00-12:00", "wed": "08:00-12:00", "sat-sun": "08:00-12:00"},
        {"tue": "08:00:30-09:00"},
        {},
    ]


def test_to_human_orders_keys_by_first_day_and_splits_changed_windows() -> None:
    api = [api_entry(monday=(9 * H, 10 * H), tuesday=(8 * H, 12 * H), wednesday=(8 * H, 12 * H))]
    human = to_human(api)
    assert human == [{"mon": "09:00-10:00", "tue-wed": "08:00-12:00"}]
    assert list(human[0]) == ["mon", "tue-wed"]


def test_to_human_ignores_server_keys_and_tolerates_missing_or_null_days() -> None:
    detail = {
        "id": "885a7085-0404-484f-9c8f-3dd19c04bc8f",
        "domain_uuid": "b6b796aa-370f-4f57-8f44-5c82414c652b",
        "campaign_uuid": "853b76cc-bffb-4d1b-9f9e-19b1a0fe7894",
        "monday_start_time": 28_800_000_000_000,
        "monday_end_time": 75_600_000_000_000,
        "tuesday_start_time": None,
    }
    assert to_human([detail]) == [{"mon": "08:00-21:00"}]
    assert to_human(None) == []
    assert to_human([]) == []


# --- round trip (property) ----------------------------------------------------------------

SECONDS_PER_DAY = 24 * 60 * 60


@st.composite
def windows(draw: st.DrawFn) -> tuple[int, int]:
    """A valid window in nanoseconds: whole seconds mostly, sometimes a fraction."""
    start = draw(st.integers(0, SECONDS_PER_DAY - 1)) * NS_PER_SECOND
    end = draw(st.integers(start // NS_PER_SECOND + 1, SECONDS_PER_DAY)) * NS_PER_SECOND
    if draw(st.booleans()) and end < NS_PER_DAY:
        end += draw(st.integers(0, NS_PER_SECOND - 1))
    return start, end


def _time_text(draw: st.DrawFn, ns: int) -> str:
    text = format_ns(ns)
    if ns % M == 0 and draw(st.booleans()):
        text += ":00"  # the same time, spelled with seconds
    if text.startswith("0") and draw(st.booleans()):
        text = text[1:]  # 8:00 for 08:00
    return text


@st.composite
def human_entries(draw: st.DrawFn) -> dict[str, str]:
    """One valid human entry: disjoint runs of days, each under some spelling of its key."""
    entry: dict[str, str] = {}
    day = draw(st.integers(0, 6))
    while day < 7:
        last = draw(st.integers(day, 6))
        names = [(DAYS[day], DAYS[last]), (SHORT_DAYS[day], SHORT_DAYS[last])]
        first_name, last_name = draw(st.sampled_from(names))
        if day == last:
            key = first_name
        elif day == 0 and last == 6 and draw(st.booleans()):
            key = "daily"
        else:
            key = f"{first_name}-{draw(st.sampled_from([last_name, DAYS[last], SHORT_DAYS[last]]))}"
        start, end = draw(windows())
        dash = draw(st.sampled_from(["-", " - "]))
        entry[key] = f"{_time_text(draw, start)}{dash}{_time_text(draw, end)}"
        day = last + 1 + draw(st.integers(0, 2))
    return entry


@given(st.lists(human_entries(), max_size=4))
def test_round_trip_human(entries: list[dict[str, str]]) -> None:
    api = to_api(entries)
    assert to_api(to_human(api)) == api
    assert to_human(to_api(to_human(api))) == to_human(api)  # canonical form is a fixed point


@given(st.lists(st.lists(st.one_of(st.just((0, 0)), windows()), min_size=7, max_size=7)))
def test_round_trip_api(objects: list[list[tuple[int, int]]]) -> None:
    api = [api_entry(**dict(zip(DAYS, days, strict=True))) for days in objects]
    assert to_api(to_human(api)) == api


@given(st.integers(0, NS_PER_DAY))
def test_parse_time_inverts_format_ns(ns: int) -> None:
    assert parse_time(format_ns(ns)) == ns
