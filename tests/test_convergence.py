"""Convergence, as a property: for any valid spec, apply then plan shows no changes — whether
apply created the campaign or moved it from any other valid state."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from unittest.mock import patch

from clirun import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.emulator import EmulatorServer
from reconciler.fields import (
    MODE_CALL,
    NETWORK_KEYS,
    PRIORITY_RECALL,
    RECALL_STATUSES,
    SCHEDULE_RECALL,
    TYPE_AUTOCALL,
)

DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02}:{minutes % 60:02}"


@st.composite
def windows(draw: st.DrawFn) -> str:
    start = draw(st.integers(0, 24 * 60 - 1))
    end = draw(st.integers(start + 1, 24 * 60))
    return f"{_clock(start)}-{_clock(end)}"


@st.composite
def schedule_entries(draw: st.DrawFn) -> dict[str, str]:
    shape = draw(st.sampled_from(["days", "daily", "weekdays"]))
    if shape == "daily":
        return {"daily": draw(windows())}
    if shape == "weekdays":
        entry = {"mon-fri": draw(windows())}
        if draw(st.booleans()):
            entry["sat"] = draw(windows())
        return entry
    days = draw(st.lists(st.sampled_from(DAY_KEYS), min_size=1, max_size=7, unique=True))
    return {day: draw(windows()) for day in days}


counts = st.integers(0, 50)
specs = st.fixed_dictionaries(
    {},
    optional={
        "type_autocall": st.sampled_from(TYPE_AUTOCALL),
        "description": st.text(
            st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=30
        ).filter(lambda s: s == s.strip()),
        "active": st.booleans(),
        "concurrent_call": counts,
        "carrier": st.sampled_from(["Billing", "Marketing", "CSKH"]),
        "template": st.sampled_from(["thong_bao_no_cuoc_01", "khuyen_mai_audio_01"]),
        "call_timeout": counts,
        "mode_call": st.sampled_from(MODE_CALL),
        "network": st.dictionaries(st.sampled_from(NETWORK_KEYS), counts),
        "recall_times": counts,
        "limit_recall_duration": counts,
        "schedule_recall": st.sampled_from(SCHEDULE_RECALL),
        "schedule_recall_duration": counts,
        "priority_recall": st.sampled_from(PRIORITY_RECALL),
        "recall_status": st.lists(st.sampled_from(RECALL_STATUSES), unique=True),
        "callback_url": st.sampled_from(["", "https://hooks.example.vn/cdr", "http://x.vn/a?b=1"]),
        "schedules": st.lists(schedule_entries(), max_size=3),
    },
)


def reorder_live(server: EmulatorServer, name: str) -> None:
    """What a server may do without changing meaning: return sets and schedules reordered."""
    uuid = server.store.campaign_uuid_by_name(name)
    live = server.store.get_campaign(uuid)
    server.store.update_campaign_raw(
        uuid,
        recall_status=list(reversed(live["recall_status"] or [])),
        schedules=list(reversed(live["schedules"] or [])) or None,
    )


def apply_and_check(server: EmulatorServer, folder: Path, name: str, spec: dict) -> None:
    document = {"campaigns": [{"campaign_name": name, **spec}]}
    # JSON is YAML (1.2), so this is a manifest as valid as any hand-written one.
    (folder / "c.yaml").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    applied = run_cli("apply", str(folder), "--auto-approve")
    assert applied.code == 0, applied.output
    reorder_live(server, name)
    again = run_cli("plan", str(folder), "--detailed-exitcode")
    assert again.code == 0, f"{spec}\n{again.output}"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=specs, second=specs)
def test_apply_then_plan_shows_no_changes(first, second):
    with EmulatorServer(port=0) as server, tempfile.TemporaryDirectory() as folder:
        environment = {"RECONCILER_API_URL": server.url, "RECONCILER_TOKEN": server.token}
        with patch.dict(os.environ, environment):
            apply_and_check(server, Path(folder), "Generated", first)  # create path
            apply_and_check(server, Path(folder), "Generated", second)  # update, from `first`
        assert server.store.campaign_count() == 1
