"""Reading what `reconciler status` shows: each declared campaign's live state, its call
figures for the window, and the audit of its calls. The one place status touches the network.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from reconciler.api import ApiClient
from reconciler.errors import ReconcilerError
from reconciler.manifest.loader import Manifests
from reconciler.operations.audit import (
    CallDataError,
    CallFinding,
    audit_campaign,
    audit_gaps,
    selecting,
)
from reconciler.operations.window import Window
from reconciler.plan.planner import match_campaigns
from reconciler.policy.rules import Rule

# The campaign report's counters, as the API names them (docs/api-facts.md), in the order a
# reader wants them: outcomes first, then the direction counters.
COUNTERS = (
    "total", "answered", "busy", "no_answered", "not_available", "cancel", "congestion",
    "busy_line", "invalid", "phone_block", "outbound", "inbound", "local", "ivr",
)


@dataclass
class CampaignStatus:
    """One declared campaign: live or not, its run state, its figures for the window."""

    campaign_name: str
    source: str
    campaign_uuid: str | None = None
    active: bool | None = None
    status: str | None = None  # the run state: start | stop | pause (never managed)
    run_id: str | None = None
    calls: dict[str, int] | None = None  # None: not live, or no row in the report
    audited: bool = False  # a rule in force checks its real calls

    @property
    def live(self) -> bool:
        return self.campaign_uuid is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "campaign_name": self.campaign_name,
            "campaign_uuid": self.campaign_uuid,
            "live": self.live,
            "active": self.active,
            "status": self.status,
            "run_id": self.run_id or None,
            "calls": self.calls,
            "audited": self.audited,
            "source": self.source,
        }


@dataclass
class StatusReport:
    window: Window
    campaigns: list[CampaignStatus]
    audit: list[CallFinding] = field(default_factory=list)
    api_url: str = ""

    @property
    def counting(self) -> list[CallFinding]:
        """The findings that make the exit code 2 (not waived)."""
        return [finding for finding in self.audit if finding.counts]

    def findings_of(self, name: str) -> list[CallFinding]:
        return [finding for finding in self.audit if finding.campaign_name == name]

    def to_dict(self) -> dict[str, Any]:
        live = [row for row in self.campaigns if row.live]
        return {
            "format_version": 1,
            "api_url": self.api_url,
            "window": self.window.to_dict(),
            "campaigns": [row.to_dict() for row in self.campaigns],
            "audit": [finding.to_dict() for finding in self.audit],
            "summary": {
                "campaigns": len(self.campaigns),
                "live": len(live),
                "not_created": len(self.campaigns) - len(live),
                "running": sum(1 for row in live if row.status == "start"),
                "calls": sum((row.calls or {}).get("total", 0) for row in live),
                "findings": len(self.counting),
                "waived": len(self.audit) - len(self.counting),
            },
        }


def read_status(
    client: ApiClient,
    manifests: Manifests,
    rules: Sequence[Rule],
    window: Window,
    *,
    parallelism: int = 8,
) -> StatusReport:
    """Every campaign the manifests declare present, in manifest order, with its figures and,
    where a rule in force selects it, the audit of its calls."""
    specs = {name: spec for name, spec in manifests.campaigns.items() if spec.state == "present"}
    matching = match_campaigns(specs, client.list_campaigns(), manifests.where)
    rows: list[CampaignStatus] = []
    for name, spec in specs.items():
        live = matching.pairs.get(name)
        row = CampaignStatus(campaign_name=name, source=manifests.where(name))
        if live is not None:
            row.campaign_uuid = live["campaign_uuid"]
            row.active = live.get("active")
            row.status = live.get("status")
            row.run_id = live.get("run_id")
            row.audited = bool(selecting(rules, spec))
        rows.append(row)

    def figures(row: CampaignStatus) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        assert row.campaign_uuid is not None
        counters = client.campaign_call_report(
            row.campaign_uuid, window.start_stamp, window.end_stamp
        )
        leads = (
            client.lead_call_report(row.campaign_uuid, window.start_stamp, window.end_stamp)
            if row.audited else []
        )
        return counters, leads

    live_rows = [row for row in rows if row.live]
    workers = max(1, min(parallelism, len(live_rows) or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(figures, live_rows))
    audit: list[CallFinding] = []
    for row, (counters, leads) in zip(live_rows, results, strict=True):
        if counters is not None:
            row.calls = {key: counters[key] for key in COUNTERS if key in counters}
        if row.audited:
            assert row.campaign_uuid is not None
            try:
                audit += audit_campaign(
                    rules, specs[row.campaign_name], row.campaign_uuid, leads, row.source
                )
            except CallDataError as exc:
                raise ReconcilerError(f"{row.campaign_name}: {exc}") from None
            audit += audit_gaps(
                specs[row.campaign_name], row.campaign_uuid, row.calls, leads, row.source
            )
    return StatusReport(window, rows, audit, client.base_url)
