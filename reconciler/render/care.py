"""What needs care, first in every plan view: the changes at high or medium risk with their
reasons, and what apply would refuse (acknowledged refusals too, so the override is
reviewed). The plan renderers call these; JSON writes the same facts as data."""

from __future__ import annotations

import click

from reconciler.kinds.registry import kind_of
from reconciler.plan.model import Change, Plan, Refusal
from reconciler.plan.risk import needs_care
from reconciler.render.findings import html_escape
from reconciler.safetext import shown, visible

MAX_ROWS = 100
_COLORS = {"high": "red", "medium": "yellow"}
_MARKS = {"high": "🔴 high", "medium": "🟠 medium"}


def _what(change: Change) -> str:
    return f"{change.action} {kind_of(change).label}{visible(change.name)}"


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def headline(plan: Plan) -> str:
    """One line a reviewer reads first: `Needs care: 2 high, 1 medium risk; apply refuses
    1 (delete-running) unless overridden.` ('' when nothing needs care)."""
    care = needs_care(plan)
    blocking = plan.blocking_refusals()
    acknowledged = len(plan.refusals) - len(blocking)
    parts = []
    if care:
        high = sum(1 for change in care if change.risk.level == "high")
        levels = [f"{count} {level}" for count, level in
                  ((high, "high"), (len(care) - high, "medium")) if count]
        parts.append(f"{', '.join(levels)} risk")
    if blocking:
        codes = ", ".join(sorted({refusal.code for refusal in blocking}))
        parts.append(f"apply refuses {len(blocking)} as written ({codes})")
    if acknowledged:
        parts.append(f"{acknowledged} acknowledged in review")
    return f"Needs care: {'; '.join(parts)}." if parts else ""


def _refusal_head(refusal: Refusal) -> str:
    subject = f" {visible(refusal.subject)}" if refusal.subject else ""
    where = f" ({refusal.source})" if refusal.source else ""
    return f"{refusal.code}{subject}{where}"


# -- text ----------------------------------------------------------------------------------


def text_lines(plan: Plan, color: bool = False) -> list[str]:
    """The text plan's opening block ([] when nothing needs care)."""
    line = headline(plan)
    if not line:
        return []
    lines = [_paint(line, "red" if plan.blocking_refusals() else "yellow", color)]
    for change in needs_care(plan):
        level = change.risk.level
        for index, reason in enumerate(change.risk.reasons):
            head = f"  {level:<6}  {_what(change)}: " if index == 0 else " " * 10 + "  "
            lines.append(_paint(head + reason, _COLORS[level], color))
    blocking = plan.blocking_refusals()
    if blocking:
        lines.append("Apply will refuse:")
        for refusal in blocking:
            message = refusal.message
            if refusal.code == "policy-error":  # in full under "Policy findings"
                message = message.split(": ", 1)[0] + " (see the policy findings)"
            lines.append(_paint(f"  ✗ {_refusal_head(refusal)}: {message}", "red", color))
            lines.append(shown(f"      to proceed: {refusal.override}"))
    acknowledged = [refusal for refusal in plan.refusals if refusal.acknowledged]
    if acknowledged:
        lines.append("Acknowledged in review (apply allows these):")
        lines.extend(shown(f"  ✓ {_refusal_head(refusal)}") for refusal in acknowledged)
    return lines


def _paint(text: str, hue: str | None, color: bool) -> str:
    text = shown(text)
    return click.style(text, fg=hue) if color and hue else text


# -- markdown ------------------------------------------------------------------------------


def markdown_section(plan: Plan, budget: int) -> str:
    """'Needs care' and 'Apply will refuse' tables, within `budget` characters."""
    from reconciler.render.mdtext import _fit, code_cell, escape

    parts: list[str] = []
    care = needs_care(plan)
    if care:
        head = "#### Needs care\n\n| Risk | Change | Why |\n|---|---|---|"
        rows = [
            f"| {_MARKS[change.risk.level]} | {escape(_what(change))} | "
            f"{'<br>'.join(escape(reason) for reason in change.risk.reasons)} |"
            for change in care
        ]
        kept = _fit(rows, MAX_ROWS, budget // 2 - len(head))
        left = len(rows) - len(kept)
        more = f"\n\n{left:,} more not shown: see `reconciler plan --format text`." if left else ""
        parts.append("\n".join([head, *kept]) + more)
    if plan.refusals:
        head = (
            "#### Apply will refuse\n\n| | Code | Subject | Why | To proceed |\n"
            "|---|---|---|---|---|"
        )
        rows = [
            f"| {'✅ acknowledged' if refusal.acknowledged else '⛔ refused'} | "
            f"{code_cell(refusal.code)} | "
            f"{escape(visible(refusal.subject)) if refusal.subject else 'the plan'}"
            f"{' ' + code_cell(refusal.source) if refusal.source else ''} | "
            f"{escape(refusal.message)} | {escape(refusal.override)} |"
            for refusal in plan.refusals
        ]
        kept = _fit(rows, MAX_ROWS, budget // 2 - len(head))
        left = len(rows) - len(kept)
        more = f"\n\n{left:,} more not shown: see `reconciler plan --format json`." if left else ""
        parts.append("\n".join([head, *kept]) + more)
    return "\n\n".join(parts)


# -- html ----------------------------------------------------------------------------------

HTML_CSS = """
.care { background: var(--paper); border: 2px solid var(--update); border-radius: 8px;
  margin-bottom: 24px; padding: 12px 16px; overflow-x: auto; }
.care.refused { border-color: var(--delete); }
.care h2 { margin-bottom: 8px; }
.care ul { margin: 0; padding-left: 18px; }
.risk { font-size: 12px; font-weight: 700; text-transform: uppercase; border-radius: 999px;
  padding: 2px 10px; white-space: nowrap; }
.risk.high { color: var(--delete); background: var(--delete-bg); }
.risk.medium { color: var(--update); background: var(--update-bg); }
.risk.low { color: #57606a; background: #f6f8fa; }
"""


def html_section(plan: Plan) -> str:
    """The care section with `data-risk` and `data-refusal` hooks; '' when nothing needs
    care."""
    line = headline(plan)
    if not line:
        return ""
    rows = "".join(
        f'<tr data-risk="{change.risk.level}" data-change="{html_escape(change.name)}">'
        f'<td><span class="risk {change.risk.level}">{change.risk.level}</span></td>'
        f"<td>{html_escape(_what(change))}</td><td><ul>"
        + "".join(f"<li>{html_escape(reason)}</li>" for reason in change.risk.reasons)
        + "</ul></td></tr>"
        for change in needs_care(plan)
    )
    risk = (
        "<table><thead><tr><th>Risk</th><th>Change</th><th>Why</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>" if rows else ""
    )
    refusals = "".join(
        f'<tr data-refusal="{html_escape(refusal.code)}" '
        f'data-acknowledged="{str(refusal.acknowledged).lower()}">'
        f"<td>{'acknowledged' if refusal.acknowledged else 'refused'}</td>"
        f"<td><code>{html_escape(refusal.code)}</code></td>"
        f"<td>{html_escape(refusal.subject or 'the plan')}</td>"
        f"<td>{html_escape(refusal.message)}</td><td>{html_escape(refusal.override)}</td></tr>"
        for refusal in plan.refusals
    )
    refused = (
        "<h3>Apply will refuse</h3><table><thead><tr><th></th><th>Code</th><th>Subject</th>"
        f"<th>Why</th><th>To proceed</th></tr></thead><tbody>{refusals}</tbody></table>"
        if refusals else ""
    )
    css = "care refused" if plan.blocking_refusals() else "care"
    return (
        f'<section class="{css}" data-care><h2 data-care-line>{html_escape(line)}</h2>'
        f"{risk}{refused}</section>"
    )
