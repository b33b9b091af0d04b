"""Pure tests of cross-kind references in build_plan: a campaign's `template:` naming a
template this plan creates, a live template or an unknown one; `carrier:` by name; uuids
checked against the listings; templates that cannot go while campaigns use them. No HTTP."""

from __future__ import annotations

import pytest
from builders import (
    by_name,
    campaign,
    campaign_row,
    carrier_row,
    manifests,
    plan,
    template,
    template_row,
    uuid,
)

from reconciler.errors import PlanError
from reconciler.plan.model import FieldDiff

C1 = uuid("c", 1)
T1, T2, T9 = uuid("t", 1), uuid("t", 2), uuid("t", 9)
R1, R2, R9 = uuid("r", 1), uuid("r", 2), uuid("r", 9)
TEMPLATES = [template_row("Live T", 1, content="Xin chao {{ten}}"), template_row("Other", 2)]
CARRIERS = [carrier_row("Billing", 1), carrier_row("Sales", 2)]


def codes(error: pytest.ExceptionInfo[PlanError]) -> list[str]:
    return [diagnostic.code for diagnostic in error.value.diagnostics]


# -- template: a template this plan creates ---------------------------------------------------


def test_a_campaign_created_with_a_template_this_plan_creates_refers_to_it_by_name():
    the_plan = plan([template("New T", content="Hi {{a}} {{b}}"),
                     campaign("K", template="New T")], [], TEMPLATES)

    changes = by_name(the_plan)
    created, user = changes[("template", "New T")], changes[("campaign", "K")]
    assert user.refs == {"template_uuid": "New T"}
    assert "template_uuid" not in user.put and "template_uuid" not in user.create_body
    assert user.fields["template"] == FieldDiff(None, "New T")
    assert user.placeholders == ["a", "b"]
    assert (created.level, user.level) == (0, 1)


def test_a_live_campaign_moved_to_a_template_this_plan_creates():
    live = campaign_row("K", 1, template_uuid=T1, template_name="Live T")
    the_plan = plan([template("New T", content="Hi {{a}}"), campaign("K", template="New T")],
                    [live], TEMPLATES)

    user = by_name(the_plan)[("campaign", "K")]
    assert (user.action, user.put, user.refs) == ("update", {}, {"template_uuid": "New T"})
    assert user.fields == {"template": FieldDiff("Live T", "New T")}
    assert user.uses == T1
    assert user.placeholders == ["a"]
    assert user.level == 1


# -- template: a live template ----------------------------------------------------------------


def test_a_campaign_naming_a_live_template_gets_its_uuid():
    [change] = plan([campaign("K", template="Live T")], [], TEMPLATES).changes

    assert change.create_body["template_uuid"] == T1
    assert change.put["template_uuid"] == T1
    assert change.refs == {}
    assert change.fields["template"] == FieldDiff(None, "Live T")
    assert change.placeholders == ["ten"]


def test_a_campaign_switching_live_templates_shows_both_names():
    live = campaign_row("K", 1, template_uuid=T2, template_name="Other")
    [change] = plan([campaign("K", template="Live T")], [live], TEMPLATES).changes

    assert change.fields == {"template": FieldDiff("Other", "Live T")}
    assert change.put == {"template_uuid": T1}
    assert change.uses == T2


def test_a_campaign_already_on_the_named_template_is_unchanged():
    live = campaign_row("K", 1, template_uuid=T1, template_name="Live T")

    assert plan([campaign("K", template="Live T")], [live], TEMPLATES).unchanged == 1


def test_a_declared_template_that_is_live_resolves_to_its_live_uuid():
    the_plan = plan([template("Live T"), campaign("K", template="Live T")], [], TEMPLATES)

    [change] = the_plan.changes
    assert (change.kind, change.put["template_uuid"], change.refs) == ("campaign", T1, {})


def test_a_campaign_naming_a_template_the_tenant_lacks_is_refused_with_a_suggestion():
    with pytest.raises(PlanError) as error:
        plan([campaign("K", template="Liv T")], [], TEMPLATES)

    assert codes(error) == ["plan/unknown-template"]
    assert str(error.value) == 'K: template: unknown template "Liv T" (did you mean "Live T"?)'


def test_an_unknown_template_is_located_at_the_entrys_template_line():
    declared = manifests("campaigns:\n  - campaign_name: K\n    template: Nope\n")

    with pytest.raises(PlanError) as error:
        plan(declared, [], TEMPLATES)

    [diagnostic] = error.value.diagnostics
    assert (diagnostic.file, diagnostic.line, diagnostic.code) == (
        "m.yaml", 3, "plan/unknown-template")
    assert diagnostic.summary.startswith('template: unknown template "Nope" (known: ')


def test_a_template_uuid_the_listing_lacks_is_refused():
    with pytest.raises(PlanError) as error:
        plan([campaign("K", template_uuid=T9)], [], TEMPLATES)

    assert codes(error) == ["plan/unknown-uuid"]
    assert str(error.value) == (
        f'K: template_uuid: no template on the tenant has uuid {T9} (known templates: '
        '"Live T", "Other"; or name one with template: NAME)'
    )


# -- template: declared absent, renamed, in use -----------------------------------------------


def test_a_campaign_cannot_use_a_template_declared_absent():
    declared = manifests(
        "templates:\n"
        "  - template_name: Live T\n"
        "    state: absent\n"
        "campaigns:\n"
        "  - campaign_name: K\n"
        "    template: Live T\n"
    )

    with pytest.raises(PlanError) as error:
        plan(declared, [], TEMPLATES)

    assert codes(error) == ["plan/template-absent"]
    assert str(error.value) == (
        'm.yaml:6: template: "Live T" is declared absent (state: absent at m.yaml:2): '
        "a campaign cannot use it"
    )


def test_a_campaign_naming_a_template_by_the_name_this_plan_renames_away_is_refused():
    with pytest.raises(PlanError) as error:
        plan([template("Renamed", template_uuid=T1), campaign("K", template="Live T")], [],
             TEMPLATES)

    assert codes(error) == ["plan/template-renamed"]
    assert str(error.value) == (
        "K: template: 'Live T' is renamed to 'Renamed' by this plan: name it 'Renamed' "
        "(the old name stops resolving once the rename is applied)"
    )


def test_a_campaign_naming_the_new_name_of_a_renamed_template_gets_its_uuid_after_the_rename():
    the_plan = plan([template("Renamed", template_uuid=T1), campaign("K", template="Renamed")],
                    [], TEMPLATES)

    changes = by_name(the_plan)
    rename, user = changes[("template", "Renamed")], changes[("campaign", "K")]
    assert rename.fields == {"template_name": FieldDiff("Live T", "Renamed")}
    assert user.put["template_uuid"] == T1 and user.refs == {}
    assert user.fields["template"] == FieldDiff(None, "Renamed")
    assert (rename.level, user.level) == (0, 1)


def test_deleting_a_template_a_live_campaign_keeps_using_is_refused():
    with pytest.raises(PlanError) as error:
        plan([template("Live T", state="absent")], [campaign_row("K", 1, template_uuid=T1)],
             TEMPLATES)

    assert codes(error) == ["plan/template-in-use"]
    assert str(error.value) == (
        "Live T: cannot delete template 'Live T': campaigns that stay use it ('K'); point them "
        "at another template (or retire them) in the same change"
    )


def test_a_campaign_of_another_type_keeps_its_template_too():
    with pytest.raises(PlanError) as error:
        plan([template("Live T", state="absent")],
             [campaign_row("I", 1, type="inbound", template_uuid=T1)], TEMPLATES, prune=True)

    assert codes(error) == ["plan/template-in-use"]


def test_a_template_can_go_once_its_campaign_moves_to_another_in_the_same_plan():
    the_plan = plan([template("Live T", state="absent"), campaign("K", template="Other")],
                    [campaign_row("K", 1, template_uuid=T1, template_name="Live T")], TEMPLATES)

    assert [(c.kind, c.action, c.name, c.level) for c in the_plan.changes] == [
        ("campaign", "update", "K", 0),
        ("template", "delete", "Live T", 1),
    ]


def test_a_template_can_go_with_the_campaign_that_used_it():
    the_plan = plan([template("Live T", state="absent"), campaign("K", state="absent")],
                    [campaign_row("K", 1, template_uuid=T1)], TEMPLATES)

    assert [(c.kind, c.action, c.name, c.level) for c in the_plan.changes] == [
        ("campaign", "delete", "K", 0),
        ("template", "delete", "Live T", 1),
    ]


def test_a_template_can_go_when_its_campaign_moves_to_a_template_this_plan_creates():
    the_plan = plan([template("Live T", state="absent"), template("New T"),
                     campaign("K", template="New T")],
                    [campaign_row("K", 1, template_uuid=T1)], TEMPLATES)

    assert [(c.kind, c.action, c.name, c.level) for c in the_plan.changes] == [
        ("template", "create", "New T", 0),
        ("campaign", "update", "K", 1),
        ("template", "delete", "Live T", 2),
    ]


# -- carrier: by name, by uuid ----------------------------------------------------------------


def test_a_carrier_named_is_resolved_and_both_names_shown():
    live = campaign_row("K", 1, carrier_uuid=R2, carrier_name="Sales")
    [change] = plan([campaign("K", carrier="Billing")], [live], carriers=CARRIERS).changes

    assert change.fields == {"carrier": FieldDiff("Sales", "Billing")}
    assert change.put == {"carrier_uuid": R1}


def test_a_carrier_named_on_a_create_goes_in_the_put_not_the_post():
    [change] = plan([campaign("K", carrier="Sales")], carriers=CARRIERS).changes

    assert change.put["carrier_uuid"] == R2
    assert "carrier_uuid" not in change.create_body
    assert change.fields["carrier"] == FieldDiff(None, "Sales")


def test_a_carrier_name_the_tenant_lacks_is_refused_with_a_suggestion():
    with pytest.raises(PlanError) as error:
        plan([campaign("K", carrier="Biling")], carriers=CARRIERS)

    assert codes(error) == ["plan/unknown-carrier"]
    assert str(error.value) == 'K: carrier: unknown carrier "Biling" (did you mean "Billing"?)'


def test_a_carrier_name_when_the_tenant_lists_none():
    with pytest.raises(PlanError) as error:
        plan([campaign("K", carrier="Billing")], carriers=[])

    assert str(error.value) == 'K: carrier: unknown carrier "Billing" (the API lists no carriers)'


def test_a_carrier_uuid_the_listing_lacks_is_refused_naming_the_known_carriers():
    with pytest.raises(PlanError) as error:
        plan([campaign("K", carrier_uuid=R9)], carriers=CARRIERS)

    assert codes(error) == ["plan/unknown-uuid"]
    assert str(error.value) == (
        f'K: carrier_uuid: no carrier on the tenant has uuid {R9} (known carriers: "Billing", '
        '"Sales"; or name one with carrier: NAME)'
    )


def test_a_carrier_uuid_the_campaign_already_has_is_no_change_even_if_unlisted():
    live = campaign_row("K", 1, carrier_uuid=R9)

    assert plan([campaign("K", carrier_uuid=R9)], [live], carriers=CARRIERS).unchanged == 1


def test_every_reference_problem_of_a_plan_is_reported_at_once():
    with pytest.raises(PlanError) as error:
        plan([campaign("K", carrier="Nope"), campaign("L", template="Nope")], [], TEMPLATES,
             CARRIERS)

    assert codes(error) == ["plan/unknown-carrier", "plan/unknown-template"]
