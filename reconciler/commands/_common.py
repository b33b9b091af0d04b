"""What every command shares: global options (before or after the command), the settings
they fill, and the guard that turns failures into a message and exit 1."""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import click

from reconciler.errors import ConfigError, ManifestError, PlanError, ReconcilerError
from reconciler.interrupt import Interrupted
from reconciler.redact import redact, url_shown
from reconciler.safetext import shown

DEFAULT_API_URL = "http://127.0.0.1:8080"
API_URL_ENV = "RECONCILER_API_URL"
_VERBOSE = False  # remembered outside click's context, for the last-resort handler


@dataclass
class Settings:
    """Global settings, filled by options given before or after the command name."""

    api_url: str | None = None
    config: str | None = None  # --config FILE (else env RECONCILER_CONFIG, ./reconciler.yaml)
    verbose: bool = False
    no_color: bool = False
    envs: tuple[str, ...] = ()  # --env NAME, repeatable (else env RECONCILER_ENV)
    # The environment the command works on now, once chosen (commands/_env.py).
    environment: str | None = None
    environment_chosen: bool = False

    def resolved_api_url(self) -> str:
        """--api-url, else RECONCILER_API_URL, else the local emulator's address. A value
        given but empty (a CI secret that is not set) is an error, never the default."""
        if self.api_url is not None:
            return checked_api_url(self.api_url, "--api-url")
        if API_URL_ENV in os.environ:
            return checked_api_url(os.environ[API_URL_ENV], API_URL_ENV)
        return DEFAULT_API_URL

    def color(self, stream: Any = None) -> bool:
        """Colour only on a terminal, and never with --no-color or NO_COLOR set."""
        stream = stream or sys.stdout
        if self.no_color or os.environ.get("NO_COLOR"):
            return False
        return bool(getattr(stream, "isatty", lambda: False)())


def checked_api_url(value: str, source: str) -> str:
    """The URL without a trailing slash; refused when empty or ending in the API's /v3."""
    url = value.strip().rstrip("/")
    if not url and source == API_URL_ENV:
        raise ConfigError(
            f"{source} is empty: set it to the API's base URL, e.g. https://api.example.vn "
            "(in CI, check that the secret is defined), or unset it to use the local emulator "
            f"at {DEFAULT_API_URL}"
        )
    if not url:
        raise ConfigError(
            f"{source} is empty: give the API's base URL, e.g. https://api.example.vn"
        )
    if "@" in url.split("?")[0].split("#")[0]:  # user:password@: never echoed back
        raise ConfigError(
            f"{source} holds credentials in the URL ({url_shown(url)}): take them out; the "
            "token goes in its own variable (RECONCILER_TOKEN, or the environment's token_env)"
        )
    if "?" in url or "#" in url:
        raise ConfigError(
            f"{source} must not have a query or fragment: {url_shown(url)} (the part after ? "
            "or # is not shown: it may hold a token)"
        )
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"{source} must be an http(s) URL such as https://api.example.vn, not "
            f"{url_shown(url)!r}"
        )
    path = parts.path
    if path.lower().endswith("/v3"):
        base = url[: len(url) - 3].rstrip("/")
        raise ConfigError(
            f"{source} ends in /v3 ({url}): drop it, the tool adds /v3/... to every call "
            f"itself; use {base}"
        )
    return url


def settings(ctx: click.Context | None = None) -> Settings:
    ctx = ctx or click.get_current_context()
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = Settings()
    return root.obj


def _store(attribute: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        # An option given after the command wins over the same one given before it.
        if value not in (None, False):
            setattr(settings(ctx), attribute, value)
            if attribute == "verbose":
                global _VERBOSE
                _VERBOSE = True
                configure_logging(True)

    return callback


def _store_env(ctx: click.Context, _param: click.Parameter, value: tuple[str, ...]) -> None:
    """--env before and after the command name add up (`--env a plan --env b`)."""
    if value:
        cfg = settings(ctx)
        cfg.envs = (*cfg.envs, *(name for name in value if name not in cfg.envs))


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        from reconciler import __version__

        click.echo(f"reconciler, version {__version__}")
        ctx.exit()


def global_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Attach --env, --api-url, --config, --verbose, --no-color and --version, accepted on the group
    and every command (so `reconciler plan --version` works as `reconciler --version` does)."""
    func = click.option(
        "--version",
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_show_version,
        help="Show the version and exit.",
    )(func)
    func = click.option(
        "--no-color",
        is_flag=True,
        expose_value=False,
        callback=_store("no_color"),
        help="Never colour output (NO_COLOR is honoured too).",
    )(func)
    func = click.option(
        "--verbose",
        "-v",
        is_flag=True,
        expose_value=False,
        callback=_store("verbose"),
        help="Log every API call (method, path, status, timing; never the token).",
    )(func)
    func = click.option(
        "--config",
        metavar="FILE",
        expose_value=False,
        callback=_store("config"),
        help="Project config with the policies (env RECONCILER_CONFIG; default ./reconciler.yaml).",
    )(func)
    func = click.option(
        "--env",
        metavar="NAME",
        multiple=True,
        expose_value=False,
        callback=_store_env,
        help="The environment (tenant) of reconciler.yaml to work on (env RECONCILER_ENV); "
        "plan takes several, or all.",
    )(func)
    func = click.option(
        "--api-url",
        metavar="URL",
        expose_value=False,
        callback=_store("api_url"),
        help=f"API base URL (env RECONCILER_API_URL; default {DEFAULT_API_URL}).",
    )(func)
    return func


# urllib3 warns on stderr about each retried connection; our own --verbose lines cover retries.
logging.getLogger("urllib3").setLevel(logging.ERROR)


class _SafeFormatter(logging.Formatter):
    """Log lines quote server text (paths, messages): credentials cut, controls escaped."""

    def format(self, record: logging.LogRecord) -> str:
        return shown(redact(super().format(record)), keep_newlines=True)


def configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(message)s",
        stream=sys.stderr,
    )
    for handler in logging.getLogger().handlers:
        if type(handler.formatter) is logging.Formatter:
            handler.setFormatter(_SafeFormatter(handler.formatter._fmt))
    logging.getLogger("reconciler").setLevel(logging.DEBUG if verbose else logging.WARNING)


def fail(message: str) -> None:
    """Stop the command with a clean error (exit 1)."""
    raise ReconcilerError(message)


def run_guarded(command: click.Command, argv: list[str] | None = None) -> int:
    """Run the click command; expected failures print `error: ...` and give exit 1."""
    from reconciler.commands import _report

    _report.reset()  # a command configures its diagnostics report itself
    try:
        # Without standalone mode click returns an Exit's code instead of raising it.
        result = command.main(args=argv, prog_name="reconciler", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except click.exceptions.Exit as exit_:
        return exit_.exit_code
    except click.ClickException as exc:
        exc.show()
        return 1 if exc.exit_code == 2 else exc.exit_code
    except click.Abort:
        click.echo("Aborted: nothing was changed.", err=True)
        return 1
    except ManifestError as exc:
        report_manifest_errors(exc)
        _report.failure(exc)
        return exc.exit_code
    except ReconcilerError as exc:
        located = located_lines(exc)
        if located:
            report_located(located)
        else:
            click.echo(f"error: {one_line_each(redact(str(exc)))}", err=True)
        _report.failure(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return 130
    except Interrupted as exc:
        click.echo(f"Interrupted by {exc}.", err=True)
        return exc.exit_code
    except Exception as exc:  # the promise is: never a traceback
        # Whatever a library put in its message (a header value, a URL), no credential and
        # no control character reaches the output.
        if settings_verbose():
            import traceback

            click.echo(one_line_each(redact(traceback.format_exc())), err=True, nl=False)
        detail = shown(redact(f"{type(exc).__name__}: {exc}"))
        click.echo(
            f"internal error: {detail} (run with --verbose for details; please report this)",
            err=True,
        )
        return 1


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def one_line_each(message: str) -> str:
    """Keep the message's own line breaks; escape every other control character (a key
    holding a CR, a server message holding ESC) so none can fake or hide lines in a log."""
    return shown(message, keep_newlines=True)


def report_manifest_errors(exc: ManifestError) -> None:
    """Every located error on its own line (newlines inside one escaped), then a count:
    the text rendering of the error's diagnostics."""
    from reconciler.diagnostics import text

    diagnostics = exc.diagnostics
    for line in text.lines(diagnostics):
        click.echo(line, err=True)
    click.echo(text.error_count(diagnostics, getattr(exc, "files", None)), err=True)


def report_located(errors: list[str], files: list[str] | None = None) -> None:
    """`file:line: message` lines, then `N errors in M files.`, as `validate` reports them."""
    for line in errors:
        click.echo(one_line_each(line).replace("\n", "\\n"), err=True)
    if files is None:
        files = list(dict.fromkeys(match[1] for line in errors if (match := _LOCATED.match(line))))
    where = f" in {plural(len(files), 'file')}" if files else ""
    click.echo(f"{plural(len(errors), 'error')}{where}.", err=True)


# `path/file.yaml:12: message`: a problem found in a manifest.
_LOCATED = re.compile(r"([^\s:][^:\n]*):(\d+): ")


def located_lines(exc: ReconcilerError) -> list[str]:
    """The lines of a plan error when every one is located in a manifest (an unknown carrier,
    a pin no campaign has...): those are reported like `validate`'s. Else []."""
    if not isinstance(exc, PlanError):
        return []
    lines = str(exc).splitlines()
    return lines if lines and all(_LOCATED.match(line) for line in lines) else []


def report_warnings(warnings: list[str]) -> None:
    """Located warnings about valid manifests, on stderr, before anything else is said."""
    for line in warnings:
        click.echo(one_line_each(line).replace("\n", "\\n"), err=True)


def settings_verbose() -> bool:
    return _VERBOSE
