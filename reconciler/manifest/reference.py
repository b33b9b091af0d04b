"""docs/manifest.md, generated from the models so the reference cannot drift from the code.

Regenerate with:  python -m reconciler.manifest.reference > docs/manifest.md
(a test fails while the committed page differs from this output).
"""

from __future__ import annotations

from typing import Any

from reconciler import fields
from reconciler.manifest import schedule
from reconciler.manifest.audio_spec import AudioSpec
from reconciler.manifest.carrier_spec import CarrierData, CarrierSpec
from reconciler.manifest.models import (
    CLEARABLE_FIELDS,
    EXCLUSIVE_FIELDS,
    CampaignSpec,
    Network,
)
from reconciler.manifest.schema import manifest_schema
from reconciler.manifest.template_spec import PressOption, Sound, TemplateSpec

REGENERATE = "python -m reconciler.manifest.reference > docs/manifest.md"

_INTRO = """\
A manifest is a YAML file with `campaigns:` (a list of campaign entries) and/or `templates:`
(a list of call-script templates, see [Templates](#templates)). Give
`reconciler validate`, `plan` or `apply` any number of files and directories: directories are
walked recursively for `*.yaml` / `*.yml` files (hidden files and directories skipped), in
sorted order. Field names are the API's.

```yaml
# yaml-language-server: $schema=../../schema/manifest.schema.json
campaigns:
  - campaign_name: DebtReminderTTS
    type_autocall: autocall_voice_tts
    concurrent_call: 5
    carrier: Billing
    template: thong_bao_no_cuoc_01
    network: {viettel: 10, mobi: 5}
    recall_status: [busy, no-answered]
    schedules:
      - mon-fri: "08:00-12:00"
        sat: "08:30-11:15"
      - mon-fri: "13:30-20:45"
  - campaign_name: OldCampaign
    state: absent
```

**Only declared fields are managed.** A field an entry leaves out is neither compared nor
changed: on update the live value is sent back untouched, on create the server default stays.
The defaults shown below for `type` and `active` only shape a create. `status` (the run
state) is never managed by manifests.

Identity is `campaign_name`, unique across all files; an optional `campaign_uuid` pins an
entry to one live campaign, so that a changed `campaign_name` renames it. An entry with
`state: absent` needs only its name (other fields are still checked, then ignored).
"""

_AUDIO = """\
`audio:` declares recordings: an `audio_name` and a WAV `file` in the repository (a path
relative to the manifest file). `validate` refuses a missing, unreadable or non-WAV file at
its `file:` line. The API cannot replace an upload or show its content, so uploads are named
after their bytes: `<audio_name>-<first 8 hex digits of the sha256>.wav`. An unchanged file is
never uploaded again; a changed one is uploaded under its new name, the templates that name
the audio are re-pointed to it, and the earlier upload is deleted once nothing plays it (one
another template still plays is kept, with a note). An upload this tool did not name (a plain
`loi_chao` made in the portal) is never adopted: its bytes cannot be compared; it stays until
`state: absent` or `--prune` deletes it. A template's `audio_file` (top level, press options,
`exit_sound`, `invalid_sound`) may give the `audio_name` instead of an upload's uuid.

```yaml
audio:
  - audio_name: loi_chao
    file: audio/loi_chao.wav          # relative to this manifest file
templates:
  - template_name: chao_audio
    voice_type: audio_file
    audio_file: loi_chao              # the audio entry's name, or an upload's uuid
```
"""

_TEMPLATES = """\
`templates:` declares call scripts with the template API's write-side field names. Identity is
`template_name` (unique across all files; `template_uuid:` pins one live template so a changed
name renames it); `state: absent` deletes one, which the plan refuses while a campaign that
stays uses it. A campaign's `template:` may name a declared template, even one the same apply
creates: apply creates and updates templates before the campaigns that start using them, and
deletes them after the campaigns that stop.

```yaml
templates:
  - template_name: nhac_no_v2
    voice_type: tts                    # tts reads content; audio_file plays audio_file
    voice_tts: south-f-03
    speed_tts: 1.0
    content: "Chào {{customer_name}}, khoản nợ {{due_amount}} đến hạn."
    enable_option: true
    press_options:
      - press_num: "1"
        voice_type: tts
        content: "Cảm ơn quý khách đã xác nhận"
        toggled: false                 # these four are written, never read back
        enable: true
        type: tts
        extension: "5000"
    exit_sound: {enable: true, voice_type: tts, content: "Tạm biệt"}
campaigns:
  - campaign_name: NhacNoV2
    template: nhac_no_v2
```

**Reads and writes differ.** The API answers a press option as `{"1": {voice_type,
content | audio_file}}`: `toggled`, `enable`, `type` and `extension` are never read back. The
tool sends what you declare for them on every write of the template and never compares them,
so a template that declares them is rewritten on every apply (the plan marks it `rewrite`,
unverifiable; `plan --detailed-exitcode` does not count it as drift): a change of one of them
alone reaches the API. Since the API's template PUT replaces the whole template, a write that
would send press options without all four (an exported template after an edit, or a
manifest leaving out `press_options` while the live template has some) is refused at plan
time, at the press option, naming the keys to declare; a create may leave them all out (the
API's defaults).

`{{placeholders}}` in `content` (and in press options and sounds) are the `param` keys each
lead import must supply; the plan shows them per campaign. They must be well-formed:
`{{name}}` with letters, digits and `_`.
"""

_SCHEDULES = """\
`schedules` is a list of entries; each entry becomes one API schedule object, and maps day
keys to one call window `"HH:MM-HH:MM"` in local time. Days an entry does not name have no
window (0–0). To give a day two windows, use two entries:

```yaml
schedules:
  - mon-fri: "08:00-12:00"     # weekday mornings...
    sat: "08:30-11:15"
  - mon-fri: "13:30-20:45"     # ...and afternoons
```

| Day key | Means |
| --- | --- |
| {long_days} | that day |
| {short_days} | the same, short |
| `mon-fri`, `sat-sun`, `tuesday-thursday`, ... | every day from the first to the second |
| `daily` | all seven days |

- Ranges run forward from monday to sunday and do not wrap: `fri-mon` is an error (write
  `fri-sun` and `mon`).
- A day may be named only once per entry (`mon-fri` with `wed` is an error).
- Times are `HH:MM` or `HH:MM:SS`; hours 00–23, and `24:00` only as an end (`"00:00-24:00"`
  is the whole day). The end must be after the start: a window cannot cross midnight (split
  an overnight window at midnight: `"22:00-24:00"` on one day, `"00:00-06:00"` on the next).
- Spaces around the dash are allowed. Quoting is safest, but unquoted `mon-fri: 13:30-20:45`
  works too. A bare time is never guessed: if a YAML 1.1 tool turned an unquoted `21:00`
  into the number 1260, validation asks you to quote it.
- The API stores nanoseconds since midnight (`08:00` is {eight_ns}); conversion is exact
  integer arithmetic, both ways. Plans and `export` show schedules in the canonical form:
  consecutive days with the same window grouped (`mon-fri`), all seven as `daily`.
"""

_VALIDATION = """\
`reconciler validate PATH...` checks everything offline (no API call) and reports every
problem at once, each as `path/file.yaml:LINE: message`, then exits 1:

```
campaigns/debt-reminders.yaml:11: concurrent_call: must be >= 0
campaigns/debt-reminders.yaml:16: unknown field 'recal_times' (did you mean 'recall_times'?)
campaigns/otp.yaml:10: carrier_uuid: cannot be used together with carrier; give one of them
3 errors in 2 files.
```

It rejects: YAML syntax errors, duplicate keys, tags such as `!!python/object` (manifests
are loaded safely: nothing is ever executed), empty files, files whose top level is not
`campaigns:` and/or `templates:`, entries that are not mappings, unknown fields (with a suggestion),
wrong types (`"5"` is not a count, `yes` is not a boolean: YAML 1.2), values outside an
enumeration (the allowed values are listed), negative counts, bad schedules, repeated
`recall_status` values, a `campaign_name` (or `template_name`) declared twice (both places
are named), one `campaign_uuid` (or `template_uuid`) pinned by two entries, and a name given
with its uuid ({exclusive}). In templates: a voice not documented, `speed_tts` outside 0–2,
`content` or `audio_file` that `voice_type` does not play, a `press_num` listed twice, and
malformed `{{{{placeholders}}}}`. Carrier and template *names* are resolved against the API
(and the declared templates) at plan time.
"""

_POLICY = """\
`labels` and `policy_waivers` are for the project's policies (`reconciler.yaml`, see
[policies.md](policies.md)); neither is ever sent to the API or compared with the live object.
Campaigns, templates and carriers all take them: a rule checks one kind (`select: {kind:
carrier}`; campaigns by default) and selects its entries by their labels.

```yaml
  - campaign_name: PromoAudioNov
    labels: {purpose: advertising, team: marketing}   # rules select campaigns by label
    policy_waivers:
      vn-decree-91/calling-hours: "Opted-in subscribers only (consent CRM-2291)"
```

A waiver turns that rule's finding for this entry into a *waived* finding: it no longer
fails `validate` or blocks `apply`, and it is shown, with its reason, in every plan report.
The reason is required, and must say something (not only spaces or invisible characters).
`reconciler policies` lists the rule ids in force.
"""


_ACKNOWLEDGE = """\
Apply refuses some changes unless a person says they are intended: deleting a campaign that
is running (`delete-running`) or paused (`delete-paused`; a paused run resumes by itself).
`plan` shows every such refusal, and `plan --detailed-exitcode` exits 1 while one stands, so
a pull request check goes red. To allow one in review, put its code beside the change:

```yaml
  - campaign_name: SummerPromo2026
    state: absent
    acknowledge: [delete-running]      # reviewed: the promotion ends today
```

The plan then lists the refusal as *acknowledged*, and `apply` deletes the campaign without
`--force` (which stays for a person at a terminal). An acknowledgement that no change of the
plan needs is a warning, so it does not linger to allow a later change unreviewed.
See [reviews](reviews.md).
"""

_CARRIERS = """\
`carriers:` declares outgoing number pools with the carrier API's write-side field names.
Identity is `carrier_name` (unique across all files; `carrier_uuid:` pins one live carrier so
a changed `carrier_name` renames it). A campaign's `carrier:` may name a declared carrier,
even one the same apply creates: carriers are created and updated before the campaigns that
start using them, and deleted only after the campaigns that stop using them. Deleting a
carrier a campaign that stays uses is refused at plan time and checked again right before the
DELETE; `--prune` deletes undeclared carriers only when some carrier is declared, and never
one a campaign uses.

```yaml
carriers:
  - carrier_name: Billing04
    gateway_uuid: 953a918a-0035-4e6f-97d1-c64e7943b7df
    dial_type: channel_prefix
    caller_id: "02873003586"
    network: {viettel: 10, mobi: 5}
    concurrent_call: 20
    prefix_mobi: "12"
campaigns:
  - campaign_name: NhacNo04
    carrier: Billing04
```

Creating a carrier needs `gateway_uuid`, `dial_type` and `concurrent_call` (the API requires
them; gateways have no API of their own, so give the uuid). The prefixes are declared at the
top level, as writes send them; a read answers them under `data`, and only those the dial type
uses (`prefix` for channel_one_for_all, `prefix_mobi` … `prefix_offnet` for channel_prefix),
so a prefix declared with another dial type is refused (no plan could confirm it). A random
dial type's caller ids are `data: {caller_id: [...]}`. An update sends the whole carrier as
read with the declared fields over it (the API's PUT replaces it). See
[docs/carriers-and-audio.md](carriers-and-audio.md) for the checks made on campaigns and
their carriers.
"""


def render_reference() -> str:
    """The whole docs/manifest.md page."""
    schema = manifest_schema()
    campaign = schema["$defs"]["CampaignSpec"]
    parts = [
        "# Manifest reference\n",
        f"<!-- Generated from reconciler/manifest/models.py by `{REGENERATE}`; "
        "do not edit by hand. -->\n",
        _INTRO,
        "## Campaign fields\n",
        _field_table(campaign, CampaignSpec),
        "## Templates\n",
        _TEMPLATES,
        "### Template fields\n",
        _field_table(schema["$defs"]["TemplateSpec"], TemplateSpec),
        "### press_options\n",
        _field_table(schema["$defs"]["PressOption"], PressOption),
        "### exit_sound and invalid_sound\n",
        _field_table(schema["$defs"]["Sound"], Sound),
        "## Carriers\n",
        _CARRIERS,
        "### Carrier fields\n",
        _field_table(schema["$defs"]["CarrierSpec"], CarrierSpec),
        "### data\n",
        _field_table(schema["$defs"]["CarrierData"], CarrierData),
        "## Audio\n",
        _AUDIO,
        "### Audio fields\n",
        _field_table(schema["$defs"]["AudioSpec"], AudioSpec),
        "## network\n",
        _network_table(),
        "## schedules\n",
        _SCHEDULES.format(
            long_days=", ".join(f"`{day}`" for day in fields.DAYS),
            short_days=", ".join(f"`{day}`" for day in schedule.SHORT_DAYS),
            eight_ns=8 * schedule.NS_PER_HOUR,
        ),
        "## Labels and waivers\n",
        _POLICY,
        "## acknowledge\n",
        _ACKNOWLEDGE,
        "## Clearing a value\n",
        _clearing(),
        "## Validation\n",
        _VALIDATION.format(exclusive=", ".join(f"`{a}` with `{b}`" for a, b in EXCLUSIVE_FIELDS)),
        "## Editor support\n",
        "`reconciler schema` prints the JSON Schema of a manifest file; the repository keeps a\n"
        "copy in `schema/manifest.schema.json`. With the YAML language server (VS Code's YAML\n"
        "extension and others), a first line\n"
        "`# yaml-language-server: $schema=<path to>/manifest.schema.json` gives completion,\n"
        "hover help from the descriptions above, and errors as you type.\n",
    ]
    return "\n".join(parts)


def _field_table(definition: dict[str, Any], model: Any) -> str:
    rows = ["| Field | Type | Default | Description |", "| --- | --- | --- | --- |"]
    required = set(definition.get("required", ()))
    for name, info in model.model_fields.items():
        prop = definition["properties"][name]
        if name in required:
            default = "required"
        elif "default" in prop:
            default = f"`{_yaml_scalar(prop['default'])}`"
        elif name in ("campaign_uuid", "template_uuid", "carrier_uuid") and model in (
            CampaignSpec, TemplateSpec, CarrierSpec
        ):
            default = "not pinned"
        elif name in ("labels", "policy_waivers", "previous_names", "acknowledge"):
            default = "none"
        else:
            default = "not managed"
        rows.append(
            f"| `{name}` | {_type_label(name, prop)} | {default} | {_cell(info.description)} |"
        )
    return "\n".join(rows) + "\n"


def _network_table() -> str:
    rows = [
        "A mapping of network to a non-negative integer; networks left out are 0, so the",
        "planner always compares and sends all five.\n",
        "| Key | Description |",
        "| --- | --- |",
    ]
    for name, info in Network.model_fields.items():
        rows.append(f"| `{name}` | {_cell(info.description)} |")
    return "\n".join(rows) + "\n"


def _clearing() -> str:
    cleared = "\n".join(
        f"- `{name}: {_yaml_scalar(empty)}`" for name, empty in CLEARABLE_FIELDS.items()
    )
    return (
        "Leaving a field out leaves the live value alone. To clear one, declare it empty:\n\n"
        f"{cleared}\n\n"
        "A YAML null (`description:` with no value) means the same for these fields;\n"
        "`network: {}` sets every network to 0. Other fields cannot be null.\n"
    )


def _type_label(name: str, prop: dict[str, Any]) -> str:
    if name == "schedules":
        return "list of day → window mappings (see [schedules](#schedules))"
    if name == "network":
        return "mapping (see [network](#network))"
    if name == "labels":
        return "mapping of text to text (see [labels and waivers](#labels-and-waivers))"
    if name == "policy_waivers":
        return "mapping of rule id to reason (see [labels and waivers](#labels-and-waivers))"
    if name == "acknowledge":
        return "list of refusal codes (see [acknowledge](#acknowledge))"
    if name == "press_options":
        return "list (see [press_options](#press_options))"
    if name == "previous_names":
        return "list of names"
    if name in ("campaign_uuid", "template_uuid", "carrier_uuid"):
        return "uuid, or a mapping of environment name to uuid"
    if name == "data":
        return "mapping (see [data](#data))"
    if name in ("exit_sound", "invalid_sound"):
        return "mapping (see [exit_sound and invalid_sound](#exit_sound-and-invalid_sound))"
    options = [option for option in prop.get("anyOf", [prop]) if option.get("type") != "null"]
    option = options[0]
    if option.get("type") == "number":
        return f"number {option.get('minimum', 0):g}–{option.get('maximum', 2):g}"
    if "enum" in option:
        return "one of " + ", ".join(f"`{value}`" for value in option["enum"])
    if option.get("type") == "array":
        items = option["items"]
        if "enum" not in items:
            return f"list of {items.get('type', 'values')}s".replace("strings", "text")
        return "set of " + ", ".join(f"`{value}`" for value in items["enum"])
    if option.get("type") == "integer":
        return "integer ≥ 0"
    if option.get("type") == "boolean":
        return "boolean"
    if "uuid" in name:
        return "uuid"
    if name == "callback_url":
        return "http(s) URL"
    return "string"


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value == "":
        return '""'
    if value == []:
        return "[]"
    if value == {}:
        return "{}"
    return str(value)


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


if __name__ == "__main__":
    print(render_reference(), end="")
