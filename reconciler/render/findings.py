"""Policy findings in each plan view: waived ones are listed with their reasons, so reviewers
see every agreed exception. The plan renderers call these; JSON uses Finding.to_dict."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape as _html_escape

import click

from reconciler.policy.findings import OUTSIDE_TARGET, Finding, summary
from reconciler.safetext import shown

MAX_MARKDOWN_ROWS = 100
MAX_MESSAGE_CHARS = 300
_COLORS = {"error": "red", "warning": "yellow", "waived": "cyan"}
_MARKDOWN_MARKS = {"error": "⛔ error", "warning": "⚠️ warning", "waived": "✅ waived"}


def html_escape(text: str) -> str:
    """File and server text in HTML: control and bidi characters shown, then HTML-escaped."""
    return _html_escape(shown(text))


def _kind(finding: Finding) -> str:
    """error, warning or waived; an error outside --target shows as a warning (not blocking)."""
    if finding.waived:
        return "waived"
    return "warning" if finding.outside_target else finding.severity


def _subject(finding: Finding) -> str:
    """The entry a finding is about, as the change index names it: a campaign by its name,
    another kind's entry after its kind (`carrier Main`)."""
    kind = finding.kind
    return finding.campaign_name if kind == "campaign" else f"{kind} {finding.campaign_name}"


def heading(findings: Sequence[Finding]) -> str:
    """`Policy findings: 1 error, 1 waived.`"""
    return "Policy findings: " + summary(findings).removeprefix("Policy: ")


def finding_lines(findings: Sequence[Finding], color: bool = False) -> list[str]:
    """The text plan's section: a heading, then each finding's `file:line: RULE_ID: ...`."""
    if not findings:
        return []
    lines = [heading(findings)]
    for finding in findings:
        text = shown(f"  {finding.line()}")
        lines.append(click.style(text, fg=_COLORS[_kind(finding)]) if color else text)
    return lines


def markdown_section(findings: Sequence[Finding], budget: int) -> str:
    """A table for pull-request comments, within `budget` characters ('' if no findings)."""
    from reconciler.render.mdtext import _fit, code_cell, escape

    if not findings:
        return ""
    head = (
        f"#### {heading(findings)}\n\n"
        "| | Rule | Campaign | Source | Finding |\n|---|---|---|---|---|"
    )
    rows = []
    for finding in findings:
        message = escape(_clip(finding.message))
        if finding.waived:
            message += f"<br>**Waived:** {escape(_clip(finding.reason or ''))}"
        elif finding.outside_target and finding.severity == "error":
            message += f"<br>**{escape(OUTSIDE_TARGET)}**"
        rows.append(
            f"| {_MARKDOWN_MARKS[_kind(finding)]} | {code_cell(finding.rule)} | "
            f"{escape(_subject(finding))} | {code_cell(finding.source)} | {message} |"
        )
    note_room = 200
    kept = _fit(rows, MAX_MARKDOWN_ROWS, budget - len(head) - note_room)
    left = len(rows) - len(kept)
    note = (
        f"\n\n{left:,} more finding{'s' if left != 1 else ''} not shown: see them all with "
        "`reconciler validate`."
        if left
        else ""
    )
    return "\n".join([head, *kept]) + note


def _clip(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 1] + "…"


HTML_CSS = """
.policy { background: var(--paper); border: 1px solid var(--line); border-radius: 8px;
  margin-bottom: 24px; padding: 12px 16px; overflow-x: auto; }
.policy h2 { margin-bottom: 8px; }
.sev { font-size: 12px; font-weight: 700; text-transform: uppercase; border-radius: 999px;
  padding: 2px 10px; white-space: nowrap; }
.sev.error { color: var(--delete); background: var(--delete-bg); }
.sev.warning { color: var(--update); background: var(--update-bg); }
.sev.waived { color: #0a3069; background: #ddf4ff; }
.reason { display: block; margin-top: 4px; color: #0a3069; }
"""


def html_section(findings: Sequence[Finding]) -> str:
    """A table of findings with `data-finding` hooks; '' when there are none."""
    if not findings:
        return ""
    rows = []
    for finding in findings:
        kind = _kind(finding)
        reason = (
            f'<span class="reason" data-reason><b>Waived:</b> {html_escape(finding.reason or "")}'
            "</span>"
            if finding.waived
            else f'<span class="reason" data-outside-target>{html_escape(OUTSIDE_TARGET)}</span>'
            if finding.outside_target and finding.severity == "error"
            else ""
        )
        rows.append(
            f'<tr data-finding="{html_escape(finding.rule)}" data-kind="{kind}">'
            f'<td><span class="sev {kind}">{kind}</span></td>'
            f"<td><code>{html_escape(finding.rule)}</code></td>"
            f"<td>{html_escape(_subject(finding))}</td>"
            f"<td><code>{html_escape(finding.source)}</code></td>"
            f"<td>{html_escape(finding.message)}{reason}</td></tr>"
        )
    head = (
        "<tr><th>Finding</th><th>Rule</th><th>Campaign</th><th>Source</th><th>Message</th></tr>"
    )
    return (
        f'<section class="policy" data-policy><h2>{html_escape(heading(findings))}</h2>'
        f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table></section>"
    )
