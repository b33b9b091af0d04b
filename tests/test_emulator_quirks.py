"""Emulator quirks: parsed from specs, settable at run time, each off by default, and the
`--quirk` option of `reconciler emulator`. (What each does is tested through
`reconciler doctor` in test_doctor.py.)"""

from __future__ import annotations

import pytest
import requests

from reconciler.emulator import EmulatorServer
from reconciler.emulator.quirks import DESCRIPTIONS, Quirks
from tests.clirun import run_cli


def test_specs_parse_into_quirks() -> None:
    quirks = Quirks.parse(["put-drops=schedules,network", "list-ignores-limit",
                           "default-limit=5", "errors-status-200=false"])
    assert quirks.put_drops == {"schedules", "network"}
    assert quirks.list_ignores_limit and not quirks.errors_status_200
    assert quirks.default_limit == 5
    assert quirks.active() == ["put-drops=network,schedules", "list-ignores-limit",
                               "default-limit=5"]
    assert Quirks().active() == []


def test_every_described_quirk_is_settable() -> None:
    for name in DESCRIPTIONS:
        value = {"put-drops": "=active", "default-limit": "=3"}.get(name, "")
        assert Quirks.parse([name + value]).active(), name


@pytest.mark.parametrize(("spec", "message"), [
    ("put-drop=schedules", "unknown quirk 'put-drop'; known quirks: put-drops, "),
    ("put-drops", "put-drops needs field names"),
    ("default-limit=0", "default-limit needs a positive number"),
    ("total-drifts=maybe", "takes no value or true/false"),
])
def test_bad_specs_are_refused(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Quirks.parse([spec])


def test_quirks_switch_at_run_time(emulator: EmulatorServer) -> None:
    headers = {"Authorization": f"Bearer {emulator.token}"}
    url = f"{emulator.url}/v3/campaign/no-such-uuid"
    assert requests.get(url, headers=headers, timeout=5).status_code == 404
    emulator.quirks.errors_status_200 = True
    answer = requests.get(url, headers=headers, timeout=5)
    assert (answer.status_code, answer.json()) == (200, {"error": "Not Found"})
    emulator.quirks = None
    assert requests.get(url, headers=headers, timeout=5).status_code == 404


def test_emulator_command_refuses_an_unknown_quirk() -> None:
    run = run_cli("emulator", "--port", "0", "--quirk", "bogus")
    assert run.code == 1
    assert "--quirk: unknown quirk 'bogus'" in run.stderr


def test_emulator_command_serves_with_quirks() -> None:
    from tests.test_emulator_cli import LISTENING, start

    process = start("--quirk", "default-limit=2", "--quirk", "errors-status-200")
    try:
        match = LISTENING.match(process.stdout.readline().strip())
        assert match, process.stderr.read() if process.poll() is not None else ""
        answer = requests.get(f"{match.group(1)}/v3/campaign", timeout=5)
        assert (answer.status_code, answer.json()) == (200, {"error": "Unauthorized"})
        headers = {"Authorization": f"Bearer {match.group(3)}"}
        page = requests.get(f"{match.group(1)}/v3/carrier", headers=headers, timeout=5).json()
        assert page["limit"] == 2 and len(page["data"]) == 2
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert "quirks: default-limit=2, errors-status-200" in process.stderr.read()
