"""A whole tenant from nothing: an emulator with no carriers, templates, audio or campaigns,
and a repository declaring all four kinds, naming each other by name. Apply builds it, a
re-plan is empty; a changed recording and a changed carrier apply and re-plan empty again —
through `apply --auto-approve` and through a saved plan (`plan --out`, `apply --plan`).
Real CLI, real HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest
from clirun import run_cli

from reconciler.emulator import EmulatorServer
from reconciler.kinds.audio import names

ROOT = Path(__file__).resolve().parent.parent
GATEWAY = "953a918a-0035-4e6f-97d1-c64e7943b7df"  # gateways have no API: given by uuid


def carrier(concurrent_call: int, prefixes: str) -> str:
    return f"""\
carriers:
  - carrier_name: ThuNo
    description: Đầu số thu nợ
    gateway_uuid: {GATEWAY}
    dial_type: channel_prefix
    caller_id: "02873003586"
    network: {{viettel: 10, mobi: 5}}
    concurrent_call: {concurrent_call}
{prefixes}"""


AUDIO = """\
audio:
  - audio_name: loi_chao
    file: audio/loi_chao.wav
"""
TEMPLATES = """\
templates:
  - template_name: chao_audio
    voice_type: audio_file
    audio_file: loi_chao               # the audio entry, by name
    exit_sound: {enable: true, voice_type: audio_file, audio_file: loi_chao}
  - template_name: nhac_no
    voice_type: tts
    voice_tts: south-f-03
    content: Chào {{customer_name}}, khoản cước {{due_amount}} cần thanh toán.
"""
CAMPAIGNS = """\
campaigns:
  - campaign_name: NhacNo
    type_autocall: autocall_voice_tts
    carrier: ThuNo
    template: nhac_no
    mode_call: serial
    concurrent_call: 3
    schedules:
      - mon-fri: "08:00-11:30"
  - campaign_name: ChaoAudio
    type_autocall: autocall_audio
    carrier: ThuNo
    template: chao_audio
    mode_call: serial
    concurrent_call: 2
"""
FIRST_CARRIER = carrier(5, '    prefix_mobi: "12"\n')
CHANGED_CARRIER = carrier(8, '    prefix_mobi: "12"\n    prefix_viettel: "34"\n')


@pytest.fixture
def empty_tenant(monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorServer]:
    """An emulator holding nothing at all, with the CLI's environment pointing at it."""
    with EmulatorServer(port=0, defaults=False) as server:
        monkeypatch.setenv("RECONCILER_API_URL", server.url)
        monkeypatch.setenv("RECONCILER_TOKEN", server.token)
        monkeypatch.delenv("RECONCILER_API_KEY", raising=False)
        yield server


def write_wav(path: Path, level: int) -> None:
    """0.1 s of an 8 kHz mono 16-bit tone at `level` (a different level: other bytes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(8000)
        writer.writeframes(bytes([level, 0]) * 800)


def repository(root: Path, carriers: str, level: int) -> str:
    """The tenant's repository: one file per kind, as a team would keep them."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "audio.yaml").write_text(AUDIO, encoding="utf-8")
    (root / "carriers.yaml").write_text(carriers, encoding="utf-8")
    (root / "templates.yaml").write_text(TEMPLATES, encoding="utf-8")
    (root / "campaigns.yaml").write_text(CAMPAIGNS, encoding="utf-8")
    write_wav(root / "audio" / "loi_chao.wav", level)
    return str(root)


def plan_changes(path: str) -> list[tuple[str, str, str]]:
    result = run_cli("plan", path, "--format", "json")
    assert result.code == 0, result.output
    return [(c["apply"]["level"], c["kind"], c["action"], c[f"{c['kind']}_name"])
            for c in json.loads(result.stdout)["changes"]]


def apply_and_replan(path: str, saved_plan: Path | None) -> None:
    """Apply (directly, or the saved plan made first), then a plan must be empty, exit 0."""
    if saved_plan is None:
        result = run_cli("apply", path, "--auto-approve")
    else:
        planned = run_cli("plan", path, "--out", str(saved_plan), "--detailed-exitcode")
        assert planned.code == 2, planned.output
        result = run_cli("apply", "--plan", str(saved_plan), "--auto-approve")
    assert result.code == 0, result.output
    again = run_cli("plan", path, "--detailed-exitcode")
    assert again.code == 0, again.output
    assert plan_changes(path) == []


def uploads(server: EmulatorServer) -> dict[str, str]:
    """Every upload in the tenant: name → uuid."""
    rows, _ = server.store.list_audio_json(100, 0)
    return {row["audio_name"]: row["audio_uuid"] for row in map(json.loads, rows)}


def template(server: EmulatorServer, name: str) -> dict:
    return server.store.get_template(server.store.uuid_by_name("template", name))


def the_carrier(server: EmulatorServer) -> dict:
    """The tenant's only carrier, as the listing shows it."""
    [row] = [json.loads(text) for text in server.store.list_json("carrier", 100, 0)[0]]
    return row


@pytest.mark.parametrize("saved", [False, True], ids=["auto-approve", "saved-plan"])
def test_a_tenant_from_nothing_then_a_new_recording_and_a_changed_carrier(
    empty_tenant: EmulatorServer, tmp_path: Path, saved: bool
) -> None:
    server = empty_tenant
    store = server.store
    assert uploads(server) == {} and store.templates() == [] and store.campaigns() == []
    assert store.list_json("carrier", 100, 0) == ([], 0)
    path = repository(tmp_path / "repo", FIRST_CARRIER, level=1)
    saved_plan = tmp_path / "plan.json" if saved else None

    # Everything is created, what is named before what names it.
    assert sorted(plan_changes(path)) == [
        (0, "audio", "create", "loi_chao"), (0, "carrier", "create", "ThuNo"),
        (0, "template", "create", "nhac_no"),            # names no other entry
        (1, "campaign", "create", "NhacNo"),             # ThuNo and nhac_no
        (1, "template", "create", "chao_audio"),         # loi_chao
        (2, "campaign", "create", "ChaoAudio")]          # ThuNo and chao_audio
    apply_and_replan(path, saved_plan)

    [first_upload] = uploads(server)
    first_uuid = uploads(server)[first_upload]
    assert names.declared_name(first_upload) == "loi_chao" and first_upload != "loi_chao"
    audio = template(server, "chao_audio")
    assert (audio["audio_file"], audio["exit_sound"]["audio_file"]) == (first_uuid, first_uuid)
    carrier_row = the_carrier(server)
    assert (carrier_row["carrier_name"], carrier_row["concurrent_call"]) == ("ThuNo", 5)
    assert carrier_row["data"]["prefix_mobi"] == "12"
    assert carrier_row["data"]["prefix_viettel"] == ""
    for name, template_name in (("NhacNo", "nhac_no"), ("ChaoAudio", "chao_audio")):
        campaign = store.get_campaign(store.campaign_uuid_by_name(name))
        assert campaign["carrier_uuid"] == carrier_row["carrier_uuid"]
        assert campaign["template_uuid"] == store.uuid_by_name("template", template_name)

    # A new recording and a carrier with more calls and a second prefix.
    repository(tmp_path / "repo", CHANGED_CARRIER, level=2)
    assert plan_changes(path) == [
        (0, "carrier", "update", "ThuNo"), (0, "audio", "create", "loi_chao"),
        (1, "template", "update", "chao_audio"), (2, "audio", "delete", first_upload)]
    # The earlier upload's delete says why: no manifest declared it absent.
    shown = run_cli("plan", path).stdout
    assert f"delete audio {first_upload}: deleted (replaced by a new upload of the file)" \
        in shown and "state: absent" not in shown
    apply_and_replan(path, saved_plan)

    assert first_upload not in uploads(server)  # the old upload is gone
    [second_upload] = uploads(server)
    second_uuid = uploads(server)[second_upload]
    assert second_upload != first_upload and second_uuid != first_uuid
    assert names.declared_name(second_upload) == "loi_chao"
    assert store.audio_content(second_uuid) == (tmp_path / "repo/audio/loi_chao.wav").read_bytes()
    audio = template(server, "chao_audio")
    assert (audio["audio_file"], audio["exit_sound"]["audio_file"]) == (second_uuid, second_uuid)
    changed = the_carrier(server)
    assert changed["carrier_uuid"] == carrier_row["carrier_uuid"]  # updated, not replaced
    assert changed["concurrent_call"] == 8
    assert (changed["data"]["prefix_mobi"], changed["data"]["prefix_viettel"]) == ("12", "34")
    assert store.get_campaign(store.campaign_uuid_by_name("NhacNo"))["carrier_uuid"] == \
        changed["carrier_uuid"]


def documented_example() -> tuple[list[str], str]:
    """docs/carriers-and-audio.md's "A tenant from nothing": its shell lines and its manifest."""
    doc = (ROOT / "docs" / "carriers-and-audio.md").read_text(encoding="utf-8")
    section = doc[doc.index("\n## A tenant from nothing\n"):]
    shell = section[section.index("```sh\n") + 6:]
    manifest = section[section.index("```yaml\n# tenant/tenant.yaml\n") + 8:]
    return shell[:shell.index("```")].splitlines(), manifest[:manifest.index("```")]


def test_the_documented_tenant_from_nothing_runs_as_written(
    empty_tenant: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shell, manifest = documented_example()
    assert shell[0].startswith("reconciler emulator --port 8080 --empty &")
    monkeypatch.chdir(tmp_path)
    for line in shell[2:4]:  # mkdir, then the WAV written with the wave module
        command = line.split("  #")[0].replace("python3 -c", f"{sys.executable} -c", 1)
        subprocess.run(["bash", "-c", command], check=True)
    (tmp_path / "tenant" / "tenant.yaml").write_text(manifest, encoding="utf-8")
    with wave.open(str(tmp_path / "tenant" / "audio" / "chao.wav")) as recording:
        assert recording.getnframes() / recording.getframerate() == 0.5

    assert [line.split("  #")[0].strip() for line in shell[4:]] == [
        "reconciler plan tenant", "reconciler apply tenant --auto-approve",
        "reconciler plan tenant --detailed-exitcode"]
    planned = run_cli("plan", "tenant")
    assert planned.code == 0, planned.output
    assert planned.stdout.splitlines()[-1] == shell[4].split("# ", 1)[1]  # as the doc says
    assert planned.stdout.splitlines()[-1].startswith("Plan: 6 to create")
    assert run_cli("apply", "tenant", "--auto-approve").code == 0
    assert run_cli("plan", "tenant", "--detailed-exitcode").code == 0  # "exit 0"
    assert {row["template_name"] for row in empty_tenant.store.templates()} == {
        "chao_audio", "nhac_no"}
