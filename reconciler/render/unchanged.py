"""The sentence a plan with no changes ends with, worded from the kinds' names: the engine's
plan counts unchanged objects by kind and names none."""

from __future__ import annotations

from reconciler.kinds.registry import kinds, primary
from reconciler.plan.model import Plan


def no_changes_sentence(plan: Plan) -> str:
    """`The live campaigns match the manifests (3 unchanged).`, naming the other kinds only
    when some of the unchanged objects are theirs (`... campaigns and templates ... (4
    campaigns and 1 template unchanged)`); under --target with changes held back, only that
    the targets need none."""
    if plan.left_out:
        other = f"{plan.left_out} other change{'' if plan.left_out == 1 else 's'}"
        return (f"The targets match the manifests; {other} outside --target not shown "
                "(the live objects do not all match: plan without --target to see them).")
    main = primary()
    others = [  # in the registry's (dependency) order
        (kind, plan.unchanged_by_kind[kind.name]) for kind in kinds().values()
        if not kind.primary and plan.unchanged_by_kind.get(kind.name)
    ]
    if not others:
        return f"The live {main.plural} match the manifests ({plan.unchanged} unchanged)."
    counted = [(main, plan.unchanged - sum(count for _, count in others)), *others]
    what = _listed([kind.plural for kind, _ in counted])
    counts = _listed([
        f"{count} {kind.name if count == 1 else kind.plural}" for kind, count in counted
    ])
    return f"The live {what} match the manifests ({counts} unchanged)."


def _listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
