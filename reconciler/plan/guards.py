"""Safety guards checked before anything is written: too many deletes, deleting a running
campaign. Pure, so plan and apply (and apply of a saved plan) share them."""

from __future__ import annotations

from reconciler.plan.model import Plan

DEFAULT_MAX_DELETES = 5


def guard_problems(
    plan: Plan, *, max_deletes: int = DEFAULT_MAX_DELETES, force: bool = False
) -> list[str]:
    """Every reason to refuse this plan, each saying how to proceed if it is intended."""
    problems: list[str] = []
    deletes = [c for c in plan.changes if c.action == "delete"]
    if len(deletes) > max_deletes:
        problems.append(
            f"the plan deletes {len(deletes)} campaign{'s' if len(deletes) != 1 else ''}, "
            f"more than --max-deletes {max_deletes}; "
            "check the plan, then raise --max-deletes if that is intended"
        )
    running = [c.campaign_name for c in deletes if c.live_status == "start"]
    if running and not force:
        problems.append(
            "refusing to delete running campaigns (status start): "
            + ", ".join(running)
            + "; stop them first or pass --force"
        )
    return problems
