"""What a push needs to know from the live tenant before its first call: the campaign, the
placeholders its template reads, and the numbers advertising campaigns called in the last
24 hours. Reads only."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from reconciler.errors import ReconcilerError
from reconciler.leads import compliance, phone
from reconciler.manifest.wording import did_you_mean
from reconciler.operations.audit import call_time
from reconciler.operations.window import STAMP, shown
from reconciler.policy.evaluate import selects
from reconciler.policy.presets import ADVERTISING
from reconciler.template_fields import template_placeholders


@dataclass
class Target:
    """The live campaign a list is pushed to, and what governs it."""

    campaign_name: str
    campaign_uuid: str
    type: str | None
    active: bool | None
    schedules: Any
    template_name: str = ""
    placeholders: list[str] = field(default_factory=list)
    advertising: bool = False
    labelled: bool = False  # the manifests declare it (its labels are known)
    source: str = ""  # its manifest entry, when declared
    limits: list[compliance.Limit] = field(default_factory=list)


def find_campaign(client: Any, name: str) -> Target:
    """The live campaign named exactly `name`, with its detail and template read."""
    rows = client.list_campaigns()
    row = next((row for row in rows if row.get("campaign_name") == name), None)
    if row is None:
        names = [str(row.get("campaign_name")) for row in rows]
        raise ReconcilerError(f"no live campaign is named {name!r}{did_you_mean(name, names)}")
    detail = client.get_campaign(row["campaign_uuid"])
    target = Target(
        campaign_name=name, campaign_uuid=row["campaign_uuid"], type=detail.get("type"),
        active=detail.get("active"), schedules=detail.get("schedules"),
    )
    template_uuid = detail.get("template_uuid")
    if template_uuid:
        template = client.get_template(template_uuid)
        target.template_name = str(template.get("template_name") or template_uuid)
        target.placeholders = template_placeholders(template)
    return target


def spec_of(manifests: Any, target: Target) -> Any:
    """The manifest entry of the target (by pinned uuid, else by name), or None."""
    if manifests is None:
        return None
    for spec in manifests.campaigns.values():
        if getattr(spec, "campaign_uuid", None) == target.campaign_uuid:
            return spec
    return manifests.campaigns.get(target.campaign_name)


def is_advertising(spec: Any) -> bool:
    labels = {_nfc(key): _nfc(value) for key, value in ((spec.labels or {}).items())}
    return all(labels.get(key) == value for key, value in ADVERTISING["labels"].items())


def govern(target: Target, spec: Any, rules: Sequence[Any], source: str = "") -> None:
    """Fill the target's labels and limits: its schedules, Decree 91 hours for advertising,
    and each calling_hours / quiet_days rule that selects it and is not waived."""
    if spec is not None:
        target.labelled, target.source = True, source
        target.advertising = is_advertising(spec)
    entry = spec if spec is not None else SimpleNamespace(labels={}, type_autocall=None,
                                                          policy_waivers={})
    limits = []
    own = compliance.schedule_limit(target.schedules)
    if own is not None:
        limits.append(own)
    if target.advertising:
        limits.append(compliance.advertising_limit())
    waivers = getattr(entry, "policy_waivers", None) or {}
    for rule in rules:
        limit = compliance.rule_limit(rule)
        if limit is not None and rule.severity == "error" and rule.id not in waivers and (
            selects(rule, entry)
        ):
            limits.append(limit)
    target.limits = limits


def advertising_campaigns(manifests: Any, live_rows: Sequence[Mapping[str, Any]]) -> list[
        tuple[str, str]]:
    """(name, uuid) of every live campaign the manifests label advertising."""
    if manifests is None:
        return []
    by_name = {row.get("campaign_name"): row for row in live_rows}
    by_uuid = {row.get("campaign_uuid"): row for row in live_rows}
    found = []
    for name, spec in manifests.campaigns.items():
        if getattr(spec, "state", "present") != "present" or not is_advertising(spec):
            continue
        row = by_uuid.get(getattr(spec, "campaign_uuid", None)) or by_name.get(name)
        if row is not None:
            found.append((str(row["campaign_name"]), str(row["campaign_uuid"])))
    return list(dict.fromkeys(found))


def recent_numbers(client: Any, campaigns: Sequence[tuple[str, str]], now: datetime) -> dict[
        str, str]:
    """{number: "Campaign at time"} for every number these campaigns called (or imported)
    in the 24 hours before `now`, read from the lead report."""
    start = (now - compliance.ONE_DAY).strftime(STAMP)
    end = now.strftime(STAMP)
    recent: dict[str, str] = {}
    for name, uuid in campaigns:
        for row in client.lead_call_report(uuid, start, end, page_size=500):
            number = phone.key(str(row.get("phone_number") or ""))
            if not number:
                continue
            when = call_time(row)
            recent.setdefault(number, f"{name}, {shown(when)}" if when else name)
    return recent


def read_exclusions(path: str) -> dict[str, int]:
    """{number: line} of a do-not-call list: one number a line (a CSV's first column does,
    separated by `,`, `;` or a tab, quoted or not); blank lines, `#` comments and a header
    line skipped; a line that is no phone number is an error (a list that cannot be read
    whole cannot be honoured)."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            lines = handle.read().splitlines()
    except FileNotFoundError:
        raise ReconcilerError(f"--exclude {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReconcilerError(f"--exclude {path}: cannot be read: {exc}") from None
    numbers: dict[str, int] = {}
    problems = []
    for index, line in enumerate(lines, start=1):
        text = _first_field(line.split("#", 1)[0])
        if not text or (index == 1 and not any(char.isdigit() for char in text)):
            continue  # blank, a comment, or a header line (phone_number)
        number, why = phone.normalise(text)
        if number is None:
            problems.append(f"{path}:{index}:1: {why}")
        else:
            numbers.setdefault(number, index)
    if problems:
        raise ReconcilerError("\n".join(problems))
    return numbers


def _first_field(line: str) -> str:
    """The first field of a CSV line separated by `,`, `;` (Excel where the decimal mark is
    a comma, as in Vietnamese) or a tab, without the quotes a spreadsheet puts around it."""
    text = re.split(r"[,;\t]", line.strip(), maxsplit=1)[0].strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].strip()
    return text


def _nfc(value: Any) -> Any:
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value
