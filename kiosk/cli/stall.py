"""Commands for the stall: sign, run the app, print jobs, printers and cases."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import locations
from ..cases import CaseSet, read_dir
from ..text import TextError, validate_event, validate_kiosk_id, validate_message, validate_name
from .base import (
    EXIT_NOT_PRINTED, KioskError, campaign_option, cases_option, cli, db_option, default_kiosk_id, load_case_set,
    open_store, printer_option, printer_setup, printers_option,
)


# -- signing ------------------------------------------------------------------------------


def _sign_and_print(store, cases: CaseSet, setup, *, case_id, kind, name, message, event, kiosk_id, campaign):
    from ..printing.queue import print_signature

    sig = store.record(case=cases.cases[case_id], kind=kind, name=name, message=message, event=event, kiosk_id=kiosk_id)
    click.echo(f"Recorded {kind} for {case_id}: Ref. {sig.reference}  id {sig.id}")
    outcome = print_signature(store, sig, cases.cases[case_id], setup, campaign)
    if outcome.printed:
        where = f" -> {outcome.preview}" if outcome.preview else ""
        click.echo(f"Printed on {setup.name}{where}")
        return 0
    click.echo(f"Not printed: {outcome.error}", err=True)
    if outcome.maybe_printed:
        click.echo("The signature is saved. Part of the letter may be on paper: look, then reprint it with: "
                   "kiosk jobs retry --interrupted", err=True)
    else:
        click.echo("The signature is saved; its print job waits. Print it with: kiosk jobs retry", err=True)
    return EXIT_NOT_PRINTED


@cli.command()
@click.option("--case", "case_id", required=True, help="Case id (the case file's name without .toml).")
@click.option("--name", required=True, help="The visitor's name, as printed.")
@click.option("--message", default="", help="The visitor's own words (optional).")
@click.option("--kind", type=click.Choice(["appeal", "postcard"]), required=True, help="Signed appeal or QR postcard.")
@click.option("--event", envvar="KIOSK_EVENT", default="Kiosk", show_default=True, help="Event name [env KIOSK_EVENT].")
@click.option("--kiosk-id", envvar="KIOSK_ID", default=default_kiosk_id, help="This kiosk's id [env KIOSK_ID; default: host name].")
@printer_option
@printers_option
@db_option
@cases_option
@campaign_option
def sign(case_id, name, message, kind, event, kiosk_id, printer_spec, printers_path, db_path, cases_path, campaign):
    """Record a signature, then print it.

    Exit 0 when recorded and printed; 3 when recorded but not printed (the print job waits
    for `kiosk jobs retry`); 1 on bad input, with nothing recorded.
    """
    try:
        name = validate_name(name)
        message = validate_message(message)
        event = validate_event(event)
        kiosk_id = validate_kiosk_id(kiosk_id.strip())
    except TextError as exc:
        raise KioskError(str(exc)) from None
    cases = load_case_set(cases_path)
    case = cases.cases.get(case_id)
    if case is None:
        raise KioskError(f"--case: unknown case {case_id!r} (known: {', '.join(sorted(cases.cases))})")
    if not case.is_open():
        raise KioskError(f"--case: case {case_id!r} closed on {case.deadline}")
    setup = printer_setup(printer_spec, printers_path)
    with open_store(db_path, create=True) as store:
        code = _sign_and_print(store, cases, setup, case_id=case_id, kind=kind, name=name, message=message,
                               event=event, kiosk_id=kiosk_id, campaign=campaign)
    sys.exit(code)


def _run_app(config) -> None:
    """Start the kiosk app for ``config``; every reason it cannot start is one line."""
    from ..station import Station, StationError
    from ..ui.themes import theme_names

    if config.theme not in theme_names():
        where = f"{config.path}: " if config.path else ""
        raise KioskError(f"{where}theme: unknown theme {config.theme!r} (known: {', '.join(theme_names())})")
    try:
        station = Station(config, warn=lambda line: click.echo(f"warning: {line}", err=True))
    except StationError as exc:
        raise KioskError(str(exc)) from None
    from ..ui.app import KioskApp

    try:
        KioskApp(station).run()
    finally:
        station.close()


@cli.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Demo database [default: demo.db in the user data folder].")
@click.option("--preview", "preview_path", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the printed receipts [default: preview/ in the user data folder].")
@click.option("--cases", "cases_path", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Try it with these case files [default: the sample cases].")
def demo(db_path, preview_path, cases_path):
    """Try the kiosk with the sample cases; receipts go to a preview folder. Organiser PIN: 2468."""
    from ..config import demo_config

    _run_app(demo_config(database=db_path, preview=preview_path, cases=cases_path))


@cli.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), envvar="KIOSK_CONFIG",
              default=None, help="Settings file [env KIOSK_CONFIG; default: kiosk.toml in the user config folder].")
def run(config_path):
    """Run the kiosk at a stall, with the settings file's cases, printer and PIN."""
    from ..config import ConfigError, load_config

    path = config_path or locations.config_file()
    try:
        config = load_config(path)
    except ConfigError as exc:
        raise KioskError(str(exc)) from None
    if not config.pin_hash:
        raise KioskError(f"{path}: no organiser PIN set; set one first with: kiosk set-pin --config {path}")
    _run_app(config)


@cli.command("set-pin")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), envvar="KIOSK_CONFIG",
              default=None, help="Settings file [env KIOSK_CONFIG; default: kiosk.toml in the user config folder].")
def set_pin_command(config_path):
    """Set the organiser PIN (4-12 digits). Only a salted scrypt hash is stored.

    Creates the settings file, with comments for every setting, if it does not exist.
    """
    from ..config import ConfigError, set_pin
    from ..pin import PinError, validate_pin

    path = config_path or locations.config_file()

    def checked(value: str) -> str:
        try:
            return validate_pin(value)
        except PinError as exc:
            raise click.BadParameter(str(exc).removeprefix("PIN: ")) from None

    pin = click.prompt("New organiser PIN", hide_input=True, confirmation_prompt="Repeat the PIN",
                       value_proc=checked)
    try:
        created = set_pin(path, pin)
    except ConfigError as exc:
        raise KioskError(str(exc)) from None
    click.echo(f"{'Created' if created else 'Updated'} {path}: PIN set (stored as a salted hash).")
    if created:
        click.echo(f"Edit the event, kiosk id and printer in it, then start with: kiosk run --config {path}")


# -- print jobs ---------------------------------------------------------------------------


@cli.group(invoke_without_command=True)
@db_option
@click.pass_context
def jobs(ctx, db_path):
    """List print jobs that are waiting, failed or interrupted."""
    if ctx.invoked_subcommand is not None:
        return
    with open_store(db_path, create=False) as store:
        waiting = store.jobs()
        if not waiting:
            click.echo("No print jobs waiting.")
            return
        click.echo(f"{'job':>5}  {'status':<12} {'tries':>5}  {'reference':<32} {'case':<28} last error")
        for job in waiting:
            sig = store.signature(job.signature_id)
            status = "interrupted" if job.status == "printing" else job.status
            click.echo(
                f"{job.id:>5}  {status:<12} {job.attempts:>5}  {sig.reference:<32} {sig.case_id:<28} {job.last_error or ''}"
            )
        if any(j.status == "printing" for j in waiting):
            click.echo("\nInterrupted jobs may or may not be on paper: check, then `kiosk jobs retry --interrupted`.")


@jobs.command("retry")
@printer_option
@printers_option
@db_option
@cases_option
@campaign_option
@click.option("--interrupted", is_flag=True, help="Also reprint jobs interrupted mid-print (they may be on paper).")
def jobs_retry(printer_spec, printers_path, db_path, cases_path, campaign, interrupted):
    """Print the waiting and failed jobs. Exit 3 if any still fails."""
    from ..printing.queue import retry_jobs
    from ..reports.summary import plural

    setup = printer_setup(printer_spec, printers_path)
    cases = load_case_set(cases_path)
    with open_store(db_path, create=False) as store:
        done = failed = 0
        for sig, outcome in retry_jobs(store, cases.cases, setup, campaign, interrupted=interrupted):
            job = store.job_for(sig.id)
            if outcome.printed:
                done += 1
                click.echo(f"printed  job {job.id}  Ref. {sig.reference}")
            else:
                failed += 1
                click.echo(f"failed   job {job.id}  Ref. {sig.reference}: {outcome.error}", err=True)
        left_alone = 0 if interrupted else len(store.jobs(("printing",)))
        if done + failed:
            click.echo(f"{done} printed, {failed} still waiting")
        elif not left_alone:
            click.echo("No print jobs waiting.")
        if left_alone:
            click.echo(f"Left alone: {plural(left_alone, 'interrupted job')}, maybe on paper. "
                       "Look, then `kiosk jobs retry --interrupted`.")
    sys.exit(EXIT_NOT_PRINTED if failed else 0)


# -- printer ------------------------------------------------------------------------------


@cli.group()
def printer():
    """Check printers and their set-ups."""


@printer.command("test")
@printer_option
@printers_option
def printer_test(printer_spec, printers_path):
    """Print a test receipt: a width ruler, a code-page sample and a QR code."""
    from ..printing.devices import PrintError
    from ..printing.queue import deliver
    from ..receipts.layouts import printer_test as test_receipt

    setup = printer_setup(printer_spec, printers_path)
    click.echo(f"Printer: {setup.describe()}")
    try:
        where = deliver(test_receipt(setup.describe(), setup.paper.columns), setup)
    except PrintError as exc:
        raise KioskError(f"test print failed: {exc}") from None
    click.echo(f"Test receipt printed{f' -> {where}' if where else ''}")


@printer.command("profiles")
def printer_profiles():
    """List the python-escpos capability profiles a set-up can name."""
    from ..printing.escpos_lib import profile_data, profile_names

    for name in profile_names():
        data = profile_data(name)
        width = data.get("media", {}).get("width", {}).get("pixels", "?")
        features = data.get("features", {})
        extras = ", ".join(f for f, key in (("native QR", "qrCode"), ("cutter", "paperFullCut")) if features.get(key))
        click.echo(f"{name:<16} {str(width):>7} dots  {extras}")


@printer.command("list")
@printers_option
def printer_list(printers_path):
    """List the printer set-ups in the printers folder."""
    from ..printing.setups import SetupError, load_setup

    folder = printers_path or locations.printers_dir()
    bad = 0
    for path in sorted(Path(folder).glob("*.toml")):
        try:
            click.echo(f"{path.stem:<20} {load_setup(path).describe()}")
        except SetupError as exc:
            bad += 1
            click.echo(f"error: {exc}", err=True)
    sys.exit(1 if bad else 0)


# -- cases --------------------------------------------------------------------------------


@cli.group()
def cases():
    """Check and list case files."""


@cases.command("check")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
def cases_check(directory):
    """Validate every case file in DIRECTORY (default: ./cases or the samples). Exit 1 on any error."""
    folder = directory or locations.cases_dir()
    result = read_dir(folder)
    for error in result.errors:
        click.echo(f"error: {error}", err=True)
    closed = [c for c in result.cases.values() if not c.is_open()]
    click.echo(
        f"{folder}: {len(result.cases)} valid case(s), {len(result.errors)} error(s)"
        + (f", {len(closed)} past deadline (not offered): {', '.join(c.id for c in closed)}" if closed else "")
    )
    sys.exit(1 if result.errors else 0)


@cases.command("list")
@cases_option
def cases_list(cases_path):
    """List the cases offered to visitors."""
    result = load_case_set(cases_path)
    for case in result.offered():
        deadline = f"until {case.deadline}" if case.deadline else ""
        click.echo(f"{case.id:<28} {case.person:<24} {deadline}")
