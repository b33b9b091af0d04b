"""The emulator's state: campaigns, carriers, templates and audio files in SQLite.

Each campaign is stored as its JSON detail document plus a pre-rendered list row, with the
columns that queries need (uuid, name, type, creation sequence) indexed beside them. Reads
hand out the stored JSON text as is, so a page of 10,000 campaigns costs one indexed query.
One connection serves every thread, guarded by a re-entrant lock that routes also take to
make read-check-write sequences atomic.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable
from typing import Any

from reconciler.emulator.audio import audio_row
from reconciler.emulator.carriers import out_of_band_carrier
from reconciler.emulator.documents import (
    CAMPAIGN_KEYS,
    Clock,
    detail_of,
    new_uuid,
    normalise_network,
    normalise_schedules,
    ordered,
    server_defaults,
    summary_of,
    template_document,
    template_read,
)
from reconciler.template_fields import FIELDS as TEMPLATE_FIELDS

_SCHEMA = """
CREATE TABLE IF NOT EXISTS campaign (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    detail TEXT NOT NULL,
    summary TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS campaign_type_seq ON campaign (type, seq);
-- Pages are found on these narrow indexes, not by stepping over the wide rows before them.
CREATE INDEX IF NOT EXISTS campaign_seq ON campaign (seq);
CREATE TABLE IF NOT EXISTS carrier (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS template (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    doc TEXT NOT NULL
);
-- Uploaded audio: the listing row and the bytes (which no API call reads back).
CREATE TABLE IF NOT EXISTS audio (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    doc TEXT NOT NULL,
    content BLOB NOT NULL
);
-- Call records (CDRs) the call reports are computed from (see emulator/reports.py).
CREATE TABLE IF NOT EXISTS call (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    cdr_uuid TEXT NOT NULL UNIQUE,
    campaign_uuid TEXT NOT NULL,
    start_stamp TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS call_campaign ON call (campaign_uuid, start_stamp);
"""

# Convenience keys a seeded campaign may use instead of uuids.
_NAME_KEYS = {"carrier": ("carrier_uuid", "carrier"), "template": ("template_uuid", "template")}


class NameTaken(ValueError):
    """Another campaign (carrier, template, audio) already has this name (names are unique
    per tenant)."""


def _dump(doc: dict[str, Any]) -> str:
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    if _storable(text):
        return text
    # A lone surrogate (odd data a test seeds) cannot be UTF-8: keep it as a JSON escape.
    return json.dumps(doc, separators=(",", ":"))


def _storable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _name_key(name: str) -> str:
    """The name column's value: the name itself, or its JSON form if it is not UTF-8-able."""
    return name if _storable(name) else json.dumps(name)


class Store:
    """SQLite-backed state with a small, thread-safe API used by routes, seeds and tests."""

    def __init__(self, db: str = ":memory:") -> None:
        self.lock = threading.RLock()
        self.clock = Clock()
        self._conn = sqlite3.connect(db, check_same_thread=False, isolation_level=None)
        if db != ":memory:":
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        with self.lock:
            self._conn.close()

    # ---- campaigns: writes -------------------------------------------------------------

    def add_campaign(self, doc: dict[str, Any]) -> str:
        """Insert a campaign given in API form; server defaults fill what it leaves out.

        Unlike POST, anything of the campaign object may be set (active, status, schedules,
        carrier_uuid, ...); `carrier`/`template` may name a carrier/template instead of a
        uuid. Raises ValueError for unknown keys and NameTaken for a taken name.
        """
        with self.lock:
            full = self._complete(doc)
            self._insert(full)
            return full["campaign_uuid"]

    def add_campaigns(self, docs: Iterable[dict[str, Any]]) -> list[str]:
        """Insert many campaigns in one transaction (fast seeding); all or nothing."""
        with self.lock:
            self._conn.execute("BEGIN")
            try:
                uuids = [self.add_campaign(doc) for doc in docs]
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
            return uuids

    def insert_document(self, doc: dict[str, Any]) -> None:
        """Store a complete campaign document built by a route (POST)."""
        with self.lock:
            self._insert(doc)

    def replace_document(self, doc: dict[str, Any]) -> None:
        """Overwrite a campaign with a complete document; its creation order is kept."""
        doc = ordered(doc)
        with self.lock:
            try:
                cursor = self._conn.execute(
                    "UPDATE campaign SET name = ?, type = ?, detail = ?, summary = ? "
                    "WHERE uuid = ?",
                    (
                        _name_key(doc["campaign_name"]), doc["type"], *self._texts(doc),
                        doc["campaign_uuid"],
                    ),
                )
            except sqlite3.IntegrityError as exc:
                raise NameTaken(doc["campaign_name"]) from exc
            if cursor.rowcount == 0:
                raise KeyError(doc["campaign_uuid"])

    def update_campaign_raw(self, campaign_uuid: str, **fields: Any) -> dict[str, Any]:
        """Change a campaign out of band (someone clicking in the portal): any fields, no
        validation beyond key names; bumps updated_at. Returns the new detail document
        (list rows join the carrier/template names of the uuids)."""
        with self.lock:
            doc = self.get_campaign(campaign_uuid)
            if doc is None:
                raise KeyError(campaign_uuid)
            changes = self._resolve_names(dict(fields))
            _reject_unknown_keys(changes)
            if changes.get("campaign_uuid", campaign_uuid) != campaign_uuid:
                raise ValueError("campaign_uuid cannot be changed")
            if "network" in changes:
                changes["network"] = normalise_network(changes["network"])
            if "schedules" in changes:
                changes["schedules"] = normalise_schedules(changes["schedules"], campaign_uuid)
            doc.update(changes)
            if "updated_at" not in fields:
                doc["updated_at"] = self.clock.now()
            self.replace_document(doc)
            return self.get_campaign(campaign_uuid) or doc

    def delete_campaign(self, campaign_uuid: str) -> bool:
        with self.lock:
            cursor = self._conn.execute("DELETE FROM campaign WHERE uuid = ?", (campaign_uuid,))
            return cursor.rowcount > 0

    # ---- campaigns: reads --------------------------------------------------------------

    def get_campaign(self, campaign_uuid: str) -> dict[str, Any] | None:
        """The detail document (as GET /v3/campaign/{uuid} answers it), or None."""
        text = self.campaign_json(campaign_uuid)
        return None if text is None else json.loads(text)

    def campaign_json(self, campaign_uuid: str) -> str | None:
        with self.lock:
            row = self._conn.execute(
                "SELECT detail FROM campaign WHERE uuid = ?", (campaign_uuid,)
            ).fetchone()
        return None if row is None else row[0]

    def campaign_uuid_by_name(self, name: str) -> str | None:
        with self.lock:
            row = self._conn.execute(
                "SELECT uuid FROM campaign WHERE name = ?", (_name_key(name),)
            ).fetchone()
        return None if row is None else row[0]

    def list_campaigns_json(self, type_: str | None, limit: int,
                            offset: int) -> tuple[list[str], int]:
        """One page of list rows (JSON text), newest first, and the total matching."""
        where, args = ("WHERE type = ?", (type_,)) if type_ else ("", ())
        with self.lock:
            total = self._conn.execute(f"SELECT COUNT(*) FROM campaign {where}", args)
            count = total.fetchone()[0]
            # OFFSET on the table itself would read every (wide) row it skips: a deep page of
            # 10,000 campaigns cost 15 ms. The page's seqs come from an index instead.
            rows = self._conn.execute(
                "SELECT summary FROM campaign WHERE seq IN (SELECT seq FROM campaign "
                f"{where} ORDER BY seq DESC LIMIT ? OFFSET ?) ORDER BY seq DESC",
                (*args, limit, offset),
            ).fetchall()
        return [row[0] for row in rows], count

    def campaigns(self) -> list[dict[str, Any]]:
        """Every campaign's detail document, newest first."""
        with self.lock:
            rows = self._conn.execute("SELECT detail FROM campaign ORDER BY seq DESC").fetchall()
        return [json.loads(row[0]) for row in rows]

    def campaign_count(self) -> int:
        with self.lock:
            return self._conn.execute("SELECT COUNT(*) FROM campaign").fetchone()[0]

    # ---- carriers and templates --------------------------------------------------------

    def add_carrier(self, name: str, uuid: str | None = None, **extra: Any) -> str:
        """Add (or replace, by uuid) a carrier out of band, names not checked; extra keys are
        its write-side fields (dial_type, prefix_mobi, data, ...) and may set status,
        created_at and updated_at. Returns its uuid. Raises ValueError for an unknown key or a
        value the API would refuse."""
        uuid = uuid or new_uuid()
        doc = out_of_band_carrier(name, uuid, self.clock.now(), extra)
        with self.lock:
            renamed = self._name_of("carrier", uuid) not in (None, name)
            self._upsert("carrier", uuid, name, doc)
            if renamed:
                self._refresh_joined_names(uuid, "carrier_uuid")
        return uuid

    def insert_carrier(self, doc: dict[str, Any]) -> None:
        """Store a new carrier (POST, read form); NameTaken if its name is taken."""
        with self.lock:
            if self.uuid_by_name("carrier", doc["carrier_name"]) is not None:
                raise NameTaken(doc["carrier_name"])
            self._upsert("carrier", doc["carrier_uuid"], doc["carrier_name"], doc)

    def replace_carrier(self, doc: dict[str, Any]) -> None:
        """Overwrite a carrier (PUT); NameTaken if it takes another carrier's name. Campaign
        list rows, which join the carrier's name, follow."""
        with self.lock:
            holder = self.uuid_by_name("carrier", doc["carrier_name"])
            if holder is not None and holder != doc["carrier_uuid"]:
                raise NameTaken(doc["carrier_name"])
            renamed = self._name_of("carrier", doc["carrier_uuid"]) != doc["carrier_name"]
            self._upsert("carrier", doc["carrier_uuid"], doc["carrier_name"], doc)
            if renamed:
                self._refresh_joined_names(doc["carrier_uuid"], "carrier_uuid")

    def delete_carrier(self, uuid: str) -> bool:
        """Remove a carrier; the list rows of campaigns still naming it join "" from now on."""
        with self.lock:
            cursor = self._conn.execute("DELETE FROM carrier WHERE uuid = ?", (uuid,))
            self._refresh_joined_names(uuid, "carrier_uuid")
            return cursor.rowcount > 0

    def get_carrier(self, uuid: str) -> dict[str, Any] | None:
        """The carrier as the listing shows it, or None."""
        with self.lock:
            row = self._conn.execute("SELECT doc FROM carrier WHERE uuid = ?", (uuid,)).fetchone()
        return None if row is None else json.loads(row[0])

    def campaigns_using_carrier(self, uuid: str) -> list[str]:
        """Names of the campaigns whose carrier_uuid is this carrier's."""
        with self.lock:
            rows = self._conn.execute(
                "SELECT name FROM campaign WHERE json_extract(detail, '$.carrier_uuid') = ? "
                "ORDER BY seq", (uuid,),
            ).fetchall()
        return [row[0] for row in rows]

    def add_template(self, name: str, uuid: str | None = None, **extra: Any) -> str:
        """Add (or replace, by uuid) a template; extra keys are its write-side fields
        (content, voice_tts, press_options in write form, ...). Returns its uuid. Raises
        ValueError for a key the template API does not have."""
        unknown = sorted(set(extra) - set(TEMPLATE_FIELDS))
        if unknown:
            raise ValueError(f"unknown template field(s): {', '.join(unknown)}")
        uuid = uuid or new_uuid()
        doc = template_document(name, uuid, extra)
        self._upsert("template", uuid, name, doc)
        self._refresh_joined_names(uuid)
        return uuid

    def insert_template(self, doc: dict[str, Any]) -> None:
        """Store a new template (POST); NameTaken if its name is taken."""
        with self.lock:
            if self.uuid_by_name("template", doc["template_name"]) is not None:
                raise NameTaken(doc["template_name"])
            self._upsert("template", doc["template_uuid"], doc["template_name"], doc)

    def replace_template(self, doc: dict[str, Any]) -> None:
        """Overwrite a template (PUT); NameTaken if it takes another template's name."""
        with self.lock:
            holder = self.uuid_by_name("template", doc["template_name"])
            if holder is not None and holder != doc["template_uuid"]:
                raise NameTaken(doc["template_name"])
            self._upsert("template", doc["template_uuid"], doc["template_name"], doc)
            self._refresh_joined_names(doc["template_uuid"])

    def delete_template(self, uuid: str) -> bool:
        with self.lock:
            cursor = self._conn.execute("DELETE FROM template WHERE uuid = ?", (uuid,))
            return cursor.rowcount > 0

    def get_template(self, uuid: str) -> dict[str, Any] | None:
        """The stored template, write form (press options with every key sent), or None."""
        with self.lock:
            row = self._conn.execute("SELECT doc FROM template WHERE uuid = ?", (uuid,)).fetchone()
        return None if row is None else json.loads(row[0])

    def templates(self) -> list[dict[str, Any]]:
        """Every stored template (write form), newest first."""
        with self.lock:
            rows = self._conn.execute("SELECT doc FROM template ORDER BY seq DESC").fetchall()
        return [json.loads(row[0]) for row in rows]

    def campaigns_using_template(self, uuid: str) -> list[str]:
        """Names of the campaigns whose template_uuid is this template's."""
        with self.lock:
            rows = self._conn.execute(
                "SELECT name FROM campaign WHERE json_extract(detail, '$.template_uuid') = ? "
                "ORDER BY seq", (uuid,),
            ).fetchall()
        return [row[0] for row in rows]

    def carrier_name(self, uuid: str) -> str | None:
        return self._name_of("carrier", uuid)

    def template_name(self, uuid: str) -> str | None:
        return self._name_of("template", uuid)

    def template_json(self, uuid: str) -> str | None:
        """A template as GET /v3/template/{uuid} answers it (read form), or None."""
        doc = self.get_template(uuid)
        return None if doc is None else _dump(template_read(doc))

    def list_json(self, table: str, limit: int, offset: int,
                  name_contains: str | None = None,
                  exact: bool = False) -> tuple[list[str], int]:
        """A page of carrier or template rows (JSON text) and the total: templates newest
        first, carriers oldest first (as the docs' carrier listing shows them); `name_contains`
        filters by name (a substring, or the whole name when `exact`)."""
        if table not in ("carrier", "template"):
            raise ValueError(table)
        order = "ASC" if table == "carrier" else "DESC"
        where, args = "", ()
        if name_contains and exact:
            where, args = "WHERE name = ?", (name_contains,)
        elif name_contains:
            where, args = "WHERE instr(lower(name), lower(?)) > 0", (name_contains,)
        with self.lock:
            count = self._conn.execute(f"SELECT COUNT(*) FROM {table} {where}", args).fetchone()[0]
            rows = self._conn.execute(
                f"SELECT doc FROM {table} {where} ORDER BY seq {order} LIMIT ? OFFSET ?",
                (*args, limit, offset),
            ).fetchall()
        if table == "template":
            return [_dump(template_read(json.loads(row[0]))) for row in rows], count
        return [row[0] for row in rows], count

    def uuid_by_name(self, table: str, name: str) -> str | None:
        if table not in ("carrier", "template"):
            raise ValueError(table)
        with self.lock:
            row = self._conn.execute(
                f"SELECT uuid FROM {table} WHERE name = ? ORDER BY seq LIMIT 1", (name,)
            ).fetchone()
        return None if row is None else row[0]

    # ---- audio -------------------------------------------------------------------------

    def add_audio(self, name: str, content: bytes, uuid: str | None = None,
                  created_at: str | None = None) -> str:
        """Add (or replace, by uuid) an audio file out of band, its name not checked; returns
        its uuid."""
        uuid = uuid or new_uuid()
        row = audio_row(uuid, name, created_at or self.clock.now())
        with self.lock:
            self._conn.execute(
                "INSERT INTO audio (uuid, name, doc, content) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (uuid) DO UPDATE SET name = excluded.name, doc = excluded.doc, "
                "content = excluded.content",
                (uuid, name, _dump(row), content),
            )
        return uuid

    def insert_audio(self, name: str, content: bytes) -> str:
        """Store an upload (POST); NameTaken if an audio file has this name. Returns its uuid."""
        with self.lock:
            if self.audio_uuid_by_name(name) is not None:
                raise NameTaken(name)
            return self.add_audio(name, content)

    def delete_audio(self, uuid: str) -> bool:
        with self.lock:
            cursor = self._conn.execute("DELETE FROM audio WHERE uuid = ?", (uuid,))
            return cursor.rowcount > 0

    def audio_uuid_by_name(self, name: str) -> str | None:
        with self.lock:
            row = self._conn.execute(
                "SELECT uuid FROM audio WHERE name = ? ORDER BY seq LIMIT 1", (name,)
            ).fetchone()
        return None if row is None else row[0]

    def audio_content(self, uuid: str) -> bytes | None:
        """The bytes uploaded (no API call reads them; tests do)."""
        with self.lock:
            row = self._conn.execute("SELECT content FROM audio WHERE uuid = ?",
                                     (uuid,)).fetchone()
        return None if row is None else bytes(row[0])

    def list_audio_json(self, limit: int, offset: int, name_contains: str | None = None,
                        audio_uuid: str | None = None) -> tuple[list[str], int]:
        """A page of audio rows (JSON text), oldest first as the docs' listing shows them, and
        the total; `name_contains` matches a substring of the name, `audio_uuid` the uuid."""
        clauses, args = [], []
        if name_contains:
            clauses.append("instr(lower(name), lower(?)) > 0")
            args.append(name_contains)
        if audio_uuid:
            clauses.append("uuid = ?")
            args.append(audio_uuid)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self.lock:
            count = self._conn.execute(f"SELECT COUNT(*) FROM audio {where}", args).fetchone()[0]
            rows = self._conn.execute(
                f"SELECT doc FROM audio {where} ORDER BY seq ASC LIMIT ? OFFSET ?",
                (*args, limit, offset),
            ).fetchall()
        return [row[0] for row in rows], count

    # ---- call records ------------------------------------------------------------------

    def add_calls(self, docs: Iterable[dict[str, Any]]) -> int:
        """Store call records (built by emulator/reports.py); one whose cdr_uuid is already
        stored is skipped, so re-seeding a kept `--db` adds nothing twice. Returns how many
        were new."""
        rows = [
            (doc["cdr_uuid"], doc["campaign_uuid"], doc["start_stamp"], _dump(doc))
            for doc in docs
        ]
        with self.lock:
            before = self._conn.total_changes
            self._conn.executemany(
                "INSERT OR IGNORE INTO call (cdr_uuid, campaign_uuid, start_stamp, doc) "
                "VALUES (?, ?, ?, ?)",
                rows,
            )
            return self._conn.total_changes - before

    def calls(self, campaign_uuid: str | None = None) -> list[dict[str, Any]]:
        """Call records (of one campaign, if given), oldest first."""
        where, args = ("WHERE campaign_uuid = ?", (campaign_uuid,)) if campaign_uuid else ("", ())
        with self.lock:
            rows = self._conn.execute(
                f"SELECT doc FROM call {where} ORDER BY start_stamp, seq", args
            ).fetchall()
        return [json.loads(row[0]) for row in rows]

    # ---- internals ---------------------------------------------------------------------

    def _insert(self, doc: dict[str, Any]) -> None:
        doc = ordered(doc)
        try:
            self._conn.execute(
                "INSERT INTO campaign (uuid, name, type, detail, summary) VALUES (?, ?, ?, ?, ?)",
                (
                    doc["campaign_uuid"], _name_key(doc["campaign_name"]), doc["type"],
                    *self._texts(doc),
                ),
            )
        except sqlite3.IntegrityError as exc:
            if self.campaign_uuid_by_name(doc["campaign_name"]) is not None:
                raise NameTaken(doc["campaign_name"]) from exc
            raise ValueError(f"campaign_uuid {doc['campaign_uuid']} already exists") from exc

    def _texts(self, doc: dict[str, Any]) -> tuple[str, str]:
        """The detail and list-row JSON of a campaign. Names are joined into the list row at
        write time (from the carrier/template tables; a seeded name when the uuid is unknown)
        and left empty in the detail, as the docs' two examples show."""
        summary = summary_of(doc)
        summary["carrier_name"] = (
            self.carrier_name(doc.get("carrier_uuid") or "") or doc.get("carrier_name") or ""
        )
        summary["template_name"] = (
            self.template_name(doc.get("template_uuid") or "") or doc.get("template_name") or ""
        )
        return _dump(detail_of(doc)), _dump(summary)

    def _complete(self, doc: dict[str, Any]) -> dict[str, Any]:
        """Defaults filled in, names resolved, schedules and network in stored form."""
        given = self._resolve_names(dict(doc))
        _reject_unknown_keys(given)
        if not isinstance(given.get("campaign_name"), str) or not given["campaign_name"]:
            raise ValueError("a campaign needs a campaign_name")
        timestamp = self.clock.now()
        campaign_uuid = given.get("campaign_uuid") or new_uuid()
        full = server_defaults(campaign_uuid, timestamp)
        full["type"] = "autocall"
        full.update(given)
        full["campaign_uuid"] = campaign_uuid
        if "updated_at" not in given and "created_at" in given:
            full["updated_at"] = given["created_at"]
        if "carrier_name" not in given:
            full["carrier_name"] = self.carrier_name(full["carrier_uuid"]) or ""
        if "template_name" not in given:
            full["template_name"] = self.template_name(full["template_uuid"]) or ""
        full["network"] = normalise_network(full["network"])
        full["schedules"] = normalise_schedules(full["schedules"], campaign_uuid, keep_ids=True)
        return full

    def _resolve_names(self, doc: dict[str, Any]) -> dict[str, Any]:
        for key, (uuid_key, table) in _NAME_KEYS.items():
            if key in doc:
                name = doc.pop(key)
                uuid = self.uuid_by_name(table, name)
                if uuid is None:
                    raise ValueError(f"unknown {table} {name!r}")
                doc[uuid_key] = uuid
        return doc

    def _upsert(self, table: str, uuid: str, name: str, doc: dict[str, Any]) -> None:
        with self.lock:
            self._conn.execute(
                f"INSERT INTO {table} (uuid, name, doc) VALUES (?, ?, ?) "
                "ON CONFLICT (uuid) DO UPDATE SET name = excluded.name, doc = excluded.doc",
                (uuid, name, _dump(doc)),
            )

    def _refresh_joined_names(self, uuid: str, key: str = "template_uuid") -> None:
        """List rows join the template's (carrier's, key "carrier_uuid") name: re-render
        those of the campaigns using it."""
        if key not in ("template_uuid", "carrier_uuid"):
            raise ValueError(key)
        with self.lock:
            rows = self._conn.execute(
                f"SELECT detail FROM campaign WHERE json_extract(detail, '$.{key}') = ?",
                (uuid,),
            ).fetchall()
            for (detail,) in rows:
                self.replace_document(json.loads(detail))

    def _name_of(self, table: str, uuid: str) -> str | None:
        if not uuid:
            return None
        with self.lock:
            row = self._conn.execute(f"SELECT name FROM {table} WHERE uuid = ?", (uuid,)).fetchone()
        return None if row is None else row[0]


def _reject_unknown_keys(doc: dict[str, Any]) -> None:
    unknown = sorted(set(doc) - set(CAMPAIGN_KEYS))
    if unknown:
        raise ValueError(f"unknown campaign field(s): {', '.join(unknown)}")
