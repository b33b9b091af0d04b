"""Fingerprints of live campaigns: a saved plan or a running apply refuses to write over a
campaign that changed since it was planned.

List rows and details differ only in the summary fields (schedules and friends are null in
list rows), so those are left out; `updated_at` moves on every server-side change, schedules
included, which keeps them covered.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

SUMMARY_ONLY_FIELDS = frozenset({"schedules", "users", "groups", "statuses"})


def fingerprint(live: dict[str, Any]) -> str:
    """A short, stable digest of everything a list row and a detail read have in common."""
    projection = {key: value for key, value in live.items() if key not in SUMMARY_ONLY_FIELDS}
    canonical = json.dumps(projection, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:32]
