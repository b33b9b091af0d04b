"""Fingerprints of live campaigns: a saved plan or a running apply refuses to write over a
campaign that changed since it was planned.

Two reads of an unchanged campaign must agree whatever kind of read each was. A list row and
a detail read differ (see docs/api-facts.md): list rows leave the collections null
(`schedules`, `users`, `groups`, `statuses`) and join the carrier and template names, which a
detail read leaves empty. So a fingerprint covers only what every read shows alike, and
`updated_at` (which moves on every server-side change) stands for the rest. When the plan was
made from a detail read, its fingerprint covers the schedules too, so a schedule-only edit is
caught even on a server that does not move `updated_at` for one; checking it then takes a
detail read, which apply always makes.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from reconciler.plan.normalize import canonical

# Fields whose value depends on the kind of read, not on the campaign.
READ_DEPENDENT_FIELDS = frozenset(
    {"schedules", "users", "groups", "statuses", "carrier_name", "template_name", "domain_name"}
)
# The run state changes by itself (a paused campaign starts at its scheduled time): never
# managed, always sent back as read at write time, so it must not make a plan stale. A delete
# re-checks it instead (see apply_delete).
RUN_STATE_FIELDS = frozenset({"status", "run_id"})
ROW_PREFIX = "sha256:"
DETAIL_PREFIX = "sha256+schedules:"


def fingerprint(
    live: dict[str, Any], *, with_schedules: bool = False,
    read_dependent: frozenset[str] = READ_DEPENDENT_FIELDS,
) -> str:
    """A short, stable digest of an object as any read shows it (and its schedules when
    `with_schedules`: only for a detail read), leaving out the kind's `read_dependent`
    fields (a campaign's; a template's list rows and detail reads are alike, the docs show
    one shape: all of it counts). The run state never counts."""
    skipped = read_dependent
    projection: dict[str, Any] = {
        key: value
        for key, value in live.items()
        if key not in skipped and key not in RUN_STATE_FIELDS
    }
    if with_schedules:
        projection["schedules"] = canonical("schedules", live.get("schedules"))
    # ensure_ascii: a lone surrogate in server text must not make hashing fail.
    canonical_text = json.dumps(projection, sort_keys=True, separators=(",", ":"), default=str)
    digest = hashlib.sha256(canonical_text.encode("ascii")).hexdigest()[:32]
    return (DETAIL_PREFIX if with_schedules else ROW_PREFIX) + digest


def needs_detail(recorded: str | None) -> bool:
    """Whether checking this fingerprint takes a detail read (a list row lacks schedules)."""
    return bool(recorded) and str(recorded).startswith(DETAIL_PREFIX)


def still_matches(
    recorded: str | None, live: dict[str, Any],
    read_dependent: frozenset[str] = READ_DEPENDENT_FIELDS,
) -> bool:
    """Whether `live` is the object the fingerprint was taken of. `live` must be a detail
    read when `needs_detail(recorded)`; any read will do otherwise."""
    if not recorded:
        return True
    return fingerprint(
        live, with_schedules=needs_detail(recorded), read_dependent=read_dependent
    ) == recorded
