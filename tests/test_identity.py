"""Identity: which live campaign each entry means, and renames that apply whatever their order.

A campaign claimed twice is refused before any write; rename chains, swaps and cycles apply
in one run and re-plan clean; names that look equal are equal. Real HTTP, the real CLI.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from clirun import run_cli

from reconciler.emulator import EmulatorServer


def write(tmp_path: Path, text: str, name: str = "campaigns.yaml") -> str:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return str(tmp_path)


def names(env: EmulatorServer) -> dict[str, str]:
    return {doc["campaign_uuid"]: doc["campaign_name"] for doc in env.store.campaigns()}


def pinned(*pairs: tuple[str, str]) -> str:
    lines = ["campaigns:"]
    for name, uuid in pairs:
        lines += [f"  - campaign_name: {name}", f"    campaign_uuid: {uuid}"]
    return "\n".join(lines) + "\n"


# -- one live campaign, two entries --------------------------------------------------------

def test_rename_and_retire_the_old_name_in_one_change_is_refused_before_any_write(
    api_env, tmp_path
):
    uuid = api_env.store.add_campaign({"campaign_name": "Promo", "active": True})
    manifests = write(tmp_path, (
        "campaigns:\n"
        "  - campaign_name: Promo2026\n"
        f"    campaign_uuid: {uuid}\n"
        "  - campaign_name: Promo\n"
        "    state: absent\n"
    ))
    for command in (["plan", manifests], ["apply", manifests, "--auto-approve"]):
        result = run_cli(*command)
        assert result.code == 1
        assert (
            f"campaigns.yaml:2: live campaign 'Promo' ({uuid}) is claimed by 2 entries: "
            f"{tmp_path}/campaigns.yaml:2 ('Promo2026', by its campaign_uuid pin); "
            f"{tmp_path}/campaigns.yaml:4 ('Promo', by name)"
        ) in result.stderr
    assert api_env.write_requests() == []
    assert names(api_env) == {uuid: "Promo"}


def test_a_pinned_entry_and_a_name_matched_entry_on_one_campaign_are_refused(api_env, tmp_path):
    uuid = api_env.store.add_campaign({"campaign_name": "Promo"})
    write(tmp_path, "campaigns:\n  - campaign_name: Promo\n    concurrent_call: 2\n", "a.yaml")
    manifests = write(tmp_path, (
        f"campaigns:\n  - campaign_name: PromoNew\n    campaign_uuid: {uuid.upper()}\n"
    ), "b.yaml")
    result = run_cli("plan", manifests)
    assert result.code == 1
    assert "is claimed by 2 entries" in result.stderr
    assert "a.yaml:2 ('Promo', by name)" in result.stderr
    assert "b.yaml:2 ('PromoNew', by its campaign_uuid pin)" in result.stderr


# -- rename chains, swaps and cycles -------------------------------------------------------

@pytest.mark.parametrize("parallelism", ["1", "8"])
def test_a_chain_a_swap_and_a_three_way_cycle_apply_in_one_run(api_env, tmp_path, parallelism):
    uuid = {name: api_env.store.add_campaign({"campaign_name": name, "active": name != "Q"})
            for name in ("A", "B", "C", "P", "Q", "X", "Y", "Z")}
    manifests = write(tmp_path, pinned(
        ("B", uuid["A"]), ("C", uuid["B"]), ("D", uuid["C"]),  # chain A→B→C→D
        ("Q", uuid["P"]), ("P", uuid["Q"]),  # swap
        ("Y", uuid["X"]), ("Z", uuid["Y"]), ("X", uuid["Z"]),  # three-way cycle
    ))
    planned = run_cli("plan", manifests, "--format", "json")
    assert planned.code == 0, planned.output
    changes = json.loads(planned.stdout)["changes"]
    via = {c["campaign_name"]: c["apply"]["via_name"] for c in changes if c["apply"]["via_name"]}
    assert via == {"P": "Q~reconciler-rename", "X": "Z~reconciler-rename"}
    text = run_cli("plan", manifests).stdout
    assert "via temporary name 'Q~reconciler-rename': a rename cycle" in text

    applied = run_cli("apply", manifests, "--auto-approve", "-p", parallelism)
    assert applied.code == 0, applied.output
    assert "renamed to temporary name 'Q~reconciler-rename', updated" in applied.stdout
    assert names(api_env) == {
        uuid["A"]: "B", uuid["B"]: "C", uuid["C"]: "D", uuid["P"]: "Q", uuid["Q"]: "P",
        uuid["X"]: "Y", uuid["Y"]: "Z", uuid["Z"]: "X",
    }
    assert api_env.store.get_campaign(uuid["Q"])["active"] is False  # active rode along
    again = run_cli("plan", manifests, "--detailed-exitcode")
    assert again.code == 0, again.output


def test_a_failed_cycle_rename_reports_the_temporary_name_and_the_next_apply_finishes(
    api_env, tmp_path, monkeypatch
):
    monkeypatch.setenv("RECONCILER_RETRY_BACKOFF", "0.001")
    a = api_env.store.add_campaign({"campaign_name": "A"})
    b = api_env.store.add_campaign({"campaign_name": "B"})
    manifests = write(tmp_path, pinned(("B", a), ("A", b)))
    # The cycle's breaker is the entry named "A" (campaign b): it moves aside to
    # "B~reconciler-rename", campaign a becomes "B", then b's second PUT (to "A") is refused.
    put_b = []
    original = api_env.api.update_campaign

    def fail_second_put(request):  # noqa: ANN001, ANN202
        if request.params[0] == b:
            put_b.append(1)
            if len(put_b) == 2:
                from reconciler.emulator.routes import error_response
                return error_response(400, "upstream refused")
        return original(request)

    for _pattern, methods in api_env.api._routes:
        if methods.get("PUT") == original:
            methods["PUT"] = fail_second_put
    first = run_cli("apply", manifests, "--auto-approve", "-p", "1")
    assert first.code == 1
    assert "upstream refused" in first.output
    assert "left under the temporary name 'B~reconciler-rename'" in first.output
    assert names(api_env) == {a: "B", b: "B~reconciler-rename"}
    second = run_cli("apply", manifests, "--auto-approve")
    assert second.code == 0, second.output
    assert names(api_env) == {a: "B", b: "A"}


def test_target_keeps_the_rename_that_frees_the_targeted_rename_s_name(api_env, tmp_path):
    a = api_env.store.add_campaign({"campaign_name": "A"})
    b = api_env.store.add_campaign({"campaign_name": "Bee"})
    other = api_env.store.add_campaign({"campaign_name": "Other", "concurrent_call": 1})
    manifests = write(tmp_path, pinned(("Bee", a), ("Cee", b), ("Other", other)).replace(
        f"campaign_uuid: {other}\n", f"campaign_uuid: {other}\n    concurrent_call: 2\n"))
    planned = run_cli("plan", manifests, "--target", "A")
    assert planned.code == 0, planned.output
    assert "Note: --target: also update 'Cee': it frees a name a targeted rename needs" \
        in planned.stdout
    assert "Note: --target is in effect: only 2 changes shown and applied; 1 other change " \
        "not shown" in planned.stdout
    applied = run_cli("apply", manifests, "--auto-approve", "--target", "A")
    assert applied.code == 0, applied.output
    assert names(api_env)[a] == "Bee" and names(api_env)[b] == "Cee"
    assert api_env.store.get_campaign(other)["concurrent_call"] == 1


def test_target_on_a_live_campaign_no_manifest_declares_says_it_is_not_managed(
    api_env, tmp_path
):
    api_env.store.add_campaign({"campaign_name": "Inbound1", "type": "inbound"})
    manifests = write(tmp_path, "campaigns:\n  - campaign_name: Declared\n")
    api_env.store.add_campaign({"campaign_name": "Declared"})
    result = run_cli("plan", manifests, "--target", "Inbound1")
    assert result.code == 0
    assert "--target 'Inbound1': a live campaign no manifest declares, so it is not managed" \
        in result.stdout


def test_an_unknown_target_suggests_close_names_case_included(api_env, tmp_path):
    api_env.store.add_campaign({"campaign_name": "DebtReminder"})
    manifests = write(tmp_path, "campaigns:\n  - campaign_name: DebtReminder\n")
    result = run_cli("plan", manifests, "--target", "debtreminder")
    assert result.code == 1
    assert "--target 'debtreminder' names no declared or live campaign " \
        "(did you mean 'DebtReminder'?)" in result.stderr


# -- names that look equal -----------------------------------------------------------------

NFC_NAME = unicodedata.normalize("NFC", "Nhắc nợ tháng")
NFD_NAME = unicodedata.normalize("NFD", NFC_NAME)


def test_a_decomposed_name_finds_the_composed_live_campaign(api_env, tmp_path):
    assert NFC_NAME != NFD_NAME
    uuid = api_env.store.add_campaign({"campaign_name": NFC_NAME, "concurrent_call": 1})
    manifests = write(tmp_path, f'campaigns:\n  - campaign_name: "{NFD_NAME}"\n'
                                "    concurrent_call: 3\n")
    planned = run_cli("plan", manifests, "--format", "json")
    assert planned.code == 0, planned.output
    document = json.loads(planned.stdout)
    [change] = document["changes"]
    assert change["action"] == "update" and change["campaign_uuid"] == uuid
    assert set(change["fields"]) == {"concurrent_call"}  # no rename
    assert any("another Unicode form" in note for note in document["notes"])
    assert run_cli("apply", manifests, "--auto-approve").code == 0
    assert names(api_env) == {uuid: NFC_NAME}


def test_the_unicode_spelling_warning_reaches_sarif_and_annotations_at_its_line(
    api_env, tmp_path
):
    api_env.store.add_campaign({"campaign_name": NFC_NAME, "concurrent_call": 1})
    manifests = write(tmp_path, f'campaigns:\n  - campaign_name: "{NFD_NAME}"\n'
                                "    concurrent_call: 3\n")
    result = run_cli("plan", manifests, "--format", "sarif")
    assert result.code == 0, result.output
    [found] = [item for item in json.loads(result.stdout)["runs"][0]["results"]
               if item["ruleId"] == "plan/unicode-spelling"]
    assert found["level"] == "warning"
    location = found["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("campaigns.yaml")
    assert location["region"]["startLine"] == 2
    assert "another Unicode form" in found["message"]["text"]
    annotated = run_cli("plan", manifests, "--format", "github")
    assert "::warning file=" in annotated.stdout
    assert "line=2" in annotated.stdout and "another Unicode form" in annotated.stdout
    # the text plan says it as before, once
    text = run_cli("plan", manifests).stdout
    assert text.count("another Unicode form") == 1
    assert "campaigns.yaml:2: warning: campaign_name" in text


def test_the_same_name_in_two_unicode_forms_across_files_is_a_duplicate(tmp_path):
    write(tmp_path, f'campaigns:\n  - campaign_name: "{NFC_NAME}"\n', "a.yaml")
    write(tmp_path, f'campaigns:\n  - campaign_name: "{NFD_NAME}"\n', "b.yaml")
    result = run_cli("validate", str(tmp_path))
    assert result.code == 1
    assert "b.yaml:2: duplicate campaign_name" in result.stderr
    assert "the same name in another Unicode form" in result.stderr


@pytest.mark.parametrize("name, reason", [
    ('"Promo\\u0007"', "control character (U+0007) at position 6"),
    ('"Promo\\u0085X"', "control character (U+0085) at position 6"),
    ('" Promo"', "leading or trailing whitespace"),
    ('"Promo "', "leading or trailing whitespace"),
    ('"Pro\\u200bmo"', "invisible character (zero-width space, U+200B) at position 4"),
    ('"Promo\\u202e"', "invisible character (bidi override, U+202E) at position 6"),
    ('"Pro\\u180emo"', "invisible character (a format character, U+180E) at position 4"),
    ('"Pro\\u3164mo"', "invisible character (a blank-looking letter, U+3164) at position 4"),
    ('"Pro\\u00a0mo"', "a space other than the ordinary one (U+00A0) at position 4"),
])
def test_names_that_do_not_read_as_what_they_are_are_refused(tmp_path, name, reason):
    manifests = write(tmp_path, f"campaigns:\n  - campaign_name: {name}\n")
    result = run_cli("validate", manifests)
    assert result.code == 1
    assert "campaigns.yaml:2: " in result.stderr and reason in result.stderr


# -- what the red team found --------------------------------------------------------------

def test_a_temporary_name_never_takes_a_name_the_plan_renames_to(api_env, tmp_path):
    uuid = {name: api_env.store.add_campaign({"campaign_name": name})
            for name in ("A", "B", "B~reconciler-rename", "C")}
    manifests = write(tmp_path, pinned(
        ("B", uuid["A"]), ("A", uuid["B"]), ("B~reconciler-rename-2", uuid["C"]),
        ("B~reconciler-rename", uuid["B~reconciler-rename"]),
    ))
    applied = run_cli("apply", manifests, "--auto-approve", "-p", "8")
    assert applied.code == 0, applied.output
    assert "B~reconciler-rename-3" in applied.stdout
    assert names(api_env)[uuid["A"]] == "B" and names(api_env)[uuid["B"]] == "A"


def test_target_names_a_pinned_absent_entry_by_its_own_name(api_env, tmp_path):
    uuid = api_env.store.add_campaign({"campaign_name": "D"})
    manifests = write(tmp_path, f"campaigns:\n  - campaign_name: Dgone\n"
                                f"    campaign_uuid: {uuid}\n    state: absent\n")
    planned = run_cli("plan", manifests, "--target", "Dgone", "--detailed-exitcode")
    assert planned.code == 2, planned.output
    assert "- delete D" in planned.stdout


def test_a_campaign_left_under_a_temporary_name_is_found_by_its_name_and_never_pruned(
    api_env, tmp_path
):
    parked = api_env.store.add_campaign({"campaign_name": "Beta~reconciler-rename"})
    alpha = api_env.store.add_campaign({"campaign_name": "Alpha"})
    manifests = write(tmp_path, "campaigns:\n  - campaign_name: Alpha\n")
    pruning = run_cli("plan", manifests, "--prune", "--detailed-exitcode")
    assert pruning.code == 0, pruning.output
    assert "--prune: not deleting 'Beta~reconciler-rename'" in pruning.stdout
    manifests = write(tmp_path, "campaigns:\n  - campaign_name: Alpha\n"
                                "  - campaign_name: Beta\n")
    applied = run_cli("apply", manifests, "--auto-approve", "--prune")
    assert applied.code == 0, applied.output
    assert names(api_env) == {parked: "Beta", alpha: "Alpha"}  # renamed back, not re-created


def test_a_saved_plan_refuses_a_create_whose_name_now_exists_in_another_unicode_form(
    api_env, tmp_path
):
    manifests = write(tmp_path, f'campaigns:\n  - campaign_name: "{NFC_NAME}"\n')
    plan_file = str(tmp_path / "plan.json")
    assert run_cli("plan", manifests, "--out", plan_file).code == 0
    api_env.store.add_campaign({"campaign_name": NFD_NAME})
    api_env.requests.clear()
    refused = run_cli("apply", "--plan", plan_file, "--auto-approve")
    assert refused.code == 1
    assert "a campaign of that name now exists" in refused.stderr
    assert api_env.write_requests() == []


def test_a_saved_plan_refuses_a_carrier_renamed_since_it_was_made(api_env, tmp_path):
    api_env.store.add_campaign({"campaign_name": "Promo", "carrier": "Marketing"})
    manifests = write(tmp_path, "campaigns:\n  - campaign_name: Promo\n    carrier: Billing\n")
    plan_file = str(tmp_path / "plan.json")
    assert run_cli("plan", manifests, "--out", plan_file).code == 0
    billing = api_env.store.uuid_by_name("carrier", "Billing")
    marketing = api_env.store.uuid_by_name("carrier", "Marketing")
    api_env.store.add_carrier("Billing-OLD", uuid=billing)
    api_env.store.add_carrier("Billing", uuid=marketing)
    api_env.requests.clear()
    refused = run_cli("apply", "--plan", plan_file, "--auto-approve")
    assert refused.code == 1
    assert f"Promo: carrier 'Billing' was {billing} when planned and now names {marketing}" \
        in refused.stderr
    assert api_env.write_requests() == []


def test_a_rename_whose_name_is_not_freed_is_not_attempted_under_continue_on_error(
    api_env, tmp_path, monkeypatch
):
    monkeypatch.setenv("RECONCILER_RETRY_BACKOFF", "0.001")
    a = api_env.store.add_campaign({"campaign_name": "A"})
    b = api_env.store.add_campaign({"campaign_name": "B"})
    manifests = write(tmp_path, pinned(("B", a), ("C", b)))  # B must move to C before A to B
    api_env.faults.fail("PUT", f"/v3/campaign/{b}$", 400, times=None, body={"error": "no"})
    result = run_cli("apply", manifests, "--auto-approve", "--continue-on-error")
    assert result.code == 1
    assert "· update B: not attempted (waits for the campaign named 'B' to move off that " \
        "name, which did not complete)" in result.stdout
    assert "already taken" not in result.output
    assert names(api_env) == {a: "A", b: "B"}
