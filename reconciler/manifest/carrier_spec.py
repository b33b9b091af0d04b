"""The carrier entry model: one outgoing number pool as a user declares it, in the API's
write-side field names (reconciler.carrier_fields). Strict like CampaignSpec; which fields an
entry declared is kept (`model_fields_set`): only those are managed.

It lives beside the other entry models, not in reconciler/kinds/carrier/, because the
manifest schema (manifest/document.py) sits below the kinds and must name it.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from reconciler import carrier_fields
from reconciler.manifest.models import (
    _STRICT,
    NAME_PATTERN,
    PREVIOUS_NAMES_DESCRIPTION,
    UUID_PATTERN,
    EntrySpec,
    FieldError,
    Network,
    NonNegInt,
    name_problem,
)

DialType = Literal[carrier_fields.DIAL_TYPES]  # type: ignore[valid-type]
# Fields whose YAML null means "empty": declaring one empty clears it on the live carrier.
CLEARABLE_FIELDS: dict[str, Any] = {
    "description": "",
    "caller_id": "",
    "network": {},
    **{name: "" for name in carrier_fields.PREFIX_FIELDS},
}
# Declared but not API fields: identity, lifecycle, policy metadata.
NOT_MANAGED = frozenset(
    {"state", "carrier_uuid", "labels", "policy_waivers", "previous_names"}
)
# The manifest fields, in the API's write order.
FIELDS = (
    "carrier_name", "description", "caller_id", "gateway_uuid", "dial_type", "network",
    "concurrent_call", *carrier_fields.PREFIX_FIELDS, "data",
)


def prefix_problem(name: str, dial_type: str) -> str:
    """Why a prefix cannot be declared with this dial type ("" when it can): a read shows
    only the prefixes the dial type uses, so any other could never be confirmed."""
    used = carrier_fields.DATA_PREFIXES.get(dial_type, ())
    if name in used:
        return ""
    which = [kind for kind, keys in carrier_fields.DATA_PREFIXES.items() if name in keys]
    return (
        f"{name} is used (and read back) only with dial_type {' or '.join(which)}; with "
        f"dial_type {dial_type} the API never shows it, so no plan could confirm it: remove it "
        "or change dial_type"
    )


class CarrierData(BaseModel):
    """`data` as a write sends it: the caller ids a random dial type picks from."""

    model_config = ConfigDict(**_STRICT, title="CarrierData")

    caller_id: list[str] = Field(
        description=(
            "The outgoing numbers a sip_random_for_all or sip_random_group_for_network carrier "
            "picks from. (Prefixes are declared at the top level, as the API's writes take them.)"
        ),
    )


class CarrierSpec(EntrySpec):
    """One carrier entry of a manifest: the desired state of one live carrier."""

    model_config = ConfigDict(**_STRICT, title="Carrier")
    entry_noun: ClassVar[str] = "carrier"
    entry_name_field: ClassVar[str] = "carrier_name"

    carrier_name: str = Field(
        pattern=NAME_PATTERN,
        description=(
            "The carrier's name and, unless carrier_uuid pins it, its identity: unique across "
            "all manifest files. Campaigns name it in `carrier:`."
        ),
    )
    state: Literal["present", "absent"] = Field(
        default="present",
        description=(
            "present: create or update it. absent: delete it if it exists (refused while a "
            "campaign that stays uses it)."
        ),
    )
    carrier_uuid: str = Field(
        default=None,
        pattern=UUID_PATTERN,
        description="Optional pin to a live carrier by uuid: then a changed carrier_name "
        "renames it.",
    )
    description: str | None = Field(default=None, description='Free text. "" or null clears it.')
    caller_id: str | None = Field(
        default=None,
        description="The outgoing number (a `direct` campaign needs one). \"\" or null clears it.",
    )
    gateway_uuid: str = Field(
        default=None,
        pattern=UUID_PATTERN,
        description="The gateway it calls through, by uuid (gateways have no API of their own). "
        "Required to create a carrier.",
    )
    dial_type: DialType = Field(
        default=None,
        description=(
            "How numbers are dialled: sip_one_for_all, sip_random_for_all, "
            "sip_random_group_for_network, channel_one_for_all (uses prefix) or channel_prefix "
            "(uses prefix_mobi .. prefix_offnet). Required to create a carrier."
        ),
    )
    network: Network | None = Field(  # type: ignore[valid-type]
        default=None,
        description="Channels per network (viettel, mobi, vina, tel, offnet; omitted ones are "
        "0): a serial or parralel campaign calls only the networks its carrier has channels for.",
    )
    concurrent_call: NonNegInt = Field(
        default=None,
        description="Simultaneous calls the carrier carries. Required to create a carrier.",
    )
    prefix: str | None = Field(default=None, description="Dial prefix (channel_one_for_all).")
    prefix_mobi: str | None = Field(default=None, description="MobiFone prefix (channel_prefix).")
    prefix_viettel: str | None = Field(
        default=None, description="Viettel prefix (channel_prefix)."
    )
    prefix_vina: str | None = Field(default=None, description="VinaPhone prefix (channel_prefix).")
    prefix_tel: str | None = Field(
        default=None, description="Fixed-line prefix (channel_prefix)."
    )
    prefix_offnet: str | None = Field(
        default=None, description="Off-net prefix (channel_prefix)."
    )
    data: CarrierData = Field(
        default=None,
        description="data.caller_id: the numbers a random dial type picks from.",
    )
    labels: dict[str, str] = Field(
        default=None,
        description="Text key/value pairs that policy rules of kind carrier select carriers by. "
        "Never sent to the API.",
    )
    policy_waivers: dict[str, str] = Field(
        default=None, description="Policy rules this carrier may break: {RULE_ID: reason}."
    )
    previous_names: list[str] = Field(default=None, description=PREVIOUS_NAMES_DESCRIPTION)

    @field_validator(*CLEARABLE_FIELDS, mode="before")
    @classmethod
    def _null_is_empty(cls, value: Any, info: Any) -> Any:
        return CLEARABLE_FIELDS[info.field_name] if value is None else value

    @field_validator("carrier_name")
    @classmethod
    def _name_reads_as_it_is(cls, value: str) -> str:
        problem = name_problem(value, "carrier_name")
        if problem:
            raise FieldError(problem)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> CarrierSpec:
        declared = self.model_fields_set
        if "dial_type" in declared:
            for name in carrier_fields.PREFIX_FIELDS:
                problem = prefix_problem(name, self.dial_type)
                if name in declared and getattr(self, name) and problem:
                    raise FieldError(problem, (name,))
            if (self.data is not None and self.dial_type not in carrier_fields.RANDOM_DIAL_TYPES):
                raise FieldError(
                    "data.caller_id is for the random dial types ("
                    f"{', '.join(carrier_fields.RANDOM_DIAL_TYPES)}); with dial_type "
                    f"{self.dial_type} the carrier calls from caller_id",
                    ("data",),
                )
        return self

    # The planner's view, shared with the other entry models.
    @property
    def name(self) -> str:
        return self.carrier_name

    @property
    def pin(self) -> str | None:
        return self.carrier_uuid

    def declared(self) -> frozenset[str]:
        """Manifest fields this entry declared: exactly the ones the planner manages."""
        return frozenset(self.model_fields_set - NOT_MANAGED)

    def api_values(self) -> dict[str, Any]:
        """Declared fields in API write form, keyed by API field name."""
        declared = self.declared()
        values: dict[str, Any] = {}
        for name in FIELDS:
            if name not in declared:
                continue
            value = getattr(self, name)
            if name == "network":
                value = value.model_dump() if value else {}
            elif name == "data":
                value = {"caller_id": list(value.caller_id)}
            values[name] = value
        return values
