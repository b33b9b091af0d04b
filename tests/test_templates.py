"""Templates as code, end to end: real CLI, real HTTP, the emulator as the tenant."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clirun import run_cli

TEMPLATE = """\
templates:
  - template_name: nhac_no_v2
    voice_type: tts
    voice_tts: south-f-03
    speed_tts: 1.0
    content: "Chào {{customer_name}}, khoản nợ {{due_amount}} đến hạn."
    enable_option: true
    press_options:
      - press_num: "1"
        voice_type: tts
        content: "Cảm ơn quý khách đã xác nhận"
        toggled: false
        enable: true
        type: tts
        extension: "5000"
    exit_sound: {enable: true, voice_type: tts, content: "Tạm biệt"}
"""
CAMPAIGN = """\
campaigns:
  - campaign_name: NhacNoV2
    template: nhac_no_v2
    concurrent_call: 3
"""


def write(tmp_path: Path, text: str, name: str = "m.yaml") -> str:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return str(tmp_path)


def plan_json(manifests: str, *extra: str) -> dict:
    result = run_cli("plan", manifests, "--format", "json", *extra)
    assert result.code == 0, result.output
    return json.loads(result.stdout)


def assert_converged(manifests: str, *extra: str) -> None:
    """Nothing left to change but the rewrite of a template whose press options declare
    write-only keys (no read can confirm them): shown, every time, but not drift."""
    again = run_cli("plan", manifests, "--detailed-exitcode", *extra)
    assert again.code == 0, again.output
    assert "No changes." in again.stdout or "unverifiable, not drift" in again.stdout
    left = plan_json(manifests, *extra)["changes"]
    assert all(change.get("rewrite") is True and change["fields"] == {} for change in left), left


def writes(server) -> list[tuple[str, str]]:
    return [(method, path) for method, path, _ in server.write_requests()]


def applied(manifests: str, *extra: str) -> str:
    result = run_cli("apply", manifests, "--auto-approve", *extra)
    assert result.code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("parallelism", ["1", "8"])
def test_a_template_and_the_campaign_using_it_apply_in_one_run(api_env, tmp_path, parallelism):
    manifests = write(tmp_path, TEMPLATE + CAMPAIGN)
    planned = plan_json(manifests)
    template, campaign = planned["changes"]
    assert (template["kind"], template["action"], template["template_name"]) == (
        "template", "create", "nhac_no_v2")
    assert template["template_uuid"] is None and "campaign_name" not in template
    assert template["placeholders"] == ["customer_name", "due_amount"]
    assert (campaign["kind"], campaign["campaign_name"]) == ("campaign", "NhacNoV2")
    # The uuid is not known before apply: the campaign refers to the template by name.
    assert campaign["apply"]["refs"] == {"template_uuid": "nhac_no_v2"}
    assert "template_uuid" not in campaign["apply"]["create_body"]
    assert campaign["fields"]["template"] == {"before": None, "after": "nhac_no_v2"}
    assert campaign["placeholders"] == ["customer_name", "due_amount"]
    assert template["apply"]["level"] < campaign["apply"]["level"]

    out = applied(manifests, "-p", parallelism)
    assert "✓ create template nhac_no_v2: created" in out
    assert writes(api_env) == [("POST", "/v3/template"), ("POST", "/v3/campaign")]
    uuid = api_env.store.uuid_by_name("template", "nhac_no_v2")
    live = api_env.store.get_campaign(api_env.store.campaign_uuid_by_name("NhacNoV2"))
    assert live["template_uuid"] == uuid
    # What a read never returns was sent all the same.
    option = api_env.store.get_template(uuid)["press_options"][0]
    assert (option["toggled"], option["enable"], option["type"], option["extension"]) == (
        False, True, "tts", "5000")
    assert_converged(manifests)


def test_the_plan_says_what_a_template_write_sends_that_it_cannot_check(api_env, tmp_path):
    manifests = write(tmp_path, TEMPLATE + CAMPAIGN)
    text = run_cli("plan", manifests).stdout
    line = (
        '      ! sent, not verifiable (never read back): press 1: toggled false, enable true, '
        'type "tts", extension "5000"'
    )
    assert text.count(line) == 1
    assert "+ create template nhac_no_v2" in text
    assert "its template needs these params in each lead import: customer_name, due_amount" in (
        text)


def test_a_content_change_is_a_template_update_only_and_a_put(api_env, tmp_path):
    manifests = write(tmp_path, TEMPLATE + CAMPAIGN)
    applied(manifests)
    uuid = api_env.store.uuid_by_name("template", "nhac_no_v2")
    api_env.requests.clear()
    changed = TEMPLATE.replace("{{due_amount}} đến hạn.", "{{due_amount}} đã quá hạn.")
    write(tmp_path, changed + CAMPAIGN)

    [change] = plan_json(manifests)["changes"]
    assert (change["kind"], change["action"], change["template_uuid"]) == (
        "template", "update", uuid)
    assert list(change["fields"]) == ["content"]
    text = run_cli("plan", manifests).stdout
    assert "~ update template nhac_no_v2" in text
    assert "~ Chào {{customer_name}}, khoản nợ {{due_amount}} [-đến-]{+đã quá+} hạn." in text

    out = applied(manifests)
    assert "✓ update template nhac_no_v2: updated (read back: the readable fields match; sent " \
        "but not verifiable, never read back: press 1 toggled, enable, type, extension)" in out
    assert writes(api_env) == [("PUT", f"/v3/template/{uuid}")]
    stored = api_env.store.get_template(uuid)
    assert "đã quá hạn" in stored["content"]
    assert stored["press_options"][0]["extension"] == "5000"  # sent again with the PUT
    assert_converged(manifests)


def test_retiring_both_deletes_the_campaign_before_the_template(api_env, tmp_path):
    manifests = write(tmp_path, TEMPLATE + CAMPAIGN)
    applied(manifests)
    template_uuid = api_env.store.uuid_by_name("template", "nhac_no_v2")
    campaign_uuid = api_env.store.campaign_uuid_by_name("NhacNoV2")
    api_env.requests.clear()
    write(tmp_path, "templates:\n  - template_name: nhac_no_v2\n    state: absent\n"
                    "campaigns:\n  - campaign_name: NhacNoV2\n    state: absent\n")
    out = applied(manifests, "-p", "8")
    assert writes(api_env) == [
        ("PATCH", f"/v3/campaign/{campaign_uuid}/active"),
        ("DELETE", f"/v3/campaign/{campaign_uuid}"),
        ("DELETE", f"/v3/template/{template_uuid}"),
    ]
    assert out.index("delete NhacNoV2") < out.index("delete template nhac_no_v2")
    assert api_env.store.get_template(template_uuid) is None
    assert_converged(manifests)


def test_retiring_a_template_a_campaign_still_uses_is_refused_without_a_write(
    api_env, tmp_path
):
    manifests = write(tmp_path, TEMPLATE + CAMPAIGN)
    applied(manifests)
    api_env.requests.clear()
    retired = "templates:\n  - template_name: nhac_no_v2\n    state: absent\n"
    # The campaign's entry still names it...
    write(tmp_path, retired + CAMPAIGN)
    for command in (("plan", manifests), ("apply", manifests, "--auto-approve")):
        result = run_cli(*command)
        assert result.code == 1
        assert 'm.yaml:6: template: "nhac_no_v2" is declared absent (state: absent at ' in (
            result.stderr)
    # ... or does not manage its template at all: the live campaign still uses it.
    write(tmp_path, retired + "campaigns:\n  - campaign_name: NhacNoV2\n    concurrent_call: 3\n")
    for command in (("plan", manifests), ("apply", manifests, "--auto-approve")):
        result = run_cli(*command)
        assert result.code == 1
        assert (
            "m.yaml:3: cannot delete template 'nhac_no_v2': campaigns that stay use it "
            "('NhacNoV2')"
        ) in result.stderr
    assert writes(api_env) == []
    assert api_env.store.uuid_by_name("template", "nhac_no_v2") is not None


def test_an_undeclared_campaign_using_the_template_blocks_its_delete(api_env, tmp_path):
    uuid = api_env.store.add_template("old_script", content="Xin chào")
    api_env.store.add_campaign({"campaign_name": "Legacy", "template_uuid": uuid})
    manifests = write(tmp_path, "templates:\n  - template_name: old_script\n    state: absent\n")
    result = run_cli("plan", manifests)
    assert result.code == 1 and "('Legacy')" in result.stderr


def test_repointing_a_campaign_to_a_new_template_and_retiring_the_old(api_env, tmp_path):
    old = api_env.store.add_template("old_script", content="Xin chào {{name}}")
    api_env.store.add_campaign({"campaign_name": "NhacNoV2", "template_uuid": old,
                                "active": False})
    manifests = write(
        tmp_path,
        TEMPLATE + "  - template_name: old_script\n    state: absent\n" + CAMPAIGN,
    )
    applied(manifests, "-p", "8")
    new = api_env.store.uuid_by_name("template", "nhac_no_v2")
    campaign = api_env.store.campaign_uuid_by_name("NhacNoV2")
    assert writes(api_env) == [
        ("POST", "/v3/template"),
        ("PUT", f"/v3/campaign/{campaign}"),
        ("DELETE", f"/v3/template/{old}"),
    ]
    assert api_env.store.get_campaign(campaign)["template_uuid"] == new
    assert_converged(manifests)


def test_prune_deletes_unused_templates_only(api_env, tmp_path):
    unused = api_env.store.add_template("unused_script", content="x")
    used = api_env.store.add_template("used_script", content="y")
    api_env.store.add_campaign({"campaign_name": "Other", "template_uuid": used,
                                "type": "inbound"})
    manifests = write(tmp_path, TEMPLATE)
    planned = plan_json(manifests, "--prune")
    deleted = [c["template_name"] for c in planned["changes"] if c["action"] == "delete"]
    # The emulator's default templates are unused too; none a campaign uses is pruned.
    assert "unused_script" in deleted and "used_script" not in deleted
    assert "--prune: template 'used_script' is kept: campaigns use it ('Other')" in (
        planned["notes"])
    applied(manifests, "--prune", "--max-deletes", "10")
    assert api_env.store.get_template(unused) is None
    assert api_env.store.get_template(used) is not None
    assert_converged(manifests, "--prune")


def test_campaign_only_manifests_never_prune_templates(api_env, tmp_path):
    manifests = write(tmp_path, "campaigns:\n  - campaign_name: Solo\n")
    planned = plan_json(manifests, "--prune")
    assert all(change["kind"] == "campaign" for change in planned["changes"])


def test_a_saved_plan_creates_the_template_and_fills_in_its_uuid(api_env, tmp_path):
    manifests = write(tmp_path, TEMPLATE + CAMPAIGN)
    plan_file = str(tmp_path / "plan.json")
    assert run_cli("plan", manifests, "--out", plan_file).code == 0
    result = run_cli("apply", "--plan", plan_file, "--auto-approve")
    assert result.code == 0, result.output
    uuid = api_env.store.uuid_by_name("template", "nhac_no_v2")
    live = api_env.store.get_campaign(api_env.store.campaign_uuid_by_name("NhacNoV2"))
    assert live["template_uuid"] == uuid
    assert_converged(manifests)


def test_a_saved_plan_is_refused_when_its_template_changed(api_env, tmp_path):
    manifests = write(tmp_path, TEMPLATE)
    applied(manifests)
    write(tmp_path, TEMPLATE.replace("Tạm biệt", "Hẹn gặp lại"))
    plan_file = str(tmp_path / "plan.json")
    assert run_cli("plan", manifests, "--out", plan_file).code == 0
    uuid = api_env.store.uuid_by_name("template", "nhac_no_v2")
    api_env.store.add_template("nhac_no_v2", uuid, content="edited in the portal")
    api_env.requests.clear()
    result = run_cli("apply", "--plan", plan_file, "--auto-approve")
    assert result.code == 1
    assert "nhac_no_v2: changed on the server since the plan was made" in result.stderr
    assert writes(api_env) == []


def test_a_template_write_the_api_does_not_keep_fails_naming_the_field(api_env, tmp_path):
    manifests = write(tmp_path, TEMPLATE)
    applied(manifests)
    api_env.quirks.put_drops.add("content")
    write(tmp_path, TEMPLATE.replace("đến hạn", "quá hạn"))
    result = run_cli("apply", manifests, "--auto-approve")
    assert result.code == 1
    assert "the API answered success but did not keep what was sent: content: sent" in (
        result.output)


def test_template_validation_errors_are_located(tmp_path):
    manifests = write(tmp_path, """\
templates:
  - template_name: bad
    voice_type: tts
    voice_tts: robot
    speed_tts: 3
    audio_file: abc
    content: "Chào {{ten khach}}"
    press_options:
      - press_num: "1"
      - press_num: "1"
      - press_num: 2
  - template_name: bad
""")
    result = run_cli("validate", manifests)
    assert result.code == 1
    lines = result.stderr.splitlines()
    assert lines[:-1] == [
        f"{tmp_path}/m.yaml:4: voice_tts: must be one of north-m-01, north-f-01, north-m-02, "
        "north-f-02, south-m-03, south-f-03; got the string 'robot'",
        f"{tmp_path}/m.yaml:5: speed_tts: must be <= 2",
        f"{tmp_path}/m.yaml:6: audio_file: is for voice_type audio_file; with voice_type tts "
        "the call plays content (remove audio_file or change voice_type)",
        f"{tmp_path}/m.yaml:7: content: malformed placeholder '{{{{ten khach}}}}': write "
        "{{name}} with letters, digits and _ (it is filled from the lead's param of that name)",
        f"{tmp_path}/m.yaml:11: press_options[2].press_num: must be text, got the number 2 "
        "(quote it)",
        f"{tmp_path}/m.yaml:12: duplicate template_name 'bad' (first declared at "
        f"{tmp_path}/m.yaml:2)",
    ]
    consistent = write(tmp_path, """\
templates:
  - template_name: t
    voice_type: tts
    audio_file: abc
    press_options:
      - press_num: "1"
      - press_num: "1"
""")
    result = run_cli("validate", consistent)
    assert result.code == 1
    assert f"{tmp_path}/m.yaml:4: audio_file: is for voice_type audio_file" in result.stderr
    assert f"{tmp_path}/m.yaml:7: press_options[1].press_num: press_num '1' is listed twice" in (
        result.stderr)


def test_a_campaign_cannot_use_a_template_declared_absent(api_env, tmp_path):
    manifests = write(tmp_path, "templates:\n  - template_name: gone\n    state: absent\n"
                                "campaigns:\n  - campaign_name: C\n    template: gone\n")
    result = run_cli("plan", manifests)
    assert result.code == 1
    assert 'm.yaml:6: template: "gone" is declared absent' in result.stderr


def test_html_report_shows_the_script_diff_and_params(api_env, tmp_path):
    manifests = write(tmp_path, TEMPLATE + CAMPAIGN)
    applied(manifests)
    write(tmp_path, TEMPLATE.replace("đến hạn", "quá hạn") + CAMPAIGN)
    report = tmp_path / "plan.html"
    assert run_cli("plan", manifests, "--format", "html", "--out", str(report)).code == 0
    page = report.read_text(encoding="utf-8")
    assert 'data-template="nhac_no_v2"' in page and 'data-kind="template"' in page
    assert "<del>đến</del><ins>quá</ins>" in page
    assert 'data-placeholders="customer_name due_amount"' in page
    markdown = run_cli("plan", manifests, "--format", "markdown").stdout
    assert "[-đến-]{+quá+}" in markdown


def test_export_then_plan_of_a_tenant_with_templates_shows_no_changes(
    api_env, tmp_path, monkeypatch
):
    manifests = write(tmp_path, TEMPLATE + CAMPAIGN)
    applied(manifests)
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "exported"
    result = run_cli("export", "--out", str(out))
    assert result.code == 0, result.output
    assert "and 5 templates" in result.stdout  # ours and the tenant's four
    text = (out / "template-nhac-no-v2.yaml").read_text(encoding="utf-8")
    assert "templates:\n  - template_name: nhac_no_v2\n" in text
    assert "never reads back a press option's toggled, enable, type or extension" in text
    assert 'content: "Chào {{customer_name}}, khoản nợ {{due_amount}} đến hạn."' in text or (
        "content: Chào {{customer_name}}, khoản nợ {{due_amount}} đến hạn." in text)
    campaign = (out / "nhacnov2.yaml").read_text(encoding="utf-8")
    assert "template: nhac_no_v2" in campaign
    api_env.requests.clear()
    planned = run_cli("plan", str(out), "--detailed-exitcode", "--prune")
    assert planned.code == 0, planned.output
    assert "No changes." in planned.stdout


def test_a_pinned_template_renames_and_campaign_rows_follow(api_env, tmp_path):
    uuid = api_env.store.add_template("old_name", content="Xin chào")
    manifests = write(
        tmp_path, f"templates:\n  - template_name: new_name\n    template_uuid: {uuid}\n"
    )
    [change] = plan_json(manifests)["changes"]
    assert (change["action"], change["fields"]) == (
        "update", {"template_name": {"before": "old_name", "after": "new_name"}})
    applied(manifests)
    assert writes(api_env) == [("PUT", f"/v3/template/{uuid}")]
    assert api_env.store.template_name(uuid) == "new_name"
    assert_converged(manifests)


def test_a_live_template_claimed_by_two_entries_is_refused(api_env, tmp_path):
    uuid = api_env.store.uuid_by_name("template", "ma_otp_01")
    manifests = write(tmp_path, "templates:\n  - template_name: ma_otp_01\n"
                                f"  - template_name: otp_renamed\n    template_uuid: {uuid}\n")
    result = run_cli("plan", manifests)
    assert result.code == 1
    assert f"live template 'ma_otp_01' ({uuid}) is claimed by 2 entries" in result.stderr


def test_target_a_campaign_brings_the_template_it_needs(api_env, tmp_path):
    manifests = write(tmp_path, TEMPLATE + CAMPAIGN + "  - campaign_name: Other\n")
    planned = plan_json(manifests, "--target", "NhacNoV2")
    assert [(c["kind"], c["action"]) for c in planned["changes"]] == [
        ("template", "create"), ("campaign", "create")]
    assert ("--target: also create 'nhac_no_v2': a targeted campaign uses the template it "
            "creates") in planned["notes"]
    applied(manifests, "--target", "NhacNoV2")
    assert api_env.store.campaign_uuid_by_name("Other") is None
    assert api_env.store.campaign_uuid_by_name("NhacNoV2") is not None


def test_a_stop_after_the_template_leaves_its_campaign_not_attempted(api_env, tmp_path):
    """A signal between levels: what is done is reported done, the rest not attempted."""
    import threading

    from reconciler.api import ApiClient
    from reconciler.apply import apply_plan
    from reconciler.manifest.loader import load_manifests
    from reconciler.refresh import make_plan

    manifests = write(tmp_path, TEMPLATE + CAMPAIGN)
    stop = threading.Event()
    with ApiClient(api_env.url, token=api_env.token) as client:
        plan = make_plan(client, load_manifests([manifests]))
        report = apply_plan(client, plan, parallelism=8, stop=stop,
                            on_outcome=lambda outcome: stop.set())
    assert [(o.change.kind, o.status) for o in report.outcomes] == [
        ("template", "done"), ("campaign", "not attempted")]
    assert report.interrupted
    assert writes(api_env) == [("POST", "/v3/template")]


def test_two_templates_swap_names_through_a_temporary_one(api_env, tmp_path):
    first = api_env.store.add_template("alpha", content="A")
    second = api_env.store.add_template("beta", content="B")
    manifests = write(tmp_path, f"templates:\n"
                                f"  - template_name: beta\n    template_uuid: {first}\n"
                                f"  - template_name: alpha\n    template_uuid: {second}\n")
    out = applied(manifests, "-p", "8")
    assert "renamed to temporary name" in out
    assert (api_env.store.template_name(first), api_env.store.template_name(second)) == (
        "beta", "alpha")
    assert_converged(manifests)


def test_the_plan_document_round_trips_template_changes(api_env, tmp_path):
    from reconciler.render.json import plan_document, plan_from_document

    manifests = write(tmp_path, TEMPLATE + CAMPAIGN)
    document = plan_json(manifests)
    plan = plan_from_document(document)
    assert [(c.kind, c.name, c.level, c.refs) for c in plan.changes] == [
        ("template", "nhac_no_v2", 0, {}),
        ("campaign", "NhacNoV2", 1, {"template_uuid": "nhac_no_v2"}),
    ]
    again = plan_document(plan)
    assert again["changes"] == document["changes"] and again["notes"] == document["notes"]


def test_a_plan_saved_before_kinds_is_read_as_campaigns_in_phases():
    from reconciler.render.json import plan_from_document

    old = {"format_version": 1, "api_url": "http://x", "summary": {"unchanged": 0},
           "changes": [
               {"action": action, "campaign_name": name, "campaign_uuid": None, "fields": {},
                "apply": {"create_body": {}, "put": {}, "active": None, "fingerprint": None,
                          "live_name": None, "live_status": None, "wave": 0, "via_name": None}}
               for action, name in (("create", "C"), ("delete", "D"), ("update", "U"))]}
    plan = plan_from_document(old)
    assert [(c.kind, c.action, c.level) for c in plan.changes] == [
        ("campaign", "delete", 0), ("campaign", "update", 1), ("campaign", "create", 2)]
