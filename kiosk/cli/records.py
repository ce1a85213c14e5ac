"""Commands for after the event: exports, the report, the tally slip and merging (purging and
the exports about people are :mod:`.people`'s).

Each opens the kiosk database as :class:`~kiosk.application.Records` (the settings'
``database``: ``--db``, ``KIOSK_DB``, the settings file, or the default), calls one method,
and writes what it returns. Days are the stall's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from ..application import KioskError
from ..private import PNG_MAGIC, private_dir, replace_private
from .base import cli, console, echo, outcome, warn
from .groups import export, printer
from .options import DATE, TEXT, settings, settings_options
from .outputs import (
    SUFFIXES,
    by_option,
    check_target,
    filters,
    format_option,
    output_option,
    output_to,
    records,
    report_starts,
    to_stdout,
    wide_option,
    write_rows,
    write_table,
)
from .progress import progress


def _parse_by(value: str) -> list[str]:
    """``--by``: a wrong grouping is wrong usage (exit 2), like any other bad option."""
    from ..application import check_groups

    try:
        return check_groups([g.strip() for g in value.split(",") if g.strip()])
    except KioskError as exc:
        raise click.BadParameter(exc.problem, param_hint="--by") from None


# -- exports ------------------------------------------------------------------------------


@export.command("counts")
@by_option
@wide_option
@filters
@format_option
@output_option
@settings_options("database")
def export_counts(by: str, wide: bool, event: str | None, since: dt.date | None, until: dt.date | None,
                  kiosk_id: str | None, fmt: str, output: Path | None) -> None:
    """Letter counts per case, kind, event, kiosk, day, hour or language, or any combination.

    Each row has: count, the letters written (typed at a kiosk and handwritten at the stall);
    paper, of them handwritten (in the hour they were entered); duplicates, typed letters that are
    likely duplicates (the same writer again for the same case); signers, typed letters less
    those. So count = signers + duplicates + paper. With --wide: one row per group, the letters
    written as appeals, postcards and total columns, and the total's paper, duplicates and signers.

    Days and hours are the stall's clock. These are the numbers the kiosk's home and
    organiser screens, the tally slip and `kiosk report` show. The language is the visitor's
    (empty for letters recorded before kiosks kept it, and for handwritten ones).
    """
    from ..application import group_columns, wide_columns, wide_groups, widen

    groups = _parse_by(by)
    columns = wide_columns(groups) if wide else group_columns(groups)
    check_target(output, fmt, columns)
    with records() as db:
        scope = db.scope(event=event, since=since, until=until, kiosk_id=kiosk_id)
        rows = widen(db.counts(wide_groups(groups), scope), groups) if wide else db.counts(groups, scope)
    write_rows(rows, columns, fmt, output)


@export.command("signatures")
@filters
@format_option
@output_option
@settings_options("database")
def export_signatures(event: str | None, since: dt.date | None, until: dt.date | None, kiosk_id: str | None,
                      fmt: str, output: Path | None) -> None:
    """Every signature, a row each, with its print status (names included until purged) and its
    languages: the visitor's and the one its receipt printed in.

    In CSV, text a spreadsheet would run as a formula (it starts with =, +, -, @, a tab
    or CR) gets a ' in front; JSON is written as it is stored."""
    from ..application import EXPORT_COLUMNS

    check_target(output, fmt, list(EXPORT_COLUMNS))
    with records() as db:
        scope = db.scope(event=event, since=since, until=until, kiosk_id=kiosk_id)
        with progress("Exporting signatures") as tick:
            write_table(db.signatures(scope, tick), list(EXPORT_COLUMNS), fmt, output, done=db.check_unchanged)


@export.command("letters")
@click.option("--case", "case_id", type=TEXT, default=None, help="Only the appeals for this case (its id).")
@filters
@click.option("--format", "fmt", type=click.Choice(["csv", "html"]), default="csv", show_default=True,
              help="csv for a spreadsheet; html for a printable document (a page per addressee).")
@output_option
@settings_options("database", "cases")
def export_letters(case_id: str | None, event: str | None, since: dt.date | None, until: dt.date | None,
                   kiosk_id: str | None, fmt: str, output: Path | None) -> None:
    """The signed appeals to deliver, grouped by addressee, with the signers' names and messages,
    and each case's handwritten appeals collected at the stall (+ N handwritten)."""
    from ..reports.letters import CSV_COLUMNS, csv_rows, render_html

    check_target(output, fmt, list(CSV_COLUMNS))
    with records() as db:
        scope = db.scope(event=event, since=since, until=until, kiosk_id=kiosk_id, case_id=case_id)
        bundles = db.delivery_list(scope)
    if fmt == "csv":
        write_rows(csv_rows(bundles), list(CSV_COLUMNS), "csv", output)
    else:
        with output_to(output, "html") as out:
            out.write(render_html(bundles, scope))
    if not to_stdout(output):
        count, handwritten = sum(b.count for b in bundles), sum(b.handwritten for b in bundles)
        echo(f"{count} appeal(s){f' + {handwritten} handwritten' if handwritten else ''} to {len(bundles)}"
             f" addressee(s) -> {output}", err=True)


# -- report -------------------------------------------------------------------------------


@cli.command()
@filters
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Also write report.md and letters-per-hour.png into this folder (replacing earlier ones).")
@settings_options("database", "cases", "language")
def report(event: str | None, since: dt.date | None, until: dt.date | None, kiosk_id: str | None,
           out_dir: Path | None) -> None:
    """Totals per case and kind, per day (and kiosk, event), charts of letters per hour, and how many
    letters were answered yes or no to hearing from us, and how many have no answer. Handwritten
    letters count with the typed ones and are said apart; likely duplicates and distinct signers too.

    In the stall's language (--lang), with its dates and numbers."""
    from ..i18n import language
    from ..reports import markdown, terminal

    md_path = chart_path = None
    if out_dir is not None and (out_dir.exists() or out_dir.is_symlink()) and not out_dir.is_dir():
        raise KioskError("not a folder: --out names the folder for report.md and the chart", source=str(out_dir))
    if out_dir is not None:
        md_path, chart_path = out_dir / "report.md", out_dir / "letters-per-hour.png"
        if out_dir.is_dir():
            check_target(md_path, "md")
            check_target(chart_path, "png")
    with records() as db:
        scope = db.scope(event=event, since=since, until=until, kiosk_id=kiosk_id)
        with progress("Counting letters") as tick:
            summary = db.summary(scope, tick)
    stall_settings = settings()
    lang = language(stall_settings.language)
    terminal.render(summary, console(), lang, bidi=stall_settings.bidi)
    if out_dir is None or md_path is None or chart_path is None:
        return
    from ..reports.chart import draw_png

    try:
        private_dir(out_dir)
    except OSError as exc:
        raise KioskError(f"cannot make the folder: {exc.strerror or exc}", source=str(out_dir)) from None
    chart = None
    if summary.total:
        with replace_private(chart_path, suffixes=SUFFIXES["png"], protect=[settings().database], magic=PNG_MAGIC,
                             binary=True) as png:
            draw_png(summary, png, lang)
        chart = chart_path
    with replace_private(md_path, suffixes=SUFFIXES["md"], protect=[settings().database], magic=report_starts(),
                         encoding="utf-8",
                         errors="replace") as f:
        f.write(markdown.render(summary, chart.name if chart else None, lang))
    echo(f"Wrote {md_path}" + (f" and {chart}" if chart else ""))


# -- tally slip -----------------------------------------------------------------------------


@printer.command("tally")
@click.option("--day", type=DATE, default=None, metavar="DATE", help="The stall's day (YYYY-MM-DD) [default: today].")
@click.option("--event", type=TEXT, default=None, help="Only this event.")
@click.option("--kiosk", "kiosk_id", type=TEXT, default=None, help="Only this kiosk.")
@settings_options("database", "cases", "printer", "printers", "preview", "language")
@outcome
def printer_tally(day: dt.date | None, event: str | None, kiosk_id: str | None) -> None:
    """Print the end-of-day tally: a day's letters per case and per hour (handwritten ones marked as on
    paper), in the stall's language (--lang)."""
    from ..application import PrintError, open_station

    station = open_station(settings(), warn=warn)
    try:
        t, where = station.print_tally(day, event=event, kiosk_id=kiosk_id)
    except PrintError as exc:
        raise KioskError(f"tally not printed: {exc}") from None
    finally:
        station.close()
    on_paper = f" ({t.summary.paper} of them handwritten)" if t.summary.paper else ""
    echo(f"Tally for {t.day:%a %d %b %Y}: {t.total} letter(s){on_paper}, printed on {station.setup.name}"
         + (f" -> {where}" if where else ""))


# -- merge --------------------------------------------------------------------------------


@cli.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--db", "db_path", type=click.Path(path_type=Path), required=True,
              help="The database to merge into (created if it does not exist).")
@outcome
def merge(sources: tuple[Path, ...], db_path: Path) -> None:
    """Merge other kiosks' databases into one. Each signature counts once, however often merged.

    Sources are only read, never written, and nothing is left beside them. Every row is
    checked as recording checks a letter; if any source or row is refused, nothing is merged.
    The same id with other content is a conflict: listed, and the copy already here is kept.
    """
    from ..application import open_records
    from .progress import progress

    with open_records(db_path, create=True) as db:
        before = db.total()
        with progress(f"Merging {len(sources)} file(s) into {db_path}") as tick:
            results = db.merge(list(sources), progress=tick)
        after = db.total()
    for r in results:
        echo(f"{r.source}: {r.signatures} signature(s), {r.added} new, {r.already} already here"
             + (f", {r.conflicting} conflicting (same id, other content: the copy already here was kept)"
                if r.conflicting else ""))
        _conflicts(r.conflicts, r.conflicting)
        if r.sharing:
            echo(f"  note: {r.sharing} new letter(s) share a reference with another letter (two kiosks with one"
                 f" kiosk_id?): {', '.join(r.shared_references[:5])}{' ...' if r.sharing > 5 else ''}")
        if r.consents or r.consents_conflicting:
            echo(f"  {r.consents} answer(s) to being contacted, {r.consents_added} new"
                 + (f", {r.consents_conflicting} conflicting (the copy here kept)" if r.consents_conflicting else ""))
            _conflicts(r.consent_conflicts, r.consents_conflicting, what="answer, ")
        if r.paper or r.paper_conflicting:
            echo(f"  {r.paper} handwritten letters' entr{'y' if r.paper == 1 else 'ies'} and corrections,"
                 f" {r.paper_added} new"
                 + (f", {r.paper_conflicting} conflicting (the copy here kept)" if r.paper_conflicting else ""))
            _conflicts(r.paper_conflicts, r.paper_conflicting, what="paper, ")
    echo(f"{db_path}: {before} -> {after} signature(s)")


def _conflicts(conflicts: Iterable[Any], counted: int, *, what: str = "") -> None:
    """A line for each conflict kept (the store's ``Conflict``: the first 100), and how many more there were."""
    listed = 0
    for c in conflicts:
        listed += 1
        echo(f"  conflict: {what}Ref. {c.reference}, id {c.id}: {', '.join(c.columns)} differ")
    if counted > listed:
        echo(f"  ... and {counted - listed} more conflict(s)")


__all__ = ["export_counts", "export_letters", "export_signatures", "merge", "report"]
