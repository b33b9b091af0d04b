"""reconciler.plan.risk, pure: each rule, table-driven, and the plan's summary."""

from __future__ import annotations

import pytest

from reconciler.plan.guards import refusals
from reconciler.plan.model import Change, FieldDiff, Plan, Use
from reconciler.plan.risk import Facts, assess, needs_care, summary

NS_HOUR = 3600 * 10**9
OFFICE = ("mon-fri", "08:00-17:00")


def update(status: str | None = "stop", **fields: tuple) -> Change:
    return Change(
        action="update", name="C", uuid="u-c", live_status=status,
        fields={name: FieldDiff(*pair) for name, pair in fields.items()},
    )


def windows(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{day: window} for day, window in pairs]


CASES = [
    # (change, facts, level, reasons)
    (update(description=("a", "b")), Facts(), "low", ()),
    (update(active=(False, True)), Facts(), "high",
     ("active false → true: it starts calling at its next window",)),
    (update(active=(True, False)), Facts(), "low", ()),
    (update(concurrent_call=(30, 300)), Facts(), "high",
     ("concurrent_call raised 30 → 300 (10×)",)),
    (update(concurrent_call=(30, 59)), Facts(), "low", ()),
    (update(concurrent_call=(30, 60)), Facts(), "high", ("concurrent_call raised 30 → 60 (2×)",)),
    (update(concurrent_call=(300, 30)), Facts(), "low", ()),
    (update(schedules=(windows(OFFICE), windows(("mon-fri", "09:00-12:00")))), Facts(),
     "low", ()),
    (update(schedules=(windows(OFFICE), windows(("mon-fri", "07:00-22:00")))), Facts(),
     "medium", ("calling window widened on mon, tue, wed, thu, fri",)),
    (update(schedules=(windows(OFFICE), windows(OFFICE, ("sat", "08:00-09:00")))), Facts(),
     "medium", ("calling window widened on sat",)),
    # two touching windows cover one that spans both
    (update(schedules=(windows(("daily", "08:00-12:00"), ("daily", "12:00-17:00")),
                       windows(("daily", "10:00-14:00")))), Facts(), "low", ()),
    (update("start", schedules=(windows(OFFICE), windows(("mon", "07:00-17:00")))), Facts(),
     "high", ("calling window widened on mon, while running",
              "running now: the change reaches calls in progress")),
    # narrowed, but still outside a policy's hours: high, naming the rule
    (update(schedules=(windows(("daily", "07:00-22:00")), windows(("daily", "07:00-21:00")))),
     Facts(hours={"C": [("vn-decree-91/calling-hours",
                         ((8 * NS_HOUR, 17 * NS_HOUR),) * 7)]}),
     "high", ("calling window outside the hours of policy vn-decree-91/calling-hours on "
              "every day",)),
    (update(carrier=("CSKH", "Marketing")), Facts(), "medium",
     ("carrier switched CSKH → Marketing",)),
    (update("start", carrier=("CSKH", "Marketing")), Facts(), "high",
     ("carrier switched CSKH → Marketing under a running campaign",
      "running now: the change reaches calls in progress")),
    (update("pause", template=("a", "b")), Facts(), "high",
     ("template switched a → b under a paused campaign",
      "paused now: the run resumes with this change at its next window")),
    (update("pause", description=("a", "b")), Facts(), "medium",
     ("paused now: the run resumes with this change at its next window",)),
    (Change(action="delete", name="C", uuid="u", live_status="stop", source="m.yaml:2"),
     Facts(), "medium", ("deleted (state: absent)",)),
    (Change(action="delete", name="C", uuid="u", live_status="start",
            source="not declared in any manifest (--prune)"),
     Facts(), "high", ("pruned: no manifest declares it, while running now",)),
    # the audio kind's earlier upload of a changed file: replaced, never declared absent
    (Change(action="delete", kind="audio", name="a-1f2e3d4c.wav", uuid="u",
            source="m.yaml:2 (replaced by a new upload of the file)"),
     Facts(), "medium", ("deleted (replaced by a new upload of the file)",)),
    (Change(action="create", name="C", fields={"active": FieldDiff(None, True)}), Facts(),
     "low", ()),
]


@pytest.mark.parametrize(("change", "facts", "level", "reasons"), CASES)
def test_each_rule(change: Change, facts: Facts, level: str, reasons: tuple) -> None:
    risk = assess(change, facts)
    assert (risk.level, risk.reasons) == (level, reasons)


def template_update(*fields: str, uuid: str | None = "t-1", name: str = "T") -> Change:
    return Change(action="update", kind="template", name=name, uuid=uuid,
                  fields={field: FieldDiff("x", "y") for field in fields})


USES = {"t-1": [Use("A", "campaign", "start", live=True), Use("B", "campaign", None,
                                                                declared=True)],
        "New": [Use("C", "campaign", None, declared=True)]}


@pytest.mark.parametrize(("change", "level", "reasons"), [
    (template_update("content"), "high",
     ("script or audio change reaches 2 campaigns: A (running), B (declared)",)),
    (template_update("template_name"), "low", ()),  # a rename reaches no call
    (template_update("audio_file", uuid="t-2"), "low", ()),  # used by nothing
    (template_update("content", uuid=None, name="New"), "medium",
     ("script or audio change reaches 1 campaign: C (declared)",)),
])
def test_a_template_change_lists_the_campaigns_it_reaches(change, level, reasons) -> None:
    risk = assess(change, Facts(usage=USES))
    assert (risk.level, risk.reasons) == (level, reasons)


def test_summary_and_what_needs_care_come_highest_first() -> None:
    low, medium, high = update(), update("pause"), update(active=(False, True))
    for change in (low, medium, high):
        change.risk = assess(change)
    plan = Plan(changes=[low, medium, high])
    assert summary(plan) == {"level": "high", "high": 1, "medium": 1, "low": 1}
    assert needs_care(plan) == [high, medium]
    assert summary(Plan()) == {"level": None, "high": 0, "medium": 0, "low": 0}


def test_an_acknowledged_refusal_blocks_nothing_and_force_only_covers_the_unacknowledged():
    running = Change(action="delete", name="R", uuid="r", live_status="start",
                     acknowledge=["delete-running"])
    paused = Change(action="delete", name="P", uuid="p", live_status="pause")
    plan = Plan(changes=[running, paused])
    found = refusals(plan)
    assert [(r.code, r.subject, r.acknowledged) for r in found] == [
        ("delete-paused", "P", False), ("delete-running", "R", True)]
    assert [(r.code, r.acknowledged) for r in refusals(plan, force=True)] == [
        ("delete-running", True)]
    plan.refusals = found
    assert [r.subject for r in plan.blocking_refusals()] == ["P"]
