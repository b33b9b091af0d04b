"""The `environments:` section of reconciler.yaml: one repository, several tenants.

Each environment names its API (`api_url`, or `api_url_env` naming the variable that holds
it), its credentials (`token_env` or `api_key_env`: the NAME of a variable, never the secret)
and `overrides:` applied to the manifests after they load. An override's `set` is checked
here against the schema of the kind it selects (a misspelt field is a located error), so a
typo is caught by `validate` even when no entry matches yet.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from reconciler.manifest.models import FieldError
from reconciler.manifest.wording import describe, did_you_mean
from reconciler.policy.kindfields import KIND_NAMES

ENV_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
VARIABLE_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
ALL = "all"  # `--env all`: every declared environment in turn
# Every kind of entry (the registry's, through the entry models rules read), so adding a kind
# makes its entries overridable too.
OVERRIDE_KINDS = KIND_NAMES
_STRICT = ConfigDict(extra="forbid", strict=True, validate_default=False)


def _not_all(name: str) -> str:
    if name == ALL:
        raise FieldError("'all' is not an environment name: --env all means every one")
    return name


EnvironmentName = Annotated[str, Field(pattern=ENV_NAME_PATTERN), AfterValidator(_not_all)]


class OverrideMatch(BaseModel):
    """Which entries an override changes; every condition given must hold."""

    model_config = ConfigDict(**_STRICT, title="OverrideMatch")

    names: list[str] = Field(
        default=None, description="Entry names (any one of them), compared in Unicode NFC."
    )
    labels: dict[str, str] = Field(
        default=None, description="Labels the entry must carry, each with exactly this value."
    )
    kind: Literal[OVERRIDE_KINDS] = Field(  # type: ignore[valid-type]
        default="campaign",
        description=f"The kind of entry: {', '.join(OVERRIDE_KINDS)} (campaign by default).",
    )


class Override(BaseModel):
    """Fields set on every selected entry, as if its manifest said so."""

    model_config = ConfigDict(**_STRICT, title="Override")

    match: OverrideMatch = Field(
        default=None, description="Which entries; without it, every campaign."
    )
    set: dict[str, Any] = Field(
        description="Manifest fields of that kind and their values in this environment.",
    )

    @field_validator("set")
    @classmethod
    def _fields_of_the_kind(cls, value: dict[str, Any], info: Any) -> dict[str, Any]:
        if not value:
            raise FieldError("set: give at least one field to set")
        return value

    @property
    def kind(self) -> str:
        return self.match.kind if self.match is not None else "campaign"


class Environment(BaseModel):
    """One tenant: where its API is, which variables hold its credentials, its overrides."""

    model_config = ConfigDict(**_STRICT, title="Environment")

    api_url: str = Field(
        default=None, description="The API's base URL, e.g. https://staging.example.vn."
    )
    api_url_env: str = Field(
        default=None,
        pattern=VARIABLE_PATTERN,
        description="The NAME of an environment variable holding the API's base URL.",
    )
    token_env: str = Field(
        default=None,
        pattern=VARIABLE_PATTERN,
        description="The NAME of an environment variable holding a bearer token.",
    )
    api_key_env: str = Field(
        default=None,
        pattern=VARIABLE_PATTERN,
        description="The NAME of an environment variable holding an API key (exchanged for "
        "tokens).",
    )
    overrides: list[Override] = Field(
        default=None,
        description="Applied in order after the manifests load; a later one wins.",
    )

    @field_validator("overrides", mode="before")
    @classmethod
    def _null_is_none(cls, value: Any) -> Any:
        return [] if value is None else value

    @model_validator(mode="after")
    def _one_of_each(self) -> Environment:
        given = self.model_fields_set
        if ("api_url" in given) == ("api_url_env" in given):
            raise FieldError("give exactly one of api_url and api_url_env")
        if ("token_env" in given) == ("api_key_env" in given):
            raise FieldError("give exactly one of token_env and api_key_env")
        return self


def set_problems(
    kind: str, values: dict[str, Any], model: type[BaseModel], name_field: str, uuid_field: str
) -> list[FieldError]:
    """Fields `set` may not hold for `kind` (its entry `model`, name and uuid fields, as the
    kind says): unknown ones (with did-you-mean), values the model refuses, and identity (a
    name or pin differs per tenant through the entry itself, not an override)."""
    known = [key for key in model.model_fields if key not in (name_field, uuid_field)]
    problems = []
    for key in values:
        if key in (name_field, uuid_field, "previous_names"):
            why = (
                f"per environment, give {uuid_field} as a mapping in the entry "
                f"({uuid_field}: {{staging: ..., production: ...}})"
                if key == uuid_field else "an entry's identity is the same in every tenant"
            )
            problems.append(FieldError(f"'{key}' cannot be overridden: {why}", ("set", key)))
        elif not isinstance(key, str) or key not in model.model_fields:
            problems.append(FieldError(
                f"unknown {kind} field {describe(key) if not isinstance(key, str) else key!r}"
                f"{did_you_mean(key, known)}",
                ("set", key),
            ))
    checked = {key: value for key, value in values.items() if key in known}
    if checked:
        from reconciler.manifest.entry import validate_entry_coded

        _spec, found = validate_entry_coded({name_field: "x", **checked}, model)
        problems += [
            FieldError(message, ("set", *loc)) for loc, message, _code in found
            if loc and loc[0] in checked
        ]
    return problems
