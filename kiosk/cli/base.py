"""What every ``kiosk`` command shares: the group, and its one place for errors.

Exit codes: 0 done; 1 bad input or an unusable file; 2 wrong usage (both one line on
stderr); 3 the signature is recorded but not printed (its job waits for ``kiosk jobs retry``).

A :class:`~kiosk.errors.KioskError` raised anywhere below a command becomes its one line
here, ``Error: <source>: <field>: <problem>``. An error about a value the command was given
(``field`` ``case``, no source) is reported as coming from that option (``--case``).
"""

from __future__ import annotations

import sys
import traceback
from typing import Any, NoReturn

import click

from .. import locations
from ..errors import KioskError

EXIT_NOT_PRINTED = 3


def _located(exc: KioskError, ctx: click.Context) -> KioskError:
    """``exc``, naming the option of the command its value came from, when it names no source."""
    if exc.source is not None or not exc.field:
        return exc
    flag = "--" + exc.field.replace("_", "-")
    current: click.Context | None = ctx
    while current is not None:
        if any(flag in param.opts for param in current.command.params):
            return exc.at(flag)
        current = current.parent
    return exc


class OneLineErrors:
    """Turns a KioskError raised while a command runs into its one-line message, exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)  # type: ignore[misc]
        except KioskError as exc:
            raise click.ClickException(str(_located(exc, ctx))) from None


class KioskCommand(OneLineErrors, click.Command):
    pass


class KioskGroup(OneLineErrors, click.Group):
    """A click group whose errors, usage errors included, are one line on stderr."""

    command_class = KioskCommand
    group_class = type  # subgroups are KioskGroups too

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        except click.ClickException as exc:
            message = " ".join(exc.format_message().split())
            if isinstance(exc, click.UsageError) and exc.ctx is not None:
                message = f"{message} (see: {exc.ctx.command_path} --help)"
            click.echo(f"Error: {message}", err=True)
            sys.exit(exc.exit_code)
        sys.exit(result if isinstance(result, int) else 0)


@click.group(cls=KioskGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="kiosk")
def cli() -> None:
    """The letter-writing kiosk: visitors sign appeals and postcards for people at risk."""


def main() -> NoReturn:
    try:
        cli.main(prog_name="kiosk", standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("kiosk: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the user gets one line; the details go to a log file
        log = locations.data_dir() / "errors.log"
        try:
            log.parent.mkdir(parents=True, exist_ok=True)
            with log.open("a", encoding="utf-8") as f:
                traceback.print_exc(file=f)
            where = f" (details in {log})"
        except OSError:
            where = ""
        click.echo(f"kiosk: unexpected error: {type(exc).__name__}: {exc}{where}", err=True)
        sys.exit(1)
    sys.exit(0)
