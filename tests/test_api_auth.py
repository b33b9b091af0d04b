"""Bearer auth: fixed tokens, API-key exchange, one re-exchange for many concurrent 401s."""

from __future__ import annotations

import pytest

from reconciler.api import ApiClient, ApiError
from reconciler.emulator import EmulatorServer
from reconciler.errors import ConfigError

TOKEN_PATH = "/v3/auth/token"


def _exchanges(emulator: EmulatorServer) -> list[int | None]:
    return [status for method, path, status in emulator.requests
            if method == "POST" and path == TOKEN_PATH]


def _key_client(emulator: EmulatorServer, api_key: str = "dev-api-key", **kw) -> ApiClient:
    return ApiClient(emulator.url, api_key=api_key, backoff_factor=0.001, **kw)


def test_static_token_is_sent_and_no_exchange_happens(emulator):
    with ApiClient(emulator.url, token=emulator.token) as api:
        assert len(api.list_carriers()) == 3
    assert _exchanges(emulator) == []


def test_api_key_is_exchanged_lazily_and_once(emulator):
    with _key_client(emulator) as api:
        assert _exchanges(emulator) == []  # nothing before the first call
        api.list_campaigns()
        api.list_carriers()
        api.list_templates()
        assert api.token_exchanges == 1
    assert _exchanges(emulator) == [200]


def test_expired_token_is_exchanged_again_and_the_call_retried(emulator):
    uuid = emulator.store.add_campaign({"campaign_name": "A", "type": "autocall"})
    with _key_client(emulator) as api:
        api.get_campaign(uuid)
        emulator.faults.expire_tokens()

        assert api.set_active(uuid, False) == {"active": False, "campaign_uuid": uuid}

        assert api.token_exchanges == 2
    assert _exchanges(emulator) == [200, 200]
    patches = [s for m, p, s in emulator.requests if m == "PATCH"]
    assert patches == [401, 200]
    assert emulator.store.get_campaign(uuid)["active"] is False


def test_many_concurrent_401s_cause_exactly_one_exchange(emulator):
    uuids = emulator.store.add_campaigns(
        {"campaign_name": f"C{i}", "type": "autocall"} for i in range(24)
    )
    emulator.latency_ms = 20.0  # keep the first wave of reads in flight together
    with _key_client(emulator, pool_size=8) as api:
        api.list_carriers()
        emulator.faults.expire_tokens()

        details = api.get_campaigns(uuids, parallelism=8)

        assert set(details) == set(uuids)
        assert api.token_exchanges == 2
    assert _exchanges(emulator) == [200, 200]
    rejected = [s for m, p, s in emulator.requests if m == "GET" and s == 401]
    assert len(rejected) >= 2  # several calls saw the stale token; one exchange served all


def test_a_post_rejected_for_an_expired_token_is_sent_again(emulator):
    with _key_client(emulator) as api:
        api.list_carriers()
        emulator.faults.expire_tokens()
        uuid = api.create_campaign({"campaign_name": "New", "type": "autocall"})
    assert emulator.store.get_campaign(uuid)["campaign_name"] == "New"
    assert [s for m, p, s in emulator.write_requests()] == [401, 200]


def test_static_token_rejected_is_a_clear_error(emulator):
    with ApiClient(emulator.url, token="wrong-token-value") as api:
        with pytest.raises(ApiError) as info:
            api.list_campaigns()
    err = info.value
    assert err.status == 401
    assert "bearer token was rejected" in str(err) and "RECONCILER_TOKEN" in str(err)
    assert "wrong-token-value" not in str(err)
    assert _exchanges(emulator) == []


def test_static_token_expiring_mid_run(emulator):
    with ApiClient(emulator.url, token=emulator.token) as api:
        api.list_carriers()
        emulator.faults.expire_tokens(include_static=True)
        with pytest.raises(ApiError, match="401 Unauthorized - the bearer token was rejected"):
            api.list_carriers()


def test_wrong_api_key_is_rejected_once_and_remembered(emulator):
    with _key_client(emulator, api_key="not-the-key") as api:
        with pytest.raises(ApiError) as info:
            api.list_campaigns()
        with pytest.raises(ApiError):
            api.list_carriers()
    err = info.value
    assert "API key rejected" in str(err) and "RECONCILER_API_KEY" in str(err)
    assert err.status == 401 and err.path == TOKEN_PATH
    assert "not-the-key" not in str(err)
    assert _exchanges(emulator) == [401]
    assert [m for m, p, s in emulator.requests if p != TOKEN_PATH] == []


def test_exchange_is_retried_through_a_flaky_gateway(emulator):
    emulator.faults.fail("POST", TOKEN_PATH, 503, times=2)
    with _key_client(emulator) as api:
        assert len(api.list_carriers()) == 3
    assert _exchanges(emulator) == [503, 503, 200]


def test_from_env_prefers_the_token(api_env, monkeypatch):
    monkeypatch.setenv("RECONCILER_API_KEY", "dev-api-key")
    with ApiClient.from_env(api_env.url, pool_size=4) as api:
        api.list_carriers()
        assert api.pool_size == 4
        assert "auth='token'" in repr(api)
    assert _exchanges(api_env) == []


def test_from_env_with_only_an_api_key(api_env, monkeypatch):
    monkeypatch.delenv("RECONCILER_TOKEN")
    monkeypatch.setenv("RECONCILER_API_KEY", "dev-api-key")
    with ApiClient.from_env(api_env.url) as api:
        api.list_carriers()
    assert _exchanges(api_env) == [200]


def test_repr_shows_no_secret(emulator):
    with ApiClient(emulator.url, token="tok-SECRET") as api:
        assert "SECRET" not in repr(api) and emulator.url in repr(api)
        assert "SECRET" not in repr(api._tokens)
    with _key_client(emulator, api_key="dev-api-key") as api:
        api.list_carriers()
        issued = api._tokens.current()
        for text in (repr(api), repr(api._tokens)):
            assert "dev-api-key" not in text and issued not in text


@pytest.mark.parametrize(("variables", "hint"), [
    ({"RECONCILER_KEY": "secret-k"}, " (RECONCILER_KEY is set: did you mean RECONCILER_API_KEY?)"),
    ({"RECONCILER_API_TOKEN": "secret-t"},
     " (RECONCILER_API_TOKEN is set: did you mean RECONCILER_TOKEN?)"),
    ({"RECONCILER_API_KEY": " "}, " (RECONCILER_API_KEY set but empty: in CI, check that the "
                                  "secret is defined)"),
    ({"RECONCILER_GITLAB_TOKEN": "secret-g"}, ""),  # the GitLab recipe's own, not a misspelling
])
def test_no_credentials_says_what_the_environment_shows(api_env, monkeypatch, variables, hint):
    monkeypatch.delenv("RECONCILER_TOKEN")
    monkeypatch.delenv("RECONCILER_API_KEY", raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as raised:
        ApiClient.from_env(api_env.url)
    assert str(raised.value) == (
        "no API credentials: set RECONCILER_TOKEN to a bearer token, or RECONCILER_API_KEY to an "
        "API key (exchanged for a token at POST /v3/auth/token)" + hint
    )
    assert "secret-" not in str(raised.value)
