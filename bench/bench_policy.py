"""How long evaluating 50 label-selected rules over 20,000 campaigns takes, and how many
near-miss warnings it gives (labels such as team1..team60 are distinct, not near misses).

.venv/bin/python bench/bench_policy.py [CAMPAIGNS] [RULES]

Times `evaluate` alone (pure, no I/O), best and median of a few runs. Not asserted anywhere:
a figure to compare before and after a change.
"""

from __future__ import annotations

import sys
import time

from reconciler.manifest.models import CampaignSpec
from reconciler.policy.evaluate import NEAR_MISS, evaluate
from reconciler.policy.rules import Rule


def rules(count: int) -> list[Rule]:
    """`count` rules, each selecting one team (team1, team2, ...) and capping its calls."""
    return [
        Rule.model_validate(
            {
                "id": f"team{index}-cap",
                "severity": "warning",
                "select": {"labels": {"team": f"team{index}", "purpose": "quảng cáo"}},
                "max": {"concurrent_call": 40},
            }
        )
        for index in range(1, count + 1)
    ]


def campaigns(count: int) -> dict[str, CampaignSpec]:
    """`count` campaigns over 60 teams, with a purpose label and a region label each."""
    specs = {}
    for index in range(count):
        name = f"Campaign{index:05d}"
        specs[name] = CampaignSpec.model_validate(
            {
                "campaign_name": name,
                "concurrent_call": index % 50,
                "labels": {
                    "team": f"team{index % 60}",
                    "purpose": "quảng cáo" if index % 3 else "nhắc nợ",
                    "region": f"region-{index % 7}",
                },
            }
        )
    return specs


def main(count: int = 20_000, rule_count: int = 50, runs: int = 3) -> None:
    the_rules, specs = rules(rule_count), campaigns(count)
    timings, found = [], []
    for _ in range(runs):
        started = time.perf_counter()
        found = evaluate(the_rules, specs, lambda name, loc: name)
        timings.append(time.perf_counter() - started)
    timings.sort()
    near = sum(finding.rule == NEAR_MISS for finding in found)
    print(
        f"evaluate: {rule_count} rules x {count} campaigns, best {timings[0]:.3f} s, "
        f"median {timings[len(timings) // 2]:.3f} s over {runs} runs; "
        f"{len(found)} findings, {near} near-miss warnings"
    )


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
