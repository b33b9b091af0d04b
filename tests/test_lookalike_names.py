"""Look-alike names: a live campaign or template whose name differs from the entry's only in
spaces or invisible characters (a trailing space, U+00A0, U+3000, a doubled space) is the
same object to a reviewer. It is matched (with a warning that shows both spellings) and
renamed to the manifest's spelling, or refused with a pin hint when several read alike —
never planned as a create next to it plus, with --prune, the delete of the real one.
Real CLI, real HTTP, the emulator as the tenant.
"""

from __future__ import annotations

import html
import json
import unicodedata
from pathlib import Path

import pytest
from clirun import run_cli

CLEAN = "Nhắc nợ"
# Live spelling -> how plans show it.
LOOKALIKES = {
    "Nhắc nợ ": '"Nhắc nợ␠"',
    "Nhắc\u00a0nợ": '"Nhắc\\u00a0nợ"',
    "Nhắc\u3000nợ": '"Nhắc\\u3000nợ"',
    "Nhắc  nợ": '"Nhắc␠␠nợ"',
    "\u200bNhắc nợ": '"\\u200bNhắc nợ"',
}


def write(tmp_path: Path, text: str, name: str = "m.yaml") -> str:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return str(tmp_path)


def campaign_entry(concurrent: int = 3) -> str:
    return f'campaigns:\n  - campaign_name: "{CLEAN}"\n    concurrent_call: {concurrent}\n'


def template_entry(content: str = "Xin chào quý khách") -> str:
    return f'templates:\n  - template_name: "{CLEAN}"\n    content: "{content}"\n'


def plan_json(manifests: str, *extra: str) -> dict:
    result = run_cli("plan", manifests, "--format", "json", *extra)
    assert result.code == 0, result.output
    return json.loads(result.stdout)


def writes(server) -> list[tuple[str, str]]:
    return [(method, path) for method, path, _ in server.write_requests()]


# -- one live look-alike: matched, warned, renamed, never deleted --------------------------

@pytest.mark.parametrize("live_name, visible", LOOKALIKES.items())
def test_a_live_campaign_spelt_with_odd_spaces_is_updated_in_place_not_recreated(
    api_env, tmp_path, live_name, visible
):
    uuid = api_env.store.add_campaign({"campaign_name": live_name, "concurrent_call": 1})
    manifests = write(tmp_path, campaign_entry())
    document = plan_json(manifests, "--prune")
    [change] = document["changes"]
    assert (change["action"], change["campaign_uuid"]) == ("update", uuid)
    assert change["fields"]["campaign_name"] == {"before": live_name, "after": CLEAN}
    assert document["summary"]["create"] == document["summary"]["delete"] == 0
    [warning] = [note for note in document["notes"] if "only spaces" in note]
    assert warning.startswith(f"{tmp_path}/m.yaml:2: warning: campaign_name ")
    assert f'"{CLEAN}" matches the live campaign spelt {visible} ({uuid})' in warning
    assert "this plan renames it to the entry's spelling" in warning

    text = run_cli("plan", manifests, "--prune")
    assert text.code == 0, text.output
    assert f"renamed from {visible}" in text.stdout
    assert f'~ campaign_name: {visible} → "{CLEAN}"' in text.stdout

    applied = run_cli("apply", manifests, "--prune", "--auto-approve")
    assert applied.code == 0, applied.output
    assert [doc["campaign_uuid"] for doc in api_env.store.campaigns()] == [uuid]
    live = api_env.store.get_campaign(uuid)
    assert (live["campaign_name"], live["concurrent_call"]) == (CLEAN, 3)
    again = run_cli("plan", manifests, "--prune", "--detailed-exitcode")
    assert again.code == 0, again.output
    assert "No changes." in again.stdout and "only spaces" not in again.stdout


@pytest.mark.parametrize("live_name, visible", list(LOOKALIKES.items())[:3])
def test_a_live_template_spelt_with_odd_spaces_is_updated_in_place_not_recreated(
    api_env, tmp_path, live_name, visible
):
    uuid = api_env.store.add_template(live_name, content="Xin chào")
    manifests = write(tmp_path, template_entry())
    document = plan_json(manifests, "--prune")
    # the emulator's own seeded templates are pruned; this one is updated, never recreated
    assert [c["action"] for c in document["changes"]].count("create") == 0
    [change] = [c for c in document["changes"] if c["template_uuid"] == uuid]
    assert change["action"] == "update"
    assert change["fields"]["template_name"] == {"before": live_name, "after": CLEAN}
    assert any(
        f'template_name "{CLEAN}" matches the live template spelt {visible} ({uuid})' in note
        for note in document["notes"]
    )
    applied = run_cli("apply", manifests, "--prune", "--auto-approve")
    assert applied.code == 0, applied.output
    assert [doc["template_name"] for doc in api_env.store.templates()] == [CLEAN]
    live = api_env.store.get_template(uuid)
    assert (live["template_name"], live["content"]) == (CLEAN, "Xin chào quý khách")
    again = run_cli("plan", manifests, "--prune", "--detailed-exitcode")
    assert again.code == 0, again.output


def test_every_plan_format_shows_the_invisible_difference(api_env, tmp_path):
    api_env.store.add_campaign({"campaign_name": "Nhắc nợ\u00a0 ", "concurrent_call": 1})
    manifests = write(tmp_path, campaign_entry())
    shown = '"Nhắc nợ\\u00a0␠"'
    for fmt in ("text", "markdown", "html"):
        result = run_cli("plan", manifests, "--format", fmt)
        assert result.code == 0, result.output
        page = html.unescape(result.stdout) if fmt == "html" else result.stdout
        # markdown escapes the backslash of \u00a0 so that it prints as written
        page = page.replace("\\\\", "\\")
        assert f"campaign spelt {shown}" in page, fmt  # the warning
        assert f"campaign_name: {shown}" in page or f">{shown}<" in page, fmt  # the diff
    raw = run_cli("plan", manifests, "--format", "json").stdout
    assert '"before": "Nhắc nợ\\u00a0 "' in raw  # the same value, its NBSP escaped
    assert shown.replace("\\", "\\\\").replace('"', '\\"') in raw  # the warning, in notes


def test_the_lookalike_warning_is_a_located_diagnostic(api_env, tmp_path):
    api_env.store.add_campaign({"campaign_name": "Nhắc nợ "})
    manifests = write(tmp_path, campaign_entry())
    result = run_cli("plan", manifests, "--format", "sarif")
    assert result.code == 0, result.output
    [found] = [item for item in json.loads(result.stdout)["runs"][0]["results"]
               if item["ruleId"] == "plan/lookalike-name"]
    assert found["level"] == "warning"
    assert found["locations"][0]["physicalLocation"]["region"]["startLine"] == 2
    assert '"Nhắc nợ␠"' in found["message"]["text"]


def test_state_absent_deletes_the_one_lookalike_it_names_and_says_so(api_env, tmp_path):
    uuid = api_env.store.add_campaign({"campaign_name": "Nhắc nợ "})
    manifests = write(tmp_path, f'campaigns:\n  - campaign_name: "{CLEAN}"\n'
                                "    state: absent\n")
    document = plan_json(manifests)
    [change] = document["changes"]
    assert (change["action"], change["campaign_uuid"]) == ("delete", uuid)
    assert any("it is deleted (state: absent)" in note for note in document["notes"])


# -- two or more read alike: refused, with the pin hint -----------------------------------

@pytest.mark.parametrize("kind", ["campaign", "template"])
def test_two_live_lookalikes_are_refused_with_a_pin_hint(api_env, tmp_path, kind):
    if kind == "campaign":
        first = api_env.store.add_campaign({"campaign_name": "Nhắc nợ "})
        second = api_env.store.add_campaign({"campaign_name": "Nhắc\u00a0nợ"})
        manifests = write(tmp_path, campaign_entry())
    else:
        first = api_env.store.add_template("Nhắc nợ ")
        second = api_env.store.add_template("Nhắc\u00a0nợ")
        manifests = write(tmp_path, template_entry())
    for command in ("plan", "apply"):
        extra = ("--auto-approve",) if command == "apply" else ()
        result = run_cli(command, manifests, "--prune", *extra)
        assert result.code == 1, result.output
        assert f"{tmp_path}/m.yaml:2: {kind}_name: 2 live {kind}s read like " \
            f'"{CLEAN}"' in result.stderr
        assert f'"Nhắc nợ␠" ({first})' in result.stderr
        assert f'"Nhắc\\u00a0nợ" ({second})' in result.stderr
        assert f"pin the one you mean with {kind}_uuid" in result.stderr
        assert "Traceback" not in result.output
    assert writes(api_env) == []
    # The pin the hint asks for settles it.
    pinned = (open(Path(manifests) / "m.yaml", encoding="utf-8").read()
              + f"    {kind}_uuid: {second}\n")
    document = plan_json(write(tmp_path, pinned))
    [change] = [c for c in document["changes"] if c[f"{kind}_uuid"] == second]
    assert change["action"] == "update"


# -- the exact name and a look-alike both live --------------------------------------------

@pytest.mark.parametrize("kind", ["campaign", "template"])
def test_prune_never_deletes_a_lookalike_of_a_declared_name(api_env, tmp_path, kind):
    if kind == "campaign":
        exact = api_env.store.add_campaign({"campaign_name": CLEAN, "concurrent_call": 3})
        twin = api_env.store.add_campaign({"campaign_name": "Nhắc nợ "})
        other = api_env.store.add_campaign({"campaign_name": "Khác"})
        manifests = write(tmp_path, campaign_entry())
    else:
        exact = api_env.store.add_template(CLEAN, content="Xin chào quý khách")
        twin = api_env.store.add_template("Nhắc nợ ")
        other = api_env.store.add_template("Khác")
        manifests = write(tmp_path, template_entry())
    seeded = {row["template_uuid"] for row in api_env.store.templates()} - {exact, twin, other}
    document = plan_json(manifests, "--prune")
    assert sorted((c["action"], c[f"{kind}_uuid"]) for c in document["changes"]) == sorted(
        ("delete", uuid) for uuid in {other} | (seeded if kind == "template" else set()))
    [warning] = [note for note in document["notes"] if "reads like" in note]
    assert f'live {kind} "Nhắc nợ␠" ({twin}) reads like the declared "{CLEAN}"' in warning
    assert "--prune never deletes it" in warning
    applied = run_cli("apply", manifests, "--prune", "--auto-approve")
    assert applied.code == 0, applied.output
    rows = api_env.store.campaigns() if kind == "campaign" else api_env.store.templates()
    assert sorted(row[f"{kind}_uuid"] for row in rows) == sorted([exact, twin])


# -- Unicode forms: the live spelling is kept, templates as campaigns -----------------------

NFC = unicodedata.normalize("NFC", "Nhắc nợ tháng")
NFD = unicodedata.normalize("NFD", NFC)


def test_a_template_update_keeps_the_live_unicode_spelling(api_env, tmp_path):
    assert NFC != NFD
    uuid = api_env.store.add_template(NFC, content="Xin chào")
    manifests = write(tmp_path, f'templates:\n  - template_name: "{NFD}"\n'
                                '    content: "Xin chào quý khách"\n')
    document = plan_json(manifests)
    [change] = document["changes"]
    assert set(change["fields"]) == {"content"}
    assert change["apply"]["put"]["template_name"] == NFC
    for fmt in ("text", "markdown", "html"):
        result = run_cli("plan", manifests, "--format", fmt)
        assert result.code == 0 and "renamed from" not in result.stdout, (fmt, result.output)
    applied = run_cli("apply", manifests, "--auto-approve")
    assert applied.code == 0, applied.output
    assert api_env.store.get_template(uuid)["template_name"] == NFC
    again = run_cli("plan", manifests, "--detailed-exitcode")
    assert again.code == 0, again.output


def test_a_campaign_in_another_unicode_form_shows_no_rename_in_any_format(api_env, tmp_path):
    api_env.store.add_campaign({"campaign_name": NFC, "concurrent_call": 1})
    manifests = write(tmp_path, f'campaigns:\n  - campaign_name: "{NFD}"\n'
                                "    concurrent_call: 3\n")
    for fmt in ("text", "markdown", "html"):
        result = run_cli("plan", manifests, "--format", fmt)
        assert result.code == 0 and "renamed from" not in result.stdout, (fmt, result.output)


def test_a_saved_create_is_refused_when_a_lookalike_appeared_since(api_env, tmp_path):
    manifests = write(tmp_path, campaign_entry())
    plan_file = str(tmp_path / "plan.json")
    saved = run_cli("plan", manifests, "--out", plan_file)
    assert saved.code == 0, saved.output
    api_env.store.add_campaign({"campaign_name": "Nhắc\u00a0nợ"})
    api_env.requests.clear()
    refused = run_cli("apply", "--plan", plan_file, "--auto-approve")
    assert refused.code == 1, refused.output
    assert f'{CLEAN}: a campaign whose name reads the same now exists (spelt "Nhắc\\u00a0nợ")' \
        in refused.stderr
    assert api_env.write_requests() == []


def test_a_campaign_naming_an_undeclared_lookalike_template_is_told_its_uuid(api_env, tmp_path):
    uuid = api_env.store.add_template("Nhắc\u00a0nợ")
    manifests = write(tmp_path, f'campaigns:\n  - campaign_name: Promo\n'
                                f'    template: "{CLEAN}"\n')
    result = run_cli("plan", manifests)
    assert result.code == 1, result.output
    assert (
        f'm.yaml:3: template: no template is named "{CLEAN}", but "Nhắc\\u00a0nợ" ({uuid}) '
        "reads like it (only spaces or invisible characters differ): name it by template_uuid"
    ) in result.stderr


def test_a_declared_lookalike_template_is_renamed_and_used_in_one_apply(api_env, tmp_path):
    template = api_env.store.add_template("Nhắc nợ ", content="Xin chào")
    manifests = write(tmp_path, template_entry() + f'campaigns:\n  - campaign_name: Promo\n'
                                                   f'    template: "{CLEAN}"\n')
    applied = run_cli("apply", manifests, "--auto-approve")
    assert applied.code == 0, applied.output
    [campaign] = api_env.store.campaigns()
    assert campaign["template_uuid"] == template
    assert api_env.store.get_template(template)["template_name"] == CLEAN
    again = run_cli("plan", manifests, "--detailed-exitcode")
    assert again.code == 0, again.output
