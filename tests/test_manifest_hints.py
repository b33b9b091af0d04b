"""Manifest mistakes a newcomer makes, each answered with a located error and a way out."""

from __future__ import annotations

from pathlib import Path

import pytest
from clirun import NO_POLICIES, run_cli
from test_manifest_errors import assert_errors, validate_files, yaml


def test_status_says_the_run_state_is_not_managed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = yaml(
        """
        campaigns:
          - campaign_name: A
            status: start
        """
    )
    result = validate_files(tmp_path, monkeypatch, {"bad.yaml": text})
    assert_errors(
        result,
        "bad.yaml:3: 'status' cannot be declared: the run state (start/stop/pause) is not "
        "managed by manifests, because it changes by itself as runs start and end; start a run "
        "in the portal or with POST /v1/campaign/{uuid}/run/start",
    )
    assert "did you mean 'state'" not in result.output


def test_integers_beyond_int64_are_refused_located(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = yaml(
        """
        campaigns:
          - campaign_name: A
            concurrent_call: 9223372036854775807
            call_timeout: 9223372036854775808
            network:
              viettel: 99999999999999999999999
        """
    )
    result = validate_files(tmp_path, monkeypatch, {"bad.yaml": text})
    assert_errors(
        result,
        "bad.yaml:4: call_timeout: 9223372036854775808 is too large: the API stores whole "
        "numbers up to 9223372036854775807 (int64)",
        "bad.yaml:6: network.viettel: 99999999999999999999999 is too large: the API stores "
        "whole numbers up to 9223372036854775807 (int64)",
    )


INDENT = (
    "check the indentation: the fields of one entry must start in the same column, the first "
    "one right after '- '"
)
YAML_CASES = {
    "tab in the indentation": (
        "campaigns:\n  - campaign_name: A\n\tdescription: x\n",
        "3: invalid YAML: found a tab character that violates indentation (while scanning a "
        "plain scalar started at line 2); indent with spaces: YAML does not allow tabs in "
        "indentation",
    ),
    "tab before a list item": (
        "campaigns:\n\t- campaign_name: A\n",
        "2: invalid YAML: found character that cannot start any token (while scanning for the "
        "next token); indent with spaces: YAML does not allow tabs in indentation",
    ),
    "a field indented less than its entry": (
        "campaigns:\n  - campaign_name: A\n   description: x\n",
        "3: invalid YAML: did not find expected '-' indicator (while parsing a block collection "
        f"started at line 2); {INDENT}",
    ),
    "an unquoted colon in a value": (
        "campaigns:\n  - campaign_name: A\n    description: Note: urgent\n",
        "3: invalid YAML: mapping values are not allowed in this context; check the indentation, "
        "or quote a value that contains ': '",
    ),
    "a control character on line 4": (
        'campaigns:\n  - campaign_name: A\n    concurrent_call: 1\n    description: "a\x01b"\n',
        "4: invalid YAML: the control character U+0001 (column 20) is not allowed in a YAML "
        'file; delete it, or inside a double-quoted string write "\\x01"',
    ),
}


@pytest.mark.parametrize(("text", "expected"), YAML_CASES.values(), ids=YAML_CASES.keys())
def test_unreadable_yaml_gets_a_located_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: str
) -> None:
    result = validate_files(tmp_path, monkeypatch, {"bad.yaml": text})
    assert_errors(result, f"bad.yaml:{expected}")


@pytest.mark.parametrize(
    ("codec", "name"),
    [("utf-16", "UTF-16"), ("utf-16-be", "UTF-16"), ("utf-32", "UTF-32")],
)
def test_a_file_with_a_byte_order_mark_names_its_encoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, codec: str, name: str
) -> None:
    raw = "campaigns:\n  - campaign_name: Nhắc nợ\n".encode(codec)
    if codec == "utf-16-be":
        raw = b"\xfe\xff" + raw
    result = validate_files(tmp_path, monkeypatch, {"bad.yaml": raw})
    assert_errors(
        result,
        f"bad.yaml:1: the file is {name} text (it starts with a {name} byte-order mark), not "
        "UTF-8: save it as UTF-8",
    )


def test_a_utf8_byte_order_mark_is_fine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = "campaigns:\n  - campaign_name: Nhắc nợ\n".encode("utf-8-sig")
    result = validate_files(tmp_path, monkeypatch, {"ok.yaml": raw})
    assert result.code == 0, result.output


OVERLAPS = yaml(
    """
    campaigns:
      - campaign_name: A
        schedules:
          - mon-fri: "08:00-12:00"
            sat: "08:00-10:00"
          - mon: "11:00-14:00"
            wed-sat: "12:00-13:00"
          - daily: "09:00-09:30"
      - campaign_name: B
        schedules:
          - mon-fri: "08:00-12:00"
          - mon-fri: "12:00-17:00"
    """
)
BOTH = "both windows are sent to the API: merge them, or make one end where the other starts"
OVERLAP_WARNINGS = [
    f"o.yaml:6: warning: schedules[1].mon: 11:00-14:00 overlaps 08:00-12:00 "
    f"(schedules[0].mon-fri) on mon; {BOTH}",
    f"o.yaml:8: warning: schedules[2].daily: 09:00-09:30 overlaps 08:00-12:00 "
    f"(schedules[0].mon-fri) on mon-fri; {BOTH}",
    f"o.yaml:8: warning: schedules[2].daily: 09:00-09:30 overlaps 08:00-10:00 "
    f"(schedules[0].sat) on sat; {BOTH}",
]


def test_validate_warns_of_overlapping_windows_naming_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = validate_files(tmp_path, monkeypatch, {"o.yaml": OVERLAPS})
    assert result.code == 0
    assert result.stderr.splitlines() == [*OVERLAP_WARNINGS, NO_POLICIES.strip()]
    assert result.stdout == "2 campaigns in 1 file are valid (3 warnings).\n"


def test_plan_shows_the_same_warnings(api_env, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "o.yaml").write_text(OVERLAPS, encoding="utf-8")
    result = run_cli("plan", "o.yaml")
    assert result.code == 0
    assert result.stderr.splitlines() == [*OVERLAP_WARNINGS, NO_POLICIES.strip()]
    assert "Plan: 2 to create" in result.stdout
