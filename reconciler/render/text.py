"""Terraform-style text: `+ create`, `~ update`, `- delete`, each field `before → after`."""

from __future__ import annotations

import click

from reconciler.kinds.registry import kind_of
from reconciler.names import same_name
from reconciler.plan.model import Change, FieldDiff, Plan
from reconciler.render import drift as drift_words
from reconciler.render.care import text_lines as care_lines
from reconciler.render.findings import finding_lines
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
from reconciler.safetext import shown, spelt, visible

MARKS = {"create": ("+", "green"), "update": ("~", "yellow"), "delete": ("-", "red")}
LINE_COLORS = {"+": "green", "-": "red", "~": "yellow", " ": None}


def _paint(text: str, color: str | None, enabled: bool) -> str:
    """One line, server and file text escaped (shown), then coloured."""
    text = shown(text)
    return click.style(text, fg=color) if enabled and color else text


def _field_lines(
    name: str, diff: FieldDiff, action: str, color: bool, origin: str = ""
) -> list[str]:
    mark = {"create": "+", "delete": "-"}.get(action, "~")
    if name == "schedules":
        rows = schedule_lines(diff.before, diff.after)
    elif name in SCRIPT_FIELDS and action == "update":
        rows = script_lines(diff.before, diff.after)
    else:
        rows = text_lines(None if action == "create" else diff.before, diff.after)
    if rows is not None:  # schedules, or multi-line text: one row per line
        lines = [_paint(f"      {mark} {name}:{origin}", LINE_COLORS[mark], color)]
        for sign, text in rows:
            lines.append(_paint(f"          {sign} {text}".rstrip(), LINE_COLORS[sign], color))
        return lines
    if action == "create":
        text = f"      + {name}: {format_field(name, diff.after)}"
    else:
        before, after = format_field(name, diff.before), format_field(name, diff.after)
        text = f"      ~ {name}: {before} → {after}"
    return [_paint(text + origin, LINE_COLORS[mark], color)]


def change_lines(change: Change, color: bool = False) -> list[str]:
    mark, hue = MARKS[change.action]
    where = []
    if change.uuid:
        where.append(change.uuid)
    if change.action == "update" and change.live_name and not same_name(
        change.live_name, change.name
    ):
        where.append(f"renamed from {spelt(change.live_name)}")
    if change.via_name:
        where.append(f"via temporary name {change.via_name!r}: a rename cycle")
    if change.action == "delete" and change.live_status:
        where.append(f"status {change.live_status}")
    if change.deleted_by_override():
        where.append(change.deleted_by_override())
    if change.source:
        where.append(change.source)
    if change.risk.level != "low":
        where.append(f"{change.risk.level} risk")
    suffix = shown(f"  ({'; '.join(where)})") if where else ""
    what = kind_of(change).label
    head = _paint(f"  {mark} {change.action} {what}{visible(change.name)}", hue, color)
    lines = [head + suffix]
    for name, diff in change.fields.items():
        if change.action == "create" and name in ("campaign_name", "template_name"):
            continue  # already the heading
        lines.extend(_field_lines(name, diff, change.action, color, change.origin(name)))
    lines.extend(_paint(f"      ! {line}", hue, color) for line in unverifiable_lines(change))
    params = params_line(change)
    if params and change.action != "delete":
        lines.append(shown(f"      · {params}"))
    return lines


def summary_line(plan: Plan) -> str:
    rewrites = plan.rewrites()
    of_them = (
        f" ({rewrites} of them {'a rewrite' if rewrites == 1 else 'rewrites'} of values no "
        "read returns: unverifiable, not drift)"
    ) if rewrites else ""
    return (
        f"Plan: {plan.count('create')} to create, {plan.count('update')} to update{of_them}, "
        f"{plan.count('delete')} to delete."
    )


def note_lines(plan: Plan) -> list[str]:
    return [shown(f"Note: {note}") for note in plan.note_texts()]


def environment_lines(plan: Plan) -> list[str]:
    """`Environment staging (https://...)`: first, so no reader mistakes the tenant."""
    if not plan.environment:
        return []
    against = f" ({plan.api_url})" if plan.api_url else ""
    return [shown(f"Environment {plan.environment}{against}")]


def render(plan: Plan, *, color: bool = False, drift: bool = False, **_options: object) -> str:
    """The plan; with `drift`, worded as what changed outside the manifests (plan --drift)."""
    notes = environment_lines(plan) + note_lines(plan)
    policy = finding_lines(plan.findings, color)  # [] when no rule found anything
    care = care_lines(plan, color)  # what needs care leads: risk, refusals
    if not plan.has_changes:
        none = drift_words.no_drift(plan) if drift else f"No changes. {no_changes_sentence(plan)}"
        head = "".join(f"{line}\n" for line in notes) + f"{none}\n"
        head += "".join(f"{line}\n" for line in ["", *care]) if care else ""
        return head + ("\n" + "\n".join(policy) + "\n" if policy else "")
    heading = drift_words.HEADING if drift else "Reconciler will perform the following actions:"
    lines = [*notes, ""] if notes else []
    lines += [*care, ""] if care else []
    lines += [heading, ""]
    for change in plan.changes:
        block = change_lines(change, color)
        if drift:
            block.insert(1, shown(f"      # {drift_words.sentence(change)}"))
        lines.extend([*block, ""])
    if policy:
        lines.extend([*policy, ""])
    total = drift_words.summary(plan) if drift else summary_line(plan)
    lines.append(total + (f" ({plan.unchanged} unchanged)" if plan.unchanged else ""))
    return "\n".join(lines) + "\n"
