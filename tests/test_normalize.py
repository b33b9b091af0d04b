"""Normalisation: equal things compare equal, different things do not."""

from hypothesis import given
from hypothesis import strategies as st

from reconciler.fields import NETWORK_KEYS, RECALL_STATUSES, SCHEDULE_KEYS
from reconciler.plan.fingerprint import fingerprint
from reconciler.plan.normalize import canonical, display

HOUR = 3600 * 10**9


@given(st.permutations(RECALL_STATUSES))
def test_recall_status_order_carries_no_meaning(order):
    assert canonical("recall_status", list(order)) == canonical("recall_status", RECALL_STATUSES)


def test_recall_status_null_is_empty_and_differs_from_a_value():
    assert canonical("recall_status", None) == canonical("recall_status", [])
    assert canonical("recall_status", ["busy"]) != canonical("recall_status", [])


@given(st.dictionaries(st.sampled_from(NETWORK_KEYS), st.integers(0, 50)))
def test_network_omitted_keys_are_zero(partial):
    full = {key: partial.get(key, 0) for key in NETWORK_KEYS}
    assert canonical("network", partial) == canonical("network", full)
    assert display("network", partial) == full


def test_network_difference_is_seen():
    assert canonical("network", {"viettel": 1}) != canonical("network", {"viettel": 2})
    assert canonical("network", None) == canonical("network", {})


def _schedule(start_hour: int, end_hour: int, **server_keys: str) -> dict:
    entry = {key: 0 for key in SCHEDULE_KEYS}
    entry.update(monday_start_time=start_hour * HOUR, monday_end_time=end_hour * HOUR)
    entry.update(server_keys)
    return entry


def test_schedules_compare_by_day_fields_only_and_in_any_order():
    served = [_schedule(13, 17, id="x", domain_uuid="d", campaign_uuid="c"), _schedule(8, 12)]
    declared = [_schedule(8, 12), _schedule(13, 17)]
    assert canonical("schedules", served) == canonical("schedules", declared)
    assert canonical("schedules", served) != canonical("schedules", [_schedule(8, 12)])
    assert canonical("schedules", None) == canonical("schedules", [])


def test_strings_and_ints_treat_null_as_empty():
    assert canonical("callback_url", None) == canonical("callback_url", "")
    assert canonical("concurrent_call", None) == canonical("concurrent_call", 0)
    assert canonical("concurrent_call", 1) != canonical("concurrent_call", 2)


def test_display_shows_human_schedules_not_nanoseconds():
    shown = display("schedules", [_schedule(8, 12, id="x")])
    assert shown == [{"mon": "08:00-12:00"}]


def test_fingerprint_ignores_summary_fields_but_sees_everything_else():
    row = {"campaign_uuid": "u", "concurrent_call": 1, "schedules": None, "users": None}
    detail = {**row, "schedules": [_schedule(8, 12)], "users": []}
    assert fingerprint(row) == fingerprint(detail)
    assert fingerprint(row) != fingerprint({**row, "concurrent_call": 2})
