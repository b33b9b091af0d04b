"""Safety guards checked before anything is written: too many deletes, deleting a running
or paused campaign. Pure, so plan and apply (and apply of a saved plan) share them."""

from __future__ import annotations

from reconciler.diagnostics.model import Diagnostic, Subject
from reconciler.plan.model import Change, Plan

DEFAULT_MAX_DELETES = 5

# Run states whose campaign is deleted only with --force: a running one is calling, and a
# paused one resumes calling by itself at its next window. Each with the word its report uses.
GUARDED_RUN_STATES = {"start": "running", "pause": "paused"}


def guard_problems(
    plan: Plan, *, max_deletes: int = DEFAULT_MAX_DELETES, force: bool = False
) -> list[str]:
    """Every reason to refuse this plan, each saying how to proceed if it is intended."""
    problems: list[str] = []
    deletes = [c for c in plan.changes if c.action == "delete"]
    if len(deletes) > max_deletes:
        problems.append(_too_many(deletes, max_deletes))
    if force:
        return problems
    for status, word in GUARDED_RUN_STATES.items():
        names = [c.name for c in deletes if _run_state(c) == status]
        if names:
            problems.append(
                f"refusing to delete {word} campaigns (status {status}): " + ", ".join(names)
                + f"; {_WHY[status]}stop them first or pass --force"
            )
    return problems


def guard_diagnostics(
    plan: Plan, *, max_deletes: int = DEFAULT_MAX_DELETES, force: bool = False
) -> list[Diagnostic]:
    """The same reasons as diagnostics: a running or paused campaign each on its own, at its
    entry."""
    diagnostics: list[Diagnostic] = []
    deletes = [c for c in plan.changes if c.action == "delete"]
    if len(deletes) > max_deletes:
        diagnostics.append(
            Diagnostic(
                "error", "guard/max-deletes", _too_many(deletes, max_deletes),
                category="guard",
            )
        )
    if not force:
        diagnostics.extend(
            Diagnostic(
                "error",
                f"guard/{GUARDED_RUN_STATES[status]}-campaign",
                f"refusing to delete {GUARDED_RUN_STATES[status]} campaign {change.name!r} "
                f"(status {status}); {_WHY[status]}stop it first or pass --force",
                Subject.parse(change.source, campaign=change.name),
                category="guard",
            )
            for change in deletes
            if (status := _run_state(change)) is not None
        )
    return diagnostics


_WHY = {"start": "", "pause": "a paused run resumes by itself at its next window: "}


def _run_state(change: Change) -> str | None:
    """The guarded run state a campaign delete was planned against, else None."""
    if change.kind == "campaign" and change.live_status in GUARDED_RUN_STATES:
        return change.live_status
    return None


def _too_many(deletes: list, max_deletes: int) -> str:
    return (
        f"the plan deletes {_deleted(deletes)}, "
        f"more than --max-deletes {max_deletes}; "
        "check the plan, then raise --max-deletes if that is intended"
    )


def _deleted(deletes: list) -> str:
    """`6 campaigns`, or `4 campaigns and 2 templates` (a template delete counts too)."""
    counts: dict[str, int] = {}
    for change in deletes:
        counts[change.kind] = counts.get(change.kind, 0) + 1
    return " and ".join(
        f"{count} {kind}{'s' if count != 1 else ''}" for kind, count in counts.items()
    ) if len(counts) > 1 or "campaign" not in counts else (
        f"{len(deletes)} campaign{'s' if len(deletes) != 1 else ''}"
    )
