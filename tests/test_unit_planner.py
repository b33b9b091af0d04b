"""Pure tests of build_plan per kind: create, update, delete, unchanged; only declared fields
are managed; pruning. No emulator, no HTTP: specs through the real entry models, live rows in
the API's documented shapes (tests/builders.py). They pin what the planner does today, so a
refactor of the kind seam that changes behaviour fails here."""

from __future__ import annotations

import pytest
from builders import (
    actions,
    by_name,
    campaign,
    campaign_detail,
    campaign_row,
    plan,
    template,
    template_row,
    uuid,
)

from reconciler.errors import PlanError
from reconciler.plan.model import FieldDiff
from reconciler.render.unchanged import no_changes_sentence

C1, C2, C3 = uuid("c", 1), uuid("c", 2), uuid("c", 3)
T1, T2 = uuid("t", 1), uuid("t", 2)

# -- campaigns --------------------------------------------------------------------------------


def test_campaign_create_splits_what_post_stores_from_what_the_follow_up_put_sets():
    the_plan = plan([campaign("A", concurrent_call=5, callback_url="https://x.example/cdr")])

    [change] = the_plan.changes
    assert (change.kind, change.action, change.name, change.uuid) == ("campaign", "create", "A",
                                                                      None)
    assert change.create_body == {"campaign_name": "A", "type": "autocall", "concurrent_call": 5}
    assert change.put == {"campaign_name": "A", "concurrent_call": 5,
                          "callback_url": "https://x.example/cdr"}
    assert change.fields == {
        "campaign_name": FieldDiff(None, "A"),
        "concurrent_call": FieldDiff(None, 5),
        "callback_url": FieldDiff(None, "https://x.example/cdr"),
    }
    assert change.active is None and change.fingerprint is None and change.refs == {}
    assert the_plan.summary() == {"create": 1, "update": 0, "delete": 0, "unchanged": 0}


def test_campaign_create_declared_inactive_is_switched_off_by_patch_not_put():
    [change] = plan([campaign("A", active=False, type="autodialer")]).changes

    assert change.active is False
    assert "active" not in change.put and "active" not in change.create_body
    assert change.create_body["type"] == "autodialer"
    assert change.fields["active"] == FieldDiff(None, False)


def test_campaign_create_declared_active_true_needs_no_patch():
    [change] = plan([campaign("A", active=True)]).changes

    assert change.active is None
    assert change.fields["active"] == FieldDiff(None, True)


def test_campaign_update_changes_only_what_differs_and_active_goes_by_patch():
    live = campaign_detail("B", 2, concurrent_call=3, description="old",
                           schedules=[{"mon-fri": "08:00-12:00"}])
    spec = campaign("B", concurrent_call=9, description="old", active=False,
                    schedules=[{"mon-fri": "08:00-17:00"}])

    [change] = plan([spec], [live]).changes

    assert (change.action, change.name, change.uuid) == ("update", "B", C2)
    assert change.fields == {
        "active": FieldDiff(True, False),
        "concurrent_call": FieldDiff(3, 9),
        "schedules": FieldDiff([{"mon-fri": "08:00-12:00"}], [{"mon-fri": "08:00-17:00"}]),
    }
    assert set(change.put) == {"concurrent_call", "schedules"}
    assert change.put["concurrent_call"] == 9
    assert change.put["schedules"][0]["monday_end_time"] == 17 * 3600 * 10**9
    assert change.active is False
    assert change.live_name == "B" and change.live_status == "stop"
    assert change.create_body == {}


def test_campaign_update_fingerprint_covers_schedules_only_when_they_are_managed():
    with_schedules = plan([campaign("B", concurrent_call=1, schedules=[{"daily": "08:00-17:00"}])],
                          [campaign_detail("B", 2)]).changes[0]
    without = plan([campaign("B", concurrent_call=1)], [campaign_row("B", 2)]).changes[0]

    assert with_schedules.fingerprint.startswith("sha256+schedules:")
    assert without.fingerprint.startswith("sha256:")


def test_campaign_equal_values_are_unchanged_and_counted():
    the_plan = plan([campaign("B", description="x", concurrent_call=4)],
                    [campaign_row("B", 2, description="x", concurrent_call=4)])

    assert the_plan.changes == []
    assert (the_plan.unchanged, the_plan.unchanged_by_kind.get("template", 0)) == (1, 0)
    assert no_changes_sentence(the_plan) == (
        "The live campaigns match the manifests (1 unchanged)."
    )


def test_campaign_values_are_compared_normalised_recall_status_as_a_set_network_zero_filled():
    spec = campaign("A", recall_status=["busy", "answered"], network={"viettel": 2})
    live = campaign_row("A", 1, recall_status=["answered", "busy"],
                        network={"viettel": 2, "mobi": 0, "vina": 0, "tel": 0, "offnet": 0})

    assert plan([spec], [live]).unchanged == 1


def test_only_declared_campaign_fields_are_managed():
    # The live campaign differs from the defaults in many fields the entry does not declare.
    live = campaign_row("B", 2, concurrent_call=30, description="kept", call_timeout=15,
                        mode_call="serial", callback_url="https://keep.example/")
    assert plan([campaign("B")], [live]).unchanged == 1

    [change] = plan([campaign("B", call_timeout=20)], [live]).changes
    assert change.fields == {"call_timeout": FieldDiff(15, 20)}
    assert change.put == {"call_timeout": 20}


def test_campaign_declared_empty_clears_the_field():
    the_plan = plan([campaign("B", description=None)], [campaign_row("B", 2, description="x")])

    [change] = the_plan.changes

    assert change.fields == {"description": FieldDiff("x", "")}
    assert change.put == {"description": ""}


def test_campaign_state_absent_deletes_the_live_one():
    live = campaign_row("C", 3, template_uuid=T1, template_name="T")
    [change] = plan([campaign("C", state="absent")], [live]).changes

    assert (change.kind, change.action, change.name, change.uuid) == ("campaign", "delete", "C",
                                                                      C3)
    assert change.fields == {} and change.put == {}
    assert change.live_name == "C" and change.uses == T1
    assert change.fingerprint.startswith("sha256:")


def test_campaign_state_absent_without_a_live_one_is_nothing():
    the_plan = plan([campaign("C", state="absent")], [campaign_row("Other", 1)])

    assert the_plan.changes == [] and the_plan.unchanged == 0


def test_mixed_campaign_plan_orders_deletes_then_updates_then_creates():
    the_plan = plan(
        [campaign("A", concurrent_call=5), campaign("B", description="y"),
         campaign("C", state="absent"), campaign("D")],
        [campaign_row("B", 2, description="x"), campaign_row("C", 3), campaign_row("D", 4),
         campaign_row("E", 5)],
    )

    assert actions(the_plan) == [
        ("campaign", "delete", "C"), ("campaign", "update", "B"), ("campaign", "create", "A"),
    ]
    assert [change.level for change in the_plan.changes] == [0, 1, 2]
    assert the_plan.summary() == {"create": 1, "update": 1, "delete": 1, "unchanged": 1}


# -- templates --------------------------------------------------------------------------------


def test_template_create_sends_every_declared_field_and_lists_its_placeholders():
    [change] = plan([template("T1", voice_type="tts", content="Hi {{name}}, {{amount}}")]).changes

    assert (change.kind, change.action, change.name, change.uuid) == ("template", "create",
                                                                      "T1", None)
    assert change.create_body == {"template_name": "T1", "voice_type": "tts",
                                  "content": "Hi {{name}}, {{amount}}"}
    assert change.fields == {
        "template_name": FieldDiff(None, "T1"),
        "voice_type": FieldDiff(None, "tts"),
        "content": FieldDiff(None, "Hi {{name}}, {{amount}}"),
    }
    assert change.placeholders == ["name", "amount"]
    assert change.put == {}


def test_template_update_shows_what_differs_but_puts_every_declared_field():
    live = template_row("T", 1, voice_tts="north-f-01", content="other")
    [change] = plan([template("T", voice_tts="north-f-01", content="new {{x}}", speed_tts=1.0)],
                    templates=[live]).changes

    assert (change.action, change.uuid, change.live_name) == ("update", T1, "T")
    assert change.fields == {"content": FieldDiff("other", "new {{x}}")}
    assert change.put == {"template_name": "T", "voice_tts": "north-f-01", "speed_tts": 1.0,
                          "content": "new {{x}}"}
    assert change.fingerprint.startswith("sha256:")
    assert change.placeholders == ["x"]


def test_template_unchanged_is_counted_as_a_template():
    the_plan = plan([template("T", content="same"), campaign("A")], [campaign_row("A", 1)],
                    [template_row("T", 1, content="same")])

    assert the_plan.changes == []
    assert (the_plan.unchanged, the_plan.unchanged_by_kind.get("template", 0)) == (2, 1)
    assert no_changes_sentence(the_plan) == (
        "The live campaigns and templates match the manifests "
        "(1 campaign and 1 template unchanged)."
    )


def test_only_declared_template_fields_are_managed():
    live = template_row("T", 1, voice_tts="north-f-01", content="other", press_timeout=7)

    assert plan([template("T", voice_tts="north-f-01")], templates=[live]).unchanged == 1


def test_template_press_options_compare_the_write_form_with_the_read_form():
    option = {"press_num": "1", "voice_type": "tts", "content": "press one"}
    live = template_row("T", 1, enable_option=True, press_options=[option])
    assert live["press_options"] == [{"1": {"voice_type": "tts", "content": "press one"}}]

    assert plan([template("T", enable_option=True, press_options=[option])],
                templates=[live]).unchanged == 1

    # An update must declare the keys a read never returns (else it is refused, see
    # test_template_write_only.py); with them it is a change of the readable fields.
    unread = {"toggled": True, "enable": True, "type": "transfer", "extension": "1900"}
    changed = {**option, **unread, "content": "press two"}
    [change] = plan([template("T", press_options=[changed])], templates=[live]).changes
    assert change.fields == {"press_options": FieldDiff(
        [{"press_num": "1", "voice_type": "tts", "content": "press one"}],
        [{"press_num": "1", "voice_type": "tts", "content": "press two"}],
    )}
    assert change.unverifiable and not change.rewrite

    with pytest.raises(PlanError) as refused:
        plan([template("T", press_options=[{**option, "content": "press two"}])],
             templates=[live])
    assert [d.code for d in refused.value.diagnostics] == ["plan/write-only-keys"]


def test_template_state_absent_deletes_it():
    [change] = plan([template("T", state="absent")], templates=[template_row("T", 1)]).changes

    assert (change.kind, change.action, change.name, change.uuid) == ("template", "delete", "T",
                                                                      T1)
    assert change.live_name == "T" and change.fingerprint.startswith("sha256:")


def test_template_kind_create_update_delete_unchanged_together():
    the_plan = plan(
        [template("T1", content="a"), template("T2", content="new"),
         template("T3", state="absent"), template("T4", content="same")],
        templates=[template_row("T2", 2, content="old"), template_row("T3", 3),
                   template_row("T4", 4, content="same"), template_row("T5", 5)],
    )

    assert actions(the_plan) == [
        ("template", "delete", "T3"), ("template", "update", "T2"), ("template", "create", "T1"),
    ]
    # Templates keep no phases of their own: nothing here waits for anything.
    assert [change.level for change in the_plan.changes] == [0, 0, 0]
    assert (the_plan.unchanged, the_plan.unchanged_by_kind.get("template", 0)) == (1, 1)


# -- prune ------------------------------------------------------------------------------------


def test_without_prune_undeclared_live_objects_are_left_alone():
    the_plan = plan([template("T", content="x")], [campaign_row("X", 1)],
                    [template_row("T", 1, content="x"), template_row("Spare", 2)])

    assert the_plan.changes == []


def test_prune_deletes_only_undeclared_campaigns_of_the_autocall_type():
    live = [campaign_row("Auto", 1), campaign_row("In", 2, type="inbound"),
            campaign_row("Dialer", 3, type="autodialer"), campaign_row("Manual", 4, type="manual")]

    the_plan = plan([], live, prune=True)

    assert actions(the_plan) == [("campaign", "delete", "Auto")]
    assert the_plan.changes[0].source == "not declared in any manifest (--prune)"


def test_prune_leaves_templates_alone_when_no_template_is_declared():
    # refresh does not even plan templates then: nothing the manifests say is about them.
    the_plan = plan([campaign("A")], [campaign_row("A", 1)], [template_row("Spare", 1)],
                    prune=True)

    assert the_plan.changes == []


def test_prune_leaves_templates_alone_when_campaigns_only_name_them():
    # The template listing is read (to resolve the name), but templates are not managed.
    the_plan = plan([campaign("A", template="Used")], [campaign_row("A", 1, template_uuid=T1)],
                    [template_row("Used", 1), template_row("Spare", 2)], prune=True)

    assert the_plan.changes == [] and the_plan.unchanged == 1


def test_prune_notes_come_kind_by_kind_templates_first():
    the_plan = plan([template("Kept")], [campaign_row("C~reconciler-rename", 1)],
                    [template_row("Kept", 1), template_row("T~reconciler-rename", 2)], prune=True)

    assert the_plan.changes == []
    assert [note.split(" (")[0] for note in the_plan.note_texts()] == [
        "--prune: not deleting 'T~reconciler-rename'",
        "--prune: not deleting 'C~reconciler-rename'",
    ]


def test_prune_deletes_undeclared_templates_once_templates_are_declared():
    the_plan = plan([template("Kept", content="x")], [],
                    [template_row("Kept", 1, content="x"), template_row("Spare", 2)], prune=True)

    assert actions(the_plan) == [("template", "delete", "Spare")]
    assert the_plan.changes[0].source == "not declared in any manifest (--prune)"


def test_prune_never_deletes_a_template_a_staying_campaign_uses():
    the_plan = plan([template("Kept", content="x")],
                    [campaign_row("Inbound", 1, type="inbound", template_uuid=T2)],
                    [template_row("Kept", 1, content="x"), template_row("Used", 2)], prune=True)

    assert the_plan.changes == []
    assert the_plan.note_texts() == [
        "--prune: template 'Used' is kept: campaigns use it ('Inbound')"
    ]


def test_prune_deletes_a_template_whose_only_user_is_pruned_too_after_it():
    the_plan = plan([template("Kept", content="x")],
                    [campaign_row("Auto", 1, template_uuid=T2, template_name="Used")],
                    [template_row("Kept", 1, content="x"), template_row("Used", 2)], prune=True)

    changes = by_name(the_plan)
    assert set(changes) == {("campaign", "Auto"), ("template", "Used")}
    assert changes[("campaign", "Auto")].uses == T2
    assert (changes[("campaign", "Auto")].level, changes[("template", "Used")].level) == (0, 1)


def test_prune_skips_a_campaign_left_under_a_temporary_rename_name():
    the_plan = plan([], [campaign_row("A~reconciler-rename", 1)], prune=True)

    assert the_plan.changes == []
    assert the_plan.note_texts() == [
        f"--prune: not deleting 'A~reconciler-rename' ({C1}): a rename cycle cut short left it "
        "under this temporary name; declare it (by its original name or pinned uuid) to finish "
        "or undo the rename"
    ]


@pytest.mark.parametrize("declared", [True, False])
def test_prune_never_deletes_a_declared_campaign(declared):
    entries = [campaign("A")] if declared else []
    the_plan = plan(entries, [campaign_row("A", 1)], prune=True)

    assert [c.action for c in the_plan.changes] == ([] if declared else ["delete"])
