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


def test_a_listing_ending_before_total_is_read_again_then_refused():
    fetch, asked = _server([{"data": _rows(1, 2), "total": 9}, {"data": [], "total": 9},
                            {"data": _rows(1, 2), "total": 9}, {"data": [], "total": 9}])
    with pytest.raises(ApiError, match=r"inconsistent, twice in a row: it announced 9 rows "
                                       r"but ended after 2 at offset 2"):
        collect(fetch, key="id", what="x")
    assert asked == [0, 2, 0, 2]


def test_a_listing_short_once_is_read_again_and_kept_when_whole():
    fetch, asked = _server([{"data": _rows(1, 2), "total": 3}, {"data": [], "total": 3},
                            {"data": _rows(1, 2), "total": 3}, {"data": _rows(3), "total": 3}])
    assert [r["id"] for r in collect(fetch, key="id", what="x")] == [1, 2, 3]
    assert asked == [0, 2, 0, 2]


@pytest.mark.parametrize("page", [
    {}, {"data": _rows(1)}, {"data": None, "total": 25}, {"data": [], "total": "25"},
    {"rows": _rows(1), "total": 1}, {"data": _rows(1), "total": True}, None, "ok",
])
def test_an_envelope_that_is_not_data_and_total_is_an_error_never_an_empty_listing(page):
    with pytest.raises(ApiError, match="the x listing"):
        collect(lambda offset: page, key="id", what="x")


def test_data_null_with_total_zero_is_an_empty_listing():
    assert collect(lambda offset: {"data": None, "total": 0}, key="id", what="x") == []


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


def test_rows_repeated_by_an_unstable_sort_are_refused_not_silently_dropped():
    # Row 2 comes twice, row 3 never: 3 distinct rows where 4 were announced.
    pages = [{"data": _rows(1, 2), "total": 4}, {"data": _rows(2, 4), "total": 4}]
    fetch, asked = _server(pages * 2)
    with pytest.raises(ApiError, match="announced 4 rows but gave 3 distinct ones"):
        collect(fetch, key="id", what="x")
    assert asked == [0, 2, 0, 2]


@pytest.mark.parametrize("row", [{}, {"id": None}, {"id": ""}, {"id": True}])
def test_a_row_without_its_identity_is_a_clear_error(row):
    with pytest.raises(ApiError, match="cannot tell which x it is"):
        collect(lambda offset: {"data": [row], "total": 1}, key="id", what="x")


def test_a_campaign_row_without_a_name_is_a_clear_error():
    page = {"data": [{"id": "u-1", "campaign_name": None}], "total": 1}
    with pytest.raises(ApiError, match=r"row \(id u-1\) whose campaign_name is missing"):
        collect(lambda offset: page, key="id", what="x", required=("campaign_name",))


def test_a_malformed_envelope_is_an_api_error():
    with pytest.raises(ApiError, match="not a list"):
        collect(lambda offset: {"data": {"a": 1}, "total": 1}, key="id", what="x")
    with pytest.raises(ApiError, match="expected an object"):
        collect(lambda offset: [1, 2], key="id", what="x")


def _growing_listing(rows: list[dict], page: int = 3):  # noqa: ANN202
    """A newest-first listing that gains a row at its head before every page it serves."""
    def fetch(offset: int) -> dict:
        rows.insert(0, {"id": f"new-{len(rows)}"})
        return {"data": rows[offset:offset + page], "limit": page, "offset": offset,
                "total": len(rows)}
    return fetch


def test_a_growing_report_is_read_to_its_end_when_growth_is_expected() -> None:
    start = [{"id": f"old-{n}"} for n in range(7)]
    with pytest.raises(ApiError, match="kept changing"):
        collect(_growing_listing(list(start)), key="id", what="lead report")
    rows = collect(_growing_listing(list(start)), key="id", what="lead report", grows=True)
    ids = [row["id"] for row in rows]
    assert {row["id"] for row in start} <= set(ids) and len(ids) == len(set(ids))


def test_a_growing_report_that_shrinks_is_still_a_change() -> None:
    served = iter([
        {"data": [{"id": "a"}, {"id": "b"}], "limit": 2, "offset": 0, "total": 5},
        {"data": [{"id": "c"}, {"id": "d"}], "limit": 2, "offset": 2, "total": 4},
    ] * 4)
    with pytest.raises(ApiError, match="kept changing"):
        collect(lambda offset: next(served), key="id", what="lead report", grows=True)
