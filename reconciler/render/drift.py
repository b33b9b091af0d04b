"""A plan worded as drift (`plan --drift`): what changed outside the manifests, and since
when, rather than what apply will perform. The renderers ask this module for the words."""

from __future__ import annotations

from reconciler.plan.model import Change, Plan
from reconciler.render.unchanged import no_changes_sentence

HEADING = "Changed outside the manifests (each field: live → manifests):"
TITLE = "Reconciler drift report"


def sentence(change: Change) -> str:
    """One change as drift: `changed outside the manifests since 2024-05-01T08:00:00Z`."""
    since = f" since {change.updated_at}" if change.updated_at else ""
    if change.rewrite:  # nothing readable differs: written every apply, by design
        return "not drift: rewritten on every apply (its write-only keys cannot be read back)"
    if change.action == "update":
        return f"changed outside the manifests{since}"
    if change.action == "create":
        return "declared in the manifests, but not live (deleted outside them, or never applied)"
    # "since" reads for a change; a delete says when the live object last changed.
    when = f"at {change.updated_at}" if change.updated_at else "at an unknown time"
    if change.source.endswith("(--prune)"):
        return f"live, but declared by no manifest (last changed {when})"
    return f"live, but declared absent (last changed {when})"


def summary(plan: Plan) -> str:
    if not plan.has_drift:
        return "No drift." + _rewritten(plan)
    changed, missing, extra = (plan.count(action) for action in ("update", "create", "delete"))
    changed -= plan.rewrites()
    rewrites = plan.rewrites()
    also = f" ({rewrites} rewrite{'s' if rewrites != 1 else ''}, not drift)" if rewrites else ""
    return (
        f"Drift: {changed} changed outside the manifests, {missing} declared but not live, "
        f"{extra} live but not wanted.{also}"
    )


def no_drift(plan: Plan) -> str:
    return f"No drift. {no_changes_sentence(plan)}{_rewritten(plan)}"


def _rewritten(plan: Plan) -> str:
    rewrites = plan.rewrites()
    if not rewrites:
        return ""
    return (f" {rewrites} template{'s' if rewrites != 1 else ''} rewritten on every apply "
            "(write-only keys, unverifiable), not drift.")
