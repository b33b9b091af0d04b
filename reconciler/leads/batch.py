"""From a checked file and what the tenant says, the batch: which rows go out and which do
not, each with its reason. Pure: every input is read beforehand."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from reconciler.leads import compliance
from reconciler.leads.journal import Entry
from reconciler.leads.prepare import Target
from reconciler.leads.push import NOT_ATTEMPTED, SENT, SKIPPED, UNCLEAR, Outcome
from reconciler.leads.rows import Checked, Lead
from reconciler.operations.window import shown

INVALID = "invalid"


@dataclass
class Batch:
    target: Target
    to_send: list[Lead] = field(default_factory=list)
    decided: dict[int, Outcome] = field(default_factory=dict)  # rows not sent, and why
    window: str = ""  # "" when open now; else why not
    opens: datetime | None = None

    @property
    def outcomes(self) -> list[Outcome]:
        return list(self.decided.values())


def build(
    target: Target,
    checked: Checked,
    journal: Mapping[str, Entry],
    excluded: Mapping[str, int],
    recent: Mapping[str, str],
    now: datetime,
    resend_unclear: bool = False,
) -> Batch:
    """Sort every row of the file: invalid (only when skipping them was asked for; else the
    caller refused already), unclear from an earlier run, skipped with a reason, or to send."""
    batch = Batch(target)
    for line, message in checked.bad_lines().items():
        batch.decided[line] = Outcome(line, "", INVALID, message)
    sent = {number: entry.describe() for number, entry in journal.items() if entry.state == SENT}
    reasons = compliance.skips(checked.leads, excluded, recent, sent)
    for lead in checked.leads:
        entry = journal.get(lead.phone_number)
        if lead.line in reasons:
            detail = reasons[lead.line]
            known = entry if entry is not None and entry.state == SENT else None
            batch.decided[lead.line] = Outcome(
                lead.line, lead.phone_number, SKIPPED, detail,
                known.call_id if known else "", known.lead_uuid if known else "")
        elif entry is not None and entry.unclear and not resend_unclear:
            batch.decided[lead.line] = Outcome(
                lead.line, lead.phone_number, UNCLEAR,
                f"unclear since an earlier run (line {entry.line}: {entry.state}"
                f"{', ' + entry.error if entry.error else ''}) and not in the lead report: "
                "check with the tenant, then pass --resend-unclear to send it again",
            )
        else:
            batch.to_send.append(lead)
    closed = compliance.closed_by(target.limits, now)
    if closed:
        batch.opens = compliance.next_open(target.limits, now)
        batch.window = (f"outside the calling window at {shown(now)}: "
                        + "; ".join(limit.describe(now.weekday()) for limit in closed))
    return batch


def not_attempted(batch: Batch, why: str) -> list[Outcome]:
    return [Outcome(lead.line, lead.phone_number, NOT_ATTEMPTED, why) for lead in batch.to_send]
