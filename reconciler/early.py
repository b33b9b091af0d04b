"""The campaign listing, read ahead: started before the manifests are loaded, on a thread of
its own. Kept apart from refresh.py so that starting it imports nothing but the client."""

from __future__ import annotations

import threading
from typing import Any

from reconciler.api import ApiClient
from reconciler.api.paging import OnRows


class EarlyListing:
    """The campaign listing, read on a thread of its own from before the manifests are
    loaded: it needs none of them, and on a LAN the server takes longer over its pages than
    the client, so they arrive while the manifests load. Pass `follow` to
    `refresh.read_live`.

    Manifests that turn out invalid `abandon` it: a read thrown away (no further page is
    asked for), never a write.
    """

    def __init__(self, client: ApiClient):
        self._lock = threading.Lock()
        self._pages: list[list[dict[str, Any]]] = []  # arrived before anyone followed
        self._on_rows: OnRows | None = None
        self._abandoned = False
        self._rows: list[dict[str, Any]] = []
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._read, args=(client,), name="reconciler-listing", daemon=True
        )
        self._thread.start()

    def _read(self, client: ApiClient) -> None:
        try:
            self._rows = client.list_campaigns(on_rows=self._arrived)
        except BaseException as exc:  # raised again, in the caller, by follow
            self._error = exc

    def _arrived(self, page: list[dict[str, Any]]) -> None:
        with self._lock:
            if self._abandoned:
                raise _Abandoned
            if self._on_rows is None:
                self._pages.append(page)
                return
        self._on_rows(page)

    def follow(self, on_rows: OnRows) -> list[dict[str, Any]]:
        """Show `on_rows` the pages arrived so far, then each as it arrives; the whole
        listing once read (its failure raised here)."""
        with self._lock:
            for page in self._pages:
                on_rows(page)
            self._pages = []
            self._on_rows = on_rows
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._rows

    def abandon(self) -> None:
        """Ask for no further page (the one in flight, if any, is let go)."""
        with self._lock:
            self._abandoned = True


class _Abandoned(Exception):
    """The manifests were refused: the early listing stops."""
