"""Concurrent detail reads over a few keep-alive connections."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from reconciler.api import ApiClient, ApiError
from reconciler.emulator import EmulatorServer


def _seed(emulator: EmulatorServer, count: int) -> list[str]:
    schedule = {"monday_start_time": 28800000000000, "monday_end_time": 75600000000000}
    return emulator.store.add_campaigns(
        {"campaign_name": f"C{i:04d}", "type": "autocall", "concurrent_call": i % 50,
         "schedules": [schedule]}
        for i in range(count)
    )


def test_get_campaigns_returns_every_detail_in_the_order_asked(emulator):
    uuids = _seed(emulator, 200)
    emulator.latency_ms = 1.0
    progress: list[int] = []
    caller = threading.get_ident()
    threads: set[int] = set()

    def report(done: int) -> None:
        threads.add(threading.get_ident())
        progress.append(done)

    with ApiClient(emulator.url, token=emulator.token, pool_size=8) as api:
        details = api.get_campaigns(uuids + uuids[:5], parallelism=8, on_progress=report)
        opened = api._session.connections()

    assert list(details) == uuids  # duplicates read once, order kept
    assert all(details[u]["campaign_uuid"] == u for u in uuids)
    assert all(details[u]["schedules"][0]["monday_start_time"] == 28800000000000 for u in uuids)
    assert progress == list(range(1, 201))
    assert threads == {caller}  # progress is reported in the calling thread
    assert opened <= 8  # keep-alive: 200 reads over at most pool_size connections
    assert len([r for r in emulator.requests if r[0] == "GET"]) == 200


def test_get_campaigns_of_nothing_makes_no_call(emulator):
    with ApiClient(emulator.url, token=emulator.token) as api:
        assert api.get_campaigns([]) == {}
    assert emulator.requests == []


def test_get_campaigns_raises_the_first_failure(emulator):
    uuids = _seed(emulator, 20)
    emulator.faults.fail("GET", f"^/v3/campaign/{uuids[10]}$", 400, body={"error": "bad"})
    with ApiClient(emulator.url, token=emulator.token) as api:
        with pytest.raises(ApiError) as info:
            api.get_campaigns(uuids, parallelism=4)
    assert info.value.status == 400 and info.value.path == f"/v3/campaign/{uuids[10]}"


def test_get_campaigns_leaves_out_campaigns_deleted_since_listed(emulator):
    uuids = _seed(emulator, 20)
    missing = "00000000-0000-0000-0000-000000000000"
    with ApiClient(emulator.url, token=emulator.token) as api:
        details = api.get_campaigns([*uuids[:10], missing, *uuids[10:]], parallelism=4)
    assert list(details) == uuids


def test_get_campaigns_rides_out_transient_failures(emulator):
    uuids = _seed(emulator, 30)
    emulator.faults.fail("GET", "^/v3/campaign/", 503, times=5)
    emulator.faults.drop("GET", "^/v3/campaign/", when="after", times=3)
    with ApiClient(emulator.url, token=emulator.token, backoff_factor=0.001) as api:
        details = api.get_campaigns(uuids)
    assert set(details) == set(uuids)


def test_more_caller_threads_than_connections_wait_for_a_free_one(emulator):
    uuids = _seed(emulator, 60)
    with ApiClient(emulator.url, token=emulator.token, pool_size=2) as api:
        with ThreadPoolExecutor(max_workers=12) as pool:
            details = list(pool.map(api.get_campaign, uuids))
        opened = api._session.connections()
    assert [d["campaign_uuid"] for d in details] == uuids
    assert opened <= 2


def test_a_body_that_is_not_json_is_a_bug_not_an_api_error(emulator):
    uuid = _seed(emulator, 1)[0]
    with ApiClient(emulator.url, token=emulator.token) as api:
        with pytest.raises(TypeError):
            api.update_campaign(uuid, {"recall_status": {"busy"}})
    assert emulator.write_requests() == []
