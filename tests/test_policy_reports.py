"""Findings in the plan views, from code-built plans: budgets, escaping, saved-plan round trip."""

from __future__ import annotations

import json

from reconciler.plan.model import Change, FieldDiff, Plan
from reconciler.policy.findings import Finding
from reconciler.render import render
from reconciler.render.json import plan_from_document
from reconciler.render.markdown import GITHUB_LIMIT

WAIVED = Finding(
    "vn-decree-91/calling-hours",
    "Promo<b>",
    "error",
    "mon-fri 14:00-19:30 ends after 17:00",
    "a.yaml:7",
    True,
    "consent <script>alert(1)</script> | pipe",
)
WARNING = Finding("max-concurrency", "Busy", "warning", "concurrent_call is 80", "a.yaml:12")


def create_plan(findings: list[Finding]) -> Plan:
    change = Change(
        action="create",
        campaign_name="Promo",
        fields={"concurrent_call": FieldDiff(None, 5)},
        source="a.yaml:2",
    )
    return Plan(changes=[change], findings=findings)


def test_text_lists_findings_before_the_summary_and_after_no_changes() -> None:
    text = render(create_plan([WAIVED, WARNING]), "text")
    assert text.endswith(
        "Policy findings: 1 warning, 1 waived.\n"
        f"  {WAIVED.line()}\n"
        f"  {WARNING.line()}\n"
        "\n"
        "Plan: 1 to create, 0 to update, 0 to delete.\n"
    )
    quiet = render(Plan(unchanged=3, findings=[WARNING]), "text")
    assert quiet == (
        "No changes. The live campaigns match the manifests (3 unchanged).\n\n"
        "Policy findings: 1 warning.\n"
        f"  {WARNING.line()}\n"
    )
    assert render(Plan(unchanged=3), "text") == (
        "No changes. The live campaigns match the manifests (3 unchanged).\n"
    )


def test_markdown_escapes_and_shows_the_reason_even_with_no_changes() -> None:
    text = render(Plan(unchanged=1, findings=[WAIVED]), "markdown")
    assert "**No changes.**" in text
    row = text.splitlines()[-1]
    assert row == (
        "| ✅ waived | `vn-decree-91/calling-hours` | Promo\\<b\\> | `a.yaml:7` | mon-fri "
        "14:00-19:30 ends after 17:00<br>**Waived:** consent \\<script\\>alert(1)\\</script\\> "
        "\\| pipe |"
    )


def test_markdown_with_thousands_of_findings_stays_under_the_limit() -> None:
    many = [
        Finding(f"rule-{i}", f"Campaign{i}", "warning", "x" * 250, f"a.yaml:{i}")
        for i in range(5000)
    ]
    text = render(create_plan(many), "markdown")
    assert len(text) < GITHUB_LIMIT
    shown = text.count("| ⚠️ warning |")
    assert 10 < shown < 5000
    left = f"{5000 - shown:,} more findings not shown: see them all with `reconciler validate`."
    assert left in text
    assert "<details>" in text  # the changes still have room


def test_html_escapes_findings_and_marks_each_kind() -> None:
    page = render(create_plan([WAIVED, WARNING]), "html")
    assert "<script>alert" not in page
    assert "consent &lt;script&gt;alert(1)&lt;/script&gt; | pipe" in page
    assert page.count('data-kind="waived"') == 1 and page.count('data-kind="warning"') == 1
    assert "<h2>Policy findings: 1 warning, 1 waived.</h2>" in page
    assert "data-policy" not in render(create_plan([]), "html")


def test_saved_plan_keeps_its_findings() -> None:
    document = json.loads(render(create_plan([WAIVED, WARNING]), "json"))
    assert document["policy"][0] == WAIVED.to_dict()
    assert plan_from_document(document).findings == [WAIVED, WARNING]
    del document["policy"]  # a plan saved before policies existed
    assert plan_from_document(document).findings == []
