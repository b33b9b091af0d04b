"""Values that read as nothing are not values: a waiver reason made of invisible characters
is no reason, and `carrier_uuid: ""` does not satisfy a rule that requires a carrier.
Through the real CLI (validate is offline)."""

from __future__ import annotations

from pathlib import Path

import pytest
from clirun import run_cli

CONFIG = """\
policies:
  presets: [vn-decree-91]
  rules:
    - id: billing/needs-carrier
      severity: error
      required: [carrier, labels.team]
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reconciler.yaml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


def validate(project: Path, manifest: str) -> tuple[int, list[str]]:
    (project / "campaigns.yaml").write_text(manifest, encoding="utf-8")
    result = run_cli("validate", "campaigns.yaml")
    assert "Traceback" not in result.output
    return result.code, result.stderr.splitlines()


@pytest.mark.parametrize("reason", ["\u200b", "\u00a0\u00a0", " \u200b\u3000 ", "\ufeff"])
@pytest.mark.parametrize("kind", ["campaign", "template"])
def test_a_waiver_reason_of_invisible_characters_is_refused_where_it_is(
    project, reason, kind
):
    escaped = reason.encode("unicode_escape").decode()
    complies = (
        "    labels: {team: billing}\n    carrier_uuid: a18b400f-d487-4e17-b5e7-eba5fe6fa54f\n"
        if kind == "campaign" else ""
    )
    manifest = (
        f"{kind}s:\n  - {kind}_name: Promo\n{complies}    policy_waivers:\n"
        f'      vn-decree-91/calling-hours: "{escaped}"\n'
    )
    code, lines = validate(project, manifest)
    assert code == 1
    line = 5 if kind == "campaign" else 3
    assert (
        f"campaigns.yaml:{line + 1}: policy_waivers.vn-decree-91/calling-hours: a waiver needs "
        f"a reason: say why this {kind} may break the rule (this one is only spaces or "
        "invisible characters)"
    ) in lines


@pytest.mark.parametrize("kind", ["campaign", "template", "carrier"])
def test_a_waiver_with_nothing_after_its_colon_is_asked_for_a_reason(project, kind):
    # Every kind's entry says the same thing (one shared validator), not a type error.
    manifest = f"{kind}s:\n  - {kind}_name: Promo\n    policy_waivers:\n      some/rule:\n"
    code, lines = validate(project, manifest)
    assert code == 1
    assert any(
        line.startswith("campaigns.yaml:4: policy_waivers.some/rule: a waiver needs a reason: "
                        f"say why this {kind} may break the rule")
        for line in lines
    ), lines


def test_an_empty_carrier_uuid_does_not_satisfy_required_carrier(project):
    code, lines = validate(
        project,
        'campaigns:\n  - campaign_name: Promo\n    carrier_uuid: ""\n'
        '    labels: {team: "\u200b "}\n',
    )
    assert code == 1
    assert (
        "campaigns.yaml:3: billing/needs-carrier: carrier_uuid is declared empty; carrier (or "
        "carrier_uuid) must be declared with a value"
    ) in lines
    assert (
        "campaigns.yaml:4: billing/needs-carrier: the label team is declared empty; the label "
        "team must be declared with a value"
    ) in lines
    code, _ = validate(
        project,
        'campaigns:\n  - campaign_name: Promo\n'
        "    carrier_uuid: a18b400f-d487-4e17-b5e7-eba5fe6fa54f\n    labels: {team: billing}\n",
    )
    assert code == 0
