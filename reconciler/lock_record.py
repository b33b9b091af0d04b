"""What the tenant lock says about its holder: who, since when, which plan, our nonce.

Pure functions only (reconciler/lock.py does the calls). The record is a small JSON object
kept in the lock template's `description`; the random nonce tells our lock from anyone
else's, so a create whose answer was lost never makes us think we hold another run's lock.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import re
import secrets
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from reconciler import __version__
from reconciler.safetext import shown

MARK = "reconciler tenant lock"  # the record's "lock" key: a description this tool wrote


@dataclass(frozen=True)
class LockRecord:
    """One holder of the tenant lock, as kept in the lock template's description."""

    holder: str
    since: str  # UTC, ISO 8601 with a Z
    plan_digest: str
    pid: int
    version: str
    nonce: str

    @classmethod
    def new(cls, holder: str, plan_digest: str, now: datetime | None = None) -> LockRecord:
        when = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
        return cls(holder, when.strftime("%Y-%m-%dT%H:%M:%SZ"), plan_digest, os.getpid(),
                   __version__, secrets.token_hex(16))

    def to_description(self) -> str:
        return json.dumps({
            "lock": MARK, "holder": self.holder, "since": self.since,
            "plan_digest": self.plan_digest, "pid": self.pid, "version": self.version,
            "nonce": self.nonce,
        }, ensure_ascii=False, separators=(",", ":"))


def parse_description(text: Any) -> LockRecord | None:
    """The record a lock template's description holds, or None when it holds none (a
    template of that name this tool did not write, or one edited since)."""
    try:
        data = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("lock") != MARK:
        return None
    strings = ("holder", "since", "plan_digest", "version", "nonce")
    if not all(isinstance(data.get(key), str) for key in strings):
        return None
    pid = data.get("pid")
    if isinstance(pid, bool) or not isinstance(pid, int) or not data["nonce"]:
        return None
    return LockRecord(data["holder"], data["since"], data["plan_digest"], pid,
                      data["version"], data["nonce"])


def holder_from_env(environ: Mapping[str, str] | None = None) -> str:
    """Who takes the lock: the CI job and its URL under GitHub Actions or GitLab CI, else
    user@host (what the person who finds the lock needs to find its holder)."""
    env = os.environ if environ is None else environ
    if env.get("GITHUB_ACTIONS") == "true":
        parts = [env.get(key, "").strip().rstrip("/")
                 for key in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")]
        if all(parts):
            return f"GitHub Actions run {parts[0]}/{parts[1]}/actions/runs/{parts[2]}"
        return "GitHub Actions run (GITHUB_SERVER_URL/GITHUB_REPOSITORY/GITHUB_RUN_ID unset)"
    if env.get("GITLAB_CI") == "true":
        url = env.get("CI_JOB_URL", "").strip()
        return f"GitLab CI job {url}" if url else "GitLab CI job (CI_JOB_URL unset)"
    try:
        user = getpass.getuser()
    except Exception:  # no user name in the environment nor the password database
        user = "unknown"
    return f"{user}@{socket.gethostname() or 'unknown-host'}"


def plan_digest(changes: list[dict[str, Any]]) -> str:
    """A short digest of the changes an apply makes (each Change.to_dict()): two applies of
    the same plan show the same one."""
    text = json.dumps(changes, sort_keys=True, ensure_ascii=True, default=str)
    return "sha256:" + hashlib.sha256(text.encode("ascii")).hexdigest()[:16]


def age(since: str, now: datetime | None = None) -> str:
    """How long ago `since` was, in words ("3 h 12 min"); "" when it does not parse."""
    try:
        then = datetime.strptime(since, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return ""
    seconds = int(((now or datetime.now(UTC)) - then).total_seconds())
    if seconds < 0:
        return "in the future by this machine's clock"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        text = f"{days} d {hours} h"
    elif hours:
        text = f"{hours} h {minutes} min"
    elif minutes:
        text = f"{minutes} min {seconds} s"
    else:
        text = f"{seconds} s"
    return f"{text} ago"


def describe(record: LockRecord | None, description: Any = None,
             now: datetime | None = None) -> str:
    """The holder in one line, safe to print (the description is the server's text)."""
    if record is None:
        text = description if isinstance(description, str) else json.dumps(description)
        if len(text) > 120:
            text = text[:117] + "..."
        return shown(f"an unknown holder (the lock template's description is not a lock "
                     f"record this tool wrote: {text!r})")
    ago = age(record.since, now)
    return shown(
        f"{record.holder} since {record.since}" + (f" ({ago})" if ago else "")
        + f", pid {record.pid}, reconciler {record.version}, plan {record.plan_digest}"
    )


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|m|s)")


def parse_duration(text: str) -> float:
    """Seconds in `5m`, `90s`, `1h30m` or a bare number of seconds; ValueError otherwise."""
    text = text.strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    if not text or _DURATION.sub("", text):
        raise ValueError(f"{text!r} is not a duration such as 30s, 5m or 1h30m")
    scale = {"h": 3600, "m": 60, "s": 1}
    return sum(float(number) * scale[unit] for number, unit in _DURATION.findall(text))
