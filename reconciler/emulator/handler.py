"""One HTTP/1.1 connection: parse requests, apply latency and faults, answer from the API.

The request parser is a small hand-written one rather than http.server's email-based
header parsing, which costs more than the whole API call; every answer is a single
`sendall` with an exact Content-Length, so keep-alive clients never wait on Nagle or
on a guessed body end.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any, Protocol

from reconciler.emulator.faults import Faults, Rule
from reconciler.emulator.routes import Api, Response, error_response

MAX_BODY = 10 * 1024 * 1024
MAX_LINE = 65536
MAX_HEADERS = 100
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


class Emulator(Protocol):
    """What a connection needs from the emulator that owns it."""

    api: Api
    faults: Faults
    latency_ms: float
    verbose: bool
    stopping: bool
    request_hook: Callable[[str, str], None] | None

    def log_request(self, method: str, path_with_query: str, status: int | None,
                    body: bytes = b"", answer: bytes = b"") -> None: ...


class BadRequest(Exception):
    """A request the connection cannot continue after; answered, then the socket closes."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Handler(BaseHTTPRequestHandler):
    """Serves requests on one keep-alive connection until the client closes it."""

    protocol_version = "HTTP/1.1"
    emulator: Emulator  # set on the subclass the server makes
    headers: dict[str, str]  # type: ignore[assignment]  # lower-case names

    def handle_one_request(self) -> None:
        try:
            if not self._read_head():
                self.close_connection = True
                return
        except BadRequest as exc:
            self.close_connection = True
            self._write(error_response(exc.status, str(exc)))
            return
        except (TimeoutError, ConnectionError):
            self.close_connection = True
            return
        self.emulator.request_started()
        try:
            self._serve()
        finally:
            self.emulator.request_finished()

    # ---- parsing -----------------------------------------------------------------------

    def _read_head(self) -> bool:
        """Read the request line and headers; False when the client has gone."""
        line = self.rfile.readline(MAX_LINE + 1)
        while line in (b"\r\n", b"\n"):  # tolerated before a request (RFC 9112 2.2)
            line = self.rfile.readline(MAX_LINE + 1)
        if not line:
            return False
        if len(line) > MAX_LINE:
            raise BadRequest(414, "URI Too Long")
        self.raw_requestline = line
        self.requestline = line.decode("latin-1").rstrip("\r\n")
        parts = self.requestline.split()
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            self.request_version = "HTTP/1.1"
            raise BadRequest(400, "Bad Request")
        self.command, self.path, self.request_version = parts
        if self.request_version not in ("HTTP/1.1", "HTTP/1.0"):
            raise BadRequest(505, "HTTP Version Not Supported")
        headers: dict[str, str] = {}
        for _ in range(MAX_HEADERS + 1):
            raw = self.rfile.readline(MAX_LINE + 1)
            if raw in (b"\r\n", b"\n", b""):
                break
            name, colon, value = raw.decode("latin-1").partition(":")
            if not colon or len(raw) > MAX_LINE:
                raise BadRequest(400, "Bad Request")
            headers[name.strip().lower()] = value.strip()
        else:
            raise BadRequest(431, "Request Header Fields Too Large")
        self.headers = headers
        connection = headers.get("connection", "").lower()
        if self.request_version == "HTTP/1.0":
            self.close_connection = "keep-alive" not in connection
        else:
            self.close_connection = "close" in connection
        if headers.get("expect", "").lower() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        return True

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            return self._read_chunked()
        try:
            length = int(self.headers.get("content-length") or 0)
        except ValueError:
            raise BadRequest(400, "Bad Request: invalid Content-Length") from None
        if length > MAX_BODY:
            raise BadRequest(413, "Request Entity Too Large")
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        size = 0
        while True:
            line = self.rfile.readline(1024)
            try:
                chunk = int(line.split(b";")[0].strip(), 16)
            except ValueError:
                raise BadRequest(400, "Bad Request: malformed chunked body") from None
            if chunk == 0:
                while self.rfile.readline(1024).strip():  # trailers
                    pass
                return b"".join(parts)
            size += chunk
            if size > MAX_BODY:
                raise BadRequest(413, "Request Entity Too Large")
            parts.append(self.rfile.read(chunk))
            self.rfile.readline(3)

    # ---- serving -----------------------------------------------------------------------

    def _serve(self) -> None:
        emulator = self.emulator
        method = self.command
        path_with_query = self.path
        path, _, query = path_with_query.partition("?")
        if emulator.latency_ms > 0:
            time.sleep(emulator.latency_ms / 1000.0)
        hook = emulator.request_hook
        if hook is not None:
            hook(method, path_with_query)
        rule = emulator.faults.take(method, path, path_with_query)
        if rule is not None and rule.kind == "drop" and rule.when == "before":
            self._drop(method, path_with_query)
            return
        body = b""
        try:
            body = self._read_body()
        except BadRequest as exc:
            self.close_connection = True
            response = error_response(exc.status, str(exc))
        else:
            if rule is not None and rule.kind == "drop" and rule.when == "later":
                self._drop(method, path_with_query)
                timer = threading.Timer(
                    rule.delay, self._dispatch, (method, path, query, body)
                )
                timer.daemon = True
                timer.start()
                return
            if rule is not None and rule.kind == "fail":
                response = fault_response(rule)
            elif method not in METHODS:
                response = error_response(405, "Method Not Allowed")
            else:
                response = self._dispatch(method, path, query, body)
        if rule is not None and rule.kind == "drop":  # "after": the work is done and committed
            self._drop(method, path_with_query)
            return
        emulator.log_request(method, path_with_query, response.status, body, response.body)
        self._write(response)

    def _dispatch(self, method: str, path: str, query: str, body: bytes) -> Response:
        try:
            return self.emulator.api.handle(
                method, path, query, self.headers.get("authorization"), body,
                self.headers.get("content-type"),
            )
        except Exception as exc:  # an emulator bug: answer 500, show it on stderr
            if not self.emulator.stopping:
                traceback.print_exc()
            return error_response(500, f"internal emulator error: {type(exc).__name__}")

    def _write(self, response: Response) -> None:
        try:
            reason = HTTPStatus(response.status).phrase
        except ValueError:
            reason = "Status"
        head = [
            f"HTTP/1.1 {response.status} {reason}",
            "Content-Type: application/json; charset=utf-8",
            f"Content-Length: {len(response.body)}",
        ]
        head.extend(f"{name}: {value}" for name, value in response.headers.items())
        if self.close_connection:
            head.append("Connection: close")
        elif self.request_version == "HTTP/1.0":
            head.append("Connection: keep-alive")
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + response.body)
        if self.emulator.verbose:
            self.log_message('"%s" %s %s', self.requestline, response.status,
                             len(response.body))

    def _drop(self, method: str, path_with_query: str) -> None:
        """Hang up without a word: the client sees the connection closed mid-request."""
        self.emulator.log_request(method, path_with_query, None)
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        if self.emulator.verbose:
            self.log_message('"%s" dropped', self.requestline)

    def log_message(self, format: str, *args: Any) -> None:
        if self.emulator.verbose:
            sys.stderr.write(f"emulator: {format % args}\n")


def fault_response(rule: Rule) -> Response:
    """The answer a `fail` rule gives: its status, its body or `{"error": "<reason>"}`."""
    try:
        phrase = HTTPStatus(rule.status).phrase
    except ValueError:
        phrase = "Injected Fault"
    body = rule.body if rule.body is not None else error_response(rule.status, phrase).body
    response = Response(rule.status, body)
    if rule.retry_after is not None:
        response.headers["Retry-After"] = rule.retry_after
    return response
