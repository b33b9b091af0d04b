"""`reconciler doctor`: check, on a live tenant, every assumption the tool makes about the API.

`run_checks` runs the read-only checks (reconciler/doctor/reading.py) and, with `write`, the
scratch-campaign checks (scratch.py), reporting each `Result` as it comes; the scratch
campaign is deleted whatever happens.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from reconciler.doctor.carriers import ScratchCarrier
from reconciler.doctor.probe import Probe
from reconciler.doctor.reading import READ_ONLY_CHECKS, check_token
from reconciler.doctor.result import DIFFERS, OK, SKIPPED, Result, all_hold, skipped
from reconciler.doctor.scratch import SCRATCH_PREFIX, Scratch, ScratchLeftBehind
from reconciler.doctor.signals import EXIT_CODES, Terminated, shielded, sigterm_raises
from reconciler.doctor.templates import ScratchTemplate, check_template_read_shape

__all__ = [
    "DIFFERS", "EXIT_CODES", "OK", "SCRATCH_PREFIX", "SKIPPED", "Probe", "Result",
    "ScratchLeftBehind", "Terminated", "all_hold", "run_checks", "sigterm_raises",
]


def run_checks(probe: Probe, *, write: bool = False,
               report: Callable[[Result], None] = lambda result: None,
               scratch_name: str | None = None) -> list[Result]:
    """Every check's result, in order; `report` sees each as soon as it is known."""
    results: list[Result] = []

    def add(result: Result) -> None:
        # An answer may quote a secret back (a gateway echoing the Authorization header).
        result = replace(result, detail=probe.redact(result.detail))
        results.append(result)
        report(result)

    token = check_token(probe)
    add(token)
    if token.status != OK:
        add(skipped("every other check", "the API does not accept the credentials"))
        return results
    for check in (*READ_ONLY_CHECKS, check_template_read_shape):
        if check is not check_token:
            add(check(probe))
    if write:
        _write_checks(probe, add, scratch_name)
        _template_checks(probe, add, scratch_name)
        _run_scratch(ScratchCarrier(probe, f"{scratch_name}-carrier" if scratch_name else None),
                     "carrier", add)
    return results


def _write_checks(probe: Probe, add: Callable[[Result], None], name: str | None) -> None:
    _run_scratch(Scratch(probe, name), "campaign", add)


def _template_checks(probe: Probe, add: Callable[[Result], None], name: str | None) -> None:
    """The scratch template's checks; it is deleted whatever happens, as the campaign is."""
    _run_scratch(ScratchTemplate(probe, f"{name}-template" if name else None), "template", add)


def _run_scratch(scratch: Any, what: str, add: Callable[[Result], None]) -> None:
    """Run a scratch object's checks, then delete it whatever happened (a failed check, an
    exception, Ctrl-C or SIGTERM); a second signal cannot cut the deletion short."""
    try:
        for check in scratch.checks():
            if scratch.posted and scratch.uuid is None:
                add(skipped(check.check_name, f"the scratch {what} was not created"))
            else:
                add(check())
    finally:
        with shielded() as received:
            cleaned = scratch.cleanup()
        if cleaned is not None:
            add(cleaned)
        if received and sys.exc_info()[0] is None:
            raise KeyboardInterrupt if received[0] == signal.SIGINT else Terminated
