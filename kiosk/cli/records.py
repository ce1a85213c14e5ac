"""Commands for after the event: exports, the report, the tally slip, merging and purging.

Every count goes through :meth:`kiosk.store.Store.counts` with a :class:`~kiosk.store.Scope`
built here, so these numbers are the ones the kiosk's screens show. Days are the stall's.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from .. import locations
from ..private import open_private, private_dir
from ..store import GROUPS, Scope
from .base import (
    DATE, KioskError, as_date, cases_option, cli, db_option, open_store, printer_option,
    printer_setup, printers_option,
)
from .stall import printer


# -- shared options and helpers -------------------------------------------------------------

def _filters(func):
    for option in reversed([
        click.option("--event", default=None, help="Only this event."),
        click.option("--since", type=DATE, default=None, metavar="DATE", help="From this day on (YYYY-MM-DD, the stall's day)."),
        click.option("--until", type=DATE, default=None, metavar="DATE", help="Up to and including this day (YYYY-MM-DD)."),
        click.option("--kiosk", "kiosk_id", default=None, help="Only this kiosk."),
    ]):
        func = option(func)
    return func


def _known(what: str, option: str, value: str | None, known) -> None:
    """``known`` is asked only when a value was given: each is a scan of an index."""
    if value is not None and value not in (known := known()):
        listed = ", ".join(repr(k) for k in known[:10]) + (" ..." if len(known) > 10 else "")
        raise KioskError(f"{option}: no {what} {value!r} in this database (known: {listed or 'none yet'})")


def _scope(store, *, event=None, since=None, until=None, kiosk_id=None, case_id=None) -> Scope:
    """The selection the user asked for; an event, kiosk or case the database never saw is an error."""
    _known("event", "--event", event, store.events)
    _known("kiosk", "--kiosk", kiosk_id, store.kiosk_ids)
    _known("case", "--case", case_id, store.case_ids)
    since, until = as_date(since), as_date(until)
    if since and until and since > until:
        raise KioskError(f"--since {since} is after --until {until}")
    return Scope(event=event, kiosk_id=kiosk_id, case_id=case_id, since=since, until=until)


def _case_files(cases_path: Path | None) -> dict:
    """Case files, only to fill in what older databases lack; a missing folder is fine."""
    from ..cases import read_dir

    folder = cases_path or locations.cases_dir()
    return read_dir(folder).cases if Path(folder).is_dir() else {}


@contextmanager
def _output(path: Path | None, fmt: str):
    """Standard output, or a new file readable by its owner only. CSV files get a byte-order
    mark so that spreadsheet programs read them as UTF-8."""
    if path is None or str(path) == "-":
        yield sys.stdout
        return
    try:
        f = open_private(path, "w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="")
    except OSError as exc:
        raise KioskError(f"{path}: cannot write: {exc.strerror}") from None
    with f:
        yield f


def _write(rows: list[dict], columns: list[str], fmt: str, output: Path | None) -> None:
    with _output(output, fmt) as out:
        if fmt == "json":
            out.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
            return
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


format_option = click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
output_option = click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
                             help="Write to this file (readable by you only) instead of standard output.")


def _parse_by(value: str) -> list[str]:
    groups = [g.strip() for g in value.split(",") if g.strip()]
    for g in groups:
        if g not in GROUPS:
            raise click.BadParameter(f"{g!r} is not one of {', '.join(GROUPS)}", param_hint="--by")
    if not groups or len(set(groups)) != len(groups):
        raise click.BadParameter("name each of case, kind, event, kiosk, day, hour at most once", param_hint="--by")
    return groups


# -- exports ------------------------------------------------------------------------------


@cli.group()
def export():
    """Export counts, signatures and the lists of appeals to deliver."""


@export.command("counts")
@click.option("--by", "by", default="case", show_default=True, metavar="GROUPS",
              help=f"What to count by, comma-separated: {', '.join(GROUPS)} (e.g. case,day).")
@_filters
@format_option
@output_option
@db_option
def export_counts(by, event, since, until, kiosk_id, fmt, output, db_path):
    """Signature counts per case, kind, event, kiosk, day or hour, or any combination.

    Days and hours are the stall's clock. These are the numbers the kiosk's home and
    organiser screens, the tally slip and `kiosk report` show.
    """
    groups = _parse_by(by)
    with open_store(db_path, create=False) as store:
        rows = store.counts(groups, _scope(store, event=event, since=since, until=until, kiosk_id=kiosk_id))
    columns = [c for g in groups for c in GROUPS[g][1]] + ["count"]
    _write(rows, columns, fmt, output)


@export.command("signatures")
@_filters
@format_option
@output_option
@db_option
def export_signatures(event, since, until, kiosk_id, fmt, output, db_path):
    """Every signature, a row each, with its print status (names included until purged)."""
    from ..store import Store

    with open_store(db_path, create=False) as store:
        rows = list(store.export_rows(_scope(store, event=event, since=since, until=until, kiosk_id=kiosk_id)))
    _write(rows, list(Store.EXPORT_COLUMNS), fmt, output)


@export.command("letters")
@click.option("--case", "case_id", default=None, help="Only the appeals for this case (its id).")
@_filters
@click.option("--format", "fmt", type=click.Choice(["csv", "html"]), default="csv", show_default=True,
              help="csv for a spreadsheet; html for a printable document (a page per addressee).")
@output_option
@db_option
@cases_option
def export_letters(case_id, event, since, until, kiosk_id, fmt, output, db_path, cases_path):
    """The signed appeals to deliver, grouped by addressee, with the signers' names and messages."""
    from ..reports.letters import CSV_COLUMNS, LettersError, csv_rows, delivery_list, render_html

    with open_store(db_path, create=False) as store:
        scope = _scope(store, event=event, since=since, until=until, kiosk_id=kiosk_id, case_id=case_id)
        try:
            bundles = delivery_list(store, scope, _case_files(cases_path))
        except LettersError as exc:
            raise KioskError(str(exc)) from None
    if fmt == "csv":
        _write(csv_rows(bundles), list(CSV_COLUMNS), "csv", output)
    else:
        with _output(output, "html") as out:
            out.write(render_html(bundles, scope))
    if output is not None:
        count = sum(b.count for b in bundles)
        click.echo(f"{count} appeal(s) to {len(bundles)} addressee(s) -> {output}", err=True)


# -- report -------------------------------------------------------------------------------


@cli.command()
@_filters
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Also write report.md and letters-per-hour.png into this folder.")
@db_option
@cases_option
def report(event, since, until, kiosk_id, out_dir, db_path, cases_path):
    """Totals per case and kind, per day (and kiosk, event), and charts of letters per hour."""
    from rich.console import Console

    from ..reports import markdown, terminal
    from ..reports.summary import summarise

    with open_store(db_path, create=False) as store:
        scope = _scope(store, event=event, since=since, until=until, kiosk_id=kiosk_id)
        summary = summarise(store, scope, case_files=_case_files(cases_path))
    terminal.render(summary, Console(file=sys.stdout, highlight=False, soft_wrap=False))
    if out_dir is None:
        return
    from ..reports.chart import write_png

    try:
        private_dir(out_dir)
        chart = write_png(summary, out_dir / "letters-per-hour.png") if summary.total else None
        with open_private(out_dir / "report.md", encoding="utf-8") as f:
            f.write(markdown.render(summary, chart.name if chart else None))
    except OSError as exc:
        raise KioskError(f"{out_dir}: cannot write the report: {exc.strerror or exc}") from None
    click.echo(f"Wrote {out_dir / 'report.md'}" + (f" and {chart}" if chart else ""))


# -- tally slip -----------------------------------------------------------------------------


@printer.command("tally")
@click.option("--day", type=DATE, default=None, metavar="DATE", help="The stall's day (YYYY-MM-DD) [default: today].")
@click.option("--event", default=None, help="Only this event.")
@click.option("--kiosk", "kiosk_id", default=None, help="Only this kiosk.")
@printer_option
@printers_option
@db_option
@cases_option
def printer_tally(day, event, kiosk_id, printer_spec, printers_path, db_path, cases_path):
    """Print the end-of-day tally: a day's letters per case and per hour."""
    from ..printing.devices import PrintError
    from ..printing.queue import deliver
    from ..receipts.layouts import tally as tally_receipt
    from ..reports.summary import tally

    setup = printer_setup(printer_spec, printers_path)
    day = as_date(day) or dt.date.today()
    with open_store(db_path, create=False) as store:
        _scope(store, event=event, kiosk_id=kiosk_id)
        t = tally(store, day, event=event, kiosk_id=kiosk_id, case_files=_case_files(cases_path))
    try:
        where = deliver(tally_receipt(t, setup.paper.columns), setup)
    except PrintError as exc:
        raise KioskError(f"tally not printed: {exc}") from None
    click.echo(f"Tally for {day:%a %d %b %Y}: {t.total} letter(s), printed on {setup.name}"
               + (f" -> {where}" if where else ""))


# -- merge --------------------------------------------------------------------------------


@cli.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The database to merge into (created if it does not exist).")
def merge(sources, db_path):
    """Merge other kiosks' databases into one. Each signature counts once, however often merged.

    Sources are only read: each is copied, checked and (if older) migrated before anything
    is merged. If any source is refused, nothing is merged.
    """
    from ..merge import merge as merge_into

    with open_store(db_path, create=True) as target:
        before = target.total()
        results = merge_into(target, list(sources))
        for r in results:
            click.echo(f"{r.source}: {r.signatures} signature(s), {r.added} new, {r.signatures - r.added} already here")
        click.echo(f"{db_path}: {before} -> {target.total()} signature(s)")


# -- purge --------------------------------------------------------------------------------


@cli.command()
@click.option("--personal-data", is_flag=True, help="Remove visitors' names and messages (required).")
@click.option("--before", type=DATE, default=None, metavar="DATE", help="Only letters signed before this day (YYYY-MM-DD).")
@click.option("--event", default=None, help="Only this event.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@db_option
def purge(personal_data, before, event, yes, db_path):
    """Remove names and messages for good; every count stays as it was.

    The file is vacuumed and its journal emptied, so nothing removed can be read back from
    it. Letters not printed yet are cancelled (there is no name left to print).
    """
    if not personal_data:
        raise click.UsageError("say what to purge: --personal-data")
    before = as_date(before)
    with open_store(db_path, create=False) as store:
        _known("event", "--event", event, store.events)
        scope = Scope(event=event, until=before - dt.timedelta(days=1) if before else None)
        keep, unprinted, done = store.purge_preview(scope)
        what = ", ".join(p for p in (f"event {event!r}" if event else "", f"signed before {before}" if before else "")
                         if p) or "all signatures"
        click.echo(f"{store.path}: {keep} signature(s) with names and messages ({what}); {done} purged before.")
        if unprinted:
            click.echo(f"{unprinted} of them have not been printed yet; they will be cancelled and never print.")
        if not yes and not click.confirm("Remove these names and messages for good? Counts are kept"):
            click.echo("Nothing was changed.", err=True)
            sys.exit(1)
        total = store.total()
        result = store.purge_personal_data(scope)
        click.echo(f"Removed names and messages of {result.signatures} signature(s)"
                   + (f"; cancelled {result.cancelled_jobs} unprinted letter(s)" if result.cancelled_jobs else "")
                   + f". File vacuumed and journal emptied. Still {total} signature(s) counted.")
    preview = locations.preview_dir()
    if preview.is_dir() and any(preview.iterdir()):
        click.echo(f"Note: receipts saved by the preview printer are files, not in the database: {preview}")


__all__ = ["export", "merge", "purge", "report"]
