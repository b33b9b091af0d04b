"""`reconciler export --update DIR` against the emulator over real HTTP: a hand-written tree
(comments, anchors, quoting styles, labels, waivers, pins) is applied, drifted through the
API, and taken back in place; only the changed values' bytes move, and a plan afterwards is
empty."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from clirun import run_cli

from reconciler.api import ApiClient
from reconciler.emulator import EmulatorServer

FIXTURE = Path(__file__).parent / "fixtures" / "drift"
NOVEMBER = "7b1c2d3e-0000-4000-8000-00000000aaaa"
H = 3600 * 10**9
M = 60 * 10**9


def snapshot(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


@pytest.fixture
def tree(api_env: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fixture tree, applied to a fresh tenant (the pinned campaign seeded first)."""
    monkeypatch.chdir(tmp_path)
    directory = tmp_path / "campaigns"
    shutil.copytree(FIXTURE, directory)
    api_env.store.add_campaign({"campaign_uuid": NOVEMBER, "campaign_name": "November",
                                "type_autocall": "autocall_voice_tts"})
    applied = run_cli("apply", "campaigns", "--auto-approve")
    assert applied.code == 0, applied.output
    assert run_cli("plan", "campaigns", "--detailed-exitcode").code == 0
    return directory


def client(server: EmulatorServer) -> ApiClient:
    return ApiClient.from_env(server.url)


def put(server: EmulatorServer, name: str, **changes: object) -> None:
    """What a person does in the portal: a full-replace PUT of the object, changed."""
    api = client(server)
    uuid = api.find_campaign_by_name(name)["campaign_uuid"]
    live = api.get_campaign(uuid)
    api.update_campaign(uuid, {**live, **changes})


def day(name: str, start: int, end: int) -> dict[str, int]:
    return {f"{name}_start_time": start, f"{name}_end_time": end}


def drift(server: EmulatorServer) -> None:
    """Three kinds of drift: a field, schedules, a new campaign (and a little more)."""
    weekdays = ("monday", "tuesday", "wednesday", "thursday", "friday")
    mornings = {k: v for d in weekdays for k, v in day(d, 8 * H, 11 * H + 30 * M).items()}
    afternoons = {k: v for d in weekdays[:3] for k, v in day(d, 14 * H, 17 * H).items()}
    put(server, "DebtReminderTTS", concurrent_call=8, schedules=[
        {**mornings, **day("saturday", 8 * H + 30 * M, 11 * H + 15 * M)},
        afternoons,
    ])
    put(server, "Promo", recall_status=["busy"], description="Winter promotion")
    client(server).create_campaign({"campaign_name": "Flash Sale", "type": "autocall",
                                    "type_autocall": "autocall_voice_tts"})


def expected_billing() -> str:
    """The fixture with exactly the drifted values changed, every other byte as it was."""
    text = (FIXTURE / "billing.yaml").read_text(encoding="utf-8")
    for before, after in [
        ("concurrent_call: 5                  #", "concurrent_call: 8                  #"),
        ('monday-friday: "8:00 - 12:00"', 'monday-friday: "08:00-11:30"'),
        ('mon: "13:30-17:00"', 'mon: "14:00-17:00"'),
        ('tue: "13:30-17:00"', 'tue: "14:00-17:00"'),
        ('wed: "13:30-17:00"', 'wed: "14:00-17:00"'),
    ]:
        assert text.count(before) == 1
        text = text.replace(before, after)
    return text


def expected_promo() -> str:
    text = (FIXTURE / "promo.yml").read_text(encoding="utf-8")
    text = text.replace("Summer promotion", "Winter promotion")
    return text.replace("  - busy\n  - failed\n", "  - busy\n")


def test_drift_is_taken_back_in_place_and_a_plan_afterwards_is_empty(api_env, tree):
    drift(api_env)
    assert run_cli("plan", "campaigns", "--detailed-exitcode").code == 2
    updated = run_cli("export", "--update", "campaigns")
    assert updated.code == 0, updated.output
    assert (tree / "billing.yaml").read_text(encoding="utf-8") == expected_billing()
    assert (tree / "promo.yml").read_text(encoding="utf-8") == expected_promo()
    new = (tree / "flash-sale.yaml").read_text(encoding="utf-8")
    assert "campaign_name: Flash Sale" in new
    assert "Updated campaigns/billing.yaml:" in updated.stdout
    assert "  ~ DebtReminderTTS: concurrent_call, schedules" in updated.stdout
    assert "  ~ Promo: description, recall_status" in updated.stdout
    assert "campaigns/flash-sale.yaml: campaign 'Flash Sale'" in updated.stdout
    assert "2 files changed (2 entries, 4 fields); 1 new file." in updated.stdout
    after = run_cli("plan", "campaigns", "--detailed-exitcode")
    assert after.code == 0, after.output
    validated = run_cli("validate", "campaigns")
    assert validated.code == 0, validated.output


def test_check_exits_2_and_writes_nothing(api_env, tree):
    drift(api_env)
    before = snapshot(tree)
    checked = run_cli("export", "--update", "campaigns", "--check")
    assert checked.code == 2, checked.output
    assert "Would update campaigns/billing.yaml:" in checked.stdout
    assert "Would write campaigns/flash-sale.yaml" in checked.stdout
    assert snapshot(tree) == before
    assert run_cli("export", "--update", "campaigns").code == 0
    again = run_cli("export", "--update", "campaigns", "--check")
    assert again.code == 0, again.output
    assert "Nothing to take back" in again.stdout


def test_no_new_leaves_undeclared_campaigns_out(api_env, tree):
    drift(api_env)
    updated = run_cli("export", "--update", "campaigns", "--no-new")
    assert updated.code == 0, updated.output
    assert sorted(snapshot(tree)) == ["billing.yaml", "promo.yml"]
    assert (tree / "billing.yaml").read_text(encoding="utf-8") == expected_billing()


def test_a_declared_campaign_gone_live_is_listed_never_deleted(api_env, tree):
    api = client(api_env)
    api.delete_campaign(api.find_campaign_by_name("Promo")["campaign_uuid"])
    before = snapshot(tree)
    updated = run_cli("export", "--update", "campaigns")
    assert updated.code == 0, updated.output
    assert "Listed only: campaign 'Promo' (campaigns/promo.yml:2): declared, not live" in (
        updated.stdout
    )
    assert snapshot(tree) == before


def test_match_and_target_narrow_what_is_taken_back(api_env, tree):
    drift(api_env)
    targeted = run_cli("export", "--update", "campaigns", "--target", "Promo", "--no-new")
    assert targeted.code == 0, targeted.output
    assert (tree / "promo.yml").read_text(encoding="utf-8") == expected_promo()
    assert (tree / "billing.yaml").read_bytes() == (FIXTURE / "billing.yaml").read_bytes()
    matched = run_cli("export", "--update", "campaigns", "--match", "^Debt")
    assert matched.code == 0, matched.output
    assert (tree / "billing.yaml").read_text(encoding="utf-8") == expected_billing()
    assert not (tree / "flash-sale.yaml").exists()


def test_update_and_out_are_exclusive(api_env, tmp_path):
    both = run_cli("export", "--out", str(tmp_path / "a"), "--update", str(tmp_path))
    assert both.code == 1 and "give one of --out DIR" in both.stderr
    check_alone = run_cli("export", "--out", str(tmp_path / "a"), "--check")
    assert check_alone.code == 1 and "go with --update" in check_alone.stderr


def test_plan_drift_words_the_report_as_drift_with_updated_at(api_env, tree):
    drift(api_env)
    live = client(api_env).find_campaign_by_name("DebtReminderTTS")
    updated_at = client(api_env).get_campaign(live["campaign_uuid"])["updated_at"]
    text = run_cli("plan", "campaigns", "--drift")
    assert text.code == 2, text.output
    assert "Changed outside the manifests (each field: live → manifests):" in text.stdout
    assert f"      # changed outside the manifests since {updated_at}" in text.stdout
    assert "will perform" not in text.stdout
    assert "Drift: 2 changed outside the manifests, 0 declared but not live" in text.stdout
    markdown = run_cli("plan", "campaigns", "--drift", "--format", "markdown")
    assert markdown.code == 2
    assert "### Reconciler drift report" in markdown.stdout
    assert f"changed outside the manifests since {updated_at}" in markdown.stdout
    document = json.loads(run_cli("plan", "campaigns", "--format", "json").stdout)
    by_name = {change["campaign_name"]: change for change in document["changes"]}
    assert by_name["DebtReminderTTS"]["updated_at"] == updated_at
    assert run_cli("export", "--update", "campaigns").code == 0
    clean = run_cli("plan", "campaigns", "--drift")
    assert clean.code == 0 and clean.stdout.startswith("No drift.")
