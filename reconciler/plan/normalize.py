"""Normalisation: equal things compare equal, whatever shape the API or the YAML gave them.

`canonical` gives a hashable API-form value used only for comparison; `display` gives the
manifest-form value a reviewer reads (human schedules, sorted statuses, full network map).
"""

from __future__ import annotations

from typing import Any

from reconciler.fields import NETWORK_KEYS, RECALL_STATUSES, SCHEDULE_KEYS
from reconciler.names import identity_key

INT_FIELDS = frozenset(
    {
        "concurrent_call",
        "call_timeout",
        "recall_times",
        "limit_recall_duration",
        "schedule_recall_duration",
        "ratio",
    }
)
_STATUS_RANK = {status: rank for rank, status in enumerate(RECALL_STATUSES)}


def _status_key(status: str) -> tuple[int, str]:
    return _STATUS_RANK.get(status, len(_STATUS_RANK)), status


def canonical_network(value: dict[str, Any] | None) -> dict[str, int]:
    """Every known network key present; omitted or null counts are 0."""
    value = value or {}
    merged = {key: int(value.get(key) or 0) for key in NETWORK_KEYS}
    merged.update({key: int(count or 0) for key, count in value.items() if key not in merged})
    return merged


def canonical_schedule(entry: dict[str, Any]) -> tuple[int, ...]:
    """One schedule object by its day fields only (server `id`s and the like ignored)."""
    return tuple([int(entry.get(key) or 0) for key in SCHEDULE_KEYS])


def schedule_order(entry: dict[str, Any]) -> tuple[Any, ...]:
    """Sort key putting schedule objects in time order: by the first day of the week they
    have a window on, then that window's start and end (entries with none come last)."""
    values = canonical_schedule(entry)
    for day in range(0, len(values), 2):
        if values[day] or values[day + 1]:
            return day, values[day], values[day + 1], values
    return len(values), 0, 0, values


def canonical(field: str, value: Any) -> Any:
    """A hashable value for comparing one API field; null and empty are the same."""
    if field == "recall_status":
        return tuple(sorted(set(value or ()), key=_status_key))
    if field == "network":
        return tuple(sorted(canonical_network(value).items()))
    if field == "schedules":
        return tuple(sorted(canonical_schedule(entry) for entry in value or ()))
    if field == "active":
        return bool(value)
    if field in INT_FIELDS:
        return int(value or 0)
    if field == "campaign_name" and isinstance(value, str):
        return identity_key(value)  # the same name in NFC or NFD is no rename
    return "" if value is None else value


def display(field: str, value: Any) -> Any:
    """The JSON-safe, manifest-form value shown in plans (never raw nanoseconds)."""
    if field == "recall_status":
        return sorted(set(value or ()), key=_status_key)
    if field == "network":
        return canonical_network(value)
    if field == "schedules":
        from reconciler.manifest.schedule import to_human

        entries = sorted(value or (), key=schedule_order)
        return to_human(
            [{key: int(entry.get(key) or 0) for key in SCHEDULE_KEYS} for entry in entries]
        )
    if field in INT_FIELDS:
        return int(value or 0)
    if field == "active":
        return bool(value)
    return "" if value is None else value
