"""``kiosk setup``, the first-run assistant, and ``kiosk printer detect``, the printers it finds (docs/setup.md)."""

from __future__ import annotations

import json

import click

from .base import EXIT_FAILED, EXIT_OK, cli, echo, outcome, standard_output
from .groups import printer
from .options import TEXT, settings_file, settings_options


@printer.command("detect")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for a person; json, a list of objects (spec, kind, description, problem, fix,"
                   " commands), for scripts.")
def printer_detect(fmt: str) -> int:
    """List the printers attached to this laptop: USB printers (and USB devices of receipt-printer
    makers), /dev/usb/lp* devices, serial ports and CUPS queues.

    Each is given as the printer setting that uses it (usb:04b8:0e15, file:/dev/usb/lp0,
    serial:/dev/ttyUSB0, cups:QUEUE), with what it says it is, and, when this user cannot use
    it now, why (permission denied, busy) and the commands that fix it (a udev rule, a group
    to join). A network printer is not found this way: give it as tcp://HOST:9100.

    Exit 0 whatever is found (none too); 2 on a bad option.
    """
    from ..application import detect_printers, detected_record

    detection = detect_printers()
    if fmt == "json":
        with standard_output() as out:
            json.dump([detected_record(item) for item in detection.found], out, ensure_ascii=False, indent=2)
            out.write("\n")
        for note in detection.notes:
            echo(f"note: {note.text}", err=True)
        return EXIT_OK
    for note in detection.notes:
        echo(f"note: {note.text}")
    if not detection.found:
        echo("No printers found.")
        echo("  Is the printer plugged in and switched on? Then run this again.")
        echo("  A network printer is not found this way: use its address, --printer tcp://HOST:9100.")
        echo("  `kiosk setup` finds printers, prints a test receipt and writes the settings file.")
        return EXIT_OK
    for item in detection.found:
        echo(f"{item.spec}")
        echo(f"    {item.description}")
        if item.problem:
            echo(f"    problem: {item.problem}")
        if item.fix:
            for line in item.fix.splitlines():
                echo(f"    fix: {line}")
    return EXIT_OK


@cli.command("setup")
@settings_options()
@click.option("--lang", "lang", type=TEXT, default=None, metavar="CODE",
              help="The assistant's language and the stall's (written to the settings file)"
                   " [default: the settings' language].")
@outcome
def setup_command(lang: str | None) -> int:
    """Set up a stall, step by step: find the printer (or type a network printer's address),
    print a test receipt and adjust paper width and profile until it prints right, set the
    organiser PIN, the event, this laptop's kiosk id and the cases folder, and write the
    settings file (--config, else KIOSK_CONFIG, else kiosk.toml in the user config folder).

    Keys or touch; Esc goes back a step; Ctrl+Q quits, and quitting before the last step
    writes nothing. An existing settings file keeps its comments and other settings.

    \b
    Exit codes:
      0  the settings file was written
      1  nothing was written (quit before the end, or a settings file that cannot be used)
    """
    from ..application import open_assistant
    from ..ui.setup import run_setup

    path = settings_file()
    assistant = open_assistant(path, {"language": lang} if lang else None)  # a file that does not load: one line
    result = run_setup(assistant)
    if result.written is None:
        echo("Set-up stopped: nothing was written.", err=True)
        if result.fix:
            echo("The printer's problem shown last is fixed by:", err=True)
        for line in result.fix:
            echo(f"  {line}", err=True)
        return EXIT_FAILED
    written = result.written
    echo(f"{'Created' if written.created else 'Updated'} {written.path}: printer, PIN, event and kiosk id set.")
    for variable in written.overridden:
        echo(f"warning: {variable} is set here, and wins over the file's value", err=True)
    echo(f"Start the kiosk with: {written.command}")
    return EXIT_OK
