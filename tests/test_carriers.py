"""Carriers as code, end to end: real CLI, real HTTP, the emulator as the tenant (which
serves carriers as the vendor page shows them: prefixes sent top level, read under `data`)."""

from __future__ import annotations

import json
from pathlib import Path

from clirun import run_cli

GATEWAY = "953a918a-0035-4e6f-97d1-c64e7943b7df"
CARRIER = f"""\
carriers:
  - carrier_name: Billing04
    description: Thu nợ
    caller_id: "02873003586"
    gateway_uuid: {GATEWAY}
    dial_type: channel_prefix
    network: {{viettel: 10, mobi: 5}}
    concurrent_call: 20
    prefix_mobi: "12"
    prefix_vina: "12"
"""
CAMPAIGN = """\
campaigns:
  - campaign_name: NhacNo04
    carrier: Billing04
    mode_call: serial
    concurrent_call: 3
"""


def write(tmp_path: Path, text: str, name: str = "m.yaml") -> str:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return str(tmp_path)


def plan_json(manifests: str, *extra: str) -> dict:
    result = run_cli("plan", manifests, "--format", "json", *extra)
    assert result.code == 0, result.output
    return json.loads(result.stdout)


def applied(manifests: str, *extra: str) -> str:
    result = run_cli("apply", manifests, "--auto-approve", *extra)
    assert result.code == 0, result.output
    return result.stdout


def assert_converged(manifests: str, *extra: str) -> None:
    again = run_cli("plan", manifests, "--detailed-exitcode", *extra)
    assert again.code == 0, again.output
    assert plan_json(manifests, *extra)["changes"] == []


def writes(server) -> list[tuple[str, str]]:
    return [(method, path) for method, path, _ in server.write_requests()]


def test_a_carrier_and_the_campaign_naming_it_apply_in_one_run(api_env, tmp_path):
    manifests = write(tmp_path, CARRIER + CAMPAIGN)
    carrier, campaign = plan_json(manifests)["changes"]
    assert (carrier["kind"], carrier["action"], carrier["carrier_name"]) == (
        "carrier", "create", "Billing04")
    assert carrier["carrier_uuid"] is None and "campaign_name" not in carrier
    assert campaign["apply"]["refs"] == {"carrier_uuid": "Billing04"}
    assert carrier["apply"]["level"] < campaign["apply"]["level"]
    applied(manifests)
    store = api_env.store
    uuid = store.uuid_by_name("carrier", "Billing04")
    stored = store.get_carrier(uuid)
    # Sent top level, read back under data (the vendor page's Billing row).
    assert stored["data"]["prefix_mobi"] == "12" and "prefix_mobi" not in stored
    assert stored["network"] == {"viettel": 10, "mobi": 5, "vina": 0, "tel": 0, "offnet": 0}
    live = store.get_campaign(store.campaign_uuid_by_name("NhacNo04"))
    assert live["carrier_uuid"] == uuid
    assert_converged(manifests)


def test_an_update_puts_the_whole_carrier_and_compares_prefixes_under_data(api_env, tmp_path):
    manifests = write(tmp_path, CARRIER)
    applied(manifests)
    uuid = api_env.store.uuid_by_name("carrier", "Billing04")
    # Only what changed is planned: prefix_mobi (read back as data.prefix_mobi).
    changed = CARRIER.replace('prefix_mobi: "12"', 'prefix_mobi: "13"').replace(
        "    description: Thu nợ\n", "")
    write(tmp_path, changed)
    (change,) = plan_json(manifests)["changes"]
    assert change["action"] == "update" and change["carrier_uuid"] == uuid
    assert change["fields"] == {"prefix_mobi": {"before": "12", "after": "13"}}
    applied(manifests)
    stored = api_env.store.get_carrier(uuid)
    assert stored["data"]["prefix_mobi"] == "13"
    # A full replace: what the manifest no longer declares was sent back as it was.
    assert stored["description"] == "Thu nợ" and stored["data"]["prefix_vina"] == "12"
    assert stored["concurrent_call"] == 20
    assert [m for m, p in writes(api_env) if p == f"/v3/carrier/{uuid}"] == ["PUT"]
    assert_converged(manifests)


def test_a_pinned_carrier_is_renamed_in_place(api_env, tmp_path):
    manifests = write(tmp_path, CARRIER)
    applied(manifests)
    uuid = api_env.store.uuid_by_name("carrier", "Billing04")
    write(tmp_path, CARRIER.replace("carrier_name: Billing04",
                                    f"carrier_name: Billing05\n    carrier_uuid: {uuid}"))
    (change,) = plan_json(manifests)["changes"]
    assert change["action"] == "update"
    assert change["fields"] == {"carrier_name": {"before": "Billing04", "after": "Billing05"}}
    applied(manifests)
    assert api_env.store.get_carrier(uuid)["carrier_name"] == "Billing05"
    assert_converged(manifests)


def test_state_absent_deletes_it_and_the_listing_confirms(api_env, tmp_path):
    uuid = api_env.store.add_carrier("Old")
    manifests = write(tmp_path, "carriers:\n  - carrier_name: Old\n    state: absent\n")
    out = applied(manifests)
    assert "confirmed: the listing no longer shows it" in out
    assert api_env.store.get_carrier(uuid) is None
    assert_converged(manifests)


def test_deleting_a_carrier_a_campaign_uses_is_refused_at_plan_time(api_env, tmp_path):
    uuid = api_env.store.add_carrier("Used")
    api_env.store.add_campaign({"campaign_name": "Users", "carrier_uuid": uuid})
    manifests = write(tmp_path, "carriers:\n  - carrier_name: Used\n    state: absent\n")
    result = run_cli("plan", manifests)
    assert result.code == 1
    assert "cannot delete carrier 'Used': campaigns that stay use it ('Users')" in result.stderr
    assert api_env.store.get_carrier(uuid) is not None


def test_a_carrier_delete_waits_for_the_campaign_moving_off_it(api_env, tmp_path):
    old = api_env.store.add_carrier("Old")
    api_env.store.add_campaign({"campaign_name": "Mover", "carrier_uuid": old})
    manifests = write(tmp_path, (
        "carriers:\n  - carrier_name: Old\n    state: absent\n"
        "campaigns:\n  - campaign_name: Mover\n    carrier: Billing\n"
    ))
    changes = plan_json(manifests)["changes"]
    by_kind = {change["kind"]: change for change in changes}
    assert by_kind["carrier"]["apply"]["level"] > by_kind["campaign"]["apply"]["level"]
    applied(manifests, "-p", "8")
    assert api_env.store.get_carrier(old) is None


def test_the_delete_is_rechecked_right_before_it_is_sent(api_env, tmp_path):
    from reconciler.api import ApiClient
    from reconciler.apply import apply_change
    from reconciler.kinds.carrier import CARRIER as KIND

    uuid = api_env.store.add_carrier("Late")
    with ApiClient(api_env.url, token=api_env.token) as client:
        change = KIND.plan_delete(KIND.read(client, uuid), "m.yaml:1")
        api_env.store.add_campaign({"campaign_name": "Newcomer", "carrier_uuid": uuid})
        outcome = apply_change(client, change)
    assert outcome.status == "failed"
    assert "still used by 'Newcomer'" in outcome.message
    assert api_env.store.get_carrier(uuid) is not None
    assert ("DELETE", f"/v3/carrier/{uuid}") not in writes(api_env)


def test_prune_spares_used_carriers_and_prunes_only_when_carriers_are_declared(
    api_env, tmp_path
):
    used = api_env.store.add_carrier("UsedOne")
    api_env.store.add_campaign({"campaign_name": "OnUsed", "carrier_uuid": used,
                                "type": "callbot"})
    spare = api_env.store.add_carrier("Spare")
    campaigns_only = write(tmp_path, "campaigns:\n  - campaign_name: Other\n")
    planned = plan_json(campaigns_only, "--prune")["changes"]
    assert all(change["kind"] == "campaign" for change in planned)
    (tmp_path / "m.yaml").unlink()
    manifests = write(tmp_path, CARRIER)
    planned = plan_json(manifests, "--prune")
    deleted = {c["carrier_name"] for c in planned["changes"]
               if c["kind"] == "carrier" and c["action"] == "delete"}
    assert "Spare" in deleted and "UsedOne" not in deleted
    assert any("carrier 'UsedOne' is kept: campaigns use it ('OnUsed')" in note
               for note in planned["notes"])
    applied(manifests, "--prune")
    assert api_env.store.get_carrier(spare) is None
    assert api_env.store.get_carrier(used) is not None


def test_a_create_without_the_required_fields_is_refused_before_any_write(api_env, tmp_path):
    manifests = write(tmp_path, "carriers:\n  - carrier_name: Bare\n    caller_id: \"1900\"\n")
    result = run_cli("plan", manifests)
    assert result.code == 1
    assert "creating it needs gateway_uuid, dial_type, concurrent_call" in result.stderr


def test_a_prefix_the_dial_type_never_reads_back_is_refused(tmp_path):
    manifests = write(tmp_path, CARRIER.replace("dial_type: channel_prefix",
                                                "dial_type: sip_one_for_all"))
    result = run_cli("validate", manifests)
    assert result.code == 1
    assert "prefix_mobi is used (and read back) only with dial_type channel_prefix" in (
        result.stderr)


def test_random_dial_types_compare_data_caller_ids(api_env, tmp_path):
    manifests = write(tmp_path, f"""\
carriers:
  - carrier_name: Pool
    gateway_uuid: {GATEWAY}
    dial_type: sip_random_for_all
    concurrent_call: 4
    data: {{caller_id: ["0281", "0282"]}}
""")
    applied(manifests)
    stored = api_env.store.get_carrier(api_env.store.uuid_by_name("carrier", "Pool"))
    assert stored["data"]["caller_id"] == ["0281", "0282"]
    assert_converged(manifests)


def test_export_round_trip_with_carriers(api_env, tmp_path):
    api_env.store.add_carrier("Prefixed", dial_type="channel_prefix", prefix_mobi="12",
                              network={"viettel": 3}, caller_id="0287")
    api_env.store.add_campaign({"campaign_name": "OnPrefixed",
                                "carrier_uuid": api_env.store.uuid_by_name("carrier",
                                                                           "Prefixed")})
    out = tmp_path / "out"
    result = run_cli("export", "--out", str(out), "--carriers")
    assert result.code == 0, result.output
    text = (out / "carrier-prefixed.yaml").read_text(encoding="utf-8")
    assert "prefix_mobi: '12'" in text or 'prefix_mobi: "12"' in text
    assert "carrier: Prefixed" in (out / "onprefixed.yaml").read_text(encoding="utf-8")
    assert_converged(str(out))


def test_export_kind_carrier_is_carriers(api_env, tmp_path):
    """`--kind carrier` writes exactly what `--carriers` writes, and says so alike."""
    api_env.store.add_carrier("Pool", dial_type="channel_prefix", prefix_mobi="12",
                              network={"viettel": 3}, caller_id="0287")
    by_flag = run_cli("export", "--out", str(tmp_path / "flag"), "--carriers")
    by_kind = run_cli("export", "--out", str(tmp_path / "kind"), "--kind", "carrier")
    assert by_flag.code == by_kind.code == 0, by_kind.output
    assert "and 4 carriers to" in by_kind.output  # the seeded three, and Pool
    assert by_kind.output.replace(str(tmp_path / "kind"), str(tmp_path / "flag")) == \
        by_flag.output
    written = sorted(path.name for path in (tmp_path / "kind").iterdir())
    assert written == sorted(path.name for path in (tmp_path / "flag").iterdir())
    assert "carrier-pool.yaml" in written


def test_export_kind_unknown_is_refused(api_env, tmp_path):
    """A kind export cannot write (audio: no file comes back) is a clear error, no files."""
    result = run_cli("export", "--out", str(tmp_path / "out"), "--kind", "audio")
    assert result.code == 1
    assert "--kind audio: not a kind export writes" in result.output
    assert not (tmp_path / "out").exists()


def test_export_update_takes_carrier_drift_back(api_env, tmp_path, monkeypatch):
    """A declared carrier that drifted is taken back like a campaign (it was an internal
    KeyError: only campaigns and templates were known to `export --update`)."""
    monkeypatch.chdir(tmp_path)
    api_env.store.add_carrier("Pool", dial_type="channel_prefix", prefix_mobi="12",
                              network={"viettel": 3}, caller_id="0287")
    assert run_cli("export", "--out", "m", "--carriers", "--no-templates").code == 0
    drifted = tmp_path / "portal"
    drifted.mkdir()
    text = (tmp_path / "m" / "carrier-pool.yaml").read_text(encoding="utf-8")
    assert 'description: ""' in text
    (drifted / "pool.yaml").write_text(text.replace('description: ""', "description: two"),
                                       encoding="utf-8")
    assert run_cli("apply", "portal", "--auto-approve").code == 0
    result = run_cli("export", "--update", "m")
    assert result.code == 0, result.output
    assert "~ carrier Pool: description" in result.output
    taken = (tmp_path / "m" / "carrier-pool.yaml").read_text("utf-8")
    assert 'description: "two"' in taken
    assert run_cli("plan", "m", "--detailed-exitcode").code == 0
