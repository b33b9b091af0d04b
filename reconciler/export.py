"""Adoption: live objects → manifest files that `reconciler plan` shows as unchanged.

Pure but for `write_files`: the command reads the API and hands each kind's live objects
(campaign details, template reads) and the listings their references name objects in to
`render_export`, which returns `{file name: YAML text}`. What an entry holds is its kind's
(`Kind.export_entry`); files, headers, YAML and the read-back check are here, once.
Every field a person manages is written (empty values included, so they stay managed);
a live value no manifest can express is left out and named in the file's header instead.
"""

from __future__ import annotations

import io
import json
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from reconciler.errors import ReconcilerError
from reconciler.kinds.base import Kind
from reconciler.kinds.registry import kind_of, primary
from reconciler.manifest.entry import format_loc, validate_entry
from reconciler.manifest.yamlread import safe_yaml
from reconciler.safetext import UNSAFE_BUT_NEWLINE, shown

ALL_TYPES = "all"
SCHEMA_FILE = Path("schema") / "manifest.schema.json"
EXTENSION = ".yaml"
FLOW_WIDTH = 60  # a list or map of plain values this short is written on one line
MAX_STEM = 60  # long names are cut: file names stay well under every filesystem's limit
FALLBACK_STEM = primary().name  # a name with no ASCII letter or digit at all
# Device names Windows refuses as file names, whatever the extension.
_RESERVED_STEMS = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{dev}{n}" for dev in ("com", "lpt") for n in range(1, 10)}
)
_YAML_11 = VersionedResolver(version=(1, 1))
_STR_TAG = "tag:yaml.org,2002:str"


class ExportError(ReconcilerError):
    """Export cannot go on (bad filter, unwritable or occupied target); nothing was written."""


class NotExportable(ReconcilerError):
    """One campaign has a value no manifest can hold exactly; the others are still exported."""


@dataclass
class Selection:
    """The live rows to export, and how many the filters left out (for the summary line)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    skipped_by_type: int = 0
    skipped_by_match: int = 0


@dataclass
class ExportedCampaign:
    """One campaign (or template: `kind`) in manifest form, with the fields left out because
    no manifest can hold their live value (`field: reason`)."""

    name: str
    uuid: str
    entry: dict[str, Any]
    unmanaged: dict[str, str] = field(default_factory=dict)
    kind: str = field(default_factory=lambda: primary().name)
    notes: list[str] = field(default_factory=list)


# ---- selecting -----------------------------------------------------------------------------


def compile_match(pattern: str | None) -> re.Pattern[str] | None:
    """The --match regex, or a clean error before any API call."""
    if pattern is None:
        return None
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ExportError(f"--match: invalid regular expression {pattern!r}: {exc}") from None


def select_campaigns(
    rows: Iterable[dict[str, Any]], campaign_type: str, match: re.Pattern[str] | None
) -> Selection:
    """Rows of the wanted type whose name the regex finds (anywhere: anchor it to be exact).

    The listing is already filtered by type server-side; checking again costs nothing and
    keeps a lax server from slipping other types in.
    """
    selection = Selection()
    for row in rows:
        if campaign_type != ALL_TYPES and row.get("type") != campaign_type:
            selection.skipped_by_type += 1
        elif match is not None and not match.search(row.get("campaign_name") or ""):
            selection.skipped_by_match += 1
        else:
            selection.rows.append(row)
    return selection


# ---- one campaign in manifest form ---------------------------------------------------------


def unique_names(rows: Iterable[dict[str, Any]], kind: str) -> dict[str, str]:
    """uuid → name for carriers or templates whose name is listed once: only such a name
    resolves back to the same uuid at plan time, whatever order the listing comes in."""
    rows = list(rows)
    name_key, uuid_key = f"{kind}_name", f"{kind}_uuid"
    counts = Counter(row.get(name_key) for row in rows)
    return {
        row[uuid_key]: row[name_key]
        for row in rows
        if isinstance(row.get(name_key), str)
        and row[name_key].strip()
        and counts[row[name_key]] == 1
        and row.get(uuid_key)
    }


def exported_entry(
    kind: Kind, live: Mapping[str, Any], names: Mapping[str, Mapping[str, str]], *,
    pin_uuid: bool = False,
) -> ExportedCampaign:
    """A live object as one manifest entry of its kind (`names`: uuid -> unambiguous name, by
    referenced kind), less what no manifest can hold (named in `unmanaged`)."""
    entry, notes = kind.export_entry(live, names, pin_uuid=pin_uuid)
    result = ExportedCampaign(
        str(live[kind.name_field]), str(live[kind.uuid_field]), entry, kind=kind.name,
        notes=notes,
    )
    _drop_inexpressible(result)
    return result


def _drop_inexpressible(exported: ExportedCampaign) -> None:
    """Leave out (unmanaged) each field whose live value the manifest model rejects, e.g. a
    `type_autocall` of "" that only the server's zero value can produce. The reason is
    worded as `validate` would word it."""
    entry = exported.entry
    kind = kind_of(exported.kind)
    for _ in range(len(entry)):
        spec, problems = validate_entry(entry, kind.spec_model)
        if spec is not None:
            return
        bad: dict[str, str] = {}
        for loc, message in problems:
            field_name = loc[0] if loc else None
            if field_name in entry and field_name != kind.name_field:
                bad.setdefault(str(field_name), message.removeprefix(f"{format_loc(loc)}: "))
        if not bad:
            reasons = "; ".join(message for _, message in problems)
            raise ExportError(f"{exported.kind} {exported.name!r} cannot be exported: {reasons}")
        for field_name, message in bad.items():
            value = json.dumps(entry.pop(field_name), ensure_ascii=False)
            exported.unmanaged[field_name] = f"{value} ({message})"
    raise ExportError(f"{exported.kind} {exported.name!r} cannot be exported")  # pragma: no cover


# ---- file names ----------------------------------------------------------------------------


def slugify(name: str) -> str:
    """A lowercase ASCII file stem for any name: `Chiến dịch nhắc nợ` → `chien-dich-nhac-no`."""
    text = name.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    stem = stem[:MAX_STEM].rstrip("-") or FALLBACK_STEM
    return f"{stem}-campaign" if stem in _RESERVED_STEMS else stem


def file_names(campaigns: Iterable[tuple[str, str]]) -> dict[str, str]:
    """uuid → file name for (name, uuid) pairs: distinct, and the same for the same set of
    campaigns whatever order the API lists them in. Names that slug alike are ordered by
    name then uuid; all but the first get `-2`, `-3`, ... (skipping any other's own stem)."""
    campaigns = sorted(campaigns, key=lambda pair: (slugify(pair[0]), pair[0], pair[1]))
    natural = {slugify(name) for name, _ in campaigns}
    used: set[str] = set()
    names: dict[str, str] = {}
    for name, uuid in campaigns:
        base = stem = slugify(name)
        counter = 2
        while stem in used or (stem != base and stem in natural):
            stem, counter = f"{base}-{counter}", counter + 1
        used.add(stem)
        names[uuid] = stem + EXTENSION
    return names


# ---- rendering -----------------------------------------------------------------------------


def schema_reference(out_dir: Path, cwd: Path) -> str | None:
    """Where the JSON schema is, relative to the exported files: the nearest
    `schema/manifest.schema.json` at or above OUT, else the one in the directory export ran
    from. None when neither exists: a path that leads nowhere helps no editor."""
    out_dir = out_dir.resolve() if out_dir.is_absolute() else (cwd / out_dir).resolve()
    for parent in (out_dir, *out_dir.parents, cwd.resolve()):
        if (parent / SCHEMA_FILE).is_file():
            return Path(os.path.relpath(parent / SCHEMA_FILE, out_dir)).as_posix()
    return None


def public_url(url: str) -> str:
    """The API URL without any user:password, query or fragment (never a secret in a file)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def header(exported: ExportedCampaign, *, api_url: str, schema_ref: str | None) -> str:
    """The comment block opening each file: schema hint for editors, provenance, leftovers.
    No date or time: exporting an unchanged tenant again gives the same bytes."""
    schema = (
        f"# yaml-language-server: $schema={schema_ref}"
        if schema_ref
        else (
            "# No JSON schema found for editors: write one with `reconciler schema > "
            f"{SCHEMA_FILE.as_posix()}` at the repository root, then export again."
        )
    )
    lines = [
        schema,
        f"# Exported by `reconciler export` from {public_url(api_url)}.",
        f"# Live {exported.kind}_uuid {exported.uuid}. Edit freely: `reconciler plan`",
        f"# shows how this file differs from the live {exported.kind}.",
    ]
    lines += [f"# {note}" for note in exported.notes]
    if exported.unmanaged:
        lines.append("# Left unmanaged (no manifest can declare the live value):")
        lines += [f"#   {name}: {reason}" for name, reason in exported.unmanaged.items()]
    return "\n".join(_one_line(line) for line in lines) + "\n"


def _one_line(text: str) -> str:
    """A comment must stay one line, whatever a live value holds: controls escaped."""
    return shown(text)


def _string(text: str) -> Any:
    """A string that any YAML tool reads back as the same string: quoted when YAML 1.1
    would take it for something else (`yes`, `1_000`, `2024-01-01`), multi-line as `|`.
    Control characters (NEL U+0085 among them: YAML folds it as a line break in plain,
    single-quoted and block scalars) and other special ones are only exact as
    double-quoted escapes (`\\N`, `\\x1B`)."""
    special = UNSAFE_BUT_NEWLINE.search(text) is not None
    if "\n" in text and not special and text == text.strip(" \t"):
        return LiteralScalarString(text)
    if special or _YAML_11.resolve(ScalarNode, text, (True, False)) != _STR_TAG:
        return DoubleQuotedScalarString(text)
    return text


def _node(value: Any) -> Any:
    """Plain data as round-trip nodes, so the dumper writes block style with our quoting."""
    if isinstance(value, Mapping):
        node = CommentedMap()
        for key, item in value.items():
            node[key] = _node(item)
        return _flow_if_short(node, value.values())
    if isinstance(value, list | tuple):
        return _flow_if_short(CommentedSeq(_node(item) for item in value), value)
    if isinstance(value, str):
        return _string(value)
    return value


def _flow_if_short(node: Any, items: Iterable[Any]) -> Any:
    """`[busy, no-answered]`, `{viettel: 10, mobi: 5}`: a short collection of plain scalars
    on one line, as people write them; anything longer or nested stays in block style."""
    items = list(items)
    plain = all(
        isinstance(item, bool | int) or (isinstance(item, str) and item and _string(item) == item)
        for item in items
    )
    keys = list(node) if isinstance(node, CommentedMap) else []
    if items and plain and all(isinstance(key, str) and _string(key) == key for key in keys):
        width = sum(len(str(item)) + 2 for item in [*items, *keys]) + 2 * len(keys)
        if width <= FLOW_WIDTH:
            node.fa.set_flow_style()
    return node


def _document(entry: Mapping[str, Any], kind: Kind) -> CommentedMap:
    node = kind.export_node(_node(entry))
    return CommentedMap({kind.section: CommentedSeq([node])})


def _yaml() -> YAML:
    yaml = YAML()  # round-trip: keeps our key order and quoting
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # never fold a long description across lines
    yaml.allow_unicode = True
    return yaml


def render_campaign(exported: ExportedCampaign, *, api_url: str, schema_ref: str | None) -> str:
    """One manifest file's text, checked to read back (as `plan` reads it) as exactly the
    entry it came from; NotExportable names the fields that do not."""
    text = header(exported, api_url=api_url, schema_ref=schema_ref)
    kind = kind_of(exported.kind)
    text += _dump(exported.entry, kind)
    if _reads_back(text, exported.entry, kind):
        return text
    bad = [
        key for key, value in exported.entry.items()
        if not _field_reads_back(key, value, kind)
    ]
    fields = ", ".join(bad) if bad else "its fields together"
    values = json.dumps([exported.entry.get(key) for key in bad], ensure_ascii=False)
    why = (
        "holds a lone surrogate (half a UTF-16 pair), which no UTF-8 file can hold"
        if any(0xD800 <= ord(char) <= 0xDFFF for char in values)
        else "cannot be written so that it reads back exactly as the live value"
    )
    raise NotExportable(
        f"{exported.kind} {exported.name!r} ({exported.uuid}) not exported: {fields} {why}"
    )


def _dump(entry: Mapping[str, Any], kind: Kind) -> str:
    stream = io.StringIO()
    _yaml().dump(_document(entry, kind), stream)
    return stream.getvalue()


def _reads_back(text: str, entry: Mapping[str, Any], kind: Kind) -> bool:
    try:
        return safe_yaml().load(text) == {kind.section: [entry]}
    except (YAMLError, ValueError, TypeError, RecursionError):
        return False  # e.g. a lone surrogate: YAML escapes cannot express one


def _field_reads_back(key: str, value: Any, kind: Kind) -> bool:
    entry = {key: value}
    try:
        return _reads_back(_dump(entry, kind), entry, kind)
    except (YAMLError, ValueError, TypeError, UnicodeError):
        return False


def render_export(
    objects: Mapping[str, Iterable[Mapping[str, Any]]],
    listings: Mapping[str, Iterable[dict[str, Any]]],
    *,
    api_url: str,
    schema_ref: str | None,
    pin_uuid: bool = False,
) -> tuple[dict[str, str], list[str]]:
    """Every object's file (`objects`: live objects by kind; a kind other than the primary
    one is written as `<kind>-<name>.yaml`), rendered in memory, references named after the
    `listings` (rows by kind): ({file name: text} sorted by file name, why each one that
    cannot be exported exactly was left out)."""
    names = {kind: unique_names(rows, kind) for kind, rows in listings.items()}
    rendered: dict[tuple[str, str], str] = {}
    problems: list[str] = []
    for kind_name, lives in objects.items():
        kind = kind_of(kind_name)
        for live in lives:
            try:
                entry = exported_entry(kind, live, names, pin_uuid=pin_uuid)
                text = render_campaign(entry, api_url=api_url, schema_ref=schema_ref)
            except (ExportError, NotExportable) as exc:
                problems.append(str(exc))
                continue
            rendered[(f"{kind.label}{entry.name}", entry.uuid)] = text
    files_by_uuid = file_names(rendered)
    files = {files_by_uuid[uuid]: text for (_, uuid), text in rendered.items()}
    return dict(sorted(files.items())), problems


# ---- writing -------------------------------------------------------------------------------


def occupied(out_dir: Path, names: Iterable[str]) -> list[str]:
    """Those of `names` that already exist in out_dir."""
    return sorted(name for name in names if os.path.lexists(out_dir / name))


def write_files(out_dir: Path, files: Mapping[str, str], *, overwrite: bool = False) -> None:
    """All or nothing: refuse when a file exists (unless overwrite), write every file to a
    temporary name first, then rename each into place."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(f"--out {out_dir} exists and is not a directory")
    clashes = occupied(out_dir, files)
    if clashes and not overwrite:
        raise ExportError(
            f"{len(clashes)} file(s) already exist in {out_dir} (pass --overwrite to replace "
            "them); nothing was written:\n  " + "\n  ".join(clashes)
        )
    blocked = [name for name in clashes if (out_dir / name).is_dir()]
    if blocked:
        raise ExportError(f"not a file, cannot replace: {', '.join(blocked)}; nothing written")
    staged: dict[str, Path] = {}
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            temporary = out_dir / f".{name}.{os.getpid()}.tmp"
            staged[name] = temporary
            temporary.write_text(text, encoding="utf-8", newline="\n")
        for name, temporary in staged.items():
            os.replace(temporary, out_dir / name)
    except BaseException as exc:  # an error, or an interruption: no temporary file stays
        for temporary in staged.values():
            temporary.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ExportError(f"cannot write to {out_dir}: {exc.strerror or exc}") from None
        raise
