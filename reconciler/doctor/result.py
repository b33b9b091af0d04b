"""One checked assumption: its name, `ok` / `differs` / `skipped`, and what was seen."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from reconciler.api.errors import ApiError

OK = "ok"
DIFFERS = "differs"
SKIPPED = "skipped"
STATUSES = (OK, DIFFERS, SKIPPED)


@dataclass(frozen=True)
class Result:
    check: str  # e.g. "paging: limit honoured"
    status: str  # OK, DIFFERS or SKIPPED
    detail: str = ""  # what was seen (differs), why (skipped), or the numbers (ok)

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def ok(check: str, detail: str = "") -> Result:
    return Result(check, OK, detail)


def differs(check: str, detail: str) -> Result:
    return Result(check, DIFFERS, detail)


def skipped(check: str, why: str) -> Result:
    return Result(check, SKIPPED, why)


def shown(value: Any, limit: int = 120) -> str:
    """A value as compact JSON for a detail line, cut short."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def all_hold(results: list[Result]) -> bool:
    """Whether every assumption held (skipped ones do not count against)."""
    return all(result.status != DIFFERS for result in results)


class StepFailed(Exception):
    """A check could not go on: what the API answered, as a `differs` detail."""


Check = Callable[..., Result]


def assumption(name: str) -> Callable[[Check], Check]:
    """Name a check; an error answer (or a failed step) inside it becomes its `differs` line.

    A call that got no answer at all (connection refused, timeout) is not a finding about
    the API's behaviour: it propagates and ends the run.
    """

    def wrap(func: Check) -> Check:
        @functools.wraps(func)
        def run(*args: Any) -> Result:
            try:
                return func(*args, name)
            except StepFailed as exc:
                return differs(name, str(exc))
            except ApiError as err:
                if err.status is None:
                    raise
                return differs(name, str(err))

        run.check_name = name  # type: ignore[attr-defined]
        return run

    return wrap
