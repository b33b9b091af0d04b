"""The journal of a push: every row sent, so no re-run ever sends one twice.

One JSON object per line, appended and fsynced one by one. Before a request goes out its
row is written as `sending`; after the answer, as `sent` (with the call_id and lead_uuid),
`refused` (the API said no: nothing was imported, a re-run may try again) or `unclear` (no
answer: timeout, dropped connection, 5xx). A crash between `sending` and the answer leaves
`sending` as the row's last word, which reads as unclear too. Unclear rows are never re-sent
blindly: they are looked up in the lead report (and `sent` is appended when found), else left
for a person to decide.

Rows are keyed by the number as sent: a file edited between runs (rows moved, added) still
never calls a number the journal shows as sent or unclear.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from reconciler.errors import ReconcilerError
from reconciler.operations.window import TENANT_TZ

FORMAT = 1
SENDING, SENT, REFUSED, UNCLEAR = "sending", "sent", "refused", "unclear"
STATES = (SENDING, SENT, REFUSED, UNCLEAR)


class JournalError(ReconcilerError):
    """A journal that cannot be read or belongs to another campaign."""


@dataclass
class Entry:
    """A number's last word in the journal."""

    state: str
    line: int
    phone_number: str
    at: str = ""
    call_id: str = ""
    lead_uuid: str = ""
    error: str = ""
    found: str = ""  # how an unclear row was settled ("lead report")

    @property
    def unclear(self) -> bool:
        return self.state in (SENDING, UNCLEAR)

    def describe(self) -> str:
        if self.state == SENT:
            ids = f"call_id {self.call_id}" if self.call_id else f"lead_uuid {self.lead_uuid}"
            how = f", found in the {self.found}" if self.found else ""
            return f"line {self.line} on {self.at[:19].replace('T', ' ')}, {ids}{how}"
        return f"line {self.line}: {self.state}"


def read(path: Path) -> tuple[dict[str, Any] | None, dict[str, Entry]]:
    """(header, {number: last entry}) of the journal at `path`; (None, {}) when there is none.

    A last line cut short (the process died while writing it) is ignored: the row before it
    stands. Any other unreadable line is an error: a journal that cannot be trusted is not
    guessed around."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None, {}
    except OSError as exc:
        raise JournalError(f"{path}: cannot read the journal: {exc.strerror}") from None
    lines = data.split(b"\n")
    header: dict[str, Any] | None = None
    entries: dict[str, Entry] = {}
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
        except (UnicodeDecodeError, ValueError):
            if number == len(lines):  # no newline after it: a write cut short
                continue
            raise JournalError(f"{path}:{number}: not a journal line; the journal is damaged "
                               "(move it away only if you know what was sent)") from None
        if not isinstance(item, dict):
            raise JournalError(f"{path}:{number}: not a journal line")
        if "journal" in item:
            header = header or item
            continue
        state, phone = item.get("state"), item.get("phone_number")
        if state not in STATES or not isinstance(phone, str):
            raise JournalError(f"{path}:{number}: unknown journal entry {raw[:80]!r}")
        entries[phone] = Entry(
            state=state, line=int(item.get("line", 0)), phone_number=phone,
            at=str(item.get("at", "")), call_id=str(item.get("call_id", "")),
            lead_uuid=str(item.get("lead_uuid", "")), error=str(item.get("error", "")),
            found=str(item.get("found", "")),
        )
    if entries and header is None:
        raise JournalError(f"{path}: the journal has no header line: it cannot be trusted")
    return header, entries


class Journal:
    """Append-only, durable: each entry is on disk before the next step is taken."""

    def __init__(self, path: Path, campaign_uuid: str, campaign_name: str, source: str) -> None:
        self.path = path
        self.campaign_uuid = campaign_uuid
        header, self.entries = read(path)
        if header is not None and header.get("campaign_uuid") != campaign_uuid:
            raise JournalError(
                f"{path}: this journal records a push to campaign "
                f"{header.get('campaign_name')!r} ({header.get('campaign_uuid')}), not "
                f"{campaign_name!r} ({campaign_uuid}): give another --journal"
            )
        self._header = None if header is not None else {
            "journal": FORMAT, "campaign_uuid": campaign_uuid, "campaign_name": campaign_name,
            "file": source,
        }
        self._lock = threading.Lock()
        self._fd: int | None = None

    @property
    def exists(self) -> bool:
        return self._header is None

    def sent(self) -> dict[str, Entry]:
        return {phone: entry for phone, entry in self.entries.items() if entry.state == SENT}

    def unclear(self) -> dict[str, Entry]:
        return {phone: entry for phone, entry in self.entries.items() if entry.unclear}

    def record(self, state: str, line: int, phone_number: str, **extra: str) -> Entry:
        """Append one entry and make it durable (write, flush, fsync) before returning."""
        item: dict[str, Any] = {"state": state, "line": line, "phone_number": phone_number,
                                "at": datetime.now(TENANT_TZ).isoformat(timespec="seconds")}
        item.update({key: value for key, value in extra.items() if value})
        entry = Entry(state=state, line=line, phone_number=phone_number, at=item["at"],
                      **{key: str(value) for key, value in extra.items()})
        with self._lock:
            self._append(item)
            self.entries[phone_number] = entry
        return entry

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def _append(self, item: dict[str, Any]) -> None:
        if self._fd is None:
            created = not self.path.exists()
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            if created:
                _fsync_dir(self.path.parent)
            if self._header is not None:
                self._write(self._header)
                self._header = None
        self._write(item)

    def _write(self, item: dict[str, Any]) -> None:
        assert self._fd is not None
        data = (json.dumps(item, ensure_ascii=False) + "\n").encode()
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
        os.fsync(self._fd)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
