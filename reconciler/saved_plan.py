"""Saved plans: write the plan document, read it back, and refuse it once it has gone stale."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from reconciler.errors import ConfigError
from reconciler.kinds import kind_of
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
    live: list[dict[str, Any]] | Mapping[str, list[dict[str, Any]]],
    api_url: str,
    read_detail: Callable[[str], dict[str, Any]],
) -> list[str]:
    """Why this plan may no longer be applied as it stands; empty when it still holds.
    `live` holds each kind's listing (campaigns alone may be given as a list);
    `read_detail(uuid)` serves campaign fingerprints that were taken of a detail read."""
    if plan.api_url.rstrip("/") != api_url.rstrip("/"):
        return [f"the plan was made against {plan.api_url}, not {api_url}"]
    live_by = dict(live) if isinstance(live, Mapping) else {"campaign": live}
    problems = []
    for change in plan.changes:
        kind = kind_of(change)
        rows = live_by.get(change.kind, [])
        if change.action == "create":
            if change.name in {row[kind.name_field] for row in rows}:
                problems.append(f"{change.name}: a {kind.name} of that name now exists")
            continue
        current = next((row for row in rows if row[kind.uuid_field] == change.uuid), None)
        if current is None:
            problems.append(f"{change.name}: the {kind.name} no longer exists")
        elif needs_detail(change.fingerprint):
            current = read_detail(current[kind.uuid_field])
        if current is not None and not still_matches(change.fingerprint, current, change.kind):
            problems.append(f"{change.name}: changed on the server since the plan was made")
    return problems


def live_for(plan: Plan, client: Any) -> dict[str, list[dict[str, Any]]]:
    """The listings a saved plan's staleness check needs: campaigns, and templates when the
    plan touches any."""
    wanted = {"campaign"} | {change.kind for change in plan.changes}
    return {kind: kind_of(kind).list_live(client) for kind in sorted(wanted)}
