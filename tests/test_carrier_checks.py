"""The carrier checks no API makes (reconciler/kinds/carrier/checks.py): located warnings
about the campaigns on a carrier against what the carrier can carry."""

from __future__ import annotations

from pathlib import Path

from clirun import run_cli

from reconciler.kinds.carrier.checks import warnings
from reconciler.manifest.carrier_spec import CarrierSpec
from reconciler.manifest.models import CampaignSpec

GATEWAY = "953a918a-0035-4e6f-97d1-c64e7943b7df"


def carrier(**fields) -> CarrierSpec:
    base = {"carrier_name": "Pool", "gateway_uuid": GATEWAY, "dial_type": "sip_one_for_all",
            "concurrent_call": 10, "caller_id": "0287", "network": {"viettel": 5}}
    return CarrierSpec.model_validate({**base, **fields})


def campaign(name: str, **fields) -> CampaignSpec:
    return CampaignSpec.model_validate({"campaign_name": name, "carrier": "Pool", **fields})


def codes(carriers, campaigns, live=None) -> list[str]:
    """The codes at plan time (`live` read; no carrier rows: each is created)."""
    specs = {"carrier": {spec.name: spec for spec in carriers},
             "campaign": {spec.name: spec for spec in campaigns}}
    return [d.code for d in warnings(specs, live or {"carrier": []}, {})]


def test_campaigns_asking_more_calls_than_their_carrier_has():
    ok = [campaign("A", concurrent_call=4), campaign("B", concurrent_call=6)]
    assert codes([carrier()], ok) == []
    over = [campaign("A", concurrent_call=4), campaign("B", concurrent_call=7)]
    assert codes([carrier()], over) == ["carrier/over-capacity"]


def test_a_live_campaign_no_manifest_declares_counts_at_plan_time():
    live = {"carrier": [{"carrier_uuid": "u1", "carrier_name": "Pool"}],
            "campaign": [{"campaign_uuid": "c9", "campaign_name": "Live", "carrier_uuid": "u1",
                          "concurrent_call": 8}]}
    assert codes([carrier()], [campaign("A", concurrent_call=4)], live) == [
        "carrier/over-capacity"]


def test_direct_calls_need_a_caller_id():
    assert codes([carrier(caller_id="")], [campaign("A", mode_call="direct")]) == [
        "carrier/direct-without-caller-id"]
    random = carrier(caller_id="", dial_type="sip_random_for_all",
                     data={"caller_id": ["0281"]})
    assert codes([random], [campaign("A", mode_call="direct")]) == []


def test_serial_and_parralel_calls_need_network_channels():
    for mode in ("serial", "parralel"):
        assert codes([carrier(network={})], [campaign("A", mode_call=mode)]) == [
            "carrier/no-network-channels"]
    assert codes([carrier(network={})], [campaign("A", mode_call="direct")]) == []


def test_prefix_dial_types_without_prefixes():
    assert codes([carrier(dial_type="channel_prefix")], []) == ["carrier/prefix-missing"]
    assert codes([carrier(dial_type="channel_prefix", prefix_tel="9")], []) == []
    assert codes([carrier(dial_type="channel_one_for_all")], []) == ["carrier/prefix-missing"]
    assert codes([carrier(dial_type="channel_one_for_all", prefix="9")], []) == []


def test_what_an_entry_leaves_out_is_not_known_before_plan():
    specs = {"carrier": {"Pool": CarrierSpec.model_validate(
                 {"carrier_name": "Pool", "dial_type": "channel_prefix"})},
             "campaign": {"A": campaign("A", mode_call="direct")}}
    assert warnings(specs, {}, {}) == []  # validate: caller_id and prefixes may be set live
    assert [d.code for d in warnings(specs, {"carrier": []}, {})] == [
        "carrier/prefix-missing", "carrier/direct-without-caller-id"]  # plan: created bare


def test_validate_shows_them_located(tmp_path: Path):
    (tmp_path / "m.yaml").write_text(f"""\
carriers:
  - carrier_name: Pool
    gateway_uuid: {GATEWAY}
    dial_type: channel_one_for_all
    prefix: ""
    concurrent_call: 5
    caller_id: ""
campaigns:
  - campaign_name: A
    carrier: Pool
    concurrent_call: 4
    mode_call: direct
  - campaign_name: B
    carrier: Pool
    concurrent_call: 4
""", encoding="utf-8")
    result = run_cli("validate", str(tmp_path))
    assert result.code == 0, result.output
    lines = result.stderr.splitlines()
    assert any(line.startswith(f"{tmp_path}/m.yaml:4: warning: carrier 'Pool': dial_type "
                               "channel_one_for_all dials through") for line in lines), lines
    assert any(line.startswith(f"{tmp_path}/m.yaml:6: warning: carrier 'Pool' carries 5 "
                               "concurrent calls") for line in lines), lines
    assert any(line.startswith(f"{tmp_path}/m.yaml:12: warning: campaign 'A' calls direct")
               for line in lines), lines


def test_plan_adds_what_only_the_live_values_show(api_env, tmp_path: Path):
    api_env.store.add_carrier("Pool", caller_id="", concurrent_call=10)
    (tmp_path / "m.yaml").write_text("""\
carriers:
  - carrier_name: Pool
    description: no caller id declared here
campaigns:
  - campaign_name: A
    carrier: Pool
    mode_call: direct
""", encoding="utf-8")
    assert "warning" not in run_cli("validate", str(tmp_path)).stderr
    result = run_cli("plan", str(tmp_path))
    assert result.code == 0, result.output
    assert "campaign 'A' calls direct on carrier 'Pool', which has no caller_id" in (
        result.output)


def test_entries_are_matched_to_live_rows_in_linear_time(monkeypatch):
    """Each entry is found among the live campaigns through an index, not by comparing it
    with every row: names are normalised once per row and once per entry (a 10,000-campaign
    plan spent ~15 s of CPU here when each entry scanned all rows)."""
    import reconciler.kinds.carrier.checks as checks

    calls = 0
    real = checks.identity_key

    def counted(name: str) -> str:
        nonlocal calls
        calls += 1
        return real(name)

    monkeypatch.setattr(checks, "identity_key", counted)
    count = 300
    entries = [campaign(f"C{i}", concurrent_call=1) for i in range(count)]
    rows = [{"campaign_uuid": f"u{i}", "campaign_name": f"C{i}", "carrier_uuid": "x",
             "concurrent_call": 1} for i in range(count)]
    assert codes([carrier(concurrent_call=count)], entries, {"carrier": [], "campaign": rows}) == []
    assert calls <= 3 * count + 10


def test_a_pinned_entry_matches_its_row_by_uuid_and_a_named_one_by_nfc_name():
    from reconciler.kinds.carrier.checks import _matcher

    rows = [{"campaign_uuid": "AB-1", "campaign_name": "Cafe\u0301"},
            {"campaign_uuid": "ab-2", "campaign_name": "Café"},
            {"campaign_uuid": "", "campaign_name": ""}]
    match = _matcher(rows, "campaign_name", "campaign_uuid")
    assert match("anything", "ab-1") is rows[0]  # the pin wins, any case
    assert match("Café", "ab-3") is None  # pinned to nothing: no fallback to the name
    assert match("Café", None) is rows[0]  # NFC: the first of the two that read alike
    assert match("Other", None) is None and match("Other", "") is None


def test_without_a_declared_carrier_the_campaigns_are_not_examined(monkeypatch):
    """Only declared carriers are checked, so a project declaring none pays nothing for
    its campaigns (a 2,000-campaign plan ran these checks three times)."""
    import reconciler.kinds.carrier.checks as checks

    def refuse(*_args: object) -> list:
        raise AssertionError("campaigns examined with no carrier declared")

    monkeypatch.setattr(checks, "_users", refuse)
    assert codes([], [campaign("A", concurrent_call=4)]) == []
