"""Reading the live side: list every campaign, read details only where they matter, resolve
names. The one place planning touches the network; the planner itself stays pure."""

from __future__ import annotations

from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from typing import Any

from reconciler.api import ApiClient
from reconciler.manifest.loader import Manifests
from reconciler.manifest.models import CampaignSpec
from reconciler.plan.catalog import Catalog
from reconciler.plan.model import Plan
from reconciler.plan.planner import build_plan, match_campaigns, needs_detail

Progress = Callable[[int, int], None]  # (done, total) detail reads


def read_catalog(client: ApiClient, manifests: Manifests) -> Catalog:
    """Carrier and template listings, fetched only when some entry names one or declares a
    uuid (checked against the listing at plan time)."""
    specs = manifests.campaigns.values()
    wants_carriers = any(_refers_to(spec, "carrier") for spec in specs)
    wants_templates = any(_refers_to(spec, "template") for spec in specs)
    return Catalog.from_rows(
        client.list_carriers() if wants_carriers else None,
        client.list_templates() if wants_templates else None,
    )


def _refers_to(spec: CampaignSpec, kind: str) -> bool:
    return getattr(spec, kind) is not None or bool(getattr(spec, f"{kind}_uuid"))


def read_live(
    client: ApiClient,
    manifests: Manifests,
    *,
    parallelism: int = 8,
    progress: Progress | None = None,
) -> tuple[list[dict[str, Any]], Catalog]:
    """Live rows (details where schedules are managed) and the name catalog."""
    with ThreadPoolExecutor(max_workers=1) as background:
        catalog_future = background.submit(read_catalog, client, manifests)
        rows = client.list_campaigns()
        wanted = _needing_detail(manifests, rows)
        if wanted:
            # Each detail takes its list row's place as it arrives: the two are never all
            # held at once (with 10,000 campaigns that is ~35 MB of list rows).
            position = {row["campaign_uuid"]: index for index, row in enumerate(rows)}
            gone = False
            with closing(client.iter_campaigns(wanted, parallelism=parallelism)) as details:
                for done, (uuid, detail) in enumerate(details, start=1):
                    rows[position[uuid]] = detail  # type: ignore[call-overload]
                    gone = gone or detail is None
                    if progress:
                        progress(done, len(wanted))
            if gone:  # deleted since listed: planned as absent, like any missing campaign
                rows = [row for row in rows if row is not None]
        return rows, catalog_future.result()


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
    rows, catalog = read_live(client, manifests, parallelism=parallelism, progress=progress)
    return build_plan(
        manifests.campaigns,
        rows,
        catalog,
        where=manifests.where,
        prune=prune,
        targets=targets,
        api_url=client.base_url,
    )
