"""``kiosk paper``: the handwritten letters collected at the stall, recorded, listed and corrected.

``add`` and ``correct`` act for this kiosk, through its :class:`~kiosk.application.Station` (its
cases, event, kiosk id and database, from the same settings as ``kiosk sign``); ``list`` reads a
database only (:class:`~kiosk.application.Records`: every kiosk's entries, a merged file's too).
They count in every export, report, tally slip and delivery list (docs/paper.md).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import click

from .base import cli, echo, outcome
from .options import TEXT, settings_options
from .outputs import filters, records
from .stall import short, stall

if TYPE_CHECKING:
    from ..application import PaperEntry

DEFAULT_KIND = "appeal"  # most letters a stall collects by hand are appeals to the authorities


def _when(entry: PaperEntry) -> str:
    """The stall's clock when it was entered, to the minute."""
    return entry.local_time[:16].replace("T", " ")


def _letters(count: int, kind: str) -> str:
    return f"{count} handwritten {kind}{'' if count == 1 else 's'}"


@cli.group()
def paper() -> None:
    """Handwritten letters collected at the stall: add, list, correct. They count with the typed ones."""


@paper.command("add")
@click.option("--case", "case_id", type=TEXT, required=True, help="Case id (the case file's name without .toml).")
@click.option("--count", type=int, required=True, help="How many letters (1 to 100,000).")
@click.option("--kind", type=click.Choice(["appeal", "postcard"]), default=DEFAULT_KIND, show_default=True,
              help="Appeals (letters to the authorities) or postcards.")
@click.option("--note", type=TEXT, default="", help="A note for the organisers, one line (optional).")
@settings_options("event", "kiosk_id", "cases", "allow_sample_cases", "database")
@outcome
def paper_add(case_id: str, count: int, kind: str, note: str) -> None:
    """Record handwritten letters collected at the stall for a case (closed or switched-off cases too).

    They count on this kiosk, in this event, in the hour they are entered."""
    station = stall()
    try:
        entry = station.add_paper(case_id, kind, count, note)
    finally:
        station.close()
    echo(f"Recorded {_letters(entry.count, entry.kind)} for {entry.case_id} on {entry.kiosk_id} ({entry.event}):"
         f" entry {entry.short_id}")
    echo(f"To correct it: kiosk paper correct {entry.short_id} --count N")


@paper.command("list")
@click.option("--case", "case_id", type=TEXT, default=None, help="Only this case (its id).")
@filters
@settings_options("database")
def paper_list(case_id: str | None, event: str | None, since: dt.date | None, until: dt.date | None,
               kiosk_id: str | None) -> None:
    """Every entry of handwritten letters, newest first, with its total (corrections included) and its id.

    The database is only read. The id's first characters are what `kiosk paper correct` takes."""
    with records() as db:
        entries = db.paper_entries(db.scope(event=event, since=since, until=until, kiosk_id=kiosk_id,
                                            case_id=case_id))
    if not entries:
        echo("No handwritten letters recorded in this selection.")
        return
    for e in entries:
        note = f"  {short(e.note)}" if e.note else ""
        echo(f"{e.short_id}  {_when(e)}  {short(e.kiosk_id)}  {short(e.event)}  {short(e.case_id)}  {e.kind}"
             f"  {e.count}{'  (corrected)' if e.corrected else ''}{note}")
    total = sum(e.count for e in entries)
    echo(f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}, {total} handwritten letter(s)")


@paper.command("correct")
@click.argument("entry_id", metavar="ID", type=TEXT)
@click.option("--count", type=int, required=True,
              help="The entry's right total (0 to 100,000; 0: it was entered by mistake).")
@click.option("--note", type=TEXT, default=None, help="A new note (without it, the last one stays).")
@settings_options("kiosk_id", "database")
@outcome
def paper_correct(entry_id: str, count: int, note: str | None) -> None:
    """Correct an entry of this kiosk to its right total. ID: its id, or its first characters as
    `kiosk paper list` shows them.

    The entry is kept as it was, with a correction beside it: the counts of its day, hour,
    case and kiosk change by the difference."""
    station = stall()
    try:
        entry = station.correct_paper(entry_id, count, note)
    finally:
        station.close()
    echo(f"Corrected entry {entry.short_id} ({entry.case_id}, {_when(entry)}): it now counts"
         f" {_letters(entry.count, entry.kind)}")


__all__ = ["paper", "paper_add", "paper_correct", "paper_list"]
