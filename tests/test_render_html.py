"""The HTML report, read back with the stdlib parser: hooks, week grids, escaping, no network."""

from __future__ import annotations

import hashlib
import re
import runpy
import shutil
import struct
import subprocess
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from clirun import run_cli

from reconciler.emulator import EmulatorServer
from reconciler.fields import DAYS
from reconciler.plan.model import Change, FieldDiff, Plan
from reconciler.render import render

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOT = ROOT / "docs" / "report-screenshot.png"
SOURCE_KEY = "reconciler:source-sha256"  # scripts/screenshot_report.py's PNG text chunk
VOID = {"meta", "br", "img", "hr", "input", "link", "source", "wbr"}
SAT_BEFORE = [{"mon-fri": "08:00-12:00", "sat": "08:00-12:00"}, {"mon-fri": "13:30-20:45"}]
SAT_AFTER = [{"mon-fri": "08:00-12:00", "sat": "08:30-12:00"}, {"mon-fri": "13:30-20:45"}]


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def find_all(self, tag: str | None = None, **wanted: str) -> list[Node]:
        """Descendants by tag and attribute values (`data_grid="after"` → data-grid)."""
        return self._find(tag, {key.replace("_", "-"): value for key, value in wanted.items()})

    def _find(self, tag: str | None, wanted: dict[str, str]) -> list[Node]:
        found = []
        for child in self.children:
            if isinstance(child, str):
                continue
            if (tag is None or child.tag == tag) and all(
                child.attrs.get(key) == value for key, value in wanted.items()
            ):
                found.append(child)
            found.extend(child._find(tag, wanted))
        return found

    def with_attr(self, name: str) -> list[Node]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if name in child.attrs:
                    found.append(child)
                found.extend(child.with_attr(name))
        return found


class TreeBuilder(HTMLParser):
    """Just enough of a DOM to ask structural questions; fails on mismatched end tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {key: value or "" for key, value in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(text: str) -> Node:
    builder = TreeBuilder()
    builder.feed(text)
    builder.close()
    assert builder.stack == [builder.root], "unclosed elements"
    return builder.root


def mixed_plan(update_name: str = "DebtReminderTTS") -> Plan:
    create = Change(
        action="create",
        campaign_name="NhắcNợ",
        fields={
            "description": FieldDiff(None, "Nhắc nợ hàng tháng"),
            "schedules": FieldDiff(None, [{"daily": "09:00-17:00"}]),
        },
        source="campaigns/a.yaml:2",
    )
    update = Change(
        action="update",
        campaign_name=update_name,
        campaign_uuid="uuid-update",
        fields={
            "concurrent_call": FieldDiff(2, 5),
            "schedules": FieldDiff(SAT_BEFORE, SAT_AFTER),
        },
        live_name=update_name,
        source="campaigns/a.yaml:9",
    )
    delete = Change(
        action="delete",
        campaign_name="SummerPromo",
        campaign_uuid="uuid-delete",
        live_status="stop",
        source="campaigns/b.yaml:4",
    )
    return Plan(changes=[create, update, delete], unchanged=4, api_url="http://127.0.0.1:8080")


@pytest.fixture
def page() -> Node:
    return parse(render(mixed_plan(), "html"))


def section(page: Node, name: str) -> Node:
    (found,) = page.find_all("section", data_campaign=name)
    return found


def blocks(grid: Node) -> dict[str, list[str]]:
    """day → the windows shaded in that day's column, in order."""
    shaded: dict[str, list[str]] = {day: [] for day in DAYS}
    for block in grid.with_attr("data-window"):
        shaded[block.attrs["data-day"]].append(block.attrs["data-window"])
    return shaded


def test_no_network_references(page: Node) -> None:
    text = render(mixed_plan(), "html")
    for name in ("href", "src", "srcset", "action", "poster", "data"):
        for node in page.with_attr(name):
            assert not re.match(r"\s*(https?:)?//", node.attrs[name]), (name, node.attrs[name])
    for tag in ("script", "link", "img", "iframe", "object", "embed"):
        assert page.find_all(tag) == [], tag
    styles = " ".join(node.text() for node in page.find_all("style"))
    styles += " ".join(node.attrs["style"] for node in page.with_attr("style"))
    assert "url(" not in styles and "@import" not in styles
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", text)


def test_summary_numbers(page: Node) -> None:
    counts = {
        li.attrs["data-count"]: li.find_all("b")[0].text() for li in page.with_attr("data-count")
    }
    assert counts == {"create": "1", "update": "1", "delete": "1", "unchanged": "4"}
    (line,) = page.with_attr("data-plan-line")
    assert line.text() == "Plan: 1 to create, 1 to update, 1 to delete, 4 unchanged."


def test_one_section_per_change_in_plan_order(page: Node) -> None:
    sections = page.find_all("section")
    assert [(s.attrs["data-campaign"], s.attrs["data-action"]) for s in sections] == [
        ("SummerPromo", "delete"),
        ("DebtReminderTTS", "update"),
        ("NhắcNợ", "create"),
    ]
    links = [a.attrs["href"] for a in page.find_all("a")]
    assert links == [f"#{s.attrs['id']}" for s in sections]


def test_update_field_diff_before_and_after(page: Node) -> None:
    (row,) = section(page, "DebtReminderTTS").find_all("tr", data_field="concurrent_call")
    assert [td.text() for td in row.find_all("td")] == ["2", "5"]
    (sched,) = section(page, "DebtReminderTTS").find_all("tr", data_field="schedules")
    before, after = row_cells = sched.find_all("td")
    assert len(row_cells) == 2
    assert [s.text() for s in before.find_all("span", **{"class": "entry gone"})] == [
        "mon-fri 08:00-12:00, sat 08:00-12:00"
    ]
    assert [s.text() for s in after.find_all("span", **{"class": "entry new"})] == [
        "mon-fri 08:00-12:00, sat 08:30-12:00"
    ]


def test_schedule_change_draws_before_and_after_weeks(page: Node) -> None:
    update = section(page, "DebtReminderTTS")
    grids = {figure.attrs["data-grid"]: figure for figure in update.with_attr("data-grid")}
    assert list(grids) == ["before", "after"]
    weekday = ["08:00-12:00", "13:30-20:45"]
    expected_before = {day: weekday for day in DAYS[:5]} | {"saturday": ["08:00-12:00"]}
    expected_after = {day: weekday for day in DAYS[:5]} | {"saturday": ["08:30-12:00"]}
    assert blocks(grids["before"]) == expected_before | {"sunday": []}
    assert blocks(grids["after"]) == expected_after | {"sunday": []}


def test_only_the_moved_window_is_highlighted(page: Node) -> None:
    update = section(page, "DebtReminderTTS")
    (removed,) = update.find_all("div", **{"class": "win removed"})
    (added,) = update.find_all("div", **{"class": "win added"})
    assert (removed.attrs["data-day"], removed.attrs["data-window"]) == ("saturday", "08:00-12:00")
    assert (added.attrs["data-day"], added.attrs["data-window"]) == ("saturday", "08:30-12:00")
    assert added.attrs["title"] == "Saturday 08:30–12:00"
    assert added.attrs["style"] == "top:35.4167%;height:14.5833%"
    assert [span.text() for span in added.find_all("span")] == ["08:30", "12:00"]
    (news,) = update.with_attr("data-day-change")
    assert news.attrs["data-day-change"] == "saturday"
    assert " ".join(news.text().split()) == "Saturday 08:00–12:00 → 08:30–12:00"


def test_create_draws_one_week_and_delete_none(page: Node) -> None:
    create = section(page, "NhắcNợ")
    (grid,) = create.with_attr("data-grid")
    assert grid.attrs["data-grid"] == "after"
    assert blocks(grid) == {day: ["09:00-17:00"] for day in DAYS}
    assert create.find_all("div", **{"class": "win added"}) == []
    assert section(page, "SummerPromo").with_attr("data-grid") == []
    assert "Nhắc nợ hàng tháng" in create.text()


def test_update_without_schedule_change_has_no_grid() -> None:
    plan = Plan(
        changes=[Change(action="update", campaign_name="x", fields={"ratio": FieldDiff(1, 2)})]
    )
    assert parse(render(plan, "html")).with_attr("data-grid") == []


def test_seconds_and_end_of_day_windows() -> None:
    plan = Plan(
        changes=[
            Change(
                action="create",
                campaign_name="late",
                fields={"schedules": FieldDiff(None, [{"sun": "22:00:30-24:00"}])},
            )
        ]
    )
    (block,) = parse(render(plan, "html")).with_attr("data-window")
    assert (block.attrs["data-day"], block.attrs["data-window"]) == ("sunday", "22:00:30-24:00")
    assert [span.text() for span in block.find_all("span")] == ["22:00:30", "24:00"]


def test_unreadable_schedule_is_reported_not_raised() -> None:
    plan = Plan(
        changes=[
            Change(
                action="create",
                campaign_name="hand-edited",
                fields={"schedules": FieldDiff(None, [{"someday": "08:00-09:00"}])},
            )
        ]
    )
    page = parse(render(plan, "html"))
    assert page.with_attr("data-grid") == []
    assert "Schedule not drawable" in page.text()


def test_script_in_a_name_is_text_not_markup() -> None:
    name = '<script>alert("x")</script> & "Khuyến mãi"'
    text = render(mixed_plan(update_name=name), "html")
    page = parse(text)
    assert page.find_all("script") == []
    assert "<script>" not in text
    (found,) = page.find_all("section", data_action="update")
    assert found.attrs["data-campaign"] == name
    assert name in found.find_all("h2")[0].text()


def test_no_changes_page() -> None:
    page = parse(render(Plan(unchanged=2), "html"))
    (note,) = page.with_attr("data-no-changes")
    assert note.text() == "No changes. The live campaigns match the manifests (2 unchanged)."
    assert page.find_all("section") == []


@pytest.fixture
def emulator_seeded_like_the_demo(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The demo's tenant (examples/emulator-seed.json), with the CLI's environment set to it."""
    with EmulatorServer(port=0, seed=ROOT / "examples" / "emulator-seed.json") as server:
        monkeypatch.setenv("RECONCILER_API_URL", server.url)
        monkeypatch.setenv("RECONCILER_TOKEN", server.token)
        monkeypatch.delenv("RECONCILER_API_KEY", raising=False)
        yield server.url


def png_text(data: bytes) -> dict[str, str]:
    """A PNG's tEXt chunks (keyword → text), its signature and every chunk's CRC checked."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    found, at = {}, 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind_and_body = data[at + 4 : at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length : at + 12 + length])
        assert zlib.crc32(kind_and_body) == crc, kind_and_body[:4]
        if kind_and_body[:4] == b"tEXt":
            key, _, text = kind_and_body[4:].partition(b"\0")
            found[key.decode("latin-1")] = text.decode("latin-1")
        at += 12 + length
    return found


def outline(page: Node) -> dict[str, object]:
    """What a reader of the report takes from it: the counts, and which change, which finding."""
    changes = [node for node in page.with_attr("data-action") if node.tag == "section"]
    return {
        "counts": {
            li.attrs["data-count"]: li.find_all("b")[0].text()
            for li in page.with_attr("data-count")
        },
        "plan line": [line.text() for line in page.with_attr("data-plan-line")],
        "changes": [
            (
                s.attrs["data-kind"],
                s.attrs.get("data-campaign", s.attrs.get("data-template")),
                s.attrs["data-action"],
            )
            for s in changes
        ],
        "findings": [
            (row.attrs["data-finding"], row.attrs["data-kind"])
            for row in page.with_attr("data-finding")
        ],
    }


def test_committed_screenshot_shows_the_demos_current_plan(
    emulator_seeded_like_the_demo: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/report-screenshot.png is photographed from docs/report-screenshot.html (the PNG
    records that file's sha256); that HTML must still show the plan `make demo` makes today.
    Regenerate both with `.venv/bin/python scripts/screenshot_report.py`."""
    html = SCREENSHOT.with_suffix(".html")
    digest = hashlib.sha256(html.read_bytes()).hexdigest()
    assert png_text(SCREENSHOT.read_bytes()).get(SOURCE_KEY) == digest, "png and html disagree"
    demo = runpy.run_path(str(ROOT / "scripts" / "demo.py"))
    command = ["plan", demo["MANIFESTS"], *demo["CONFIG"]]
    assert runpy.run_path(str(ROOT / "scripts" / "screenshot_report.py"))["DEMO_PLAN"] == command
    monkeypatch.chdir(ROOT)
    now = tmp_path / "now.html"
    result = run_cli(*command, "--format", "html", "--out", str(now))
    assert result.code == 0, result.output
    committed = outline(parse(html.read_text(encoding="utf-8")))
    assert committed["counts"] and committed["changes"]  # the hooks are still there
    assert committed == outline(parse(now.read_text(encoding="utf-8")))


@pytest.mark.skipif(
    shutil.which("chromium") is None,
    reason="chromium is not installed (apt-get update && apt-get install -y chromium)",
)
def test_screenshot_script_writes_a_png(tmp_path: Path) -> None:
    out = tmp_path / "report.png"
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "screenshot_report.py"), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000  # a blank page is a few KB; the report is far more
    source = hashlib.sha256(out.with_suffix(".html").read_bytes()).hexdigest()
    assert png_text(data)[SOURCE_KEY] == source  # the HTML it was made from is kept beside it
