"""Saved plans: write the plan document, read it back, and refuse it once it has gone stale."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reconciler.errors import ConfigError
from reconciler.plan.fingerprint import needs_detail, still_matches
from reconciler.plan.model import Plan
from reconciler.render.json import plan_from_document


def read_saved_plan(path: str | Path) -> Plan:
    """Parse a file written by `plan --out`; any malformation is a clean ConfigError."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
        return plan_from_document(document)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such plan file") from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(
            f"{path}: not a plan written by `reconciler plan --out` ({exc})"
        ) from None


def stale_problems(
    plan: Plan,
    live_rows: list[dict[str, Any]],
    api_url: str,
    read_detail: Callable[[str], dict[str, Any]],
) -> list[str]:
    """Why this plan may no longer be applied as it stands; empty when it still holds.
    `read_detail(uuid)` serves fingerprints that were taken of a detail read."""
    if plan.api_url.rstrip("/") != api_url.rstrip("/"):
        return [f"the plan was made against {plan.api_url}, not {api_url}"]
    by_uuid = {row["campaign_uuid"]: row for row in live_rows}
    names = {row["campaign_name"] for row in live_rows}
    problems = []
    for change in plan.changes:
        if change.action == "create":
            if change.campaign_name in names:
                problems.append(f"{change.campaign_name}: a campaign of that name now exists")
            continue
        live = by_uuid.get(change.campaign_uuid or "")
        if live is None:
            problems.append(f"{change.campaign_name}: the campaign no longer exists")
        elif needs_detail(change.fingerprint):
            live = read_detail(live["campaign_uuid"])
        if live is not None and not still_matches(change.fingerprint, live):
            problems.append(
                f"{change.campaign_name}: changed on the server since the plan was made"
            )
    return problems
