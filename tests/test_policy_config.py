"""reconciler.yaml: where it is read from, every problem located with a suggestion, the committed
schema kept current, and `reconciler policies` listing the rules in force with their source."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from clirun import NO_POLICIES, Run, run_cli

from reconciler.policy.config import load_policies
from reconciler.policy.schema import config_schema

ROOT = Path(__file__).parent.parent
EXAMPLE_CONFIG = ROOT / "examples" / "reconciler.yaml"
MANIFEST = """\
campaigns:
  - campaign_name: Promo
    concurrent_call: 80
"""
MAX_RULE = """\
policies:
  rules:
    - id: max-concurrency
      severity: error
      max: {concurrent_call: 50}
"""


def in_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str]) -> None:
    monkeypatch.chdir(tmp_path)
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")


def validate(*args: str) -> Run:
    result = run_cli("validate", *args)
    assert "Traceback" not in result.output
    return result


MAX_FINDING = (
    "campaigns.yaml:3: max-concurrency: concurrent_call is 80; the maximum is 50",
    "Policy: 1 error.",
    "error: 1 policy error (listed above): the manifests break the project's policies. Fix the "
    "campaign, or waive the rule for it with policy_waivers: {RULE_ID: reason}",
)


def test_reconciler_yaml_in_the_current_directory_is_read(tmp_path, monkeypatch) -> None:
    in_dir(tmp_path, monkeypatch, {"reconciler.yaml": MAX_RULE, "campaigns.yaml": MANIFEST})
    result = validate("campaigns.yaml")
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == list(MAX_FINDING)


def test_no_reconciler_yaml_means_no_policies(tmp_path, monkeypatch) -> None:
    in_dir(tmp_path, monkeypatch, {"campaigns.yaml": MANIFEST})
    result = validate("campaigns.yaml")
    assert (result.code, result.stdout, result.stderr) == (
        0,
        "1 campaign in 1 file is valid.\n",
        NO_POLICIES,
    )


def test_validate_and_plan_say_when_no_policies_are_in_force(
    tmp_path, monkeypatch, api_env
) -> None:
    in_dir(tmp_path, monkeypatch, {"campaigns.yaml": MANIFEST, "empty.yaml": "policies:\n"})
    note = "no policies in force (empty.yaml has none): calling-law checks are off"
    checked = validate("campaigns.yaml", "--config", "empty.yaml")
    assert checked.stderr == f"Note: {note}\n"
    document = json.loads(validate("campaigns.yaml", "--config", "empty.yaml",
                                   "--format", "json").stdout)
    assert [(d["severity"], d["code"], d["summary"]) for d in document["diagnostics"]] == [
        ("note", "policy/none-in-force", note)]
    planned = run_cli("plan", "campaigns.yaml", "--config", "empty.yaml")
    assert planned.code == 0 and planned.stderr == f"Note: {note}\n"
    assert "no policies in force" not in planned.stdout
    planned = run_cli("plan", "campaigns.yaml", "--format", "json")
    assert planned.stderr == ""
    assert json.loads(planned.stdout)["notes"] == [NO_POLICIES.removeprefix("Note: ").strip()]
    # With a rule in force, nothing is said.
    (tmp_path / "reconciler.yaml").write_text(MAX_RULE, encoding="utf-8")
    (tmp_path / "campaigns.yaml").write_text(MANIFEST.replace("80", "8"), encoding="utf-8")
    assert validate("campaigns.yaml").stderr == ""
    assert "no policies" not in run_cli("plan", "campaigns.yaml").output


@pytest.mark.parametrize("how", ["option before", "option after", "environment"])
def test_config_named_by_option_or_environment(tmp_path, monkeypatch, how: str) -> None:
    in_dir(tmp_path, monkeypatch, {"team/rules.yaml": MAX_RULE, "campaigns.yaml": MANIFEST})
    if how == "option before":
        result = run_cli("--config", "team/rules.yaml", "validate", "campaigns.yaml")
    elif how == "option after":
        result = validate("campaigns.yaml", "--config", "team/rules.yaml")
    else:
        monkeypatch.setenv("RECONCILER_CONFIG", "team/rules.yaml")
        result = validate("campaigns.yaml")
    assert result.code == 1
    assert result.stderr.splitlines()[0] == MAX_FINDING[0]


def test_option_wins_over_environment_and_default(tmp_path, monkeypatch) -> None:
    lenient = MAX_RULE.replace("50", "100")
    in_dir(
        tmp_path,
        monkeypatch,
        {"reconciler.yaml": lenient, "strict.yaml": MAX_RULE, "campaigns.yaml": MANIFEST},
    )
    monkeypatch.setenv("RECONCILER_CONFIG", "reconciler.yaml")
    assert validate("campaigns.yaml").code == 0
    assert validate("campaigns.yaml", "--config", "strict.yaml").code == 1


def test_a_named_config_must_exist(tmp_path, monkeypatch) -> None:
    in_dir(tmp_path, monkeypatch, {"campaigns.yaml": MANIFEST})
    result = validate("campaigns.yaml", "--config", "missing.yaml")
    assert result.code == 1
    assert result.stderr.splitlines() == [
        "missing.yaml: no such config file (named by --config or RECONCILER_CONFIG)",
        "1 error in 1 file.",
    ]
    monkeypatch.setenv("RECONCILER_CONFIG", "gone.yaml")
    assert validate("campaigns.yaml").stderr.startswith("gone.yaml: no such config file")
    assert run_cli("policies").code == 1


EMPTY_VARIABLE = (
    "error: RECONCILER_CONFIG is empty: set it to the config file's path (in CI, check that "
    "the variable is defined), or unset it to read ./reconciler.yaml\n"
)
EMPTY_OPTION = (
    "error: --config is empty: give the config file's path, e.g. --config reconciler.yaml, "
    "or leave the option out to read ./reconciler.yaml\n"
)


@pytest.mark.parametrize("command", ["validate", "policies"])
@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_config_variable_is_an_error_naming_it(
    tmp_path, monkeypatch, command: str, value: str
) -> None:
    # A reconciler.yaml that would pass must not be read in its place.
    in_dir(
        tmp_path,
        monkeypatch,
        {"reconciler.yaml": "policies:\n", "campaigns.yaml": MANIFEST},
    )
    monkeypatch.setenv("RECONCILER_CONFIG", value)
    args = ["validate", "campaigns.yaml"] if command == "validate" else ["policies"]
    result = run_cli(*args)
    assert (result.code, result.stdout, result.stderr) == (1, "", EMPTY_VARIABLE)


@pytest.mark.parametrize("before", [True, False])
def test_an_empty_config_option_is_an_error_even_with_the_variable_set(
    tmp_path, monkeypatch, before: bool
) -> None:
    in_dir(tmp_path, monkeypatch, {"team.yaml": MAX_RULE, "campaigns.yaml": MANIFEST})
    monkeypatch.setenv("RECONCILER_CONFIG", "team.yaml")
    if before:
        result = run_cli("--config", "", "validate", "campaigns.yaml")
    else:
        result = validate("campaigns.yaml", "--config", "")
    assert (result.code, result.stdout, result.stderr) == (1, "", EMPTY_OPTION)


def test_misspelt_rule_key_is_located_with_a_suggestion(tmp_path, monkeypatch) -> None:
    config = MAX_RULE.replace("max:", "mxa:")
    in_dir(tmp_path, monkeypatch, {"reconciler.yaml": config, "campaigns.yaml": MANIFEST})
    result = validate("campaigns.yaml")
    assert result.code == 1
    assert result.stderr.splitlines() == [
        "reconciler.yaml:5: unknown key 'mxa' in policies.rules[0] (did you mean 'max'?); "
        "expected id, severity, message, select, max, min, required, allowed, name_pattern, "
        "calling_hours, quiet_days",
        "1 error in 1 file.",
    ]


CONFIG_CASES = {
    "misspelt section": (
        "polices:\n  presets: []\n",
        ["1: unknown key 'polices' (did you mean 'policies'?); expected policies, environments"],
    ),
    "misspelt preset": (
        "policies:\n  presets: [vn-decree91]\n",
        [
            "2: policies.presets: unknown preset 'vn-decree91' (did you mean 'vn-decree-91'?); "
            "the presets are vn-decree-91"
        ],
    ),
    "misspelt field in max": (
        "policies:\n  rules:\n    - id: a\n      max: {concurent_call: 5}\n",
        [
            "4: policies.rules[0].max: 'concurent_call' is not a field with a number (did you "
            "mean 'concurrent_call'?); use one of concurrent_call, call_timeout, recall_times, "
            "limit_recall_duration, schedule_recall_duration, network.viettel, network.mobi, "
            "network.vina, network.tel, network.offnet"
        ],
    ),
    "bad severity": (
        "policies:\n  rules:\n    - id: a\n      severity: fatal\n      min: {call_timeout: 1}\n",
        ["4: policies.rules[0].severity: must be error or warning; got the string 'fatal'"],
    ),
    "no check": (
        "policies:\n  rules:\n    - id: a\n      severity: warning\n",
        [
            "3: policies.rules[0]: a rule needs one check: one of max, min, required, allowed, "
            "name_pattern, calling_hours, quiet_days"
        ],
    ),
    "two checks": (
        "policies:\n  rules:\n    - id: a\n      max: {recall_times: 1}\n      quiet_days: [sun]\n",
        [
            "3: policies.rules[0]: a rule has exactly one check, this one has 2 (max, "
            "quiet_days): give each its own rule"
        ],
    ),
    **{
        f"{check} checks nothing": (
            f"policies:\n  rules:\n    - id: a\n      {check}: {empty}\n",
            [f"4: policies.rules[0].{check}: checks nothing: {instead}"],
        )
        for check, empty, instead in [
            ("max", "{}", "give at least one field and its maximum, e.g. {concurrent_call: 50}"),
            ("min", "{}", "give at least one field and its minimum, e.g. {call_timeout: 20}"),
            (
                "required",
                "[]",
                "list at least one field (or labels.KEY) the selected campaigns must declare",
            ),
            (
                "allowed",
                "{}",
                "give at least one field and its allowed values, e.g. {mode_call: [serial]}",
            ),
            (
                "name_pattern",
                "''",
                "give a regular expression campaign_name must match, e.g. '^promo-'",
            ),
            (
                "calling_hours",
                "{}",
                'give at least one day and its window, e.g. {daily: "08:00-17:00"}',
            ),
            ("quiet_days", "[]", "list at least one day, e.g. [sun]"),
        ]
    },
    "misspelt allowed type_autocall": (
        "policies:\n  rules:\n    - id: a\n      allowed: {type_autocall: [autocall_audi]}\n",
        [
            "4: policies.rules[0].allowed.type_autocall[0]: must be one of autocall_voice_tts, "
            "autocall_audio, autocall_voice_otp; got the string 'autocall_audi' (did you mean "
            "'autocall_audio'?)"
        ],
    ),
    "misspelt allowed mode_call": (
        "policies:\n  rules:\n    - id: a\n      allowed:\n        mode_call:\n"
        "          - serial\n          - parallel\n",
        [
            "7: policies.rules[0].allowed.mode_call[1]: must be one of direct, serial, parralel; "
            "got the string 'parallel' (did you mean 'parralel'?)"
        ],
    ),
    "allowed word for a number": (
        "policies:\n  rules:\n    - id: a\n      allowed: {concurrent_call: ['five']}\n",
        [
            "4: policies.rules[0].allowed.concurrent_call[0]: must be a whole number, got the "
            "string 'five'"
        ],
    ),
    "allowed boolean for a number": (
        "policies:\n  rules:\n    - id: a\n      allowed: {network.viettel: [10, true]}\n",
        [
            "4: policies.rules[0].allowed.network.viettel[1]: must be a whole number, got the "
            "boolean true"
        ],
    ),
    "allowed maybe for active": (
        "policies:\n  rules:\n    - id: a\n      allowed: {active: [maybe]}\n",
        ["4: policies.rules[0].allowed.active[0]: must be true or false, got the string 'maybe'"],
    ),
    "allowed number for a name": (
        "policies:\n  rules:\n    - id: a\n      allowed: {labels.year: [2026]}\n",
        [
            "4: policies.rules[0].allowed.labels.year[0]: must be text, got the number 2026 "
            "(quote it)"
        ],
    ),
    "missing id": (
        "policies:\n  rules:\n    - max: {recall_times: 1}\n",
        ["3: policies.rules[0].id: is required"],
    ),
    "bad id": (
        "policies:\n  rules:\n    - id: max concurrency\n      max: {recall_times: 1}\n",
        [
            "3: policies.rules[0].id: must be letters, digits and . _ : / - (like "
            "max-concurrency), got the string 'max concurrency'"
        ],
    ),
    "id of a preset rule": (
        "policies:\n  presets: [vn-decree-91]\n  rules:\n    - id: vn-decree-91/calling-hours\n"
        "      quiet_days: [sun]\n",
        [
            "4: policies.rules[0].id: rule id 'vn-decree-91/calling-hours' is already used by "
            "preset vn-decree-91; rule ids are unique"
        ],
    ),
    "id used twice": (
        "policies:\n  rules:\n    - id: a\n      max: {recall_times: 1}\n    - id: a\n"
        "      min: {recall_times: 0}\n",
        [
            "5: policies.rules[1].id: rule id 'a' is already used by the rule at "
            "reconciler.yaml:3; rule ids are unique"
        ],
    ),
    "bad window": (
        "policies:\n  rules:\n    - id: a\n      calling_hours:\n        mon-fri: 08:00-25:00\n",
        [
            "5: policies.rules[0].calling_hours: '25:00' is not a time: hours go from 00 to 23 "
            "(24:00 ends a day)"
        ],
    ),
    "bad quiet day": (
        "policies:\n  rules:\n    - id: a\n      quiet_days: [sun, sunday-mon]\n",
        [
            "4: policies.rules[0].quiet_days: day range 'sunday-mon' runs backwards; ranges go "
            "from monday to sunday and do not wrap (write 'sun-sun' and 'mon')"
        ],
    ),
    "bad regex": (
        "policies:\n  rules:\n    - id: a\n      name_pattern: '(unclosed'\n",
        [
            "4: policies.rules[0].name_pattern: not a regular expression: missing ), "
            "unterminated subpattern at position 0"
        ],
    ),
    "misspelt selector": (
        "policies:\n  rules:\n    - id: a\n      select: {label: {purpose: advertising}}\n"
        "      max: {recall_times: 0}\n",
        [
            "4: unknown key 'label' in policies.rules[0].select (did you mean 'labels'?); "
            "expected kind, labels, type_autocall"
        ],
    ),
    "misspelt type_autocall": (
        "policies:\n  rules:\n    - id: a\n      select: {type_autocall: autocall_audi}\n"
        "      max: {recall_times: 0}\n",
        [
            "4: policies.rules[0].select.type_autocall[0]: must be one of autocall_voice_tts, "
            "autocall_audio, autocall_voice_otp; got the string 'autocall_audi' (did you mean "
            "'autocall_audio'?)"
        ],
    ),
    "unknown required field": (
        "policies:\n  rules:\n    - id: a\n      required: [carrier, team]\n",
        [
            "4: policies.rules[0].required: 'team' is not a field of a campaign entry; use one "
            "of type, type_autocall, description, active, concurrent_call, carrier, "
            "carrier_uuid, template, template_uuid, call_timeout, mode_call, network, "
            "recall_times, limit_recall_duration, schedule_recall, schedule_recall_duration, "
            "priority_recall, recall_status, callback_url, schedules, or labels.KEY"
        ],
    ),
    "quoted number": (
        "policies:\n  rules:\n    - id: a\n      max: {recall_times: '1'}\n",
        ["4: policies.rules[0].max.recall_times: must be a whole number, got the string '1'"],
    ),
    "not a mapping": (
        "- policies\n",
        [
            "1: expected a mapping, got a list; reconciler.yaml is a mapping with the keys "
            "environments: (tenants) and policies: (presets: and rules:)"
        ],
    ),
    "duplicate key": (
        "policies:\n  rules: []\n  rules: []\n",
        ["3: duplicate key 'rules' (first at line 2)"],
    ),
    "tag": (
        "policies: !!python/object:os.system {}\n",
        [
            "1: YAML tag '!!python/object:os.system' is not allowed: manifests are plain YAML "
            "(no tags)"
        ],
    ),
}


@pytest.mark.parametrize("case", sorted(CONFIG_CASES))
def test_config_errors(tmp_path, monkeypatch, case: str) -> None:
    config, lines = CONFIG_CASES[case]
    in_dir(tmp_path, monkeypatch, {"reconciler.yaml": config, "campaigns.yaml": MANIFEST})
    result = validate("campaigns.yaml")
    assert result.code == 1
    count = f"{len(lines)} error{'s' if len(lines) != 1 else ''} in 1 file."
    assert result.stderr.splitlines() == [f"reconciler.yaml:{line}" for line in lines] + [count]


def test_allowed_values_of_every_kind_are_accepted(tmp_path, monkeypatch) -> None:
    config = """\
        policies:
          rules:
            - id: a
              allowed:
                type: [autocall]
                type_autocall: [autocall_audio, autocall_voice_tts]
                mode_call: [serial, parralel]
                schedule_recall: [minute]
                priority_recall: [normal]
                recall_status: [busy, no-answered]
                active: [true, false]
                concurrent_call: [10, 80]
                network.viettel: [0]
                carrier: [Billing]
                template_uuid: [8f1c]
                callback_url: ["https://hooks.example.vn/a"]
                labels.team: [billing]
        """
    in_dir(tmp_path, monkeypatch, {"reconciler.yaml": config, "campaigns.yaml": MANIFEST})
    assert validate("campaigns.yaml").code == 0


def test_validate_warns_at_a_label_that_nearly_selects_a_rule(tmp_path, monkeypatch) -> None:
    manifest = """\
        campaigns:
          - campaign_name: A
            labels: {purpose: Advertising}
          - campaign_name: B
            labels: {Purpose: advertising}
          - campaign_name: C
            labels: {purpose: " advertising"}
          - campaign_name: D
            labels:
              team: growth
              purpose: advertisement
          - campaign_name: E
            labels: {purpose: debt-reminder}
        """
    in_dir(
        tmp_path,
        monkeypatch,
        {"reconciler.yaml": "policies:\n  presets: [vn-decree-91]\n", "campaigns.yaml": manifest},
    )
    result = validate("campaigns.yaml")
    rules = (
        "which rules vn-decree-91/calling-hours, vn-decree-91/one-call-a-day select; labels are "
        "compared exactly, so they do not check this campaign [warning]"
    )
    assert (result.code, result.stdout) == (0, "5 campaigns in 1 file are valid.\n")
    assert result.stderr.splitlines() == [
        f"campaigns.yaml:3: policy/label-near-miss: label purpose: 'Advertising' is not "
        f"purpose: 'advertising', {rules}",
        f"campaigns.yaml:5: policy/label-near-miss: label Purpose: 'advertising' is not "
        f"purpose: 'advertising', {rules}",
        f"campaigns.yaml:7: policy/label-near-miss: label purpose: ' advertising' is not "
        f"purpose: 'advertising', {rules}",
        f"campaigns.yaml:11: policy/label-near-miss: label purpose: 'advertisement' is not "
        f"purpose: 'advertising', {rules}",
        "Policy: 4 warnings.",
    ]


def test_config_and_manifest_errors_are_reported_together(tmp_path, monkeypatch) -> None:
    in_dir(
        tmp_path,
        monkeypatch,
        {
            "reconciler.yaml": "policies:\n  preset: [vn-decree-91]\n",
            "campaigns.yaml": "campaigns:\n  - campaign_name: A\n    labels: {year: 2026}\n",
        },
    )
    result = validate("campaigns.yaml")
    assert result.code == 1
    assert result.stderr.splitlines() == [
        "reconciler.yaml:2: unknown key 'preset' in policies (did you mean 'presets'?); "
        "expected presets, rules",
        "campaigns.yaml:3: labels.year: must be text, got the number 2026 (quote it)",
        "2 errors in 2 files.",
    ]


@pytest.mark.parametrize("text", ["", "# nothing yet\n", "policies:\n", "policies: {rules: []}\n"])
def test_empty_config_has_no_rules(tmp_path, monkeypatch, text: str) -> None:
    in_dir(tmp_path, monkeypatch, {"reconciler.yaml": text})
    assert load_policies().rules == []
    result = run_cli("policies")
    assert (result.code, result.stdout) == (0, "No policy rules in reconciler.yaml.\n")


def test_config_that_is_a_directory(tmp_path, monkeypatch) -> None:
    in_dir(tmp_path, monkeypatch, {"campaigns.yaml": MANIFEST})
    (tmp_path / "conf").mkdir()
    result = validate("campaigns.yaml", "--config", "conf")
    assert result.stderr.splitlines() == [
        "conf: is a directory, not a config file",
        "1 error in 1 file.",
    ]


# ---- the example, the schema and `reconciler policies` ------------------------------------


def test_committed_config_schema_is_the_schema_command_output() -> None:
    result = run_cli("schema", "config")
    assert result.code == 0
    committed = (ROOT / "schema" / "reconciler.schema.json").read_text(encoding="utf-8")
    assert result.stdout == committed, (
        "run: reconciler schema config > schema/reconciler.schema.json"
    )


def test_config_schema_describes_the_vocabulary() -> None:
    schema = config_schema()
    rule = schema["$defs"]["Rule"]
    assert rule["additionalProperties"] is False
    assert set(rule["properties"]) >= {"id", "severity", "select", "max", "calling_hours"}
    for name, prop in rule["properties"].items():
        assert prop.get("description"), name
    assert rule["properties"]["calling_hours"]["properties"]["mon-fri"] == {
        "$ref": "#/$defs/TimeRange",
        "description": "Monday to friday.",
    }
    assert "TimeRange" in schema["$defs"]
    assert "x-reconciler-window" not in json.dumps(schema)


def test_example_config_points_editors_at_its_schema_and_is_valid(monkeypatch) -> None:
    first = EXAMPLE_CONFIG.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schema/reconciler.schema.json"
    monkeypatch.chdir(ROOT)
    rules = load_policies("examples/reconciler.yaml").rules
    assert [item.rule.id for item in rules][:2] == [
        "vn-decree-91/calling-hours",
        "vn-decree-91/one-call-a-day",
    ]


def test_examples_with_their_config_show_a_warning_and_a_waiver(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    result = validate("examples/campaigns", "--config", "examples/reconciler.yaml")
    assert result.code == 0, result.output
    assert result.stdout == (
        "5 campaigns, 1 audio, 1 carrier and 2 templates in 7 files are valid.\n")
    assert result.stderr.splitlines() == [
        "examples/campaigns/promotions.yaml:29: vn-decree-91/calling-hours: mon-sat 14:00-19:30 "
        "ends after 17:00 (Decree 91/2020/ND-CP: advertising calls only between 08:00 and "
        "17:00, fines of 20-30 million VND per violation) [waived: Opted-in list only: evening "
        "consent recorded in CRM (MKT-2291)]",
        "examples/campaigns/promotions.yaml:20: vn-decree-91/one-call-a-day: recall_times is 1; "
        "the maximum is 0 (Decree 91/2020/ND-CP: at most one advertising call to a number per "
        "24 hours, so no recalls) [warning]",
        "Policy: 1 warning, 1 waived.",
    ]


def test_policies_lists_the_rules_in_force_with_their_source(tmp_path, monkeypatch) -> None:
    config = "policies:\n  presets: [vn-decree-91]\n  rules:\n" + MAX_RULE.split("rules:\n")[1]
    in_dir(tmp_path, monkeypatch, {"reconciler.yaml": config})
    result = run_cli("policies")
    assert result.code == 0, result.output
    assert result.stdout.splitlines() == [
        "3 rules in force (from reconciler.yaml):",
        "",
        "  vn-decree-91/calling-hours  [error]  preset vn-decree-91 (reconciler.yaml:2)",
        "      selects: labels purpose=advertising",
        "      checks:  calling_hours {daily: 08:00-17:00}",
        "      message: Decree 91/2020/ND-CP: advertising calls only between 08:00 and 17:00, "
        "fines of 20-30 million VND per violation",
        "",
        "  vn-decree-91/one-call-a-day  [warning]  preset vn-decree-91 (reconciler.yaml:2)",
        "      selects: labels purpose=advertising",
        "      checks:  max {recall_times: 0}",
        "      message: Decree 91/2020/ND-CP: at most one advertising call to a number per 24 "
        "hours, so no recalls",
        "",
        "  max-concurrency  [error]  reconciler.yaml:4",
        "      selects: every campaign",
        "      checks:  max {concurrent_call: 50}",
    ]


def test_policies_without_a_config(tmp_path, monkeypatch) -> None:
    in_dir(tmp_path, monkeypatch, {})
    result = run_cli("policies")
    assert (result.code, result.stdout) == (
        0,
        "No policies: reconciler.yaml not found. Write one (see examples/reconciler.yaml) or "
        "name it with --config FILE.\n",
    )
