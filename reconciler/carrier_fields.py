"""The carrier API's vocabulary, in one place (vendor page autocall_carrier.md).

The trap this module names: **reads and writes differ**. A write sends the prefixes
(`PREFIX_FIELDS`) top level and the caller ids of the random dial types as `data.caller_id`; a
read answers them under `data` (`{"caller_id", "prefix_*"}`), with the prefixes the dial type
uses only, and adds the server fields in `READ_ONLY`. A `null` network count reads back as 0.
"""

from __future__ import annotations

DIAL_TYPES = (
    "sip_one_for_all",
    "sip_random_for_all",
    "sip_random_group_for_network",
    "channel_one_for_all",
    "channel_prefix",
)
# Dial types that pick among several caller ids (sent as the list `data.caller_id`).
RANDOM_DIAL_TYPES = ("sip_random_for_all", "sip_random_group_for_network")
PREFIX_FIELDS = (
    "prefix",
    "prefix_mobi",
    "prefix_viettel",
    "prefix_vina",
    "prefix_tel",
    "prefix_offnet",
)
# The prefixes a read shows under `data`, by dial type (channel_prefix: the docs' Billing row;
# channel_one_for_all: the parameter table; the sip types show none).
DATA_PREFIXES: dict[str, tuple[str, ...]] = {
    "channel_one_for_all": ("prefix",),
    "channel_prefix": ("prefix_mobi", "prefix_viettel", "prefix_vina", "prefix_tel",
                       "prefix_offnet"),
}

# Top-level fields a create or update body may carry (the parameter tables).
FIELDS = (
    "carrier_name",
    "description",
    "caller_id",
    "gateway_uuid",
    "network",
    "data",
    "concurrent_call",
    "dial_type",
    *PREFIX_FIELDS,
)
REQUIRED = ("carrier_name", "gateway_uuid", "dial_type", "concurrent_call")
UPDATE_REQUIRED = ("carrier_uuid", *REQUIRED)  # the PUT table marks carrier_uuid required
# Fields a read adds, which no write sets.
READ_ONLY = (
    "domain_uuid",
    "carrier_uuid",
    "status",
    "created_at",
    "updated_at",
    "carrier_remaining_ccu",
    "remaining_concurrent_call",
    "groups",
)

# Answers (the page's examples). DELETE answers `{"carrier_uuid": ..., "created": true}` (sic).
NAME_TAKEN = "carrier_name is exists"
NOT_FOUND = "carrier_name is not exists"
# Not documented: whether DELETE refuses a carrier campaigns use. The emulator allows it
# (quirk `carrier-delete-in-use-refused` refuses it with this message).
IN_USE = "carrier is used by a campaign"

# The campaign field that references a carrier.
CAMPAIGN_REFERENCE = "carrier_uuid"
