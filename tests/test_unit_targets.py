"""Pure tests of `--target`: `plan` and `apply` pass the names to build_plan, which keeps the
named objects' changes and what they cannot apply without (planner.select_targets). No HTTP."""

from __future__ import annotations

import pytest
from builders import actions, campaign, campaign_row, plan, template, template_row, uuid

from reconciler.errors import PlanError
from reconciler.plan.model import Change
from reconciler.plan.planner import select_targets

C1, C2, C3 = uuid("c", 1), uuid("c", 2), uuid("c", 3)
T1 = uuid("t", 1)
TEMPLATES = [template_row("Live T", 1), template_row("Other", 2)]
ENTRIES = [campaign("A", description="a"), campaign("B", description="b"), template("New T"),
           campaign("K", template="New T")]
LIVE = [campaign_row("A", 1), campaign_row("B", 2)]


def test_a_target_keeps_only_its_own_change_and_says_how_many_are_left_out():
    the_plan = plan(ENTRIES, LIVE, TEMPLATES, targets=["A"])

    assert actions(the_plan) == [("campaign", "update", "A")]
    assert the_plan.note_texts() == [
        "--target is in effect: only 1 change shown and applied; 3 other changes not shown"
    ]


def test_several_targets():
    the_plan = plan(ENTRIES, LIVE, TEMPLATES, targets=["A", "B"])

    assert actions(the_plan) == [("campaign", "update", "A"), ("campaign", "update", "B")]


def test_a_targeted_campaign_brings_the_template_it_starts_using():
    the_plan = plan(ENTRIES, LIVE, TEMPLATES, targets=["K"])

    assert [(c.kind, c.action, c.name, c.level) for c in the_plan.changes] == [
        ("template", "create", "New T", 0),
        ("campaign", "create", "K", 1),
    ]
    assert the_plan.note_texts() == [
        "--target: also create 'New T': a targeted campaign uses the template it creates",
        "--target is in effect: only 2 changes shown and applied; 2 other changes not shown",
    ]


def test_a_targeted_template_does_not_bring_its_campaigns():
    the_plan = plan(ENTRIES, LIVE, TEMPLATES, targets=["New T"])

    assert actions(the_plan) == [("template", "create", "New T")]


def test_a_targeted_rename_brings_the_rename_that_frees_its_name():
    entries = [campaign("B", campaign_uuid=C1), campaign("C", campaign_uuid=C2)]
    live = [campaign_row("A", 1), campaign_row("B", 2)]

    the_plan = plan(entries, live, targets=["A"])  # by the live name of the campaign

    assert [(c.name, c.live_name, c.level) for c in the_plan.changes] == [
        ("C", "B", 0), ("B", "A", 1),
    ]
    assert the_plan.note_texts()[0] == (
        "--target: also update 'C': it frees a name a targeted rename needs"
    )


def test_a_target_names_both_the_change_to_that_name_and_the_one_from_it():
    # pins current behaviour: "B" matches the rename A -> B by its new name and the rename
    # B -> C by its live name, so both are targeted directly (no "also" note).
    entries = [campaign("B", campaign_uuid=C1), campaign("C", campaign_uuid=C2)]
    live = [campaign_row("A", 1), campaign_row("B", 2)]

    the_plan = plan(entries, live, targets=["B"])

    assert [c.name for c in the_plan.changes] == ["C", "B"]
    assert the_plan.note_texts() == [
        "--target is in effect: only 2 changes shown and applied; 0 other changes not shown"
    ]


def test_a_targeted_template_delete_brings_the_campaigns_it_waits_for():
    entries = [template("Live T", state="absent"), template("Other"),
               campaign("K", template="Other"), campaign("A", description="z")]
    live = [campaign_row("K", 1, template_uuid=T1), campaign_row("A", 2)]

    the_plan = plan(entries, live, TEMPLATES, targets=["Live T"])

    assert [(c.kind, c.action, c.name, c.level) for c in the_plan.changes] == [
        ("campaign", "update", "K", 0),
        ("template", "delete", "Live T", 1),
    ]
    assert the_plan.note_texts()[0] == (
        "--target: also update 'K': a targeted template delete waits for it"
    )


def test_a_target_by_entry_name_finds_a_pinned_delete_listed_under_its_live_name():
    entries = [campaign("Gone", campaign_uuid=C3, state="absent"), campaign("A", description="x")]

    the_plan = plan(entries, [campaign_row("A", 1), campaign_row("Live name", 3)],
                    targets=["Gone"])

    assert [(c.action, c.name, c.uuid) for c in the_plan.changes] == [
        ("delete", "Live name", C3)
    ]


def test_a_target_with_nothing_to_do_says_so():
    the_plan = plan([campaign("A")], [campaign_row("A", 1)], targets=["A"])

    assert the_plan.changes == []
    assert the_plan.unchanged == 1
    assert the_plan.note_texts() == [
        "--target is in effect: only 0 changes shown and applied; 0 other changes not shown"
    ]


def test_a_target_naming_a_live_campaign_no_manifest_declares_is_explained():
    the_plan = plan(ENTRIES, [*LIVE, campaign_row("U", 3)], TEMPLATES, targets=["U"])

    assert the_plan.changes == []
    assert the_plan.note_texts()[1] == (
        "--target 'U': a live campaign no manifest declares, so it is not managed (add an entry "
        "for it, or use --prune to delete it)"
    )


def test_an_unknown_target_is_an_error_with_suggestions():
    with pytest.raises(PlanError) as error:
        plan(ENTRIES, LIVE, TEMPLATES, targets=["Kx", "Zzz", "New Tt"])

    assert [d.code for d in error.value.diagnostics] == ["plan/unknown-target"] * 3
    # pins current behaviour: the wording says "campaign" even where templates are known
    # targets too.
    assert str(error.value).splitlines() == [
        "--target 'Kx' names no declared or live campaign (did you mean 'K'?)",
        "--target 'Zzz' names no declared or live campaign",
        "--target 'New Tt' names no declared or live campaign (did you mean 'New T'?)",
    ]


def test_select_targets_on_its_own():
    create_t = Change("create", "T", kind="template", level=0)
    create_k = Change("create", "K", refs={"template_uuid": "T"}, level=1)
    update_a = Change("update", "A", "a", put={"description": "x"}, live_name="A", level=0)
    specs = {"campaign": {"K": object(), "A": object()}, "template": {"T": object()}}
    live = {"campaign": [campaign_row("A", 1)], "template": []}

    kept, notes = select_targets([create_t, create_k, update_a], ["K"], specs, live)

    assert kept == [create_t, create_k]
    assert [(note.severity, note.code) for note in notes] == [
        ("note", "plan/target-added"), ("note", "plan/target-in-effect"),
    ]
    assert [note.summary for note in notes] == [
        "--target: also create 'T': a targeted campaign uses the template it creates",
        "--target is in effect: only 2 changes shown and applied; 1 other change not shown",
    ]
