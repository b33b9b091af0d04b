"""Loading manifests: discovery, order, positions on demand, the fast safe reader, the CLI."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from clirun import NO_POLICIES, run_cli
from ruamel.yaml import YAML

from reconciler.errors import ManifestError
from reconciler.manifest.loader import load_manifests
from reconciler.manifest.yamlread import safe_yaml

TESTS = Path(__file__).parent
VALID = TESTS / "fixtures" / "manifests" / "valid"
EXAMPLES = TESTS.parent / "examples" / "campaigns"


@pytest.fixture
def in_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(TESTS)


def test_directories_are_walked_in_sorted_order_skipping_hidden_and_other_files(
    in_tests: None,
) -> None:
    manifests = load_manifests(["fixtures/manifests/valid"])
    assert manifests.files == [
        "fixtures/manifests/valid/debt.yaml",
        "fixtures/manifests/valid/team-b/empty.yaml",
        "fixtures/manifests/valid/team-b/promo.yml",
    ]
    assert list(manifests.campaigns) == ["DebtReminderTTS", "OldCampaign", "PromoAudioNov"]


def test_unquoted_schedule_times_load(in_tests: None) -> None:
    spec = load_manifests(["fixtures/manifests/valid/debt.yaml"]).campaigns["DebtReminderTTS"]
    assert spec.schedules == [
        {"mon-fri": "08:00-12:00", "sat": "08:30-11:15"},
        {"mon-fri": "13:30-20:45"},
    ]
    assert spec.api_values()["schedules"][1]["monday_end_time"] == 74_700_000_000_000


def test_entry_kinds(in_tests: None) -> None:
    campaigns = load_manifests(["fixtures/manifests/valid"]).campaigns
    assert campaigns["OldCampaign"].state == "absent"
    promo = campaigns["PromoAudioNov"]
    assert promo.campaign_uuid == "c2da23c0-9739-4287-828a-7b15cf0fb19e"
    assert promo.declared() == frozenset({"campaign_name", "description", "active"})
    assert promo.api_values() == {
        "campaign_name": "PromoAudioNov",
        "description": "",
        "active": False,
    }


def test_where_points_at_entries_and_fields(in_tests: None) -> None:
    manifests = load_manifests(["fixtures/manifests/valid"])
    debt = "fixtures/manifests/valid/debt.yaml"
    assert manifests.where("DebtReminderTTS") == f"{debt}:3"
    assert manifests.where("DebtReminderTTS", "schedules") == f"{debt}:10"
    assert manifests.where("DebtReminderTTS", "carrier") == f"{debt}:6"
    assert manifests.where("DebtReminderTTS", "call_timeout") == f"{debt}:3"  # not declared
    assert manifests.where("OldCampaign", None) == f"{debt}:14"
    promo = "fixtures/manifests/valid/team-b/promo.yml"
    assert manifests.where("PromoAudioNov", "campaign_uuid") == f"{promo}:3"
    with pytest.raises(KeyError):
        manifests.where("Nobody")


def test_a_valid_load_never_reparses_for_positions(in_tests: None) -> None:
    manifests = load_manifests(["fixtures/manifests/valid"])
    assert all(source._locator is None for source in manifests.sources)
    manifests.where("PromoAudioNov")  # an entry's own line was noted while loading
    assert all(source._locator is None for source in manifests.sources)
    manifests.where("PromoAudioNov", "campaign_uuid")  # a field's line needs positions
    located = [source.display for source in manifests.sources if source._locator is not None]
    assert located == ["fixtures/manifests/valid/team-b/promo.yml"]


def test_entry_lines_noted_while_loading_match_the_located_ones(tmp_path: Path) -> None:
    (tmp_path / "odd.yaml").write_text(
        "# comment\ncampaigns:\n\n  - {campaign_name: Flow, concurrent_call: 1}\n"
        "  -\n    campaign_name: Late\n  - campaign_name: Third\n"
    )
    manifests = load_manifests([str(tmp_path)])
    noted = {name: manifests.where(name) for name in manifests.campaigns}
    source = manifests.sources[0]
    assert source.entry_lines == [4, 6, 7]
    located = {
        name: f"{source.display}:{source.locator.line(('campaigns', index))}"
        for index, name in enumerate(manifests.campaigns)
    }
    assert noted == located


def test_paths_given_twice_or_overlapping_load_once(in_tests: None) -> None:
    manifests = load_manifests(
        [
            "fixtures/manifests/valid/debt.yaml",
            Path("fixtures/manifests/valid"),
            "fixtures/manifests/valid/debt.yaml",
        ]
    )
    assert manifests.files[0] == "fixtures/manifests/valid/debt.yaml"
    assert len(manifests.files) == 3


def test_a_file_named_explicitly_loads_whatever_its_extension(tmp_path: Path) -> None:
    manifest = tmp_path / "campaigns.txt"
    manifest.write_text("campaigns:\n  - campaign_name: A\n")
    assert list(load_manifests([manifest]).campaigns) == ["A"]


def test_errors_use_the_path_as_given(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("campaigns:\n  - campaign_name: A\n    active: 1\n")
    with pytest.raises(ManifestError) as caught:
        load_manifests([tmp_path])
    assert caught.value.errors == [
        f"{tmp_path}/bad.yaml:3: active: must be true or false, got the number 1"
    ]


def test_validate_success_messages(in_tests: None) -> None:
    result = run_cli("validate", "fixtures/manifests/valid")
    assert (result.code, result.stdout, result.stderr) == (
        0,
        "3 campaigns in 3 files are valid.\n",
        NO_POLICIES,
    )
    single = run_cli("validate", "fixtures/manifests/valid/team-b/promo.yml")
    assert single.stdout == "1 campaign in 1 file is valid.\n"


def test_validate_needs_a_path() -> None:
    result = run_cli("validate")
    assert result.code == 1
    assert "Missing argument 'PATH...'" in result.stderr


# --- the fast safe reader -------------------------------------------------------------------

TRICKY = [
    "a: 1\nb: -2\nc: 0x1F\nd: 0o17\ne: 1_000\nf: 010\ng: +5\n",
    "a: 1.5\nb: .inf\nc: -.inf\nd: 1e3\n",
    "a: true\nb: True\nc: FALSE\nd: yes\ne: no\nf: on\n",
    "a: null\nb: ~\nc:\nd: Null\n",
    "a: 2024-01-01\nb: 2024-01-01T08:00:00Z\nc: 13:30-20:45\nd: 21:00\n",
    "a: &x {b: 1, c: [1, 2]}\nd: *x\ne: {<<: *x, f: 2}\n",
    "a: !!str 5\nb: !!int '7'\nc: !!float 1\nd: !!binary aGVsbG8=\n",
    "'quoted': \"text\"\n? complex\n: value\n[1, 2]: flow key\n",
    "- 1\n- [a, {b: c}]\n- |\n  literal\n  text\n- >\n  folded\n  text\n",
    "s: !!set {a, b}\no: !!omap [{a: 1}, {b: 2}]\n",
    "",
]


@pytest.mark.parametrize("text", TRICKY)
def test_fast_reader_equals_ruamel_safe_loader(text: str) -> None:
    assert safe_yaml().load(text) == YAML(typ="safe").load(text)


def test_fast_reader_equals_ruamel_safe_loader_on_the_examples() -> None:
    for path in sorted(EXAMPLES.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert safe_yaml().load(text) == YAML(typ="safe").load(text), path


def test_fast_reader_keeps_the_first_of_duplicate_keys_when_allowed() -> None:
    text = textwrap.dedent(
        """\
        a: 1
        a: 2
        """
    )
    assert safe_yaml(allow_duplicate_keys=True).load(text) == {"a": 1}


def test_fast_reader_shares_aliased_collections_instead_of_copying_them() -> None:
    # Nine levels of ten aliases each would be 10**9 strings if copied ("billion laughs").
    levels = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 9):
        aliases = ", ".join([f"*l{level - 1}"] * 10)
        levels.append(f"l{level}: &l{level} [{aliases}]")
    data = safe_yaml().load("\n".join(levels) + "\n")
    assert data["l8"][0] is data["l7"]


def test_merge_keys_work(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(
        textwrap.dedent(
            """\
            campaigns:
              - &base
                campaign_name: A
                concurrent_call: 3
                mode_call: serial
              - <<: *base
                campaign_name: B
                concurrent_call: 4
            """
        )
    )
    campaigns = load_manifests([tmp_path]).campaigns
    assert campaigns["B"].api_values() == {
        "campaign_name": "B",
        "concurrent_call": 4,
        "mode_call": "serial",
    }


def test_bench_script_runs(capsys: pytest.CaptureFixture[str]) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "bench_manifest", TESTS.parent / "bench" / "bench_manifest.py"
    )
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    bench.main(count=20, runs=1)
    assert capsys.readouterr().out.startswith("load_manifests: 20 campaigns, best ")
