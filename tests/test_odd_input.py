"""Odd input, from the server or a manifest, gives a located, explained error or the right
behaviour — never "internal error" or a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from clirun import Run, run_cli

MANIFEST = """\
campaigns:
  - campaign_name: Keep
    concurrent_call: 2
"""


def assert_clean_failure(result: Run) -> None:
    assert result.code == 1, result.output
    assert "internal error" not in result.output
    assert "Traceback" not in result.output


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    (tmp_path / "m.yaml").write_text(MANIFEST, encoding="utf-8")
    return tmp_path / "m.yaml"


# ---- live rows -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ({"campaign_uuid": "c0ffee00-0000-4000-8000-000000000001", "campaign_name": None},
         "whose campaign_name is missing"),
        ({"campaign_name": "NoUuid"}, "whose campaign_uuid is missing"),
        ({"campaign_uuid": "c0ffee00-0000-4000-8000-000000000002"},
         "whose campaign_name is missing"),
    ],
)
def test_list_rows_without_identity_are_a_clean_error_with_prune(api_env, manifest, row, words):
    page = {"data": [{**row, "type": "autocall"}], "total": 1, "limit": 100, "offset": 0}
    api_env.faults.fail("GET", r"^/v3/campaign$", 200, times=None, body=page)
    for args in (["plan"], ["apply", "--auto-approve"]):
        result = run_cli(*args, str(manifest), "--prune")
        assert_clean_failure(result)
        assert words in result.stderr and "stops rather than guess" in result.stderr


def test_lone_surrogate_in_a_live_description(api_env, manifest, tmp_path):
    api_env.store.add_campaign(
        {"campaign_name": "Keep", "concurrent_call": 1, "description": "nợ\ud800cũ"}
    )
    plan = run_cli("plan", str(manifest), "--format", "json")
    assert plan.code == 0, plan.output
    assert json.loads(plan.stdout)["changes"][0]["fields"] == {
        "concurrent_call": {"before": 1, "after": 2}
    }
    applied = run_cli("apply", str(manifest), "--auto-approve")
    assert applied.code == 0, applied.output
    assert "Apply complete: 1 done." in applied.stdout
    # The description went back as it came (a JSON escape), untouched.
    live = api_env.store.get_campaign(api_env.store.campaign_uuid_by_name("Keep"))
    assert live["description"] == "nợ\ud800cũ" and live["concurrent_call"] == 2
    assert run_cli("plan", str(manifest), "--detailed-exitcode").code == 0


def test_campaign_gone_between_listing_and_detail_read_is_simply_gone(api_env, tmp_path):
    uuid = api_env.store.add_campaign({"campaign_name": "Vanishing", "concurrent_call": 1})
    (tmp_path / "m.yaml").write_text(
        "campaigns:\n  - campaign_name: Vanishing\n    schedules:\n"
        '      - mon-fri: "08:00-12:00"\n',
        encoding="utf-8",
    )
    api_env.faults.fail("GET", f"^/v3/campaign/{uuid}$", 404, times=None)
    result = run_cli("plan", str(tmp_path))
    assert result.code == 0, result.output
    assert "+ create Vanishing" in result.stdout


# ---- credentials -----------------------------------------------------------------------------


@pytest.mark.parametrize(("token", "where"), [("tøken-é-12345", 2), ("tok🙂en-12345", 4)])
def test_non_latin1_token_is_a_clean_error(api_env, manifest, monkeypatch, token, where):
    monkeypatch.setenv("RECONCILER_TOKEN", token)
    result = run_cli("plan", str(manifest))
    assert_clean_failure(result)
    assert result.stderr == (
        f"error: RECONCILER_TOKEN is not usable: character {where} of {len(token)} is not "
        "ASCII, and a bearer token is visible ASCII only: letters, digits and punctuation\n"
    )
    assert api_env.requests == []  # refused before any call


# ---- manifests -------------------------------------------------------------------------------

HUGE = "9" * 5000


def _check_located(tmp_path: Path, text: str, line: int, words: str, api_env=None) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text(text, encoding="utf-8")
    for command in ("validate", "plan"):
        result = run_cli(command, str(path))
        assert_clean_failure(result)
        first = result.stderr.splitlines()[0]
        assert first.startswith(f"{path}:{line}: "), first
        assert words in first
        assert len(first) < 300  # the huge value is not echoed whole
        assert result.stderr.endswith("1 error in 1 file.\n")


def test_integer_beyond_pythons_digit_limit_is_located(api_env, tmp_path):
    text = f"campaigns:\n  - campaign_name: Big\n    concurrent_call: {HUGE}\n"
    _check_located(tmp_path, text, 3, "a whole number of 5,000 digits")


def test_integer_with_underscores_beyond_the_limit_is_located(api_env, tmp_path):
    text = f"campaigns:\n  - campaign_name: Big\n    recall_times: 1_{HUGE}\n"
    _check_located(tmp_path, text, 3, "a whole number of 5,001 digits")


@pytest.mark.parametrize(
    ("value", "line"),
    [
        ("[" * 3000 + "]" * 3000, 3),  # a list in flow style
        ("{a: " * 3000 + "1" + "}" * 3000, 3),  # a mapping in flow style
        ("\n" + "".join("  " * (i + 3) + "a:\n" for i in range(3000)), 101),  # block mappings
        ("\n" + "".join("  " * (i + 3) + "-\n" for i in range(3000)), 101),  # block lists
    ],
    ids=["flow-list", "flow-mapping", "block-mapping", "block-list"],
)
def test_nesting_3000_deep_is_located(api_env, tmp_path, value, line):
    text = f"campaigns:\n  - campaign_name: Deep\n    labels: {value}\n"
    _check_located(tmp_path, text, line, "nested more than 100 levels deep")


def test_subprocess_sees_the_same_clean_errors(api_env, tmp_path):
    path = tmp_path / "odd.yaml"
    path.write_text(f"campaigns:\n  - campaign_name: Big\n    concurrent_call: {HUGE}\n")
    env = {**os.environ, "PYTHONUTF8": "1", "RECONCILER_TOKEN": "tok🙂en-12345"}
    for args in (["validate", str(path)], ["plan", str(tmp_path)]):
        result = subprocess.run(
            [sys.executable, "-m", "reconciler", *args], capture_output=True, env=env,
            timeout=60, check=False,
        )
        stderr = result.stderr.decode()
        assert result.returncode == 1
        assert stderr.startswith(f"{path}:3: invalid value '9999"), stderr
        assert "internal error" not in stderr and "Traceback" not in stderr
