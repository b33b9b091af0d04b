"""Fault injection and the request log: injected statuses, dropped connections before and
after the work, token expiry, latency, and the log clients' tests assert on."""

from __future__ import annotations

import json
import shlex
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from reconciler.emulator import EmulatorServer
from reconciler.emulator.faults import Faults, parse_fault_spec


def call(srv: EmulatorServer, method: str, path: str, body: Any = None) -> requests.Response:
    return requests.request(method, srv.url + path, json=body, timeout=5,
                            headers={"Authorization": f"Bearer {srv.token}"})


NEW = {"campaign_name": "F", "type": "autocall"}


def test_fail_answers_the_status_n_times_without_serving(emulator: EmulatorServer) -> None:
    emulator.faults.fail("POST", r"^/v3/campaign$", 503, times=2, retry_after=3)
    for _ in range(2):
        response = call(emulator, "POST", "/v3/campaign", NEW)
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "3"
        assert response.json() == {"error": "Service Unavailable"}
    assert emulator.store.campaign_count() == 0
    assert call(emulator, "POST", "/v3/campaign", NEW).status_code == 200
    assert emulator.store.campaign_count() == 1
    assert emulator.faults.pending() == []


def test_fail_with_a_body_and_only_for_its_method(emulator: EmulatorServer) -> None:
    emulator.faults.fail("GET", "/v3/campaign", 429, body={"error": "Too Many Requests"})
    assert call(emulator, "POST", "/v3/campaign", NEW).status_code == 200  # other method
    response = call(emulator, "GET", "/v3/campaign?limit=5")
    assert (response.status_code, response.json()) == (429, {"error": "Too Many Requests"})
    assert "Retry-After" not in response.headers
    assert call(emulator, "GET", "/v3/campaign").status_code == 200


def test_fail_rule_matching_the_query_and_raw_bodies(emulator: EmulatorServer) -> None:
    emulator.faults.fail("*", r"offset=10\b", 502, body="<html>Bad Gateway</html>")
    assert call(emulator, "GET", "/v3/campaign?offset=0").status_code == 200
    response = call(emulator, "GET", "/v3/campaign?limit=10&offset=10")
    assert response.status_code == 502 and response.text == "<html>Bad Gateway</html>"


def test_unlimited_rule(emulator: EmulatorServer) -> None:
    emulator.faults.fail("GET", "/v3/carrier", 500, times=None)
    assert [call(emulator, "GET", "/v3/carrier").status_code for _ in range(3)] == [500] * 3
    emulator.faults.clear()
    assert call(emulator, "GET", "/v3/carrier").status_code == 200


def test_drop_before_does_nothing(emulator: EmulatorServer) -> None:
    emulator.faults.drop("POST", "/v3/campaign", when="before")
    with pytest.raises(requests.ConnectionError):
        call(emulator, "POST", "/v3/campaign", NEW)
    assert emulator.store.campaign_count() == 0
    assert emulator.requests[-1] == ("POST", "/v3/campaign", None)
    assert call(emulator, "POST", "/v3/campaign", NEW).status_code == 200


def test_drop_after_does_the_work(emulator: EmulatorServer) -> None:
    emulator.faults.drop("POST", "/v3/campaign", when="after")
    with pytest.raises(requests.ConnectionError):
        call(emulator, "POST", "/v3/campaign", NEW)
    assert emulator.store.campaign_count() == 1
    again = call(emulator, "POST", "/v3/campaign", NEW)  # a blind retry now collides
    assert again.json() == {"error": "campaign_name is already taken"}


def test_drop_after_on_a_kept_alive_connection(emulator: EmulatorServer) -> None:
    uuid = emulator.store.add_campaign({"campaign_name": "K"})
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {emulator.token}"
        assert session.get(f"{emulator.url}/v3/campaign/{uuid}").ok
        emulator.faults.drop("PATCH", "/active$", when="after")
        with pytest.raises(requests.ConnectionError):
            session.patch(f"{emulator.url}/v3/campaign/{uuid}/active", json={"active": False})
        assert emulator.store.get_campaign(uuid)["active"] is False
        assert session.get(f"{emulator.url}/v3/campaign/{uuid}").ok  # reconnects


def test_bad_rules_are_refused() -> None:
    faults = Faults()
    with pytest.raises(ValueError):
        faults.drop("GET", "/", when="during")
    with pytest.raises(ValueError):
        faults.fail("GET", "/", 500, times=0)


def test_fault_specs() -> None:
    faults = Faults()
    rule = parse_fault_spec("fail POST ^/v3/campaign$ 503 times=2 retry_after=1", faults)
    assert (rule.kind, rule.method, rule.status, rule.remaining, rule.retry_after) == (
        "fail", "POST", 503, 2, "1")
    rule = parse_fault_spec("drop put /v3/campaign/ after times=always", faults)
    assert (rule.kind, rule.method, rule.when, rule.remaining) == ("drop", "PUT", "after", None)
    rule = parse_fault_spec("drop POST ^/v3/campaign$ later delay=2.5", faults)
    assert (rule.when, rule.delay) == ("later", 2.5)
    rule = parse_fault_spec("fail GET offset=10 429 body='{\"error\": \"slow down\"}'", faults)
    assert rule.pattern.pattern == "offset=10" and rule.body == b'{"error": "slow down"}'
    assert len(faults.pending()) == 4
    # The docstring's and docs/emulator.md's examples give a JSON body.
    doc_example = parse_fault_spec.__doc__.split("`")[3]
    assert json.loads(parse_fault_spec(doc_example, faults).body) == {"error": "busy"}
    page = (Path(__file__).resolve().parent.parent / "docs" / "emulator.md").read_text(
        encoding="utf-8")
    shell_words = shlex.split(page[page.index('--fault "fail POST') :].split("`")[0])
    assert json.loads(parse_fault_spec(shell_words[1], faults).body) == {"error": "busy"}
    for bad in ("fail POST /x", "explode GET / 500", "drop GET / soon", "fail GET ( 500",
                "fail GET / abc", "drop GET / after retry_after=1", "fail GET / 500 times=x"):
        with pytest.raises(ValueError, match="bad fault spec"):
            parse_fault_spec(bad, faults)


def test_latency_is_added_and_settable(emulator: EmulatorServer) -> None:
    emulator.latency_ms = 60.0
    started = time.perf_counter()
    call(emulator, "GET", "/v3/carrier")
    assert time.perf_counter() - started >= 0.06
    emulator.latency_ms = 0.0
    with EmulatorServer(latency_ms=40) as slow:
        started = time.perf_counter()
        call(slow, "GET", "/v3/carrier")
        assert time.perf_counter() - started >= 0.04


def test_request_log_and_write_requests(emulator: EmulatorServer) -> None:
    requests.post(emulator.url + "/v3/auth/token", json={"api_key": "dev-api-key"}, timeout=5)
    uuid = call(emulator, "POST", "/v3/campaign", NEW).json()["campaign_uuid"]
    call(emulator, "GET", f"/v3/campaign/{uuid}?x=1")
    call(emulator, "PATCH", f"/v3/campaign/{uuid}/active", {"active": False})
    call(emulator, "DELETE", f"/v3/campaign/{uuid}")
    call(emulator, "GET", "/v3/nope")
    assert emulator.requests == [
        ("POST", "/v3/auth/token", 200),
        ("POST", "/v3/campaign", 200),
        ("GET", f"/v3/campaign/{uuid}?x=1", 200),
        ("PATCH", f"/v3/campaign/{uuid}/active", 200),
        ("DELETE", f"/v3/campaign/{uuid}", 200),
        ("GET", "/v3/nope", 404),
    ]
    assert emulator.write_requests() == [
        ("POST", "/v3/campaign", 200),
        ("PATCH", f"/v3/campaign/{uuid}/active", 200),
        ("DELETE", f"/v3/campaign/{uuid}", 200),
    ]


def test_failed_requests_are_logged_with_their_status(emulator: EmulatorServer) -> None:
    emulator.faults.fail("PUT", "/v3/campaign/", 503)
    uuid = emulator.store.add_campaign({"campaign_name": "L"})
    call(emulator, "PUT", f"/v3/campaign/{uuid}", NEW)
    assert emulator.write_requests() == [("PUT", f"/v3/campaign/{uuid}", 503)]
