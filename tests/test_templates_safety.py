"""What the red team found in templates as code: a targeted template delete pulls in only its
own users' changes, a template is never deleted under a campaign, a menu is never reset
unseen, renames and Unicode spellings of template names are followed. Real HTTP, real CLI."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from clirun import run_cli

from reconciler.emulator import EmulatorServer


def write(tmp_path: Path, text: str) -> str:
    (tmp_path / "m.yaml").write_text(text, encoding="utf-8")
    return str(tmp_path)


def campaign_names(env: EmulatorServer) -> set[str]:
    return {doc["campaign_name"] for doc in env.store.campaigns()}


def permissive(env: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A tenant that lets a template in use be deleted (nothing documents the refusal)."""
    monkeypatch.setattr(env.store, "campaigns_using_template", lambda uuid: [])


def test_targeting_a_template_delete_leaves_unrelated_campaigns_alone(api_env, tmp_path):
    unused = api_env.store.add_template("t_unused", content="x")
    for n in range(3):
        api_env.store.add_campaign({"campaign_name": f"Legacy{n}"})
    api_env.store.add_campaign({"campaign_name": "Keep"})
    manifests = write(tmp_path, "templates:\n  - template_name: t_unused\n    state: absent\n"
                                "campaigns:\n  - campaign_name: Keep\n")
    result = run_cli("apply", manifests, "--prune", "--target", "t_unused", "--auto-approve")
    assert result.code == 0, result.output
    assert "Legacy" not in result.stdout
    assert campaign_names(api_env) == {"Keep", "Legacy0", "Legacy1", "Legacy2"}
    assert api_env.store.get_template(unused) is None


def test_a_template_is_not_deleted_while_a_campaign_whose_move_failed_still_uses_it(
    api_env, tmp_path, monkeypatch
):
    monkeypatch.setenv("RECONCILER_RETRY_BACKOFF", "0.001")
    permissive(api_env, monkeypatch)
    old = api_env.store.add_template("t_old", content="old")
    api_env.store.add_campaign({"campaign_name": "C1", "template_uuid": old})
    manifests = write(tmp_path, (
        "templates:\n  - template_name: t_new\n    content: new\n"
        "  - template_name: t_old\n    state: absent\n"
        "campaigns:\n  - campaign_name: C1\n    template: t_new\n"
    ))
    api_env.faults.fail("PUT", "^/v3/campaign/", 400, times=None, body={"error": "refused"})
    result = run_cli("apply", manifests, "--auto-approve", "--continue-on-error")
    assert result.code == 1
    assert "template 't_old' is still used by 'C1'; it was not deleted" in result.stdout
    assert api_env.store.get_template(old) is not None


def test_a_saved_template_delete_is_not_applied_once_a_campaign_uses_the_template(
    api_env, tmp_path, monkeypatch
):
    permissive(api_env, monkeypatch)
    spare = api_env.store.add_template("t_spare", content="x")
    manifests = write(tmp_path, "templates:\n  - template_name: t_spare\n    state: absent\n")
    plan_file = str(tmp_path / "plan.json")
    assert run_cli("plan", manifests, "--out", plan_file).code == 0
    api_env.store.add_campaign({"campaign_name": "Late", "template_uuid": spare})
    result = run_cli("apply", "--plan", plan_file, "--auto-approve")
    assert result.code == 1
    assert "template 't_spare' is still used by 'Late'" in result.output
    assert api_env.store.get_template(spare) is not None


def test_renaming_a_template_a_campaign_still_names_by_its_old_name_is_refused(
    api_env, tmp_path
):
    old = api_env.store.add_template("T", content="x")
    api_env.store.add_campaign({"campaign_name": "C1", "template_uuid": old})
    manifests = write(tmp_path, (
        f"templates:\n  - template_name: T2\n    template_uuid: {old}\n"
        "campaigns:\n  - campaign_name: C1\n    template: T\n"
    ))
    planned = run_cli("plan", manifests)
    assert planned.code == 1
    assert "template: 'T' is renamed to 'T2' by this plan: name it 'T2'" in planned.stderr
    assert api_env.write_requests() == []


def test_a_template_named_in_another_unicode_form_is_found(api_env, tmp_path):
    nfc = unicodedata.normalize("NFC", "nhắc_nợ")
    nfd = unicodedata.normalize("NFD", nfc)
    uuid = api_env.store.add_template(nfc, content="x")
    api_env.store.add_campaign({"campaign_name": "C1", "template_uuid": uuid})
    manifests = write(tmp_path, f'campaigns:\n  - campaign_name: C1\n    template: "{nfd}"\n')
    planned = run_cli("plan", manifests, "--detailed-exitcode")
    assert planned.code == 0, planned.output


def test_a_template_write_sends_back_the_documented_keywords_it_does_not_manage():
    """key_field_1..3 are documented write fields (the script's keywords): a full-replace PUT
    built from a read that holds them must carry them, or it would reset them."""
    from reconciler.kinds.template import write_form

    live = {"template_name": "t", "content": "Chào {{customer_name}}", "press_options": [],
            "key_field_1": "customer_name", "key_field_2": "due_amount", "domain_uuid": "d"}
    body = write_form(live)
    assert (body["key_field_1"], body["key_field_2"]) == ("customer_name", "due_amount")
    assert "key_field_3" not in body and "domain_uuid" not in body


@pytest.mark.parametrize("entry, message", [
    ("    content: 'Chào {{a}}}'\n", "stray brace in '}}}'"),
    ("    speed_tts: .nan\n", "speed_tts"),
    ("    content: Chào\n    audio_file: x.wav\n",
     "both content and audio_file are given but no voice_type"),
])
def test_template_values_that_cannot_mean_what_they_say_are_refused(tmp_path, entry, message):
    manifests = write(tmp_path, "templates:\n  - template_name: t\n" + entry)
    result = run_cli("validate", manifests)
    assert result.code == 1, result.output
    assert "m.yaml:" in result.stderr and message in result.stderr
    assert "internal error" not in result.output
