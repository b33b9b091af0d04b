"""Retries converge for idempotent calls, give up cleanly, and never duplicate a create."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from urllib3 import HTTPResponse

from reconciler.api import AmbiguousWriteError, ApiClient, ApiError
from reconciler.api.retry import RetrySettings, build_retry, call_scope
from reconciler.emulator import EmulatorServer

FAST = {"backoff_factor": 0.001, "retry_after_max": 0.01}


@pytest.fixture
def client(emulator: EmulatorServer) -> Iterator[ApiClient]:
    with ApiClient(emulator.url, token=emulator.token, **FAST) as api:
        yield api


@pytest.fixture
def uuid(emulator: EmulatorServer) -> str:
    return emulator.store.add_campaign(
        {"campaign_name": "Retry", "type": "autocall", "concurrent_call": 1}
    )


def _statuses(emulator: EmulatorServer, method: str) -> list[int | None]:
    return [status for m, path, status in emulator.requests
            if m == method and not path.startswith("/v3/auth")]


def _call(client: ApiClient, method: str, uuid: str):
    """Perform one idempotent call of each kind; returns what it answered."""
    if method == "GET":
        return client.get_campaign(uuid)
    if method == "PUT":
        live = client.get_campaign(uuid)
        return client.update_campaign(uuid, {**live, "concurrent_call": 7})
    if method == "PATCH":
        return client.set_active(uuid, False)
    client.set_active(uuid, False)
    return client.delete_campaign(uuid)


def _check_effect(emulator: EmulatorServer, method: str, uuid: str) -> None:
    doc = emulator.store.get_campaign(uuid)
    if method == "PUT":
        assert doc["concurrent_call"] == 7
    elif method == "PATCH":
        assert doc["active"] is False
    elif method == "DELETE":
        assert doc is None


METHODS = ["GET", "PUT", "PATCH", "DELETE"]
PATH = "^/v3/campaign/[^/]+(/active)?$"


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_transient_statuses_are_retried_until_they_pass(emulator, client, uuid, method, status):
    emulator.faults.fail(method, PATH, status, times=2, retry_after=1 if status == 429 else None)

    _call(client, method, uuid)

    assert _statuses(emulator, method) == [status, status, 200]
    _check_effect(emulator, method, uuid)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("when", ["before", "after"])
def test_dropped_connections_are_retried(emulator, client, uuid, method, when):
    emulator.faults.drop(method, PATH, when=when)

    _call(client, method, uuid)

    statuses = _statuses(emulator, method)
    assert statuses[0] is None and len(statuses) == 2
    _check_effect(emulator, method, uuid)


def test_a_delete_whose_answer_was_lost_still_succeeds(emulator, client, uuid):
    client.set_active(uuid, False)
    emulator.faults.drop("DELETE", PATH, when="after")

    assert client.delete_campaign(uuid) == {"campaign_uuid": uuid}

    assert _statuses(emulator, "DELETE") == [None, 404]
    assert emulator.store.get_campaign(uuid) is None


def test_a_plain_404_delete_is_still_an_error(client):
    with pytest.raises(ApiError) as info:
        client.delete_campaign("00000000-0000-0000-0000-000000000000")
    assert info.value.status == 404


def test_client_errors_are_not_retried(emulator, client, uuid):
    emulator.faults.fail("GET", PATH, 500)
    with pytest.raises(ApiError, match="500"):
        client.get_campaign(uuid)
    with pytest.raises(ApiError, match="400"):
        client.update_campaign(uuid, {"type": "autocall"})
    assert _statuses(emulator, "GET") == [500]
    assert _statuses(emulator, "PUT") == [400]


def test_a_persistent_failure_gives_up_after_max_retries(emulator):
    emulator.faults.fail("GET", "/v3/carrier", 502, times=None)
    with ApiClient(emulator.url, token=emulator.token, max_retries=3, **FAST) as api:
        with pytest.raises(ApiError) as info:
            api.list_carriers()
    assert info.value.status == 502 and info.value.retries == 3
    assert str(info.value) == "GET /v3/carrier: 502 Bad Gateway"
    assert _statuses(emulator, "GET") == [502] * 4


def test_a_persistent_503_gives_up_within_the_deadline(emulator):
    emulator.faults.fail("GET", "/v3/campaign", 503, times=None)
    api = ApiClient(emulator.url, token=emulator.token, max_retries=1000,
                    backoff_factor=0.02, backoff_max=0.05, retry_deadline=0.5)
    started = time.monotonic()
    with api, pytest.raises(ApiError) as info:
        api.list_campaigns()
    elapsed = time.monotonic() - started

    assert info.value.status == 503 and info.value.message == "Service Unavailable"
    assert elapsed < 0.5 + 1.0
    attempts = len(_statuses(emulator, "GET"))
    assert 2 < attempts < 1000 and info.value.retries == attempts - 1


def test_a_retry_after_beyond_the_deadline_gives_up_at_once(emulator):
    emulator.faults.fail("GET", "/v3/carrier", 429, retry_after=3600, times=None)
    api = ApiClient(emulator.url, token=emulator.token, retry_deadline=5.0)
    started = time.monotonic()
    with api, pytest.raises(ApiError, match="429"):
        api.list_carriers()
    assert time.monotonic() - started < 2.0
    assert _statuses(emulator, "GET") == [429]


# -- creates are never sent twice ---------------------------------------------------------

BODY = {"campaign_name": "Once", "type": "autocall"}


def test_a_create_dropped_after_processing_is_ambiguous_and_not_duplicated(emulator, client):
    emulator.faults.drop("POST", "^/v3/campaign$", when="after")

    with pytest.raises(AmbiguousWriteError) as info:
        client.create_campaign(BODY)

    err = info.value
    assert err.status is None and err.method == "POST"
    assert "may or may not have been processed" in str(err)
    assert _statuses(emulator, "POST") == [None]
    assert emulator.store.campaign_count() == 1
    found = client.find_campaign_by_name("Once")  # what the applier does next
    assert found is not None
    assert emulator.store.get_campaign(found["campaign_uuid"])["campaign_name"] == "Once"


def test_a_create_dropped_before_processing_is_ambiguous_too(emulator, client):
    emulator.faults.drop("POST", "^/v3/campaign$", when="before")
    with pytest.raises(AmbiguousWriteError):
        client.create_campaign(BODY)
    assert emulator.store.campaign_count() == 0
    assert client.find_campaign_by_name("Once") is None


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_create_answered_5xx_is_ambiguous_and_not_retried(emulator, client, status):
    emulator.faults.fail("POST", "^/v3/campaign$", status)
    with pytest.raises(AmbiguousWriteError) as info:
        client.create_campaign(BODY)
    assert info.value.status == status
    assert _statuses(emulator, "POST") == [status]


def test_a_create_refused_with_429_is_sent_again(emulator, client):
    emulator.faults.fail("POST", "^/v3/campaign$", 429, times=2, retry_after=1)
    uuid = client.create_campaign(BODY)
    assert _statuses(emulator, "POST") == [429, 429, 200]
    assert emulator.store.campaign_count() == 1
    assert emulator.store.get_campaign(uuid)["campaign_name"] == "Once"


def test_a_create_slower_than_the_read_timeout_is_ambiguous(emulator):
    emulator.latency_ms = 300.0
    with ApiClient(emulator.url, token=emulator.token, timeout=(2.0, 0.1), **FAST) as api:
        with pytest.raises(AmbiguousWriteError, match="no answer within 0.1s"):
            api.create_campaign(BODY)


# -- the policy itself ----------------------------------------------------------------------


def _response(status: int, retry_after: str | None) -> HTTPResponse:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return HTTPResponse(body=b"", headers=headers, status=status)


def test_retry_after_is_honoured_capped_and_tolerant():
    policy = build_retry(RetrySettings(backoff_factor=0.0, retry_after_max=30.0))
    assert policy._wait_for(_response(429, "2")) == 2
    assert policy._wait_for(_response(429, "86400")) == 30.0
    assert policy._wait_for(_response(503, "soon, maybe")) == 0.0  # unreadable: own backoff
    assert policy._wait_for(_response(503, None)) == 0.0


def test_backoff_grows_and_stays_bounded():
    policy = build_retry(RetrySettings(backoff_factor=0.5, backoff_max=10.0))
    waits = []
    for _ in range(6):
        policy = policy.increment("GET", "/x", response=_response(503, None))
        waits.append(policy._planned_wait)
    assert waits[0] == 0.0
    assert 1.0 <= waits[1] <= 1.5 and 2.0 <= waits[2] <= 2.5  # base + jitter below one factor
    assert all(w <= 10.0 for w in waits) and waits[-1] == 10.0


def test_post_is_retried_only_when_refused():
    policy = build_retry(RetrySettings())
    assert policy.is_retry("POST", 429)
    assert not policy.is_retry("POST", 503, has_retry_after=True)
    assert not policy.is_retry("POST", 502)
    assert all(policy.is_retry(m, 503) for m in METHODS)
    assert not policy.is_retry("GET", 500) and not policy.is_retry("PUT", 409)


def test_the_deadline_stops_retries_before_a_long_wait():
    policy = build_retry(RetrySettings(backoff_factor=0.0, retry_after_max=30.0))
    with call_scope(1.0) as state:
        policy = policy.increment("GET", "/x", response=_response(503, "0"))
        with pytest.raises(Exception, match="deadline"):
            policy.increment("GET", "/x", response=_response(503, "5"))
    assert state.retries == 1
