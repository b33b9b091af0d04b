"""Pure tests of ordering: `order_changes` levels (reconciler/kinds/__init__.py) and the rename
helpers (reconciler/plan/renames.py), on hand-built changes; and the order a Plan keeps."""

from __future__ import annotations

import pytest

from reconciler.errors import PlanError
from reconciler.plan.model import Change, FieldDiff, Plan
from reconciler.plan.order import order_changes
from reconciler.plan.renames import depends_on, is_rename, order_renames, parked_name


def rename(name: str, live_name: str, uuid: str, kind: str = "campaign") -> Change:
    field = f"{kind}_name"
    return Change("update", name, uuid, fields={field: FieldDiff(live_name, name)},
                  put={field: name}, live_name=live_name, kind=kind)


def levels(changes: list[Change]) -> list[tuple[str, str, str, int]]:
    return [(c.kind, c.action, c.name, c.level) for c in changes]


# -- one kind's phases ------------------------------------------------------------------------


def test_campaigns_go_deletes_then_updates_then_creates():
    changes = [Change("create", "N"), Change("update", "U", "u"), Change("delete", "D", "d")]

    order_changes(changes)

    assert levels(changes) == [("campaign", "create", "N", 2), ("campaign", "update", "U", 1),
                               ("campaign", "delete", "D", 0)]


def test_campaign_updates_go_wave_by_wave():
    changes = [Change("update", "W0", "a"), Change("update", "W1", "b", wave=1),
               Change("update", "W2", "c", wave=2), Change("create", "N")]

    order_changes(changes)

    assert [c.level for c in changes] == [0, 1, 2, 3]


def test_a_phase_waits_only_for_phases_that_have_changes():
    changes = [Change("create", "N"), Change("update", "U", "u", wave=2)]

    order_changes(changes)

    assert [c.level for c in changes] == [1, 0]


def test_templates_keep_no_phases_of_their_own():
    changes = [Change("create", "N", kind="template"), Change("update", "U", "u", kind="template"),
               Change("delete", "D", "d", kind="template")]

    order_changes(changes)

    assert [c.level for c in changes] == [0, 0, 0]


def test_a_template_create_waits_for_the_delete_that_frees_its_name():
    changes = [Change("create", "T", kind="template"),
               Change("delete", "T", "t", live_name="T", kind="template")]

    order_changes(changes)

    assert [c.level for c in changes] == [1, 0]


# -- across kinds -----------------------------------------------------------------------------


def test_a_template_is_created_before_the_campaigns_that_use_it():
    changes = [Change("create", "K", refs={"template_uuid": "T"}),
               Change("update", "L", "l", refs={"template_uuid": "T"}),
               Change("create", "T", kind="template"), Change("delete", "Z", "z")]

    order_changes(changes)

    assert levels(changes) == [
        ("campaign", "create", "K", 2),
        ("campaign", "update", "L", 1),
        ("template", "create", "T", 0),
        ("campaign", "delete", "Z", 0),
    ]


def test_a_template_update_goes_before_a_campaign_switching_to_it():
    changes = [Change("update", "K", "k", put={"template_uuid": "t1"}),
               Change("update", "T", "t1", fields={"content": FieldDiff("a", "b")},
                      put={"template_name": "T", "content": "b"}, live_name="T",
                      kind="template")]

    order_changes(changes)

    assert [c.level for c in changes] == [1, 0]


def test_a_campaign_does_not_wait_for_a_template_rename_that_itself_waits():
    moved = rename("T", "Old", "t1", kind="template")
    moved.wave = 1
    changes = [Change("update", "K", "k", put={"template_uuid": "t1"}), moved]

    order_changes(changes)

    assert [c.level for c in changes] == [0, 0]


def test_a_template_is_deleted_after_the_campaigns_that_stop_using_it():
    changes = [
        Change("delete", "T", "t1", live_name="T", kind="template"),
        Change("delete", "Gone", "c1", uses="t1"),
        Change("update", "Moved", "c2", uses="t1", fields={"template": FieldDiff("T", "U")},
               put={"template_uuid": "t2"}),
        # Uses it but keeps it (only its description changes): not waited for.
        Change("update", "Other", "c3", uses="t1", wave=1,
               fields={"description": FieldDiff("", "x")}, put={"description": "x"}),
        # Stops using another template: not waited for either.
        Change("delete", "Elsewhere", "c4", uses="t9"),
    ]

    order_changes(changes)

    assert [c.level for c in changes] == [2, 0, 1, 2, 0]


def test_changes_that_wait_for_each_other_in_a_circle_are_refused():
    # Create "Y" waits for the delete that frees its name; that delete waits for the campaign
    # that stops using it; the campaign waits for the create of "Y".
    changes = [
        Change("delete", "Y", "t1", live_name="Y", kind="template"),
        Change("update", "K", "c1", uses="t1", fields={"template": FieldDiff("Y", "Y")},
               refs={"template_uuid": "Y"}),
        Change("create", "Y", kind="template"),
    ]

    with pytest.raises(PlanError) as error:
        order_changes(changes)

    assert str(error.value) == (
        "template 'Y': its changes depend on each other in a circle; apply them in two runs "
        "(e.g. --target the templates first)"
    )


def test_a_plan_sorts_by_level_then_action_then_wave_then_kind_then_name():
    changes = [
        Change("create", "b", level=1), Change("create", "a", level=1),
        Change("create", "z", kind="template", level=0), Change("update", "u", "u", level=1),
        Change("update", "w", "w", wave=1, level=1), Change("delete", "d", "d", level=1),
        Change("create", "T", kind="template", level=1),
    ]

    the_plan = Plan(changes=changes)

    assert [(c.level, c.action, c.wave, c.kind, c.name) for c in the_plan.changes] == [
        (0, "create", 0, "template", "z"),
        (1, "delete", 0, "campaign", "d"),
        (1, "update", 0, "campaign", "u"),
        (1, "update", 1, "campaign", "w"),
        (1, "create", 0, "campaign", "a"),
        (1, "create", 0, "campaign", "b"),
        (1, "create", 0, "template", "T"),
    ]


# -- renames ----------------------------------------------------------------------------------


def test_is_rename_needs_a_new_name_in_the_put():
    assert is_rename(rename("B", "A", "a"))
    assert not is_rename(Change("update", "A", "a", put={"description": "x"}, live_name="A"))
    assert not is_rename(Change("update", "A", "a", put={"campaign_name": "A"}, live_name="A"))
    assert not is_rename(Change("delete", "A", "a", live_name="A"))
    assert is_rename(rename("U", "T", "t", kind="template"))


def test_order_renames_sets_waves_along_a_chain():
    # A -> B, B -> C, C -> D: C goes first, then B, then A.
    to_b, to_c, to_d = rename("B", "A", "a"), rename("C", "B", "b"), rename("D", "C", "c")
    changes = [to_b, to_c, to_d]

    order_renames(changes, {"A", "B", "C"})

    assert [(c.wave, c.via_name) for c in changes] == [(2, None), (1, None), (0, None)]


def test_order_renames_breaks_a_cycle_at_the_smallest_new_name():
    to_b, to_a = rename("B", "A", "a"), rename("A", "B", "b")

    order_renames([to_b, to_a], {"A", "B"})

    assert (to_a.via_name, to_a.wave) == ("B~reconciler-rename", 1)
    assert (to_b.via_name, to_b.wave) == (None, 0)


def test_order_renames_numbers_a_temporary_name_already_taken():
    to_b, to_a = rename("B", "A", "a"), rename("A", "B", "b")

    order_renames([to_b, to_a], {"A", "B", "B~reconciler-rename", "B~reconciler-rename-2"})

    assert to_a.via_name == "B~reconciler-rename-3"


def test_order_renames_leaves_other_changes_alone():
    update = Change("update", "A", "a", put={"description": "x"}, live_name="A")

    order_renames([update], {"A"})

    assert (update.wave, update.via_name) == (0, None)


def test_depends_on_brings_what_frees_the_name_transitively():
    to_b, to_c = rename("B", "A", "a"), rename("C", "B", "b")
    delete_c = Change("delete", "C", "c", live_name="C")
    other = Change("update", "X", "x", put={"description": "y"}, live_name="X")

    assert depends_on(to_b, [to_b, to_c, delete_c, other]) == [to_c, delete_c]
    assert depends_on(delete_c, [to_b, to_c, delete_c]) == []


@pytest.mark.parametrize(("name", "original"), [
    ("A~reconciler-rename", "A"),
    ("A~reconciler-rename-2", "A"),
    ("Tên~reconciler-rename-12", "Tên"),
    ("~reconciler-rename", None),
    ("A~reconciler-renamed", None),
    ("A", None),
])
def test_parked_name_finds_the_original_name(name, original):
    assert parked_name(name) == original
