"""Reading `reconciler.yaml`: the rules in force, or every problem in the file, located.

The file is read like a manifest (safe C loader, duplicate keys refused, `file:line: message`
errors reported together, "did you mean" for misspelt keys). Where it is: `--config FILE`, else
env RECONCILER_CONFIG, else ./reconciler.yaml. The default may be missing (no policies); a
file asked for by name may not.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from reconciler import fields
from reconciler.errors import ConfigError
from reconciler.manifest.entry import Loc, _wording, format_loc
from reconciler.manifest.loader import _INVALID, Source, _parse, _Problems, _read
from reconciler.manifest.wording import describe, did_you_mean
from reconciler.manifest.yamlread import safe_yaml
from reconciler.policy.environments import (
    OVERRIDE_KINDS,
    Environment,
    Override,
    OverrideMatch,
    set_problems,
)
from reconciler.policy.rules import Policies, ProjectConfig, Rule, Selector, preset_rules

DEFAULT_CONFIG = "reconciler.yaml"
CONFIG_ENV = "RECONCILER_CONFIG"
_SHAPE = (
    "reconciler.yaml is a mapping with the keys environments: (tenants) and policies: "
    "(presets: and rules:)"
)


@dataclass(frozen=True)
class RuleInForce:
    """A rule and where it comes from: `preset NAME (file:line)` or `file:line`."""

    rule: Rule
    origin: str


@dataclass
class PolicySet:
    """The rules in force for this run, and the config file they were read from (if any)."""

    rules: list[RuleInForce] = field(default_factory=list)
    config: str | None = None

    @property
    def rule_list(self) -> list[Rule]:
        return [item.rule for item in self.rules]


def config_location(given: str | None) -> tuple[str, bool]:
    """The config path to read, and whether the user named it (then it must exist). A path
    given but empty (a CI variable that is not set) is an error, never the default."""
    if given is not None:
        if not given.strip():
            raise ConfigError(
                "--config is empty: give the config file's path, e.g. --config reconciler.yaml, "
                f"or leave the option out to read ./{DEFAULT_CONFIG}"
            )
        return given, True
    if CONFIG_ENV in os.environ:
        from_env = os.environ[CONFIG_ENV]
        if not from_env.strip():
            raise ConfigError(
                f"{CONFIG_ENV} is empty: set it to the config file's path (in CI, check that "
                f"the variable is defined), or unset it to read ./{DEFAULT_CONFIG}"
            )
        return from_env, True
    return DEFAULT_CONFIG, False


@dataclass
class Project:
    """What reconciler.yaml says: the rules in force and the environments declared (with
    the file they were read from, to locate an override's fields)."""

    policies: PolicySet = field(default_factory=PolicySet)
    environments: dict[str, Environment] = field(default_factory=dict)
    source: Source | None = None


def load_policies(given: str | None = None) -> PolicySet:
    """The rules in force; raises ManifestError listing every problem in the config file."""
    return load_project(given).policies


def load_project(given: str | None = None) -> Project:
    """The project config; raises ManifestError listing every problem in the config file."""
    display, explicit = config_location(given)
    path = Path(display)
    problems = _Problems("config")
    if not path.exists():
        if not explicit:
            return Project()
        problems.path(display, "no such config file (named by --config or RECONCILER_CONFIG)")
        problems.raise_if_any()
    if path.is_dir():
        problems.path(display, "is a directory, not a config file")
        problems.raise_if_any()
    source = _read(display, path, problems)
    if source is None:
        problems.raise_if_any()
    assert source is not None
    data = _parse(safe_yaml(), source, problems)
    config = _validate(source, data, problems)
    if config is not None:
        _check_overrides(source, config, problems)
    problems.raise_if_any()
    if config is None:
        return Project(PolicySet(config=display), {}, source)
    policies = (
        PolicySet(config=display) if config.policies is None
        else PolicySet(_in_force(source, config.policies, problems), config=display)
    )
    return Project(policies, dict(config.environments or {}), source)


def _validate(source: Source, data: Any, problems: _Problems) -> ProjectConfig | None:
    if data is _INVALID:
        return None
    if data is None:  # an empty file: no settings
        return ProjectConfig()
    if not isinstance(data, dict):
        problems.at(source, (), f"expected a mapping, got {describe(data)}; {_SHAPE}", "shape")
        return None
    try:
        return ProjectConfig.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            code = "unknown-key" if error["type"] == "extra_forbidden" else "invalid-value"
            for loc, message in _explain(error):
                problems.at(source, loc, message, code)
        return None


def _check_overrides(source: Source, config: ProjectConfig, problems: _Problems) -> None:
    """Each override's `set` against the schema of the kind it selects, located at the key."""
    from reconciler.manifest.loader import SECTIONS

    fields_of = {kind: (model, name, pin) for kind, model, name, pin in SECTIONS.values()}
    for env, environment in (config.environments or {}).items():
        for index, override in enumerate(environment.overrides or []):
            where = ("environments", env, "overrides", index)
            if override.kind not in fields_of:
                continue
            for problem in set_problems(override.kind, override.set, *fields_of[override.kind]):
                problems.at(
                    source, (*where, *problem.loc),
                    f"environments.{env}.overrides[{index}]: {problem.message}",
                    "invalid-value",
                )


def _in_force(source: Source, policies: Policies, problems: _Problems) -> list[RuleInForce]:
    """Preset rules first, then the file's own; a rule id may be used once."""
    rules: list[RuleInForce] = []
    first: dict[str, str] = {}
    for index, name in enumerate(policies.presets or []):
        origin = f"preset {name} ({source.at(('policies', 'presets', index))})"
        for rule in preset_rules(name):
            if rule.id not in first:
                first[rule.id] = f"preset {name}"
                rules.append(RuleInForce(rule, origin))
    for index, rule in enumerate(policies.rules or []):
        where = ("policies", "rules", index, "id")
        if rule.id in first:
            problems.at(
                source,
                where,
                f"policies.rules[{index}].id: rule id '{rule.id}' is already used "
                f"by {first[rule.id]}; rule ids are unique",
                "duplicate-rule-id",
            )
            continue
        first[rule.id] = f"the rule at {source.at(('policies', 'rules', index))}"
        rules.append(RuleInForce(rule, source.at(("policies", "rules", index))))
    problems.raise_if_any()
    return rules


# The model found at a path inside the file (list indexes as 0), for "did you mean".
_MODELS: dict[tuple[Any, ...], type[BaseModel]] = {
    (): ProjectConfig,
    ("policies",): Policies,
    ("policies", "rules", 0): Rule,
    ("policies", "rules", 0, "select"): Selector,
    ("environments", "*"): Environment,
    ("environments", "*", "overrides", 0): Override,
    ("environments", "*", "overrides", 0, "match"): OverrideMatch,
}


def _model_at(parent: Loc) -> type[BaseModel] | None:
    """The model at a path inside the file (list indexes as 0, environment names as *)."""
    key = tuple(0 if isinstance(part, int) else part for part in parent)
    if len(key) >= 2 and key[0] == "environments":
        key = ("environments", "*", *key[2:])
    return _MODELS.get(key)


def _explain(error: Any) -> list[tuple[Loc, str]]:
    """One pydantic error as located, readable problems."""
    loc: Loc = tuple(part for part in error["loc"] if part != "[key]")
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    if kind == "value_error":
        found = []
        for cause in getattr(ctx.get("error"), "problems", None) or [ctx.get("error")]:
            inner = tuple(getattr(cause, "loc", ()) or ())
            message = getattr(cause, "message", None) or str(cause)
            shown = loc + inner if getattr(cause, "whole_path", False) else loc
            found.append((loc + inner, f"{format_loc(shown)}: {message}" if shown else message))
        return found
    if kind == "extra_forbidden":
        key = str(loc[-1])
        parent = loc[:-1]
        model = _model_at(parent)
        keys = list(model.model_fields) if model else []
        where = f" in {format_loc(parent)}" if parent else ""
        known = f"; expected {', '.join(keys)}" if keys else ""
        return [(loc, f"unknown key '{key}'{where}{did_you_mean(key, keys)}{known}")]
    prefix = f"{format_loc(loc)}: "
    if kind == "literal_error" and loc and loc[-1] == "severity":
        return [(loc, prefix + f"must be error or warning; got {describe(value)}")]
    if kind == "string_pattern_mismatch" and loc and loc[-1] == "id":
        return [
            (
                loc,
                prefix + "must be letters, digits and . _ : / - (like max-concurrency), "
                f"got {describe(value)}",
            )
        ]
    if kind == "literal_error" and loc and loc[-1] == "kind":  # an override's match.kind
        choices = ", ".join(OVERRIDE_KINDS)
        hint = did_you_mean(value, OVERRIDE_KINDS)
        return [(loc, prefix + f"must be one of {choices}; got {describe(value)}{hint}")]
    if kind == "literal_error":  # select.type_autocall
        choices = ", ".join(fields.TYPE_AUTOCALL)
        hint = did_you_mean(value, fields.TYPE_AUTOCALL)
        return [(loc, prefix + f"must be one of {choices}; got {describe(value)}{hint}")]
    return [(loc, _wording(kind, loc, value, ctx, error["msg"]))]
