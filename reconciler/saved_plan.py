"""Saved plans: write the plan document, read it back, and refuse it once it has gone stale."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from reconciler.errors import ConfigError
from reconciler.kinds.registry import kind_of, primary
from reconciler.names import identity_key, looks_alike
from reconciler.plan.catalog import Catalog
from reconciler.plan.fingerprint import needs_detail, still_matches
from reconciler.plan.guards import started_since
from reconciler.plan.model import Plan
from reconciler.render.json import plan_from_document
from reconciler.safetext import spelt


def read_saved_plan(path: str | Path) -> Plan:
    """Parse a file written by `plan --out`; any malformation is a clean ConfigError."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
        return plan_from_document(document)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such plan file") from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(
            f"{path}: not a plan written by `reconciler plan --out` ({exc})"
        ) from None


def environment_problem(plan: Plan, environment: str | None) -> str | None:
    """Why a saved plan may not be applied in this environment (None when it may): a plan
    made for staging holds staging's uuids and overrides, never production's."""
    if plan.environment == environment:
        return None
    if plan.environment is None:
        return (
            f"the plan was made without an environment (against {plan.api_url}), not for "
            f"environment {environment}: make a new plan with --env {environment}"
        )
    now = f"environment {environment}" if environment else "no environment"
    return (
        f"the plan was made for environment {plan.environment}, not {now}: apply it with "
        f"--env {plan.environment}, or make a new plan for {environment or 'this tenant'}"
    )


def stale_problems(
    plan: Plan,
    live: list[dict[str, Any]] | Mapping[str, list[dict[str, Any]]],
    api_url: str,
    read_detail: Callable[[str], dict[str, Any]],
    read_catalog: Callable[[], Catalog] | None = None,
) -> list[str]:
    """Why this plan may no longer be applied as it stands; empty when it still holds.
    `live` holds each kind's listing (the primary kind's alone may be given as a list);
    `read_detail(uuid)` serves fingerprints that were taken of a detail read;
    `read_catalog()` the carrier and template names the plan resolved (read only if any)."""
    if plan.api_url.rstrip("/") != api_url.rstrip("/"):
        return [f"the plan was made against {plan.api_url}, not {api_url}"]
    live_by = dict(live) if isinstance(live, Mapping) else {primary().name: live}
    problems = _renamed_references(plan, read_catalog)
    for change in plan.changes:
        kind = kind_of(change)
        rows = live_by.get(change.kind, [])
        if change.action == "create":
            taken = {identity_key(row[kind.name_field]) for row in rows}
            # The name the POST takes (an audio upload's is its digest name).
            if identity_key(str(change.create_body.get(kind.name_field) or change.name)) in taken:
                problems.append(f"{change.name}: a {kind.name} of that name now exists")
                continue
            alike = [row[kind.name_field] for row in rows
                     if looks_alike(row[kind.name_field], change.name)]
            if alike:  # a plan made now would update it rather than create a look-alike
                problems.append(
                    f"{change.name}: a {kind.name} whose name reads the same now exists "
                    f"(spelt {spelt(alike[0])})"
                )
            continue
        current = next((row for row in rows if row[kind.uuid_field] == change.uuid), None)
        if current is None:
            problems.append(f"{change.name}: the {kind.name} no longer exists")
        elif needs_detail(change.fingerprint):
            current = read_detail(current[kind.uuid_field])
        if current is not None and not still_matches(
            change.fingerprint, current, kind.read_dependent
        ):
            problems.append(f"{change.name}: changed on the server since the plan was made")
        elif current is not None and change.action == "delete":
            # Fingerprints leave the run state out; a delete planned against a stopped
            # campaign that calls now is refused here, before any write of the plan.
            started = started_since(change, current.get("status"))
            if started:
                problems.append(started)
    return problems


def _renamed_references(plan: Plan, read_catalog: Callable[[], Catalog] | None) -> list[str]:
    """A carrier or template name the plan resolved that now names another one (renamed
    meanwhile): applying the saved uuid would not do what the reviewer read."""
    wanted = [
        (change, ref.target, change.fields[ref.field].after, change.put[ref.uuid_field])
        for change in plan.changes
        for ref in kind_of(change).references
        if ref.field in change.fields and ref.uuid_field in change.put
        and isinstance(change.fields[ref.field].after, str)
    ]
    if not wanted or read_catalog is None:
        return []
    catalog = read_catalog()
    problems = []
    for change, kind, name, planned in wanted:
        uuid, _ = catalog.resolve(kind, name)
        if uuid != planned:
            now = f"now names {uuid}" if uuid else "names no " + kind + " now"
            problems.append(
                f"{change.name}: {kind} {name!r} was {planned} when planned and "
                f"{now} (renamed meanwhile?)"
            )
    return problems


def live_for(plan: Plan, client: Any) -> dict[str, list[dict[str, Any]]]:
    """The listings a saved plan's staleness check needs: the primary kind's, and another
    kind's when the plan touches any."""
    wanted = {primary().name} | {change.kind for change in plan.changes}
    return {kind: kind_of(kind).list_live(client) for kind in sorted(wanted)}
