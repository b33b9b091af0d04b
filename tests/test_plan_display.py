"""How plans show values a reviewer must read right: calling windows in time order, an empty
schedule list as "no calling windows", multi-line text as lines. In every format."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

from clirun import run_cli

from reconciler.plan.model import Change, FieldDiff, Plan
from reconciler.render import render

NS_HOUR = 3600 * 10**9
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

UNORDERED = """\
campaigns:
  - campaign_name: Shuffled
    schedules:
      - sat: "08:00-10:00"
      - mon-fri: "13:00-17:00"
      - mon-fri: "08:00-12:00"
"""
IN_TIME_ORDER = [{"mon-fri": "08:00-12:00"}, {"mon-fri": "13:00-17:00"}, {"sat": "08:00-10:00"}]


def api_schedule(days: tuple[str, ...], start: int, end: int) -> dict[str, int]:
    entry = {f"{day}_{edge}_time": 0 for day in DAYS for edge in ("start", "end")}
    for day in days:
        entry[f"{day}_start_time"], entry[f"{day}_end_time"] = start * NS_HOUR, end * NS_HOUR
    return entry


def plan_of(api_env, tmp_path: Path, text: str, fmt: str) -> str:
    (tmp_path / "c.yaml").write_text(text, encoding="utf-8")
    result = run_cli("plan", str(tmp_path / "c.yaml"), "--format", fmt)
    assert result.code == 0, result.output
    return result.stdout


def test_windows_in_time_order_in_json_and_text(api_env, tmp_path):
    document = json.loads(plan_of(api_env, tmp_path, UNORDERED, "json"))
    assert document["changes"][0]["fields"]["schedules"]["after"] == IN_TIME_ORDER
    text = plan_of(api_env, tmp_path, UNORDERED, "text")
    assert (
        "      + schedules:\n"
        "          + mon-fri 08:00-12:00\n"
        "          + mon-fri 13:00-17:00\n"
        "          + sat 08:00-10:00\n"
    ) in text


def test_an_update_interleaves_kept_removed_and_added_windows_by_time(api_env, tmp_path):
    api_env.store.add_campaign(
        {
            "campaign_name": "Shuffled",
            "schedules": [
                api_schedule(DAYS[5:6], 8, 10),
                api_schedule(DAYS[:5], 13, 17),
                api_schedule(DAYS[:5], 7, 12),
            ],
        }
    )
    text = plan_of(api_env, tmp_path, UNORDERED, "text")
    assert (
        "      ~ schedules:\n"
        "          - mon-fri 07:00-12:00\n"
        "          + mon-fri 08:00-12:00\n"
        "            mon-fri 13:00-17:00\n"
        "            sat 08:00-10:00\n"
    ) in text
    markdown = plan_of(api_env, tmp_path, UNORDERED, "markdown")
    assert (
        "  schedules:\n"
        "-   mon-fri 07:00-12:00\n"
        "+   mon-fri 08:00-12:00\n"
        "    mon-fri 13:00-17:00\n"
        "    sat 08:00-10:00\n"
    ) in markdown
    html = plan_of(api_env, tmp_path, UNORDERED, "html")
    cells = re.findall(r'<span class="entry[^"]*">([^<]*)</span>', html)
    assert cells == [
        "mon-fri 07:00-12:00", "mon-fri 13:00-17:00", "sat 08:00-10:00",  # before
        "mon-fri 08:00-12:00", "mon-fri 13:00-17:00", "sat 08:00-10:00",  # after
    ]


def test_an_empty_schedule_list_reads_no_calling_windows(api_env, tmp_path):
    api_env.store.add_campaign(
        {"campaign_name": "Quiet", "schedules": [api_schedule(DAYS[:5], 8, 12)]}
    )
    manifest = "campaigns:\n  - campaign_name: Quiet\n    schedules: []\n"
    text = plan_of(api_env, tmp_path, manifest, "text")
    assert (
        "      ~ schedules:\n"
        "          - mon-fri 08:00-12:00\n"
        "          + no calling windows\n"
    ) in text
    markdown = plan_of(api_env, tmp_path, manifest, "markdown")
    assert "  schedules:\n-   mon-fri 08:00-12:00\n+   no calling windows\n" in markdown
    html = plan_of(api_env, tmp_path, manifest, "html")
    assert '<td class="after"><span class="note">no calling windows</span></td>' in html
    document = json.loads(plan_of(api_env, tmp_path, manifest, "json"))
    assert document["changes"][0]["fields"]["schedules"] == {
        "before": [{"mon-fri": "08:00-12:00"}],
        "after": [],
    }


def test_a_create_with_no_windows_says_so():
    plan = Plan(
        changes=[
            Change(action="create", campaign_name="Q", fields={"schedules": FieldDiff(None, [])})
        ]
    )
    assert "      + schedules:\n          + no calling windows\n" in render(plan, "text")


MULTI = Plan(
    changes=[
        Change(
            action="update",
            campaign_name="Notes",
            campaign_uuid="5f427552-857e-4939-8edf-cbd0f1ef6842",
            fields={
                "description": FieldDiff(
                    "Nhắc nợ\nGọi giờ hành chính\nKhông gọi Chủ nhật",
                    "Nhắc nợ\nGọi 8h-17h\nKhông gọi Chủ nhật",
                )
            },
        ),
        Change(
            action="create",
            campaign_name="Fresh",
            fields={"description": FieldDiff(None, "one\ntwo")},
        ),
    ]
)


def test_multi_line_descriptions_are_line_diffs_in_text():
    text = render(MULTI, "text")
    assert (
        "      ~ description:\n"
        "            Nhắc nợ\n"
        "          - Gọi giờ hành chính\n"
        "          + Gọi 8h-17h\n"
        "            Không gọi Chủ nhật\n"
    ) in text
    assert "      + description:\n          + one\n          + two\n" in text
    assert "\\n" not in text


def test_multi_line_descriptions_are_line_diffs_in_markdown():
    markdown = render(MULTI, "markdown")
    assert (
        "  description:\n"
        "    Nhắc nợ\n"
        "-   Gọi giờ hành chính\n"
        "+   Gọi 8h-17h\n"
        "    Không gọi Chủ nhật\n"
    ) in markdown
    assert "+ description:\n+   one\n+   two\n" in markdown
    assert "\\n" not in markdown


def test_multi_line_descriptions_are_line_diffs_in_html():
    page = render(MULTI, "html")
    cells = re.findall(r'<td class="(before|after)"><span class="value">(.*?)</span></td>', page)
    span = re.compile(r'<span class="([^"]*)">([^<]*)</span>')
    rows = [
        (side, [(css, unescape(text)) for css, text in span.findall(inner)])
        for side, inner in cells
    ]
    assert rows == [
        (
            "before",
            [
                ("entry", "Nhắc nợ"),
                ("entry gone", "Gọi giờ hành chính"),
                ("entry", "Không gọi Chủ nhật"),
            ],
        ),
        (
            "after",
            [("entry", "Nhắc nợ"), ("entry new", "Gọi 8h-17h"), ("entry", "Không gọi Chủ nhật")],
        ),
        ("after", [("entry", "one"), ("entry", "two")]),
    ]
    assert "\\n" not in page


def test_no_changes_counts_templates_as_templates():
    from reconciler.plan.model import Plan
    from reconciler.render import html, markdown, text

    only_campaigns = Plan(unchanged=3)
    with_templates = Plan(unchanged=5, unchanged_by_kind={"template": 1})
    assert text.render(only_campaigns) == (
        "No changes. The live campaigns match the manifests (3 unchanged).\n"
    )
    sentence = (
        "The live campaigns and templates match the manifests "
        "(4 campaigns and 1 template unchanged)."
    )
    assert text.render(with_templates) == f"No changes. {sentence}\n"
    assert sentence in markdown.render(with_templates)
    assert sentence in html.render(with_templates)
    assert "(0 campaigns and 2 templates unchanged)" in text.render(
        Plan(unchanged=2, unchanged_by_kind={"template": 2})
    )


def test_no_changes_names_every_kind_with_unchanged_objects_in_registry_order():
    from reconciler.plan.model import Plan
    from reconciler.render.unchanged import no_changes_sentence

    the_plan = Plan(unchanged=6, unchanged_by_kind={"template": 2, "carrier": 1, "campaign": 3})
    assert no_changes_sentence(the_plan) == (
        "The live campaigns, carriers and templates match the manifests "
        "(3 campaigns, 1 carrier and 2 templates unchanged)."
    )
