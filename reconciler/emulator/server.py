"""The `EmulatorServer` facade the CLI and the tests use, and its threaded HTTP server.

A thread per connection (daemon threads), TCP_NODELAY on every accepted socket, and a stop
that cuts open keep-alive connections so a stopped emulator answers nothing more.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
from collections.abc import Callable, Iterable
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from reconciler.emulator.auth import TokenBook
from reconciler.emulator.faults import Faults
from reconciler.emulator.handler import Handler
from reconciler.emulator.quirks import Quirks, as_quirks
from reconciler.emulator.routes import Api
from reconciler.emulator.seed import apply_seed, load_defaults
from reconciler.emulator.store import Store
from reconciler.template_fields import LOCK_NAME

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def _json_key(data: bytes, key: str) -> object:
    """`data[key]` when data is a JSON object, else None."""
    try:
        parsed = json.loads(data)
    except ValueError:
        return None
    return parsed.get(key) if isinstance(parsed, dict) else None


class _HTTPServer(ThreadingHTTPServer):
    """Threaded server that tracks its connections so `stop()` can cut them."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], emulator: EmulatorServer) -> None:
        self.emulator = emulator
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        handler = type("EmulatorHandler", (Handler,), {"emulator": emulator})
        super().__init__(address, handler)

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
        quirks: Quirks | Iterable[str] | None = None,
        defaults: bool = True,
    ) -> None:
        """`defaults=False` starts a tenant with nothing in it (no default carriers, templates
        or audio), as a brand-new tenant is; a seed still applies."""
        self.host = host
        self.port = port
        self.token = token
        self.verbose = verbose
        self.latency_ms = float(latency_ms)
        self.record_requests = record_requests
        self.store = Store(str(db))
        self.tokens = TokenBook(token, api_key)
        self.faults = Faults(self.tokens.expire_all)
        self.api = Api(self.store, self.tokens, page_cap, as_quirks(quirks))
        # Called with (method, path_with_query) before each request is served; tests use it
        # to hold a request until they have done something (e.g. signalled a client).
        self.request_hook: Callable[[str, str], None] | None = None
        self.requests: list[tuple[str, str, int | None]] = []
        # The lock's entries in `requests`, by id (tests clear that list: not by index);
        # each entry is held here too, so its id is never reused by another.
        self._lock_entries: dict[int, tuple[str, str, int | None]] = {}
        self._lock_uuids: set[str] = set()
        self._log_lock = threading.Lock()
        self.stopping = False
        self._busy = 0
        self.peak_busy = 0  # the most requests ever served at once (a client's concurrency)
        self.served = 0  # requests started, all told (the bench divides a client's CPU by it)
        self._url: str | None = None
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        try:
            if defaults:
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

    @property
    def quirks(self) -> Quirks:
        """The documented behaviours this emulator breaks (see emulator/quirks.py)."""
        return self.api.quirks

    @quirks.setter
    def quirks(self, value: Quirks | Iterable[str] | None) -> None:
        self.api.quirks = as_quirks(value)

    # ---- lifecycle ---------------------------------------------------------------------

    def start(self) -> EmulatorServer:
        """Bind and serve on a background thread (port 0 picks a free port)."""
        if self._httpd is not None:
            return self
        if self.stopping:
            raise RuntimeError("a stopped emulator cannot be started again")
        self._httpd = _HTTPServer((self.host, self.port), self)
        self.port = self._httpd.server_address[1]
        host = self.host if ":" not in self.host else f"[{self.host}]"
        self._url = f"http://{host}:{self.port}"
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
        """The base URL, e.g. http://127.0.0.1:PORT (known from start() on)."""
        if self._url is None:
            raise RuntimeError("the emulator is not started")
        return self._url

    # ---- request log -------------------------------------------------------------------

    def request_started(self) -> None:
        with self._log_lock:
            self._busy += 1
            self.served += 1
            self.peak_busy = max(self.peak_busy, self._busy)

    def request_finished(self) -> None:
        with self._log_lock:
            self._busy -= 1

    @property
    def busy(self) -> int:
        """Requests being served right now (tests wait for 0 after killing a client)."""
        with self._log_lock:
            return self._busy

    def log_request(self, method: str, path_with_query: str, status: int | None,
                    body: bytes = b"", answer: bytes = b"") -> None:
        if self.record_requests:
            with self._log_lock:
                entry = (method, path_with_query, status)
                if self._is_lock_call(method, path_with_query, body, answer):
                    self._lock_entries[id(entry)] = entry
                self.requests.append(entry)

    def _is_lock_call(self, method: str, path_with_query: str, body: bytes,
                      answer: bytes) -> bool:
        """Whether a request is about apply's tenant lock (a template named LOCK_NAME): its
        create, or a read, update or delete of a lock template created through the API."""
        path = path_with_query.partition("?")[0]
        if path == "/v3/template" and method == "POST":
            if _json_key(body, "template_name") != LOCK_NAME:
                return False
            uuid = _json_key(answer, "template_uuid")
            if isinstance(uuid, str):
                self._lock_uuids.add(uuid)
            return True
        return path.startswith("/v3/template/") and path.rsplit("/", 1)[1] in self._lock_uuids

    def write_requests(self, lock: bool = False) -> list[tuple[str, str, int | None]]:
        """Logged requests that could change state: token exchanges excluded, and the
        tenant lock's create and delete unless `lock` (a lock changes no object the tool
        manages; tests of the lock ask for them, or use `lock_requests`)."""
        with self._log_lock:
            return [
                entry for entry in self.requests
                if entry[0] in WRITE_METHODS and not entry[1].startswith("/v3/auth/token")
                and (lock or not self._is_lock_entry(entry))
            ]

    def lock_requests(self) -> list[tuple[str, str, int | None]]:
        """Logged writes of the tenant lock's template (its creates and deletes)."""
        with self._log_lock:
            return [entry for entry in self.requests
                    if self._is_lock_entry(entry) and entry[0] in WRITE_METHODS]

    def _is_lock_entry(self, entry: tuple[str, str, int | None]) -> bool:
        return self._lock_entries.get(id(entry)) is entry
