"""The markdown plan: exact structure for a mixed plan, the cut for long plans, escaping."""

from __future__ import annotations

import re

from markdown_support import headings

from reconciler.plan.model import Change, FieldDiff, Plan
from reconciler.render import render
from reconciler.render.markdown import GITHUB_LIMIT, MAX_DETAILS, MAX_ROWS

SAT_BEFORE = [{"mon-fri": "08:00-12:00", "sat": "08:00-12:00"}, {"mon-fri": "13:30-20:45"}]
SAT_AFTER = [{"mon-fri": "08:00-12:00", "sat": "08:30-12:00"}, {"mon-fri": "13:30-20:45"}]
UUID_UPDATE = "7c1e9a4e-0000-4d7a-9a53-0f3c1d2e8b11"
UUID_DELETE = "e4b7d2a0-0000-4f0e-8d7b-3a9f6c2b1d05"


def mixed_plan() -> Plan:
    create = Change(
        action="create",
        campaign_name="NhacNoThang",
        fields={
            "description": FieldDiff(None, "Nhắc nợ hàng tháng"),
            "schedules": FieldDiff(None, [{"daily": "09:00-17:00"}]),
        },
        source="campaigns/a.yaml:2",
    )
    update = Change(
        action="update",
        campaign_name="DebtReminderTTS",
        campaign_uuid=UUID_UPDATE,
        fields={
            "campaign_name": FieldDiff("DebtReminder", "DebtReminderTTS"),
            "concurrent_call": FieldDiff(2, 5),
            "schedules": FieldDiff(SAT_BEFORE, SAT_AFTER),
        },
        live_name="DebtReminder",
        source="campaigns/a.yaml:9",
    )
    delete = Change(
        action="delete",
        campaign_name="SummerPromo",
        campaign_uuid=UUID_DELETE,
        live_name="SummerPromo",
        live_status="stop",
        source="campaigns/b.yaml:4",
    )
    return Plan(changes=[create, update, delete], unchanged=4, api_url="http://127.0.0.1:8080")


def details_blocks(text: str) -> list[str]:
    return re.findall(r"<details>.*?</details>", text, flags=re.S)


def diff_body(block: str) -> list[str]:
    """The lines inside a details block's ```diff fence."""
    match = re.search(r"^```diff\n(.*?)\n```$", block, flags=re.S | re.M)
    assert match, block
    return match.group(1).split("\n")


def test_summary_line_comes_first() -> None:
    text = render(mixed_plan(), "markdown")
    lines = [line for line in text.splitlines() if line]
    assert lines[1] == "**Plan: 1 to create, 1 to update, 1 to delete, 4 unchanged**"
    assert "Against `http://127.0.0.1:8080`." in lines


def test_table_rows_in_plan_order() -> None:
    text = render(mixed_plan(), "markdown")
    rows = [line for line in text.splitlines() if line.startswith("|")]
    assert rows == [
        "| Action | Campaign | UUID | Source |",
        "|---|---|---|---|",
        f"| 🔴 `-` delete | SummerPromo (status stop) | `{UUID_DELETE}` | `campaigns/b.yaml:4` |",
        f"| 🟡 `~` update | DebtReminderTTS (renamed from DebtReminder) | `{UUID_UPDATE}` "
        "| `campaigns/a.yaml:9` |",
        "| 🟢 `+` create | NhacNoThang | — | `campaigns/a.yaml:2` |",
    ]


def test_one_details_block_per_change_with_exact_diff() -> None:
    blocks = details_blocks(render(mixed_plan(), "markdown"))
    assert [block.split("\n")[0] for block in blocks] == [
        "<details><summary>delete <b>SummerPromo</b> (whole campaign)</summary>",
        "<details><summary>update <b>DebtReminderTTS</b> (3 fields)</summary>",
        "<details><summary>create <b>NhacNoThang</b> (2 fields)</summary>",
    ]
    assert diff_body(blocks[0]) == [f"- campaign SummerPromo ({UUID_DELETE}, status stop)"]
    assert diff_body(blocks[1]) == [
        '- campaign_name: "DebtReminder"',
        '+ campaign_name: "DebtReminderTTS"',
        "- concurrent_call: 2",
        "+ concurrent_call: 5",
        "  schedules:",
        "-   mon-fri 08:00-12:00, sat 08:00-12:00",
        "+   mon-fri 08:00-12:00, sat 08:30-12:00",
        "    mon-fri 13:30-20:45",
    ]
    assert diff_body(blocks[2]) == [
        '+ description: "Nhắc nợ hàng tháng"',
        "+ schedules:",
        "+   daily 09:00-17:00",
    ]


def test_schedules_never_show_nanoseconds() -> None:
    text = render(mixed_plan(), "markdown")
    assert "_start_time" not in text
    assert not re.search(r"\d{10,}", text)


def test_small_plan_is_not_cut() -> None:
    text = render(mixed_plan(), "markdown")
    assert "not shown" not in text
    assert text.endswith("</details>\n\n")


def test_a_heading_appended_after_the_plan_is_still_a_heading() -> None:
    # A closing </details> starts an HTML block that only a blank line ends (CommonMark), so
    # a job summary or report appended after the plan would have its heading shown as text.
    text = render(mixed_plan(), "markdown")
    appended = headings(text + "### Campaign status\n")
    assert appended == ["### Reconciler plan", "### Campaign status"]


def many_changes(count: int) -> Plan:
    """Updates with long values, so the character budget (not just the counts) is exercised."""
    changes = [
        Change(
            action="update",
            campaign_name=f"Chiến dịch {index:05d}",
            campaign_uuid=f"{index:08d}-aaaa-bbbb-cccc-dddddddddddd",
            fields={
                "description": FieldDiff("cũ " * 500, "mới " * 500),
                "schedules": FieldDiff(SAT_BEFORE, SAT_AFTER),
            },
            source=f"campaigns/file{index}.yaml:{index + 1}",
        )
        for index in range(count)
    ]
    return Plan(changes=changes)


def test_long_plan_is_cut_under_github_limit_with_a_count() -> None:
    text = render(many_changes(5000), "markdown")
    assert len(text) < GITHUB_LIMIT
    table_rows = [line for line in text.splitlines() if line.startswith("| 🟡")]
    assert len(table_rows) == MAX_ROWS
    assert table_rows[0].startswith("| 🟡 `~` update | Chiến dịch 00000 |")
    details = details_blocks(text)
    assert 0 < len(details) <= MAX_DETAILS
    last = text.rstrip("\n").split("\n")[-1]
    assert last == (
        f"**{5000 - len(details):,} changes not shown in full:** the table lists 200 of 5,000 "
        f"changes and details are shown for {len(details)} of 5,000, to stay under GitHub's "
        "comment limit. See everything with `reconciler plan --format text`."
    )


def test_count_limits_apply_before_the_size_limit() -> None:
    small = Plan(
        changes=[
            Change(action="update", campaign_name=f"c{i:03d}", fields={"ratio": FieldDiff(1, 2)})
            for i in range(MAX_ROWS + 1)
        ]
    )
    text = render(small, "markdown")
    assert len(details_blocks(text)) == MAX_DETAILS
    assert sum(line.startswith("| 🟡") for line in text.splitlines()) == MAX_ROWS
    assert "the table lists 200 of 201 changes and details are shown for 50 of 201" in text


def test_huge_value_is_clipped() -> None:
    plan = Plan(
        changes=[
            Change(
                action="update",
                campaign_name="Big",
                fields={"description": FieldDiff("a", "b" * 100_000)},
            )
        ]
    )
    text = render(plan, "markdown")
    assert len(text) < 2000
    assert "bbbb…" in text


def test_pipes_and_markup_in_names_are_escaped() -> None:
    plan = Plan(
        changes=[
            Change(
                action="delete",
                campaign_name="a|b *c* <d> Khuyến_mãi",
                campaign_uuid="u|1",
                source="x.yaml:1",
            )
        ]
    )
    text = render(plan, "markdown")
    row = next(line for line in text.splitlines() if line.startswith("| 🔴"))
    assert row == r"| 🔴 `-` delete | a\|b \*c\* \<d\> Khuyến\_mãi | `u\|1` | `x.yaml:1` |"
    # Splitting on unescaped pipes gives exactly the four cells (plus the empty edges).
    assert len(re.split(r"(?<!\\)\|", row)) == 6
    assert "<summary>delete <b>a|b *c* &lt;d&gt; Khuyến_mãi</b>" in text


def test_backticks_in_values_cannot_close_the_fence() -> None:
    plan = Plan(
        changes=[
            Change(
                action="update",
                campaign_name="Ticks",
                fields={"description": FieldDiff("x", "```\n</details>")},
            )
        ]
    )
    text = render(plan, "markdown")
    assert "\n````diff\n" in text
    assert text.endswith(
        "  description:\n-   x\n+   ```\n+   </details>\n````\n\n</details>\n\n"
    )


def test_no_changes_is_a_short_message() -> None:
    text = render(Plan(unchanged=3), "markdown")
    assert text == (
        "### Reconciler plan\n\n"
        "**No changes.** The live campaigns match the manifests (3 unchanged).\n"
    )
