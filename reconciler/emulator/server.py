"""HTTP plumbing and the `EmulatorServer` facade the CLI and the tests use.

Built for throughput as much as fidelity: HTTP/1.1 keep-alive, one `sendall` per response
with an exact Content-Length, TCP_NODELAY, a thread per connection. Faults, latency and the
request log are applied here, around the API, so the API code stays about the API.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from reconciler.emulator.auth import TokenBook
from reconciler.emulator.faults import Faults, Rule
from reconciler.emulator.routes import Api, Response, error_response
from reconciler.emulator.seed import apply_seed, load_defaults
from reconciler.emulator.store import Store

MAX_BODY = 10 * 1024 * 1024
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class _HTTPServer(ThreadingHTTPServer):
    """Threaded server that tracks its connections so `stop()` can cut them."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], emulator: EmulatorServer) -> None:
        self.emulator = emulator
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def get_request(self) -> tuple[socket.socket, Any]:
        conn, address = super().get_request()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.connections_lock:
            self.connections.add(conn)
        return conn, address

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def cut_connections(self) -> None:
        with self.connections_lock:
            connections = list(self.connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up are normal (drops, stop()); anything else is a bug to show."""
        error = sys.exc_info()[1]
        if isinstance(error, OSError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "reconciler-emulator"
    server: _HTTPServer

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _serve(self) -> None:
        emulator = self.server.emulator
        method = self.command
        path_with_query = self.path
        path, _, query = path_with_query.partition("?")
        if emulator.latency_ms > 0:
            time.sleep(emulator.latency_ms / 1000.0)
        rule = emulator.faults.take(method, path, path_with_query)
        if rule is not None and rule.kind == "drop" and rule.when == "before":
            self._drop(method, path_with_query)
            return
        body = self._read_body()
        if body is None:
            response = error_response(413, "Request Entity Too Large")
            self.close_connection = True
        elif rule is not None and rule.kind == "fail":
            response = _fault_response(rule)
        else:
            response = self._dispatch(method, path, query, body)
        if rule is not None and rule.kind == "drop":  # "after": the work is done and committed
            self._drop(method, path_with_query)
            return
        emulator.log_request(method, path_with_query, response.status)
        self._write(response)

    def _dispatch(self, method: str, path: str, query: str, body: bytes) -> Response:
        try:
            return self.server.emulator.api.handle(
                method, path, query, self.headers.get("Authorization"), body
            )
        except Exception as exc:  # an emulator bug: answer 500, show it on stderr
            if not self.server.emulator.stopping:
                traceback.print_exc()
            return error_response(500, f"internal emulator error: {type(exc).__name__}")

    def _read_body(self) -> bytes | None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY:
            return None
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self) -> bytes | None:
        parts: list[bytes] = []
        size = 0
        while True:
            line = self.rfile.readline(1024)
            try:
                chunk = int(line.split(b";")[0].strip() or b"0", 16)
            except ValueError:
                raise ConnectionAbortedError("malformed chunked body") from None
            if chunk == 0:
                while self.rfile.readline(1024).strip():  # trailers
                    pass
                return b"".join(parts)
            size += chunk
            if size > MAX_BODY:
                return None
            parts.append(self.rfile.read(chunk))
            self.rfile.readline(3)

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
        data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + response.body
        self.wfile.write(data)
        if self.server.emulator.verbose:
            self.log_message('"%s" %s %s', self.requestline, response.status, len(response.body))

    def _drop(self, method: str, path_with_query: str) -> None:
        """Hang up without a word: the client sees the connection closed mid-request."""
        self.server.emulator.log_request(method, path_with_query, None)
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        if self.server.emulator.verbose:
            self.log_message('"%s" dropped', self.requestline)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.emulator.verbose:
            sys.stderr.write(f"emulator: {format % args}\n")


def _fault_response(rule: Rule) -> Response:
    try:
        phrase = HTTPStatus(rule.status).phrase
    except ValueError:
        phrase = "Injected Fault"
    response = Response(rule.status, rule.body if rule.body is not None else
                        error_response(rule.status, phrase).body)
    if rule.retry_after is not None:
        response.headers["Retry-After"] = rule.retry_after
    return response


class EmulatorServer:
    """The local TEL4VN API: state, auth, faults and an HTTP server on a background thread.

    Usable as a context manager (`with EmulatorServer() as srv: ...`).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        db: str | Path = ":memory:",
        token: str = "dev-token",
        api_key: str = "dev-api-key",
        page_cap: int | None = None,
        latency_ms: float = 0.0,
        seed: dict[str, Any] | str | Path | None = None,
        verbose: bool = False,
        record_requests: bool = True,
    ) -> None:
        self.host = host
        self.port = port
        self.token = token
        self.verbose = verbose
        self.latency_ms = float(latency_ms)
        self.record_requests = record_requests
        self.store = Store(str(db))
        self.tokens = TokenBook(token, api_key)
        self.faults = Faults(self.tokens.expire_all)
        self.api = Api(self.store, self.tokens, page_cap)
        self.requests: list[tuple[str, str, int | None]] = []
        self._log_lock = threading.Lock()
        self.stopping = False
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        try:
            load_defaults(self.store)
            apply_seed(self.store, seed)
        except BaseException:
            self.store.close()
            raise

    # ---- run-time settings -------------------------------------------------------------

    @property
    def page_cap(self) -> int | None:
        """The largest page the server gives, whatever `limit` asks for (None: no cap)."""
        return self.api.page_cap

    @page_cap.setter
    def page_cap(self, value: int | None) -> None:
        self.api.page_cap = value

    # ---- lifecycle ---------------------------------------------------------------------

    def start(self) -> EmulatorServer:
        """Bind and serve on a background thread (port 0 picks a free port)."""
        if self._httpd is not None:
            return self
        self._httpd = _HTTPServer((self.host, self.port), self)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.2},
            name=f"emulator:{self.port}", daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, cut open connections and close the database."""
        if self._httpd is None:
            return
        self.stopping = True
        waiter = threading.Thread(target=self._httpd.shutdown, daemon=True)
        waiter.start()
        while waiter.is_alive():  # wake the accept loop now rather than at its next poll
            self._poke()
            waiter.join(0.02)
        self._httpd.cut_connections()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None
        with self.store.lock:
            self.store.close()

    def _poke(self) -> None:
        host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(self.host, self.host)
        try:
            socket.create_connection((host, self.port), timeout=1).close()
        except OSError:
            pass

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the emulator is not started")
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"http://{host}:{self.port}"

    # ---- request log -------------------------------------------------------------------

    def log_request(self, method: str, path_with_query: str, status: int | None) -> None:
        if self.record_requests:
            with self._log_lock:
                self.requests.append((method, path_with_query, status))

    def write_requests(self) -> list[tuple[str, str, int | None]]:
        """Logged requests that could change state (token exchanges excluded)."""
        with self._log_lock:
            return [
                entry for entry in self.requests
                if entry[0] in WRITE_METHODS and not entry[1].startswith("/v3/auth/token")
            ]
