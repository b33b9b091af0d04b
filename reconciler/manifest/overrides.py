"""The manifests as one environment sees them: its pins chosen, its overrides applied.

Overrides come from reconciler.yaml (`environments.NAME.overrides`) and apply in order after
the manifests load, as if each selected entry declared the fields itself: the result is
validated again (a value that breaks the entry is a located error at the override; the files
it names are read again, relative to its manifest), and each
overridden field keeps the override's place (`reconciler.yaml:LINE`) as its source, so a
policy finding or a plan error about it points there and the plan can say where it came from.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Collection, Mapping
from typing import Any

from reconciler.diagnostics.model import Place
from reconciler.kinds.registry import kinds
from reconciler.manifest.loader import SECTIONS, Manifests, Source, _Problems
from reconciler.manifest.models import EXCLUSIVE_FIELDS
from reconciler.manifest.wording import did_you_mean
from reconciler.names import identity_key


def for_environment(
    manifests: Manifests,
    name: str | None,
    environments: Mapping[str, Any],
    config: Source | None,
    *,
    need_pins: bool = True,
) -> Manifests:
    """The manifests for environment `name` (None: none chosen). Every per-environment pin
    must name a declared environment; without an environment, a per-environment pin is an
    error when `need_pins` (a command about to talk to a tenant)."""
    problems = _Problems()
    _check_pin_names(manifests, environments, problems)
    problems.raise_if_any()
    if name is None:
        if need_pins and any(manifests.env_pins.values()):
            _no_environment_for_pins(manifests, problems)
            problems.raise_if_any()
        return manifests
    result = copy.copy(manifests)
    result._specs = {kind: dict(specs) for kind, specs in manifests._specs.items()}
    result.environment = name
    result.overridden = {}
    for kind, pins in manifests.env_pins.items():
        uuid_field = _fields(kind)[2]
        specs = result.specs(kind)
        for entry, by_env in pins.items():
            if name in by_env:
                specs[entry] = specs[entry].model_copy(update={uuid_field: by_env[name]})
    environment = environments[name]
    for index, override in enumerate(environment.overrides or []):
        if not _apply(result, name, index, override, config, problems) and config is not None:
            _matches_nothing(result, name, index, override, config, problems)
    problems.raise_if_any()
    result.diagnostics = [*manifests.diagnostics, *problems.warnings()]
    return result


def _matches_nothing(
    manifests: Manifests, env: str, index: int, override: Any, config: Source,
    problems: _Problems,
) -> None:
    """An override that selects no entry changes nothing: most likely a misspelt name or
    label (said, with "did you mean", but not an error: an entry may come later)."""
    kind = override.kind
    names = list(manifests.specs(kind))
    wanted = (override.match.names or []) if override.match is not None else []
    hints = "".join(did_you_mean(name, names) for name in wanted if name not in names)
    problems.warn(
        config, ("environments", env, "overrides", index),
        f"environments.{env}.overrides[{index}] matches no {kind} entry, so it changes "
        f"nothing{hints}",
        "override-matches-nothing",
    )


def _apply(
    manifests: Manifests, env: str, index: int, override: Any, config: Source | None,
    problems: _Problems,
) -> int:
    """One override on every entry it selects; problems located at the override. Returns
    how many entries it selected."""
    from reconciler.manifest.entry import validate_entry_coded

    kind = override.kind
    model = _fields(kind)[0]
    specs = manifests.specs(kind)
    at = ("environments", env, "overrides", index)
    selected = 0
    for entry, spec in list(specs.items()):
        if not selects(override, entry, spec):
            continue
        selected += 1
        data = spec.model_dump(exclude_unset=True)
        for _field, counterpart in _counterparts(override.set):
            data.pop(counterpart, None)
        data.update(override.set)
        new, found = validate_entry_coded(data, model)
        if new is not None:  # the files it names read again, relative to its manifest
            directory = os.path.dirname(manifests.origin(entry, kind)[0].display)
            found = kinds()[kind].entry_files(new, directory)
            new = None if found else new
        for loc, message, code in found:
            where = (*at, "set", loc[0]) if loc and loc[0] in override.set else (*at, "set")
            if config is not None:
                problems.at(config, where, f"{kind} {entry!r}: {message}", code,
                            entry=(kind, entry))
        if new is None:
            continue
        specs[entry] = new
        fields = manifests.overridden.setdefault(kind, {}).setdefault(entry, {})
        for field in override.set:
            fields[field] = config.place((*at, "set", field)) if config is not None else Place()
    return selected


def selects(override: Any, name: str, spec: Any) -> bool:
    """Whether the override's `match` takes this entry: every condition given holds (names
    and labels compared in NFC)."""
    match = override.match
    if match is None:
        return True
    if match.names is not None and identity_key(name) not in {
        identity_key(wanted) for wanted in match.names
    }:
        return False
    if match.labels:
        labels = {identity_key(k): identity_key(v) for k, v in (spec.labels or {}).items()}
        for key, value in match.labels.items():
            if labels.get(identity_key(key)) != identity_key(value):
                return False
    return True


def _counterparts(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """An override setting `carrier` replaces the entry's `carrier_uuid` (and the reverse):
    the two may not be declared together."""
    found = []
    for name_field, uuid_field in EXCLUSIVE_FIELDS:
        if name_field in values:
            found.append((name_field, uuid_field))
        if uuid_field in values:
            found.append((uuid_field, name_field))
    return found


def _fields(kind: str) -> tuple[type, str, str]:
    """The spec model, name field and uuid field of a kind, from the loader's sections."""
    for model_kind, model, name_field, uuid_field in SECTIONS.values():
        if model_kind == kind:
            return model, name_field, uuid_field
    raise KeyError(kind)


def _check_pin_names(
    manifests: Manifests, environments: Collection[str], problems: _Problems
) -> None:
    """A per-environment pin for an environment reconciler.yaml does not declare: a typo
    (did you mean) or a config that was not found."""
    for kind, pins in manifests.env_pins.items():
        uuid_field = _fields(kind)[2]
        for entry, by_env in pins.items():
            for env in by_env:
                if env in environments:
                    continue
                declared = ", ".join(environments) or "none (no environments: in reconciler.yaml)"
                source, index = manifests.origin(entry, kind)
                problems.at(
                    source,
                    (_key(kind), index, uuid_field, env),
                    f"{uuid_field}: no environment {env!r}{did_you_mean(env, list(environments))};"
                    f" reconciler.yaml declares {declared}",
                    "unknown-environment",
                    entry=(kind, entry),
                )


def _no_environment_for_pins(manifests: Manifests, problems: _Problems) -> None:
    for kind, pins in manifests.env_pins.items():
        uuid_field = _fields(kind)[2]
        for entry, by_env in pins.items():
            source, index = manifests.origin(entry, kind)
            problems.at(
                source,
                (_key(kind), index, uuid_field),
                f"{uuid_field} is given per environment ({', '.join(by_env)}): choose one "
                "with --env NAME",
                "needs-environment",
                entry=(kind, entry),
            )


def _key(kind: str) -> str:
    return next(key for key, (model_kind, *_rest) in SECTIONS.items() if model_kind == kind)

