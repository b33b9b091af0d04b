"""Pure tests of identity in build_plan: pins, renames (chains and cycles through the temporary
name), double claims, and the located errors they raise. No HTTP (tests/builders.py)."""

from __future__ import annotations

import pytest
from builders import (
    actions,
    by_name,
    campaign,
    campaign_row,
    manifests,
    plan,
    template,
    template_row,
    uuid,
)

from reconciler.errors import PlanError
from reconciler.plan.model import FieldDiff

C1, C2, C3, C9 = uuid("c", 1), uuid("c", 2), uuid("c", 3), uuid("c", 9)
T1, T2 = uuid("t", 1), uuid("t", 2)


def codes(error: pytest.ExceptionInfo[PlanError]) -> list[str]:
    return [diagnostic.code for diagnostic in error.value.diagnostics]


# -- pins -------------------------------------------------------------------------------------


def test_a_pin_with_a_new_name_renames_the_live_campaign():
    [change] = plan([campaign("New", campaign_uuid=C1)], [campaign_row("Old", 1)]).changes

    assert (change.action, change.name, change.uuid, change.live_name) == ("update", "New", C1,
                                                                           "Old")
    assert change.fields == {"campaign_name": FieldDiff("Old", "New")}
    assert change.put == {"campaign_name": "New"}
    assert (change.wave, change.via_name, change.level) == (0, None, 0)


def test_a_pin_onto_a_live_name_is_refused_not_pruned_away():
    # The entry is named like live C1 but pins C2. Prune spares a live campaign that reads
    # like a declared name (it never deletes the exact spelling the manifests use), so the
    # rename of C2 onto "A" is refused rather than C1 deleted to free the name.
    with pytest.raises(PlanError) as error:
        plan([campaign("A", campaign_uuid=C2)],
             [campaign_row("A", 1), campaign_row("B", 2)], prune=True)

    assert codes(error) == ["plan/rename-conflict"]
    assert f"live campaign {C1} already has that name" in str(error.value)


def test_a_pin_is_matched_whatever_the_case_of_its_hex_digits():
    [change] = plan([campaign("A", campaign_uuid=C1.upper(), description="x")],
                    [campaign_row("A", 1)]).changes

    assert (change.action, change.uuid) == ("update", C1)


def test_a_pin_no_live_campaign_has_is_an_error_when_present():
    with pytest.raises(PlanError) as error:
        plan([campaign("New", campaign_uuid=C9)], [campaign_row("Old", 1)])

    assert codes(error) == ["plan/pin-not-found"]
    assert str(error.value) == (
        f"New: campaign_uuid: no live campaign has uuid {C9} (remove the pin to create it anew)"
    )


def test_a_pin_no_live_campaign_has_is_nothing_when_absent():
    the_plan = plan([campaign("Gone", campaign_uuid=C9, state="absent")], [campaign_row("Old", 1)])

    assert the_plan.changes == [] and the_plan.unchanged == 0


def test_an_absent_pinned_entry_deletes_the_live_campaign_under_its_live_name():
    [change] = plan([campaign("Gone", campaign_uuid=C1, state="absent")],
                    [campaign_row("Live name", 1)]).changes

    assert (change.action, change.name, change.uuid) == ("delete", "Live name", C1)


def test_a_template_pin_renames_the_live_template():
    [change] = plan([template("New", template_uuid=T1)], templates=[template_row("Old", 1)]).changes

    assert (change.kind, change.action, change.name, change.uuid) == ("template", "update",
                                                                      "New", T1)
    assert change.fields == {"template_name": FieldDiff("Old", "New")}
    assert change.put == {"template_name": "New"}


# -- renames ----------------------------------------------------------------------------------


def test_a_rename_onto_a_name_another_live_campaign_keeps_is_refused():
    with pytest.raises(PlanError) as error:
        plan([campaign("B", campaign_uuid=C1)], [campaign_row("A", 1), campaign_row("B", 2)])

    assert codes(error) == ["plan/rename-conflict"]
    assert str(error.value) == (
        f"B: campaign_name: cannot rename to 'B': live campaign {C2} already has that name"
    )


def test_a_rename_onto_a_name_deleted_in_the_same_plan_waits_for_the_delete():
    the_plan = plan([campaign("B", campaign_uuid=C1), campaign("Old B", campaign_uuid=C2,
                                                               state="absent")],
                    [campaign_row("A", 1), campaign_row("B", 2)])

    assert actions(the_plan) == [("campaign", "delete", "B"), ("campaign", "update", "B")]
    delete, rename = the_plan.changes
    assert (delete.uuid, delete.level) == (C2, 0)
    assert (rename.uuid, rename.live_name, rename.wave, rename.level) == (C1, "A", 0, 1)


def test_a_rename_chain_waits_wave_by_wave():
    # A -> B while B -> C: B must be renamed away first.
    the_plan = plan([campaign("B", campaign_uuid=C1), campaign("C", campaign_uuid=C2)],
                    [campaign_row("A", 1), campaign_row("B", 2)])

    changes = by_name(the_plan)
    first, second = changes[("campaign", "C")], changes[("campaign", "B")]
    assert (first.live_name, first.wave, first.level, first.via_name) == ("B", 0, 0, None)
    assert (second.live_name, second.wave, second.level, second.via_name) == ("A", 1, 1, None)
    assert [c.name for c in the_plan.changes] == ["C", "B"]


def test_a_swap_moves_one_campaign_aside_under_a_temporary_name():
    the_plan = plan([campaign("B", campaign_uuid=C1), campaign("A", campaign_uuid=C2)],
                    [campaign_row("A", 1), campaign_row("B", 2)])

    changes = by_name(the_plan)
    to_b, to_a = changes[("campaign", "B")], changes[("campaign", "A")]
    # The breaker is the rename with the smallest new name; it leaves its name first.
    assert (to_a.live_name, to_a.via_name, to_a.wave, to_a.level) == (
        "B", "B~reconciler-rename", 1, 1)
    assert (to_b.live_name, to_b.via_name, to_b.wave, to_b.level) == ("A", None, 0, 0)


def test_a_three_way_cycle_moves_one_aside_and_chains_the_rest():
    the_plan = plan(
        [campaign("B", campaign_uuid=C1), campaign("C", campaign_uuid=C2),
         campaign("A", campaign_uuid=C3)],
        [campaign_row("A", 1), campaign_row("B", 2), campaign_row("C", 3)],
    )

    assert [(c.name, c.live_name, c.wave, c.level, c.via_name) for c in the_plan.changes] == [
        ("C", "B", 0, 0, None),
        ("B", "A", 1, 1, None),
        ("A", "C", 2, 2, "C~reconciler-rename"),
    ]


def test_the_temporary_name_avoids_a_name_already_taken():
    the_plan = plan(
        [campaign("B", campaign_uuid=C1), campaign("A", campaign_uuid=C2)],
        [campaign_row("A", 1), campaign_row("B", 2),
         campaign_row("B~reconciler-rename", 3, type="inbound")],
    )

    assert by_name(the_plan)[("campaign", "A")].via_name == "B~reconciler-rename-2"


def test_a_template_swap_uses_the_temporary_name_too():
    the_plan = plan([template("T2", template_uuid=T1), template("T1", template_uuid=T2)],
                    templates=[template_row("T1", 1), template_row("T2", 2)])

    assert [(c.kind, c.name, c.live_name, c.wave, c.level, c.via_name)
            for c in the_plan.changes] == [
        ("template", "T2", "T1", 0, 0, None),
        ("template", "T1", "T2", 1, 1, "T2~reconciler-rename"),
    ]


def test_an_entry_finds_its_campaign_left_under_the_temporary_name():
    [change] = plan([campaign("A")], [campaign_row("A~reconciler-rename", 1)]).changes

    assert (change.action, change.uuid) == ("update", C1)
    assert change.fields == {"campaign_name": FieldDiff("A~reconciler-rename", "A")}


# -- double claims ----------------------------------------------------------------------------


def test_one_live_campaign_claimed_by_name_and_by_pin_is_refused():
    with pytest.raises(PlanError) as error:
        plan([campaign("A"), campaign("Other", campaign_uuid=C1)], [campaign_row("A", 1)])

    assert codes(error) == ["plan/identity-conflict"]
    assert str(error.value) == (
        f"A: live campaign 'A' ({C1}) is claimed by 2 entries: A ('A', by name); "
        "Other ('Other', by its campaign_uuid pin). One live campaign can be declared by one "
        "entry only: to rename it, keep the pinned entry and remove the other"
    )


def test_one_live_campaign_pinned_by_two_entries_is_refused():
    with pytest.raises(PlanError) as error:
        plan([campaign("A", campaign_uuid=C1), campaign("B", campaign_uuid=C1.upper())],
             [campaign_row("A", 1)])

    assert codes(error) == ["plan/identity-conflict"]
    assert "is claimed by 2 entries: A ('A', by its campaign_uuid pin); B ('B', by its " \
        "campaign_uuid pin)" in str(error.value)


def test_one_live_template_claimed_twice_is_refused_in_template_words():
    with pytest.raises(PlanError) as error:
        plan([template("T"), template("U", template_uuid=T1)], templates=[template_row("T", 1)])

    assert codes(error) == ["plan/identity-conflict"]
    assert str(error.value).startswith(
        f"T: live template 'T' ({T1}) is claimed by 2 entries: T ('T', by name); "
        "U ('U', by its template_uuid pin). One live template can be declared by one entry"
    )


def test_double_claims_are_located_at_each_entry_of_the_manifest():
    declared = manifests(
        "campaigns:\n"
        "  - campaign_name: A\n"
        "  - campaign_name: Other\n"
        f"    campaign_uuid: {C1}\n"
    )

    with pytest.raises(PlanError) as error:
        plan(declared, [campaign_row("A", 1)])

    [diagnostic] = error.value.diagnostics
    assert (diagnostic.file, diagnostic.line) == ("m.yaml", 2)
    assert "claimed by 2 entries: m.yaml:2 ('A', by name); m.yaml:3 ('Other', by its " \
        "campaign_uuid pin)" in diagnostic.summary


def test_two_live_campaigns_of_one_name_are_ambiguous_without_a_pin():
    with pytest.raises(PlanError) as error:
        plan([campaign("A")], [campaign_row("A", 1), campaign_row("A", 2)])

    assert codes(error) == ["plan/ambiguous-live-name"]
    assert f"'A' ({C1}) and 'A' ({C2}); pin the one you mean with campaign_uuid" in str(
        error.value)

    [change] = plan([campaign("A", campaign_uuid=C2, description="x")],
                    [campaign_row("A", 1), campaign_row("A", 2)]).changes
    assert change.uuid == C2
