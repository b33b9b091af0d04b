"""Credentials cut out of any text before it is shown: the last line of defence.

Every secret the process holds is known here — the credential environment variables, and
each token the API issues (remembered as it arrives) — so whatever an exception's text says,
even a library's (`Invalid header value b'Bearer ...'`), nothing of it reaches the output.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterable

# The variables credentials are read from (as reconciler.api.client reads them).
CREDENTIAL_ENV = ("RECONCILER_TOKEN", "RECONCILER_API_KEY")
REDACTED = "[redacted]"
MIN_REDACTED = 6  # shorter "secrets" are not looked for in text: they would hit ordinary words

_known: set[str] = set()
_lock = threading.Lock()
_VISIBLE_RUN = re.compile(r"[!-~]+")


def remember(secret: str | None) -> None:
    """Add a secret (a token just issued, say) to those cut from every output."""
    if secret:
        with _lock:
            _known.add(secret)


def known_secrets() -> set[str]:
    """Every secret remembered so far, and the credential variables' current values."""
    with _lock:
        found = set(_known)
    for name in CREDENTIAL_ENV:
        value = os.environ.get(name)
        if value:
            found.update({value, value.strip()})
    return {secret for secret in found if secret}


def redact(text: str, secrets: Iterable[str] | None = None) -> str:
    """`text` without any secret — whole, quoted as a library would quote it (repr, bytes,
    JSON), in pieces split at its spaces and control characters, or cut short by an
    ellipsis (error snippets are truncated)."""
    forms: set[str] = set()
    for secret in known_secrets() if secrets is None else secrets:
        forms.update(_forms(secret))
    for form in sorted(forms, key=len, reverse=True):
        if form in text:
            text = text.replace(form, REDACTED)
        if "…" in text:
            for end in range(len(form) - 1, MIN_REDACTED - 1, -1):
                text = text.replace(form[:end] + "…", REDACTED + "…")
    return text


def url_shown(url: str) -> str:
    """`url` safe to print in an error: any user-info (`user:password@`, up to the last `@`)
    and any query or fragment (where a token may hide) cut out. A URL is refused for holding
    credentials, but the message refusing it for another reason must not print them."""
    pieces = re.split(r"[?#]", url, maxsplit=1)
    base, cut = pieces[0], len(pieces) > 1
    scheme, sep, rest = base.partition("//")
    if not sep:
        scheme, rest = "", base
    if "@" in rest:
        rest = REDACTED + "@" + rest.rpartition("@")[2]
    return scheme + sep + rest + ("?…" if cut else "")


def _forms(secret: str) -> set[str]:
    raw = secret.encode("utf-8", "surrogatepass")
    forms = {
        secret,
        repr(secret)[1:-1],
        repr(raw)[2:-1],
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        secret.encode("unicode_escape").decode("ascii"),
    }
    forms.update(_VISIBLE_RUN.findall(secret))
    return {form for form in forms if len(form) >= MIN_REDACTED}
