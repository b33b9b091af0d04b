"""`reconciler export --update DIR`: read the live side, take its changes back into the files
(reconciler/export_update.py), say what changed, write (or, with --check, exit 2)."""

from __future__ import annotations

import re
from pathlib import Path

import click

from reconciler.commands._common import fail, plural, report_warnings, settings
from reconciler.commands._live import make_client
from reconciler.names import identity_key
from reconciler.safetext import shown


def run_update(
    directory: Path,
    *,
    check: bool,
    no_new: bool,
    targets: tuple[str, ...],
    pattern: re.Pattern[str] | None,
    campaign_type: str,
    pin_uuid: bool,
    parallelism: int,
) -> None:
    from reconciler import export as exporting
    from reconciler import export_update as updating
    from reconciler.kinds.registry import kind_of, primary
    from reconciler.manifest.loader import load_manifests
    from reconciler.manifest.yamlread import safe_yaml
    from reconciler.plan.planner import build_plan
    from reconciler.refresh import KINDS_READ, read_live

    if not directory.is_dir():
        fail(f"--update {directory}: not a directory of manifests")
    manifests = load_manifests([str(directory)])  # bad manifests fail before any API call
    report_warnings(manifests.warnings)
    cfg = settings()
    with make_client(cfg, parallelism) as client:
        manifests = _as_environment_sees_them(manifests, cfg)
        live, catalog = read_live(client, manifests, parallelism=parallelism)
        the_plan = build_plan(
            {kind: manifests.specs(kind) for kind in KINDS_READ},
            live,
            catalog,
            where_by={kind: manifests.where_for(kind) for kind in KINDS_READ},
            targets=targets,
            api_url=client.base_url,
        )
        kept = updating.drop_overridden(the_plan, manifests)
        result = updating.take_back(manifests, the_plan, live, catalog, match=pattern)
        new_problems: list[str] = []
        if not no_new:
            wanted = {identity_key(target) for target in targets}
            undeclared = {}
            for kind in _new_file_kinds(manifests):
                rows = updating.undeclared(manifests, live[kind.name], kind.name)
                if kind.primary:
                    rows = exporting.select_campaigns(rows, campaign_type, pattern).rows
                if targets:
                    rows = [row for row in rows if identity_key(row[kind.name_field]) in wanted]
                undeclared[kind] = rows
            if any(undeclared.values()):
                main = primary()
                details = main.export_read(client, undeclared.get(main, []),
                                           parallelism=parallelism)
                # The names new entries write: the listings the primary kind references.
                listings = {ref.target: kind_of(ref.target).export_rows(client)
                            for ref in main.references}
                schema_ref = exporting.schema_reference(directory, Path.cwd())
                files: dict[str, str] = {}
                for kind, rows in undeclared.items():
                    kind_files, kind_problems = exporting.render_export(
                        {kind.name: details.values() if kind is main else rows},
                        {**listings, kind.name: rows} if kind is not main else listings,
                        api_url=client.base_url, schema_ref=schema_ref, pin_uuid=pin_uuid,
                    )
                    files.update(kind_files)
                    new_problems += kind_problems
                labels = {name: _what(safe_yaml().load(text)) for name, text in files.items()}
                updating.add_new_files(result, files, directory, labels)
    problems = result.problems + new_problems
    if not check:  # written first: the report says what was written, never what was not
        updating.write_changes(result, directory)
    _report(result, directory, check)
    for line in kept:
        click.echo(shown(f"Kept: {line}"))
    for problem in problems:
        click.echo(shown(f"error: {problem}"), err=True)
    if problems:
        fail(f"{plural(len(problems), 'object')} not taken back (see above); "
             + ("nothing was written" if check else "every other change was written"))
    if check and result.changes_something:
        raise click.exceptions.Exit(2)


def _as_environment_sees_them(manifests, cfg):  # noqa: ANN001, ANN202 - Manifests, Settings
    """With an environment chosen, its pins and overrides applied: the live objects are
    matched as its plan matches them, and what its overrides set is known (never taken back:
    the files would then give that tenant's values to every tenant)."""
    if cfg.environment is None:
        return manifests
    from reconciler.commands._env import project
    from reconciler.manifest.overrides import for_environment

    config = project(cfg)
    return for_environment(manifests, cfg.environment, config.environments, config.source)


def _new_file_kinds(manifests) -> list:  # noqa: ANN001 - Manifests; list of Kind
    """The kinds whose undeclared live objects get new files: the primary kind, and each
    kind `export` writes by default that the manifests declare some of; primary first."""
    from reconciler.kinds.registry import kinds

    return [kind for kind in reversed(kinds().values()) if kind.exportable and (
        kind.primary or (kind.export_default and manifests.specs(kind.name)))]


def _what(document: dict) -> str:
    from reconciler.kinds.registry import kinds

    for kind in reversed(kinds().values()):
        for entry in document.get(kind.section) or []:
            return f"{kind.name} {entry.get(kind.name_field)!r}"
    return ""


def _report(result, directory: Path, check: bool) -> None:  # noqa: ANN001 - export_update.Update
    """What changed, by file: each entry with its fields; new files; what was only listed."""
    from reconciler.kinds.registry import kind_of

    verb = "Would update" if check else "Updated"
    by_file: dict[str, list] = {}
    for entry in result.entries:
        by_file.setdefault(entry.file, []).append(entry)
    for display, entries in by_file.items():
        click.echo(shown(f"{verb} {display}:"))
        for entry in entries:
            what = kind_of(entry.kind).label
            click.echo(shown(f"  ~ {what}{entry.name}: {', '.join(entry.fields)}"))
    for name, what in result.new_files.items() and result.new_names.items():
        click.echo(shown(f"{'Would write' if check else 'Wrote'} {directory / name}: {what} "
                         "(live, declared by no manifest)"))
    for line in result.gone:
        click.echo(shown(f"Listed only: {line} (the entry stays in its file)"))
    for line in result.absent_but_live:
        click.echo(shown(f"Listed only: {line} (the entry stays in its file)"))
    fields = sum(len(entry.fields) for entry in result.entries)
    if not result.changes_something:
        click.echo("Nothing to take back: the manifests declare what is live.")
        return
    done = "would change" if check else "changed"
    click.echo(
        f"{plural(len(result.texts), 'file')} {done} ({plural(len(result.entries), 'entry')}, "
        f"{plural(fields, 'field')}); {plural(len(result.new_files), 'new file')}."
        .replace("entrys", "entries")
    )
