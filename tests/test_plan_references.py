"""Plan-time checks of what a manifest refers to on the tenant, reported like `validate`'s."""

from __future__ import annotations

from pathlib import Path

from clirun import run_cli

BILLING = "a18b400f-d487-4e17-b5e7-eba5fe6fa54f"
MISSING = "00000000-0000-4000-8000-000000000000"
OTP_TEMPLATE = "c4d5e6f7-0819-4a2b-bc3d-4e5f60718293"
KNOWN_TEMPLATES = (
    '"khuyen_mai_audio_01", "ma_otp_01", "thong_bao_no_cuoc_01", "thong_bao_no_cuoc_01_en"'
)


def write(tmp_path: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")


def test_uuids_not_on_the_tenant_are_refused_at_plan_time_each_located(
    api_env, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path,
        {
            "a.yaml": (
                "campaigns:\n"
                "  - campaign_name: A\n"
                f"    carrier_uuid: {MISSING}\n"
                f"    template_uuid: {OTP_TEMPLATE}\n"
            ),
            "b.yaml": (
                "campaigns:\n"
                "  - campaign_name: B\n"
                "    concurrent_call: 2\n"
                f"    template_uuid: {MISSING}\n"
                "  - campaign_name: C\n"
                f"    carrier_uuid: {BILLING.upper()}\n"
            ),
        },
    )
    for command in (["plan", "."], ["apply", ".", "--auto-approve"]):
        result = run_cli(*command)
        assert result.code == 1
        assert result.stdout == ""
        assert result.stderr.splitlines() == [
            f"./a.yaml:3: carrier_uuid: no carrier on the tenant has uuid {MISSING} (known "
            'carriers: "Billing", "CSKH", "Marketing"; or name one with carrier: NAME)',
            f"./b.yaml:4: template_uuid: no template on the tenant has uuid {MISSING} (known "
            f"templates: {KNOWN_TEMPLATES}; or name one with template: NAME)",
            f"./b.yaml:6: carrier_uuid: the API spells this carrier's uuid {BILLING}: write it "
            "that way",
            "3 errors in 2 files.",
        ]
    assert api_env.write_requests() == []


def test_a_declared_uuid_alone_fetches_the_listing_and_a_known_one_plans(api_env, tmp_path):
    write(
        tmp_path,
        {"a.yaml": f"campaigns:\n  - campaign_name: A\n    carrier_uuid: {BILLING}\n"},
    )
    result = run_cli("plan", str(tmp_path))
    assert result.code == 0, result.output
    assert f'+ carrier_uuid: "{BILLING}"' in result.stdout
    listed = [path for method, path, _ in api_env.requests if method == "GET"]
    assert any(path.startswith("/v3/carrier?") for path in listed)
    assert not any(path.startswith("/v3/template") for path in listed)


def test_clearing_a_uuid_needs_no_listing(api_env, tmp_path):
    write(tmp_path, {"a.yaml": 'campaigns:\n  - campaign_name: A\n    carrier_uuid: ""\n'})
    result = run_cli("plan", str(tmp_path))
    assert result.code == 0, result.output
    assert not any(path.startswith("/v3/carrier") for _, path, _ in api_env.requests)


def test_unknown_carrier_name_is_reported_like_validate(api_env, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"c.yaml": "campaigns:\n  - campaign_name: One\n    carrier: Biling\n"})
    result = run_cli("plan", "c.yaml")
    assert result.code == 1
    assert result.stderr.splitlines() == [
        'c.yaml:3: carrier: unknown carrier "Biling" (did you mean "Billing"?)',
        "1 error in 1 file.",
    ]


def test_plan_errors_that_are_not_located_keep_the_error_prefix(api_env, tmp_path):
    api_env.store.add_campaign({"campaign_name": "Old"})
    write(tmp_path, {"c.yaml": "campaigns:\n  - campaign_name: Old\n    state: absent\n"})
    result = run_cli("apply", str(tmp_path), "--auto-approve", "--max-deletes", "0")
    assert result.code == 1
    assert result.stderr == (
        "error: the plan deletes 1 campaign, more than --max-deletes 0; check the plan, then "
        "raise --max-deletes if that is intended\nnothing was changed\n"
    )


def test_a_dangling_uuid_the_live_campaign_already_holds_is_no_change(api_env, tmp_path):
    api_env.store.add_campaign({"campaign_name": "A", "template_uuid": MISSING})
    write(tmp_path, {"a.yaml": f"campaigns:\n  - campaign_name: A\n    template_uuid: {MISSING}\n"})
    result = run_cli("plan", str(tmp_path), "--detailed-exitcode")
    assert result.code == 0, result.output
    assert "No changes." in result.stdout
