"""Which of the named campaigns `reconciler start` may start a run of, and why not. Pure.

A run is started only for a campaign the manifests declare present, that is live, active and
of type autocall (run/start is the autocall endpoint), that is live exactly as declared (a
plan restricted to it and the declared template it uses is empty, rewrites aside), and
that no unwaived policy error concerns — neither in the manifest nor in its live values (a
field the entry leaves out, widened by hand, is checked too). Any refusal refuses the whole
command before its first write. A campaign already running is left alone (starting it again
is not asked for twice).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reconciler.manifest.models import CampaignSpec
from reconciler.manifest.wording import did_you_mean
from reconciler.policy.findings import Finding
from reconciler.safetext import shown


@dataclass
class Target:
    """A campaign named by --target, and what is known of it live."""

    campaign_name: str
    source: str
    campaign_uuid: str | None = None
    status: str | None = None
    run_id: str | None = None

    @property
    def running(self) -> bool:
        return self.status == "start"


def offline_problems(
    names: Sequence[str],
    specs: Mapping[str, CampaignSpec],
    findings: Sequence[Finding],
    where: Callable[[str], str],
) -> list[str]:
    """Refusals known before any API call: names not declared (or declared absent), and
    campaigns with a policy error."""
    problems = []
    declared = [name for name, spec in specs.items() if spec.state == "present"]
    for name in names:
        spec = specs.get(name)
        if spec is None:
            problems.append(
                f"--target {name!r}: no manifest declares this campaign"
                f"{did_you_mean(name, declared)}; only declared campaigns are started"
            )
        elif spec.state != "present":
            problems.append(f"{where(name)}: {name}: declared state: absent, so never started")
        else:
            errors = [f.rule for f in findings if f.kind == "campaign" and f.campaign_name == name
                      and f.blocking]
            if errors:
                problems.append(
                    f"{where(name)}: {name}: policy error ({', '.join(dict.fromkeys(errors))}; "
                    "listed above): fix or waive it before starting a run"
                )
    return problems


def live_problems(target: Target, live: Mapping[str, Any] | None) -> str:
    """Why the live campaign cannot be started ("" when it can)."""
    name = target.campaign_name
    if live is None:
        return f"{target.source}: {name}: not created yet (run plan and apply first)"
    if live.get("type") not in (None, "autocall"):
        return (f"{target.source}: {name}: type {shown(repr(live.get('type')))}: runs are "
                "started only for autocall campaigns")
    if live.get("active") is not True:
        return (f"{target.source}: {name}: inactive (active: {_shown(live.get('active'))}); "
                "declare active: true and apply before starting a run")
    return ""


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return shown(repr(value))


def drift_problems(changes: Sequence[Any], names: Sequence[str],
                   where: Callable[[str], str]) -> list[str]:
    """Why the targets' live objects are not as declared: the changes a plan restricted to
    them would make (a start runs what is live, so live must be what was reviewed)."""
    problems = []
    for change in changes:
        label = change.name if change.kind == "campaign" else f"{change.kind} {change.name}"
        source = change.source or (where(change.name) if change.name in names else "")
        prefix = f"{source}: " if source else ""
        if change.action != "update":
            problems.append(f"{prefix}{shown(label)}: plan would {change.action} it; run plan "
                            "and apply before starting a run")
            continue
        fields = ", ".join(_field_diff(name, diff) for name, diff in change.fields.items())
        problems.append(
            f"{prefix}{shown(label)}: the live campaign differs from its manifest in "
            f"{fields or 'fields plan would change'}: apply the manifest (or declare what is "
            "live) before starting a run"
            if change.kind == "campaign" else
            f"{prefix}{shown(label)}: live differs from its manifest in {fields}: apply first"
        )
    return problems


def _field_diff(name: str, diff: Any) -> str:
    """`active (live true, declared false)`; a long value (schedules) by its name only."""
    before, after = _value(diff.before), _value(diff.after)
    if len(before) > 40 or len(after) > 40:
        return name
    return f"{name} (live {before}, declared {after})"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return shown(value if isinstance(value, str | int | float) else repr(value))


def live_spec(spec: CampaignSpec, detail: Mapping[str, Any],
              row: Mapping[str, Any]) -> CampaignSpec | str:
    """The live campaign as a manifest entry would declare it (every managed field, from the
    detail read; carrier and template by the names the list row joins), with the entry's
    labels and waivers: what the policies are checked against before a run starts. A string
    says why the live values cannot be put so (then they cannot be vouched for)."""
    from pydantic import ValidationError

    from reconciler.export import ExportError, exported_entry
    from reconciler.kinds.campaign import CAMPAIGN

    names = {ref.target: {row.get(ref.uuid_field): row.get(f"{ref.target}_name")}
             for ref in CAMPAIGN.references
             if row.get(ref.uuid_field) and row.get(f"{ref.target}_name")}
    try:
        exported = exported_entry(CAMPAIGN, detail, names)
    except ExportError as exc:
        return str(exc)
    if "schedules" in exported.unmanaged:  # its calling hours cannot be shown to comply
        return f"schedules {shown(exported.unmanaged['schedules'])}"
    entry = dict(exported.entry)
    entry["campaign_name"] = spec.campaign_name
    for key in ("labels", "policy_waivers"):
        if getattr(spec, key):
            entry[key] = getattr(spec, key)
    try:
        return CampaignSpec.model_validate(entry)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        return f"{where}: {first.get('msg')}"


def live_policy_problems(findings: Sequence[Finding], source: str, name: str) -> list[str]:
    """The policy errors the live values break (the manifest's own passed already)."""
    return [
        f"{source}: {name}: the live campaign breaks a policy error: {finding.rule}: "
        f"{shown(finding.message)} (live values; declare the field and apply, or fix it live, "
        "before starting a run)"
        for finding in findings if finding.blocking
    ]
