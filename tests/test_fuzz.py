"""Fuzzing the manifest front door: whatever bytes sit in a manifest file, `validate` and
`plan` answer with a message and an exit code in {0, 1, 2}: never a traceback, never an
internal error, never a write to the API.

Documents are generated valid and broken: manifest-shaped structures with right and wrong
types, bad times, unknown keys and random unicode, rendered as block YAML, flow YAML or JSON,
then sometimes damaged (truncated, tabs, junk spliced in), plus hand-picked YAML oddities.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from clirun import run_cli
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from reconciler.emulator import EmulatorServer
from reconciler.fields import (
    CAMPAIGN_TYPES,
    MODE_CALL,
    NETWORK_KEYS,
    PRIORITY_RECALL,
    RECALL_STATUSES,
    SCHEDULE_RECALL,
    TYPE_AUTOCALL,
)

# Text that can be written as UTF-8 (no lone surrogates).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    TEXT,
)
ANYTHING = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)
    ),
    max_leaves=12,
)

DAYS = (
    "mon", "tue", "wed", "thu", "fri", "sat", "sun", "monday", "sunday", "daily", "mon-fri",
    "sat-sun", "fri-mon", "weekdays", "Mon", "mon-", "",
)
CLOCKS = (
    "08:00", "8:00", "24:00", "23:59:59", "00:00", "25:00", "12:60", "12:00:61", "noon", "-1:00",
    "08:00:00.5", "０８:００",
)


@st.composite
def windows(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 5)) == 0:
        return draw(ANYTHING)
    return f"{draw(st.sampled_from(CLOCKS))}-{draw(st.sampled_from(CLOCKS))}"


SCHEDULE_ENTRY = st.dictionaries(st.sampled_from(DAYS) | TEXT, windows(), max_size=4)

# Plausible values per manifest field; ANYTHING is mixed in for wrong types.
FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "campaign_name": st.sampled_from(["Alpha", "Beta", "Nhắc nợ", ""]) | TEXT,
    "type": st.sampled_from(CAMPAIGN_TYPES),
    "type_autocall": st.sampled_from(TYPE_AUTOCALL),
    "description": TEXT,
    "active": st.booleans(),
    "state": st.sampled_from(["present", "absent", "gone"]),
    "concurrent_call": st.integers(-3, 100),
    "carrier": st.sampled_from(["Billing", "Marketing", "Nobody"]),
    "carrier_uuid": st.sampled_from(["a18b400f-d487-4e17-b5e7-eba5fe6fa54f", "x"]),
    "template": st.sampled_from(["thong_bao_no_cuoc_01", "nope"]),
    "template_uuid": st.just("not-a-uuid"),
    "campaign_uuid": st.just("f3f0c1de-0000-4000-8000-000000000000"),
    "call_timeout": st.integers(-1, 600),
    "mode_call": st.sampled_from(MODE_CALL + ("parallel",)),
    "network": st.dictionaries(st.sampled_from(NETWORK_KEYS + ("sfone",)), st.integers(-1, 9)),
    "recall_times": st.integers(-1, 9),
    "limit_recall_duration": st.integers(0, 9),
    "schedule_recall": st.sampled_from(SCHEDULE_RECALL),
    "schedule_recall_duration": st.integers(0, 60),
    "priority_recall": st.sampled_from(PRIORITY_RECALL),
    "recall_status": st.lists(st.sampled_from(RECALL_STATUSES + ("bogus",)), max_size=4),
    "callback_url": st.sampled_from(["https://hooks.example.vn/cdr", "", "ftp://x"]),
    "schedules": st.lists(SCHEDULE_ENTRY, max_size=3),
    "status": st.sampled_from(["start", "stop"]),  # never managed by manifests
}


SCRIPTS = st.sampled_from(["Chào {{customer_name}}", "{{ bad name}}", "{x}", "}}", ""]) | TEXT
PRESS_OPTION = st.dictionaries(
    st.sampled_from(["press_num", "toggled", "voice_type", "enable", "content", "audio_file",
                     "type", "extension", "bogus"]),
    st.sampled_from(["1", "1", "#", "10", "tts", "audio_file"]) | st.booleans() | SCRIPTS,
    max_size=6,
)
TEMPLATE_FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "template_name": st.sampled_from(["nhac_no", "thong_bao_no_cuoc_01", "ma_otp_01", ""]) | TEXT,
    "state": st.sampled_from(["present", "absent"]),
    "template_uuid": st.sampled_from(["5f427552-857e-4939-8edf-cbd0f1ef6842", "x"]),
    "description": TEXT,
    "voice_type": st.sampled_from(["tts", "audio_file", "robot"]),
    "voice_tts": st.sampled_from(["south-f-03", "north-m-01", "robot"]),
    "speed_tts": st.floats(-1, 3) | st.integers(-1, 3),
    "content": SCRIPTS,
    "audio_file": TEXT,
    "enable_option": st.booleans(),
    "press_options": st.lists(PRESS_OPTION, max_size=3),
    "exit_sound": st.dictionaries(st.sampled_from(["enable", "voice_type", "content", "x"]),
                                  st.booleans() | SCRIPTS, max_size=3),
    "press_timeout": st.integers(-1, 9),
}


@st.composite
def entries(draw: st.DrawFn, values: dict[str, st.SearchStrategy[Any]] = FIELD_VALUES,
            name_key: str = "campaign_name") -> Any:
    if draw(st.integers(0, 9)) == 0:
        return draw(ANYTHING)
    keys = draw(st.lists(st.sampled_from(sorted(values)), max_size=8, unique=True))
    entry: dict[Any, Any] = {}
    if draw(st.integers(0, 4)):
        entry[name_key] = draw(values[name_key])
    for key in keys:
        wrong = draw(st.integers(0, 6)) == 0
        entry[key] = draw(ANYTHING if wrong else values[key])
    if draw(st.integers(0, 5)) == 0:
        entry[draw(TEXT)] = draw(ANYTHING)  # an unknown key
    return entry


@st.composite
def documents(draw: st.DrawFn) -> Any:
    shape = draw(st.integers(0, 9))
    if shape == 0:
        return draw(ANYTHING)
    document: dict[Any, Any] = {"campaigns": draw(st.lists(entries(), max_size=4))}
    if draw(st.booleans()):
        document["templates"] = draw(st.lists(
            entries(TEMPLATE_FIELD_VALUES, "template_name"), max_size=3))
        if draw(st.booleans()):
            del document["campaigns"]
    if shape == 1:
        document[draw(TEXT)] = draw(ANYTHING)
    if shape == 2:
        document["campaigns"] = draw(ANYTHING)
    return document


def render(document: Any, style: str) -> str:
    if style == "json":
        import json

        return json.dumps(document, ensure_ascii=False, default=str)
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = style == "flow"
    yaml.allow_unicode = True
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()


@st.composite
def damaged(draw: st.DrawFn, text: str) -> str:
    damage = draw(st.sampled_from(["none", "none", "truncate", "tabs", "splice", "lines"]))
    if damage == "truncate" and text:
        return text[: draw(st.integers(0, len(text) - 1))]
    if damage == "tabs":
        return text.replace("  ", "\t", draw(st.integers(1, 3)))
    if damage == "splice":
        at = draw(st.integers(0, len(text)))
        junk = draw(st.sampled_from(["\t", ":", "- ", "{", "]", "&a", "*a", "!!", "\x00", "---\n",
                                     "'", '"', "#", "%YAML 1.1\n", "\ufeff", "\r"]) | TEXT)
        return text[:at] + junk + text[at:]
    if damage == "lines":
        lines = text.splitlines(keepends=True)
        return "".join(draw(st.permutations(lines))) if lines else text
    return text


@st.composite
def manifest_bytes(draw: st.DrawFn) -> bytes:
    kind = draw(st.integers(0, 19))
    if kind == 0:
        return draw(st.binary(max_size=64))  # not even UTF-8, maybe
    if kind == 1:
        return draw(TEXT).encode()
    style = draw(st.sampled_from(["block", "flow", "json"]))
    text = draw(damaged(render(draw(documents()), style)))
    return text.encode("utf-8")


ODDITIES = [
    b"",
    b"\xff\xfe\x00c",
    b"campaigns:\n\t- campaign_name: Tab\n",
    b"campaigns:\n  - campaign_name: A\n    campaign_name: B\n",
    b"campaigns:\n  - campaign_name: A\n  - campaign_name: A\n",
    b"campaigns: !!python/object/apply:os.system ['echo pwned']\n",
    b"campaigns:\n  - !!binary aGVsbG8=\n",
    b"campaigns:\n  - {? [a, b]: 1}\n",
    b"campaigns:\n  - campaign_name: 2024-01-01\n    schedules: [{mon: 08:00-12:00}]\n",
    b"campaigns:\n  - campaign_name: X\n    schedules:\n      - mon-fri: 13:30-20:45\n"
    b"        sat: 24:00-08:00\n",
    b"campaigns:\n  - &e {campaign_name: Loop}\n  - *e\n",
    b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    b"campaigns: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n",
    b"campaigns:\n  - <<: {campaign_name: Merged}\n",
    b"campaigns:\n  - campaign_name: A\n---\ncampaigns: []\n",
    b"campaigns:\n  - campaign_name: .nan\n    concurrent_call: .inf\n",
    b"campaigns:\n  - campaign_name: Big\n    concurrent_call: 99999999999999999999999999\n",
    b"campaigns:\n  - campaign_name: Float\n    concurrent_call: 5.0\n    active: yes\n",
    b"campaigns:\n  - campaign_name: Null\n    recall_status: ~\n    network: ~\n",
    b"campaigns:\n  - campaign_name: A\n    carrier: Billing\n    carrier_uuid: x\n",
    b"campaigns: " + b"[" * 2000 + b"]" * 2000 + b"\n",
    b"campaigns:\n" + b"".join(b"  " * n + b"- \n" for n in range(1, 400)),
    b"campaigns:\n" + b"  - campaign_name: Deep\n    schedules: " + b"[" * 200 + b"]" * 200,
    b"\xef\xbb\xbfcampaigns:\n  - campaign_name: BOM\n",
    b"campaigns:\r\n  - campaign_name: CRLF\r\n",
    b"campaigns:\n  - campaign_name: \"\\ud800\"\n",
    b"campaigns:\n  - campaign_name: Nul\x00\n",
]


@pytest.fixture(scope="module")
def live() -> Iterator[EmulatorServer]:
    """One emulator for every example (a fresh one each would dominate the run time)."""
    with EmulatorServer(port=0) as server:
        server.store.add_campaign({"campaign_name": "Alpha", "concurrent_call": 1})
        server.store.add_campaign({"campaign_name": "Beta", "active": True, "status": "start"})
        yield server


def check(server: EmulatorServer, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        manifest = Path(folder) / "fuzz.yaml"
        manifest.write_bytes(data)
        environment = {
            "RECONCILER_API_URL": server.url,
            "RECONCILER_TOKEN": server.token,
            "RECONCILER_RETRY_BACKOFF": "0",
        }
        with patch.dict(os.environ, environment):
            validated = run_cli("validate", folder)
            calls_before = len(server.requests)
            planned = run_cli("plan", folder, "--detailed-exitcode")
    for command, result in (("validate", validated), ("plan", planned)):
        shown = f"{command} on {data!r}:\n{result.output}"
        assert result.code in (0, 1, 2), shown
        assert "Traceback" not in result.output, shown
        assert "internal error" not in result.output, shown
    shown = f"{data!r}:\n{validated.output}\n{planned.output}"
    if validated.code == 0:
        assert planned.code in (0, 1, 2), shown
    else:
        assert validated.code == 1, shown
        # Located (file:line: message), and refused by plan in the same words. Plan starts
        # the campaign listing while the manifests load, so it may have read a page: reads
        # only, thrown away, never a write. (Messages quote the offending text as is, so a
        # key holding a newline spans lines: only the first line is checked for the location.)
        assert validated.stderr.startswith(str(manifest)), shown
        first = validated.stderr.split("\n", 1)[0]
        assert planned.code == 1, shown
        assert first in planned.stderr, shown
        made = server.requests[calls_before:]
        assert all(method == "GET" for method, _, _ in made), (shown, made)
    assert server.write_requests() == [], data


@pytest.mark.parametrize("data", ODDITIES, ids=range(len(ODDITIES)))
def test_yaml_oddities(live, data):
    check(live, data)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=manifest_bytes())
@example(data=b"campaigns:\n  - campaign_name: Alpha\n    concurrent_call: 3\n")
def test_generated_manifests_never_crash_nor_write(live, data):
    check(live, data)
