"""Press options' write-only keys: refuse, before anything is written, a template write that
would send press options without them.

A read answers a press option as `{"1": {voice_type, content}}`: its toggled, enable, type
and extension never come back, and a template PUT replaces the whole template. So an update
sending an option without them resets what the live option has (a "press 1: transfer to
1900" routing, say), and no later plan could see it. Pure: the planner's changes, specs and
live reads in, diagnostics and notes out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from reconciler import template_fields as tf
from reconciler.diagnostics.model import Diagnostic
from reconciler.kinds.base import Kind, Where, located
from reconciler.plan.model import Change

CODE = "write-only-keys"
ALL_KEYS = ", ".join(tf.PRESS_OPTION_UNREAD)


def check(
    kind: Kind,
    changes: list[Change],
    specs: Mapping[str, Any],
    live: Mapping[str, dict[str, Any] | None],
    where: Where,
) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """The template writes in `changes` that would send press options without their
    write-only keys: errors (each at the option's line, or the entry's), and notes for the
    creates that may (nothing live to reset, and nothing declared to rewrite)."""
    errors: list[Diagnostic] = []
    notes: list[Diagnostic] = []
    for change in changes:
        spec = specs.get(change.name) if change.kind == kind.name else None
        if spec is None or change.action not in ("create", "update"):
            continue
        if change.action == "update":
            errors.extend(_update_problems(change.name, spec, live.get(change.name), where))
        elif spec.unverifiable():
            errors.extend(_option_errors(change.name, spec, where, _REWRITTEN))
        else:
            notes.extend(_create_notes(change.name, spec, where))
    return errors, notes


_UPDATE = (
    "this update writes the whole template (a full-replace PUT) and the API never reads "
    "these keys back, so it would reset what the live option has (a transfer to an "
    "extension, say)"
)
_REWRITTEN = (
    "this template declares other press-option write-only keys, so it is rewritten on every "
    "apply, and each rewrite would send this option without them (resetting them)"
)


def _at(where: Where, name: str, path: Any, message: str) -> Diagnostic:
    """Located at `path` inside the template's entry, and about that template."""
    return located(where, name, path, message, CODE)


def _update_problems(
    name: str, spec: Any, live: dict[str, Any] | None, where: Where
) -> list[Diagnostic]:
    if "press_options" in spec.declared():
        return _option_errors(name, spec, where, _UPDATE)
    numbers = _live_press_nums(live)
    if not numbers:
        return []
    listed = ", ".join(numbers)
    return [_at(
        where, name, None,
        f"template {name!r}: this update writes the whole template (a full-replace PUT), so "
        f"its live press option{'s' if len(numbers) > 1 else ''} {listed} would be sent back "
        f"without {ALL_KEYS} (the API never reads them back), resetting them: declare "
        f"press_options with each option's {ALL_KEYS}",
    )]


def _option_errors(name: str, spec: Any, where: Where, why: str) -> list[Diagnostic]:
    errors = []
    for index, option in enumerate(spec.press_options or ()):
        missing = [key for key in tf.PRESS_OPTION_UNREAD if key not in option.model_fields_set]
        if missing:
            keys = ", ".join(missing)
            errors.append(_at(
                where, name, ("press_options", index),
                f"template {name!r}: press option {option.press_num} declares no {keys}: "
                f"{why}; declare {keys} on it (the values it should have)",
            ))
    return errors


def _create_notes(name: str, spec: Any, where: Where) -> list[Diagnostic]:
    """Remarks (severity note), each at the option's line when its file is known."""
    index = {str(option.press_num): i for i, option in enumerate(spec.press_options or ())}
    return [
        replace(_at(
            where, name, ("press_options", index[press_num]),
            f"template {name!r}: press option {press_num} declares no {', '.join(keys)}: it "
            "is created with the API's defaults for them, and an update of this template is "
            "refused until they are declared (the API never reads them back)",
        ), severity="note", code="plan/write-only-defaults")
        for press_num, keys in spec.options_missing_unread().items()
    ]


def _live_press_nums(live: dict[str, Any] | None) -> list[str]:
    options = tf.press_options_write_form((live or {}).get("press_options"))
    return [str(option.get("press_num", "")) for option in options]


def unverifiable_lines(change: Change, value: Callable[[Any], str]) -> list[str]:
    """What a change sends that no read can confirm (a template's press-option write-only
    keys), with the values sent; led, for a rewrite, by why it is written at all."""
    if not change.unverifiable or change.action == "delete":
        return []
    body = change.put if change.action == "update" else change.create_body
    sent = [
        f"press {option.get('press_num')}: " + ", ".join(
            f"{key} {value(option[key])}" for key in tf.PRESS_OPTION_UNREAD if key in option
        )
        for option in body.get("press_options") or ()
        if isinstance(option, dict) and any(key in option for key in tf.PRESS_OPTION_UNREAD)
    ]
    lines = [f"rewrite: {tf.REWRITE_REASON}"] if change.rewrite else []
    lines.append("sent, not verifiable (never read back): "
                 + ("; ".join(sent) or ", ".join(change.unverifiable)))
    return lines
