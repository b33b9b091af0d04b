"""GitHub-flavoured markdown for pull-request comments: summary, a table, a diff per campaign.

GitHub rejects comment bodies over 65,536 characters, so a long plan is cut to a budget and
ends by saying how much was left out and how to see it all.
"""

from __future__ import annotations

import html

from reconciler import safetext
from reconciler.kinds.registry import kind_of
from reconciler.names import same_name
from reconciler.plan.model import Change, FieldDiff, Plan
from reconciler.render import drift as drift_words
from reconciler.render.care import headline
from reconciler.render.care import markdown_section as care_section
from reconciler.render.findings import markdown_section
from reconciler.render.mdtext import _fit, _longest_run, code_cell, escape
from reconciler.render.unchanged import no_changes_sentence
from reconciler.render.values import (
    SCRIPT_FIELDS,
    format_field,
    params_line,
    schedule_lines,
    script_lines,
    text_lines,
    unverifiable_lines,
)

GITHUB_LIMIT = 65_536
MAX_DETAILS = 50
MAX_ROWS = 200
MAX_VALUE_CHARS = 400  # one huge description must not eat the whole comment
FOOTER_RESERVE = 600  # room kept for the "left out" note, which is written last
FULL_COMMAND = "reconciler plan --format text"

ICONS = {"create": "🟢 `+`", "update": "🟡 `~`", "delete": "🔴 `-`"}
SIGNS = {"create": "+", "update": " ", "delete": "-"}
def summary_line(plan: Plan) -> str:
    counts = plan.summary()
    return (
        f"Plan: {counts['create']} to create, {counts['update']} to update, "
        f"{counts['delete']} to delete, {counts['unchanged']} unchanged"
    ) + (f" ({plan.rewrites()} of the updates unverifiable rewrites)" if plan.rewrites() else "")


def _clip(text: str) -> str:
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def _notes(change: Change) -> str:
    """Extra facts a reviewer needs next to the name: a rename, a deleted campaign's status."""
    if change.action == "update" and change.live_name and not same_name(
        change.live_name, change.name
    ):
        return f" (renamed from {escape(safetext.visible(change.live_name))})"
    if change.action == "delete" and change.live_status:
        by = f", {change.deleted_by_override()}" if change.deleted_by_override() else ""
        return f" (status {escape(change.live_status)}{by})"
    if change.deleted_by_override():
        return f" ({change.deleted_by_override()})"
    if change.rewrite:
        return " (rewrite: write-only keys, unverifiable)"
    return ""


def table_row(change: Change) -> str:
    uuid = code_cell(change.campaign_uuid) if change.campaign_uuid else "—"
    source = code_cell(change.source) if change.source else "—"
    what = kind_of(change).label
    name = what + escape(safetext.visible(change.name)) + _notes(change)
    return f"| {ICONS[change.action]} {change.action} | {name} | {uuid} | {source} |"


def field_lines(name: str, diff: FieldDiff, action: str, origin: str = "") -> list[str]:
    """`- field: before` / `+ field: after`; schedules one human entry per line."""
    if name == "schedules":
        rows = schedule_lines(diff.before, diff.after)
    elif name in SCRIPT_FIELDS and action == "update":
        rows = script_lines(diff.before, diff.after)
    else:
        rows = text_lines(None if action == "create" else diff.before, diff.after)
    if rows is not None:  # schedules, or multi-line text: one row per line
        head = f"{SIGNS[action]} {name}:{origin}"
        return [head] + [f"{sign}   {_clip(text)}".rstrip() for sign, text in rows]
    lines = []
    if action != "create":
        lines.append(f"- {name}: {_clip(format_field(name, diff.before))}")
    if action != "delete":
        lines.append(f"+ {name}: {_clip(format_field(name, diff.after))}{origin}")
    return lines


def diff_lines(change: Change) -> list[str]:
    if change.action == "delete" and not change.fields:
        status = f", status {change.live_status}" if change.live_status else ""
        by = f", {change.deleted_by_override()}" if change.deleted_by_override() else ""
        return [f"- {change.kind} {safetext.visible(change.name)} ({change.uuid}{status}{by})"]
    lines: list[str] = []
    for name, diff in change.fields.items():
        lines.extend(field_lines(name, diff, change.action, change.origin(name)))
    lines.extend(f"! {_clip(line)}" for line in unverifiable_lines(change))
    return lines


def details_block(change: Change, drift: bool = False) -> str:
    """A collapsed diff; the fence outgrows any backtick run in the values."""
    body = "\n".join(diff_lines(change))
    fence = "`" * max(3, _longest_run(body, "`") + 1)
    count = len(change.fields)
    what = f"{count} field{'s' if count != 1 else ''}" if count else f"whole {change.kind}"
    if change.rewrite:
        what = "rewrite, unverifiable"
    name = html.escape(safetext.visible(change.name))
    kind = kind_of(change).label
    title = f"{change.action} {kind}<b>{name}</b> ({what})"
    if drift:
        title = f"{kind}<b>{name}</b>: {html.escape(drift_words.sentence(change))} ({what})"
    params = params_line(change) if change.action != "delete" else ""
    tail = f"{escape(params)}\n\n" if params else ""
    return (
        f"<details><summary>{title}</summary>\n\n{fence}diff\n{body}\n{fence}\n\n{tail}"
        "</details>"
    )


def omitted_note(total: int, rows: int, details: int) -> str:
    """Say exactly what a cut comment leaves out, and how to see all of it."""
    missing = []
    if rows < total:
        missing.append(f"the table lists {rows:,} of {total:,} changes")
    if details < total:
        missing.append(f"details are shown for {details:,} of {total:,}")
    if not missing:
        return ""
    left_out = total - min(rows, details)
    return (
        f"**{left_out:,} change{'s' if left_out != 1 else ''} not shown in full:** "
        f"{' and '.join(missing)}, to stay under GitHub's comment limit. "
        f"See everything with `{FULL_COMMAND}`."
    )


def _no_changes(plan: Plan) -> str:
    return f"**No changes.** {no_changes_sentence(plan)}"


def render(
    plan: Plan,
    *,
    max_details: int = MAX_DETAILS,
    max_rows: int = MAX_ROWS,
    limit: int = GITHUB_LIMIT,
    drift: bool = False,
    **_options: object,
) -> str:
    """The comment body; always shorter than `limit` characters. With `drift`, worded as
    what changed outside the manifests (plan --drift)."""
    target = f"Against {code_cell(plan.api_url)}." if plan.api_url else ""
    lead = _no_changes(plan) if not plan.has_changes else f"**{summary_line(plan)}**"
    if drift:
        lead = (f"**{drift_words.no_drift(plan)}**" if not plan.has_changes
                else f"**{drift_words.summary(plan)}** Each diff reads live → manifests.")
    care_line = headline(plan)  # one line for the comment's first screen
    if care_line:
        lead = f"**{'⛔' if plan.blocking_refusals() else '⚠️'} {escape(care_line)}**\n\n{lead}"
    notes = "\n".join(f"> {escape(note)}" for note in plan.note_texts())
    title = plan.heading(drift_words.TITLE if drift else "Reconciler plan")
    head = "\n\n".join(
        part for part in (f"### {escape(title)}", lead, target, notes,
                          care_section(plan, limit // 4)) if part
    )
    policy = markdown_section(plan.findings, limit // 3)
    if policy:
        head += "\n\n" + policy
    if not plan.has_changes:
        return head + "\n"
    header = "| Action | Campaign | UUID | Source |\n|---|---|---|---|"
    budget = limit - len(head) - len(header) - FOOTER_RESERVE
    # Pieces are escaped (control characters shown) before they are measured.
    rows = [safetext.shown(table_row(change)) for change in plan.changes]
    rows = _fit(rows, max_rows, budget // 2)
    budget -= sum(len(row) + 1 for row in rows)
    shown = plan.changes[:max_details]
    blocks = _fit(
        [safetext.shown(details_block(change, drift), keep_newlines=True) for change in shown],
        max_details,
        budget,
    )
    note = omitted_note(len(plan.changes), len(rows), len(blocks))
    parts = [head, "\n".join([header, *rows]), "\n\n".join(blocks), note]
    text = "\n\n".join(part for part in parts if part) + "\n"
    # A closing </details> opens an HTML block that only a blank line ends: without one, a
    # heading appended after this document (a job summary, a concatenated report) is swallowed.
    return text + "\n" if text.endswith("</details>\n") else text
