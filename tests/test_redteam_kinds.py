"""Carriers and audio attacked as an operator would (issue 22's red team): each test is a
way the two kinds broke, kept so they stay fixed. Real CLI, real HTTP, the emulator as the
tenant."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from clirun import run_cli
from test_audio import MANIFEST, make_wav, repo

from reconciler.emulator import EmulatorServer

GATEWAY = "953a918a-0035-4e6f-97d1-c64e7943b7df"


def write(directory: Path, text: str) -> str:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "m.yaml").write_text(text, encoding="utf-8")
    return str(directory)


def audio_entry(file: str, name: str = "loi_chao") -> str:
    return f"audio:\n  - audio_name: {name}\n    file: {file}\n"


# -- audio files come from the repository only ------------------------------------------------


@pytest.mark.parametrize("how", ["dotdot", "absolute", "symlink"])
def test_a_wav_outside_the_repository_is_refused_before_any_upload(
    api_env: EmulatorServer, tmp_path: Path, how: str
) -> None:
    """A valid WAV outside the repository (reached by `..`, an absolute path or a symlink
    inside the repository) was uploaded silently: bytes no reviewer saw."""
    outside = tmp_path / "elsewhere" / "secret.wav"
    make_wav(outside)
    repository = tmp_path / "repo"
    (repository / ".git").mkdir(parents=True)
    if how == "symlink":
        (repository / "manifests" / "audio").mkdir(parents=True)
        os.symlink(outside, repository / "manifests" / "audio" / "loi_chao.wav")
    file = {"dotdot": "../../elsewhere/secret.wav", "absolute": str(outside),
            "symlink": "audio/loi_chao.wav"}[how]
    path = write(repository / "manifests", audio_entry(file))
    for command in (["validate", path], ["apply", path, "--auto-approve"]):
        result = run_cli(*command)
        assert result.code == 1, result.output
        assert "m.yaml:3: file " in result.output
        assert ("absolute path" if how == "absolute" else "outside the repository") \
            in result.output
        assert "Traceback" not in result.output
    assert api_env.write_requests() == []


def test_a_wav_elsewhere_in_the_same_repository_is_accepted(tmp_path: Path) -> None:
    """`../audio/x.wav` from manifests/ stays inside the git work tree: fine."""
    repository = tmp_path / "repo"
    (repository / ".git").mkdir(parents=True)
    make_wav(repository / "audio" / "loi_chao.wav")
    path = write(repository / "manifests", audio_entry("../audio/loi_chao.wav"))
    result = run_cli("validate", path)
    assert result.code == 0, result.output


def test_audio_names_sharing_an_upload_name_are_refused(
    api_env: EmulatorServer, tmp_path: Path
) -> None:
    """`x` and `x.wav` both upload as `x-<digest>.wav`: with the same file, the first apply
    sent two POSTs of one name (the second refused, `audio is existed`) and every later plan
    failed; with two files, each entry's change deleted the other's uploads as "replaced"."""
    make_wav(tmp_path / "a.wav")
    path = write(tmp_path, "audio:\n  - audio_name: x\n    file: a.wav\n"
                           "  - audio_name: x.WAV\n    file: a.wav\n")
    for command in (["validate", path], ["apply", path, "--auto-approve"]):
        result = run_cli(*command)
        assert result.code == 1, result.output
        assert "m.yaml:4: duplicate audio_name 'x.WAV'" in result.output
        assert "'x' there: the two would be one name live" in result.output
    assert api_env.write_requests() == []


# -- carriers ----------------------------------------------------------------------------------


def test_a_dial_type_change_shows_the_prefixes_it_drops_and_the_one_it_lacks(
    api_env: EmulatorServer, tmp_path: Path
) -> None:
    """channel_prefix → channel_one_for_all: the plan showed only dial_type, while the PUT
    dropped prefix_mobi/prefix_vina unseen, and the new dial type's missing `prefix` was
    warned about only by the plan after the apply."""
    api_env.store.add_carrier("Pfx", concurrent_call=5, dial_type="channel_prefix",
                              prefix_mobi="9", prefix_vina="8")
    path = write(tmp_path, "carriers:\n  - carrier_name: Pfx\n    dial_type: channel_one_for_all\n")
    plan = run_cli("plan", path, "--format", "json")
    assert plan.code == 0, plan.output
    (change,) = json.loads(plan.stdout)["changes"]
    assert change["fields"]["prefix_mobi"] == {"before": "9", "after": ""}
    assert change["fields"]["prefix_vina"] == {"before": "8", "after": ""}
    assert "carrier 'Pfx': dial_type channel_one_for_all dials through prefix, but it has " \
        "none" in run_cli("plan", path).output
    applied = run_cli("apply", path, "--auto-approve")
    assert applied.code == 0, applied.output
    again = run_cli("plan", path, "--detailed-exitcode")
    assert again.code == 0, again.output


@pytest.mark.parametrize(("dial_type", "kept", "declared"), [
    ("channel_prefix", {"prefix_mobi": "9"}, "prefix_mobi"),
    ("sip_random_for_all", {"data": {"caller_id": ["0281", "0282"]}}, "data"),
])
def test_an_update_of_a_carrier_read_without_data_is_refused(
    api_env: EmulatorServer, tmp_path: Path, dial_type: str, kept: dict, declared: str
) -> None:
    """A listing row without `data` hides the prefixes (or a random type's caller ids): the
    update's full-replace PUT sent none, erasing them unseen. Refused at plan time, located;
    declaring them all lets the PUT carry them."""
    uuid = api_env.store.add_carrier("Raw", concurrent_call=5, dial_type=dial_type, **kept)
    row = api_env.store.get_carrier(uuid)
    row.pop("data")
    api_env.store.replace_carrier(row)
    path = write(tmp_path, "carriers:\n  - carrier_name: Raw\n    concurrent_call: 6\n")
    result = run_cli("apply", path, "--auto-approve")
    assert result.code == 1, result.output
    assert "m.yaml:2: carrier 'Raw': the listing shows no `data`" in result.output
    assert f"declare {declared}" in result.output
    assert api_env.write_requests() == []
    unchanged = write(tmp_path, "carriers:\n  - carrier_name: Raw\n    concurrent_call: 5\n")
    assert run_cli("plan", unchanged, "--detailed-exitcode").code == 0


def test_a_replaced_upload_is_not_said_to_be_deleted_by_state_absent(
    api_env: EmulatorServer, tmp_path: Path
) -> None:
    """The risk line of an earlier upload of a changed file said `deleted (state: absent)`,
    which the manifest never says."""
    make_wav(tmp_path / "a.wav")
    path = write(tmp_path, audio_entry("a.wav"))
    assert run_cli("apply", path, "--auto-approve").code == 0
    make_wav(tmp_path / "a.wav", level=9)
    result = run_cli("plan", path)
    assert result.code == 0, result.output
    assert "deleted (replaced by a new upload of the file)" in result.output
    assert "state: absent" not in result.output


def test_a_repointed_press_option_shows_the_upload_it_played_by_name(
    api_env: EmulatorServer, tmp_path: Path
) -> None:
    """The plan's `before` of a re-pointed press option showed the old upload's raw uuid and
    a bogus second option `{"press_num": "audio_file", ...}`: the read form's `[{"1": ...}]`
    was indexed as if written."""
    path = repo(tmp_path, MANIFEST)
    assert run_cli("apply", path, "--auto-approve").code == 0
    make_wav(tmp_path / "audio" / "loi_chao.wav", level=9)
    plan = run_cli("plan", path, "--format", "json")
    assert plan.code == 0, plan.output
    template = next(c for c in json.loads(plan.stdout)["changes"] if c["kind"] == "template")
    (before,) = template["fields"]["press_options"]["before"]
    assert before["press_num"] == "1"
    assert before["audio_file"].startswith("loi_chao-") and before["audio_file"].endswith(".wav")
