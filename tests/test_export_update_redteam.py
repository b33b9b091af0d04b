"""`export --update` as an operator breaks it: odd but valid YAML, files shared through links
or marked read-only, an interruption while files are renamed, live values no manifest can
declare. Real HTTP against the emulator; after each update a plan is empty for what was taken
back, and only the drifted values' bytes moved."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest
from clirun import run_cli

import reconciler.export_update
from reconciler.api import ApiClient
from reconciler.emulator import EmulatorServer
from reconciler.interrupt import SIGNALS, install_default_handlers
from reconciler.manifest.edit import EditError, FileEdit


def applied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str]) -> Path:
    """The files written under campaigns/ (bytes as given) and applied to the tenant."""
    monkeypatch.chdir(tmp_path)
    directory = tmp_path / "campaigns"
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    done = run_cli("apply", "campaigns", "--auto-approve")
    assert done.code == 0, done.output
    assert run_cli("plan", "campaigns", "--detailed-exitcode").code == 0
    return directory


def put(server: EmulatorServer, name: str, **changes: object) -> None:
    """A person's portal edit: a full-replace PUT of the campaign, changed."""
    api = ApiClient.from_env(server.url)
    uuid = api.find_campaign_by_name(name)["campaign_uuid"]
    api.update_campaign(uuid, {**api.get_campaign(uuid), **changes})


def entry(name: str, extra: str = "    concurrent_call: 1\n") -> str:
    return f"  - campaign_name: {name}\n    type_autocall: autocall_voice_tts\n{extra}"


def test_an_entry_that_cannot_be_edited_leaves_its_neighbours_taken_back(
    api_env, tmp_path, monkeypatch
):
    """E's description is shared through an anchor (not changed under F). A, before it in
    the same file, used to be reported as updated while its edit was thrown away."""
    text = ("campaigns:\n" + entry("A")
            + entry("E", "    description: &desc shared\n")
            + entry("F", "    description: *desc\n") + entry("G"))
    directory = applied(tmp_path, monkeypatch, {"a.yaml": text})
    put(api_env, "A", concurrent_call=9)
    put(api_env, "E", description="E own")
    put(api_env, "G", concurrent_call=7)
    updated = run_cli("export", "--update", "campaigns", "--no-new")
    assert updated.code == 1
    assert "the value is shared through the YAML anchor &desc" in updated.stderr
    assert "  ~ A: concurrent_call\n  ~ G: concurrent_call\n" in updated.stdout
    assert (directory / "a.yaml").read_text(encoding="utf-8") == (
        "campaigns:\n" + entry("A", "    concurrent_call: 9\n")
        + entry("E", "    description: &desc shared\n")
        + entry("F", "    description: *desc\n") + entry("G", "    concurrent_call: 7\n")
    )
    after = run_cli("plan", "campaigns", "--detailed-exitcode")
    assert after.code == 2 and "update E" in after.stdout
    assert "update A" not in after.stdout and "update G" not in after.stdout


def test_tabs_the_loader_accepts_do_not_stop_the_edit(api_env, tmp_path, monkeypatch):
    """`key:<TAB>value`, a tab before a comment and a trailing tab load (C parser) but the
    pure composer refused them: the whole update stopped with a parser dump."""
    text = ("campaigns:\n  - campaign_name: A\t# tabbed comment\n"
            "    type_autocall: autocall_voice_tts\t\n    concurrent_call:\t1\t\n")
    directory = applied(tmp_path, monkeypatch, {"a.yaml": text})
    put(api_env, "A", concurrent_call=4)
    updated = run_cli("export", "--update", "campaigns", "--no-new")
    assert updated.code == 0, updated.output
    assert (directory / "a.yaml").read_text(encoding="utf-8") == text.replace(
        "concurrent_call:\t1\t", "concurrent_call:\t4\t"
    )
    assert run_cli("plan", "campaigns", "--detailed-exitcode").code == 0


def test_a_live_name_no_manifest_may_spell_is_named_and_the_rest_is_taken_back(
    api_env, tmp_path, monkeypatch
):
    """A trailing space typed in the portal: the planner matches the look-alike, but an entry
    cannot declare it. It used to fail validation after the edit and drop the whole file."""
    directory = applied(tmp_path, monkeypatch, {"a.yaml": "campaigns:\n" + entry("Spacey")
                                                + entry("Other")})
    put(api_env, "Spacey", campaign_name="Spacey ", concurrent_call=3)
    put(api_env, "Other", concurrent_call=5)
    updated = run_cli("export", "--update", "campaigns", "--no-new")
    assert updated.code == 1
    assert ("campaign 'Spacey' (campaigns/a.yaml:2): the live name 'Spacey ' cannot be "
            "declared (campaign_name has leading or trailing whitespace") in updated.stderr
    assert "  ~ Other: concurrent_call\n  ~ Spacey: concurrent_call\n" in updated.stdout
    assert (directory / "a.yaml").read_text(encoding="utf-8") == (
        "campaigns:\n" + entry("Spacey", "    concurrent_call: 3\n")
        + entry("Other", "    concurrent_call: 5\n")
    )
    after = run_cli("plan", "campaigns")
    assert '~ campaign_name: "Spacey␠" → "Spacey"' in after.stdout
    assert "concurrent_call" not in after.stdout


TEMPLATE = """templates:
  - template_name: menu
    voice_type: tts
    content: Xin chào
    enable_option: true
    press_options:
      - press_num: "1"   # paid
        voice_type: tts
        content: Cảm ơn
        toggled: false
        enable: true
        type: tts
        extension: "5000"
"""


def test_a_press_option_added_live_is_a_located_problem_not_a_guess(
    api_env, tmp_path, monkeypatch
):
    """Option 3 appeared in the portal: its toggled/enable/type/extension are never read
    back, so no file can declare them truly. That used to abort the whole update (the
    re-plan refused the entry) and write nothing, other files' drift included."""
    directory = applied(tmp_path, monkeypatch, {"t.yaml": TEMPLATE,
                                                "c.yaml": "campaigns:\n" + entry("A")})
    api = ApiClient.from_env(api_env.url)
    uuid = api.find_template_by_name("menu")["template_uuid"]
    body = {key: value for key, value in api.get_template(uuid).items()
            if key != "template_uuid"}
    options = [{"press_num": "1", "toggled": False, "voice_type": "tts", "enable": True,
                "content": "Cảm ơn nhiều", "type": "tts", "extension": "5000"},
               {"press_num": "3", "toggled": False, "voice_type": "tts", "enable": True,
                "content": "Ba", "type": "tts", "extension": "7000"}]
    api.update_template(uuid, {**body, "press_options": options})
    put(api_env, "A", concurrent_call=2)
    updated = run_cli("export", "--update", "campaigns", "--no-new")
    assert updated.code == 1
    assert ("template 'menu' (campaigns/t.yaml:2): press option 3 is live but its toggled, "
            "enable, type, extension are not declared") in updated.stderr
    assert (directory / "t.yaml").read_text(encoding="utf-8") == TEMPLATE
    assert "concurrent_call: 2" in (directory / "c.yaml").read_text(encoding="utf-8")
    # Without the new option, the changed one is taken back, its write-only keys kept.
    api.update_template(uuid, {**body, "press_options": options[:1]})
    again = run_cli("export", "--update", "campaigns", "--no-new")
    assert again.code == 0, again.output
    assert (directory / "t.yaml").read_text(encoding="utf-8") == TEMPLATE.replace(
        "content: Cảm ơn\n", "content: Cảm ơn nhiều\n")
    assert run_cli("plan", "campaigns", "--detailed-exitcode").code == 0


def test_a_symlinked_manifest_is_written_through_its_link(api_env, tmp_path, monkeypatch):
    """The link used to be replaced by a regular file (the shared target left stale)."""
    shared = tmp_path / "shared.yaml"
    shared.write_text("campaigns:\n" + entry("Linked"), encoding="utf-8")
    (tmp_path / "campaigns").mkdir()
    os.symlink(shared, tmp_path / "campaigns" / "linked.yaml")
    directory = applied(tmp_path, monkeypatch, {})
    put(api_env, "Linked", concurrent_call=6)
    updated = run_cli("export", "--update", "campaigns", "--no-new")
    assert updated.code == 0, updated.output
    assert (directory / "linked.yaml").is_symlink()
    assert shared.read_text(encoding="utf-8") == "campaigns:\n" + entry(
        "Linked", "    concurrent_call: 6\n")
    assert run_cli("plan", "campaigns", "--detailed-exitcode").code == 0


def test_a_read_only_manifest_is_refused_located_and_nothing_is_written(
    api_env, tmp_path, monkeypatch
):
    """chmod a-w says "do not change me"; the rename used to replace it anyway (the mode
    even copied onto the new text), and the report said Updated."""
    directory = applied(tmp_path, monkeypatch, {"a.yaml": "campaigns:\n" + entry("A"),
                                                "b.yaml": "campaigns:\n" + entry("B")})
    put(api_env, "A", concurrent_call=2)
    put(api_env, "B", concurrent_call=3)
    (directory / "b.yaml").chmod(0o444)
    before = {path.name: path.read_bytes() for path in directory.iterdir()}
    updated = run_cli("export", "--update", "campaigns")
    assert updated.code == 1
    assert ("error: campaigns/b.yaml: the file is read-only (make it writable to take the "
            "drift back into it); nothing was written") in updated.stderr
    assert "Updated" not in updated.stdout and "Wrote" not in updated.stdout
    assert {path.name: path.read_bytes() for path in directory.iterdir()} == before


def test_a_rename_that_fails_midway_puts_the_earlier_files_back(
    api_env, tmp_path, monkeypatch
):
    """Staging succeeded, then the second rename failed: the first file used to stay
    changed (a half-updated tree) while the report already said both were Updated."""
    directory = applied(tmp_path, monkeypatch, {"a.yaml": "campaigns:\n" + entry("A"),
                                                "b.yaml": "campaigns:\n" + entry("B")})
    put(api_env, "A", concurrent_call=2)
    put(api_env, "B", concurrent_call=3)
    before = {path.name: path.read_bytes() for path in directory.iterdir()}
    real_replace, calls = os.replace, []

    def second_fails(source: str, target: str) -> None:
        calls.append(target)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(reconciler.export_update.os, "replace", second_fails)
    updated = run_cli("export", "--update", "campaigns", "--no-new")
    assert updated.code == 1
    assert "No space left on device; nothing was written" in updated.stderr
    assert "Updated" not in updated.stdout
    assert {path.name: path.read_bytes() for path in directory.iterdir()} == before


def test_an_interrupt_while_files_are_renamed_waits_for_the_last(
    api_env, tmp_path, monkeypatch
):
    """Ctrl-C right after the first rename used to leave the second file as it was."""
    directory = applied(tmp_path, monkeypatch, {"a.yaml": "campaigns:\n" + entry("A"),
                                                "b.yaml": "campaigns:\n" + entry("B")})
    put(api_env, "A", concurrent_call=2)
    put(api_env, "B", concurrent_call=3)
    real_replace, calls = os.replace, []

    def interrupted_after_first(source: str, target: str) -> None:
        real_replace(source, target)
        calls.append(target)
        if len(calls) == 1:
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(reconciler.export_update.os, "replace", interrupted_after_first)
    previous = {signum: signal.getsignal(signum) for signum in SIGNALS}
    install_default_handlers()  # as main() does: SIGINT raises Interrupted
    try:
        updated = run_cli("export", "--update", "campaigns", "--no-new")
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    assert updated.code == 130 and "Interrupted by SIGINT." in updated.stderr
    assert len(calls) == 2
    assert "concurrent_call: 2" in (directory / "a.yaml").read_text(encoding="utf-8")
    assert "concurrent_call: 3" in (directory / "b.yaml").read_text(encoding="utf-8")
    assert sorted(path.name for path in directory.iterdir()) == ["a.yaml", "b.yaml"]


def test_plan_drift_words_every_kind_of_change(api_env, tmp_path, monkeypatch):
    """An update, a create, a delete of an entry declared absent and a --prune delete, in
    text, and JSON's updated_at on each live one. A delete used to read "last changed since
    <time>"."""
    applied(tmp_path, monkeypatch, {"a.yaml": "campaigns:\n" + entry("A") + entry("Gone")
                                    + "  - campaign_name: Absent\n    state: absent\n"})
    api = ApiClient.from_env(api_env.url)
    put(api_env, "A", concurrent_call=3)
    gone = api.find_campaign_by_name("Gone")["campaign_uuid"]
    api.set_active(gone, False)
    api.delete_campaign(gone)
    for name in ("Absent", "Stray"):
        api.create_campaign({"campaign_name": name, "type": "autocall",
                             "type_autocall": "autocall_voice_tts"})
    when = {row["campaign_name"]: api.get_campaign(row["campaign_uuid"])["updated_at"]
            for row in api.list_campaigns()}
    text = run_cli("plan", "campaigns", "--drift", "--prune")
    assert text.code == 2, text.output
    for line in (
        f"      # changed outside the manifests since {when['A']}\n      ~ concurrent_call: 3 → 1",
        "      # declared in the manifests, but not live (deleted outside them, or never "
        "applied)",
        f"      # live, but declared absent (last changed at {when['Absent']})",
        f"      # live, but declared by no manifest (last changed at {when['Stray']})",
        "Drift: 1 changed outside the manifests, 1 declared but not live, 2 live but not "
        "wanted.",
    ):
        assert line in text.stdout
    assert "since" not in text.stdout.replace("changed outside the manifests since", "")
    document = json.loads(run_cli("plan", "campaigns", "--prune", "--format", "json").stdout)
    stamped = {change["campaign_name"]: change.get("updated_at")
               for change in document["changes"]}
    assert stamped == {"A": when["A"], "Absent": when["Absent"], "Stray": when["Stray"],
                       "Gone": None}


# ---- in-place edits of odd YAML (pure) -------------------------------------------------------

FLOW = """\
campaigns:
  - campaign_name: A
    network: {
      viettel: 1,  # the main trunk
      mobi: 2,     # keep low
    }
    recall_status: [
      busy,  # retry busy lines
      failed,
    ]
    labels: {team: billing}
"""


def edited(text: str, *edits: tuple[tuple, object]) -> str:
    edit = FileEdit(text, "t.yaml")
    for path, value in edits:
        edit.set(path, value)
    return edit.result()


def test_a_multi_line_flow_mapping_is_changed_key_by_key_keeping_its_comments():
    """It used to be rewritten on one line: `{viettel: 1, mobi: 3}`, both comments gone."""
    after = edited(FLOW, (("campaigns", 0, "network"), {"viettel": 1, "mobi": 3, "tel": 2}))
    assert after == FLOW.replace("      mobi: 2,     # keep low",
                                 "      mobi: 3, tel: 2,     # keep low")


def test_a_flow_list_whose_rewrite_would_drop_a_comment_is_refused():
    with pytest.raises(EditError, match=r"campaigns\[0\]\.recall_status: a comment inside this "
                                        "flow collection would be lost"):
        edited(FLOW, (("campaigns", 0, "recall_status"), ["busy"]))
    one_line = "campaigns:\n  - campaign_name: A\n    recall_status: [busy, failed]  # both\n"
    assert edited(one_line, (("campaigns", 0, "recall_status"), ["busy"])) == (
        one_line.replace("[busy, failed]", "[busy]"))


def test_a_value_changed_inside_a_flow_mapping_is_quoted_for_flow():
    """Key by key (its comment kept), and a value a flow context would cut is quoted."""
    text = "campaigns:\n  - {campaign_name: A,  # the name\n     description: x}\n"
    after = edited(text, (("campaigns", 0, "description"), "a, b} c"))
    assert after == text.replace("description: x", 'description: "a, b} c"')


def test_anchors_reached_a_billion_times_are_walked_once():
    laughs = ["campaigns:\n  - campaign_name: A\n    description: x\n", "x0: &a0 [1, 1]\n"]
    laughs += [f"x{n}: &a{n} [*a{n - 1}, *a{n - 1}, *a{n - 1}]\n" for n in range(1, 40)]
    text = laughs[0] + "    labels: {}\n" + "".join("    " + line for line in laughs[1:])
    edit = FileEdit(text.replace("    labels: {}\n", "    labels:\n"), "t.yaml")
    assert edit._in_flow(edit.root) is False  # noqa: SLF001 - the walk is the point
