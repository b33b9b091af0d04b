"""What validate, plan and apply share about policies: load the manifests with the project
config, evaluate the rules (offline, before any API call), print and enforce the findings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import click

from reconciler.commands import _report
from reconciler.commands._common import one_line_each, plural, settings
from reconciler.errors import ManifestError, PlanError


def load_checked(paths: Sequence[str]):  # noqa: ANN201 - lazy imports keep start-up light
    """(manifests, findings): the manifests under `paths` and the policy findings on them.

    Problems in reconciler.yaml and in the manifests are reported together, config first.
    """
    manifests, findings, _ = load_checked_with_policies(paths)
    return manifests, findings


def load_checked_with_policies(paths: Sequence[str], *, live: bool = True):  # noqa: ANN201
    """(manifests, findings, policies): load_checked, and the PolicySet in force. The
    manifests are the chosen environment's (its pins and overrides applied; policies run on
    the overridden values). `live`: the command talks to the API, so with environments
    declared one must be chosen; validate (not live) without --env checks every
    environment's overrides and the manifests as written."""
    from reconciler.commands._env import chosen

    cfg = settings()
    manifests, project = load_base(paths)
    if not cfg.environment_chosen:
        cfg.environment = chosen(cfg, live=live)[0]
        cfg.environment_chosen = True
    _report.set_environment(cfg.environment)
    per_environment, warnings = [], list(manifests.diagnostics)
    if cfg.environment is None and not live:
        for name in project.environments:  # every override is checked, every time
            seen, found = environment_manifests(manifests, project, name, live=False)
            per_environment.append((name, found))
            warnings += [item for item in seen.diagnostics if item not in warnings]
    manifests, findings = environment_manifests(manifests, project, cfg.environment, live=live)
    if per_environment:  # an override that matches nothing, said by validate as well
        manifests.diagnostics = warnings
    return manifests, findings + _only_there(findings, per_environment), project.policies


def _only_there(findings: list, per_environment: list) -> list:  # noqa: ANN001
    """The findings an environment's values cause that the manifests as written do not (an
    override breaking a rule only in production), each naming its environment: validate
    without --env must not pass what `plan --env production` refuses."""
    from dataclasses import replace

    seen = {finding.line() for finding in findings}
    extra = []
    for name, found in per_environment:
        for finding in found:
            if finding.line() not in seen:
                seen.add(finding.line())
                extra.append(replace(finding, message=f"{finding.message} (environment {name})"))
    return extra


def load_base(paths: Sequence[str]):  # noqa: ANN201
    """(manifests as written, project config). Problems in reconciler.yaml and in the
    manifests are reported together, config first."""
    from reconciler.commands._env import project as load_project
    from reconciler.manifest.loader import ManifestLoadError, load_manifests

    errors: list[str] = []
    files: list[str] = []
    diagnostics = []
    project = manifests = None
    try:
        project = load_project(settings())
    except ManifestError as exc:
        errors += exc.errors
        files += getattr(exc, "files", [])
        diagnostics += exc.diagnostics
    try:
        manifests = load_manifests(paths)
    except ManifestError as exc:
        errors += exc.errors
        files += [name for name in getattr(exc, "files", []) if name not in files]
        diagnostics += exc.diagnostics
    if errors or project is None or manifests is None:
        raise ManifestLoadError(errors, files, diagnostics)
    return manifests, project


def environment_manifests(manifests, project, name: str | None, *, live: bool = True):  # noqa: ANN001, ANN201
    """(the manifests as environment `name` sees them, the policy findings on them: each
    kind's entries against the rules selecting that kind, campaigns first)."""
    from reconciler.kinds.registry import kinds
    from reconciler.manifest.overrides import for_environment
    from reconciler.policy.evaluate import evaluate

    seen = for_environment(
        manifests, name, project.environments, project.source, need_pins=live
    )
    rules = project.policies.rule_list
    findings = []
    for kind in sorted(kinds().values(), key=lambda kind: not kind.primary):
        def locate(entry: str, loc: tuple, kind: str = kind.name) -> str:
            return seen.at(entry, loc, kind)

        findings += evaluate(rules, seen.specs(kind.name), locate, kind.name)
    return seen, findings


def no_policies_note(policies) -> str | None:  # noqa: ANN001 - a PolicySet
    """What to say when no rule is in force (a run without --config, say), else None."""
    from reconciler.policy.config import DEFAULT_CONFIG

    if policies.rules:
        return None
    why = (
        f"{policies.config} has none" if policies.config
        else f"no {DEFAULT_CONFIG} found, none given with --config"
    )
    return f"no policies in force ({why}): calling-law checks are off"


def no_policies_diagnostic(note: str):  # noqa: ANN201 - a Diagnostic (lazy import)
    """The note as a diagnostic, for the JSON document."""
    from reconciler.diagnostics.model import Diagnostic

    return Diagnostic("note", "policy/none-in-force", note, category="config")


def echo_findings(findings: Sequence) -> None:
    """Each finding as `file:line: RULE_ID: message` on stderr, then the tally."""
    from reconciler.policy.findings import summary

    if not findings:
        return
    for finding in findings:
        click.echo(one_line_each(finding.line()).replace("\n", "\\n"), err=True)
    click.echo(summary(findings), err=True)


def blocking(findings: Sequence) -> list:
    return [finding for finding in findings if finding.blocking]


def within_targets(findings: Sequence, names: Iterable[str]) -> list:
    """The findings with those of entries not in `names` (the targets and what the targeted
    changes pull in) marked outside --target: still shown, no longer blocking."""
    from dataclasses import replace

    from reconciler.names import identity_key

    scope = {identity_key(name) for name in names}
    return [
        finding if identity_key(finding.campaign_name) in scope
        else replace(finding, outside_target=True)
        for finding in findings
    ]


def plan_scope(the_plan, targets: Sequence[str]) -> list[str]:  # noqa: ANN001 - a Plan
    """What a targeted plan touches: the targets, and every object it changes, of any kind
    (a target's change, or one pulled in because a targeted change needs it)."""
    names = list(targets)
    for change in the_plan.changes:
        names.append(change.name)
        if change.live_name:
            names.append(change.live_name)
    return names


def refuse_if_blocking(findings: Sequence, what: str = "nothing was changed") -> None:
    """Stop (exit 1) when a policy error is not waived."""
    errors = blocking(findings)
    if errors:
        kinds = sorted({getattr(error, "kind", "campaign") for error in errors})
        entry = kinds[0] if len(kinds) == 1 else "entry"
        # The findings are the diagnostics (noted when listed); the refusal adds none.
        raise PlanError(
            f"{plural(len(errors), 'policy error')} (listed above): {what}. Fix the {entry}, "
            "or waive the rule for it with policy_waivers: {RULE_ID: reason}",
            diagnostics=[],
        )
