"""Reading the live side: list every object of the primary kind (and of another kind when
manifests declare any), read details only where they matter, and the listings references
resolve names in. The one place planning touches the network; the planner itself stays
pure."""

from __future__ import annotations

from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from reconciler.api import ApiClient
from reconciler.api.paging import OnRows
from reconciler.kinds.registry import kinds, primary
from reconciler.manifest.loader import Manifests
from reconciler.names import lookalike_key
from reconciler.plan.catalog import Catalog
from reconciler.plan.model import Plan
from reconciler.plan.planner import build_plan, match_primary, needs_detail

# Every kind, keyed so for build_plan's arguments.
KINDS_READ = tuple(kinds())

Progress = Callable[[int, int], None]  # (done, total) detail reads
Listing = Callable[[OnRows], list[dict[str, Any]]]  # reads (or has read) the campaign listing


def read_catalog(
    client: ApiClient, manifests: Manifests
) -> tuple[Catalog, dict[str, list[dict[str, Any]]]]:
    """The listings references resolve names in, each fetched only when some entry names an
    object of it or declares a uuid (checked against the listing at plan time), or declares
    objects of that kind; and the live rows of each declared kind but the primary one, to
    plan against (none for a kind the manifests do not manage)."""
    registry = kinds()
    wanted: dict[str, Any] = {}  # target -> how to list it, in the order listed
    for kind in registry.values():
        if not kind.primary and manifests.specs(kind.name):
            wanted[kind.name] = kind.list_live
    for kind in registry.values():
        specs = manifests.specs(kind.name).values()
        for ref in kind.references:
            if ref.target not in wanted and any(ref.refers(spec) for spec in specs):
                target = registry.get(ref.target)
                wanted[ref.target] = target.list_live if target is not None else ref.lister
    ordered = [name for name in registry if name in wanted]
    ordered += [name for name in wanted if name not in registry]
    listings = {name: wanted[name](client) for name in ordered}
    catalog = Catalog.from_listings(listings, texts_placeholders())
    live = {
        kind.name: listings.get(kind.name) or []
        for kind in registry.values() if not kind.primary and manifests.specs(kind.name)
    }
    return catalog, live


def texts_placeholders() -> dict[str, Any]:
    """How to find the placeholders of each kind whose objects have texts (for the catalog)."""
    return {kind.name: kind.placeholders for kind in kinds().values() if kind.has_placeholders}


def read_full_catalog(client: ApiClient) -> Catalog:
    """Every listing a reference may name (a saved plan's stale check: it has no manifests
    to say which are needed)."""
    registry = kinds()
    listers: dict[str, Any] = {}
    for kind in registry.values():
        for ref in kind.references:
            target = registry.get(ref.target)
            listers.setdefault(ref.target, target.list_live if target is not None else ref.lister)
    listings = {name: lister(client) for name, lister in listers.items()}
    return Catalog.from_listings(listings, texts_placeholders())


def read_live(
    client: ApiClient,
    manifests: Manifests,
    *,
    parallelism: int = 8,
    progress: Progress | None = None,
    listing: Listing | None = None,
) -> tuple[dict[str, list[dict[str, Any]]], Catalog]:
    """Live rows per kind (campaign details where schedules are managed) and the catalog.

    Everything starts as early as it can: the campaign listing (given as `listing`, say an
    `EarlyListing.follow`, when it was started before the manifests were loaded), the
    carrier/template listings alongside it, and each detail read as soon as its row's page
    has arrived, while later pages are still being read. Which rows need details is decided
    again on the whole listing (identity needs every row); a read started for a row that
    turns out not to need one is dropped, and one not started yet is started then.
    """
    kind = primary()
    early = _EarlyMatch(manifests)
    with ThreadPoolExecutor(max_workers=1) as background, client.detail_reads(parallelism) as reads:
        catalog_future = background.submit(read_catalog, client, manifests)
        arrived: dict[str, dict | None] = {}

        def on_rows(page: list[dict[str, Any]]) -> None:
            for row in page:
                if early.wants_detail(row):
                    reads.add(row[kind.uuid_field])
            arrived.update(reads.finished())  # keep the queue short while listing

        rows = listing(on_rows) if listing else kind.list_live(client, on_rows=on_rows)
        wanted = _needing_detail(manifests, rows)
        if wanted:
            for uuid in wanted:
                reads.add(uuid)
            # Each detail takes its list row's place (those that came while listing, then
            # the rest as they arrive): rows and details are not all held at once (with
            # 10,000 campaigns that is ~35 MB of list rows).
            position = {row[kind.uuid_field]: index for index, row in enumerate(rows)}
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
        catalog, others = catalog_future.result()
        return {kind.name: rows, **others}, catalog


class _EarlyMatch:
    """Which listed rows will need a detail read, judged one row at a time: the row a spec
    pins by uuid, else the row named like a spec (or reading like it: identity may match a
    look-alike name)."""

    def __init__(self, manifests: Manifests):
        self._kind = kind = primary()
        specs = [spec for spec in manifests.specs(kind.name).values() if needs_detail(spec)]
        self._pins = {spec.pin.lower() for spec in specs if spec.pin}
        self._names = {lookalike_key(spec.name) for spec in specs if not spec.pin}

    def wants_detail(self, row: dict[str, Any]) -> bool:
        if str(row[self._kind.uuid_field]).lower() in self._pins:
            return True
        return lookalike_key(row[self._kind.name_field]) in self._names


def _needing_detail(manifests: Manifests, rows: list[dict[str, Any]]) -> list[str]:
    """The uuids of the live objects (of the primary kind) whose declared spec takes a
    detail read (campaigns managing schedules)."""
    kind = primary()
    specs = manifests.specs(kind.name)
    matching = match_primary(specs, rows, manifests.where_for(kind.name))
    return [
        live[kind.uuid_field]
        for name, live in matching.pairs.items()
        if live is not None and needs_detail(specs[name])
    ]


def make_plan(
    client: ApiClient,
    manifests: Manifests,
    *,
    prune: bool = False,
    targets: Collection[str] = (),
    parallelism: int = 8,
    progress: Progress | None = None,
    listing: Listing | None = None,
) -> Plan:
    """Read the live side and diff it against the manifests."""
    live, catalog = read_live(
        client, manifests, parallelism=parallelism, progress=progress, listing=listing
    )
    plan = build_plan(
        {kind: manifests.specs(kind) for kind in kinds()},
        live,
        catalog,
        where_by={kind: manifests.where_for(kind) for kind in kinds()},
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
        source = manifests.override_at(change.kind, change.name, "state")
        if change.action == "delete" and source is not None:  # the override deletes it
            change.overrides["state"] = {"environment": manifests.environment or "",
                                         "source": source}
            change.source = source
        for field in change.fields:
            source = manifests.override_at(change.kind, change.name, field)
            if source is not None:
                change.overrides[field] = {
                    "environment": manifests.environment or "", "source": source,
                }
    return plan
