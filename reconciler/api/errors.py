"""API failures as one exception type, whatever shape the server (or a gateway) answered in.

The API answers errors as `{"error": "message"}` or, for schema validation,
`{"error": [{"<field or (root)>": "message"}, ...]}`; gateways in front of it answer HTML.
Callers should only ever need `.status`, `.message` and `.field_errors`.
"""

from __future__ import annotations

import html
import http.client
import json
import re
from typing import TYPE_CHECKING, Any

import urllib3.exceptions as urllib3_exc

from reconciler.errors import ReconcilerError

if TYPE_CHECKING:
    from reconciler.api.session import Answer as Response

ROOT_FIELD = "(root)"
_SNIPPET = 200


# What OpenSSL says when the server answers a TLS handshake in plain HTTP.
_PLAIN_HTTP_SIGNS = ("wrong version number", "record layer failure", "unknown protocol")
_PLAIN_HTTP = (
    "the server does not speak HTTPS on this port (the TLS handshake got a plain-HTTP "
    "answer); if it is a plain-HTTP server, such as the local emulator, use an http:// URL"
)
# Transport failures that usually mean the URL points at the wrong place.
_WRONG_URL_SIGNS = ("connection refused", "host name could not be resolved")


class ApiError(ReconcilerError):
    """A call failed: an error answer (`status` set) or no answer at all (`status` None).

    `str()` reads `PUT /v3/campaign/<uuid>: 400 campaign_name is already taken`, or for a
    transport failure `GET https://host/v3/campaign: connection refused (after 6 retries)`.
    """

    code = "api"  # its diagnostic code

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        method: str | None = None,
        path: str | None = None,
        url: str | None = None,
        field_errors: list[tuple[str, str]] | None = None,
        reached: bool = False,  # the API had answered before: a wrong URL is ruled out
    ):
        self.message = message
        self.reached = reached
        self.status = status
        self.method = method
        self.path = path
        self.url = url
        self.field_errors = list(field_errors or [])
        self.retries = 0  # retries the failed call made (set by the client)
        super().__init__(self._render())

    def _render(self) -> str:
        where = self.path if self.status is not None else (self.url or self.path)
        prefix = " ".join(part for part in (self.method, where) if part)
        status = f"{self.status} " if self.status is not None else ""
        body = f"{status}{self.message}"
        if self.status is None and not self.reached and self.message.startswith(_WRONG_URL_SIGNS):
            body += "; is the API URL right? (--api-url or RECONCILER_API_URL)"
        return f"{prefix}: {body}" if prefix else body


class AmbiguousWriteError(ApiError):
    """A POST may or may not have been processed (read timeout, dropped connection, 5xx).

    Never retried blindly: the caller looks the object up (e.g. by name) before going on.
    """


def parse_error_body(response: Response) -> tuple[str, list[tuple[str, str]]]:
    """(message, field_errors) from either JSON error shape, or from a non-JSON body."""
    try:
        payload = response.json()
    except ValueError:
        return _text_message(response), []
    error = payload.get("error") if isinstance(payload, dict) else None
    if isinstance(error, str) and error.strip():
        return error.strip(), []
    if isinstance(error, list):
        fields = list(_field_errors(error))
        if fields:
            return "; ".join(_field_line(f, m) for f, m in fields), fields
    if isinstance(payload, dict) and isinstance(payload.get("message"), str):
        return payload["message"], []
    return _snippet(json.dumps(payload, ensure_ascii=False)) or _reason(response), []


def _field_errors(items: list[Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for item in items:
        if isinstance(item, dict):
            out.extend((str(field), str(message)) for field, message in item.items())
        elif item not in (None, ""):
            out.append((ROOT_FIELD, str(item)))
    return out


def _field_line(field: str, message: str) -> str:
    return message if field == ROOT_FIELD else f"{field}: {message}"


def _text_message(response: Response) -> str:
    """A gateway's HTML or plain-text body, boiled down to one short line."""
    text = response.text or ""
    title = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
    if title:
        text = title.group(1)
    else:
        text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.IGNORECASE | re.DOTALL)
        text = re.sub(r"<[^>]+>", " ", text)
    text = _snippet(html.unescape(text))
    text = text.removeprefix(f"{response.status_code} ")  # "502 Bad Gateway" -> "Bad Gateway"
    reason = _reason(response)
    if not text:
        return reason
    if reason and reason.lower() not in text.lower():
        return f"{reason}: {text}"
    return text


def _reason(response: Response) -> str:
    return (response.reason or "").strip() or "error (empty answer)"


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _SNIPPET else text[: _SNIPPET - 1] + "…"


def error_from_response(
    method: str, path: str, response: Response, *, cls: type[ApiError] = ApiError
) -> ApiError:
    message, fields = parse_error_body(response)
    location = response.headers.get("Location") if 300 <= response.status_code < 400 else None
    if location:
        message += (
            f" (redirected to {_snippet(location)}; redirects are not followed: if the API "
            "moved, give its new address with --api-url or RECONCILER_API_URL)"
        )
    return cls(
        message, status=response.status_code, method=method, path=path, url=response.url,
        field_errors=fields,
    )


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and everything it wraps (urllib3 MaxRetryError -> its reason -> socket)."""
    seen: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo:
        item = todo.pop(0)
        if any(item is known for known in seen):
            continue
        seen.append(item)
        linked = (getattr(item, "reason", None), *item.args, item.__cause__, item.__context__)
        todo.extend(link for link in linked if isinstance(link, BaseException))
    return seen


def never_sent(exc: BaseException) -> bool:
    """True when the request surely never reached the server (no connection, TLS failure),
    so even a POST may be sent again."""
    never = (urllib3_exc.NewConnectionError, urllib3_exc.ConnectTimeoutError, urllib3_exc.SSLError)
    return any(isinstance(item, never) for item in _chain(exc))


def describe_transport_error(exc: BaseException, timeout: tuple[float, float]) -> str:
    """A short cause for a request that got no answer, without a traceback or a repr."""
    cause = exc.reason if isinstance(exc, urllib3_exc.MaxRetryError) else exc
    if isinstance(cause, urllib3_exc.ConnectTimeoutError) and not isinstance(
        cause, urllib3_exc.NewConnectionError
    ):
        return f"could not connect within {timeout[0]:g}s"
    if isinstance(cause, urllib3_exc.ReadTimeoutError):
        return f"no answer within {timeout[1]:g}s"
    chain = _chain(exc)

    def find(kind: type[BaseException] | tuple[type[BaseException], ...]) -> BaseException | None:
        return next((item for item in chain if isinstance(item, kind)), None)

    if find(urllib3_exc.NameResolutionError):
        return "host name could not be resolved"
    if find(ConnectionRefusedError):
        return "connection refused"
    if found := find(urllib3_exc.NewConnectionError):
        return _last_words(found)
    if find(urllib3_exc.ConnectTimeoutError):
        return f"could not connect within {timeout[0]:g}s"
    if find(urllib3_exc.ReadTimeoutError):
        return f"no answer within {timeout[1]:g}s"
    if find(http.client.RemoteDisconnected):
        return "the server closed the connection without answering"
    if find(ConnectionResetError):
        return "the connection was reset by the server"
    if found := find(urllib3_exc.SSLError):
        words = _last_words(found)
        if any(sign in words.lower() for sign in _PLAIN_HTTP_SIGNS):
            return _PLAIN_HTTP
        return f"TLS error: {words}"
    return _last_words(chain[-1])


def _last_words(exc: BaseException) -> str:
    """The useful tail of a urllib3 message (`<...object at 0x..>: Failed ...: [Errno 111] X`)."""
    text = str(exc) or type(exc).__name__
    text = re.sub(r"<[^>]*object at 0x[0-9a-f]+>:?\s*", "", text)
    return _snippet(text.rsplit("Caused by ", 1)[-1].strip("()' ")) or type(exc).__name__
