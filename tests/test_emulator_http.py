"""The emulator's HTTP layer on raw sockets: keep-alive, pipelining, HTTP/1.0, chunked
bodies, and malformed requests answered with JSON instead of a hang or a traceback."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import requests

from reconciler.emulator import EmulatorServer


def exchange(srv: EmulatorServer, raw: bytes) -> bytes:
    """Send raw bytes, read until the server closes the connection."""
    with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as conn:
        conn.sendall(raw)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def split(data: bytes) -> list[tuple[str, dict[str, str], bytes]]:
    """Parse consecutive HTTP responses (status line, headers, body by Content-Length)."""
    responses = []
    while data:
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        length = int(headers["content-length"])
        responses.append((lines[0], headers, rest[:length]))
        data = rest[length:]
    return responses


def auth(srv: EmulatorServer) -> bytes:
    return f"Authorization: Bearer {srv.token}\r\n".encode()


def test_pipelined_keep_alive_requests(emulator: EmulatorServer) -> None:
    get = b"GET /v3/carrier HTTP/1.1\r\nHost: x\r\n" + auth(emulator) + b"\r\n"
    last = b"GET /v3/template HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + auth(emulator)
    responses = split(exchange(emulator, get + get + last + b"\r\n"))
    assert [status for status, _, _ in responses] == ["HTTP/1.1 200 OK"] * 3
    assert "connection" not in responses[0][1]
    assert responses[2][1]["connection"] == "close"
    assert json.loads(responses[2][2])["total"] >= 3


def test_http_1_0_closes_unless_kept_alive(emulator: EmulatorServer) -> None:
    [(status, headers, _)] = split(exchange(
        emulator, b"GET /v3/carrier HTTP/1.0\r\n" + auth(emulator) + b"\r\n"))
    assert status == "HTTP/1.1 200 OK" and headers["connection"] == "close"
    keep = b"GET /v3/carrier HTTP/1.0\r\nConnection: keep-alive\r\n" + auth(emulator) + b"\r\n"
    close = b"GET /v3/carrier HTTP/1.0\r\n" + auth(emulator) + b"\r\n"
    responses = split(exchange(emulator, keep + close))
    assert [headers["connection"] for _, headers, _ in responses] == ["keep-alive", "close"]


def test_chunked_request_body(emulator: EmulatorServer) -> None:
    def parts() -> Iterator[bytes]:
        yield b'{"campaign_name": "Chunk'
        yield b'ed", "type": "autocall"}'

    response = requests.post(emulator.url + "/v3/campaign", data=parts(), timeout=5,
                             headers={"Authorization": f"Bearer {emulator.token}"})
    assert response.status_code == 200, response.text
    assert emulator.store.campaign_uuid_by_name("Chunked") == response.json()["campaign_uuid"]


def test_expect_100_continue(emulator: EmulatorServer) -> None:
    body = b'{"api_key": "dev-api-key"}'
    raw = (b"POST /v3/auth/token HTTP/1.1\r\nExpect: 100-continue\r\nConnection: close\r\n"
           b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
    data = exchange(emulator, raw)
    assert data.startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
    [(status, _, answer)] = split(data[len(b"HTTP/1.1 100 Continue\r\n\r\n"):])
    assert status == "HTTP/1.1 200 OK" and json.loads(answer)["token_type"] == "Bearer"


def test_malformed_requests_get_json_errors(emulator: EmulatorServer) -> None:
    [(status, headers, body)] = split(exchange(emulator, b"NONSENSE\r\n\r\n"))
    assert status.startswith("HTTP/1.1 400") and headers["connection"] == "close"
    assert json.loads(body) == {"error": "Bad Request"}
    [(status, _, body)] = split(exchange(emulator, b"GET / HTTP/2.0\r\n\r\n"))
    assert status.startswith("HTTP/1.1 505")
    raw = b"POST /v3/campaign HTTP/1.1\r\nContent-Length: abc\r\n" + auth(emulator) + b"\r\n"
    [(status, _, body)] = split(exchange(emulator, raw))
    assert status.startswith("HTTP/1.1 400") and "Content-Length" in json.loads(body)["error"]
    raw = b"POST /v3/campaign HTTP/1.1\r\nContent-Length: 999999999\r\n\r\n"
    [(status, _, _)] = split(exchange(emulator, raw))
    assert status.startswith("HTTP/1.1 413")
    headers = b"".join(b"X-H%d: v\r\n" % i for i in range(150))
    [(status, _, _)] = split(exchange(emulator, b"GET /v3/carrier HTTP/1.1\r\n" + headers))
    assert status.startswith("HTTP/1.1 431")


def test_unsupported_method(emulator: EmulatorServer) -> None:
    response = requests.options(emulator.url + "/v3/campaign", timeout=5)
    assert response.status_code == 405 and "error" in response.json()


def test_stopped_emulator_cuts_kept_alive_connections() -> None:
    srv = EmulatorServer().start()
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {srv.token}"
    assert session.get(srv.url + "/v3/carrier").ok
    srv.stop()
    try:
        session.get(srv.url + "/v3/carrier", timeout=2)
    except requests.ConnectionError:
        pass
    else:
        raise AssertionError("a stopped emulator answered")
    finally:
        session.close()
