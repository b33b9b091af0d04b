"""A press option's toggled, enable, type and extension are written but never read back
(vendor/autocall_template.md: a write sends `{"press_num": "1", "toggled", "voice_type",
"enable", "content", "type", "extension"}`, a read answers `[{"1": {"content",
"voice_type"}}]`). Two dangers, end to end against the emulator:

- a template write sending options without those keys resets a live "press 1 → transfer to
  1900" routing (the template PUT is a full replace): refused at plan time, located;
- a change of one of those keys alone is invisible to any read: a template declaring them is
  rewritten on every apply (a `rewrite`, unverifiable, not drift), so the change reaches the API.
"""

from __future__ import annotations

import json
from pathlib import Path

from clirun import run_cli

ROUTED = [{"press_num": "1", "toggled": True, "enable": True, "type": "transfer",
           "extension": "1900", "voice_type": "tts", "content": "Chuyển máy"}]
DECLARED = """\
templates:
  - template_name: routing
    voice_type: tts
    content: "Bấm phím 1 để gặp tổng đài viên"
    press_options:
      - press_num: "1"
        voice_type: tts
        content: "Chuyển máy"
        toggled: true
        enable: true
        type: transfer
        extension: "1900"
"""
REFUSED_KEYS = "declares no toggled, enable, type, extension"


def seed(api_env) -> str:
    return api_env.store.add_template(
        "routing", voice_type="tts", content="Bấm phím 1 để gặp tổng đài viên",
        press_options=ROUTED,
    )


def stored_option(api_env, uuid: str) -> dict:
    """The emulator's own record: what a read never returns is kept there."""
    return api_env.store.get_template(uuid)["press_options"][0]


def write(tmp_path: Path, text: str) -> str:
    (tmp_path / "m.yaml").write_text(text, encoding="utf-8")
    return str(tmp_path)


def test_an_exported_template_edited_is_refused_before_it_wipes_the_routing(
    api_env, tmp_path, monkeypatch
):
    uuid = seed(api_env)
    monkeypatch.chdir(tmp_path)
    assert run_cli("export", "--out", "exported").code == 0
    exported = tmp_path / "exported" / "template-routing.yaml"
    text = exported.read_text(encoding="utf-8")
    assert "extension" not in text.replace("or extension", "")  # a read never returned it
    exported.write_text(text.replace("gặp tổng đài viên", "gặp nhân viên"), encoding="utf-8")
    option_line = next(
        number for number, line in enumerate(text.splitlines(), 1)
        if "press_num" in line
    )
    api_env.requests.clear()

    for command in ("plan", "apply"):
        extra = ("--auto-approve",) if command == "apply" else ()
        result = run_cli(command, "exported", *extra)
        assert result.code == 1, result.output
        assert (
            f"exported/template-routing.yaml:{option_line}: template 'routing': press option 1 "
            f"{REFUSED_KEYS}: this update writes the whole template"
        ) in result.stderr
        assert "declare toggled, enable, type, extension on it" in result.stderr
    assert api_env.write_requests() == []
    assert stored_option(api_env, uuid)["extension"] == "1900"


def test_an_update_not_declaring_the_live_press_options_is_refused(api_env, tmp_path):
    uuid = seed(api_env)
    manifests = write(tmp_path, "templates:\n  - template_name: routing\n"
                                "    description: quản lý bằng git\n")
    result = run_cli("plan", manifests, "--format", "json")
    assert result.code == 1
    [diagnostic] = json.loads(result.stdout)["diagnostics"]
    assert diagnostic["code"] == "plan/write-only-keys"
    assert (diagnostic["subject"]["line"], diagnostic["subject"]["template"]) == (2, "routing")
    assert diagnostic["summary"] == (
        "template 'routing': this update writes the whole template (a full-replace PUT), so its "
        "live press option 1 would be sent back without toggled, enable, type, extension (the "
        "API never reads them back), resetting them: declare press_options with each option's "
        "toggled, enable, type, extension"
    )
    assert run_cli("apply", manifests, "--auto-approve").code == 1
    assert api_env.write_requests() == []
    assert stored_option(api_env, uuid)["extension"] == "1900"


def test_an_option_declaring_some_keys_is_refused_at_its_line_naming_the_rest(
    api_env, tmp_path
):
    seed(api_env)
    partial = DECLARED.replace("        toggled: true\n        enable: true\n", "")
    result = run_cli("plan", write(tmp_path, partial))
    assert result.code == 1
    assert f"{tmp_path / 'm.yaml'}:6: template 'routing': press option 1 declares no " \
        "toggled, enable: " in result.stderr
    # Created anew, it would be rewritten on every apply without them: refused as well.
    result = run_cli("plan", write(tmp_path, partial.replace("routing", "fresh")))
    assert result.code == 1
    assert "this template declares other press-option write-only keys, so it is rewritten " \
        "on every apply" in result.stderr


def test_a_changed_extension_reaches_the_api_as_an_unverifiable_rewrite(api_env, tmp_path):
    uuid = seed(api_env)
    manifests = write(tmp_path, DECLARED.replace('"1900"', '"1901"'))

    planned = json.loads(run_cli("plan", manifests, "--format", "json").stdout)
    [change] = planned["changes"]
    assert (change["action"], change["rewrite"], change["fields"]) == ("update", True, {})
    assert change["unverifiable"] == [
        "press_options[1].toggled", "press_options[1].enable", "press_options[1].type",
        "press_options[1].extension"]
    text = run_cli("plan", manifests, "--detailed-exitcode")
    assert text.code == 0, text.output  # a rewrite alone is not drift
    assert "No changes" not in text.stdout and "in sync" not in text.stdout
    assert (
        "      ! rewrite: press options' write-only keys (toggled, enable, type, extension) "
        "cannot be read back: rewritten every apply, unverifiable\n"
        "      ! sent, not verifiable (never read back): press 1: toggled true, enable true, "
        'type "transfer", extension "1901"\n'
    ) in text.stdout

    applied = run_cli("apply", manifests, "--auto-approve")
    assert applied.code == 0, applied.output
    assert "✓ update template routing: rewritten (read back: the readable fields match; sent " \
        "but not verifiable, never read back: press 1 toggled, enable, type, extension)" in (
            applied.stdout)
    assert "verified" not in applied.stdout
    assert stored_option(api_env, uuid)["extension"] == "1901"
    # Still rewritten on the next plan (no read can tell it is done), still not drift.
    again = run_cli("plan", manifests, "--detailed-exitcode")
    assert again.code == 0 and "~ update template routing" in again.stdout


def test_a_rewrite_beside_a_real_change_is_drift(api_env, tmp_path):
    seed(api_env)
    api_env.store.add_template("other", content="cũ")
    manifests = write(tmp_path, DECLARED + "  - template_name: other\n    content: mới\n")
    result = run_cli("plan", manifests, "--detailed-exitcode")
    assert result.code == 2, result.output
    assert "Plan: 0 to create, 2 to update (1 of them a rewrite of values no read returns: " \
        "unverifiable, not drift), 0 to delete." in result.stdout


def test_every_report_marks_the_rewrite(api_env, tmp_path):
    seed(api_env)
    manifests = write(tmp_path, DECLARED)
    markdown = run_cli("plan", manifests, "--format", "markdown").stdout
    assert "template routing (rewrite: write-only keys, unverifiable)" in markdown
    assert "<summary>update template <b>routing</b> (rewrite, unverifiable)</summary>" in markdown
    assert "! rewrite: press options' write-only keys" in markdown
    page = run_cli("plan", manifests, "--format", "html").stdout
    assert "data-rewrite" in page and "The whole template will be deleted" not in page
    assert "1 of the updates is an unverifiable rewrite." in page


def test_a_saved_rewrite_applies_as_planned(api_env, tmp_path):
    uuid = seed(api_env)
    manifests = write(tmp_path, DECLARED.replace('"1900"', '"2000"'))
    plan_file = str(tmp_path / "plan.json")
    assert run_cli("plan", manifests, "--out", plan_file).code == 0
    saved = json.loads(Path(plan_file).read_text(encoding="utf-8"))
    assert saved["changes"][0]["rewrite"] is True
    result = run_cli("apply", "--plan", plan_file, "--auto-approve")
    assert result.code == 0, result.output
    assert "rewritten (read back" in result.stdout
    assert stored_option(api_env, uuid)["extension"] == "2000"


def test_a_create_leaving_all_keys_out_is_noted_not_refused(api_env, tmp_path):
    manifests = write(tmp_path, (
        "templates:\n  - template_name: fresh\n    press_options:\n"
        "      - press_num: '1'\n        voice_type: tts\n        content: A\n"
    ))
    result = run_cli("plan", manifests)
    assert result.code == 0, result.output
    assert "Note: template 'fresh': press option 1 declares no toggled, enable, type, " \
        "extension: it is created with the API's defaults for them, and an update of this " \
        "template is refused until they are declared" in result.stdout


def test_a_template_left_out_by_target_is_not_refused(api_env, tmp_path):
    seed(api_env)
    manifests = write(tmp_path, (
        "templates:\n  - template_name: routing\n    description: x\n"
        "  - template_name: fresh\n    content: A\n"
    ))
    assert run_cli("plan", manifests).code == 1
    result = run_cli("plan", manifests, "--target", "fresh")
    assert result.code == 0, result.output


def test_a_drift_report_never_calls_a_rewrite_drift(api_env, tmp_path):
    seed(api_env)
    manifests = write(tmp_path, DECLARED)
    text = run_cli("plan", manifests, "--drift")
    assert text.code == 0, text.output
    assert "# not drift: rewritten on every apply" in text.stdout
    assert "changed outside the manifests" not in text.stdout.replace(
        "Changed outside the manifests (each field", "")
    assert text.stdout.rstrip().endswith(
        "No drift. 1 template rewritten on every apply (write-only keys, unverifiable), "
        "not drift.")
    markdown = run_cli("plan", manifests, "--drift", "--format", "markdown").stdout
    assert "**No drift. 1 template rewritten on every apply" in markdown

    api_env.store.add_template("other", content="cũ")  # real drift beside it
    both = run_cli("plan", write(tmp_path, DECLARED + "  - template_name: other\n"
                                           "    content: mới\n"), "--drift")
    assert both.code == 2, both.output
    assert "Drift: 1 changed outside the manifests, 0 declared but not live, 0 live but not " \
        "wanted. (1 rewrite, not drift)" in both.stdout
