"""`--verbose` logging: one line per call with method, path, status and time; never a secret."""

from __future__ import annotations

import logging
import re

import pytest

from reconciler.api import ApiClient, ApiError
from reconciler.emulator import EmulatorServer

API_KEY = "dev-api-key"


def _everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    """All captured text, every logger (urllib3's included), messages and arguments."""
    return "\n".join(
        f"{record.name} {record.getMessage()} {record.args!r} {record.exc_text or ''}"
        for record in caplog.records
    )


def test_debug_lines_name_the_call_and_hide_the_token(emulator, caplog):
    caplog.set_level(logging.DEBUG)
    uuid = emulator.store.add_campaign({"campaign_name": "A", "type": "autocall"})
    with ApiClient(emulator.url, token=emulator.token) as api:
        api.list_campaigns(type="autocall")
        api.get_campaign(uuid)
        with pytest.raises(ApiError):
            api.get_campaign("missing")

    lines = [r.getMessage() for r in caplog.records if r.name == "reconciler.api"]
    assert re.fullmatch(
        r"GET /v3/campaign\?type=autocall&limit=100&offset=0 -> 200 \(\d+ ms\)", lines[0]
    )
    assert re.fullmatch(rf"GET /v3/campaign/{uuid} -> 200 \(\d+ ms\)", lines[1])
    assert re.fullmatch(r"GET /v3/campaign/missing -> 404 \(\d+ ms\)", lines[2])
    assert all(r.levelno == logging.DEBUG for r in caplog.records if r.name == "reconciler.api")
    text = _everything_logged(caplog)
    assert emulator.token not in text and "Authorization" not in text


def test_retries_and_re_exchanges_are_logged_without_secrets(emulator, caplog):
    caplog.set_level(logging.DEBUG)
    emulator.faults.fail("GET", "/v3/carrier", 503, times=2)
    emulator.faults.drop("GET", "/v3/template", when="after")
    with ApiClient(emulator.url, api_key=API_KEY, backoff_factor=0.001) as api:
        api.list_carriers()
        first = api._tokens.current()
        emulator.faults.expire_tokens()
        api.list_templates()
        second = api._tokens.current()
        emulator.faults.fail("GET", "/v3/campaign", 400, body={"error": [{"type": "bad"}]})
        with pytest.raises(ApiError) as info:
            api.list_campaigns()

    lines = [r.getMessage() for r in caplog.records if r.name == "reconciler.api"]
    assert any(line.startswith("retrying GET /v3/carrier?limit=100&offset=0 after 503 (attempt 2")
               for line in lines)
    assert any(re.fullmatch(r"GET /v3/carrier\?limit=100&offset=0 -> 200 \(\d+ ms, 2 retries\)",
                            line) for line in lines)
    assert any("token rejected; exchanging the API key again" in line for line in lines)
    assert any(line.startswith("POST /v3/auth/token -> 200") for line in lines)
    text = _everything_logged(caplog) + str(info.value) + repr(info.value)
    for secret in (API_KEY, first, second):
        assert secret not in text


def test_transport_failures_are_logged_without_secrets(caplog):
    caplog.set_level(logging.DEBUG)
    with ApiClient("http://127.0.0.1:9", token="tok-SECRET-1", max_retries=1,
                   backoff_factor=0.001) as api:
        with pytest.raises(ApiError) as info:
            api.list_carriers()
    text = _everything_logged(caplog) + str(info.value) + repr(info.value)
    assert "no answer: connection refused (" in text  # first contact: not retried
    assert "not retrying GET /v3/carrier?limit=100&offset=0" in text
    assert "SECRET" not in text


def test_a_failed_exchange_logs_no_key(emulator: EmulatorServer, caplog):
    caplog.set_level(logging.DEBUG)
    with ApiClient(emulator.url, api_key="key-SECRET-2") as api:
        with pytest.raises(ApiError, match="API key rejected") as info:
            api.list_carriers()
    text = _everything_logged(caplog) + str(info.value) + repr(info.value)
    assert "SECRET" not in text
