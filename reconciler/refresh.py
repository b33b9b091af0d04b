"""Reading the live side: list every campaign (and template, when manifests declare any), read
details only where they matter, resolve names. The one place planning touches the network;
the planner itself stays pure."""

from __future__ import annotations

from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from reconciler.api import ApiClient
from reconciler.kinds import kind_of
from reconciler.manifest.loader import Manifests
from reconciler.manifest.models import CampaignSpec
from reconciler.names import lookalike_key
from reconciler.plan.catalog import Catalog
from reconciler.plan.model import Plan
from reconciler.plan.planner import build_plan, match_campaigns, needs_detail

KINDS_READ = ("campaign", "template")

Progress = Callable[[int, int], None]  # (done, total) detail reads


def read_catalog(client: ApiClient, manifests: Manifests) -> tuple[Catalog, list[dict]]:
    """Carrier and template listings, fetched only when some entry names one or declares a
    uuid (checked against the listing at plan time), or declares templates; and the live
    templates to plan against (none unless the manifests manage templates)."""
    specs = manifests.campaigns.values()
    wants_carriers = any(_refers_to(spec, "carrier") for spec in specs)
    wants_templates = bool(manifests.templates) or any(
        _refers_to(spec, "template") for spec in specs
    )
    templates = kind_of("template").list_live(client) if wants_templates else None
    catalog = Catalog.from_rows(
        client.list_carriers() if wants_carriers else None, templates
    )
    return catalog, (templates or []) if manifests.templates else []


def _refers_to(spec: CampaignSpec, kind: str) -> bool:
    return getattr(spec, kind) is not None or bool(getattr(spec, f"{kind}_uuid"))


def read_live(
    client: ApiClient,
    manifests: Manifests,
    *,
    parallelism: int = 8,
    progress: Progress | None = None,
) -> tuple[dict[str, list[dict[str, Any]]], Catalog]:
    """Live rows per kind (campaign details where schedules are managed) and the catalog.

    Everything starts as early as it can: the carrier/template listings alongside the
    campaign listing, and each detail read as soon as its row's page has arrived, while later
    pages are still being read. Which rows need details is decided again on the whole
    listing (identity needs every row); a read started for a row that turns out not to need
    one is dropped, and one not started yet is started then.
    """
    early = _EarlyMatch(manifests)
    with ThreadPoolExecutor(max_workers=1) as background, client.detail_reads(parallelism) as reads:
        catalog_future = background.submit(read_catalog, client, manifests)
        arrived: dict[str, dict | None] = {}

        def on_rows(page: list[dict[str, Any]]) -> None:
            for row in page:
                if early.wants_detail(row):
                    reads.add(row["campaign_uuid"])
            arrived.update(reads.finished())  # keep the queue short while listing

        rows = client.list_campaigns(on_rows=on_rows)
        wanted = _needing_detail(manifests, rows)
        if wanted:
            for uuid in wanted:
                reads.add(uuid)
            # Each detail takes its list row's place (those that came while listing, then
            # the rest as they arrive): rows and details are not all held at once (with
            # 10,000 campaigns that is ~35 MB of list rows).
            position = {row["campaign_uuid"]: index for index, row in enumerate(rows)}
            needed = set(wanted)
            done, gone = 0, False

            def place(uuid: str, detail: dict | None) -> None:
                nonlocal done, gone
                if uuid not in needed:
                    return  # read early for a row that turned out not to need it
                rows[position[uuid]] = detail  # type: ignore[call-overload]
                gone = gone or detail is None
                done += 1
                if progress:
                    progress(done, len(wanted))

            for uuid, detail in arrived.items():
                place(uuid, detail)
            arrived.clear()
            for uuid, detail in reads.results():
                place(uuid, detail)
            if gone:  # deleted since listed: planned as absent, like any missing campaign
                rows = [row for row in rows if row is not None]
        catalog, templates = catalog_future.result()
        return {"campaign": rows, "template": templates}, catalog


class _EarlyMatch:
    """Which listed rows will need a detail read, judged one row at a time: the row a spec
    pins by uuid, else the row named like a spec (or reading like it: identity may match a
    look-alike name)."""

    def __init__(self, manifests: Manifests):
        specs = [spec for spec in manifests.campaigns.values() if needs_detail(spec)]
        self._pins = {spec.campaign_uuid.lower() for spec in specs if spec.campaign_uuid}
        self._names = {lookalike_key(spec.campaign_name) for spec in specs
                       if not spec.campaign_uuid}

    def wants_detail(self, row: dict[str, Any]) -> bool:
        if str(row["campaign_uuid"]).lower() in self._pins:
            return True
        return lookalike_key(row["campaign_name"]) in self._names


def _needing_detail(manifests: Manifests, rows: list[dict[str, Any]]) -> list[str]:
    """The uuids of the live campaigns whose declared spec manages schedules."""
    matching = match_campaigns(manifests.campaigns, rows, manifests.where)
    return [
        live["campaign_uuid"]
        for name, live in matching.pairs.items()
        if live is not None and needs_detail(manifests.campaigns[name])
    ]


def make_plan(
    client: ApiClient,
    manifests: Manifests,
    *,
    prune: bool = False,
    targets: Collection[str] = (),
    parallelism: int = 8,
    progress: Progress | None = None,
) -> Plan:
    """Read the live side and diff it against the manifests."""
    live, catalog = read_live(client, manifests, parallelism=parallelism, progress=progress)
    plan = build_plan(
        {kind: manifests.specs(kind) for kind in KINDS_READ},
        live,
        catalog,
        where_by={kind: manifests.where_for(kind) for kind in KINDS_READ},
        prune=prune,
        targets=targets,
        api_url=client.base_url,
    )
    return with_environment(plan, manifests)


def with_environment(plan: Plan, manifests: Manifests) -> Plan:
    """The plan names the environment its manifests are for, and each field an override of
    that environment set (so every report can say where the value came from)."""
    plan.environment = manifests.environment
    for change in plan.changes:
        for field in change.fields:
            source = manifests.override_at(change.kind, change.name, field)
            if source is not None:
                change.overrides[field] = {
                    "environment": manifests.environment or "", "source": source,
                }
    return plan
