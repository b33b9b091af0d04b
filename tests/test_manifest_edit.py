"""In-place edits of manifest text (reconciler/manifest/edit.py) and the schedule style they
keep (schedule.keep_style): only the changed values' bytes move."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.manifest.edit import EditError, FileEdit
from reconciler.manifest.schedule import keep_style, to_api, to_human

TEXT = """\
campaigns:
  - campaign_name: A   # keep me
    description: 'single'
    callback_url: "https://a.vn/x"
    concurrent_call: 3
    network:
      viettel: 1   # one
      mobi: 2
    labels: {team: billing}
"""


def edited(text: str, *edits: tuple[tuple, object]) -> str:
    edit = FileEdit(text, "t.yaml")
    for path, value in edits:
        edit.set(path, value)
    return edit.result()


@pytest.mark.parametrize(
    ("field", "value", "line"),
    [
        ("description", "it's new", "    description: 'it''s new'"),
        ("callback_url", "https://b.vn/y", '    callback_url: "https://b.vn/y"'),
        ("concurrent_call", 9, "    concurrent_call: 9"),
        ("description", "yes", "    description: 'yes'"),
        ("concurrent_call", "7:30", '    concurrent_call: "7:30"'),
    ],
)
def test_a_scalar_keeps_its_quoting_and_every_other_line_stays(field, value, line):
    after = edited(TEXT, (("campaigns", 0, field), value))
    before_lines, after_lines = TEXT.splitlines(), after.splitlines()
    changed = [i for i, (a, b) in enumerate(zip(before_lines, after_lines, strict=True)) if a != b]
    assert len(changed) == 1 and after_lines[changed[0]] == line


def test_a_mapping_changes_key_by_key_keeping_comments():
    after = edited(TEXT, (("campaigns", 0, "network"), {"viettel": 1, "mobi": 0, "vina": 4}))
    assert "      viettel: 1   # one\n      mobi: 0\n      vina: 4\n    labels:" in after


def test_crlf_files_stay_crlf():
    text = TEXT.replace("\n", "\r\n")
    after = edited(text, (("campaigns", 0, "network"), {"viettel": 1, "mobi": 2, "vina": 4}))
    assert after == text.replace("mobi: 2\r\n", "mobi: 2\r\n      vina: 4\r\n")


def test_an_alias_value_is_replaced_not_the_anchor_it_points_at():
    text = ("campaigns:\n  - campaign_name: A\n    network: &n {viettel: 1}\n"
            "  - campaign_name: B\n    network: *n\n")
    after = edited(text, (("campaigns", 1, "network"), {"viettel": 2}))
    assert after == text.replace("network: *n", "network: {viettel: 2}")
    with pytest.raises(EditError, match="shared through the YAML anchor &n"):
        edited(text, (("campaigns", 0, "network"), {"viettel": 3}))


def test_a_merged_field_becomes_the_entry_s_own():
    text = ("campaigns:\n  - campaign_name: A\n    <<: &d {call_timeout: 60}\n"
            "  - campaign_name: B\n    <<: *d\n")
    after = edited(text, (("campaigns", 1, "call_timeout"), 30))
    assert after == text + "    call_timeout: 30\n"


def test_an_emptied_block_list_is_written_on_its_key_line():
    text = "campaigns:\n  - campaign_name: A\n    schedules:\n      - mon: \"08:00-09:00\"\n"
    after = edited(text, (("campaigns", 0, "schedules"), []))
    assert after == "campaigns:\n  - campaign_name: A\n    schedules: []\n"


@pytest.mark.parametrize(
    ("written", "live", "kept"),
    [
        ({"monday-friday": "8:00 - 12:00"}, {"mon-fri": "08:00-12:00", "sat": "09:00-10:00"},
         {"monday-friday": "8:00 - 12:00", "sat": "09:00-10:00"}),
        ({"mon": "13:30-17:00", "tue": "13:30-17:00"}, {"mon-tue": "14:00-17:00"},
         {"mon": "14:00-17:00", "tue": "14:00-17:00"}),
        ({"mon-fri": "08:00-12:00"}, {"mon-thu": "08:00-12:00", "fri": "08:00-11:00"},
         {"mon-thu": "08:00-12:00", "fri": "08:00-11:00"}),
        ({"daily": "09:00-18:00"}, {"daily": "09:00-17:00"}, {"daily": "09:00-17:00"}),
    ],
)
def test_keep_style_keeps_day_keys_and_unchanged_times(written, live, kept):
    assert keep_style(to_api([live])[0], written) == kept


DAY_KEYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun", "mon-fri", "sat-sun",
            "monday-wednesday", "daily", "thursday"]
WINDOWS = ["08:00-12:00", "8:00 - 12:00", "13:30-20:45", "00:00-24:00", "09:00:30-10:00"]


@st.composite
def entries(draw: st.DrawFn) -> dict[str, str]:
    entry: dict[str, str] = {}
    named: set[int] = set()
    for key in draw(st.lists(st.sampled_from(DAY_KEYS), max_size=4, unique=True)):
        days = {i for i, d in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday",
                                         "saturday", "sunday"))
                if to_api([{key: "01:00-02:00"}])[0][f"{d}_start_time"]}
        if days & named:
            continue
        named |= days
        entry[key] = draw(st.sampled_from(WINDOWS))
    return entry


@settings(max_examples=200, deadline=None)
@given(written=entries(), live=entries())
def test_keep_style_always_reads_back_as_the_live_object(written, live):
    """Whatever the entry wrote, the kept-style entry means exactly the live windows, and an
    entry that already means them comes back unchanged."""
    obj = to_api([live])[0]
    assert to_api([keep_style(obj, written)])[0] == obj
    if to_api([written])[0] == obj:
        assert keep_style(obj, written) == written
    assert to_api([keep_style(obj, {})])[0] == obj and keep_style(obj, {}) == to_human([obj])[0]
