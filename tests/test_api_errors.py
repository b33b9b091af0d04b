"""Every kind of failure becomes one readable ApiError: both JSON shapes, HTML, no answer."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from reconciler.api import AmbiguousWriteError, ApiClient, ApiError
from reconciler.emulator import EmulatorServer
from reconciler.errors import ConfigError, ReconcilerError


@pytest.fixture
def client(emulator: EmulatorServer) -> Iterator[ApiClient]:
    with ApiClient(emulator.url, token=emulator.token, max_retries=0) as api:
        yield api


def test_plain_error_shape(emulator, client):
    emulator.store.add_campaign({"campaign_name": "Taken", "type": "autocall"})
    uuid = emulator.store.add_campaign({"campaign_name": "Other", "type": "autocall"})
    live = client.get_campaign(uuid)

    with pytest.raises(ApiError) as info:
        client.update_campaign(uuid, {**live, "campaign_name": "Taken"})

    err = info.value
    assert isinstance(err, ReconcilerError) and not isinstance(err, AmbiguousWriteError)
    assert (err.status, err.method, err.path) == (400, "PUT", f"/v3/campaign/{uuid}")
    assert err.message == "campaign_name is already taken"
    assert err.field_errors == []
    assert str(err) == f"PUT /v3/campaign/{uuid}: 400 campaign_name is already taken"


def test_field_error_shape(client):
    with pytest.raises(ApiError) as info:
        client.create_campaign({"campaign_name": "Bad", "type": "robocall"})

    err = info.value
    assert err.status == 400 and not isinstance(err, AmbiguousWriteError)
    fields = dict(err.field_errors)
    assert fields["type"].startswith("type must be one of")
    assert str(err).startswith("POST /v3/campaign: 400 type: type must be one of")


def test_several_field_errors_and_root_errors_are_all_reported(emulator, client):
    body = {"error": [{"type": "type must be one of the following"},
                      {"network": "Invalid type. Expected: object, given: string"},
                      {"(root)": "campaign_name is required"}]}
    emulator.faults.fail("POST", "^/v3/campaign$", 400, body=body)

    with pytest.raises(ApiError) as info:
        client.create_campaign({"campaign_name": "X", "type": "autocall"})

    err = info.value
    assert err.field_errors == [
        ("type", "type must be one of the following"),
        ("network", "Invalid type. Expected: object, given: string"),
        ("(root)", "campaign_name is required"),
    ]
    assert err.message == (
        "type: type must be one of the following; network: Invalid type. Expected: object, "
        "given: string; campaign_name is required"
    )


def test_not_found(client):
    with pytest.raises(ApiError) as info:
        client.get_campaign("00000000-0000-0000-0000-000000000000")
    assert info.value.status == 404 and info.value.message == "Not Found"


def test_delete_of_an_active_campaign(emulator, client):
    uuid = emulator.store.add_campaign({"campaign_name": "Live", "type": "autocall"})
    with pytest.raises(ApiError, match="400 campaign must be deactive"):
        client.delete_campaign(uuid)
    client.set_active(uuid, False)
    assert client.delete_campaign(uuid) == {"campaign_uuid": uuid}
    assert emulator.store.get_campaign(uuid) is None


def test_gateway_html_error_body(emulator, client):
    page = ("<html><head><title>502 Bad Gateway</title></head>"
            "<body><center><h1>502 Bad Gateway</h1></center><hr>nginx</body></html>")
    emulator.faults.fail("GET", "^/v3/campaign$", 502, body=page)

    with pytest.raises(ApiError) as info:
        client.list_campaigns()

    err = info.value
    assert err.status == 502 and err.message == "Bad Gateway"
    assert str(err) == "GET /v3/campaign: 502 Bad Gateway"


def test_plain_text_and_empty_error_bodies(emulator, client):
    emulator.faults.fail("GET", "/v3/carrier", 500, body="upstream exploded\n  badly")
    emulator.faults.fail("GET", "/v3/template", 500, body=b"")
    with pytest.raises(ApiError, match="500 Internal Server Error: upstream exploded badly"):
        client.list_carriers()
    with pytest.raises(ApiError, match="500 Internal Server Error$"):
        client.list_templates()


def test_a_success_that_is_not_json(emulator, client):
    emulator.faults.fail("GET", "/v3/campaign/", 200, body="<html>login page</html>")
    with pytest.raises(ApiError, match="expected a JSON answer") as info:
        client.get_campaign("abc")
    assert info.value.status == 200


def test_odd_ids_stay_inside_their_path(emulator, client):
    with pytest.raises(ApiError) as info:
        client.get_campaign("../carrier")
    assert info.value.status == 404
    assert emulator.requests[-1][1] == "/v3/campaign/..%2Fcarrier"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_no_server_is_a_clean_error_naming_the_url():
    url = f"http://127.0.0.1:{_closed_port()}"
    with ApiClient(url, token="s3cret-token", max_retries=2, backoff_factor=0.001) as api:
        with pytest.raises(ApiError) as info:
            api.list_campaigns()
        err = info.value
        assert err.status is None and not isinstance(err, AmbiguousWriteError)
        assert str(err) == (
            f"GET {url}/v3/campaign?limit=100&offset=0: connection refused; "
            "is the API URL right? (--api-url or RECONCILER_API_URL)"
        )
        assert "s3cret" not in str(err) and "Traceback" not in str(err)

        # Nothing was sent, so even a create is a plain error, not an ambiguous one.
        with pytest.raises(ApiError) as info:
            api.create_campaign({"campaign_name": "X", "type": "autocall"})
        assert type(info.value) is ApiError


def test_bad_configuration_is_a_config_error(monkeypatch):
    with pytest.raises(ConfigError, match="http"):
        ApiClient("ftp://host", token="t")
    with pytest.raises(ConfigError, match="credentials"):
        ApiClient("https://user:pw@host", token="t")
    with pytest.raises(ConfigError, match="RECONCILER_TOKEN"):
        ApiClient("https://host")
    with pytest.raises(ConfigError, match="not both"):
        ApiClient("https://host", token="t", api_key="k")
    monkeypatch.delenv("RECONCILER_TOKEN", raising=False)
    monkeypatch.setenv("RECONCILER_API_KEY", "  ")
    with pytest.raises(ConfigError, match="RECONCILER_TOKEN.*RECONCILER_API_KEY"):
        ApiClient.from_env("https://host")


def test_base_url_keeps_a_path_prefix_and_drops_the_trailing_slash():
    with ApiClient("https://api.example.vn/pitel/", token="t") as api:
        assert api.base_url == "https://api.example.vn/pitel"


def test_a_redirect_is_an_error_naming_where_not_followed(emulator):
    """A 3xx is not an answer the client understands: requests would follow it (turning a
    redirected POST into a GET); the client stops and names the new address instead."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Moved(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self.send_response(301)
            self.send_header("Location", emulator.url + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Moved)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        with ApiClient(url, token=emulator.token, max_retries=0) as api:
            with pytest.raises(ApiError) as info:
                api.list_carriers()
    finally:
        server.shutdown()
        server.server_close()
    assert info.value.status == 301
    assert f"redirected to {emulator.url}/v3/carrier?limit=100&offset=0" in str(info.value)
    assert emulator.requests == []  # not followed
