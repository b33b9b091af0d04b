"""What a reviewer must see first, filled into a plan once it is made: each change's risk,
the refusals apply would meet, and the acknowledgements nothing needs. `plan` and `apply`
both call this, so apply refuses exactly what the plan showed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reconciler.plan import guards, risk
from reconciler.plan.model import Plan


def review(
    plan: Plan,
    *,
    hours: Mapping[str, Sequence[tuple[str, risk.Hours]]] | None = None,
    max_deletes: int = guards.DEFAULT_MAX_DELETES,
    force: bool = False,
    assess: bool = True,
) -> Plan:
    """Fill in risk (unless `assess` is False: a saved plan keeps the risk it was reviewed
    with) and refusals (policy findings must be on the plan already)."""
    if assess:
        risk.assess_plan(plan, hours)
    plan.refusals = guards.refusals(plan, max_deletes=max_deletes, force=force)
    for warning in guards.acknowledge_warnings(plan):
        if warning not in plan.notes:  # a note (a warning) the reports render
            plan.notes.append(warning)
    return plan
