"""`reconciler status` as text (a terminal), JSON (scripts) or markdown (a nightly job's issue
or chat message). Problems first — audit findings, campaigns whose live state differs from
their manifests — then the figures. Phone numbers are masked to their last 3 digits everywhere
but JSON; server text (names, run state, run ids) is escaped (reconciler/safetext.py).
"""

from __future__ import annotations

from datetime import datetime

from reconciler import safetext
from reconciler.operations.audit import CallFinding, mask_phone
from reconciler.operations.status import CampaignStatus, StatusReport
from reconciler.operations.window import TENANT_ZONE, shown
from reconciler.render.json import safe_json
from reconciler.render.markdown import code_cell, escape

# (counter, column heading) of the figures table; the rest are in JSON.
COLUMNS = (
    ("total", "calls"),
    ("answered", "answered"),
    ("busy", "busy"),
    ("no_answered", "no answer"),
    ("not_available", "not avail."),
    ("cancel", "cancel"),
    ("congestion", "congestion"),
)
OTHER = ("busy_line", "invalid", "phone_block")  # summed as "other"


def render(report: StatusReport, fmt: str) -> str:
    return {"text": text, "json": as_json, "markdown": markdown}[fmt](report)


def as_json(report: StatusReport) -> str:
    return safe_json(report.to_dict()) + "\n"  # same values; no raw control or bidi character


# ---- text ----------------------------------------------------------------------------------


def text(report: StatusReport) -> str:
    lines = [f"Calls from {report.window.describe()}.", ""]
    if report.environment:
        lines[:0] = [f"Environment {report.environment} ({report.api_url})"]
    lines += [headline(report), ""]
    if report.audit:
        lines.append("Audit of real calls:")
        lines += [f"  {_plain(finding_line(finding))}" for finding in report.audit]
        lines.append("")
    attention = [_attention(row) for row in report.problems]
    if attention:
        lines += [f"  {_plain(line)}" for line in attention] + [""]
    lines += _table(report)
    return "\n".join(lines) + "\n"


def headline(report: StatusReport) -> str:
    """`3 campaigns: 1 running, 1 not created. Audit: 2 findings (1 waived).`"""
    rows = report.campaigns
    running = sum(1 for row in rows if row.status == "start")
    missing = sum(1 for row in rows if not row.live)
    differ = len(report.problems) - missing
    parts = [f"{running} running"]
    if missing:
        parts.append(f"{missing} not created")
    if differ:
        parts.append(f"{differ} not as declared")
    total = sum((row.calls or {}).get("total", 0) for row in rows)
    head = f"{_count(len(rows), 'campaign')}: {', '.join(parts)}; {_count(total, 'call')}."
    audited = sum(1 for row in rows if row.audited)
    if not audited:
        return head + " Audit: no rule in force checks these campaigns' calls."
    counting = len(report.counting)
    waived = len(report.audit) - counting
    verdict = _count(counting, "finding") if counting else "clean"
    extra = f" ({waived} waived)" if waived else ""
    return head + f" Audit of {_count(audited, 'campaign')}: {verdict}{extra}."


def finding_line(finding: CallFinding) -> str:
    """`file:line: RULE: Campaign: *******541 at 2026-05-01 18:30:00 +07:00: message`."""
    line = f"{finding.source}: {finding.rule}: {finding.campaign_name}: {_call_of(finding)}"
    line += finding.message
    if finding.waived:
        return f"{line} [waived: {finding.reason}]"
    return f"{line} [warning]" if finding.severity == "warning" else line


def _call_of(finding: CallFinding) -> str:
    """`*******541 at 2026-05-01 18:30:00 +07:00: `, or nothing for a finding about no call
    in particular (an audit that could not see the calls)."""
    if not finding.time:
        return ""
    when = shown(datetime.fromisoformat(finding.time))
    return f"{mask_phone(finding.phone_number)} at {when}: "


def verdict(report: StatusReport) -> str:
    """🔴 a policy error was broken; 🟡 anything else wrong (a warning, an audit that could
    not see every call, a campaign not as declared); 🟢 only when nothing is."""
    if any(finding.severity == "error" for finding in report.counting):
        return "🔴"
    return "🟢" if report.clean else "🟡"


def _attention(row: CampaignStatus) -> str:
    """`file:line: Name: declared active: false but on live (run start)`."""
    run = f" (run {row.status})" if row.live and row.status else ""
    return f"{row.source}: {row.campaign_name}: {row.problem}{run}"


def _table(report: StatusReport) -> list[str]:
    heads = ["campaign", "active", "run", *(head for _, head in COLUMNS), "other"]
    body = []
    for row in report.campaigns:
        flag = "!" if any(f.counts for f in report.findings_of(row.campaign_name)) else ""
        body.append([f"{_plain(row.campaign_name)}{' ' + flag if flag else ''}",
                     *_cells(row)])
    widths = [max(len(line[index]) for line in [heads, *body]) for index in range(len(heads))]
    out = ["  ".join(cell.ljust(width) if index < 3 else cell.rjust(width)
                     for index, (cell, width) in enumerate(zip(line, widths, strict=True)))
           .rstrip() for line in [[head.upper() for head in heads], *body]]
    out.append(f"(! = audit findings; figures from /v3/report/call/campaign; times UTC"
               f"{TENANT_ZONE})")
    return out


def _cells(row: CampaignStatus) -> list[str]:
    if not row.live:
        return ["-", "not created", *["-"] * (len(COLUMNS) + 1)]
    active = "yes" if row.active is True else "no" if row.active is False else "?"
    run = _plain(row.status) if row.status else "?"
    if row.calls is None:
        return [active, run, *["?"] * (len(COLUMNS) + 1)]
    calls = row.calls
    cells = [str(calls.get(key, 0)) for key, _ in COLUMNS]
    total = calls.get("total", 0)
    if total:
        cells[1] += f" ({calls.get('answered', 0) * 100 // total}%)"
    cells.append(str(sum(calls.get(key, 0) for key in OTHER)))
    return [active, run, *cells]


# ---- markdown ------------------------------------------------------------------------------


def markdown(report: StatusReport) -> str:
    """For a nightly job's issue or chat message: verdict, findings, then the table."""
    env = f" (environment {escape(report.environment)})" if report.environment else ""
    lines = [f"### {verdict(report)} Campaign status{env}", "",
             f"Calls from {escape(report.window.describe())}.", "",
             escape(headline(report)), ""]
    if report.audit:
        lines += ["#### Audit of real calls", ""]
        for finding in report.audit:
            note = (f" — waived: {escape(finding.reason or '')}" if finding.waived
                    else " (warning)" if finding.severity == "warning" else "")
            call = (
                f" `{mask_phone(finding.phone_number)}` at "
                f"{shown(datetime.fromisoformat(finding.time))}"
                if finding.time else ""
            )
            lines.append(
                f"- **{escape(finding.campaign_name)}**{call}: {escape(finding.message)} — "
                f"{code_cell(finding.rule)}, {code_cell(finding.source)}{note}"
            )
        lines.append("")
    attention = [_attention(row) for row in report.problems]
    if attention:
        lines += [f"- {escape(line)}" for line in attention] + [""]
    heads = ["Campaign", "Active", "Run", *(head.capitalize() for _, head in COLUMNS), "Other"]
    lines.append("| " + " | ".join(heads) + " |")
    lines.append("|" + "|".join(["---"] * 3 + ["---:"] * (len(COLUMNS) + 1)) + "|")
    for row in report.campaigns:
        name = escape(row.campaign_name)
        if any(finding.counts for finding in report.findings_of(row.campaign_name)):
            name = f"⚠️ {name}"
        lines.append("| " + " | ".join([name, *(escape(cell) for cell in _cells(row))]) + " |")
    lines += ["", f"<sub>Figures from `/v3/report/call/campaign`; times in tenant time "
              f"(UTC{TENANT_ZONE}); phone numbers masked to their last 3 digits.</sub>"]
    return "\n".join(lines) + "\n"


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _plain(value: object) -> str:
    """Control, bidi and other unsafe characters from API or manifest text escaped: one
    line stays one line, and the terminal shows what is there."""
    return safetext.shown(value)
