"""The API's vocabulary, in one place: enums, field groups and day names.

The emulator, the manifest models and the planner all read these, so a field flows by one
name from YAML key to PUT body.
"""

DAYS: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)

# Keys of one API schedule object, in a stable order: monday_start_time, monday_end_time, ...
SCHEDULE_KEYS: tuple[str, ...] = tuple(
    f"{day}_{edge}_time" for day in DAYS for edge in ("start", "end")
)

CAMPAIGN_TYPES = ("autodialer", "autocall", "inbound", "manual")
TYPE_AUTOCALL = ("autocall_voice_tts", "autocall_audio", "autocall_voice_otp")
MODE_CALL = ("direct", "serial", "parralel")  # sic: the API's spelling
STATUS = ("stop", "start", "pause")
PRIORITY_RECALL = ("normal", "recall")
SCHEDULE_RECALL = ("minute", "after")  # the values the docs show; nothing else is documented
RECALL_STATUSES = (
    "answered",
    "busy",
    "failed",
    "no-answered",
    "not-available",
    "voicemail",
    "invalid-number",
    "phone-block",
    "congestion",
)
NETWORK_KEYS = ("viettel", "mobi", "vina", "tel", "offnet")

# POST /v3/campaign stores only these.
CREATE_FIELDS = (
    "campaign_name",
    "type",
    "description",
    "concurrent_call",
    "ratio",
    "template_uuid",
    "type_autocall",
)

# PUT /v3/campaign/{uuid} replaces these (the docs' parameter table); one left out is reset.
UPDATE_FIELDS = (
    "campaign_name",
    "concurrent_call",
    "type",
    "template_uuid",
    "description",
    "type_autocall",
    "carrier_uuid",
    "recall_times",
    "limit_recall_duration",
    "schedule_recall",
    "schedule_recall_duration",
    "status",
    "mode_call",
    "network",
    "call_timeout",
    "schedules",
    "priority_recall",
    "recall_status",
    "callback_url",
)

# Set by the server; never sent as a change, never exported.
SERVER_MANAGED_FIELDS = (
    "domain_uuid",
    "campaign_uuid",
    "created_at",
    "updated_at",
    "run_id",
    "template_name",
    "carrier_name",
    "domain_name",
    "users",
    "groups",
    "statuses",
    "ratio",
    "hopper",
    "call_center_queue_uuid",
    "call_center_queue_strategy",
    "local_start_time",
    "local_end_time",
    "customer_order",
    "allow_manual_dial",
    "allow_search_lead",
    "enable_callback_alert",
    "default_list_uuid",
    "script_uuid",
    "answer_callback_url",
    "enable_encrypt",
    "orig_campaign_uuid",
    "status",
)

# Manifest fields a campaign entry may declare and so manage. `carrier`/`template` are names
# resolved to `carrier_uuid`/`template_uuid`; `active` goes through PATCH .../active.
MANAGED_FIELDS = (
    "campaign_name",
    "type",
    "type_autocall",
    "description",
    "active",
    "concurrent_call",
    "carrier",
    "carrier_uuid",
    "template",
    "template_uuid",
    "call_timeout",
    "mode_call",
    "network",
    "recall_times",
    "limit_recall_duration",
    "schedule_recall",
    "schedule_recall_duration",
    "priority_recall",
    "recall_status",
    "callback_url",
    "schedules",
)
