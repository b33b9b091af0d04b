"""The session reads the environment's network settings once, as requests would per call."""

from __future__ import annotations

import pytest

from reconciler.api import ApiClient, ApiError
from reconciler.api.retry import RetrySettings
from reconciler.api.session import build_session, environment_verify

URL = "https://api.example.vn"
NETWORK_VARIABLES = (
    "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy",
    "NO_PROXY", "no_proxy", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE",
)


@pytest.fixture(autouse=True)
def _clean_network_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in NETWORK_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def session(verify: bool | str = True):
    return build_session(URL, pool_size=2, retry=RetrySettings(), verify=verify)


def test_the_proxy_for_the_api_url_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.corp:3128")
    assert session().proxies["https"] == "http://proxy.corp:3128"
    assert session().trust_env is False  # read once, here, not on every call


def test_no_proxy_covering_the_api_host_means_no_proxy(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.corp:3128")
    monkeypatch.setenv("NO_PROXY", "localhost,.example.vn")
    assert "https" not in session().proxies


def test_a_ca_bundle_from_the_environment_is_used(monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", "/etc/ssl/corp.pem")
    assert session().verify == "/etc/ssl/corp.pem"
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/requests.pem")  # requests' own first
    assert session().verify == "/etc/ssl/requests.pem"


def test_an_explicit_verify_setting_wins_over_the_environment():
    env = {"REQUESTS_CA_BUNDLE": "/etc/ssl/requests.pem"}
    assert environment_verify(False, env) is False
    assert environment_verify("/mine.pem", env) == "/mine.pem"
    assert environment_verify(True, {}) is True


def test_a_proxy_that_is_not_there_is_a_clean_error(monkeypatch, emulator):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # discard port: nothing listens
    monkeypatch.delenv("NO_PROXY", raising=False)
    with ApiClient(emulator.url, token=emulator.token, max_retries=0) as api:
        with pytest.raises(ApiError) as info:
            api.list_carriers()
    assert info.value.status is None and emulator.token not in str(info.value)
    assert emulator.requests == []  # it went to the proxy, not around it
