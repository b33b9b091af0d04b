"""The carrier write checks (`doctor --write`): one scratch carrier created, changed and
deleted (always deleted, like the scratch campaign).

What the tool assumes (reconciler/carrier_fields.py, reconciler/kinds/carrier/): POST stores
what it is sent, the prefixes read back under `data`; there is no GET by id, so every read
is through the listing; PUT takes the whole carrier; DELETE answers the odd
`{"carrier_uuid", "created": true}` and the listing then no longer shows the carrier.
"""

from __future__ import annotations

import copy
from typing import Any

from reconciler.doctor.probe import Probe
from reconciler.doctor.reading import CARRIERS, Listing
from reconciler.doctor.result import Result, StepFailed, assumption, differs, ok, shown
from reconciler.doctor.scratch import ScratchLeftBehind, scratch_name
from reconciler.errors import ReconcilerError
from reconciler.kinds.carrier.values import canonical, lifted, write_form

GATEWAY = "953a918a-0035-4e6f-97d1-c64e7943b7df"  # the docs' example gateway
SCRATCH_BODY: dict[str, Any] = {  # the carrier page's create sample, with prefixes
    "description": "scratch carrier of `reconciler doctor --write`; safe to delete",
    "caller_id": "02873003586",
    "gateway_uuid": GATEWAY,
    "network": {"viettel": 1, "mobi": None, "vina": 0, "tel": 0, "offnet": 0},
    "concurrent_call": 1,
    "dial_type": "channel_prefix",
    "prefix_mobi": "12",
    "prefix_vina": "13",
}
PUT_CHANGES: dict[str, Any] = {"concurrent_call": 2, "prefix_mobi": "14"}


class ScratchCarrier:
    """The scratch carrier and the write checks made on it, in order."""

    def __init__(self, probe: Probe, name: str | None = None, gateway: str = GATEWAY) -> None:
        self.probe = probe
        self.name = name or scratch_name()
        self.gateway = gateway
        self.uuid: str | None = None
        self.posted = False

    def checks(self) -> list[Any]:
        return [self.check_create, self.check_put, self.check_delete]

    def _path(self) -> str:
        if self.uuid is None:
            raise StepFailed("the scratch carrier was not created")
        return f"{CARRIERS}/{self.uuid}"

    def _listed(self, **match: str) -> dict[str, Any] | None:
        """The carrier's row in the listing (every page), or None."""
        offset = 0
        while True:
            page = Listing(self.probe.get(CARRIERS, limit=100, offset=offset))
            if page.problem:
                raise StepFailed(f"GET {CARRIERS}: {page.problem}")
            for row in page.rows:
                if all(row.get(key) == value for key, value in match.items()):
                    return row
            offset += len(page.rows)
            if not page.rows or offset >= int(page.total or 0):
                return None

    def read(self) -> dict[str, Any]:
        row = self._listed(carrier_uuid=self._path().rsplit("/", 1)[1])
        if row is None:
            raise StepFailed("the carrier listing does not show the scratch carrier")
        return lifted(row)

    @assumption("write: carrier create is kept; prefixes read back under data")
    def check_create(self, name: str) -> Result:
        # A gateway of this tenant (gateways have no API): an existing carrier's, else the
        # docs' example.
        existing = self._listed()
        gateway = (existing or {}).get("gateway_uuid") or self.gateway
        self.posted = True
        body = {"carrier_name": self.name, **copy.deepcopy(SCRATCH_BODY), "gateway_uuid": gateway}
        reply = self.probe.call("POST", CARRIERS, body=body)
        if reply.failed:
            raise StepFailed(f"POST answered {reply.brief()}")
        uuid = reply.body.get("carrier_uuid") if isinstance(reply.body, dict) else None
        if not isinstance(uuid, str) or not uuid:
            raise StepFailed(f"POST answered {reply.brief()}, without a carrier_uuid")
        self.uuid = uuid
        kept = self.read()
        lost = [key for key, value in body.items()
                if canonical(key, kept.get(key)) != canonical(key, value)]
        created = f"created {self.name}, {uuid}"
        if lost:
            return differs(name, f"{created}; not kept as sent: " + ", ".join(
                f"{key} {shown(kept.get(key), 40)}" for key in lost))
        return ok(name, f"{created}; read back through the listing, prefixes under data "
                        f"{shown(kept.get('data'), 80)}")

    @assumption("write: carrier PUT of the whole carrier is kept")
    def check_put(self, name: str) -> Result:
        live = self.read()
        body = {**write_form(live, PUT_CHANGES), "carrier_uuid": self.uuid}
        reply = self.probe.call("PUT", self._path(), body=body)
        if reply.failed:
            raise StepFailed(f"PUT answered {reply.brief()}")
        kept = self.read()
        lost = [key for key, value in body.items() if key in (*SCRATCH_BODY, "carrier_name")
                and canonical(key, kept.get(key)) != canonical(key, value)]
        if lost:
            return differs(name, "not kept: " + ", ".join(
                f"{key} sent {shown(body[key], 30)}, kept {shown(kept.get(key), 30)}"
                for key in lost))
        return ok(name, f"every field kept; answered {reply.brief(80)}")

    @assumption("write: carrier delete; then the listing no longer shows it")
    def check_delete(self, name: str) -> Result:
        reply = self.probe.call("DELETE", self._path())
        if reply.failed:
            raise StepFailed(f"DELETE answered {reply.brief()}")
        if self._listed(carrier_uuid=self.uuid or "") is not None:
            return differs(name, f"DELETE answered {reply.brief(80)}; the listing still "
                                 "shows it")
        return ok(name, f"{reply.brief(80)}; then gone from the listing")

    def cleanup(self) -> Result | None:
        check = "write: scratch carrier deleted"
        if not self.posted:
            return None
        try:
            row = self._listed(carrier_name=self.name)
            if row is None:
                return ok(check, f"{self.name} is gone" if self.uuid
                          else f"{self.name} was never created")
            self.uuid = str(row.get("carrier_uuid"))
            deleted = self.probe.call("DELETE", self._path())
            gone = self._listed(carrier_uuid=self.uuid) is None
        except (ReconcilerError, StepFailed) as exc:
            raise self._left_behind(str(exc)) from None
        if gone:
            return ok(check, f"{self.name}, {self.uuid}")
        raise self._left_behind(f"DELETE answered {deleted.brief()}")

    def _left_behind(self, why: str) -> ScratchLeftBehind:
        return ScratchLeftBehind(
            f"the scratch carrier {self.name} ({self.uuid or 'uuid unknown'}) was left behind: "
            f"{why}. Delete it by hand: DELETE /v3/carrier/{{uuid}}"
        )


__all__ = ["ScratchCarrier"]
