"""Audio as code, end to end: WAV files in the repository, digest-addressed uploads, templates
naming audio by name. Real CLI, real HTTP, the emulator as the tenant."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import pytest
from clirun import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.emulator import EmulatorServer
from reconciler.kinds.audio import names
from reconciler.kinds.audio.wav import WavProblem, facts_of

MANIFEST = """\
audio:
  - audio_name: loi_chao
    file: audio/loi_chao.wav
templates:
  - template_name: chao_audio
    voice_type: audio_file
    audio_file: loi_chao
    enable_option: true
    press_options:
      - press_num: "1"
        voice_type: audio_file
        audio_file: loi_chao
        toggled: false
        enable: true
        type: audio
        extension: ""
    exit_sound: {enable: true, voice_type: audio_file, audio_file: loi_chao}
"""


def make_wav(path: Path, frames: int = 800, level: int = 0) -> bytes:
    """A small 8 kHz mono 16-bit WAV (written with the wave module); its bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(8000)
        writer.writeframes(bytes([level % 256, 0]) * frames)
    return path.read_bytes()


def repo(tmp_path: Path, manifest: str = MANIFEST, **wav: int) -> str:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "m.yaml").write_text(manifest, encoding="utf-8")
    make_wav(tmp_path / "audio" / "loi_chao.wav", **wav)
    return str(tmp_path)


def plan_json(path: str, *extra: str) -> dict:
    result = run_cli("plan", path, "--format", "json", *extra)
    assert result.code == 0, result.output
    return json.loads(result.stdout)


def drift(path: str) -> list[dict]:
    """The plan's changes but the rewrite of the press option's write-only keys (made on
    every apply by design: no read returns them)."""
    return [c for c in plan_json(path)["changes"]
            if not (c.get("rewrite") is True and c["fields"] == {})]


def apply(path: str, *extra: str) -> str:
    result = run_cli("apply", path, "--auto-approve", *extra)
    assert result.code == 0, result.output
    return result.output


def uploads(emulator: EmulatorServer, name: str = "loi_chao") -> list[str]:
    return [row["audio_name"] for row in emulator_client(emulator).list_audio()
            if names.declared_name(row["audio_name"]) == name]


def emulator_client(emulator: EmulatorServer):  # noqa: ANN201 - a plain ApiClient
    from reconciler.api import ApiClient

    return ApiClient(emulator.url, token=emulator.token)


def audio_posts(emulator: EmulatorServer) -> list[tuple[str, str, int | None]]:
    return [entry for entry in emulator.write_requests()
            if entry[0] == "POST" and entry[1].startswith("/v3/audio")]


def template_audio_uuids(emulator: EmulatorServer, name: str = "chao_audio") -> set[str]:
    from reconciler.audio_fields import template_audio

    row = emulator_client(emulator).find_template_by_name(name)
    return {value for _key, value in template_audio(row)}


def test_from_nothing_uploads_once_and_points_every_place_at_it(
    api_env: EmulatorServer, tmp_path: Path
) -> None:
    path = repo(tmp_path)
    plan = plan_json(path)
    create = next(c for c in plan["changes"] if c["kind"] == "audio")
    digest = create["fields"]["sha256"]["after"][:8]
    assert create["fields"]["upload"]["after"] == f"loi_chao-{digest}.wav"
    assert create["fields"]["size"]["after"] == (tmp_path / "audio/loi_chao.wav").stat().st_size
    assert create["fields"]["duration"]["after"] == "0.10 s"
    assert create["fields"]["heard_in"]["after"] == {
        "chao_audio": ["audio_file", "exit_sound", "press_options"]}
    apply(path)
    assert uploads(api_env) == [f"loi_chao-{digest}.wav"]
    uuid = emulator_client(api_env).find_audio_by_name(f"loi_chao-{digest}.wav")["audio_uuid"]
    assert template_audio_uuids(api_env) == {uuid}
    assert drift(path) == []


def test_unchanged_file_is_never_uploaded_again(api_env: EmulatorServer, tmp_path: Path) -> None:
    path = repo(tmp_path)
    apply(path)
    assert len(audio_posts(api_env)) == 1
    apply(path)
    assert len(audio_posts(api_env)) == 1


def test_changed_file_uploads_new_repoints_templates_then_deletes_old(
    api_env: EmulatorServer, tmp_path: Path
) -> None:
    path = repo(tmp_path)
    apply(path)
    [old] = uploads(api_env)
    old_uuid = emulator_client(api_env).find_audio_by_name(old)["audio_uuid"]
    make_wav(tmp_path / "audio" / "loi_chao.wav", frames=400, level=7)
    plan = plan_json(path)
    actions = [(c["kind"], c["action"]) for c in plan["changes"]]
    assert actions == [("audio", "create"), ("template", "update"), ("audio", "delete")]
    assert [c["apply"]["level"] for c in plan["changes"]] == [0, 1, 2]
    apply(path)
    [new] = uploads(api_env)
    assert new != old
    new_uuid = emulator_client(api_env).find_audio_by_name(new)["audio_uuid"]
    assert template_audio_uuids(api_env) == {new_uuid}
    assert ("DELETE", f"/v3/audio/{old_uuid}", 200) in api_env.write_requests()
    assert drift(path) == []


def test_old_upload_another_template_still_plays_is_kept(
    api_env: EmulatorServer, tmp_path: Path
) -> None:
    path = repo(tmp_path)
    apply(path)
    [old] = uploads(api_env)
    old_uuid = emulator_client(api_env).find_audio_by_name(old)["audio_uuid"]
    emulator_client(api_env).create_template(
        {"template_name": "undeclared", "voice_type": "audio_file", "audio_file": old_uuid})
    make_wav(tmp_path / "audio" / "loi_chao.wav", frames=300)
    plan = plan_json(path)
    assert [(c["kind"], c["action"]) for c in plan["changes"]] == [
        ("audio", "create"), ("template", "update")]
    assert any("kept" in note and "undeclared" in note for note in plan["notes"])
    apply(path)
    assert old in uploads(api_env)
    assert template_audio_uuids(api_env, "undeclared") == {old_uuid}


def test_absent_audio_a_template_plays_is_refused_located(
    api_env: EmulatorServer, tmp_path: Path
) -> None:
    path = repo(tmp_path)
    apply(path)
    absent = MANIFEST.replace("    file: audio/loi_chao.wav\n", "    state: absent\n")
    absent = absent.split("templates:")[0]
    (tmp_path / "m.yaml").write_text(absent, encoding="utf-8")
    result = run_cli("plan", path)
    assert result.code == 1
    assert "m.yaml:3:" in result.output and "chao_audio" in result.output
    assert "cannot delete audio upload" in result.output


def test_plain_upload_of_the_name_is_not_adopted(api_env: EmulatorServer, tmp_path: Path) -> None:
    """Its bytes cannot be compared: a digest-named copy is uploaded beside it."""
    path = repo(tmp_path, MANIFEST.split("templates:")[0])
    emulator_client(api_env).upload_audio("loi_chao", "loi_chao.wav", b"RIFF....WAVE")
    plan = plan_json(path)
    assert [c["action"] for c in plan["changes"]] == ["create"]
    assert any("not made by this tool" in note for note in plan["notes"])
    apply(path)
    assert "loi_chao" in [row["audio_name"] for row in emulator_client(api_env).list_audio()]
    assert drift(path) == []


def test_export_names_audio_in_templates(api_env: EmulatorServer, tmp_path: Path) -> None:
    path = repo(tmp_path / "repo")
    apply(path)
    out = tmp_path / "out"
    result = run_cli("export", "--out", str(out), "--match", "^$")
    assert result.code == 0, result.output
    text = (out / "template-chao-audio.yaml").read_text(encoding="utf-8")
    assert "audio_file: loi_chao\n" in text
    assert text.count("audio_file: loi_chao") == 3
    assert "loi_chao" in result.output  # the live audio, listed by name


def test_saved_plan_refuses_a_file_changed_since_planning(
    api_env: EmulatorServer, tmp_path: Path
) -> None:
    path = repo(tmp_path / "repo")
    saved = tmp_path / "plan.json"
    assert run_cli("plan", path, "--out", str(saved)).code in (0, 2)
    make_wav(tmp_path / "repo" / "audio" / "loi_chao.wav", frames=123)
    result = run_cli("apply", "--plan", str(saved), "--auto-approve")
    assert result.code == 1
    assert "changed since the plan was made" in result.output
    assert audio_posts(api_env) == []


@pytest.mark.parametrize(("content", "expected"), [
    (None, "no such file"),
    (b"ID3\x03not a wav", "not a WAV file"),
    (b"RIFF\x00\x00\x00\x00WAVEjunk", "not a readable WAV file"),
])
def test_validate_refuses_missing_and_non_wav_at_the_file_line(
    tmp_path: Path, content: bytes | None, expected: str
) -> None:
    (tmp_path / "m.yaml").write_text(MANIFEST.split("templates:")[0], encoding="utf-8")
    if content is not None:
        (tmp_path / "audio").mkdir()
        (tmp_path / "audio" / "loi_chao.wav").write_bytes(content)
    result = run_cli("validate", str(tmp_path))
    assert result.code == 1
    assert f"m.yaml:3: file {tmp_path}/audio/loi_chao.wav: {expected}" in result.output
    assert "Traceback" not in result.output


def test_template_naming_undeclared_audio_is_refused_located(
    api_env: EmulatorServer, tmp_path: Path
) -> None:
    (tmp_path / "m.yaml").write_text(
        "templates:\n  - template_name: t\n    voice_type: audio_file\n"
        "    audio_file: khong_co\n", encoding="utf-8")
    result = run_cli("plan", str(tmp_path))
    assert result.code == 1
    assert "m.yaml:4:" in result.output and 'no audio named "khong_co"' in result.output


@given(st.text(alphabet="abc_xyz", min_size=1, max_size=12), st.binary(min_size=8, max_size=8))
def test_upload_names_round_trip(name: str, digest: bytes) -> None:
    short = digest.hex()[:8]
    live = names.upload_name(name, short)
    assert names.digest_of(live, name) == short
    assert names.declared_name(live) == names.stem(name)
    assert names.digest_of(live, name + "x") is None


def test_wav_facts_refuse_what_is_not_wav(tmp_path: Path) -> None:
    content = make_wav(tmp_path / "a.wav", frames=16000)
    facts = facts_of(content, "a.wav")
    assert (facts.size, facts.duration, facts.rate, facts.channels) == (len(content), 2.0, 8000, 1)
    with pytest.raises(WavProblem):
        facts_of(b"OggS" + content[4:], "a.ogg")


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=3))
def test_convergence_any_sequence_of_files(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, versions: list[int]
) -> None:
    """Whatever the file goes through, after each apply the plan is empty and exactly one
    upload of the name is left: the one named after the current bytes."""
    with EmulatorServer(host="127.0.0.1", port=0) as server:
        monkeypatch.setenv("RECONCILER_API_URL", server.url)
        monkeypatch.setenv("RECONCILER_TOKEN", server.token)
        tmp = tmp_path_factory.mktemp("conv")
        path = repo(tmp)
        for version in versions:
            content = make_wav(tmp / "audio" / "loi_chao.wav", frames=100 * version)
            apply(path)
            assert drift(path) == []
            digest = facts_of(content, "x").short_digest
            assert uploads(server) == [f"loi_chao-{digest}.wav"]
