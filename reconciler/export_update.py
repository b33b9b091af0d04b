"""`export --update`: take live drift back into the manifest files, in place.

The planner's own diff says what differs: for each `update` it plans, exactly the fields it
would change are set, to the live values in manifest form (the forms `export` writes, so a
plan afterwards is empty), through reconciler.manifest.edit (every other byte stays). Live
objects no manifest declares become new files, as `export` writes them; declared objects
that are gone live are only listed. Pure but for `write_changes`: the command reads the API.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler.errors import ReconcilerError
from reconciler.export import EXTENSION
from reconciler.kinds.registry import kind_of, kinds
from reconciler.manifest.edit import EditError, FileEdit
from reconciler.manifest.entry import validate_entry
from reconciler.manifest.loader import KIND_KEYS, SECTIONS, Manifests, Source
from reconciler.manifest.models import name_problem
from reconciler.manifest.schedule import ScheduleError
from reconciler.manifest.yamlread import safe_yaml
from reconciler.plan.catalog import Catalog
from reconciler.plan.model import Change, Plan
from reconciler.plan.planner import build_plan

_BOM = "\ufeff"


@dataclass
class EntryUpdate:
    """One entry taken back: where it is and which fields changed."""

    kind: str
    name: str
    file: str
    fields: list[str]


@dataclass
class Update:
    """What `export --update` changes (or, with --check, would change)."""

    texts: dict[str, str] = field(default_factory=dict)  # existing file -> its new text
    entries: list[EntryUpdate] = field(default_factory=list)
    new_files: dict[str, str] = field(default_factory=dict)  # new file name -> text
    new_names: dict[str, str] = field(default_factory=dict)  # new file name -> what it holds
    gone: list[str] = field(default_factory=list)  # declared, not live
    absent_but_live: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def changes_something(self) -> bool:
        return bool(self.texts or self.new_files)


def take_back(
    manifests: Manifests,
    plan: Plan,
    live_by: Mapping[str, list[dict[str, Any]]],
    catalog: Catalog,
    *,
    match: re.Pattern[str] | None = None,
) -> Update:
    """Edit the files of the entries `plan` would update so that they declare the live
    values; list the declared objects gone live and the absent ones alive."""
    result = Update()
    by_uuid = {
        name: {row[kind.uuid_field]: row for row in live_by.get(name, [])}
        for name, kind in kinds().items()
    }
    edits: dict[str, tuple[Source, FileEdit, Any]] = {}
    unreadable: set[str] = set()
    touched: dict[str, list[tuple[str, str, int]]] = {}  # file -> (kind, name, index)
    for change in plan.changes:
        if kind_of(change).primary and match is not None and not match.search(change.name):
            continue
        source, index = manifests.origin(change.name, change.kind)
        where = manifests.where(change.name, None, change.kind)
        if change.action == "create":
            result.gone.append(f"{change.kind} {change.name!r} ({where}): declared, not live")
            continue
        if change.action == "delete":
            result.absent_but_live.append(
                f"{change.kind} {change.name!r} ({where}): declared absent, but live"
            )
            continue
        if source.display in unreadable:
            continue
        if source.display not in edits:
            try:
                edits[source.display] = (source, FileEdit(source.text, source.display),
                                         safe_yaml().load(source.text))
            except EditError as exc:
                result.problems.append(str(exc))
                unreadable.add(source.display)
                continue
        _, edit, data = edits[source.display]
        raw = data[KIND_KEYS[change.kind]][index]
        live = by_uuid[change.kind][change.uuid]
        taken = [name for name in change.fields if not _unspellable(change, name, where, result)]
        mark = edit.checkpoint()
        try:
            for name in taken:
                _set_field(edit, (KIND_KEYS[change.kind], index), name, raw, live, change,
                           catalog)
        except (EditError, ScheduleError) as exc:
            # This entry stays as written; the entries edited before it in the file do not.
            result.problems.append(f"{change.kind} {change.name!r} ({where}): {exc}")
            edit.rollback(mark)
            continue
        if not taken:
            continue
        touched.setdefault(source.display, []).append((change.kind, change.name, index))
        result.entries.append(EntryUpdate(change.kind, change.name, source.display, taken))
    for display, (_source, edit, _data) in edits.items():
        try:
            text = edit.result()
            if text != edit.text:
                result.texts[display] = text
        except EditError as exc:
            result.problems.append(str(exc))
    _check_converges(result, manifests, live_by, catalog, touched)
    return result


def drop_overridden(plan: Plan, manifests: Manifests) -> list[str]:
    """Take out of `plan`'s updates the fields an override of the environment sets: their
    live value is that tenant's, not the manifests'. Returns what was kept, in words."""
    kept = []
    for change in plan.changes:
        if change.action != "update":
            continue
        fields = [name for name in change.fields
                  if manifests.override_at(change.kind, change.name, name)]
        for name in fields:
            del change.fields[name]
        if fields:
            kept.append(
                f"{change.kind} {change.name!r}: {', '.join(fields)} (set by the "
                f"{manifests.environment} override at "
                f"{manifests.override_at(change.kind, change.name, fields[0])}; never taken back)"
            )
    return kept


def _unspellable(change: Change, name: str, where: str, result: Update) -> bool:
    """A live name no manifest may declare (a trailing space, a zero-width character: the
    planner takes it as a look-alike of the entry's name) is not taken back: it is named as a
    problem, the entry keeps its spelling (apply renames the live object back to it)."""
    if name != kind_of(change).name_field:
        return False
    live_name = change.fields[name].before
    problem = name_problem(live_name, name) if isinstance(live_name, str) else "not a name"
    if not problem:
        return False
    result.problems.append(
        f"{change.kind} {change.name!r} ({where}): the live name {live_name!r} cannot be "
        f"declared ({problem}); the entry keeps its spelling, and apply renames it back"
    )
    return True


# ---- one field in manifest form ------------------------------------------------------------


def _set_field(edit: FileEdit, entry: tuple[str, int], name: str, raw: Mapping[str, Any],
               live: Mapping[str, Any], change: Change, catalog: Catalog) -> None:
    path = (*entry, name)
    kind = kind_of(change)
    ref = next((ref for ref in kind.references if ref.field == name), None)
    if ref is not None:
        uuid = live.get(ref.uuid_field) or ""
        listed = catalog.name_of(ref.target, uuid) if uuid else None
        if listed is not None and catalog.resolve(ref.target, listed)[0] == uuid:
            edit.set(path, listed)
        else:  # no name resolves back to it: written as the uuid (as export does)
            edit.set(path, uuid)
            edit.rename_key(path, ref.uuid_field)
        return
    value, pairing = kind.taken_back(name, raw, live, change.fields[name].before)
    if pairing is None:
        edit.set(path, value)
    else:
        edit.set(path, value, pairing=pairing)


# ---- the promise: a plan afterwards is empty -----------------------------------------------


def _check_converges(result: Update, manifests: Manifests, live_by: Mapping[str, list],
                     catalog: Catalog, touched: Mapping[str, list[tuple[str, str, int]]]) -> None:
    """Plan the edited entries again, against the same live objects: any that still differs
    is a problem, and its file is not written."""
    specs = {kind: dict(manifests.specs(kind)) for kind in kinds()}
    taken = {(entry.kind, entry.name): set(entry.fields) for entry in result.entries}
    edited: dict[tuple[str, str], tuple[str, set[str]]] = {}  # (kind, new name) -> file, fields
    for display, entries in touched.items():
        if display not in result.texts:
            continue
        data = safe_yaml().load(result.texts[display])
        for kind, name, index in entries:
            model = SECTIONS[KIND_KEYS[kind]][1]
            spec, problems = validate_entry(data[KIND_KEYS[kind]][index], model)
            if spec is None:
                result.problems.append(f"{display}: {kind} {name!r} would not validate: "
                                       + "; ".join(message for _, message in problems))
                result.texts.pop(display, None)
                break
            specs[kind].pop(name, None)
            specs[kind][spec.name] = spec
            edited[(kind, spec.name)] = (display, taken.get((kind, name), set()))
    if edited:
        try:
            again = build_plan(specs, live_by, catalog)
        except ReconcilerError as exc:  # the edited entries would not even plan: none written
            for display, _fields in edited.values():
                result.texts.pop(display, None)
            result.problems.append(f"the edited manifests would not plan ({exc}); "
                                   "none of them is written (please report this)")
            again = Plan(changes=[])
        for change in again.changes:
            display, fields = edited.get((change.kind, change.name), ("", set()))
            # Only what was taken back must now agree (a name that cannot be declared is not).
            still = [name for name in change.fields if name in fields]
            if change.action == "update" and still:
                result.problems.append(
                    f"{display}: {change.kind} {change.name!r} would still differ from the "
                    f"live one in {', '.join(still)} after the edit; the file is left as it "
                    "is (please report this)"
                )
                result.texts.pop(display, None)
    kept = set(result.texts)  # an entry is reported as taken back only if its file is written
    result.entries = [entry for entry in result.entries if entry.file in kept]


# ---- new files -------------------------------------------------------------------------------


def undeclared(manifests: Manifests, live_rows: list[dict[str, Any]], kind: str) -> list[dict]:
    """The live objects of `kind` no entry declares (by name or pin), in listing order."""
    from reconciler.plan.planner import match as match_entries

    return match_entries(kind_of(kind), manifests.specs(kind), live_rows).undeclared


def add_new_files(result: Update, files: Mapping[str, str], directory: Path,
                  labels: Mapping[str, str]) -> None:
    """New files for the undeclared objects, named as `export` names them; a name an existing
    file has gets `-2`, `-3`... (never a file overwritten)."""
    taken = {name.lower() for name in os.listdir(directory)} if directory.is_dir() else set()
    for name, text in files.items():
        stem, candidate, counter = name.removesuffix(EXTENSION), name, 2
        while candidate.lower() in taken:
            candidate, counter = f"{stem}-{counter}{EXTENSION}", counter + 1
        taken.add(candidate.lower())
        result.new_files[candidate] = text
        result.new_names[candidate] = labels.get(name, "")


# ---- writing -----------------------------------------------------------------------------------


def write_changes(result: Update, directory: Path) -> None:
    """All or nothing: every changed or new file staged beside itself, then each renamed into
    place (an existing file keeps its mode, and a byte-order mark it began with; a symlinked
    manifest is written through its link, which stays). A read-only manifest is refused
    before anything is staged. SIGINT and SIGTERM wait while the files are renamed, and a
    rename that fails puts the files renamed before it back: no half-updated tree."""
    shown = {Path(display): display for display in result.texts}
    shown.update({directory / name: str(directory / name) for name in result.new_files})
    targets = {_real(Path(display)): text for display, text in result.texts.items()}
    targets.update({directory / name: text for name, text in result.new_files.items()})
    real_shown = {_real(path): display for path, display in shown.items()}
    for path in targets:
        if path.exists() and _read_only(path):
            raise ReconcilerError(
                f"{real_shown.get(path, path)}: the file is read-only (make it writable to "
                "take the drift back into it); nothing was written"
            )
    staged: dict[Path, Path] = {}
    originals: dict[Path, bytes | None] = {}
    current = ""
    try:
        for path, text in targets.items():
            current = real_shown.get(path, str(path))
            temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            staged[path] = temporary
            originals[path] = path.read_bytes() if path.exists() else None
            if (originals[path] or b"").startswith(_BOM.encode()):
                text = _BOM + text
            with open(temporary, "w", encoding="utf-8", newline="") as stream:
                stream.write(text)
            if originals[path] is not None:
                shutil.copymode(path, temporary)
        with _signals_held():
            _rename_all(staged, originals, real_shown)
    except BaseException as exc:  # an error, or an interruption: no temporary file stays
        for temporary in staged.values():
            temporary.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ReconcilerError(
                f"cannot write {current}: {exc.strerror or exc}; nothing was written"
            ) from None
        raise


def _read_only(path: Path) -> bool:
    """Not writable for us, or writable by nobody (root may write anything: a file marked
    read-only still means "do not change me")."""
    return not os.access(path, os.W_OK) or not path.stat().st_mode & 0o222


def _real(path: Path) -> Path:
    """The file a (possibly symlinked) manifest path names: replacing the link itself would
    turn it into a copy."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _rename_all(staged: Mapping[Path, Path], originals: Mapping[Path, bytes | None],
                shown: Mapping[Path, str]) -> None:
    done: list[Path] = []
    for path, temporary in staged.items():
        try:
            os.replace(temporary, path)
        except OSError as exc:
            for earlier in done:  # back as they were
                if originals[earlier] is None:
                    earlier.unlink(missing_ok=True)
                else:
                    earlier.write_bytes(originals[earlier])  # type: ignore[arg-type]
            raise ReconcilerError(
                f"cannot write {shown.get(path, path)}: {exc.strerror or exc}; nothing was "
                "written (the files renamed before it were put back)"
            ) from None
        done.append(path)


@contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM held back while the files are renamed, then delivered. (Python
    runs its handlers in the main thread whichever thread the signal lands on, so they are
    swapped for ones that only note it; a thread's signal mask would not do.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {signum: handler for signum in (signal.SIGINT, signal.SIGTERM)
                if (handler := signal.getsignal(signum)) is not None}  # None: not Python's
    for signum in previous:
        signal.signal(signum, lambda number, _frame: received.append(number))
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if received:
            signal.raise_signal(received[0])
