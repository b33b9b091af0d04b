"""Fault injection: the failures a real tenant and its gateways produce, on demand.

Rules are queued and consumed first-match-first; each fires `times` times (None: forever).
A `fail` rule answers a status (429, 502, 503, ...) instead of serving the request; a `drop`
rule closes the connection without an answer, either before the request is processed or
after it was processed and committed (the case where a client cannot know a write happened).
"""

from __future__ import annotations

import json
import re
import shlex
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

DROP_WHEN = ("before", "after", "later")


@dataclass
class Rule:
    """One queued fault."""

    kind: str  # "fail" or "drop"
    method: str  # upper case; "*" matches any
    pattern: re.Pattern[str]
    remaining: int | None  # None: never runs out
    status: int = 0
    retry_after: str | None = None
    body: bytes | None = None
    when: str = "before"
    delay: float = 0.0  # "later" drops: seconds before the dropped request is processed

    def matches(self, method: str, path: str, path_with_query: str) -> bool:
        if self.method not in ("*", method):
            return False
        return bool(self.pattern.search(path) or self.pattern.search(path_with_query))


class Faults:
    """The queue of fault rules, plus token expiry (delegated to the token book)."""

    def __init__(self, expire: Callable[[bool], None] | None = None) -> None:
        self._rules: list[Rule] = []
        self._lock = threading.Lock()
        self._expire = expire

    def fail(self, method: str, path_regex: str, status: int, times: int | None = 1,
             retry_after: float | str | None = None, body: Any = None) -> Rule:
        """Answer `status` to the next `times` matching requests without serving them.

        `body` may be bytes, a str, or JSON-able data; by default `{"error": "<reason>"}`.
        """
        rule = Rule(
            kind="fail", method=method.upper(), pattern=re.compile(path_regex),
            remaining=times, status=int(status),
            retry_after=None if retry_after is None else _header_number(retry_after),
            body=_encode_body(body),
        )
        return self._add(rule)

    def drop(self, method: str, path_regex: str, when: str = "before",
             times: int | None = 1, delay: float = 1.0) -> Rule:
        """Close the connection without answering the next `times` matching requests:
        `before` serving them, `after` serving and committing them, or `later`: the request
        is processed `delay` seconds after the hang-up (a slow server finishing a write the
        client already gave up on)."""
        if when not in DROP_WHEN:
            raise ValueError(f"when must be one of {DROP_WHEN}, not {when!r}")
        rule = Rule(kind="drop", method=method.upper(), pattern=re.compile(path_regex),
                    remaining=times, when=when, delay=float(delay))
        return self._add(rule)

    def expire_tokens(self, include_static: bool = False) -> None:
        """Invalidate every token issued so far: the next call with one gets 401 until the
        client exchanges its API key again. The static token survives unless asked."""
        if self._expire is not None:
            self._expire(include_static)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def pending(self) -> list[Rule]:
        """Rules that can still fire."""
        with self._lock:
            return list(self._rules)

    def take(self, method: str, path: str, path_with_query: str) -> Rule | None:
        """The first rule matching this request, consumed by one use."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path, path_with_query):
                    if rule.remaining is not None:
                        rule.remaining -= 1
                        if rule.remaining <= 0:
                            self._rules.remove(rule)
                    return rule
        return None

    def _add(self, rule: Rule) -> Rule:
        if rule.remaining is not None and rule.remaining <= 0:
            raise ValueError("times must be positive (or None for always)")
        with self._lock:
            self._rules.append(rule)
        return rule


def _header_number(value: float | str) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _encode_body(body: Any) -> bytes | None:
    if body is None:
        return None
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    text = json.dumps(body, ensure_ascii=False)
    try:
        return text.encode()
    except UnicodeEncodeError:  # a lone surrogate: sent as its JSON escape
        return json.dumps(body).encode()


def parse_fault_spec(spec: str, faults: Faults) -> Rule:
    """Add the rule a CLI `--fault` spec describes, e.g.

    `fail POST ^/v3/campaign$ 503 times=2 retry_after=1 body='{"error":"busy"}'`,
    `drop PUT /v3/campaign/ after times=1`, `drop POST ^/v3/campaign$ later delay=2`.
    `times=always` never runs out. The spec is split like a shell line (shlex), so a JSON
    body is quoted: unquoted, `body={"error":"busy"}` would lose its double quotes.
    """
    try:
        words = shlex.split(spec)
    except ValueError as exc:
        raise ValueError(f"bad fault spec {spec!r}: {exc}") from None
    option_names = ("times=", "retry_after=", "body=", "delay=")
    positional = [word for word in words if not word.startswith(option_names)]
    options = dict(word.split("=", 1) for word in words if word.startswith(option_names))
    usage = ("expected 'fail METHOD PATH_REGEX STATUS [times=N] [retry_after=S] [body=TEXT]' "
             "or 'drop METHOD PATH_REGEX before|after|later [times=N] [delay=S]'")
    if len(positional) != 4 or positional[0] not in ("fail", "drop"):
        raise ValueError(f"bad fault spec {spec!r}: {usage}")
    kind, method, regex, last = positional
    times_text = options.get("times", "1")
    try:
        times = None if times_text in ("always", "inf") else int(times_text)
        re.compile(regex)
        if kind == "fail":
            return faults.fail(method, regex, int(last), times=times,
                               retry_after=options.get("retry_after"), body=options.get("body"))
        if "retry_after" in options or "body" in options:
            raise ValueError("retry_after and body apply to fail rules only")
        return faults.drop(method, regex, when=last, times=times,
                           delay=float(options.get("delay", "1")))
    except (ValueError, re.error) as exc:
        raise ValueError(f"bad fault spec {spec!r}: {exc}") from None
