"""Convergence for carriers, as a property: for any valid carrier (any dial type, its
prefixes, a random dial type's caller ids, networks with null-ish counts), apply then plan
leaves nothing to change, whether apply created it or moved it from any other valid state,
and whether a campaign uses it or not. Prefixes are sent top level and read back under
`data`: the plan compares like with like."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from unittest.mock import patch

from clirun import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.carrier_fields import DATA_PREFIXES, DIAL_TYPES, RANDOM_DIAL_TYPES
from reconciler.emulator import EmulatorServer
from reconciler.fields import NETWORK_KEYS

GATEWAY = "953a918a-0035-4e6f-97d1-c64e7943b7df"
words = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=12)
numbers = st.text("0123456789", min_size=1, max_size=11)


@st.composite
def carriers(draw: st.DrawFn) -> dict:
    dial_type = draw(st.sampled_from(DIAL_TYPES))
    spec = {"gateway_uuid": GATEWAY, "dial_type": dial_type,
            "concurrent_call": draw(st.integers(0, 50))}
    spec.update(draw(st.fixed_dictionaries({}, optional={
        "description": words,
        "caller_id": st.one_of(st.none(), numbers),
        "network": st.one_of(st.none(), st.dictionaries(
            st.sampled_from(NETWORK_KEYS), st.integers(0, 20))),
    })))
    for key in DATA_PREFIXES.get(dial_type, ()):
        if draw(st.booleans()):
            spec[key] = draw(st.one_of(st.none(), numbers))
    if dial_type in RANDOM_DIAL_TYPES and draw(st.booleans()):
        spec["data"] = {"caller_id": draw(st.lists(numbers, max_size=3))}
    return spec


def apply_and_check(folder: Path, spec: dict, used: bool) -> None:
    document: dict = {"carriers": [{"carrier_name": "Generated", **spec}]}
    if used:
        document["campaigns"] = [{"campaign_name": "UsesIt", "carrier": "Generated"}]
    (folder / "c.yaml").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    applied = run_cli("apply", str(folder), "--auto-approve")
    assert applied.code == 0, f"{spec}\n{applied.output}"
    again = run_cli("plan", str(folder), "--detailed-exitcode", "--format", "json")
    assert again.code == 0, f"{spec}\n{again.output}"
    assert json.loads(again.stdout)["changes"] == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=carriers(), second=carriers(), used=st.booleans())
def test_apply_then_plan_leaves_nothing_to_change(first, second, used):
    with EmulatorServer(port=0) as server, tempfile.TemporaryDirectory() as folder:
        environment = {"RECONCILER_API_URL": server.url, "RECONCILER_TOKEN": server.token}
        with patch.dict(os.environ, environment):
            for spec in (first, second):  # the create path, then an update
                apply_and_check(Path(folder), spec, used)
