"""The transport reads the environment's network settings once, with requests' rules."""

from __future__ import annotations

import base64

import pytest
import urllib3

from reconciler.api import ApiClient, ApiError
from reconciler.api.retry import RetrySettings
from reconciler.api.session import build_session, environment_verify, tls_settings
from reconciler.errors import ConfigError

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
    transport = session()
    assert transport.proxy == "http://proxy.corp:3128"
    assert isinstance(transport.manager, urllib3.ProxyManager)


def test_proxy_credentials_go_in_a_proxy_authorization_header(monkeypatch):
    monkeypatch.setenv("https_proxy", "http://me:p%40ss@proxy.corp:3128")
    headers = session().manager.proxy_headers
    assert headers["proxy-authorization"] == "Basic " + base64.b64encode(b"me:p@ss").decode()


def test_no_proxy_covering_the_api_host_means_no_proxy(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.corp:3128")
    monkeypatch.setenv("NO_PROXY", "localhost,.example.vn")
    transport = session()
    assert transport.proxy is None
    assert not isinstance(transport.manager, urllib3.ProxyManager)


def test_a_ca_bundle_from_the_environment_is_used(monkeypatch, tmp_path):
    corp, own = tmp_path / "corp.pem", tmp_path / "requests.pem"
    corp.write_text("")
    own.write_text("")
    monkeypatch.setenv("SSL_CERT_FILE", str(corp))
    assert session().manager.connection_pool_kw["ca_certs"] == str(corp)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(own))  # requests' own variable first
    assert session().manager.connection_pool_kw["ca_certs"] == str(own)
    folder = tls_settings(str(tmp_path))
    assert folder == {"cert_reqs": "CERT_REQUIRED", "ca_cert_dir": str(tmp_path)}


def test_by_default_tls_is_verified_against_requests_bundle():
    import certifi

    settings = session().manager.connection_pool_kw
    assert settings["cert_reqs"] == "CERT_REQUIRED" and settings["ca_certs"] == certifi.where()


def test_a_ca_bundle_that_is_not_there_is_a_clean_error(monkeypatch, tmp_path):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "gone.pem"))
    with pytest.raises(ConfigError, match="gone.pem' does not exist"):
        session()


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
