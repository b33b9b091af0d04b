"""Reading manifest files: paths → validated CampaignSpecs, or every problem, located.

Files are loaded with ruamel's C safe parser (yamlread.py: fast, no arbitrary tags). Positions
are not kept while loading; a file is composed again with positions only when one of its values
must be located (a problem, or `Manifests.where`). Problems from all files are raised
together as one ManifestError of `path/file.yaml:LINE: message` lines.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError

from reconciler.diagnostics.model import Category, Diagnostic, Severity, Subject
from reconciler.errors import ManifestError
from reconciler.kinds.registry import kinds, primary
from reconciler.manifest.entry import Loc, validate_entry_coded
from reconciler.manifest.locate import Locator
from reconciler.manifest.wording import describe, did_you_mean
from reconciler.manifest.yamlhints import encoding_problem, parser_hint, reader_problem
from reconciler.manifest.yamlread import entry_lines, safe_yaml
from reconciler.names import identity_key, lookalike_key
from reconciler.safetext import spelt

MANIFEST_SUFFIXES = (".yaml", ".yml")
# Each top-level key: the kind of entry its list holds, the entry model, its name field and
# its pin (uuid) field; the primary kind's first.
SECTIONS: dict[str, tuple[str, type, str, str]] = {
    kind.section: (kind.name, kind.spec_model, kind.name_field, kind.uuid_field)
    for kind in sorted(kinds().values(), key=lambda kind: not kind.primary)
}
TOP_KEY = next(iter(SECTIONS))
KIND_KEYS = {kind: key for key, (kind, *_rest) in SECTIONS.items()}
_INVALID = object()  # a file whose YAML could not be read at all


class ManifestLoadError(ManifestError):
    """ManifestError that also says which files (or paths) the problems are in."""

    def __init__(
        self,
        errors: list[str],
        files: list[str],
        diagnostics: Sequence[Diagnostic] | None = None,
    ):
        super().__init__(errors, diagnostics)
        self.files = files


@dataclass
class Source:
    """One manifest file: the path as the user wrote it, and its text (for locating)."""

    display: str
    text: str
    entry_lines: list[int] = field(default_factory=list, repr=False)  # noted while loading
    _locator: Locator | None = field(default=None, repr=False)

    @property
    def locator(self) -> Locator:
        if self._locator is None:
            self._locator = Locator(self.text)
        return self._locator

    def at(self, path: Loc) -> str:
        return f"{self.display}:{self.locator.line(path)}"

    def position(self, path: Loc) -> tuple[int, int | None]:
        """(line, column) of the value at `path` inside the file's data."""
        return self.locator.position(path)


class Manifests:
    """Every entry declared under the given paths, per kind, keyed by name in file order.
    `manifests.campaigns` (any kind's plural) is `specs(<that kind>)`."""

    def __init__(
        self,
        specs: Mapping[str, dict[str, Any]],
        files: list[Source],
        origins: Mapping[str, dict[str, tuple[Source, int]]],
        warnings: Sequence[Diagnostic] | None = None,
    ):
        self._specs = {kind: dict(specs.get(kind) or {}) for kind in kinds()}
        self.sources = files
        self._origins = {kind: dict(origins.get(kind) or {}) for kind in kinds()}
        # Valid, but most likely not what was meant (overlapping calling windows...).
        self.diagnostics = list(warnings or [])
        # Pins given per environment: kind -> entry name -> {environment: uuid}.
        self.env_pins: dict[str, dict[str, dict[str, str]]] = {}
        # The environment these specs are for (overrides and pins applied), if any, and the
        # fields an override set: kind -> entry name -> field -> `reconciler.yaml:LINE`.
        self.environment: str | None = None
        self.overridden: dict[str, dict[str, dict[str, str]]] = {}

    def override_at(self, kind: str, name: str, field: str | Loc | None) -> str | None:
        """Where an override set this field of this entry (`reconciler.yaml:LINE`), if one did."""
        first = field if isinstance(field, str) else (field[0] if field else None)
        return self.overridden.get(kind, {}).get(name, {}).get(first) if first else None

    def __getattr__(self, name: str) -> dict[str, Any]:
        for kind in kinds().values():
            if kind.plural == name:
                return self._specs[kind.name]
        raise AttributeError(name)

    @property
    def warnings(self) -> list[str]:
        """`file:line: warning: ...` lines."""
        return [diagnostic.text() for diagnostic in self.diagnostics]

    @property
    def files(self) -> list[str]:
        """The manifest files read, as the user's paths lead to them."""
        return [source.display for source in self.sources]

    def specs(self, kind: str) -> dict[str, Any]:
        """The declared entries of one kind, by name."""
        return self._specs[kind]

    def where(
        self, name: str, field: str | Loc | None = None, kind: str | None = None
    ) -> str:
        """`path/file.yaml:LINE` of the entry (of the primary kind unless `kind` says), or
        of one of its fields (or of a value inside one: `("press_options", 0)`); an
        overridden field's is the override's."""
        kind = kind or primary().name
        overridden = self.override_at(kind, name, field)
        if overridden:
            return overridden
        source, index = self._origins[kind][name]
        if field is None and KIND_KEYS[kind] == TOP_KEY and index < len(source.entry_lines):
            return f"{source.display}:{source.entry_lines[index]}"  # no re-parse needed
        inner: Loc = (field,) if isinstance(field, str) else tuple(field or ())
        path: Loc = (KIND_KEYS[kind], index) + inner
        return source.at(path)

    def origin(self, name: str, kind: str | None = None) -> tuple[Source, int]:
        """The file an entry is in and its index in that file's list of its kind (the
        primary kind unless `kind` says)."""
        return self._origins[kind or primary().name][name]

    def where_for(self, kind: str) -> Callable[[str, str | None], str]:
        """`where` for the entries of one kind (the planner's Where)."""
        return lambda name, field=None: self.where(name, field, kind)

    def at(self, name: str, path: Loc = (), kind: str | None = None) -> str:
        """`path/file.yaml:LINE` of a value inside the entry, e.g. at
        ('schedules', 1, 'mon-fri'); the entry's own line for ()."""
        kind = kind or primary().name
        if not path:
            return self.where(name, None, kind)
        overridden = self.override_at(kind, name, path)
        if overridden:
            return overridden
        source, index = self._origins[kind][name]
        return source.at((KIND_KEYS[kind], index, *path))


class _Problems:
    """Problems in discovery order, each kept as a Diagnostic: code, place (line and column)
    and the campaign entry concerned, known where it is found; sorted by file, then line."""

    def __init__(self, kind: Category = "manifest") -> None:
        self._kind = kind  # "manifest" or "config": the codes' prefix and category
        self._items: list[tuple[int, int, int, Diagnostic]] = []
        self._warnings: list[tuple[int, int, int, Diagnostic]] = []
        self._order: dict[str, int] = {}

    def register(self, display: str) -> None:
        """Fix the place of a path or file in the report: the order the user's paths give."""
        self._order.setdefault(display, len(self._order))

    def _group(self, display: str) -> int:
        self.register(display)
        return self._order[display]

    def _diagnostic(
        self,
        severity: Severity,
        code: str,
        message: str,
        file: str,
        position: tuple[int | None, int | None],
        campaign: str | None,
    ) -> Diagnostic:
        line, column = position
        subject = Subject(file=file, line=line, column=column, campaign=campaign)
        return Diagnostic(severity, f"{self._kind}/{code}", message, subject, category=self._kind)

    def path(self, given: str, message: str, code: str = "path") -> None:
        diagnostic = self._diagnostic("error", code, message, given, (None, None), None)
        self._items.append((self._group(given), 0, len(self._items), diagnostic))

    def at(
        self,
        source: Source,
        where: Loc | int,
        message: str,
        code: str,
        *,
        campaign: str | None = None,
        column: int | None = None,
    ) -> None:
        """A problem at a path inside the file's data, or at a known 1-based line."""
        position = source.position(where) if not isinstance(where, int) else (where, column)
        diagnostic = self._diagnostic(
            "error", code, message, source.display, position, campaign
        )
        order = (self._group(source.display), position[0] or 0, len(self._items))
        self._items.append((*order, diagnostic))

    def warn(
        self, source: Source, where: Loc, message: str, code: str, campaign: str | None = None
    ) -> None:
        position = source.position(where)
        diagnostic = self._diagnostic(
            "warning", code, message, source.display, position, campaign
        )
        order = (self._group(source.display), position[0] or 0, len(self._warnings))
        self._warnings.append((*order, diagnostic))

    def warnings(self) -> list[Diagnostic]:
        """The warnings, in the order of the user's paths, then lines."""
        return [diagnostic for *_, diagnostic in sorted(self._warnings, key=_order)]

    def raise_if_any(self) -> None:
        if not self._items:
            return
        diagnostics = [diagnostic for *_, diagnostic in sorted(self._items, key=_order)]
        files = list(dict.fromkeys(diagnostic.file or "" for *_, diagnostic in self._items))
        raise ManifestLoadError([d.text() for d in diagnostics], files, diagnostics)


def _order(item: tuple[int, int, int, Diagnostic]) -> tuple[int, int, int]:
    return item[0], item[1], item[2]


def _name(raw: dict[Any, Any]) -> str | None:
    """The object of the primary kind an entry declares, if its name is text (for a
    diagnostic's subject)."""
    name = raw.get(primary().name_field)
    return name if isinstance(name, str) else None


def load_manifests(paths: Sequence[str | Path]) -> Manifests:
    """Load and validate every manifest under `paths`; raise ManifestError listing all problems."""
    problems = _Problems()
    registry = kinds()
    identities = {kind: _Identities(problems, key, name, pin, registry[kind].unique_name)
                  for key, (kind, _model, name, pin) in SECTIONS.items()}
    yaml = safe_yaml()
    specs: dict[str, dict[str, Any]] = {kind: {} for kind, *_ in SECTIONS.values()}
    origins: dict[str, dict[str, tuple[Source, int]]] = {kind: {} for kind in specs}
    sources: list[Source] = []
    env_pins: dict[str, dict[str, dict[str, str]]] = {kind: {} for kind in specs}
    for display, path in discover(paths, problems):
        source = _read(display, path, problems)
        if source is None:
            continue
        sources.append(source)
        for top, index, raw in _entries(source, _parse(yaml, source, problems), problems):
            kind, model, _entry_name, pin_key = SECTIONS[top]
            raw, pins = _pins_by_environment(source, (top, index), raw, pin_key, problems)
            spec, entry_problems = validate_entry_coded(raw, model)
            for loc, message, code in entry_problems:
                problems.at(source, (top, index, *loc), message, code, campaign=_name(raw))
            if spec is not None:
                directory = os.path.dirname(display)
                for loc, message, code in registry[kind].entry_files(spec, directory):
                    problems.at(source, (top, index, *loc), message, code, campaign=_name(raw))
                for loc, message, code in registry[kind].entry_warnings(spec):
                    problems.warn(source, (top, index, *loc), message, code, _name(raw))
            if identities[kind].claim(source, index, raw) and spec is not None:
                specs[kind][spec.name] = spec
                origins[kind][spec.name] = (source, index)
                if pins:
                    env_pins[kind][spec.name] = pins
    for key, (kind, _model, _name_key, _pin) in SECTIONS.items():
        _previous_names_unique(specs[kind], origins[kind], key, problems)
    problems.raise_if_any()
    manifests = Manifests(specs, sources, origins, problems.warnings())
    manifests.env_pins = {kind: pins for kind, pins in env_pins.items() if pins}
    where_by = {kind: manifests.where_for(kind) for kind in specs}
    for kind in registry.values():
        manifests.diagnostics += kind.manifest_warnings(specs, where_by)
    return manifests


def _pins_by_environment(
    source: Source, at: Loc, raw: dict[Any, Any], pin_key: str, problems: _Problems
) -> tuple[dict[Any, Any], dict[str, str]]:
    """A pin given per environment (`campaign_uuid: {staging: ..., production: ...}`): the
    entry without it (validated as unpinned) and the mapping, each uuid checked here. Which
    one applies is decided once the environment is known (manifest/overrides.py)."""
    import re

    from reconciler.manifest.models import UUID_PATTERN

    given = raw.get(pin_key)
    if not isinstance(given, dict):
        return raw, {}
    pins: dict[str, str] = {}
    if not given:
        problems.at(source, (*at, pin_key), f"{pin_key}: give a uuid, or a mapping of "
                    "environment names to uuids; this mapping is empty", "invalid-value",
                    campaign=_name(raw))
    for env, uuid in given.items():
        if not isinstance(env, str) or not isinstance(uuid, str) or not re.match(
            UUID_PATTERN, uuid
        ):
            problems.at(
                source, (*at, pin_key, env),
                f"{pin_key}.{env}: must be a uuid like 5f427552-857e-4939-8edf-cbd0f1ef6842, "
                f"got {describe(uuid)}", "invalid-value", campaign=_name(raw),
            )
            continue
        pins[env] = uuid
    return {key: value for key, value in raw.items() if key != pin_key}, pins


def _previous_names_unique(
    specs: dict[str, Any], origins: dict[str, tuple[Source, int]], top: str,
    problems: _Problems,
) -> None:
    """A previous name is nobody's current name and only one entry's previous name: else
    which live object becomes which entry would depend on the tenant."""
    names = {identity_key(name): name for name in specs}
    claimed: dict[str, str] = {}
    for name, spec in specs.items():
        for index, previous in enumerate(getattr(spec, "previous_names", None) or []):
            key = identity_key(previous)
            source, entry = origins[name]
            where = (top, entry, "previous_names", index)
            if key in names:
                other = origins[names[key]]
                problems.at(
                    source, where,
                    f"previous_names[{index}]: {previous!r} is the name of another entry "
                    f"(at {other[0].at((top, other[1]))}); a name is either current or "
                    "previous", "duplicate-identity", campaign=name,
                )
            elif key in claimed:
                problems.at(
                    source, where,
                    f"previous_names[{index}]: {previous!r} is already a previous name of "
                    f"{claimed[key]!r}; one live object can become one entry only",
                    "duplicate-identity", campaign=name,
                )
            else:
                claimed[key] = name




class _Identities:
    """Names and pinned uuids seen so far: each may be declared once across all files.

    Checked on the raw entries, so a duplicate is reported even when an entry is also invalid.
    """

    def __init__(self, problems: _Problems, top: str, name_key: str, pin_key: str,
                 unique: Callable[[str], str] = str):
        self._problems = problems
        self._top, self._name_key, self._pin_key = top, name_key, pin_key
        self._unique = unique  # the part of a name no two entries may share (Kind.unique_name)
        self._names: dict[str, tuple[Source, int, str]] = {}  # by NFC name
        # By the name as it reads (names.lookalike_key): two entries that read the same would
        # manage two live objects nobody can tell apart.
        self._looks: dict[str, tuple[Source, int, str]] = {}
        self._pins: dict[str, tuple[Source, int, str]] = {}

    def claim(self, source: Source, index: int, raw: dict[Any, Any]) -> bool:
        """Record the entry's identity; False (and a problem) if its name was taken."""
        name, pin = raw.get(self._name_key), raw.get(self._pin_key)
        top, name_key, pin_key = self._top, self._name_key, self._pin_key
        if isinstance(name, str):
            key = identity_key(self._unique(name))
            if key in self._names:
                other, other_index, other_name = self._names[key]
                if other_name == name:
                    spelling = ""
                elif identity_key(other_name) == identity_key(name):
                    spelling = (f" (spelt {other_name!r} there: the same name in another "
                                "Unicode form)")
                else:
                    spelling = f" ({other_name!r} there: the two would be one name live)"
                self._problems.at(
                    source,
                    (top, index, name_key),
                    f"duplicate {name_key} '{name}' (first declared at "
                    f"{other.at((top, other_index))}){spelling}",
                    "duplicate-identity",
                    campaign=name,
                )
                return False
            look = lookalike_key(self._unique(name))
            if look in self._looks:
                other, other_index, other_name = self._looks[look]
                self._problems.at(
                    source,
                    (top, index, name_key),
                    f"duplicate {name_key} {spelt(name)}: it reads like {spelt(other_name)} "
                    f"(first declared at {other.at((top, other_index))}; only spaces or "
                    "invisible characters differ): the two would be look-alike twins live; "
                    "give each a name that reads differently",
                    "duplicate-identity",
                    campaign=name,
                )
                return False
            self._names[key] = (source, index, name)
            self._looks[look] = (source, index, name)
        if isinstance(pin, str) and pin:
            if pin.lower() in self._pins:
                other, other_index, other_name = self._pins[pin.lower()]
                self._problems.at(
                    source,
                    (top, index, pin_key),
                    f"{pin_key} {pin} is already pinned by '{other_name}' at "
                    f"{other.at((top, other_index))}",
                    "duplicate-identity",
                    campaign=_name(raw),
                )
            else:
                self._pins[pin.lower()] = (source, index, str(name))
        return True


def discover(paths: Sequence[str | Path], problems: _Problems) -> list[tuple[str, Path]]:
    """Manifest files under the paths (directories walked in sorted order), each once."""
    found: list[tuple[str, Path]] = []
    seen: set[Path] = set()
    for given in paths:
        given_text = os.fspath(given)
        root = Path(given_text)
        if root.is_dir():
            relatives = sorted(_walk(root), key=lambda relative: relative.parts)
            if not relatives:
                problems.path(given_text, "no .yaml or .yml files in this directory")
            candidates = [(os.path.join(given_text, rel), root / rel) for rel in relatives]
        elif root.exists():
            candidates = [(given_text, root)]
        else:
            problems.path(given_text, "no such file or directory")
            continue
        for display, path in candidates:
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                problems.register(display)
                found.append((display, path))
    return found


def _walk(root: Path) -> Iterator[PurePath]:
    """Manifest files below root, relative to it; hidden files and directories are skipped."""
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = [name for name in subdirectories if not name.startswith(".")]
        for name in files:
            if not name.startswith(".") and name.lower().endswith(MANIFEST_SUFFIXES):
                yield PurePath(os.path.relpath(os.path.join(directory, name), root))


def _read(display: str, path: Path, problems: _Problems) -> Source | None:
    try:
        raw = path.read_bytes()
        return Source(display, raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        message = encoding_problem(raw, exc)
        line = 1 if message.startswith("the file is") else raw.count(b"\n", 0, exc.start) + 1
        problems.at(Source(display, ""), line, message, "yaml")
    except OSError as exc:
        problems.path(display, f"cannot read: {exc.strerror or exc}")
    return None


def _parse(yaml: YAML, source: Source, problems: _Problems) -> Any:
    """The file's data, or _INVALID after recording why it cannot be read."""
    try:
        data = yaml.load(source.text)
        source.entry_lines = entry_lines(yaml)
        return data
    except DuplicateKeyError as exc:
        duplicates = source.locator.duplicate_keys() or [(_line(exc), "duplicate key")]
        for line, message in duplicates:
            problems.at(source, line, message, "duplicate-key")
        # Keep validating the rest of the file (first value of each key), to report all at once.
        try:
            return safe_yaml(allow_duplicate_keys=True).load(source.text)
        except (YAMLError, ValueError):  # pragma: no cover - the first load got this far
            return _INVALID
    except MarkedYAMLError as exc:
        problems.at(
            source, _line(exc), _yaml_message(exc, source.text), "yaml", column=_column(exc)
        )
    except ReaderError as exc:  # a character YAML refuses: located by its offset
        problems.at(source, *reader_problem(exc, source.text), "yaml")
    except YAMLError as exc:
        problems.at(source, 1, f"invalid YAML: {_first_line(str(exc))}", "yaml")
    except (ValueError, TypeError, RecursionError) as exc:  # e.g. a date such as 2024-13-45
        found = source.locator.unconstructable_scalar()
        if found is None:
            problems.at(source, 1, f"invalid YAML value: {exc}", "yaml")
        else:
            line, text, reason = found
            problems.at(
                source, line, f"invalid value '{text}' ({reason}); quote it if it is text", "yaml"
            )
    return _INVALID


def _entries(
    source: Source, data: Any, problems: _Problems
) -> Iterator[tuple[str, int, dict]]:
    """(top key, index, entry) of a well-formed file; shape problems are recorded, not raised."""
    if data is _INVALID:
        return
    shape = (
        f"a manifest is a mapping with {' and/or '.join(f'{key}:' for key in SECTIONS)} "
        "(lists of entries)"
    )
    if data is None:
        problems.at(source, 1, f"empty file; {shape}", "shape")
        return
    if not isinstance(data, dict):
        problems.at(source, (), f"expected a mapping, got {describe(data)}; {shape}", "shape")
        return
    unknown = [key for key in data if key not in SECTIONS]
    for key in unknown:
        problems.at(
            source,
            (key,),
            f"unknown top-level key '{key}'{did_you_mean(key, list(SECTIONS))}; {shape}",
            "shape",
        )
    if not any(key in data for key in SECTIONS):
        if not unknown:
            keys = " or ".join(f"'{key}'" for key in SECTIONS)
            problems.at(source, (), f"missing the key {keys}; {shape}", "shape")
        return
    for top, (kind, *_rest) in SECTIONS.items():
        entries = data.get(top)
        if entries is None:  # absent, or every entry commented out: an empty list
            continue
        if not isinstance(entries, list):
            problems.at(
                source,
                (top,),
                f"{top}: must be a list of {kind} entries, got {describe(entries)}",
                "shape",
            )
            continue
        for index, raw in enumerate(entries):
            if isinstance(raw, dict):
                yield top, index, raw
            else:
                problems.at(
                    source,
                    (top, index),
                    f"{top}[{index}]: each {kind} entry must be a mapping of fields, "
                    f"got {describe(raw)}",
                    "shape",
                )


def _line(exc: MarkedYAMLError) -> int:
    mark = exc.problem_mark or exc.context_mark
    return mark.line + 1 if mark is not None else 1


def _column(exc: MarkedYAMLError) -> int | None:
    mark = exc.problem_mark or exc.context_mark
    return mark.column + 1 if mark is not None else None


def _yaml_message(exc: MarkedYAMLError, text: str = "") -> str:
    """ruamel's message without its multi-line marks; tags get a message of their own."""
    problem = exc.problem or ""
    if "could not determine a constructor for the tag" in problem:
        tag = problem.split("'")[1] if "'" in problem else "?"
        tag = tag.replace("tag:yaml.org,2002:", "!!")
        return f"YAML tag '{tag}' is not allowed: manifests are plain YAML (no tags)"
    if "another document" in problem:
        return "a manifest is one YAML document; remove the second '---' and what follows"
    context = exc.context or ""
    mark = exc.context_mark
    if context and mark is not None and mark.line != getattr(exc.problem_mark, "line", None):
        context += f" started at line {mark.line + 1}"
    hint = parser_hint(problem, exc.problem_mark or exc.context_mark, text)
    return f"invalid YAML: {problem}" + (f" ({context})" if context else "") + hint


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "unreadable"
