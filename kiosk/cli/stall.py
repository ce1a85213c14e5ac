"""Commands for the stall: sign, run the app, print jobs, printers and cases.

Each opens the stall's :class:`~kiosk.application.Station` from the same settings as
``kiosk run`` (``--config``, the flags, ``KIOSK_*``), calls it, and prints what it says.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..application import KioskError, PrintError, Settings, Station, open_station
from .base import EXIT_NOT_PRINTED, cli
from .options import settings, settings_file, settings_options


def warn(line: str) -> None:
    click.echo(f"warning: {line}", err=True)


def stall() -> Station:
    """The station of the command being run, from its settings."""
    return open_station(settings(), warn=warn)


# -- signing ------------------------------------------------------------------------------


@cli.command()
@click.option("--case", "case_id", required=True, help="Case id (the case file's name without .toml).")
@click.option("--name", required=True, help="The visitor's name, as printed.")
@click.option("--message", default="", help="The visitor's own words (optional).")
@click.option("--kind", type=click.Choice(["appeal", "postcard"]), required=True, help="Signed appeal or QR postcard.")
@settings_options("event", "kiosk_id", "campaign", "cases", "allow_sample_cases", "printer", "printers", "preview",
                  "database")
def sign(case_id: str, name: str, message: str, kind: str) -> None:
    """Record a signature, then print it.

    Exit 0 when recorded and printed; 3 when recorded but not printed (the print job waits
    for `kiosk jobs retry`); 1 on bad input, with nothing recorded.
    """
    station = stall()
    try:
        letter = station.letter(case_id, kind, name, message)  # every check first: nothing recorded on bad input
        station.prepare()  # a new stall's database is made here
        sig = station.record(letter.case_id, letter.kind, letter.name, letter.message)
        click.echo(f"Recorded {kind} for {case_id}: Ref. {sig.reference}  id {sig.id}")
        outcome = station.print_signature(sig)
    finally:
        station.close()
    if outcome.printed:
        where = f" -> {outcome.preview}" if outcome.preview else ""
        click.echo(f"Printed on {station.setup.name}{where}")
        sys.exit(0)
    click.echo(f"Not printed: {outcome.error}", err=True)
    if outcome.maybe_printed:
        click.echo("The signature is saved. Part of the letter may be on paper: look, then reprint it with: "
                   "kiosk jobs retry --interrupted", err=True)
    else:
        click.echo("The signature is saved; its print job waits. Print it with: kiosk jobs retry", err=True)
    sys.exit(EXIT_NOT_PRINTED)


# -- the app ------------------------------------------------------------------------------


def _run_app(stall_settings: Settings) -> None:
    """Start the kiosk app; every reason it cannot start is one line."""
    from ..ui import build_app

    app = build_app(stall_settings, warn=warn)
    try:
        app.run()
    finally:
        app.station.close()


@cli.command()
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Demo database [default: demo.db in the user data folder].")
@click.option("--preview", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the printed receipts [default: preview/ in the user data folder].")
@click.option("--cases", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Try it with these case files [default: the sample cases].")
def demo(db: Path | None, preview: Path | None, cases: Path | None) -> None:
    """Try the kiosk with the sample cases; receipts go to a preview folder. Organiser PIN: 2468.

    The stall's settings (its file, and the KIOSK_* variables of the settings) are not read:
    a demo never writes to a stall's database."""
    from ..settings import demo_settings

    _run_app(demo_settings({"database": db, "preview": preview, "cases": cases}))


@cli.command()
@settings_options("event", "kiosk_id", "campaign", "cases", "allow_sample_cases", "printer", "printers", "preview",
                  "database")
def run() -> None:
    """Run the kiosk at a stall, with the settings file's cases, printer and PIN.

    A flag or KIOSK_* variable overrides the file's setting for this run."""
    _run_app(settings(require_file=True))


@cli.command("set-pin")
@settings_options()
def set_pin_command() -> None:
    """Set the organiser PIN (4-12 digits). Only a salted scrypt hash is stored.

    Creates the settings file, with comments for every setting, if it does not exist.
    """
    from ..application import set_pin, validate_pin

    path = settings_file()

    def checked(value: str) -> str:
        try:
            return validate_pin(value)
        except KioskError as exc:
            raise click.BadParameter(exc.problem) from None

    pin = click.prompt("New organiser PIN", hide_input=True, confirmation_prompt="Repeat the PIN",
                       value_proc=checked)
    created = set_pin(path, pin)
    click.echo(f"{'Created' if created else 'Updated'} {path}: PIN set (stored as a salted hash).")
    if created:
        click.echo(f"Edit the event, kiosk id and printer in it, then start with: kiosk run --config {path}")


# -- print jobs ---------------------------------------------------------------------------


@cli.group(invoke_without_command=True)
@settings_options("database")
@click.pass_context
def jobs(ctx: click.Context) -> None:
    """List print jobs that are waiting, failed or interrupted."""
    if ctx.invoked_subcommand is not None:
        return
    station = stall()
    try:
        waiting = station.waiting()
    finally:
        station.close()
    if not waiting:
        click.echo("No print jobs waiting.")
        return
    click.echo(f"{'job':>5}  {'status':<12} {'tries':>5}  {'reference':<32} {'case':<28} last error")
    for item in waiting:
        job, sig = item.job, item.signature
        click.echo(f"{job.id:>5}  {item.state:<12} {job.attempts:>5}  {sig.reference:<32} {sig.case_id:<28}"
                   f" {job.last_error or ''}")
    if any(item.interrupted for item in waiting):
        click.echo("\nInterrupted jobs may or may not be on paper: check, then `kiosk jobs retry --interrupted`.")


@jobs.command("retry")
@settings_options("database", "cases", "allow_sample_cases", "printer", "printers", "preview", "campaign")
@click.option("--interrupted", is_flag=True, help="Also reprint jobs interrupted mid-print (they may be on paper).")
def jobs_retry(interrupted: bool) -> None:
    """Print the waiting and failed jobs. Exit 3 if any still fails."""
    station = stall()
    done = failed = 0
    try:
        for item, outcome in station.retry_each(interrupted=interrupted):
            if outcome.printed:
                done += 1
                click.echo(f"printed  job {item.job.id}  Ref. {item.signature.reference}")
            else:
                failed += 1
                click.echo(f"failed   job {item.job.id}  Ref. {item.signature.reference}: {outcome.error}", err=True)
        left_alone = 0 if interrupted else sum(item.interrupted for item in station.waiting())
    finally:
        station.close()
    if done + failed:
        click.echo(f"{done} printed, {failed} still waiting")
    elif not left_alone:
        click.echo("No print jobs waiting.")
    if left_alone:
        click.echo(f"Left alone: {left_alone} interrupted job{'' if left_alone == 1 else 's'}, maybe on paper. "
                   "Look, then `kiosk jobs retry --interrupted`.")
    sys.exit(EXIT_NOT_PRINTED if failed else 0)


# -- printer ------------------------------------------------------------------------------


@cli.group()
def printer() -> None:
    """Check printers and their set-ups."""


@printer.command("test")
@settings_options("printer", "printers", "preview")
def printer_test() -> None:
    """Print a test receipt: a width ruler, a code-page sample and a QR code."""
    station = stall()
    click.echo(f"Printer: {station.setup.describe()}")
    try:
        where = station.test_print()
    except PrintError as exc:
        raise KioskError(f"test print failed: {exc}") from None
    click.echo(f"Test receipt printed{f' -> {where}' if where else ''}")


@printer.command("profiles")
def printer_profiles() -> None:
    """List the python-escpos capability profiles a set-up can name."""
    from ..application import printer_profiles as profiles

    for name, width, extras in profiles():
        click.echo(f"{name:<16} {width:>7} dots  {extras}")


@printer.command("list")
@settings_options("printers")
def printer_list() -> None:
    """List the printer set-ups in the printers folder."""
    from ..application import printer_setups

    bad = 0
    for name, described, error in printer_setups(settings().printers):
        if error is None:
            click.echo(f"{name:<20} {described}")
        else:
            bad += 1
            click.echo(f"error: {error}", err=True)
    sys.exit(1 if bad else 0)


# -- cases --------------------------------------------------------------------------------


@cli.group()
def cases() -> None:
    """Check and list case files."""


@cases.command("check")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@settings_options("cases")
def cases_check(directory: Path | None) -> None:
    """Validate every case file in DIRECTORY (default: the settings' cases folder). Exit 1 on any error."""
    from ..application import check_cases

    folder = directory or settings().cases
    result = check_cases(folder)
    for error in result.errors:
        click.echo(f"error: {error}", err=True)
    closed = [c for c in result.cases.values() if not c.is_open()]
    click.echo(
        f"{folder}: {len(result.cases)} valid case(s), {len(result.errors)} error(s)"
        + (f", {len(closed)} past deadline (not offered): {', '.join(c.id for c in closed)}" if closed else "")
    )
    sys.exit(1 if result.errors else 0)


@cases.command("list")
@settings_options("cases", "allow_sample_cases", "database")
def cases_list() -> None:
    """List the cases offered to visitors."""
    station = stall()
    try:
        offered = station.offered()
    finally:
        station.close()
    for case in offered:
        deadline = f"until {case.deadline}" if case.deadline else ""
        click.echo(f"{case.id:<28} {case.person:<24} {deadline}")
