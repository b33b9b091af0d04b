"""Red team of issue 21 ("No false word"): what an operator can still do to make the tool
create look-alike twins, act on what it did not read, or say what did not happen.

Real CLI, real HTTP, the emulator as the tenant.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clirun import run_cli

CLEAN = "Nhắc nợ"
DOUBLED = "Nhắc  nợ"  # two ordinary spaces: passes the manifest's name check, reads alike


def write(tmp_path: Path, text: str, name: str = "m.yaml") -> str:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return str(tmp_path)


def names(server) -> list[str]:
    return sorted(doc["campaign_name"] for doc in server.store.campaigns())


# -- two entries whose names read alike -----------------------------------------------------


def test_two_entries_whose_names_read_alike_are_refused_not_created_as_twins(api_env, tmp_path):
    """`Nhắc nợ` and `Nhắc  nợ` (a doubled space) are two NFC names but one name to a
    reader: planning both creates two campaigns nobody can tell apart in the portal."""
    manifests = write(
        tmp_path, f'campaigns:\n  - campaign_name: "{CLEAN}"\n  - campaign_name: "{DOUBLED}"\n'
    )
    for command in (("validate",), ("plan",), ("apply", "--auto-approve")):
        result = run_cli(*command, manifests)
        assert result.code == 1, (command, result.output)
        assert (f"m.yaml:3: duplicate campaign_name \"Nhắc␠␠nợ\": it reads like \"{CLEAN}\" "
                f"(first declared at {tmp_path}/m.yaml:2; only spaces or invisible "
                "characters differ)") in result.stderr, result.stderr
    assert names(api_env) == []


def test_two_template_entries_whose_names_read_alike_are_refused(api_env, tmp_path):
    manifests = write(tmp_path, (
        f'templates:\n  - template_name: "{CLEAN}"\n    content: a\n'
        f'  - template_name: "{CLEAN} "\n    content: b\n'
        f'  - template_name: "{DOUBLED}"\n    content: c\n'
    ))
    result = run_cli("plan", manifests)
    assert result.code == 1
    assert "m.yaml:6: duplicate template_name \"Nhắc␠␠nợ\": it reads like" in result.stderr


# -- a rename onto a name another live campaign reads as ------------------------------------


def test_a_pinned_rename_onto_a_look_alike_of_another_live_name_is_refused(api_env, tmp_path):
    """The pinned entry renames `Old` to `Nhắc nợ` while another live campaign is `Nhắc nợ␠`:
    the API takes it (the names differ by a space) and leaves two campaigns that read the
    same, the very twins look-alike matching exists to prevent."""
    old = api_env.store.add_campaign({"campaign_name": "Old"})
    twin = api_env.store.add_campaign({"campaign_name": f"{CLEAN} "})
    manifests = write(
        tmp_path, f'campaigns:\n  - campaign_name: "{CLEAN}"\n    campaign_uuid: {old}\n'
    )
    for command in (("plan",), ("apply", "--auto-approve")):
        result = run_cli(*command, manifests)
        assert result.code == 1, result.output
        assert (f"m.yaml:2: campaign_name: cannot rename to \"{CLEAN}\": live campaign "
                f"\"{CLEAN}␠\" ({twin}) reads the same (only spaces or invisible characters "
                "differ)") in result.stderr, result.stderr
    assert names(api_env) == sorted(["Old", f"{CLEAN} "])


def test_a_rename_onto_a_look_alike_freed_in_the_same_plan_goes_ahead(api_env, tmp_path):
    """The twin is renamed away in the same plan: no look-alike is left, nothing refused."""
    old = api_env.store.add_campaign({"campaign_name": "Old"})
    twin = api_env.store.add_campaign({"campaign_name": f"{CLEAN} "})
    manifests = write(tmp_path, (
        f'campaigns:\n  - campaign_name: "{CLEAN}"\n    campaign_uuid: {old}\n'
        f'  - campaign_name: "Khác"\n    campaign_uuid: {twin}\n'
    ))
    applied = run_cli("apply", manifests, "--auto-approve")
    assert applied.code == 0, applied.output
    assert names(api_env) == sorted([CLEAN, "Khác"])


def test_a_template_rename_onto_a_look_alike_of_another_live_template_is_refused(
    api_env, tmp_path
):
    old = api_env.store.add_template("Old", content="a")
    twin = api_env.store.add_template(f"{CLEAN}\u00a0", content="b")
    manifests = write(tmp_path, (
        f'templates:\n  - template_name: "{CLEAN}"\n    template_uuid: {old}\n'
        "    content: a\n"
    ))
    result = run_cli("plan", manifests)
    assert result.code == 1, result.output
    assert (f"cannot rename to \"{CLEAN}\": live template \"{CLEAN}\\u00a0\" ({twin}) reads "
            "the same") in result.stderr


# -- "the live campaigns match the manifests" under --target ---------------------------------


def test_no_changes_under_target_never_says_every_live_campaign_matches(api_env, tmp_path):
    """--target A with A in sync and B drifted: the plan computed B's change and held it back,
    so "The live campaigns match the manifests" would be a false word (and "No drift" with
    --drift, a nightly check's all-clear)."""
    api_env.store.add_campaign({"campaign_name": "A", "concurrent_call": 1})
    api_env.store.add_campaign({"campaign_name": "B", "concurrent_call": 1})
    manifests = write(tmp_path, (
        "campaigns:\n  - campaign_name: A\n    concurrent_call: 1\n"
        "  - campaign_name: B\n    concurrent_call: 5\n"
    ))
    held_back = ("The targets match the manifests; 1 other change outside --target not shown "
                 "(the live objects do not all match: plan without --target to see them).")
    for extra, opening in (((), "No changes. "), (("--drift",), "No drift. "),
                           (("--format", "markdown"), "**No changes.** ")):
        result = run_cli("plan", manifests, "--target", "A", *extra)
        assert result.code == 0, result.output
        assert opening + held_back in result.stdout, result.stdout
        assert "The live campaigns match" not in result.stdout
    whole = run_cli("plan", manifests, "--target", "B", "--target", "A")
    assert "No changes" not in whole.stdout
    untargeted = write(tmp_path, "campaigns:\n  - campaign_name: A\n    concurrent_call: 1\n",
                       "m.yaml")
    alone = run_cli("plan", untargeted, "--target", "A")
    assert "No changes. The live campaigns match the manifests (1 unchanged)." in alone.stdout


# -- server text in CI documents --------------------------------------------------------------

EVIL_UUID = "u1\x1b[31m\n\u202eFAKE\u2028"


@pytest.mark.parametrize("fmt", ["sarif", "gitlab", "github"])
def test_a_hostile_live_uuid_in_a_look_alike_warning_is_escaped_in_ci_documents(
    api_env, tmp_path, monkeypatch, fmt
):
    """The look-alike warning quotes the live object's uuid, server text: a bidi override or a
    line separator in it reached SARIF, GitLab code quality and GitHub annotations raw (the
    text and JSON plans escaped it), where a review page renders it."""
    api_env.store.add_campaign({"campaign_name": f"{CLEAN} ", "campaign_uuid": EVIL_UUID})
    manifests = write(tmp_path, f'campaigns:\n  - campaign_name: "{CLEAN}"\n')
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = run_cli("plan", manifests, "--format", fmt)
    assert result.code == 0, result.output
    assert "lookalike-name" in result.stdout
    for raw in ("\x1b", "\u202e", "\u2028", "\nFAKE"):
        assert raw not in result.stdout, (raw, result.stdout)
    if fmt == "github":
        assert "(u1\\x1b[31m%0A\\u202eFAKE\\u2028)" in result.stdout
    else:
        # still the same text once decoded
        assert any(EVIL_UUID in text for text in strings(json.loads(result.stdout)))


def strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return [text for item in items for text in strings(item)]


# -- a delete reported "deleted" only once a read shows it gone --------------------------------


@pytest.mark.parametrize("kind", ["campaign", "template"])
def test_a_delete_that_answers_success_but_keeps_the_object_is_not_reported_deleted(
    api_env, tmp_path, monkeypatch, kind
):
    """A gateway that answers 200 to DELETE without passing it on: the rollback path already
    read its DELETE back; a declared `state: absent` said "deleted" and "Apply complete"
    on the answer alone."""
    monkeypatch.setenv("RECONCILER_RETRY_BACKOFF", "0.001")
    if kind == "campaign":
        uuid = api_env.store.add_campaign({"campaign_name": "Retired", "active": False})
        entry = "campaigns:\n  - campaign_name: Retired\n    state: absent\n"
        path = r"^/v3/campaign/[^/]+$"
    else:
        uuid = api_env.store.add_template("Retired", content="x")
        entry = "templates:\n  - template_name: Retired\n    state: absent\n"
        path = r"^/v3/template/[^/]+$"
    api_env.faults.fail("DELETE", path, 200, body={})  # answered, not served
    manifests = write(tmp_path, entry)
    applied = run_cli("apply", manifests, "--auto-approve")
    assert applied.code == 1, applied.output
    assert "Apply complete" not in applied.output
    assert ("the API answered success to the DELETE, but a read back still shows it"
            in applied.stdout), applied.stdout
    getter = api_env.store.get_campaign if kind == "campaign" else api_env.store.get_template
    assert getter(uuid) is not None
    again = run_cli("apply", manifests, "--auto-approve")  # the fault is spent: now it goes
    assert again.code == 0, again.output
    assert getter(uuid) is None


# -- start: the script a call plays is part of what was reviewed -------------------------------


def test_start_refuses_a_campaign_whose_template_was_edited_live(api_env, tmp_path, monkeypatch):
    """The campaign is live as declared, but its template's content was changed in the
    portal: starting the run would play a script nobody reviewed."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.yaml").write_text(
        "templates:\n  - template_name: Script\n    content: Xin chào\n"
        "campaigns:\n  - campaign_name: Reminder\n    template: Script\n    active: true\n"
        "  - campaign_name: Other\n    active: true\n",
        encoding="utf-8",
    )
    assert run_cli("apply", "c.yaml", "--auto-approve").code == 0
    [script] = [t for t in api_env.store.templates() if t["template_name"] == "Script"]
    api_env.store.replace_template({**script, "content": "Mua ngay! Khuyến mãi 90%"})
    api_env.requests.clear()
    result = run_cli("start", "c.yaml", "--target", "Reminder", "--auto-approve")
    assert result.code == 1, result.output
    assert "c.yaml:2: template Script: live differs from its manifest in content" in (
        result.stderr), result.stderr
    assert "no run was started" in result.stderr
    assert api_env.write_requests() == []
    # a campaign that uses no declared template is not held back by it
    other = run_cli("start", "c.yaml", "--target", "Other", "--auto-approve")
    assert other.code == 0, other.output


def test_start_is_not_refused_for_a_template_rewritten_on_every_apply(
    api_env, tmp_path, monkeypatch
):
    """A template declaring press options' write-only keys plans a rewrite on every run (no
    read returns them): that is not drift, and must not refuse every start."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.yaml").write_text(
        "templates:\n  - template_name: Menu\n    content: Xin chào\n"
        "    enable_option: true\n    press_options:\n      - press_num: \"1\"\n"
        "        voice_type: tts\n        content: Chuyển máy\n        toggled: true\n"
        "        enable: true\n        type: tts\n        extension: \"5000\"\n"
        "campaigns:\n  - campaign_name: Reminder\n    template: Menu\n    active: true\n",
        encoding="utf-8",
    )
    assert run_cli("apply", "c.yaml", "--auto-approve").code == 0
    assert "rewritten" in run_cli("plan", "c.yaml").stdout
    result = run_cli("start", "c.yaml", "--target", "Reminder", "--auto-approve")
    assert result.code == 0, result.output
    assert "✓ start Reminder: run started" in result.stdout
