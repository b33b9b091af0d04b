"""`reconciler validate` on broken manifests: every problem, its exact message and line, exit 1.

Each case is run through the real CLI; none may print a traceback.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from clirun import Run, run_cli

FIXTURES = Path(__file__).parent / "fixtures" / "manifests"
UUID_A = "5f427552-857e-4939-8edf-cbd0f1ef6842"
SHAPE = (
    "a manifest is a mapping with any of: campaigns, audio, carriers, templates "
    "(lists of entries)"
)


def yaml(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def validate_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str | bytes], *args: str
) -> Run:
    """Write the files under tmp_path, then run `reconciler validate` there (relative paths)."""
    monkeypatch.chdir(tmp_path)
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    result = run_cli("validate", *(args or sorted(files)))
    assert "Traceback" not in result.output
    return result


def assert_errors(result: Run, *lines: str, files: int = 1) -> None:
    count = f"{len(lines)} error{'s' if len(lines) != 1 else ''} in {files} file"
    count += "s." if files != 1 else "."
    assert result.code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [*lines, count]


ENTRY_CASES = {
    "negative count": (
        """
        campaigns:
          - campaign_name: DebtReminderTTS
            concurrent_call: -1
        """,
        ["3: concurrent_call: must be >= 0"],
    ),
    "negative nested count": (
        """
        campaigns:
          - campaign_name: A
            network:
              viettel: 10
              mobi: -5
        """,
        ["5: network.mobi: must be >= 0"],
    ),
    "unknown field with suggestion": (
        """
        campaigns:
          - campaign_name: A
            concurent_call: 3
        """,
        ["3: unknown field 'concurent_call' (did you mean 'concurrent_call'?)"],
    ),
    "unknown field without suggestion": (
        """
        campaigns:
          - campaign_name: A
            colour: blue
        """,
        ["3: unknown field 'colour'"],
    ),
    "unknown network": (
        """
        campaigns:
          - campaign_name: A
            network: {viettel: 1, vietel: 2}
        """,
        [
            "3: network: unknown key 'vietel' (did you mean 'viettel'?); the networks are "
            "viettel, mobi, vina, tel, offnet"
        ],
    ),
    "quoted number": (
        """
        campaigns:
          - campaign_name: A
            concurrent_call: "5"
        """,
        ["3: concurrent_call: must be a whole number, got the string '5'"],
    ),
    "boolean is not a count": (
        """
        campaigns:
          - campaign_name: A
            recall_times: true
        """,
        ["3: recall_times: must be a whole number, got the boolean true"],
    ),
    "fraction is not a count": (
        """
        campaigns:
          - campaign_name: A
            call_timeout: 1.5
        """,
        ["3: call_timeout: must be a whole number, got the number 1.5"],
    ),
    "yes is not a boolean": (
        """
        campaigns:
          - campaign_name: A
            active: yes
        """,
        ["3: active: must be true or false, got the string 'yes'"],
    ),
    "number is not text": (
        """
        campaigns:
          - campaign_name: 2024
        """,
        ["2: campaign_name: must be text, got the number 2024 (quote it)"],
    ),
    "date is not text": (
        """
        campaigns:
          - campaign_name: A
            description: 2024-01-01
        """,
        ["3: description: must be text, got a date (2024-01-01) (quote it)"],
    ),
    "impossible date": (
        """
        campaigns:
          - campaign_name: A
            description: 2024-13-45
        """,
        ["3: invalid value '2024-13-45' (month must be in 1..12); quote it if it is text"],
    ),
    "list is not text": (
        """
        campaigns:
          - campaign_name: A
            description: [a, b]
        """,
        ["3: description: must be text, got a list"],
    ),
    "null for a field that cannot be cleared": (
        """
        campaigns:
          - campaign_name: A
            concurrent_call:
        """,
        ["3: concurrent_call: needs a value (it is empty)"],
    ),
    "missing name": (
        """
        campaigns:
          - concurrent_call: 1
        """,
        ["2: campaign_name: is required"],
    ),
    "empty name": (
        """
        campaigns:
          - campaign_name: " "
        """,
        ["2: campaign_name: must not be empty"],
    ),
    "empty carrier name": (
        """
        campaigns:
          - campaign_name: A
            carrier: ""
        """,
        ['3: carrier: must not be empty; to clear the carrier, declare carrier_uuid: ""'],
    ),
    "bad enum lists the allowed values": (
        """
        campaigns:
          - campaign_name: A
            type: autocal
        """,
        [
            "3: type: must be one of autodialer, autocall, inbound, manual; got the string "
            "'autocal' (did you mean 'autocall'?)"
        ],
    ),
    "parallel is spelled parralel": (
        """
        campaigns:
          - campaign_name: A
            mode_call: parallel
        """,
        [
            "3: mode_call: must be one of direct, serial, parralel; got the string 'parallel' "
            "(did you mean 'parralel'? that is the API's spelling)"
        ],
    ),
    "bad state": (
        """
        campaigns:
          - campaign_name: A
            state: deleted
        """,
        ["3: state: must be one of present, absent; got the string 'deleted'"],
    ),
    "unknown recall status": (
        """
        campaigns:
          - campaign_name: A
            recall_status:
              - busy
              - no-answer
        """,
        [
            "5: recall_status[1]: must be one of answered, busy, failed, no-answered, "
            "not-available, voicemail, invalid-number, phone-block, congestion; got the string "
            "'no-answer' (did you mean 'no-answered'?)"
        ],
    ),
    "recall status twice": (
        """
        campaigns:
          - campaign_name: A
            recall_status:
              - busy
              - failed
              - busy
        """,
        ["6: recall_status[2]: 'busy' is listed twice (recall_status is a set)"],
    ),
    "recall status not a list": (
        """
        campaigns:
          - campaign_name: A
            recall_status: busy
        """,
        ["3: recall_status: must be a list, got the string 'busy'"],
    ),
    "network not a mapping": (
        """
        campaigns:
          - campaign_name: A
            network: [viettel]
        """,
        ["3: network: must be a mapping, got a list"],
    ),
    "bad uuids": (
        """
        campaigns:
          - campaign_name: A
            campaign_uuid: not-a-uuid
            carrier_uuid: abc
        """,
        [
            "3: campaign_uuid: must be a uuid like 5f427552-857e-4939-8edf-cbd0f1ef6842, got "
            "the string 'not-a-uuid'",
            '4: carrier_uuid: must be a uuid like 5f427552-857e-4939-8edf-cbd0f1ef6842 (or "" '
            "to clear), got the string 'abc'",
        ],
    ),
    "bad callback url": (
        """
        campaigns:
          - campaign_name: A
            callback_url: ftp://hooks.example.vn/cdr
        """,
        [
            '3: callback_url: must be an http:// or https:// URL (or "" to clear), got the '
            "string 'ftp://hooks.example.vn/cdr'"
        ],
    ),
    "carrier and carrier_uuid": (
        f"""
        campaigns:
          - campaign_name: A
            carrier: Billing
            concurrent_call: 2
            carrier_uuid: {UUID_A}
        """,
        ["5: carrier_uuid: cannot be used together with carrier; give one of them"],
    ),
    "template and template_uuid, with another error": (
        f"""
        campaigns:
          - campaign_name: A
            template_uuid: {UUID_A}
            template: thong_bao_no_cuoc_01
            concurrent_call: -2
        """,
        [
            "3: template_uuid: cannot be used together with template; give one of them",
            "5: concurrent_call: must be >= 0",
        ],
    ),
    "field name not text": (
        """
        campaigns:
          - campaign_name: A
            1: x
        """,
        ["3: field names must be text, got the number 1"],
    ),
    "absent entries are still checked": (
        """
        campaigns:
          - campaign_name: A
            state: absent
            concurrent_call: -1
        """,
        ["4: concurrent_call: must be >= 0"],
    ),
}

SCHEDULE_CASES = {
    "hour 25": (
        'mon-fri: "25:00-26:00"',
        "'25:00' is not a time: hours go from 00 to 23 (24:00 ends a day)",
    ),
    "minute 60": ('mon: "12:60-13:00"', "'12:60' is not a time: minutes go from 00 to 59"),
    "end before start": (
        'thu: "12:00-08:00"',
        "'12:00-08:00' ends before it starts; one window cannot cross midnight: for an "
        'overnight window, split it at midnight into "12:00-24:00" on this day and '
        '"00:00-08:00" on the next',
    ),
    "overnight window": (
        'fri: "22:00-06:00"',
        "'22:00-06:00' ends before it starts; one window cannot cross midnight: for an "
        'overnight window, split it at midnight into "22:00-24:00" on this day and '
        '"00:00-06:00" on the next',
    ),
    "empty window": (
        'fri: "08:00-08:00"',
        "'08:00-08:00' is empty: the end must be after the start",
    ),
    "en dash": (
        'fri: "08:00–12:00"',
        "'08:00–12:00' joins the times with an en dash (–), not a plain hyphen (-): "
        'write "08:00-12:00"',
    ),
    "em dash": (
        'fri: "08:00 — 12:00"',
        "'08:00 — 12:00' joins the times with an em dash (—), not a plain hyphen (-): "
        'write "08:00 - 12:00"',
    ),
    "24:00 as a start": (
        'sun: "24:00-24:00"',
        "'24:00-24:00' starts at 24:00; 24:00 is allowed only as an end",
    ),
    "not a range": ('mon: "08:00"', "'08:00' is not a time range; expected \"HH:MM-HH:MM\""),
    "unknown day": (
        'mondy: "08:00-09:00"',
        "unknown day 'mondy' (did you mean 'monday'?); expected monday..sunday, mon..sun, a range "
        "like mon-fri, or daily",
    ),
    "malformed range": (
        'mon-: "08:00-09:00"',
        "'mon-' is not a day range; expected two days, e.g. mon-fri",
    ),
    "wrapping range": (
        'fri-mon: "08:00-09:00"',
        "day range 'fri-mon' runs backwards; ranges go from monday to sunday and do not wrap "
        "(write 'fri-sun' and 'mon')",
    ),
    "base-60 number": (
        "mon: 1260",
        'got the number 1260, not a time range like "08:00-12:00": YAML 1.1 reads unquoted '
        'times such as 21:00 as base-60 numbers; quote the value, e.g. "08:00-21:00"',
    ),
}


def _entry_case(text: str, expected: list[str]) -> tuple[str, list[str]]:
    return yaml(text), [f"bad.yaml:{line}" for line in expected]


@pytest.mark.parametrize(("text", "expected"), ENTRY_CASES.values(), ids=ENTRY_CASES.keys())
def test_entry_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: list[str]
) -> None:
    result = validate_files(tmp_path, monkeypatch, {"bad.yaml": yaml(text)})
    assert_errors(result, *(f"bad.yaml:{line}" for line in expected))


@pytest.mark.parametrize(("item", "message"), SCHEDULE_CASES.values(), ids=SCHEDULE_CASES.keys())
def test_schedule_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, item: str, message: str
) -> None:
    text = yaml(
        f"""
        campaigns:
          - campaign_name: A
            schedules:
              - tue: "08:00-09:00"
              - sat: "08:00-09:00"
                {item}
        """
    )
    key = item.split(":")[0]
    result = validate_files(tmp_path, monkeypatch, {"bad.yaml": text})
    assert_errors(result, f"bad.yaml:6: schedules[1].{key}: {message}")


def test_schedule_day_named_twice_points_at_the_second(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = yaml(
        """
        campaigns:
          - campaign_name: A
            schedules:
              - mon-fri: 13:30-20:45
                sat: "08:30-11:15"
                wed: "07:00-08:00"
        """
    )
    result = validate_files(tmp_path, monkeypatch, {"bad.yaml": text})
    assert_errors(
        result,
        "bad.yaml:6: schedules[0].wed: wednesday is named twice in one entry ('mon-fri' and "
        "'wed'); put a second window in another entry",
    )


def test_schedule_shapes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {
        "a.yaml": yaml(
            """
            campaigns:
              - campaign_name: A
                schedules: {mon: "08:00-09:00"}
            """
        ),
        "b.yaml": yaml(
            """
            campaigns:
              - campaign_name: B
                schedules:
                  - "mon 08:00-09:00"
                  - mon: ["08:00-09:00"]
            """
        ),
    }
    result = validate_files(tmp_path, monkeypatch, files)
    assert_errors(
        result,
        "a.yaml:3: schedules: must be a list, got a mapping",
        'b.yaml:4: schedules[0]: each schedule entry must be a mapping of days to "HH:MM-HH:MM", '
        "got the string 'mon 08:00-09:00'",
        'b.yaml:5: schedules[1].mon: expected a time range like "08:00-12:00", got a list',
        files=2,
    )


FILE_CASES = {
    "syntax error": (
        """
        campaigns:
          - campaign_name: A
            network: {viettel: 1
          - campaign_name: B
        """,
        [
            "4: invalid YAML: did not find expected ',' or '}' (while parsing a flow mapping "
            "started at line 3)"
        ],
    ),
    "bad indentation": (
        """
        campaigns:
          - campaign_name: A
         concurrent_call: 1
        """,
        [
            "3: invalid YAML: did not find expected key (while parsing a block mapping started "
            "at line 1); check the indentation: the fields of one entry must start in the same "
            "column, the first one right after '- '"
        ],
    ),
    "duplicate keys, every one": (
        """
        campaigns:
          - campaign_name: A
            concurrent_call: 1
            concurrent_call: 2
          - campaign_name: B
            schedules:
              - mon: "08:00-09:00"
                mon: "10:00-11:00"
            active: false
            active: true
        """,
        [
            "4: duplicate key 'concurrent_call' (first at line 3)",
            "8: duplicate key 'mon' (first at line 7)",
            "10: duplicate key 'active' (first at line 9)",
        ],
    ),
    "duplicate keys and other problems together": (
        """
        campaigns:
          - campaign_name: A
            concurrent_call: 1
            concurrent_call: 2
            call_timeout: -1
        """,
        ["4: duplicate key 'concurrent_call' (first at line 3)", "5: call_timeout: must be >= 0"],
    ),
    "unsafe tag, never executed": (
        """
        campaigns:
          - campaign_name: A
            description: !!python/object/apply:os.system ["touch pwned"]
        """,
        [
            "3: YAML tag '!!python/object/apply:os.system' is not allowed: manifests are plain "
            "YAML (no tags)"
        ],
    ),
    "custom tag": (
        """
        campaigns:
          - campaign_name: !env NAME
        """,
        ["2: YAML tag '!env' is not allowed: manifests are plain YAML (no tags)"],
    ),
    "a collection containing itself": (
        """
        campaigns:
          - campaign_name: A
            recall_status: &loop [busy, *loop]
        """,
        ["3: invalid YAML: found an alias to a collection inside itself"],
    ),
    "two documents": (
        """
        campaigns: []
        ---
        campaigns: []
        """,
        ["2: a manifest is one YAML document; remove the second '---' and what follows"],
    ),
    "empty file": ("", [f"1: empty file; {SHAPE}"]),
    "only comments": (
        "# nothing here yet\n",
        [f"1: empty file; {SHAPE}"],
    ),
    "top level is a list": (
        """
        # a comment first
        - campaign_name: A
        """,
        [
            f"2: expected a mapping, got a list; {SHAPE}"
        ],
    ),
    "other top-level keys": (
        """
        campaigns: []
        gateways: []
        """,
        [
            f"2: unknown top-level key 'gateways'; {SHAPE}"
        ],
    ),
    "no campaigns key": (
        """
        campaign:
          - campaign_name: A
        """,
        [
            f"1: unknown top-level key 'campaign' (did you mean 'campaigns'?); {SHAPE}"
        ],
    ),
    "empty mapping": (
        "{}\n",
        [f"1: no list of entries; {SHAPE}"],
    ),
    "campaigns not a list": (
        """
        # one campaign
        campaigns:
          campaign_name: A
        """,
        ["2: campaigns: must be a list of campaign entries, got a mapping"],
    ),
    "entry not a mapping": (
        """
        campaigns:
          - campaign_name: A
          - B
          -
        """,
        [
            "3: campaigns[1]: each campaign entry must be a mapping of fields, got the string 'B'",
            "4: campaigns[2]: each campaign entry must be a mapping of fields, got an empty "
            "value (null)",
        ],
    ),
}


@pytest.mark.parametrize(("text", "expected"), FILE_CASES.values(), ids=FILE_CASES.keys())
def test_file_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: list[str]
) -> None:
    result = validate_files(tmp_path, monkeypatch, {"bad.yaml": yaml(text)})
    assert_errors(result, *(f"bad.yaml:{line}" for line in expected))


def test_unsafe_tag_is_not_executed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = 'campaigns: !!python/object/apply:os.system ["touch pwned"]\n'
    result = validate_files(tmp_path, monkeypatch, {"bad.yaml": text})
    assert result.code == 1
    assert not (tmp_path / "pwned").exists()


def test_not_utf8(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = validate_files(
        tmp_path, monkeypatch, {"bad.yaml": b"campaigns:\n  - campaign_name: \xff\n"}
    )
    assert_errors(
        result, "bad.yaml:2: not UTF-8 text (invalid start byte at byte 30); save it as UTF-8"
    )


def test_duplicate_name_across_files_names_both_places(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {
        "a.yaml": yaml(
            """
            campaigns:
              - campaign_name: Other
              - campaign_name: DebtReminderTTS
                concurrent_call: 5
            """
        ),
        "b.yaml": yaml(
            """
            campaigns:
              - campaign_name: DebtReminderTTS
                state: absent
            """
        ),
    }
    result = validate_files(tmp_path, monkeypatch, files)
    assert_errors(
        result,
        "b.yaml:2: duplicate campaign_name 'DebtReminderTTS' (first declared at a.yaml:3)",
    )


def test_duplicate_name_in_one_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = yaml(
        """
        campaigns:
          - campaign_name: A
          - campaign_name: B
          - campaign_name: A
        """
    )
    result = validate_files(tmp_path, monkeypatch, {"a.yaml": text})
    assert_errors(result, "a.yaml:4: duplicate campaign_name 'A' (first declared at a.yaml:2)")


def test_one_uuid_pinned_twice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {
        "a.yaml": f"campaigns:\n  - campaign_name: A\n    campaign_uuid: {UUID_A}\n",
        "b.yaml": f"campaigns:\n  - campaign_name: B\n    campaign_uuid: {UUID_A.upper()}\n",
    }
    result = validate_files(tmp_path, monkeypatch, files)
    assert_errors(
        result,
        f"b.yaml:3: campaign_uuid {UUID_A.upper()} is already pinned by 'A' at a.yaml:2",
    )


def test_missing_path_and_empty_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    (tmp_path / "empty" / "notes.txt").write_text("not a manifest")
    result = validate_files(tmp_path, monkeypatch, {}, "nope.yaml", "empty")
    assert result.code == 1
    assert result.stderr.splitlines() == [
        "nope.yaml: no such file or directory",
        "empty: no .yaml or .yml files in this directory",
        "2 errors in 2 files.",
    ]


def test_every_problem_in_every_file_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fixture tree: problems in several files, reported in path order, then line order."""
    monkeypatch.chdir(FIXTURES.parent.parent)
    result = run_cli("validate", "fixtures/manifests/invalid")
    assert "Traceback" not in result.output
    assert_errors(
        result,
        "fixtures/manifests/invalid/a-debt.yaml:4: concurrent_call: must be >= 0",
        "fixtures/manifests/invalid/a-debt.yaml:9: schedules[1].mon-fri: '13:30-12:45' ends "
        "before it starts; one window cannot cross midnight: for an overnight window, split it "
        'at midnight into "13:30-24:00" on this day and "00:00-12:45" on the next',
        "fixtures/manifests/invalid/a-debt.yaml:10: unknown field 'recal_times' (did you mean "
        "'recall_times'?)",
        "fixtures/manifests/invalid/b-promo.yaml:4: invalid YAML: mapping values are not allowed "
        "in this context; check the indentation, or quote a value that contains ': '",
        "fixtures/manifests/invalid/nested/c-otp.yaml:2: duplicate campaign_name 'DebtReminderTTS' "
        "(first declared at fixtures/manifests/invalid/a-debt.yaml:2)",
        "fixtures/manifests/invalid/nested/c-otp.yaml:4: carrier_uuid: cannot be used together "
        "with carrier; give one of them",
        files=3,
    )


def test_real_entry_point_exits_1_without_traceback(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("campaigns:\n  - campaign_name: A\n    active: maybe\n")
    done = subprocess.run(
        [sys.executable, "-m", "reconciler", "validate", "bad.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == (
        "bad.yaml:3: active: must be true or false, got the string 'maybe'\n1 error in 1 file.\n"
    )
