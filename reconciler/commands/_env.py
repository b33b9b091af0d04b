"""Which environment (tenant) a command works on, and how to reach it.

`--env NAME` (repeatable where a command takes several; env RECONCILER_ENV) picks one of the
environments reconciler.yaml declares. With environments declared, a command that talks to
the API needs one; RECONCILER_API_URL, --api-url, RECONCILER_TOKEN and RECONCILER_API_KEY
set as well are refused unless they say the same as the environment (two answers to "which
tenant?" is how a production apply happens by mistake).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from reconciler.commands._common import API_URL_ENV, Settings, checked_api_url
from reconciler.errors import ConfigError
from reconciler.manifest.wording import did_you_mean

ENV_VARIABLE = "RECONCILER_ENV"
TOKEN_ENV = "RECONCILER_TOKEN"
API_KEY_ENV = "RECONCILER_API_KEY"
ALL = "all"


def project(cfg: Settings) -> Any:  # a policy.config.Project (lazy import)
    """reconciler.yaml as loaded once for this command (ManifestError when it is bad)."""
    cached = getattr(cfg, "_project", None)
    if cached is None:
        from reconciler.policy.config import load_project

        cached = load_project(cfg.config)
        cfg._project = cached  # type: ignore[attr-defined]
    return cached


def requested(cfg: Settings) -> list[str]:
    """The names given with --env, else RECONCILER_ENV's (comma-separated), else none."""
    if cfg.envs:
        return list(cfg.envs)
    value = os.environ.get(ENV_VARIABLE)
    if value is None:
        return []
    names = [name.strip() for name in value.split(",") if name.strip()]
    if not names:
        raise ConfigError(
            f"{ENV_VARIABLE} is empty: set it to an environment's name (in CI, check that the "
            "variable is defined), or unset it"
        )
    return names


def chosen(cfg: Settings, *, live: bool = True, several: bool = False) -> list[str | None]:
    """The environments this command runs for, in the order given (`all`: every declared
    one): [None] when none is declared and none asked for. `live`: the command talks to the
    API (then, with environments declared, one must be chosen); `several`: it may take more
    than one."""
    declared = list(project(cfg).environments)
    names = requested(cfg)
    config = project(cfg).policies.config or "reconciler.yaml"
    if not declared:
        if names:
            given = f"--env {names[0]}" if cfg.envs else f"{ENV_VARIABLE}={names[0]}"
            where = (
                f"{config} declares no environments" if project(cfg).source
                else "no reconciler.yaml found (none here, none given with --config), so no "
                "environments are declared"
            )
            instead = "drop --env" if cfg.envs else f"unset {ENV_VARIABLE}"
            raise ConfigError(
                f"{given}: {where} (add environments: to reconciler.yaml, or {instead})"
            )
        return [None]
    if not names:
        if not live:
            return [None]
        raise ConfigError(
            f"{config} declares environments ({', '.join(declared)}): choose one with --env "
            f"NAME (or {ENV_VARIABLE})" + (", or --env all" if several else "")
        )
    result: list[str | None] = []
    for name in names:
        if name == ALL and several:
            result += [env for env in declared if env not in result]
            continue
        if name == ALL:  # apply (say) to every tenant at once: never by one word
            raise ConfigError(
                f"--env all: this command works on one environment at a time ({config} "
                f"declares {', '.join(declared)}); give --env NAME (plan takes --env all)"
            )
        if name not in declared:
            hint = did_you_mean(name, declared)
            raise ConfigError(
                f"--env {name}: no such environment{hint}; {config} declares "
                f"{', '.join(declared)}" + (" (or --env all)" if several else "")
            )
        if name not in result:
            result.append(name)
    if len(result) > 1 and not several:
        raise ConfigError(
            f"--env was given {len(result)} environments ({', '.join(map(str, result))}); "
            "this command works on one at a time (plan takes several)"
        )
    return result


def connection(cfg: Settings, name: str | None) -> tuple[str, Mapping[str, str] | None]:
    """(API base URL, the credential variables to read) for environment `name`; for None,
    the global settings and the process environment as they are."""
    if name is None:
        return cfg.resolved_api_url(), None
    environment = project(cfg).environments[name]
    if environment.api_url is not None:
        url = checked_api_url(environment.api_url, f"environments.{name}.api_url")
    else:
        url = checked_api_url(
            _variable(name, "api_url_env", environment.api_url_env),
            environment.api_url_env,
        )
    others = [(source, value) for source, value in (
        ("--api-url", cfg.api_url), (API_URL_ENV, os.environ.get(API_URL_ENV)),
    ) if value is not None]
    for source, value in others:
        if value.strip().rstrip("/") != url:
            raise ConfigError(
                f"{source} ({value.strip()}) and --env {name} ({url}) name different APIs: "
                f"refused as ambiguous; unset {source} (the environment says where its API is)"
            )
    variable = environment.token_env or environment.api_key_env
    secret = _variable(name, "token_env" if environment.token_env else "api_key_env", variable)
    from reconciler.redact import remember

    remember(secret)
    wanted = TOKEN_ENV if environment.token_env else API_KEY_ENV
    for generic in (TOKEN_ENV, API_KEY_ENV):
        given = os.environ.get(generic, "").strip()
        if given and (generic != wanted or given != secret):
            raise ConfigError(
                f"{generic} is set and is not what --env {name} uses ({variable}): refused as "
                f"ambiguous; unset {generic} (the environment names its credentials)"
            )
    environ = {wanted: secret}
    backoff = os.environ.get("RECONCILER_RETRY_BACKOFF")
    if backoff is not None:
        environ["RECONCILER_RETRY_BACKOFF"] = backoff
    return url, environ


def _variable(env: str, key: str, variable: str | None) -> str:
    value = os.environ.get(variable or "", "").strip()
    if not value:
        state = "is empty" if variable in os.environ else "is not set"
        raise ConfigError(
            f"environment {env}: {key} names the variable {variable}, which {state} (in CI, "
            "check that the secret is defined for this environment)"
        )
    return value
