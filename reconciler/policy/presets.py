"""Built-in rule sets, written in the same vocabulary as a project's own rules.

`vn-decree-91`: Vietnam's Decree 91/2020/ND-CP on advertising calls (docs/api-facts.md, "The
law on calling hours"): only between 08:00 and 17:00, at most one call to a number per 24 hours.
The tool cannot tell which campaigns advertise; their owners say so with the label
`purpose: advertising`.
"""

from __future__ import annotations

from typing import Any

DECREE_91 = "Decree 91/2020/ND-CP"
ADVERTISING = {"labels": {"purpose": "advertising"}}

PRESETS: dict[str, list[dict[str, Any]]] = {
    "vn-decree-91": [
        {
            "id": "vn-decree-91/calling-hours",
            "severity": "error",
            "select": ADVERTISING,
            "calling_hours": {"daily": "08:00-17:00"},
            "message": (
                f"{DECREE_91}: advertising calls only between 08:00 and 17:00, "
                "fines of 20-30 million VND per violation"
            ),
        },
        {
            "id": "vn-decree-91/one-call-a-day",
            "severity": "warning",
            "select": ADVERTISING,
            "max": {"recall_times": 0},
            "message": (
                f"{DECREE_91}: at most one advertising call to a number per 24 hours, "
                "so no recalls"
            ),
        },
    ],
}
