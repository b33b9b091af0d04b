"""The API itself: routing, auth, paging and the campaign endpoints, free of HTTP plumbing.

`Api.handle` takes a parsed request and returns a `Response`; the server only moves bytes.
Behaviour follows the vendor docs (docs/api-facts.md): list rows are summaries that join the
carrier and template names, detail reads leave those names empty, POST stores only the create
fields, PUT replaces the whole object (`active` and the autodialer fields included: what it
leaves out is reset), PATCH switches `active`, DELETE refuses an active campaign, and errors
come in the docs' two shapes. Carriers and audio files follow their vendor pages
(emulator/carriers.py, emulator/audio.py); the routes the docs do not have (GET of one carrier
or audio file) answer as an unknown route does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from reconciler import audio_fields, carrier_fields, template_fields
from reconciler.emulator import leads, reports
from reconciler.emulator.audio import UploadError, parse_upload
from reconciler.emulator.auth import TOKEN_LIFETIME, TokenBook
from reconciler.emulator.carriers import carrier_read, validate_carrier
from reconciler.emulator.documents import (
    JOINED_FIELDS,
    PUT_ALSO_REPLACES,
    create_document,
    new_uuid,
    normalise_network,
    normalise_schedules,
    template_document,
    zero_value,
)
from reconciler.emulator.quirks import Quirks
from reconciler.emulator.store import NameTaken, Store
from reconciler.emulator.validation import validate_create, validate_template, validate_update
from reconciler.fields import SCHEDULE_KEYS, UPDATE_FIELDS

DEFAULT_LIMIT = 10  # the documented default; `Quirks.default_limit` can change it
NAME_TAKEN = "campaign_name is already taken"


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    authorization: str | None
    body: bytes
    params: tuple[str, ...] = ()
    content_type: str | None = None

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


class ApiError(Exception):
    """Ends a request with `status` and `{"error": detail}` (a message or a problem list)."""

    def __init__(self, status: int, detail: str | list[dict[str, str]]) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def json_response(status: int, payload: Any) -> Response:
    return Response(status, json.dumps(payload, ensure_ascii=False).encode())


def error_response(status: int, detail: str | list[dict[str, str]]) -> Response:
    return json_response(status, {"error": detail})


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid number {name}")


class Api:
    """Routes a request to its endpoint, enforcing bearer auth on all but token exchange."""

    def __init__(self, store: Store, tokens: TokenBook, page_cap: int | None = None,
                 quirks: Quirks | None = None) -> None:
        self.store = store
        self.tokens = tokens
        self.page_cap = page_cap
        self.quirks = quirks or Quirks()  # all off: the documented behaviour
        route = Callable[[Request], Response]
        self._routes: list[tuple[re.Pattern[str], dict[str, route]]] = [
            (re.compile(r"/v3/auth/token"), {"POST": self.auth_token}),
            (re.compile(r"/v3/campaign"), {"GET": self.list_campaigns,
                                            "POST": self.create_campaign}),
            (re.compile(r"/v3/campaign/([^/]+)"), {"GET": self.get_campaign,
                                                   "PUT": self.update_campaign,
                                                   "DELETE": self.delete_campaign}),
            (re.compile(r"/v3/campaign/([^/]+)/active"), {"PATCH": self.patch_active}),
            (re.compile(r"/v3/carrier"), {"GET": self.list_carriers,
                                           "POST": self.create_carrier}),
            (re.compile(r"/v3/carrier/([^/]+)"), {"GET": self.not_routed,
                                                  "PUT": self.update_carrier,
                                                  "DELETE": self.delete_carrier}),
            (re.compile(r"/v3/audio"), {"GET": self.list_audio, "POST": self.upload_audio}),
            (re.compile(r"/v3/audio/([^/]+)"), {"GET": self.not_routed,
                                                "DELETE": self.delete_audio}),
            (re.compile(r"/v3/template"), {"GET": self.list_templates,
                                            "POST": self.create_template}),
            (re.compile(r"/v3/template/([^/]+)"), {"GET": self.get_template,
                                                   "PUT": self.update_template,
                                                   "DELETE": self.delete_template}),
            # Runs and call reports (emulator/reports.py).
            (re.compile(r"/v1/campaign/([^/]+)/run/start"), {"POST": self.run_start}),
            (re.compile(r"/v3/autocall/import"), {"POST": self.import_lead}),  # emulator/leads
            (re.compile(r"/v3/report/call/campaign"), {"GET": self.report_campaigns}),
            (re.compile(r"/v3/report/call/lead"), {"GET": self.report_leads}),
        ]

    def handle(self, method: str, path: str, query: str, authorization: str | None,
               body: bytes, content_type: str | None = None) -> Response:
        response = self._handle(method, path, query, authorization, body, content_type)
        if self.quirks.errors_status_200 and response.status >= 400:
            response.status = 200
        return response

    def _handle(self, method: str, path: str, query: str, authorization: str | None,
                body: bytes, content_type: str | None) -> Response:
        for pattern, methods in self._routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            endpoint = methods.get(method)
            if endpoint == self.not_routed:
                break
            if endpoint is None:
                response = error_response(405, "Method Not Allowed")
                response.headers["Allow"] = ", ".join(
                    name for name, known in methods.items() if known != self.not_routed)
                return response
            request = Request(method, path, parse_qs(query, keep_blank_values=True),
                              authorization, body, match.groups(), content_type)
            try:
                if endpoint != self.auth_token and not self.tokens.authorized(authorization):
                    raise ApiError(401, "Unauthorized")
                return endpoint(request)
            except ApiError as exc:
                return error_response(exc.status, exc.detail)
        return error_response(404, "Not Found")

    def not_routed(self, request: Request) -> Response:
        """Marks a method the docs do not have on a path they do (GET of one carrier): it is
        answered as an unknown route, not as a method the path refuses."""
        return error_response(404, "Not Found")

    # ---- auth --------------------------------------------------------------------------

    def auth_token(self, request: Request) -> Response:
        body = _json_body(request)
        api_key = body.get("api_key") if isinstance(body, dict) else None
        token = self.tokens.exchange(api_key)
        if token is None:
            raise ApiError(401, "Unauthorized")
        return json_response(200, {"token": token, "token_type": "Bearer",
                                   "expired_in": TOKEN_LIFETIME})

    # ---- campaigns ---------------------------------------------------------------------

    def list_campaigns(self, request: Request) -> Response:
        limit, offset = self._paging(request)
        rows, total = self.store.list_campaigns_json(request.arg("type") or None, limit, offset)
        if self.quirks.total_drifts and offset > 0:
            total += 1
        return _page(rows, limit, offset, total)

    def get_campaign(self, request: Request) -> Response:
        text = self.store.campaign_json(request.params[0])
        if text is None:
            raise ApiError(404, "Not Found")
        if self.quirks.detail_joins_names:
            doc = json.loads(text)
            doc["carrier_name"] = self.store.carrier_name(doc.get("carrier_uuid") or "") or ""
            doc["template_name"] = self.store.template_name(doc.get("template_uuid") or "") or ""
            text = json.dumps(doc, ensure_ascii=False)
        return Response(200, text.encode())

    def create_campaign(self, request: Request) -> Response:
        body = _json_body(request)
        problems = validate_create(body)
        if problems:
            raise ApiError(400, problems)
        with self.store.lock:
            template_name = self._template_name(body.get("template_uuid", ""))
            doc = create_document(body, new_uuid(), self.store.clock.now())
            doc["template_name"] = template_name
            if self.quirks.create_stores_all and not validate_update(body):
                for name in UPDATE_FIELDS:
                    if name in body:
                        doc[name] = body[name]
                doc["network"] = normalise_network(doc["network"])
                doc["schedules"] = normalise_schedules(doc["schedules"], doc["campaign_uuid"])
            try:
                self.store.insert_document(doc)
            except NameTaken:
                raise ApiError(400, NAME_TAKEN) from None
        return json_response(200, {"campaign_uuid": doc["campaign_uuid"], "created": True})

    def update_campaign(self, request: Request) -> Response:
        campaign_uuid = request.params[0]
        body = _json_body(request)
        with self.store.lock:
            doc = self._campaign(campaign_uuid)
            problems = validate_update(body)
            if problems:
                raise ApiError(400, problems)
            self._carrier_name(body.get("carrier_uuid", ""))  # an unknown uuid is refused
            self._template_name(body.get("template_uuid", ""))
            old = dict(doc)
            # A full replace: what is left out is reset, beyond the table too (see documents).
            for name in (*UPDATE_FIELDS, *PUT_ALSO_REPLACES):
                if name in body:
                    doc[name] = body[name]
                elif not self.quirks.put_keeps_omitted:
                    doc[name] = zero_value(name)
            doc["network"] = normalise_network(doc["network"])
            if doc["schedules"] is not old["schedules"]:
                doc["schedules"] = normalise_schedules(doc["schedules"], campaign_uuid)
            self._put_quirks(old, doc)
            if not self.quirks.updated_at_frozen:
                doc["updated_at"] = self.store.clock.now()
            try:
                self.store.replace_document(doc)
            except NameTaken:
                raise ApiError(400, NAME_TAKEN) from None
        return json_response(200, {"campaign_uuid": campaign_uuid})

    def patch_active(self, request: Request) -> Response:
        campaign_uuid = request.params[0]
        body = _json_body(request)
        with self.store.lock:
            doc = self._campaign(campaign_uuid)
            active = body.get("active") if isinstance(body, dict) else None
            if not isinstance(active, bool):
                raise ApiError(400, "active is missing")
            doc["active"] = active
            if not self.quirks.updated_at_frozen:
                doc["updated_at"] = self.store.clock.now()
            self.store.replace_document(doc)
        return json_response(200, {"active": active, "campaign_uuid": campaign_uuid})

    def delete_campaign(self, request: Request) -> Response:
        campaign_uuid = request.params[0]
        with self.store.lock:
            doc = self._campaign(campaign_uuid)
            if doc["active"] and not self.quirks.delete_active_allowed:
                raise ApiError(400, "campaign must be deactive")
            self.store.delete_campaign(campaign_uuid)
        return json_response(200, {"campaign_uuid": campaign_uuid})

    # ---- carriers and templates --------------------------------------------------------

    def list_carriers(self, request: Request) -> Response:
        limit, offset = self._paging(request)
        rows, total = self.store.list_json("carrier", limit, offset)
        return _page(rows, limit, offset, total)

    def create_carrier(self, request: Request) -> Response:
        body = _json_body(request)
        problems = validate_carrier(body)
        if problems:
            raise ApiError(400, problems)
        timestamp = self.store.clock.now()
        doc = carrier_read(body, new_uuid(), timestamp, timestamp)
        try:
            self.store.insert_carrier(doc)
        except NameTaken:
            raise ApiError(400, carrier_fields.NAME_TAKEN) from None
        return json_response(200, {"carrier_uuid": doc["carrier_uuid"], "created": True})

    def update_carrier(self, request: Request) -> Response:
        """A full replace, as the docs' Update sample (the whole carrier, as read) suggests:
        a write field left out is reset. `status` and `created_at` are the server's."""
        carrier_uuid = request.params[0]
        body = _json_body(request)
        with self.store.lock:
            old = self._carrier(carrier_uuid)
            problems = validate_carrier(body, update=True)
            if not problems and body["carrier_uuid"] != carrier_uuid:
                problems = [{"carrier_uuid": "carrier_uuid does not match the path"}]
            if problems:
                raise ApiError(400, problems)
            updated_at = old["updated_at"]
            if not self.quirks.updated_at_frozen:
                updated_at = self.store.clock.now()
            doc = carrier_read(body, carrier_uuid, old["created_at"], updated_at, old["status"])
            try:
                self.store.replace_carrier(doc)
            except NameTaken:
                raise ApiError(400, carrier_fields.NAME_TAKEN) from None
        return json_response(200, {"carrier_uuid": carrier_uuid})

    def delete_carrier(self, request: Request) -> Response:
        """Answers the docs' odd `{"carrier_uuid", "created": true}`. A carrier campaigns use
        is deleted too (undocumented: the tool must check), unless a quirk refuses it."""
        carrier_uuid = request.params[0]
        with self.store.lock:
            self._carrier(carrier_uuid)
            if (self.quirks.carrier_delete_in_use_refused
                    and self.store.campaigns_using_carrier(carrier_uuid)):
                raise ApiError(400, carrier_fields.IN_USE)
            self.store.delete_carrier(carrier_uuid)
        return json_response(200, {"carrier_uuid": carrier_uuid, "created": True})

    def list_templates(self, request: Request) -> Response:
        limit, offset = self._paging(request)
        rows, total = self.store.list_json("template", limit, offset,
                                           request.arg("template_name") or None,
                                           exact=self.quirks.template_filter_exact)
        return _page(rows, limit, offset, total)

    def get_template(self, request: Request) -> Response:
        text = self.store.template_json(request.params[0])
        if text is None:
            raise ApiError(404, template_fields.NOT_FOUND)
        return Response(200, text.encode())

    def create_template(self, request: Request) -> Response:
        """POST stores every field it is sent (the docs read back what the create sent)."""
        body = _json_body(request)
        problems = validate_template(body)
        if problems:
            raise ApiError(400, problems)
        with self.store.lock:
            doc = template_document(body["template_name"], new_uuid(), body)
            try:
                self.store.insert_template(doc)
            except NameTaken:
                raise ApiError(400, template_fields.NAME_TAKEN) from None
        return json_response(200, {"created": template_fields.CREATED_ANSWER,
                                   "template_uuid": doc["template_uuid"]})

    def update_template(self, request: Request) -> Response:
        """PUT replaces the whole template, as the campaign PUT does: a field left out is
        reset (the docs' Update sample sends every field of the template as read)."""
        template_uuid = request.params[0]
        body = _json_body(request)
        with self.store.lock:
            old = self.store.get_template(template_uuid)
            if old is None:
                raise ApiError(404, template_fields.NOT_FOUND)
            problems = validate_template(body)
            if problems:
                raise ApiError(400, problems)
            if self.quirks.put_keeps_omitted:
                body = {**old, **body}
            doc = template_document(body["template_name"], template_uuid, body)
            for name in self.quirks.put_drops:
                if name in old and name != "template_uuid":
                    doc[name] = old[name]
            try:
                self.store.replace_template(doc)
            except NameTaken:
                raise ApiError(400, template_fields.NAME_TAKEN) from None
        return json_response(200, {"created": True, "template_uuid": template_uuid,
                                   "updated": "true"})

    def delete_template(self, request: Request) -> Response:
        template_uuid = request.params[0]
        with self.store.lock:
            if self.store.get_template(template_uuid) is None:
                raise ApiError(404, template_fields.NOT_FOUND)
            if self.store.campaigns_using_template(template_uuid):
                raise ApiError(400, template_fields.IN_USE)
            self.store.delete_template(template_uuid)
        return json_response(200, {"deleted": "true"})

    # ---- audio -------------------------------------------------------------------------

    def list_audio(self, request: Request) -> Response:
        limit, offset = self._paging(request)
        rows, total = self.store.list_audio_json(limit, offset,
                                                 request.arg("audio_name") or None,
                                                 request.arg("audio_uuid") or None)
        return _page(rows, limit, offset, total)

    def upload_audio(self, request: Request) -> Response:
        try:
            upload = parse_upload(request.content_type, request.body)
        except UploadError as exc:
            raise ApiError(400, str(exc)) from None
        try:
            audio_uuid = self.store.insert_audio(upload.name, upload.content)
        except NameTaken:
            raise ApiError(400, audio_fields.NAME_TAKEN) from None
        return json_response(200, {"created": True, "id": audio_uuid})

    def delete_audio(self, request: Request) -> Response:
        if not self.store.delete_audio(request.params[0]):
            raise ApiError(400, audio_fields.DELETE_FAILED)
        return json_response(200, {"message": audio_fields.DELETED_MESSAGE})

    # ---- runs and call reports ---------------------------------------------------------

    def run_start(self, request: Request) -> Response:
        if request.body.strip():  # the docs send `{}`; nothing else is read from it
            _json_body(request)
        answer = reports.start_run(self.store, request.params[0])
        if answer is None:
            raise ApiError(404, "Not Found")
        return json_response(200, answer)

    def import_lead(self, request: Request) -> Response:
        return json_response(200, leads.import_lead(self.store, _json_body(request), ApiError))

    def report_campaigns(self, request: Request) -> Response:
        query = reports.ReportQuery(request, self.store, ApiError)
        return json_response(200, reports.campaign_report(self.store, query))

    def report_leads(self, request: Request) -> Response:
        query = reports.ReportQuery(request, self.store, ApiError)
        limit, offset = self._paging(request)
        if self.quirks.lead_report_grows:
            reports.grow(self.store, query)
        rows = reports.lead_rows(self.store, query)
        return _page(rows[offset:offset + limit], limit, offset, len(rows))

    # ---- helpers -----------------------------------------------------------------------

    def _paging(self, request: Request) -> tuple[int, int]:
        """`limit` (10 when absent or 0, silently capped) and `offset` (0 when absent)."""
        quirks = self.quirks
        limit = _count_arg(request, "limit") or quirks.default_limit
        offset = _count_arg(request, "offset")
        if quirks.list_ignores_limit:
            limit = quirks.default_limit
        if quirks.list_ignores_offset:
            offset = 0
        cap = self.page_cap
        if cap and limit > cap:
            limit = cap
        return limit, offset

    def _put_quirks(self, old: dict[str, Any], doc: dict[str, Any]) -> None:
        """What a PUT does differently on a tenant with quirks (none by default)."""
        quirks = self.quirks
        if quirks.put_ignores_active:
            doc["active"] = old["active"]
        if quirks.put_ignores_name:
            doc["campaign_name"] = old["campaign_name"]
        if quirks.put_ignores_template:
            doc["template_uuid"] = old["template_uuid"]
        for name in quirks.put_drops:
            if name in old and name not in JOINED_FIELDS:
                doc[name] = old[name]
        if quirks.recall_status_reordered and doc.get("recall_status"):
            doc["recall_status"] = sorted(doc["recall_status"])
        if quirks.schedules_rounded and doc.get("schedules"):
            for item in doc["schedules"]:
                for key in SCHEDULE_KEYS:
                    item[key] -= item[key] % 10**9

    def _campaign(self, campaign_uuid: str) -> dict[str, Any]:
        doc = self.store.get_campaign(campaign_uuid)
        if doc is None:
            raise ApiError(404, "Not Found")
        return doc

    def _carrier(self, carrier_uuid: str) -> dict[str, Any]:
        doc = self.store.get_carrier(carrier_uuid)
        if doc is None:
            raise ApiError(404, carrier_fields.NOT_FOUND)
        return doc

    def _carrier_name(self, carrier_uuid: str) -> str:
        if not carrier_uuid:
            return ""
        name = self.store.carrier_name(carrier_uuid)
        if name is None:
            raise ApiError(400, "carrier not found")
        return name

    def _template_name(self, template_uuid: str) -> str:
        if not template_uuid:
            return ""
        name = self.store.template_name(template_uuid)
        if name is None:
            raise ApiError(400, "template not found")
        return name


def _count_arg(request: Request, name: str) -> int:
    text = request.arg(name)
    if text is None or text == "":
        return 0
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise ApiError(400, f"{name} must be a non-negative integer")
    return value


def _json_body(request: Request) -> Any:
    if not request.body.strip():
        raise ApiError(400, "invalid JSON body: the body is empty")
    try:
        return json.loads(request.body.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiError(400, f"invalid JSON body: {exc}") from None


def _page(rows: list[str], limit: int, offset: int, total: int) -> Response:
    text = f'{{"data":[{",".join(rows)}],"limit":{limit},"offset":{offset},"total":{total}}}'
    return Response(200, text.encode())
