"""The codes of the tool's own diagnostics, each with the one line SARIF and the docs show.

Policy findings use their rule's id instead (`vn-decree-91/calling-hours`); a rule id is
letters, digits and `. _ : / -`, so a project could shadow one of these only on purpose.
"""

from __future__ import annotations

CODES: dict[str, str] = {
    # validate: manifest files
    "manifest/path": "A path given is missing, unreadable, or a directory with no manifests.",
    "manifest/yaml": "The file cannot be read as YAML (syntax, encoding, tags, odd values).",
    "manifest/duplicate-key": "A key is repeated in one mapping.",
    "manifest/shape": "The file is not a mapping with a campaigns: list of entries.",
    "manifest/unknown-field": "An entry has a field the manifest format does not know.",
    "manifest/missing-field": "A required field is missing.",
    "manifest/invalid-value": "A field has a value of the wrong type, range, form or choice.",
    "manifest/invalid-schedule": "A schedule's day key or calling window is invalid.",
    "manifest/conflicting-fields": "Two fields that exclude each other are both declared.",
    "manifest/duplicate-identity": "A campaign_name or campaign_uuid is declared twice.",
    "manifest/schedule-overlap": "Two calling windows of one campaign overlap on a day.",
    # validate: reconciler.yaml
    "config/path": "The config file named is missing or not a file.",
    "config/yaml": "reconciler.yaml cannot be read as YAML.",
    "config/duplicate-key": "A key is repeated in one mapping of reconciler.yaml.",
    "config/shape": "reconciler.yaml is not a mapping with policies:.",
    "config/unknown-key": "reconciler.yaml has a key the config format does not know.",
    "config/invalid-value": "A setting in reconciler.yaml has an invalid value.",
    "config/duplicate-rule-id": "Two policy rules have the same id.",
    "policy/none-in-force": "A note: no policy rule is in force, so no calling-law check runs.",
    "policy/label-near-miss": (
        "A label that almost selects the entry into a rule (a typo or another spelling?)."
    ),
    "policy/empty-schedule": "An entry with no calling windows: rules on them cannot check it.",
    # plan: what only the tenant knows
    "plan/unknown-carrier": "A carrier name the tenant does not list (or lists twice).",
    "plan/unknown-template": "A template name the tenant does not list (or lists twice).",
    "plan/unknown-uuid": "A declared carrier_uuid or template_uuid the tenant does not list.",
    "plan/pin-not-found": "A campaign_uuid pin that no live campaign has.",
    "plan/ambiguous-live-name": (
        "Several live campaigns have the entry's name, or read like it (pin one by uuid)."
    ),
    "plan/identity-conflict": "One live campaign is claimed by two entries.",
    "plan/rename-conflict": "A rename onto a name another live campaign keeps.",
    "plan/unknown-target": "A --target names no declared or live campaign.",
    "plan/unicode-spelling": "The name is spelt in another Unicode form than the live one.",
    "plan/lookalike-name": (
        "A live name reads like the entry's but differs in spaces or invisible characters."
    ),
    "plan/previous-name-left": (
        "A live object has one of an entry's previous_names while the new name exists too."
    ),
    "plan/looks-like-rename": (
        "A create equals a live object no entry claims, under another name: a rename?"
    ),
    "plan/template-in-use": "A template to delete is still used by a campaign that stays.",
    "plan/template-absent": "A campaign names a template declared state: absent.",
    "plan/template-renamed": "A campaign names a template by the name this plan renames.",
    "plan/carrier-absent": "A campaign names a carrier declared state: absent.",
    "plan/carrier-renamed": "A campaign names a carrier by the name this plan renames.",
    "plan/carrier-in-use": "A carrier to delete is still used by a campaign that stays.",
    "plan/carrier-create-incomplete": (
        "A carrier to create lacks a field the API requires to create one."
    ),
    "plan/carrier-data-unread": (
        "A carrier update would erase the caller ids / prefixes the listing does not show."
    ),
    "plan/carrier-prefix-unread": (
        "A declared prefix the live carrier's dial_type (not declared) does not take."
    ),
    "plan/unknown-audio_file": "A template's audio_file names no declared or uploaded audio.",
    "plan/audio_file-absent": "A template plays an audio declared state: absent.",
    "plan/audio-in-use": "An audio upload to delete is still played by a template that stays.",
    "plan/write-only-keys": (
        "A template write would send press options without their toggled, enable, type and "
        "extension (never read back), resetting them."
    ),
    # plan notes: what a reviewer should know that is not a change (severity note)
    "plan/prune-parked-name": (
        "--prune leaves an object a cut-short rename cycle left under its temporary name."
    ),
    "plan/prune-kept-in-use": "--prune keeps an undeclared object that others still use.",
    "plan/audio-not-adopted": "An audio upload this tool did not name is left as it is.",
    "plan/audio-kept-in-use": "A replaced audio upload is kept: templates still play it.",
    "plan/target-added": "--target also plans a change a targeted one cannot apply without.",
    "plan/target-in-effect": "--target is in effect: other changes are not shown or applied.",
    "plan/target-unmanaged": "A --target names a live object no manifest declares.",
    "plan/write-only-defaults": (
        "A template is created with the API's defaults for press-option keys it leaves out."
    ),
    "plan/note": "A note of a plan saved before notes had codes.",
    # diff --env A --env B: what the comparison is, and what it left out (notes)
    "diff/compared": "What diff compares: the target tenant made to look like the source now.",
    "diff/not-in-source": "An entry the source tenant has no live object for: not compared.",
    "diff/not-comparable": "A source value no manifest can hold: the entry is not compared.",
    # guards: refusals before any write
    "guard/max-deletes": "The plan deletes more campaigns than --max-deletes allows.",
    "guard/running-campaign": "The plan deletes a running campaign (status start).",
    "guard/paused-campaign": "The plan deletes a paused campaign (status pause; it resumes).",
    "guard/stale-plan": "A saved plan no longer matches the live campaigns.",
    "guard/other-environment": "A saved plan was made for another environment (--env).",
    "guard/acknowledge-unneeded": (
        "An entry acknowledges a refusal that no change of this plan meets (remove it)."
    ),
    # risk: what needs care in review (plan)
    "risk/high": "A change that needs care: it reaches calls now, or widens what calls do.",
    "risk/medium": "A change worth a second look (a delete, a switch, a shared template).",
    # the tenant lock (one apply at a time)
    "lock/held": "Another apply holds the tenant lock (reconciler unlock breaks a stale one).",
    "lock/error": "The tenant lock could not be taken, read or broken.",
    # anything else the tool reports
    "settings": "A setting is missing or wrong (API URL, credentials, flags).",
    "api": "The API could not be reached or answered with an error.",
    "error": "The command failed.",
    "manifest/error": "A problem in a manifest file.",
}


# Refusal codes: short, stable names of what apply refuses (JSON `refusals[].code`, and what
# a manifest entry's `acknowledge:` names), each with the diagnostic code it is reported under.
REFUSAL_CODES: dict[str, str] = {
    "delete-running": "guard/running-campaign",
    "delete-paused": "guard/paused-campaign",
    "max-deletes": "guard/max-deletes",
    "policy-error": "policy",
    "stale-plan": "guard/stale-plan",
}
# The refusals an entry may acknowledge beside the change they allow (a reviewed override).
ACKNOWLEDGEABLE: tuple[str, ...] = ("delete-running", "delete-paused")


def description(code: str, category: str = "") -> str:
    """The code's one line, or a policy rule's."""
    if code in CODES:
        return CODES[code]
    return f"Policy rule {code} (reconciler.yaml)." if category == "policy" else code
