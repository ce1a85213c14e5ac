"""What every ``kiosk`` command shares: the group, common options and one-line errors.

Exit codes: 0 done; 1 bad input or an unusable file; 2 wrong usage (both one line on
stderr); 3 the signature is recorded but not printed (its job waits for ``kiosk jobs retry``).
"""

from __future__ import annotations

import datetime as dt
import re
import socket
import sqlite3
import sys
import traceback
from contextlib import contextmanager
from pathlib import Path

import click

from .. import locations
from ..cases import CaseSet, load_cases

EXIT_NOT_PRINTED = 3


class KioskError(click.ClickException):
    """A one-line error for the user, exit 1."""


class KioskGroup(click.Group):
    """A click group whose errors, usage errors included, are one line on stderr."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
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


def default_kiosk_id() -> str:
    host = re.sub(r"[^A-Za-z0-9._-]", "-", socket.gethostname().split(".")[0])[:32].strip("-._")
    return host or "kiosk"


db_option = click.option(
    "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), envvar="KIOSK_DB",
    default=None, help="Database file [env KIOSK_DB; default: in the user data folder].",
)
cases_option = click.option(
    "--cases", "cases_path", type=click.Path(path_type=Path), envvar="KIOSK_CASES", default=None,
    help="Folder of case files [env KIOSK_CASES; default: ./cases or the samples].",
)
printer_option = click.option(
    "--printer", "printer_spec", envvar="KIOSK_PRINTER", default=None,
    help="Printer set-up name or quick spec (file:PATH, tcp://HOST:PORT, preview:DIR, ...)"
    " [env KIOSK_PRINTER; default: the preview printer].",
)
printers_option = click.option(
    "--printers", "printers_path", type=click.Path(path_type=Path), envvar="KIOSK_PRINTERS", default=None,
    help="Folder of printer set-ups [env KIOSK_PRINTERS; default: ./printers or the examples].",
)
campaign_option = click.option(
    "--campaign", envvar="KIOSK_CAMPAIGN", default="Letters for Freedom", show_default=True,
    help="Campaign name printed at the top [env KIOSK_CAMPAIGN].",
)
DATE = click.DateTime(formats=["%Y-%m-%d"])


def as_date(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value is not None else None


@contextmanager
def open_store(db_path: Path | None, *, create: bool):
    """The database, with every database problem turned into one line naming the file."""
    from ..store import Store, StoreError, explain

    path = db_path or locations.default_db()
    try:
        store = Store(path, create=create)
    except StoreError as exc:
        raise KioskError(str(exc)) from None
    try:
        yield store
    except StoreError as exc:
        raise KioskError(str(exc)) from None
    except sqlite3.Error as exc:
        raise KioskError(f"{path}: {explain(exc)}") from None
    finally:
        store.close()


def load_case_set(cases_path: Path | None) -> CaseSet:
    folder = cases_path or locations.cases_dir()
    result = load_cases(folder, warn=lambda line: click.echo(f"warning: {line}", err=True))
    if not result.cases:
        raise KioskError(f"{folder}: no usable case files")
    return result


def printer_setup(printer_spec: str | None, printers_path: Path | None):
    from ..printing.setups import SetupError, parse_spec, preview_setup

    if not printer_spec:
        return preview_setup(locations.preview_dir())
    try:
        return parse_spec(printer_spec, printers_path or locations.printers_dir())
    except SetupError as exc:
        raise KioskError(str(exc)) from None


@click.group(cls=KioskGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="kiosk")
def cli() -> None:
    """The letter-writing kiosk: visitors sign appeals and postcards for people at risk."""


def main() -> None:
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
