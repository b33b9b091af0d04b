"""Whole listings through the real client and emulator: capped pages, filters, odd servers."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from reconciler.api import ApiClient, ApiError
from reconciler.api.paging import collect
from reconciler.emulator import EmulatorServer


@pytest.fixture
def client(emulator: EmulatorServer) -> Iterator[ApiClient]:
    with ApiClient(emulator.url, token=emulator.token, backoff_factor=0.001) as api:
        yield api


def _seed(emulator: EmulatorServer, count: int, *, type_: str = "autocall", prefix: str = "C"):
    return emulator.store.add_campaigns(
        {"campaign_name": f"{prefix}{i:04d}", "type": type_} for i in range(count)
    )


def _list_queries(emulator: EmulatorServer, path: str) -> list[dict[str, list[str]]]:
    return [
        parse_qs(urlsplit(target).query)
        for method, target, _ in emulator.requests
        if method == "GET" and urlsplit(target).path == path
    ]


def test_pages_through_a_cap_below_the_requested_limit(emulator, client):
    uuids = _seed(emulator, 60)
    emulator.page_cap = 25

    rows = client.list_campaigns(page_size=100)

    assert sorted(row["campaign_uuid"] for row in rows) == sorted(uuids)
    queries = _list_queries(emulator, "/v3/campaign")
    assert [q["offset"] for q in queries] == [["0"], ["25"], ["50"]]
    assert all(q["limit"] == ["100"] for q in queries)


def test_reads_150_campaigns_and_every_row_once(emulator, client):
    uuids = _seed(emulator, 150)

    rows = client.list_campaigns()

    assert len(rows) == 150
    assert {row["campaign_uuid"] for row in rows} == set(uuids)
    assert len(_list_queries(emulator, "/v3/campaign")) == 2


def test_small_page_size_still_reads_everything(emulator, client):
    _seed(emulator, 23)
    rows = client.list_campaigns(page_size=5)
    assert len(rows) == 23
    assert len(_list_queries(emulator, "/v3/campaign")) == 5


def test_list_rows_are_summaries_and_details_carry_schedules(emulator, client):
    uuid = emulator.store.add_campaign({
        "campaign_name": "WithSchedule", "type": "autocall",
        "schedules": [{"monday_start_time": 28800000000000, "monday_end_time": 75600000000000}],
    })
    (row,) = client.list_campaigns()
    assert row["schedules"] is None
    assert client.get_campaign(uuid)["schedules"][0]["monday_start_time"] == 28800000000000


def test_type_filter(emulator, client):
    _seed(emulator, 12, type_="autocall", prefix="A")
    inbound = _seed(emulator, 7, type_="inbound", prefix="I")
    emulator.page_cap = 5

    rows = client.list_campaigns(type="inbound")

    assert sorted(row["campaign_uuid"] for row in rows) == sorted(inbound)
    assert all(q["type"] == ["inbound"] for q in _list_queries(emulator, "/v3/campaign"))
    assert len(client.list_campaigns()) == 19


def test_empty_tenant(client):
    assert client.list_campaigns() == []
    assert client.find_campaign_by_name("nothing") is None


def test_find_campaign_by_name_is_exact_and_pages(emulator, client):
    _seed(emulator, 40)
    emulator.store.add_campaign({"campaign_name": "Target", "type": "manual"})
    emulator.store.add_campaign({"campaign_name": "Target2", "type": "autocall"})
    emulator.page_cap = 10

    found = client.find_campaign_by_name("Target")

    assert found is not None and found["campaign_name"] == "Target"
    assert client.find_campaign_by_name("Targ") is None


def test_carriers_and_templates_page_too(emulator, client):
    for i in range(30):
        emulator.store.add_carrier(f"Pool{i:02d}")
    emulator.page_cap = 10

    carriers = client.list_carriers()
    templates = client.list_templates()

    names = {row["carrier_name"] for row in carriers}
    assert {"Billing", "Pool00", "Pool29"} <= names and len(carriers) == 33
    assert len({row["carrier_uuid"] for row in carriers}) == 33
    assert any(row["template_name"] == "thong_bao_no_cuoc_01" for row in templates)
    assert len(_list_queries(emulator, "/v3/carrier")) == 4


def test_template_name_filter_and_detail(client):
    rows = client.list_templates(name="thong_bao_no_cuoc_01")
    exact = [row for row in rows if row["template_name"] == "thong_bao_no_cuoc_01"]
    assert len(exact) == 1
    detail = client.get_template(exact[0]["template_uuid"])
    assert detail["template_name"] == "thong_bao_no_cuoc_01"


# -- the paging loop against servers the emulator does not imitate ---------------------------


def _server(pages: list[dict]):
    """A fetch function answering `pages` in turn (and recording the offsets asked for)."""
    asked: list[int] = []

    def fetch(offset: int) -> dict:
        asked.append(offset)
        return pages[min(len(asked), len(pages)) - 1]

    return fetch, asked


def _rows(*ids: int) -> list[dict]:
    return [{"id": i} for i in ids]


def test_offset_advances_by_rows_received_not_by_limit():
    fetch, asked = _server([
        {"data": _rows(1, 2), "total": 5},
        {"data": _rows(3, 4), "total": 5},
        {"data": _rows(5), "total": 5},
    ])
    assert [r["id"] for r in collect(fetch, key="id", what="x")] == [1, 2, 3, 4, 5]
    assert asked == [0, 2, 4]


def test_stops_on_an_empty_page_even_if_total_is_larger():
    fetch, asked = _server([{"data": _rows(1, 2), "total": 9}, {"data": None, "total": 9}])
    assert len(collect(fetch, key="id", what="x")) == 2
    assert asked == [0, 2]


def test_missing_total_reads_until_an_empty_page():
    fetch, asked = _server([{"data": _rows(1, 2)}, {"data": _rows(3)}, {"data": []}])
    assert len(collect(fetch, key="id", what="x")) == 3
    assert asked == [0, 2, 3]


def test_a_server_ignoring_offset_is_an_error_not_a_loop():
    fetch, _ = _server([{"data": _rows(1, 2), "total": 10}])
    with pytest.raises(ApiError, match="ignore the offset"):
        collect(fetch, key="id", what="campaign")


def test_a_total_that_changes_mid_listing_restarts_the_read():
    fetch, asked = _server([
        {"data": _rows(1, 2), "total": 4},
        {"data": _rows(2, 3), "total": 5},  # a campaign was created meanwhile: rows shifted
        {"data": _rows(0, 1), "total": 5},
        {"data": _rows(2, 3), "total": 5},
        {"data": _rows(4), "total": 5},
    ])
    assert [r["id"] for r in collect(fetch, key="id", what="x")] == [0, 1, 2, 3, 4]
    assert asked == [0, 2, 0, 2, 4]


def test_a_listing_that_never_settles_gives_up_cleanly():
    totals = iter(range(100, 200))

    def fetch(offset: int) -> dict:
        return {"data": _rows(offset, offset + 1), "total": next(totals)}

    with pytest.raises(ApiError, match="kept changing"):
        collect(fetch, key="id", what="campaign", max_restarts=2)


def test_rows_seen_twice_are_kept_once():
    fetch, _ = _server([{"data": _rows(1, 2), "total": 4}, {"data": _rows(2, 3, 4), "total": 4}])
    assert [r["id"] for r in collect(fetch, key="id", what="x")] == [1, 2, 3, 4]


def test_a_malformed_envelope_is_an_api_error():
    with pytest.raises(ApiError, match="not a list"):
        collect(lambda offset: {"data": {"a": 1}, "total": 1}, key="id", what="x")
    with pytest.raises(ApiError, match="expected an object"):
        collect(lambda offset: [1, 2], key="id", what="x")
