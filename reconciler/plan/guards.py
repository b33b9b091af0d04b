"""What apply refuses, as data: too many deletes, deleting a running or paused campaign, a
policy error. Pure, and computed once per plan: `plan` shows exactly the refusals `apply`
(and `apply --plan`) then enforces.

A refusal has a short stable code (reconciler.diagnostics.codes.REFUSAL_CODES) and says how
to proceed. Deleting a running or paused campaign may be allowed in review: the entry carries
`acknowledge: [delete-running]` beside the change; `--force` stays for a person at a
terminal. An acknowledgement that no refusal needs is a warning, so it does not linger.
"""

from __future__ import annotations

from reconciler.diagnostics.codes import REFUSAL_CODES
from reconciler.diagnostics.model import Diagnostic, Subject
from reconciler.plan.model import Change, Plan, Refusal

DEFAULT_MAX_DELETES = 5

# Run states whose campaign is deleted only when acknowledged (or with --force): a running
# one is calling, and a paused one resumes calling by itself at its next window. Each with
# the word its report uses.
GUARDED_RUN_STATES = {"start": "running", "pause": "paused"}
_CODES = {"start": "delete-running", "pause": "delete-paused"}
_WHY = {"start": "", "pause": "a paused run resumes by itself at its next window: "}
# The refusals a guard computes (policy errors are enforced before any API call as well).
GUARD_CODES = ("max-deletes", "delete-running", "delete-paused")


def refusals(
    plan: Plan, *, max_deletes: int = DEFAULT_MAX_DELETES, force: bool = False
) -> list[Refusal]:
    """Everything apply would refuse in this plan, acknowledged ones marked (and left out
    with `force`, which overrides the run-state guards at a terminal)."""
    found: list[Refusal] = []
    deletes = [c for c in plan.changes if c.action == "delete"]
    if len(deletes) > max_deletes:
        found.append(Refusal(
            "max-deletes", None, _too_many(deletes, max_deletes),
            f"apply --max-deletes {len(deletes)}", kind=_kinds(deletes),
        ))
    for change in deletes:
        status = _run_state(change)
        if status is None:
            continue
        code = _CODES[status]
        acknowledged = code in change.acknowledge
        if force and not acknowledged:
            continue
        word = GUARDED_RUN_STATES[status]
        found.append(Refusal(
            code, change.name,
            f"refusing to delete {word} campaign {change.name!r} (status {status}); "
            f"{_WHY[status]}stop it first, acknowledge it (acknowledge: [{code}]) or pass "
            "--force",
            _override(change, code), kind=change.kind, source=change.source,
            acknowledged=acknowledged,
        ))
    for finding in plan.findings:
        if finding.blocking:
            found.append(Refusal(
                "policy-error", finding.campaign_name, f"{finding.rule}: {finding.message}",
                f"fix the {finding.kind}, or waive the rule on its entry: policy_waivers: "
                f"{{{finding.rule}: reason}}",
                kind=finding.kind, source=finding.source,
            ))
    return found


def started_since(change: Change, status: str | None, *, then: str = "") -> str | None:
    """Why a planned campaign delete may not go ahead now that the campaign's live run state
    is `status` (None when it may): it is running or paused now, and was not so when planned
    (stopped, so its risk said nothing of calls; or paused, and now it calls). The entry's
    acknowledgement of that state's code allows it: `acknowledge: [delete-running]` says the
    campaign goes even while it calls. `--force` never covers it: it covers only what the
    plan showed. `then` is said after the reason (`; nothing was written to it`)."""
    if change.kind != "campaign" or status not in GUARDED_RUN_STATES:
        return None
    if change.live_status == status or _CODES[status] in change.acknowledge:
        return None
    how = "started running" if status == "start" else "was paused (it resumes by itself)"
    return (
        f"{change.name} {how} since the plan was made{then} — run plan again (deleting a "
        f"{GUARDED_RUN_STATES[status]} campaign needs acknowledge: [{_CODES[status]}] on its "
        "entry, or --force)"
    )


def acknowledge_warnings(plan: Plan) -> list[Diagnostic]:
    """An acknowledgement beside a change that no refusal of that change needs."""
    met = {(r.kind, r.subject, r.code) for r in plan.refusals if r.acknowledged}
    warnings: list[Diagnostic] = []
    for change in plan.changes:
        unneeded = [code for code in change.acknowledge
                    if (change.kind, change.name, code) not in met]
        if unneeded:
            warnings.append(Diagnostic(
                "warning", "guard/acknowledge-unneeded",
                f"acknowledge: {', '.join(unneeded)} is not needed: this plan's "
                f"{change.action} of {change.kind} {change.name!r} is not refused for it; "
                "remove it so it does not allow a later change unreviewed",
                Subject.parse(change.source, kind=change.kind, name=change.name), category="guard",
            ))
    return warnings


def diagnostic(refusal: Refusal, severity: str = "error") -> Diagnostic:
    """A refusal as a diagnostic, under its long-standing code (`guard/running-campaign`)."""
    code = REFUSAL_CODES.get(refusal.code, refusal.code)
    if refusal.code == "policy-error":
        code = refusal.message.split(":", 1)[0]  # the rule id, as its finding reports it
    return Diagnostic(
        severity,  # type: ignore[arg-type]
        code,
        refusal.message,
        Subject.parse(refusal.source, kind=refusal.kind, name=refusal.subject)
        if refusal.subject else None,
        detail=f"to proceed: {refusal.override}",
        category="policy" if refusal.code == "policy-error" else "guard",
    )


def guard_problems(
    plan: Plan, *, max_deletes: int = DEFAULT_MAX_DELETES, force: bool = False
) -> list[str]:
    """Every guard refusal not acknowledged, each saying how to proceed (the run-state ones
    grouped: one line per state naming every campaign)."""
    blocking = [
        refusal for refusal in refusals(plan, max_deletes=max_deletes, force=force)
        if refusal.code in GUARD_CODES and not refusal.acknowledged
    ]
    problems = [refusal.message for refusal in blocking if refusal.code == "max-deletes"]
    for status, word in GUARDED_RUN_STATES.items():
        names = [refusal.subject for refusal in blocking if refusal.code == _CODES[status]]
        if names:
            problems.append(
                f"refusing to delete {word} campaigns (status {status}): "
                + ", ".join(str(name) for name in names)
                + f"; {_WHY[status]}stop them first, acknowledge it on the entry "
                f"(acknowledge: [{_CODES[status]}]) or pass --force"
            )
    return problems


def guard_diagnostics(
    plan: Plan, *, max_deletes: int = DEFAULT_MAX_DELETES, force: bool = False
) -> list[Diagnostic]:
    """The same refusals as diagnostics: a running or paused campaign each on its own, at its
    entry."""
    return [
        diagnostic(refusal)
        for refusal in refusals(plan, max_deletes=max_deletes, force=force)
        if refusal.code in GUARD_CODES and not refusal.acknowledged
    ]


def _override(change: Change, code: str) -> str:
    if change.source.endswith("(--prune)"):
        return (
            f"declare it with state: absent and acknowledge: [{code}] (reviewed), "
            "or apply --force"
        )
    return f"acknowledge: [{code}] on its entry (reviewed), or apply --force"


def _run_state(change: Change) -> str | None:
    """The guarded run state a campaign delete was planned against, else None."""
    if change.kind == "campaign" and change.live_status in GUARDED_RUN_STATES:
        return change.live_status
    return None


def _kinds(deletes: list[Change]) -> str:
    kinds = {change.kind for change in deletes}
    return kinds.pop() if len(kinds) == 1 else ""


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
