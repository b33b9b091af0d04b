"""Quirks: switches that each make the emulator break one documented API behaviour.

By default the emulator follows the docs; a quirk makes it behave like a tenant that does
not, so `reconciler doctor` and apply's read-back can be tested against such a tenant. Set
them in Python (`EmulatorServer(quirks=["put-drops=schedules"])`, or at run time
`emulator.quirks.put_drops.add("schedules")`) or on the command line
(`reconciler emulator --quirk put-drops=schedules`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields

# quirk name -> what it does (the names are the attributes with "-" for "_")
DESCRIPTIONS: dict[str, str] = {
    "put-drops": "PUT silently keeps the old value of these fields (put-drops=F1,F2)",
    "put-ignores-active": "PUT keeps the old `active`, whatever it is sent",
    "put-ignores-name": "PUT keeps the old `campaign_name`: a rename is silently not made",
    "put-ignores-template": "PUT keeps the old `template_uuid`: a campaign is not re-pointed",
    "put-keeps-omitted": "PUT merges: a field left out keeps its value (not a full replace)",
    "create-stores-all": "POST stores every campaign field it is sent, not only the create fields",
    "list-ignores-limit": "listings answer pages of default-limit rows whatever `limit` asks",
    "list-ignores-offset": "listings answer the first page whatever `offset` asks",
    "default-limit": "rows a listing answers when `limit` is absent (default-limit=N; docs: 10)",
    "total-drifts": "the campaign listing's `total` grows by one on every page after the first",
    "detail-joins-names": "detail reads fill carrier_name/template_name (docs: empty)",
    "updated-at-frozen": "PUT and PATCH leave `updated_at` where it was",
    "delete-active-allowed": "DELETE removes an active campaign instead of refusing it",
    "recall-status-reordered": "PUT stores recall_status sorted, not in the order sent",
    "schedules-rounded": "PUT stores schedule times truncated to whole seconds",
    "errors-status-200": "every error answer has status 200 (the body still has `error`)",
    "template-filter-exact": "the template_name filter matches whole names only (docs: substrings)",
    "carrier-delete-in-use-refused": "DELETE refuses a carrier campaigns use (docs: silent; "
    "the emulator deletes it)",
    "lead-report-grows": "each lead report page served adds a call at the window's end (dialling)",
}


@dataclass
class Quirks:
    """The quirks in force; all off by default (the documented behaviour)."""

    put_drops: set[str] = field(default_factory=set)
    put_ignores_active: bool = False
    put_ignores_name: bool = False
    put_ignores_template: bool = False
    put_keeps_omitted: bool = False
    create_stores_all: bool = False
    list_ignores_limit: bool = False
    list_ignores_offset: bool = False
    default_limit: int = 10
    total_drifts: bool = False
    detail_joins_names: bool = False
    updated_at_frozen: bool = False
    delete_active_allowed: bool = False
    recall_status_reordered: bool = False
    schedules_rounded: bool = False
    errors_status_200: bool = False
    template_filter_exact: bool = False
    carrier_delete_in_use_refused: bool = False
    lead_report_grows: bool = False

    @classmethod
    def parse(cls, specs: Iterable[str]) -> Quirks:
        """Quirks from specs such as `put-drops=schedules` or `list-ignores-limit`."""
        quirks = cls()
        for spec in specs:
            quirks.set(spec)
        return quirks

    def set(self, spec: str) -> None:
        """Switch one quirk on: `NAME`, `NAME=true|false`, `put-drops=F1,F2`,
        `default-limit=N`. Raises ValueError naming the known quirks."""
        name, has_value, value = spec.strip().partition("=")
        name = name.strip()
        if name not in DESCRIPTIONS:
            known = ", ".join(DESCRIPTIONS)
            raise ValueError(f"unknown quirk {name!r}; known quirks: {known}")
        value = value.strip()
        if name == "put-drops":
            names = {part.strip() for part in value.split(",") if part.strip()}
            if not names:
                raise ValueError("put-drops needs field names, e.g. put-drops=schedules")
            self.put_drops |= names
        elif name == "default-limit":
            if not value.isdigit() or int(value) < 1:
                raise ValueError(f"default-limit needs a positive number, not {value!r}")
            self.default_limit = int(value)
        elif not has_value or value.lower() in ("true", "on", "1", "yes"):
            setattr(self, name.replace("-", "_"), True)
        elif value.lower() in ("false", "off", "0", "no"):
            setattr(self, name.replace("-", "_"), False)
        else:
            raise ValueError(f"quirk {name} takes no value or true/false, not {value!r}")

    def active(self) -> list[str]:
        """The specs of the quirks switched on (empty when the emulator follows the docs)."""
        specs: list[str] = []
        defaults = Quirks()
        for item in fields(self):
            value = getattr(self, item.name)
            if value == getattr(defaults, item.name):
                continue
            name = item.name.replace("_", "-")
            if isinstance(value, set):
                specs.append(f"{name}={','.join(sorted(value))}")
            elif isinstance(value, bool):
                specs.append(name)
            else:
                specs.append(f"{name}={value}")
        return specs


def as_quirks(value: Quirks | Iterable[str] | None) -> Quirks:
    """A `Quirks` from a `Quirks`, a list of specs, or None (no quirks)."""
    if value is None:
        return Quirks()
    if isinstance(value, Quirks):
        return value
    if isinstance(value, str):
        return Quirks.parse([value])
    return Quirks.parse(value)
