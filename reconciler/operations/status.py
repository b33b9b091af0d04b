"""Reading what `reconciler status` shows: each declared campaign's live state, its call
figures for the window, and the audit of its calls. The one place status touches the network.

Per campaign the campaign report is read before the lead report: while a campaign dials,
rows keep arriving, so the lead report then shows at least the calls the figures count, and a
count the lead report cannot match is a real gap (`audit/incomplete`), not a race.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from reconciler.api import ApiClient
from reconciler.errors import ReconcilerError
from reconciler.kinds.campaign import CAMPAIGN
from reconciler.manifest.loader import Manifests
from reconciler.operations.audit import (
    CallDataError,
    CallFinding,
    audit_campaign,
    audit_gaps,
    needs_history,
    selecting,
)
from reconciler.operations.window import Window
from reconciler.plan.planner import match
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
    declared_active: bool | None = None  # None: the entry leaves `active` out (not managed)

    @property
    def live(self) -> bool:
        return self.campaign_uuid is not None

    @property
    def problem(self) -> str:
        """How the live campaign differs from its manifest ("" when it does not): not
        created, or switched off (on) although declared active (inactive). A campaign
        declared `active: false` and off live is as intended, no problem."""
        if not self.live:
            return "not created (run plan/apply)"
        if self.declared_active is True and self.active is not True:
            return "declared active: true but off live"
        if self.declared_active is False and self.active is not False:
            return "declared active: false but on live"
        if self.calls is None:
            return "the call report has no row for it"
        return ""

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
            "declared_active": self.declared_active,
            "problem": self.problem or None,
            "source": self.source,
        }


@dataclass
class StatusReport:
    window: Window
    campaigns: list[CampaignStatus]
    audit: list[CallFinding] = field(default_factory=list)
    api_url: str = ""
    environment: str | None = None  # reconciler.yaml's tenant, when one was chosen

    @property
    def counting(self) -> list[CallFinding]:
        """The findings that make the exit code 2 (not waived)."""
        return [finding for finding in self.audit if finding.counts]

    def findings_of(self, name: str) -> list[CallFinding]:
        return [finding for finding in self.audit if finding.campaign_name == name]

    @property
    def problems(self) -> list[CampaignStatus]:
        """The campaigns whose live state differs from their manifests."""
        return [row for row in self.campaigns if row.problem]

    @property
    def clean(self) -> bool:
        """Nothing wrong: no finding that counts (an incomplete audit is one) and every
        campaign as its manifest declares it. Only then is the verdict green and exit 0."""
        return not self.counting and not self.problems

    def to_dict(self) -> dict[str, Any]:
        live = [row for row in self.campaigns if row.live]
        return {
            "format_version": 1,
            "api_url": self.api_url,
            "environment": self.environment,
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
                "problems": len(self.problems),
                "clean": self.clean,
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
    matching = match(CAMPAIGN, specs, client.list_campaigns(), manifests.where)
    rows: list[CampaignStatus] = []
    for name, spec in specs.items():
        live = matching.pairs.get(name)
        row = CampaignStatus(campaign_name=name, source=manifests.where(name))
        if "active" in spec.model_fields_set:
            row.declared_active = spec.active
        if live is not None:
            row.campaign_uuid = live["campaign_uuid"]
            row.active = live.get("active")
            row.status = live.get("status")
            row.run_id = live.get("run_id")
            row.audited = bool(selecting(rules, spec))
        rows.append(row)

    history = window.history()

    def figures(row: CampaignStatus) -> tuple[dict[str, Any] | None, list[dict], list[dict]]:
        """(counters, lead rows of the window, lead rows of the 24 hours before it); the
        counters first (see the module docstring)."""
        assert row.campaign_uuid is not None
        counters = client.campaign_call_report(
            row.campaign_uuid, window.start_stamp, window.end_stamp
        )
        if not row.audited:
            return counters, [], []
        leads = client.lead_call_report(row.campaign_uuid, window.start_stamp, window.end_stamp)
        earlier = (
            client.lead_call_report(row.campaign_uuid, history.start_stamp, history.end_stamp)
            if needs_history(rules, specs[row.campaign_name]) else []
        )
        return counters, leads, earlier

    live_rows = [row for row in rows if row.live]
    workers = max(1, min(parallelism, len(live_rows) or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(figures, live_rows))
    audit: list[CallFinding] = []
    for row, (counters, leads, earlier) in zip(live_rows, results, strict=True):
        if counters is not None:
            row.calls = {key: counters[key] for key in COUNTERS if key in counters}
        if row.audited:
            assert row.campaign_uuid is not None
            spec = specs[row.campaign_name]
            try:
                audit += audit_campaign(
                    rules, spec, row.campaign_uuid, leads, row.source,
                    window=window, earlier=earlier,
                )
                audit += audit_gaps(
                    spec, row.campaign_uuid, row.calls, leads, row.source, window=window
                )
            except CallDataError as exc:
                raise ReconcilerError(f"{row.campaign_name}: {exc}") from None
    return StatusReport(window, rows, audit, client.base_url)
