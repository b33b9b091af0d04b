"""Which of the named campaigns `reconciler start` may start a run of, and why not. Pure.

A run is started only for a campaign the manifests declare present, that is live, active and
of type autocall (run/start is the autocall endpoint), and that no unwaived policy error
concerns. Any refusal refuses the whole command before its first call. A campaign already
running is left alone (starting it again is not asked for twice).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reconciler.manifest.models import CampaignSpec
from reconciler.manifest.wording import did_you_mean
from reconciler.policy.findings import Finding


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
            errors = [f.rule for f in findings if f.campaign_name == name and f.blocking]
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
        return (f"{target.source}: {name}: type {live.get('type')!r}: runs are started only "
                "for autocall campaigns")
    if live.get("active") is not True:
        return (f"{target.source}: {name}: inactive (active: {_shown(live.get('active'))}); "
                "declare active: true and apply before starting a run")
    return ""


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)
