"""Small builders for pure planner tests: manifest specs, live rows and a Catalog, no HTTP.

Specs go through the real entry models (reconciler.manifest.entry), from dicts or from YAML
text held in memory (a `Manifests` whose `where` locates entries in that text). Live rows are
the emulator's documents (reconciler.emulator.documents, carriers), which copy the API docs'
shapes: a campaign list row has null schedules and joined carrier/template names, a detail
read has schedules and empty joins, a template read has press options in read form. Every
uuid and timestamp is fixed, so plans (and their fingerprints) are the same on every run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from reconciler.emulator.carriers import carrier_read
from reconciler.emulator.documents import (
    detail_of,
    ordered,
    server_defaults,
    summary_of,
    template_document,
    template_read,
)
from reconciler.manifest.entry import validate_entry_coded
from reconciler.manifest.loader import SECTIONS, Manifests, Source
from reconciler.manifest.models import CampaignSpec, schedules_to_api
from reconciler.manifest.template_spec import TemplateSpec
from reconciler.manifest.yamlread import entry_lines, safe_yaml
from reconciler.plan.catalog import Catalog
from reconciler.plan.model import Plan
from reconciler.plan.planner import build_plan
from reconciler.refresh import read_catalog

STAMP = "2024-05-06T10:00:00.000000+07:00"
GATEWAY = "953a918a-0035-4e6f-97d1-c64e7943b7df"


def uuid(kind: str, number: int) -> str:
    """A fixed, readable uuid of a campaign ("c"), template ("t") or carrier ("r"):
    uuid("c", 1) -> "c0000000-0000-4000-8000-000000000001"."""
    first = {"c": "c", "t": "e", "r": "a"}[kind]  # campaign, template, carrier (hex digits)
    return f"{first}0000000-0000-4000-8000-{number:012d}"


# -- specs ------------------------------------------------------------------------------------


def _valid(raw: Mapping[str, Any], model: type) -> Any:
    spec, problems = validate_entry_coded(dict(raw), model)
    if problems or spec is None:
        raise AssertionError(f"builder entry {dict(raw)!r} is invalid: {problems}")
    return spec


def campaign(name: str, **fields: Any) -> CampaignSpec:
    """A campaign entry as a manifest declares it: only the given fields are declared."""
    return _valid({"campaign_name": name, **fields}, CampaignSpec)


def template(name: str, **fields: Any) -> TemplateSpec:
    """A template entry as a manifest declares it: only the given fields are declared."""
    return _valid({"template_name": name, **fields}, TemplateSpec)


def specs(*entries: CampaignSpec | TemplateSpec) -> dict[str, dict[str, Any]]:
    """build_plan's `specs_by`: entries keyed by kind, then by name, in the given order."""
    by_kind: dict[str, dict[str, Any]] = {"campaign": {}, "template": {}}
    for entry in entries:
        kind = "template" if isinstance(entry, TemplateSpec) else "campaign"
        by_kind[kind][entry.name] = entry
    return by_kind


def manifests(text: str, display: str = "m.yaml") -> Manifests:
    """The entries of one manifest file given as YAML text (never written to disk), through
    the real entry models; a `Manifests`, so `where_for(kind)` locates lines in `text`."""
    yaml = safe_yaml()
    data = yaml.load(text)
    source = Source(display, text)
    source.entry_lines = entry_lines(yaml)
    found: dict[str, dict[str, Any]] = {"campaign": {}, "template": {}}
    origins: dict[str, dict[str, tuple[Source, int]]] = {"campaign": {}, "template": {}}
    for top, (kind, model, _name, _pin) in SECTIONS.items():
        for index, raw in enumerate(data.get(top) or ()):
            entry = _valid(raw, model)
            found[kind][entry.name] = entry
            origins[kind][entry.name] = (source, index)
    return Manifests(found, [source], origins, [])


# -- live rows --------------------------------------------------------------------------------


def campaign_doc(name: str, number: int = 1, **values: Any) -> dict[str, Any]:
    """A stored campaign (every key of the docs' example, server defaults), `values` over it;
    `schedules` may be given in manifest form (a list of {"mon-fri": "08:00-17:00"})."""
    campaign_uuid = values.pop("campaign_uuid", None) or uuid("c", number)
    doc = server_defaults(campaign_uuid, STAMP)
    doc.update({"campaign_name": name, "type": "autocall",
                "type_autocall": "autocall_voice_tts"})
    schedules = values.pop("schedules", None)
    if schedules:
        doc["schedules"] = [
            {"domain_uuid": doc["domain_uuid"], "id": f"{campaign_uuid}-{index}",
             "campaign_uuid": campaign_uuid, **entry}
            for index, entry in enumerate(schedules_to_api(schedules))
        ]
    doc.update(values)
    return ordered(doc)


def campaign_row(name: str, number: int = 1, **values: Any) -> dict[str, Any]:
    """A campaign as GET /v3/campaign lists it: collections null, joined names kept."""
    return summary_of(campaign_doc(name, number, **values))


def campaign_detail(name: str, number: int = 1, **values: Any) -> dict[str, Any]:
    """A campaign as GET /v3/campaign/{uuid} answers: schedules kept, joined names empty."""
    return detail_of(campaign_doc(name, number, **values))


def template_row(name: str, number: int = 1, **values: Any) -> dict[str, Any]:
    """A template as GET /v3/template answers (list rows and details alike): read form.
    `values` are write-form fields (press options as {"press_num": ...} dicts)."""
    template_uuid = values.pop("template_uuid", None) or uuid("t", number)
    return template_read(template_document(name, template_uuid, values))


def carrier_row(name: str, number: int = 1, **values: Any) -> dict[str, Any]:
    """A carrier as GET /v3/carrier lists it."""
    body = {"carrier_name": name, "gateway_uuid": GATEWAY, "dial_type": "sip_one_for_all",
            "concurrent_call": 10, **values}
    return carrier_read(body, values.get("carrier_uuid") or uuid("r", number), STAMP, STAMP)


def catalog(
    carriers: Iterable[dict[str, Any]] | None = None,
    templates: Iterable[dict[str, Any]] | None = None,
) -> Catalog:
    """The carrier and template listings as read (None: that listing was not read)."""
    from reconciler.refresh import texts_placeholders

    return Catalog.from_listings(
        {
            "carrier": None if carriers is None else list(carriers),
            "template": None if templates is None else list(templates),
        },
        texts_placeholders(),
    )


# -- planning ---------------------------------------------------------------------------------


class Listings:
    """The three listings refresh reads, served from memory (no HTTP): what refresh's own
    `read_catalog` is given, so the rule of which listings a plan sees is the real one."""

    def __init__(self, carriers: Iterable[dict[str, Any]], templates: Iterable[dict[str, Any]]):
        self.carriers, self.templates = list(carriers), list(templates)

    def list_carriers(self) -> list[dict[str, Any]]:
        return list(self.carriers)

    def list_templates(self) -> list[dict[str, Any]]:
        return list(self.templates)


def as_manifests(entries: Iterable[CampaignSpec | TemplateSpec]) -> Manifests:
    """Entries given as specs, as a `Manifests` without files (no locations)."""
    by_kind = specs(*entries)
    return Manifests(by_kind, [], {}, [])


def plan(
    entries: Iterable[CampaignSpec | TemplateSpec] | Manifests = (),
    campaigns: Iterable[dict[str, Any]] = (),
    templates: Iterable[dict[str, Any]] = (),
    carriers: Iterable[dict[str, Any]] = (),
    **options: Any,
) -> Plan:
    """What `reconciler plan` plans for these entries against a tenant with these live rows,
    without HTTP: refresh's `read_catalog` decides which listings are read (templates are
    planned only when some are declared), then `build_plan` (located when `entries` is a
    `Manifests` from YAML text)."""
    declared = entries if isinstance(entries, Manifests) else as_manifests(entries)
    the_catalog, live_others = read_catalog(Listings(carriers, templates), declared)
    if isinstance(entries, Manifests):
        options.setdefault(
            "where_by", {kind: declared.where_for(kind) for kind in ("campaign", "template")}
        )
    return build_plan(
        {kind: declared.specs(kind) for kind in ("campaign", "template")},
        {"campaign": list(campaigns), **live_others},
        the_catalog,
        **options,
    )


def by_name(the_plan: Plan) -> dict[tuple[str, str], Any]:
    """The plan's changes keyed by (kind, name)."""
    return {(change.kind, change.name): change for change in the_plan.changes}


def actions(the_plan: Plan) -> list[tuple[str, str, str]]:
    """(kind, action, name) of each change, in plan order."""
    return [(change.kind, change.action, change.name) for change in the_plan.changes]

