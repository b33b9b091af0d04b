"""`ApiClient`: every call the reconciler makes to the campaign API goes through here.

One pooled session, bearer auth (fixed token, or API key exchanged and renewed on 401),
retries for idempotent calls, whole listings read page by page, and every failure turned
into an `ApiError`. Secrets never reach a log line, an error message or a repr.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from sys import intern
from types import TracebackType
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from urllib3.exceptions import HTTPError as TransportError
from urllib3.filepost import encode_multipart_formdata

from reconciler import audio_fields
from reconciler.api.auth import IssuedToken, TokenSource, bearer_header, bearer_problem
from reconciler.api.errors import (
    AmbiguousWriteError,
    ApiError,
    describe_transport_error,
    error_from_response,
    never_sent,
    parse_error_body,
)
from reconciler.api.pace import Gate, Pace
from reconciler.api.paging import OnRows, collect
from reconciler.api.retry import RETRY_STATUSES, CallState, RetrySettings, call_scope
from reconciler.api.session import TOKEN_PATH, Answer, build_session
from reconciler.errors import ConfigError
from reconciler.redact import remember, url_shown
from reconciler.template_fields import LOCK_NAME

log = logging.getLogger("reconciler.api")

TOKEN_ENV = "RECONCILER_TOKEN"
API_KEY_ENV = "RECONCILER_API_KEY"
# Seconds: the retry backoff factor (waits 0, 2x, 4x, ... plus jitter up to x). Default 0.5;
# tests and impatient pipelines set it small, e.g. RECONCILER_RETRY_BACKOFF=0.001.
RETRY_BACKOFF_ENV = "RECONCILER_RETRY_BACKOFF"
_DEFAULTS = RetrySettings()


class ApiClient:
    """Client of the TEL4VN campaign API (campaigns, carriers, templates).

    Thread-safe: `get_campaigns` and callers' own thread pools share one session whose pool
    keeps `pool_size` keep-alive connections. Use as a context manager or call `close()`.
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        api_key: str | None = None,
        timeout: float | tuple[float, float] = (5.0, 30.0),
        pool_size: int = 8,
        retry_deadline: float = _DEFAULTS.deadline,
        verify: bool | str = True,  # False, or a CA bundle path for a private CA
        max_retries: int = _DEFAULTS.max_retries,
        backoff_factor: float = _DEFAULTS.backoff_factor,
        backoff_max: float = _DEFAULTS.backoff_max,
        retry_after_max: float = _DEFAULTS.retry_after_max,
    ):
        self.base_url = _checked_base_url(base_url)
        token, api_key = token or None, api_key or None
        if token and api_key:
            raise ConfigError("give either a token or an API key, not both")
        if not token and not api_key:
            raise ConfigError(_NO_CREDENTIALS)
        check_credentials(token, api_key, "the token", "the API key")
        self.timeout: tuple[float, float] = (
            (float(timeout), float(timeout)) if isinstance(timeout, int | float)
            else (float(timeout[0]), float(timeout[1]))
        )
        self.pool_size = max(1, int(pool_size))
        self.retry = RetrySettings(
            max_retries=max_retries, backoff_factor=backoff_factor, backoff_max=backoff_max,
            retry_after_max=retry_after_max, deadline=retry_deadline,
        )
        self._session = build_session(
            self.base_url, pool_size=self.pool_size, retry=self.retry, verify=verify
        )
        # At most pool_size calls at once, fewer while the API shows it is struggling.
        self.gate = Gate(Pace(self.pool_size))
        self._tokens = TokenSource(token=token, api_key=api_key, exchange=self._exchange_key)
        # Until the API has answered once, a refused connection is a wrong URL or a server
        # not started: said at once, not after a minute of retries.
        self._answered = False

    @classmethod
    def from_env(
        cls, base_url: str, pool_size: int = 8, *, environ: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> ApiClient:
        """Credentials from RECONCILER_TOKEN, else RECONCILER_API_KEY (exchanged for tokens);
        the retry backoff factor from RECONCILER_RETRY_BACKOFF (seconds) unless given."""
        env = os.environ if environ is None else environ
        backoff = env.get(RETRY_BACKOFF_ENV, "").strip()
        if backoff and "backoff_factor" not in kwargs:
            kwargs["backoff_factor"] = _backoff_seconds(backoff)
        token = env.get(TOKEN_ENV, "").strip()
        api_key = env.get(API_KEY_ENV, "").strip()
        check_credentials(token or None, None if token else api_key, TOKEN_ENV, API_KEY_ENV)
        if token:
            return cls(base_url, token=token, pool_size=pool_size, **kwargs)
        if api_key:
            return cls(base_url, api_key=api_key, pool_size=pool_size, **kwargs)
        raise ConfigError(_NO_CREDENTIALS + _why_no_credentials(env))

    # -- campaigns -------------------------------------------------------------------------

    def list_campaigns(
        self, type: str | None = None, page_size: int = 100, on_rows: OnRows | None = None
    ) -> list[dict]:
        """Every campaign (of `type`, if given), all pages, newest first as the server sorts.

        Rows are list *summaries*: `schedules`, `users`, `groups` and `statuses` are null
        there. Read `get_campaign`/`get_campaigns` wherever schedules matter. `on_rows` sees
        each page's new rows as it arrives (before the listing is known to be consistent).
        """
        base = {"type": type} if type else {}
        return self._list(
            "/v3/campaign", base, page_size, key="campaign_uuid", what="campaign",
            required=("campaign_name",), on_rows=on_rows,
        )

    def get_campaign(self, uuid: str) -> dict:
        """The full campaign, schedules included (each with server keys id/domain_uuid/...).

        An answer that is not that campaign's object (null, a list, another uuid, schedules
        that are not a list of objects) is an ApiError, never data.
        """
        path = f"/v3/campaign/{_seg(uuid)}"
        answer = self._call("GET", path)
        problem = _campaign_problem(answer, uuid)
        if problem:
            raise ApiError(f"unexpected answer: {problem}", method="GET", path=path)
        return answer

    def get_campaigns(
        self,
        uuids: Iterable[str],
        parallelism: int = 8,
        on_progress: Callable[[int], None] | None = None,
    ) -> dict[str, dict]:
        """Details of many campaigns, read concurrently over the pooled connections.

        Returns {uuid: detail} in the order given, without campaigns deleted since they were
        listed (their read answers 404). `on_progress(done_count)` is called in the
        calling thread as reads finish. The first failure cancels the reads not yet started
        and is raised. At most `pool_size` reads run at once (more would not reuse connections).
        """
        wanted = list(dict.fromkeys(uuids))
        found: dict[str, dict | None] = {}
        with closing(self.iter_campaigns(wanted, parallelism)) as details:
            for done, (uuid, detail) in enumerate(details, start=1):
                found[uuid] = detail
                if on_progress is not None:
                    on_progress(done)
        return {uuid: found[uuid] for uuid in wanted if found[uuid] is not None}

    def iter_campaigns(
        self, uuids: Iterable[str], parallelism: int = 8
    ) -> Iterator[tuple[str, dict | None]]:
        """(uuid, detail) of many campaigns as the concurrent reads finish (each uuid once);
        detail None for a campaign deleted since it was listed (its read answers 404),
        so a caller can use each and let it go rather than hold them all. Like
        `get_campaigns`: at most `pool_size` at once; the first failure stops the reads not
        yet started and is raised. Close the iterator if you stop early."""
        with self.detail_reads(parallelism) as reads:
            for uuid in uuids:
                reads.add(uuid)
            yield from reads.results()

    def detail_reads(self, parallelism: int = 8) -> DetailReads:
        """Concurrent detail reads that can be started one by one (say, as listing pages
        arrive) and collected as they finish; use as a context manager."""
        return DetailReads(self, parallelism)

    def read_detail(self, uuid: str) -> dict | None:
        """`get_campaign`, None when it answers 404 (deleted since it was listed)."""
        try:
            return self.get_campaign(uuid)
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise

    def find_campaign_by_name(self, name: str) -> dict | None:
        """The campaign (list summary) named exactly `name`, of any type, or None.

        Names are unique per tenant; used to learn what an ambiguous create did.
        """
        for row in self.list_campaigns():
            if row.get("campaign_name") == name:
                return row
        return None

    def create_campaign(self, body: dict) -> str:
        """POST a new campaign; returns its uuid. The server keeps only the create fields
        (see `reconciler.fields.CREATE_FIELDS`): follow with `update_campaign` for the rest.

        Never re-sent once it may have reached the server: raises `AmbiguousWriteError`
        when it may or may not have been processed (timeout, dropped connection, 5xx).
        """
        return self._create("/v3/campaign", body, "campaign_uuid")

    def _create(self, path: str, body: dict, uuid_key: str) -> str:
        """POST once; the new object's uuid, or AmbiguousWriteError when the answer lacks it."""
        answer = self._call("POST", path, body=body, once=True)
        uuid = answer.get(uuid_key) if isinstance(answer, dict) else None
        if not isinstance(uuid, str) or not uuid:
            raise AmbiguousWriteError(
                f"the answer holds no {uuid_key}", status=200, method="POST", path=path
            )
        return uuid

    def update_campaign(self, uuid: str, body: dict) -> dict:
        """PUT the whole campaign: a full replace, so fields left out are reset by the server."""
        return self._call("PUT", f"/v3/campaign/{_seg(uuid)}", body=body)

    def set_active(self, uuid: str, active: bool) -> dict:
        """PATCH .../active: the documented switch (PUT carries `active` too: see apply)."""
        return self._call("PATCH", f"/v3/campaign/{_seg(uuid)}/active", body={"active": active})

    def delete_campaign(self, uuid: str) -> dict:
        """DELETE; the server refuses an active campaign ("campaign must be deactive").

        A 404 on a *retried* delete means an earlier attempt deleted it but its answer was
        lost: that is success, not an error.
        """
        try:
            return self._call("DELETE", f"/v3/campaign/{_seg(uuid)}")
        except ApiError as err:
            if err.status == 404 and err.retries:
                log.debug("DELETE %s: 404 after a retry; an earlier attempt deleted it", uuid)
                return {"campaign_uuid": uuid}
            raise

    # -- carriers and templates ------------------------------------------------------------

    def list_carriers(self) -> list[dict]:
        """Every carrier (number pool): carrier_uuid, carrier_name, ..., all pages."""
        return self._list(
            "/v3/carrier", {}, 100, key="carrier_uuid", what="carrier", required=("carrier_name",)
        )

    def get_carrier(self, uuid: str) -> dict:
        """The carrier as the listing shows it: the API documents no GET by id. A carrier the
        listing does not show is an ApiError with status 404."""
        for row in self.list_carriers():
            if row.get("carrier_uuid") == uuid:
                return row
        raise ApiError(f"carrier {uuid} is not in the carrier listing", status=404,
                       method="GET", path="/v3/carrier")

    def find_carrier_by_name(self, name: str) -> dict | None:
        """The carrier named exactly `name`, or None (to learn what an unclear create did)."""
        return next((row for row in self.list_carriers() if row.get("carrier_name") == name),
                    None)

    def create_carrier(self, body: dict) -> str:
        """POST a carrier; its uuid. Never re-sent once it may have reached the server
        (AmbiguousWriteError, as for campaigns)."""
        return self._create("/v3/carrier", body, "carrier_uuid")

    def update_carrier(self, uuid: str, body: dict) -> dict:
        """PUT the whole carrier (the docs' sample sends the whole object: a full replace)."""
        return self._call("PUT", f"/v3/carrier/{_seg(uuid)}", body=body)

    def delete_carrier(self, uuid: str) -> dict:
        """DELETE a carrier. Its documented answer is `{"carrier_uuid", "created": true}`,
        which says nothing of a delete: the caller confirms by listing that it is gone. A 404
        on a retried delete means an earlier attempt did it."""
        try:
            return self._call("DELETE", f"/v3/carrier/{_seg(uuid)}")
        except ApiError as err:
            if err.status == 404 and err.retries:
                return {"carrier_uuid": uuid}
            raise

    def list_templates(self, name: str | None = None, *, with_lock: bool = False) -> list[dict]:
        """Every template, all pages; `name` is passed as the server's template_name filter
        (whether it matches exactly is up to the server: compare names yourself). The tenant
        lock's template is left out unless `with_lock`: it is the tool's, never the user's
        (never planned, pruned, exported or resolved)."""
        base = {"template_name": name} if name else {}
        rows = self._list(
            "/v3/template", base, 100, key="template_uuid", what="template",
            required=("template_name",),
        )
        return rows if with_lock else [r for r in rows if r.get("template_name") != LOCK_NAME]

    def get_template(self, uuid: str) -> dict:
        """The template as a read shows it (press options without toggled, enable, type or
        extension: see reconciler.template_fields). An answer that is not that template's
        object is an ApiError."""
        path = f"/v3/template/{_seg(uuid)}"
        answer = self._call("GET", path)
        if not isinstance(answer, dict) or answer.get("template_uuid") != uuid:
            got = answer.get("template_uuid") if isinstance(answer, dict) else _json_kind(answer)
            raise ApiError(f"unexpected answer: expected template {uuid}, got {got!r}",
                           method="GET", path=path)
        return answer

    def find_template_by_name(self, name: str) -> dict | None:
        """The template named exactly `name`, or None (the server's filter may match
        substrings: the exact name is picked here)."""
        for row in self.list_templates(name):
            if row.get("template_name") == name:
                return row
        return None

    def create_template(self, body: dict) -> str:
        """POST a template (every field is stored); returns its uuid. Never re-sent once it may
        have reached the server (AmbiguousWriteError, as for campaigns)."""
        return self._create("/v3/template", body, "template_uuid")

    def update_template(self, uuid: str, body: dict) -> dict:
        """PUT the whole template (treated as a full replace: send every field)."""
        return self._call("PUT", f"/v3/template/{_seg(uuid)}", body=body)

    def delete_template(self, uuid: str) -> dict:
        """DELETE a template; a 404 on a retried delete means an earlier attempt did it."""
        try:
            return self._call("DELETE", f"/v3/template/{_seg(uuid)}")
        except ApiError as err:
            if err.status == 404 and err.retries:
                return {"deleted": "true"}
            raise

    # -- audio files (reconciler.audio_fields) ---------------------------------------------

    def list_audio(self, name: str | None = None, *, uuid: str | None = None) -> list[dict]:
        """Every uploaded audio file, all pages: audio_uuid, audio_name, user_uuid,
        created_at (no size, no hash). `name` is the server's substring filter: compare names
        yourself."""
        base = {key: value for key, value in (("audio_name", name), ("audio_uuid", uuid))
                if value}
        return self._list(
            "/v3/audio", base, 100, key="audio_uuid", what="audio file",
            required=("audio_name",),
        )

    def find_audio_by_name(self, name: str) -> dict | None:
        """The upload named exactly `name`, or None."""
        for row in self.list_audio(name):
            if row.get("audio_name") == name:
                return row
        return None

    def upload_audio(self, name: str, filename: str, content: bytes) -> str:
        """POST /v3/audio (multipart: audio_name, file) once; returns the new uuid (`id`).
        Never re-sent once it may have reached the server: an unclear answer is
        AmbiguousWriteError, settled by listing for the name. The bytes are never logged."""
        body = Multipart({audio_fields.NAME_PART: name},
                         (audio_fields.FILE_PART, filename, content))
        return self._create("/v3/audio", body, "id")  # type: ignore[arg-type]

    def delete_audio(self, uuid: str) -> dict:
        """DELETE one upload; answers {"message": "delete audio success"} (an `error` body is
        a failure at any status)."""
        return self._call("DELETE", f"/v3/audio/{_seg(uuid)}")

    # -- runs and call reports (docs/api-facts.md, "Runs and call reports") ------------------

    def start_run(self, uuid: str) -> dict:
        """POST /v1/campaign/{uuid}/run/start with the docs' `{}`: the run state turns to
        `start`. Never re-sent once it may have reached the server (AmbiguousWriteError)."""
        return self._call("POST", f"/v1/campaign/{_seg(uuid)}/run/start", body={}, once=True)

    def import_lead(self, campaign_uuid: str, phone_number: str, param: dict[str, str]) -> dict:
        """POST /v3/autocall/import: the lead is imported and called by the campaign's script.
        Sent once, never retried once it may have reached the server (a repeat would call
        the number again): an answer-less failure, a 5xx, or an answer without call_id and
        lead_uuid is an AmbiguousWriteError. Returns {call_id, lead_uuid, message}."""
        path = "/v3/autocall/import"
        body = {"campaign_uuid": campaign_uuid, "phone_number": phone_number, "param": param}
        answer = self._call("POST", path, body=body, once=True)
        ids = [answer.get(key) if isinstance(answer, dict) else None
               for key in ("call_id", "lead_uuid")]
        if not all(_usable_id(value) for value in ids):
            raise AmbiguousWriteError(
                f"the answer holds no call_id and lead_uuid ({_json_kind(answer)})",
                status=200, method="POST", path=path,
            )
        return answer

    def campaign_call_report(
        self, uuid: str, start_time: str | None = None, end_time: str | None = None
    ) -> dict | None:
        """The campaign's row of GET /v3/report/call/campaign (call counters by status) for
        the window (`YYYY-MM-DD HH:MM:SS`, tenant time); None when the report has no row for
        it. Counters that are not whole numbers, or rows of other campaigns, are an ApiError."""
        path = "/v3/report/call/campaign"
        params = _report_params(uuid, start_time, end_time)
        answer = self._call("GET", path, params=params)
        data = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
            raise ApiError(
                f"unexpected answer: expected {{'data': [rows]}}, got {_json_kind(answer)}"
                + ("" if not isinstance(answer, dict) else f" with data {_json_kind(data)}"),
                method="GET", path=path,
            )
        rows = [row for row in data if row.get("campaign_uuid") == uuid]
        if len(rows) != len(data):
            raise ApiError(
                f"unexpected answer: the report for campaign {uuid} has rows of other campaigns",
                method="GET", path=path,
            )
        if len(rows) > 1:
            raise ApiError(f"unexpected answer: {len(rows)} rows for campaign {uuid}",
                           method="GET", path=path)
        if not rows:
            return None
        for key, value in rows[0].items():
            if key in ("campaign_uuid", "campaign_name"):
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ApiError(
                    f"unexpected answer: counter {key!r} of campaign {uuid} is {value!r}, "
                    "not a count", method="GET", path=path,
                )
        return rows[0]

    def lead_call_report(
        self, uuid: str, start_time: str | None = None, end_time: str | None = None,
        page_size: int = 100,
    ) -> list[dict]:
        """Every row of GET /v3/report/call/lead for the campaign and window, all pages, read
        as defensively as the campaign listing (a row is a lead and the call shown with it),
        except that rows added while it is read (a campaign dialling) are taken, not a
        reason to give up (paging.collect `grows`)."""
        base = _report_params(uuid, start_time, end_time)
        limit = max(1, int(page_size))

        def fetch(offset: int) -> Any:
            page = self._call(
                "GET", "/v3/report/call/lead", params={**base, "limit": limit, "offset": offset}
            )
            data = page.get("data") if isinstance(page, dict) else None
            for row in data if isinstance(data, list) else []:
                if not isinstance(row, dict):
                    continue  # the envelope check names it
                if not _usable_id(row.get("lead_uuid")):
                    raise ApiError(
                        f"the lead report (offset {offset}) has a row whose lead_uuid is "
                        f"{row.get('lead_uuid')!r}: the tool cannot tell the leads apart",
                        method="GET", path="/v3/report/call/lead",
                    )
                row[_ROW_KEY] = f"{row['lead_uuid']}/{row.get('cdr_uuid') or ''}"
            return page

        rows = collect(fetch, key=_ROW_KEY, what="lead report", grows=True)
        for row in rows:
            row.pop(_ROW_KEY, None)
        return rows

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        if self.gate.calls:
            logging.getLogger("reconciler.pace").debug("%s", self.gate.pace.summary())
        self._session.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ApiClient(base_url={self.base_url!r}, auth={self._tokens.kind!r})"

    @property
    def token_exchanges(self) -> int:
        """How many times the API key was exchanged for a token so far."""
        return self._tokens.exchanges

    # -- plumbing --------------------------------------------------------------------------

    def _list(
        self, path: str, base: dict[str, Any], page_size: int, *, key: str, what: str,
        required: tuple[str, ...] = (), on_rows: OnRows | None = None,
    ) -> list[dict]:
        limit = max(1, int(page_size))

        def fetch(offset: int) -> Any:
            return self._call("GET", path, params={**base, "limit": limit, "offset": offset})

        with self.gate.lane():  # the critical path: never waits behind the reads it feeds
            return collect(fetch, key=key, what=what, required=required, on_rows=on_rows)

    def _call(
        self, method: str, path: str, *, params: dict[str, Any] | None = None,
        body: Any = None, once: bool = False,
    ) -> Any:
        """`_authorized_call`; a secret the server echoed back (some gateways quote the
        request's Authorization header in their error pages) is cut from the error."""
        try:
            return self._authorized_call(method, path, params=params, body=body, once=once)
        except ApiError as err:
            self._tokens.redact_error(err)
            raise

    def _authorized_call(
        self, method: str, path: str, *, params: dict[str, Any] | None = None,
        body: Any = None, once: bool = False,
    ) -> Any:
        """One API call with auth: a 401 with an exchanged token renews it and tries once more.

        `once` marks a non-idempotent write: an answer-less failure that may have reached the
        server, or a 5xx, becomes `AmbiguousWriteError`.
        """
        target = f"{path}?{urlencode(params)}" if params else path
        token = self._tokens.current()
        response, retries = self._send(method, path, target, body, token, once)
        if response.status_code == 401 and self._tokens.refreshable:
            log.debug("%s %s: token rejected; exchanging the API key again", method, target)
            token = self._tokens.refresh(token)
            response, retries = self._send(method, path, target, body, token, once)
        try:
            return self._decode(method, path, response, once)
        except ApiError as err:
            err.retries = retries
            raise

    def _send(
        self, method: str, path: str, target: str, body: Any, token: str | None, once: bool
    ) -> tuple[Answer, int]:
        """Send (with the adapter's retries) and log one line; no answer -> ApiError.
        Returns the answer and how many retries it took."""
        url = self.base_url + target
        # Encoded here: a body that cannot be JSON is a bug in the caller (a TypeError), not
        # a transport failure.
        payload: bytes | None = None
        headers: dict[str, str] = {}
        if isinstance(body, Multipart):
            payload, headers["Content-Type"] = body.encoded()
        elif body is not None:
            payload = _json_bytes(body)
            headers["Content-Type"] = "application/json"
        if token is not None:
            headers["Authorization"] = bearer_header(token)
        started = time.perf_counter()
        with (
            self.gate.slot(_call_kind(method, path)) as call,
            call_scope(self.retry.deadline, first_contact=not self._answered) as state,
        ):
            try:
                response = self._session.request(
                    method, url, body=payload, headers=headers, timeout=self.timeout
                )
            except TransportError as exc:
                cause = describe_transport_error(exc, self.timeout) + _retried(state)
                if self._answered:
                    cause += _GONE_AWAY
                log.debug("%s %s -> no answer: %s (%s)", method, target, cause, _ms(started))
                cls = AmbiguousWriteError if once and not never_sent(exc) else ApiError
                if cls is AmbiguousWriteError:
                    cause += "; the request may or may not have been processed"
                err = cls(cause, method=method, path=path, url=url, reached=self._answered)
                err.retries = state.retries
                raise err from exc
            call.refused = bool(state.retries) or response.status_code in RETRY_STATUSES
        self._answered = True
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "%s %s -> %d (%s%s)", method, target, response.status_code, _ms(started),
                _retried(state, brief=True),
            )
        return response, state.retries

    def _decode(
        self, method: str, path: str, response: Answer, once: bool
    ) -> Any:
        status = response.status_code
        if 200 <= status < 300:
            if not response.content.strip():
                return {}
            try:
                answer = response.json(object_pairs_hook=_shared_keys)
            except ValueError:
                kind = response.headers.get("Content-Type") or "no content type"
                text, _ = parse_error_body(response)
                raise ApiError(
                    f"expected a JSON answer, got a body that is not valid JSON ({kind}): {text}",
                    status=status, method=method, path=path, url=response.url,
                ) from None
            if isinstance(answer, dict) and answer.get("error") not in (None, "", []):
                # A gateway or handler may answer 200 with an error: a failure all the same.
                raise error_from_response(method, path, response)
            return answer
        if status == 401:
            message, _ = parse_error_body(response)
            hint = _FRESH_TOKEN_REJECTED if self._tokens.refreshable else _TOKEN_REJECTED
            raise ApiError(f"{message} - {hint}", status=status, method=method, path=path)
        cls = AmbiguousWriteError if once and status >= 500 else ApiError
        raise error_from_response(method, path, response, cls=cls)

    def _exchange_key(self, api_key: str) -> IssuedToken:
        """POST /v3/auth/token {"api_key"} -> token (called by TokenSource under its lock)."""
        response, _ = self._send("POST", TOKEN_PATH, TOKEN_PATH, {"api_key": api_key}, None, False)
        if 400 <= response.status_code < 500:
            message, _ = parse_error_body(response)
            raise ApiError(
                f"API key rejected ({message}): check {API_KEY_ENV}",
                status=response.status_code, method="POST", path=TOKEN_PATH,
            )
        answer = self._decode("POST", TOKEN_PATH, response, False)
        token = answer.get("token") if isinstance(answer, dict) else None
        if not isinstance(token, str) or not token:
            raise ApiError(
                "the token answer holds no token", status=response.status_code,
                method="POST", path=TOKEN_PATH,
            )
        problem = bearer_problem(token)
        if problem:
            remember(token)  # never shown, whatever quotes it later
            raise ApiError(
                f"the API issued a token that cannot be sent in a header: {problem}. "
                "Report this to the API's operator",
                method="POST", path=TOKEN_PATH,
            )
        expires = answer.get("expired_in")
        valid = isinstance(expires, int | float) and not isinstance(expires, bool)
        log.debug("exchanged the API key for a token (valid %ss)", expires if valid else "?")
        return IssuedToken(token, float(expires) if valid else None)


class DetailReads:
    """Campaign detail reads on a thread pool: `add` starts one, `results` yields them as they
    finish. The client's gate decides how many are actually in flight; the pool only needs
    enough threads for the ceiling. Closing cancels the reads not yet started."""

    def __init__(self, client: ApiClient, parallelism: int):
        self._client = client
        workers = max(1, min(parallelism, client.pool_size))
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="reconciler-api")
        self._done: queue.SimpleQueue[tuple[str, Future]] = queue.SimpleQueue()
        self._added: set[str] = set()
        self._taken = 0

    def add(self, uuid: str) -> None:
        """Start reading `uuid` (once, however often it is added)."""
        if uuid in self._added:
            return
        self._added.add(uuid)
        future = self._pool.submit(self._client.read_detail, uuid)
        future.add_done_callback(lambda done: self._done.put((uuid, done)))

    def __contains__(self, uuid: str) -> bool:
        return uuid in self._added

    def finished(self) -> Iterator[tuple[str, dict | None]]:
        """The reads finished so far and not yet taken, without waiting."""
        while True:
            try:
                item = self._done.get_nowait()
            except queue.Empty:
                return
            yield self._take(item)

    def results(self) -> Iterator[tuple[str, dict | None]]:
        """Every read not yet taken, waiting for each; the first failure is raised."""
        while self._taken < len(self._added):
            yield self._take(self._done.get())

    def _take(self, item: tuple[str, Future]) -> tuple[str, dict | None]:
        uuid, future = item
        self._taken += 1
        return uuid, future.result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> DetailReads:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


_GONE_AWAY = (
    "; the API answered earlier in this run, so it has stopped or become unreachable since"
)
_NO_CREDENTIALS = (
    f"no API credentials: set {TOKEN_ENV} to a bearer token, or {API_KEY_ENV} to an API key "
    "(exchanged for a token at POST /v3/auth/token)"
)
_TOKEN_REJECTED = (
    f"the bearer token was rejected (expired or wrong): set a fresh {TOKEN_ENV}, or set "
    f"{API_KEY_ENV} instead so tokens are fetched and renewed automatically"
)
_FRESH_TOKEN_REJECTED = (
    "a token freshly issued for the API key was rejected too: check the key's permissions"
)


def _why_no_credentials(env: Mapping[str, str]) -> str:
    """What the environment shows of a credential meant but not found: a variable set but
    empty (a CI secret not defined) or a misspelt name. Names only, never a value."""
    wanted = (TOKEN_ENV, API_KEY_ENV)
    empty = [name for name in wanted if name in env]
    if empty:
        return f" ({' and '.join(empty)} set but empty: in CI, check that the secret is defined)"
    for name in sorted(env):
        upper = name.upper()
        if (upper.startswith("RECONCILER") and ("KEY" in upper or "TOKEN" in upper)
                and name not in (*wanted, "RECONCILER_GITLAB_TOKEN")):
            meant = TOKEN_ENV if "TOKEN" in upper else API_KEY_ENV
            return f" ({name} is set: did you mean {meant}?)"
    return ""


def check_credentials(
    token: str | None, api_key: str | None, token_name: str, key_name: str
) -> None:
    """Refuse, before any call, a token that cannot go in a header or a key holding spaces
    or control characters (a paste gone wrong); the message never quotes the secret."""
    problem = bearer_problem(token) if token else None
    name = token_name
    if api_key and not problem:
        problem = _key_problem(api_key)
        name = key_name
    if problem:
        raise ConfigError(f"{name} is not usable: {problem}")


def _key_problem(api_key: str) -> str | None:
    for position, char in enumerate(api_key, start=1):
        if char.isspace() or not char.isprintable():
            return (
                f"character {position} of {len(api_key)} is a space, line break or control "
                "character; an API key has none (check how it was pasted)"
            )
    return None


class Multipart:
    """A multipart/form-data body: text fields and one file (name, filename, bytes). Its
    repr names the file and its size, never the bytes."""

    def __init__(self, fields: Mapping[str, str], file: tuple[str, str, bytes]):
        self.fields, self.file = dict(fields), file

    def encoded(self) -> tuple[bytes, str]:
        parts: dict[str, Any] = dict(self.fields)
        part, filename, content = self.file
        parts[part] = (filename, content, "audio/wav")
        return encode_multipart_formdata(parts)

    def __repr__(self) -> str:
        return f"Multipart({self.fields!r}, file={self.file[1]!r}, {len(self.file[2])} bytes)"


def _json_bytes(body: Any) -> bytes:
    """The JSON request body. Text holding a lone surrogate (as a server may send, escaped)
    goes back as the same JSON escape: it has no UTF-8 form."""
    text = json.dumps(body, ensure_ascii=False, allow_nan=False)
    try:
        return text.encode()
    except UnicodeEncodeError:
        return json.dumps(body, allow_nan=False).encode()


_ROW_KEY = "\x00row"  # the identity a lead report row is paged by (never a real key)


def _report_params(uuid: str, start_time: str | None, end_time: str | None) -> dict[str, str]:
    params = {"campaign_uuid": uuid}
    if start_time:
        params["start_time"] = start_time
    if end_time:
        params["end_time"] = end_time
    return params


def _usable_id(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _call_kind(method: str, path: str) -> str:
    """`GET /v3/campaign/{id}`: calls of one kind take comparable time (the pace compares
    each call's latency with the quickest of its kind)."""
    parts = path.split("/")
    if len(parts) > 3 and parts[2] in ("campaign", "template"):
        parts[3] = "{id}"
    return f"{method} {'/'.join(parts)}"


def _shared_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose keys are the interpreter's one copy of each name. The decoder shares
    keys only within one document, so ten thousand campaign details would otherwise hold ten
    thousand copies of every field name. Measured on a 10,000-campaign plan: peak RSS 266 MB
    without, 223 MB with, for ~8 us of decoding per 2 KB document."""
    return {intern(key): value for key, value in pairs}


def _backoff_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 60:  # also refuses nan and inf
        raise ConfigError(f"{RETRY_BACKOFF_ENV} must be a number of seconds (0-60), not {text!r}")
    return value


def _checked_base_url(base_url: str) -> str:
    url = (base_url or "").strip().rstrip("/")
    parts = urlsplit(url)
    # Credentials first: no later message may print them (nor a query, where a token hides).
    if parts.username or parts.password or "@" in url.split("?")[0].split("#")[0]:
        raise ConfigError(
            f"do not put credentials in the API URL: use {TOKEN_ENV} or {API_KEY_ENV}"
        )
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"the API URL must be an http(s) URL such as https://host, not {url_shown(url)!r}"
        )
    if parts.query or parts.fragment:
        raise ConfigError(
            f"the API URL must not have a query or fragment: {url_shown(url)!r} (the part "
            "after ? or # is not shown: it may hold a token)"
        )
    return url


def _campaign_problem(answer: Any, uuid: str) -> str:
    """Why `answer` is not the detail of campaign `uuid` ("" when it is)."""
    if not isinstance(answer, dict):
        return f"expected the campaign object, got {_json_kind(answer)}"
    if answer.get("campaign_uuid") != uuid:
        return f"expected campaign {uuid}, got campaign_uuid {answer.get('campaign_uuid')!r}"
    if not isinstance(answer.get("campaign_name"), str):
        return "the campaign has no campaign_name"
    schedules = answer.get("schedules")
    if schedules is not None and not (
        isinstance(schedules, list) and all(isinstance(item, dict) for item in schedules)
    ):
        return "its schedules are not a list of objects"
    return ""


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    names = {dict: "an object", list: "a list", str: "a string", int: "a number",
             float: "a number"}
    return names.get(type(value), type(value).__name__)


def _seg(value: str) -> str:
    """One path segment, so an odd uuid cannot reach another endpoint."""
    if not isinstance(value, str) or not value:
        raise ApiError(f"not a valid id: {value!r}")
    return quote(value, safe="")


def _ms(started: float) -> str:
    return f"{(time.perf_counter() - started) * 1000:.0f} ms"


def _retried(state: CallState, *, brief: bool = False) -> str:
    if not state.retries:
        return ""
    plural = "retry" if state.retries == 1 else "retries"
    return f", {state.retries} {plural}" if brief else f" (after {state.retries} {plural})"
