"""A self-contained HTML review page: summary, one section per change, schedules as week grids.

One file a reviewer can open anywhere (a CI artifact, an email attachment): inline CSS, no
script, no network reference. Hooks such as `data-campaign`, `data-grid` and `data-window`
let tests and tools check the page without scraping prose.
"""

from __future__ import annotations

import html
from typing import Any

from reconciler.fields import DAYS
from reconciler.kinds.registry import kind_of
from reconciler.manifest.schedule import ScheduleError
from reconciler.names import same_name
from reconciler.plan.model import Change, FieldDiff, Plan
from reconciler.render.care import HTML_CSS as CARE_CSS
from reconciler.render.care import html_section as care_section
from reconciler.render.findings import HTML_CSS, html_section
from reconciler.render.unchanged import no_changes_sentence
from reconciler.render.values import (
    NO_WINDOWS,
    SCRIPT_FIELDS,
    format_field,
    format_window,
    is_multiline,
    params_line,
    text_lines,
    unverifiable_lines,
    word_diff,
)
from reconciler.render.week import Week, Window, changed_days, week_of
from reconciler.safetext import shown, visible

# Window labels: both edges fit from this many hours, the start alone from the second; shorter
# windows keep their times in the tooltip and in the list of changed days.
BOTH_EDGES_HOURS = 1.5
START_ONLY_HOURS = 0.75
NS_PER_HOUR = 3_600_000_000_000
VERBS = {"create": "to create", "update": "to update", "delete": "to delete"}

CSS = """
:root { --create:#1a7f37; --create-bg:#dafbe1; --update:#9a6700; --update-bg:#fff8c5;
  --delete:#cf222e; --delete-bg:#ffebe9; --ink:#1f2328; --muted:#59636e; --line:#d1d9e0;
  --paper:#ffffff; --wash:#f6f8fa; --win:#0969da; --hour:18px; color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--wash); color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "Noto Sans", "DejaVu Sans", sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 26px; margin: 0 0 2px; }
h2 { font-size: 19px; margin: 0; display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
code, .value, .uuid { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", monospace;
  font-size: 13px; }
.sub { color: var(--muted); margin: 0 0 16px; }
.summary { display: flex; flex-wrap: wrap; gap: 12px; margin: 0 0 8px; padding: 0;
  list-style: none; }
.summary li { background: var(--paper); border: 1px solid var(--line); border-radius: 8px;
  padding: 10px 16px; min-width: 130px; border-top: 4px solid var(--muted); }
.summary b { display: block; font-size: 26px; line-height: 1.1; }
.summary .create { border-top-color: var(--create); }
.summary .update { border-top-color: var(--update); }
.summary .delete { border-top-color: var(--delete); }
.planline { font-weight: 600; margin: 8px 0 20px; }
.empty { background: var(--paper); border: 1px solid var(--line); border-radius: 8px;
  padding: 20px; font-size: 17px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 6px 10px;
  border-bottom: 1px solid var(--line); }
thead th { font-size: 12px; text-transform: uppercase; letter-spacing: .04em;
  color: var(--muted); }
.index { background: var(--paper); border: 1px solid var(--line); border-radius: 8px;
  margin-bottom: 24px; overflow-x: auto; }
.index a { color: inherit; }
.change { background: var(--paper); border: 1px solid var(--line); border-radius: 8px;
  border-left: 6px solid var(--muted); padding: 16px 20px; margin: 0 0 20px; }
.change.create { border-left-color: var(--create); }
.change.update { border-left-color: var(--update); }
.change.delete { border-left-color: var(--delete); }
.badge { font-size: 12px; font-weight: 700; text-transform: uppercase; letter-spacing: .05em;
  border-radius: 999px; padding: 2px 10px; }
.badge.create { color: var(--create); background: var(--create-bg); }
.badge.update { color: var(--update); background: var(--update-bg); }
.badge.delete { color: var(--delete); background: var(--delete-bg); }
.uuid { color: var(--muted); font-weight: 400; }
.meta { color: var(--muted); margin: 4px 0 12px; font-size: 14px; }
.fields th { width: 190px; font-weight: 600; }
.fields td { overflow-wrap: anywhere; }
.fields .before { background: #fff5f5; }
.fields .after { background: #f3fdf5; }
.fields .entry { display: block; }
.fields .gone { color: var(--delete); text-decoration: line-through; }
.fields .new { color: var(--create); font-weight: 600; }
.weeks { display: flex; flex-wrap: wrap; gap: 24px; margin-top: 16px; }
.week { flex: 1 1 420px; max-width: 580px; margin: 0; }
.week figcaption { font-weight: 600; margin-bottom: 6px; }
.grid { display: grid; grid-template-columns: 44px repeat(7, 1fr);
  grid-template-rows: auto calc(var(--hour) * 24); border: 1px solid var(--line);
  border-radius: 6px; overflow: hidden; background: var(--paper); }
.dayhead { text-align: center; font-size: 12px; font-weight: 600; padding: 4px 0;
  background: var(--wash); border-bottom: 1px solid var(--line);
  border-left: 1px solid var(--line); }
.dayhead.changed { background: var(--update-bg); color: var(--update); }
.dayhead.changed::after { content: " ●"; }
.corner { background: var(--wash); border-bottom: 1px solid var(--line); }
.hours { display: grid; grid-template-rows: repeat(24, 1fr); font-size: 10px;
  color: var(--muted); text-align: right; }
.hours span { padding: 0 6px 0 0; line-height: 1; border-top: 1px solid transparent; }
.day { position: relative; border-left: 1px solid var(--line);
  background-image: repeating-linear-gradient(to bottom, #e4e8ec 0 1px, transparent 1px 25%),
    repeating-linear-gradient(to bottom, #f0f2f4 0 1px, transparent 1px calc(100% / 24)); }
.day.changed { background-color: #fffcf0; }
.pair { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
.pair > .fields { flex: 1 1 420px; width: auto; }
.pair > .weeks { flex: 1 1 420px; margin-top: 0; }
.win { position: absolute; left: 3px; right: 3px; border-radius: 4px; overflow: hidden;
  display: flex; flex-direction: column; justify-content: space-between;
  background: rgba(9, 105, 218, .22); border: 1px solid rgba(9, 105, 218, .55);
  color: #0a3069; font-size: 10px; line-height: 1.2; padding: 1px 3px;
  font-variant-numeric: tabular-nums; white-space: nowrap; }
.win.added { background: rgba(26, 127, 55, .26); border: 2px solid var(--create); color: #0f4d22;
  font-weight: 700; }
.win.removed { background: repeating-linear-gradient(135deg, rgba(207, 34, 46, .2) 0 4px,
  rgba(207, 34, 46, .08) 4px 8px); border: 2px dashed var(--delete); color: #82071e;
  font-weight: 700; }
.daychanges { margin: 12px 0 0; padding-left: 20px; }
.daychanges del { color: var(--delete); }
.daychanges ins { color: var(--create); text-decoration: none; font-weight: 600; }
.legend { color: var(--muted); font-size: 13px; margin-top: 8px; }
.legend i { display: inline-block; width: 12px; height: 12px; border-radius: 3px;
  vertical-align: -1px; margin: 0 4px 0 12px; }
.legend .k-win { background: rgba(9, 105, 218, .22); border: 1px solid rgba(9, 105, 218, .55); }
.legend .k-added { background: rgba(26, 127, 55, .26); border: 2px solid var(--create); }
.legend .k-removed { border: 2px dashed var(--delete); }
.note { color: var(--muted); font-style: italic; }
.script { white-space: pre-wrap; font-family: ui-monospace, "DejaVu Sans Mono", monospace;
  font-size: 13px; }
.script del { color: var(--delete); background: var(--delete-bg); }
.script ins { color: var(--create); background: var(--create-bg); text-decoration: none; }
.params code { background: var(--wash); padding: 0 4px; border-radius: 4px; }
@media (max-width: 640px) { main { padding: 12px 8px; } .fields th { width: auto; } }
"""


def escape(text: str, quote: bool = True) -> str:
    """Text for HTML: control and bidi characters shown as escapes, then HTML-escaped."""
    return html.escape(shown(text), quote)


def attrs(**values: Any) -> str:
    """HTML attributes from keywords (`data_day` → `data-day`), every value escaped."""
    return "".join(
        f' {key.rstrip("_").replace("_", "-")}="{escape(str(value))}"'
        for key, value in values.items()
        if value is not None
    )


def _pretty(label: str) -> str:
    """`08:30-11:15` → `08:30–11:15` for reading; the hyphenated form stays in the hooks."""
    return label.replace("-", "–")


# ---- summary and index -------------------------------------------------------------------


def summary(plan: Plan) -> str:
    counts = plan.summary()
    cards = "".join(
        f'<li class="{key}" data-count="{key}"><b>{count}</b>{VERBS.get(key, key)}</li>'
        for key, count in counts.items()
    )
    line = (
        f"Plan: {counts['create']} to create, {counts['update']} to update, "
        f"{counts['delete']} to delete, {counts['unchanged']} unchanged."
    )
    if plan.rewrites():
        line += (" 1 of the updates is an unverifiable rewrite." if plan.rewrites() == 1
                 else f" {plan.rewrites()} of the updates are unverifiable rewrites.")
    return f'<ul class="summary">{cards}</ul><p class="planline" data-plan-line>{line}</p>'


def _anchor(index: int) -> str:
    return f"change-{index + 1}"


def index_table(plan: Plan) -> str:
    """Every change in one table, each linking to its section in this page."""
    rows = "".join(
        f"<tr><td><span class='badge {c.action}'>{c.action}</span></td>"
        f"<td>{escape(kind_of(c).label)}"
        f"<a href='#{_anchor(i)}'>{escape(visible(c.name))}</a></td>"
        f"<td class='uuid'>{escape(c.campaign_uuid or '—')}</td>"
        f"<td>{escape(c.source or '—')}</td></tr>"
        for i, c in enumerate(plan.changes)
    )
    head = "<tr><th>Action</th><th>Campaign</th><th>UUID</th><th>Source</th></tr>"
    return f'<div class="index"><table><thead>{head}</thead><tbody>{rows}</tbody></table></div>'


# ---- field diff --------------------------------------------------------------------------


def _schedule_cell(entries: list[dict] | None, other: list[dict] | None, mark: str) -> str:
    """One entry per line; entries the other side lacks are marked gone (before) or new."""
    others = {format_window(entry) for entry in other or []}
    lines = []
    for entry in entries or []:
        text = format_window(entry)
        css = "entry" if text in others or other is None else f"entry {mark}"
        lines.append(f'<span class="{css}">{escape(text)}</span>')
    return "".join(lines) or f'<span class="note">{NO_WINDOWS}</span>'


def _text_cell(value: str, other: Any, mark: str) -> str:
    """Multi-line text one line per row; lines the other side lacks are marked (gone/new)."""
    lines = []
    for sign, line in text_lines(other, value) or []:
        if sign == "-":  # a line only the other side has
            continue
        css = "entry" if sign == " " or other is None else f"entry {mark}"
        lines.append(f'<span class="{css}">{escape(line) or "&nbsp;"}</span>')
    return f'<span class="value">{"".join(lines)}</span>'


def _cell(name: str, value: Any, other: Any, mark: str, css: str) -> str:
    if name == "schedules":
        inner = _schedule_cell(value, other, mark)
    elif is_multiline(value):
        inner = _text_cell(value, other, mark)
    else:
        inner = f'<span class="value">{escape(format_field(name, value))}</span>'
    return f'<td class="{css}">{inner}</td>'


def script_row(name: str, diff: FieldDiff) -> str:
    """A changed script in one cell: the new text with removed words struck and added ones
    highlighted (word level, in NFC: Vietnamese diacritics never split)."""
    pieces = "".join(
        f"<del>{escape(text)}</del>" if op == "-" else
        f"<ins>{escape(text)}</ins>" if op == "+" else escape(text)
        for op, text in word_diff(diff.before, diff.after)
    )
    return (
        f"<tr{attrs(data_field=name)}><th>{escape(name)}</th>"
        f'<td colspan="2" class="script" data-text-diff>{pieces}</td></tr>'
    )


def field_row(name: str, diff: FieldDiff, action: str, origin: str = "") -> str:
    if (
        action == "update" and name in SCRIPT_FIELDS
        and isinstance(diff.before, str) and isinstance(diff.after, str)
    ):
        return script_row(name, diff)
    note = f'<br><small data-override>{escape(origin.strip(" ()"))}</small>' if origin else ""
    head = f"<th>{escape(name)}{note}</th>"
    if action == "create":
        return (
            f"<tr{attrs(data_field=name)}>{head}{_cell(name, diff.after, None, '', 'after')}</tr>"
        )
    before = _cell(name, diff.before, diff.after, "gone", "before")
    after = _cell(name, diff.after, diff.before, "new", "after")
    return f"<tr{attrs(data_field=name)}>{head}{before}{after}</tr>"


def field_table(change: Change) -> str:
    if not change.fields and change.action == "update":  # a rewrite: see _unverifiable
        return ""
    if not change.fields:
        status = f" (live status: {escape(change.live_status)})" if change.live_status else ""
        by = f" by {escape(change.deleted_by_override())}" if change.deleted_by_override() else ""
        return f'<p class="note">The whole {change.kind} will be deleted{status}{by}.</p>'
    if change.action == "create":
        head = "<tr><th>Field</th><th>Value</th></tr>"
    else:
        head = "<tr><th>Field</th><th>Before</th><th>After</th></tr>"
    rows = "".join(
        field_row(name, diff, change.action, change.origin(name))
        for name, diff in change.fields.items()
    )
    return f'<table class="fields"><thead>{head}</thead><tbody>{rows}</tbody></table>'


# ---- week grid ---------------------------------------------------------------------------


def window_block(day: str, window: Window, state: str) -> str:
    """One shaded window, placed by percentages of the day; its times as text and tooltip."""
    pretty = _pretty(window.label)
    style = f"top:{window.top:.4f}%;height:{window.height:.4f}%"
    css = f"win {state}".strip()
    title = f"{day.capitalize()} {pretty}"
    hooks = attrs(class_=css, data_day=day, data_window=window.label, title=title, style=style)
    return f"<div{hooks}>{edge_labels(window)}</div>"


def edge_labels(window: Window) -> str:
    """Start at the top of the block and end at its bottom, as far as the block has room."""
    hours = (window.end - window.start) / NS_PER_HOUR
    start, end = window.label.split("-")
    if hours >= BOTH_EDGES_HOURS:
        return f"<span>{start}</span><span>{end}</span>"
    return f"<span>{start}</span>" if hours >= START_ONLY_HOURS else ""


def week_grid(kind: str, week: Week, other: Week | None, caption: str) -> str:
    """Seven day columns over 24 hour rows; windows missing from `other` are highlighted."""
    news = "removed" if kind == "before" else "added"
    changed = set(changed_days(week, other)) if other is not None else set()
    heads, columns = [], []
    for index, day in enumerate(DAYS):
        flag = " changed" if index in changed else ""
        heads.append(f'<div class="dayhead{flag}">{day[:3].capitalize()}</div>')
        kept = other[index] if other is not None else week[index]
        blocks = "".join(
            window_block(day, window, "" if window in kept else news) for window in week[index]
        )
        columns.append(f'<div class="day{flag}"{attrs(data_column=day)}>{blocks}</div>')
    hours = "".join(f"<span>{hour:02d}</span>" for hour in range(24))
    grid = (
        f'<div class="grid"><div class="corner"></div>{"".join(heads)}'
        f'<div class="hours">{hours}</div>{"".join(columns)}</div>'
    )
    caption = f"<figcaption>{caption}</figcaption>"
    return f'<figure class="week"{attrs(data_grid=kind)}>{caption}{grid}</figure>'


def _windows_text(windows: tuple[Window, ...]) -> str:
    return ", ".join(_pretty(window.label) for window in windows) or "no calls"


def day_changes(before: Week, after: Week) -> str:
    """The grid's news in words: `Saturday 08:00–12:00 → 08:30–12:00`."""
    items = "".join(
        f"<li{attrs(data_day_change=DAYS[i])}><b>{DAYS[i].capitalize()}</b> "
        f"<del>{_windows_text(before[i])}</del> → <ins>{_windows_text(after[i])}</ins></li>"
        for i in changed_days(before, after)
    )
    return f'<ul class="daychanges">{items}</ul>' if items else ""


LEGEND = (
    '<p class="legend"><i class="k-win"></i>calling window<i class="k-removed"></i>removed'
    '<i class="k-added"></i>added</p>'
)


def schedule_view(change: Change) -> str:
    """Before and after weeks side by side (after only for a create); '' if no schedules."""
    diff = change.fields.get("schedules")
    if diff is None or change.action == "delete":
        return ""
    try:
        after = week_of(diff.after)
        before = week_of(diff.before) if change.action == "update" else None
    except ScheduleError as exc:
        return f'<p class="note">Schedule not drawable: {escape(str(exc))}</p>'
    if before is None:
        return f'<div class="weeks">{week_grid("after", after, None, "Weekly schedule")}</div>'
    grids = week_grid("before", before, after, "Before") + week_grid(
        "after", after, before, "After"
    )
    return f'<div class="weeks">{grids}</div>{day_changes(before, after)}{LEGEND}'


# ---- page --------------------------------------------------------------------------------


def _params(change: Change) -> str:
    """The placeholders of the (campaign's) script: the params every lead import needs."""
    text = params_line(change)
    if not text or change.action == "delete":
        return ""
    head, _, _names = text.partition(": ")
    names = ", ".join(f"<code>{escape(name)}</code>" for name in change.placeholders)
    hooks = attrs(class_="meta params", data_placeholders=" ".join(change.placeholders))
    return f"<p{hooks}>{escape(head)}: {names}</p>"


def _unverifiable(change: Change) -> str:
    """What is sent but no read returns, and for a rewrite why it is written at all."""
    lines = unverifiable_lines(change)
    if not lines:
        return ""
    hooks = attrs(class_="note", data_unverifiable=" ".join(change.unverifiable),
                  data_rewrite="" if change.rewrite else None)
    return f"<p{hooks}>{'<br>'.join(escape(line) for line in lines)}</p>"


def _meta(change: Change) -> str:
    facts = []
    if change.action == "update" and change.live_name and not same_name(
        change.live_name, change.name
    ):
        facts.append(f"renamed from <b>{escape(visible(change.live_name))}</b>")
    if change.source:
        facts.append(f"source: <code>{escape(change.source)}</code>")
    return f'<p class="meta">{" · ".join(facts)}</p>' if facts else ""


def _risk_badge(change: Change) -> str:
    if change.risk.level == "low":
        return ""
    why = "; ".join(change.risk.reasons)
    return (
        f'<span class="risk {change.risk.level}" title="{escape(why)}">'
        f"{change.risk.level} risk</span>"
    )


def change_section(index: int, change: Change) -> str:
    hooks = attrs(
        id=_anchor(index),
        class_=f"change {change.action}",
        **{f"data_{change.kind}": change.name},
        data_kind=change.kind,
        data_action=change.action,
        data_uuid=change.uuid,
        data_risk=change.risk.level,
    )
    uuid = (
        f'<span class="uuid">{escape(change.campaign_uuid)}</span>' if change.campaign_uuid else ""
    )
    title = (
        f'<h2><span class="badge {change.action}">{change.action}</span>'
        f"{'' if kind_of(change).primary else f'<span>{escape(change.kind)}</span>'}"
        f"<span>{escape(visible(change.name))}</span>{uuid}{_risk_badge(change)}</h2>"
    )
    detail = f"{field_table(change)}{schedule_view(change)}"
    if change.action == "create":  # a create's table and week fit side by side
        detail = f'<div class="pair">{detail}</div>'
    content = f"{title}{_meta(change)}{_params(change)}{_unverifiable(change)}{detail}"
    return f"<section{hooks}>{content}</section>"


def body(plan: Plan) -> str:
    target = (
        f'<p class="sub">Against <code>{escape(plan.api_url)}</code></p>' if plan.api_url else ""
    )
    notes = "".join(f'<p class="sub" data-note>{escape(note)}</p>' for note in plan.note_texts())
    heading = escape(plan.heading("Reconciler plan"))
    title = f"<h1{attrs(data_environment=plan.environment)}>{heading}</h1>"
    head = f"<header>{title}{target}{summary(plan)}{notes}</header>"
    head += care_section(plan)  # what needs care leads
    head += html_section(plan.findings)
    if not plan.has_changes:
        note = (
            '<p class="empty" data-no-changes><b>No changes.</b> '
            f"{escape(no_changes_sentence(plan))}</p>"
        )
        return head + note
    sections = "".join(change_section(i, change) for i, change in enumerate(plan.changes))
    return f"{head}{index_table(plan)}{sections}"


def render(plan: Plan, *, title: str = "Reconciler plan", **_options: object) -> str:
    """The whole page as one string."""
    title = plan.heading(title)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}{HTML_CSS}{CARE_CSS}</style></head>"
        f"<body><main>{body(plan)}</main></body></html>\n"
    )
