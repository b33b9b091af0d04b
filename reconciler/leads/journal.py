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

A push holds the journal locked (`flock`) from before it reads it until it ends, so a second
push of the same file (another terminal, a CI retry while the first still runs) is refused
instead of sending the rows the first has not reached yet. Before each entry the push checks
the journal is still the file it holds, as it left it: deleted, replaced or edited mid-push,
it is written again whole from what the push knows (keeping any `sent` the other file adds),
and the push stops starting rows (`disturbed` says why).
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

    def as_item(self) -> dict[str, Any]:
        """The entry as a journal line holds it."""
        item: dict[str, Any] = {"state": self.state, "line": self.line,
                                "phone_number": self.phone_number, "at": self.at}
        for key in ("call_id", "lead_uuid", "error", "found"):
            if getattr(self, key):
                item[key] = getattr(self, key)
        return item

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
        state, phone, line = item.get("state"), item.get("phone_number"), item.get("line", 0)
        if (state not in STATES or not isinstance(phone, str) or not isinstance(line, int)
                or isinstance(line, bool)):
            raise JournalError(f"{path}:{number}: unknown journal entry {raw[:80]!r}")
        entries[phone] = Entry(
            state=state, line=line, phone_number=phone,
            at=str(item.get("at", "")), call_id=str(item.get("call_id", "")),
            lead_uuid=str(item.get("lead_uuid", "")), error=str(item.get("error", "")),
            found=str(item.get("found", "")),
        )
    if entries and header is None:
        raise JournalError(f"{path}: the journal has no header line: it cannot be trusted")
    return header, entries


class Journal:
    """Append-only, durable: each entry is on disk before the next step is taken. With
    `lock`, held by this process alone until `close()` (a push; a dry run only reads)."""

    def __init__(self, path: Path, campaign_uuid: str, campaign_name: str, source: str,
                 *, lock: bool = False) -> None:
        self.path = path
        self.campaign_uuid = campaign_uuid
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._size = 0  # the file's length as this process last left it
        self._created = False
        self.disturbed = ""  # why the push must stop: the journal changed under it
        if lock:
            self._take()
        try:
            header, self.entries = read(path)
            if header is not None and header.get("campaign_uuid") != campaign_uuid:
                raise JournalError(
                    f"{path}: this journal records a push to campaign "
                    f"{header.get('campaign_name')!r} ({header.get('campaign_uuid')}), not "
                    f"{campaign_name!r} ({campaign_uuid}): give another --journal"
                )
        except JournalError:
            self.close()
            raise
        self._first = header or {
            "journal": FORMAT, "campaign_uuid": campaign_uuid, "campaign_name": campaign_name,
            "file": source,
        }
        self._header = None if header is not None else self._first
        if self._fd is not None:
            self._size = os.fstat(self._fd).st_size

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
        """Release the journal; one this push created and never wrote to is removed."""
        with self._lock:
            if self._fd is None:
                return
            if self._created and self._size == 0 and _is(self._fd, self.path):
                self.path.unlink()
            os.close(self._fd)  # and with it the lock
            self._fd = None

    def _take(self) -> None:
        """Open (create) the journal and lock it, or refuse: another push holds it."""
        busy = JournalError(
            f"{self.path}: another `reconciler leads` is pushing with this journal right now "
            "(it is locked): wait for it to end, then run again (nothing was sent)")
        created = not self.path.exists()
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError as exc:
            raise JournalError(f"{self.path}: cannot open the journal: {exc.strerror}") from None
        if not _lock(fd) or not _is(fd, self.path):  # held, or removed as we opened it
            os.close(fd)
            raise busy
        self._fd, self._created = fd, created
        if created:
            _fsync_dir(self.path.parent)

    def _append(self, item: dict[str, Any]) -> None:
        if self._fd is None:
            created = not self.path.exists()
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            self._size = os.fstat(self._fd).st_size
            if created:
                _fsync_dir(self.path.parent)
        elif not _is(self._fd, self.path) or os.fstat(self._fd).st_size != self._size:
            self._rewrite()
        if self._header is not None:
            self._write(self._header)
            self._header = None
        self._write(item)

    def _rewrite(self) -> None:
        """The journal was deleted, replaced or edited under this push: write it again whole
        (header, then each number's last word), keeping a `sent` only the other file has,
        and lock the new file in its place."""
        try:
            header, theirs = read(self.path)
        except JournalError:
            header, theirs = None, {}
        if header is None or header.get("campaign_uuid") != self.campaign_uuid:
            theirs = {}
        merged = dict(self.entries)
        for number, entry in theirs.items():
            if number not in merged or (entry.state == SENT and merged[number].state != SENT):
                merged[number] = entry
        missing = not self.path.exists()
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(temporary, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC, 0o600)
        _lock(fd)
        old, self._fd, self._size = self._fd, fd, 0
        self._write(self._first)
        for entry in merged.values():
            self._write(entry.as_item())
        os.replace(temporary, self.path)
        _fsync_dir(self.path.parent)
        if old is not None:
            os.close(old)
        self.entries.update(merged)
        self._header = None
        self.disturbed = (
            f"the journal {self.path} was {'deleted' if missing else 'replaced or edited'} "
            "during the push: it was written again from what this push knows, and the push "
            "stopped")

    def _write(self, item: dict[str, Any]) -> None:
        assert self._fd is not None
        data = (json.dumps(item, ensure_ascii=False) + "\n").encode()
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
        os.fsync(self._fd)
        self._size += len(data)


def _lock(fd: int) -> bool:
    """An exclusive lock on the open file, without waiting; False when another holds it.
    Where the platform has no flock (Windows), no lock is taken."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - POSIX only
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _is(fd: int, path: Path) -> bool:
    """Whether `path` still names the open file `fd`."""
    try:
        named = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


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
