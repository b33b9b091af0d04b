"""Pure parts of environments: override selection and validation, previous_names matching,
the rename hint and the saved plan's environment check."""

from __future__ import annotations

import pytest

from reconciler.kinds.base import no_location
from reconciler.kinds.registry import kind_of
from reconciler.manifest.models import CampaignSpec
from reconciler.manifest.overrides import selects
from reconciler.plan.model import Plan
from reconciler.plan.planner import match, rename_hints
from reconciler.policy.environments import Override, set_problems
from reconciler.saved_plan import environment_problem

CAMPAIGN = kind_of("campaign")


def spec(**fields: object) -> CampaignSpec:
    return CampaignSpec.model_validate({"campaign_name": "Promo", **fields})


def row(name: str, uuid: str, **fields: object) -> dict:
    return {"campaign_name": name, "campaign_uuid": uuid, **fields}


@pytest.mark.parametrize(
    ("match_", "selected"),
    [
        (None, True),
        ({"names": ["Promo"]}, True),
        ({"names": ["Other"]}, False),
        ({"labels": {"purpose": "advertising"}}, True),
        ({"labels": {"purpose": "debt"}}, False),
        ({"names": ["Promo"], "labels": {"team": "x"}}, False),
    ],
)
def test_an_override_selects_by_every_condition_it_gives(match_, selected):
    override = Override.model_validate({"match": match_, "set": {"active": False}}
                                       if match_ else {"set": {"active": False}})
    assert selects(override, "Promo", spec(labels={"purpose": "advertising"})) is selected


def test_set_is_checked_against_the_kinds_schema():
    from reconciler.manifest.template_spec import TemplateSpec

    problems = [(p.loc, p.message) for p in set_problems(
        "campaign", {"concurent_call": 1, "campaign_name": "x", "call_timeout": -1},
        CampaignSpec, "campaign_name", "campaign_uuid",
    )]
    assert problems[0] == (("set", "concurent_call"),
                           "unknown campaign field 'concurent_call' (did you mean "
                           "'concurrent_call'?)")
    assert problems[1][0] == ("set", "campaign_name") and "cannot be overridden" in problems[1][1]
    assert problems[2] == (("set", "call_timeout"), "call_timeout: must be >= 0")
    assert set_problems("template", {"voice_tts": "north-m-01"}, TemplateSpec,
                        "template_name", "template_uuid") == []


def test_previous_names_match_the_old_object_unless_the_new_name_exists():
    specs = {"New": CampaignSpec.model_validate(
        {"campaign_name": "New", "previous_names": ["Old"]})}
    renamed = match(CAMPAIGN, specs, [row("Old", "u1")])
    assert renamed.pairs["New"]["campaign_uuid"] == "u1"
    both = match(CAMPAIGN, specs, [row("Old", "u1"), row("New", "u2")])
    assert both.pairs["New"]["campaign_uuid"] == "u2"
    assert both.lookalikes == {"u1": "New"}  # --prune spares the old one
    assert "has a previous name" in both.warnings[0].summary


def test_a_create_equal_to_an_undeclared_object_hints_a_rename():
    from reconciler.plan.model import Change

    create = Change("create", "New")
    values = {"New": {"campaign_name": "New", "concurrent_call": 3, "call_timeout": 40}}
    undeclared = [row("Old", "u1", concurrent_call=3, call_timeout=40),
                  row("Other", "u2", concurrent_call=3, call_timeout=41)]
    (hint,) = rename_hints(CAMPAIGN, [create], undeclared, values, no_location)
    assert "looks like a rename of \"Old\"" in hint.summary
    one_field = {"New": {"campaign_name": "New", "concurrent_call": 3}}
    assert rename_hints(CAMPAIGN, [create], undeclared, one_field, no_location) == []


def test_a_saved_plan_belongs_to_its_environment():
    assert environment_problem(Plan(environment="staging"), "staging") is None
    assert "made for environment staging, not environment production" in (
        environment_problem(Plan(environment="staging"), "production") or ""
    )
    assert "made without an environment" in (
        environment_problem(Plan(api_url="http://x"), "production") or ""
    )
    assert environment_problem(Plan(), None) is None
