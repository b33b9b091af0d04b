"""Convergence for templates, as a property: for any valid template (press options and sounds
included), apply then plan leaves nothing to change, whether apply created it or moved it from
any other valid state, and whether a campaign uses it or not. "Nothing" honestly: a template
whose press options declare write-only keys (toggled, enable, type, extension: never read
back) is shown rewritten on every plan, as an unverifiable rewrite that is not drift (exit 0
under --detailed-exitcode). And a write that would send press options without those keys is
refused before anything is written."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from unittest.mock import patch

from clirun import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.emulator import EmulatorServer
from reconciler.template_fields import VOICE_TYPES, VOICES

words = st.text(
    st.characters(
        blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="{}"
    ),
    max_size=20,
)
# An audio_file holds an upload's uuid (or names a declared audio: tests/test_audio.py).
audio_ids = st.one_of(st.just(""), st.uuids().map(str))


@st.composite
def scripts(draw: st.DrawFn) -> str:
    """Text with {{placeholders}} here and there (Vietnamese letters come with the rest)."""
    parts = draw(st.lists(st.one_of(words, st.sampled_from(
        ["{{customer_name}}", "{{due_amount}}", "{{ code_otp }}", "Chào bạn ", "đến hạn"]
    )), max_size=5))
    return "".join(parts)


@st.composite
def sounds(draw: st.DrawFn) -> dict:
    voice = draw(st.sampled_from(VOICE_TYPES))
    sound = {"enable": draw(st.booleans()), "voice_type": voice}
    key = "content" if voice == "tts" else "audio_file"
    if draw(st.booleans()):
        sound[key] = draw(scripts()) if key == "content" else draw(audio_ids)
    return sound


@st.composite
def press_options(draw: st.DrawFn) -> list[dict]:
    numbers = draw(st.lists(st.sampled_from(list("0123456789*#")), unique=True, max_size=4))
    # The write-only keys: all four on every option, none, or any (a write may be refused).
    keys = draw(st.sampled_from(["all", "none", "any"]))
    options = []
    for key in numbers:
        option: dict = {"press_num": key}
        voice = draw(st.sampled_from([None, *VOICE_TYPES]))
        if voice:
            option["voice_type"] = voice
        text_key = "audio_file" if voice == "audio_file" else "content"
        if draw(st.booleans()):
            option[text_key] = draw(scripts()) if text_key == "content" else draw(audio_ids)
        for unread in ("toggled", "enable"):
            if keys == "all" or (keys == "any" and draw(st.booleans())):
                option[unread] = draw(st.booleans())
        for unread in ("type", "extension"):
            if keys == "all" or (keys == "any" and draw(st.booleans())):
                option[unread] = draw(st.sampled_from(["tts", "5000", ""]))
        options.append(option)
    return options


@st.composite
def templates(draw: st.DrawFn) -> dict:
    spec = draw(st.fixed_dictionaries({}, optional={
        "description": words,
        "voice_tts": st.sampled_from(VOICES),
        "speed_tts": st.integers(0, 20).map(lambda tenth: tenth / 10),
        "enable_option": st.booleans(),
        "press_options": press_options(),
        "exit_sound": sounds(),
        "invalid_sound": sounds(),
        "press_timeout": st.integers(0, 30),
        "max_timeout": st.integers(0, 5),
        "inter_digit_timeout": st.integers(0, 30),
    }))
    voice = draw(st.sampled_from([None, *VOICE_TYPES]))
    if voice:
        spec["voice_type"] = voice
    if voice != "audio_file" and draw(st.booleans()):
        spec["content"] = draw(scripts())
    # Both texts without a voice_type are refused by validate (the call plays only one).
    if voice != "tts" and not (voice is None and "content" in spec) and draw(st.booleans()):
        spec["audio_file"] = draw(audio_ids)
    return spec


UNREAD = ("toggled", "enable", "type", "extension")


def blind(spec: dict, live_options: list) -> bool:
    """Would writing `spec` send press options without their write-only keys? (A create
    may leave them all out; a template declaring some is rewritten, so must declare all.)"""
    options = spec.get("press_options")
    lacking = any(key not in option for option in options or () for key in UNREAD)
    declaring = any(key in option for option in options or () for key in UNREAD)
    if live_options is None:  # a create
        return lacking and declaring
    return lacking if options is not None else bool(live_options)


def apply_and_check(folder: Path, server: EmulatorServer, spec: dict, used: bool) -> bool:
    """Plan and apply `spec`; False when the plan was (rightly) refused and nothing written."""
    document: dict = {"templates": [{"template_name": "Generated", **spec}]}
    if used:
        document["campaigns"] = [{"campaign_name": "UsesIt", "template": "Generated"}]
    (folder / "t.yaml").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    uuid = server.store.uuid_by_name("template", "Generated")
    before = server.store.get_template(uuid) if uuid else None
    refused = blind(spec, None if before is None else before["press_options"])
    planned = run_cli("plan", str(folder), "--format", "json")
    if planned.code == 1:  # refused: only for that reason, and nothing written
        assert refused, f"{spec}\n{planned.output}"
        codes = {d["code"] for d in json.loads(planned.stdout)["diagnostics"]}
        assert codes == {"plan/write-only-keys"}, planned.output
        server.requests.clear()
        assert run_cli("apply", str(folder), "--auto-approve").code == 1
        assert server.write_requests() == []
        return False
    assert planned.code == 0, planned.output
    changes = json.loads(planned.stdout)["changes"]
    if refused:  # a blind write is never planned: here nothing needed writing
        assert not [c for c in changes if c["kind"] == "template"], changes
    applied = run_cli("apply", str(folder), "--auto-approve")
    assert applied.code == 0, applied.output
    again = run_cli("plan", str(folder), "--detailed-exitcode", "--format", "json")
    assert again.code == 0, f"{spec}\n{again.output}"
    left = json.loads(again.stdout)["changes"]
    declares = any(key in option for option in spec.get("press_options", ()) for key in UNREAD)
    if declares:  # rewritten every time, nothing readable differs
        [rewrite] = left
        assert (rewrite["rewrite"], rewrite["fields"]) == (True, {}), left
    else:
        assert left == [], left
    return True


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=templates(), second=templates(), used=st.booleans())
def test_apply_then_plan_leaves_only_unverifiable_rewrites(first, second, used):
    with EmulatorServer(port=0) as server, tempfile.TemporaryDirectory() as folder:
        environment = {"RECONCILER_API_URL": server.url, "RECONCILER_TOKEN": server.token}
        with patch.dict(os.environ, environment):
            applied = [spec for spec in (first, second)  # create path, then update
                       if apply_and_check(Path(folder), server, spec, used)]
        uuid = server.store.uuid_by_name("template", "Generated")
        # What a read never returns is what the manifest last applied declared, whenever it
        # declared any of it (such a template is always written; a refused one writes nothing).
        last = applied[-1] if applied else {}
        declared = {option["press_num"]: option for option in last.get("press_options", [])}
        if uuid and any(key in option for option in declared.values() for key in UNREAD):
            for option in server.store.get_template(uuid)["press_options"]:
                for key in UNREAD:
                    assert option.get(key) == declared[option["press_num"]].get(key)
