"""What every command shares: global options (before or after the command), the settings
they fill, and the guard that turns failures into a message and exit 1."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click

from reconciler.errors import ManifestError, ReconcilerError
from reconciler.redact import redact
from reconciler.safetext import shown

DEFAULT_API_URL = "http://127.0.0.1:8080"
_VERBOSE = False  # remembered outside click's context, for the last-resort handler


@dataclass
class Settings:
    """Global settings, filled by options given before or after the command name."""

    api_url: str | None = None
    verbose: bool = False
    no_color: bool = False

    def resolved_api_url(self) -> str:
        return (self.api_url or os.environ.get("RECONCILER_API_URL") or DEFAULT_API_URL).rstrip("/")

    def color(self, stream: Any = None) -> bool:
        """Colour only on a terminal, and never with --no-color or NO_COLOR set."""
        stream = stream or sys.stdout
        if self.no_color or os.environ.get("NO_COLOR"):
            return False
        return bool(getattr(stream, "isatty", lambda: False)())


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


def global_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Attach --api-url, --verbose and --no-color, accepted on the group and every command."""
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
        return exc.exit_code
    except ReconcilerError as exc:
        click.echo(f"error: {one_line_each(redact(str(exc)))}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return 1
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
    """Every located error on its own line (newlines inside one escaped), then a count."""
    for line in exc.errors:
        click.echo(one_line_each(line).replace("\n", "\\n"), err=True)
    files = getattr(exc, "files", None)
    where = f" in {plural(len(files), 'file')}" if files else ""
    click.echo(f"{plural(len(exc.errors), 'error')}{where}.", err=True)


def settings_verbose() -> bool:
    return _VERBOSE
