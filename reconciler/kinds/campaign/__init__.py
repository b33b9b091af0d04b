"""Campaigns: the kind (plan.py), its writes (write.py, rollback.py) and its export form
(export.py)."""

from reconciler.kinds.campaign.plan import CAMPAIGN, CampaignKind

__all__ = ["CAMPAIGN", "CampaignKind"]
