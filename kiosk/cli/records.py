"""Commands for after the event: exports, the report, the tally slip, merging and purging.

Each opens the kiosk database as :class:`~kiosk.application.Records` (the settings'
``database``: ``--db``, ``KIOSK_DB``, the settings file, or the default), calls one method,
and writes what it returns. Days are the stall's.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, Any, TypeVar

import click

from .. import locations
from ..application import (
    CONTACT_COLUMNS,
    EXPORT_COLUMNS,
    GROUPS,
    PERSON_COLUMNS,
    InputError,
    KioskError,
    Records,
    check_groups,
    group_columns,
    open_records,
    open_station,
)
from ..private import PNG_MAGIC, check_output, private_dir, replace_private
from ..text import for_spreadsheet, readable
from .base import EXIT_FAILED, EXIT_OK, cli, console, echo, outcome, standard_output, warn
from .options import DATE, TEXT, settings, settings_options
from .stall import printer

F = TypeVar("F", bound=Callable[..., Any])
# What an output file's name must end in, for each format it is written in.
SUFFIXES = {"csv": (".csv",), "json": (".json",), "html": (".html", ".htm"), "md": (".md",), "png": (".png",)}


def _filters(func: F) -> F:
    for option in reversed([
        click.option("--event", type=TEXT, default=None, help="Only this event."),
        click.option("--since", type=DATE, default=None, metavar="DATE",
                     help="From this day on (YYYY-MM-DD, the stall's day)."),
        click.option("--until", type=DATE, default=None, metavar="DATE",
                     help="Up to and including this day (YYYY-MM-DD)."),
        click.option("--kiosk", "kiosk_id", type=TEXT, default=None, help="Only this kiosk."),
    ]):
        func = option(func)
    return func


@contextmanager
def records(*, create: bool = False) -> Iterator[Records]:
    """The database of the command being run, with its case files for what older databases lack.
    When it is the default one and missing while the demo's is there (after ``kiosk demo``),
    the one line that says so names the demo's too."""
    stall = settings()
    with ExitStack() as stack:
        try:
            opened = stack.enter_context(open_records(stall.database, create=create, cases_dir=stall.cases))
        except KioskError as exc:
            demo = locations.demo_db()
            if stall.origin("database") is not None or stall.database.exists() or not demo.is_file():
                raise
            hinted = copy.copy(exc)
            hinted.problem = f"{exc.problem} (the demo's letters are in {demo}: add --db {demo})"
            raise hinted from None
        yield opened


# What an earlier output of the same kind starts with: an existing file is replaced only if
# it starts so (or is empty). A hand-written budget.csv, another export's CSV (other columns),
# any other HTML or Markdown file is never replaced.
HTML_START = b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n<title>Appeals to deliver</title>'
REPORT_START = b"# Letters report\n"


def same_kind(fmt: str, columns: list[str] | None = None) -> tuple[bytes, ...]:
    """The starts an earlier output of this kind has (its CSV header, its JSON's first key...)."""
    if fmt == "csv":
        header = io.StringIO()
        csv.writer(header, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC).writerow(columns or [])
        line = header.getvalue().encode("utf-8")
        return (b"\xef\xbb\xbf" + line, line)
    if fmt == "json":
        first = json.dumps((columns or [""])[0], ensure_ascii=False)
        return (f'[\n  {{\n    {first}: '.encode(), b"[]")
    if fmt == "html":
        return (HTML_START,)
    if fmt == "md":
        return (REPORT_START,)
    return (PNG_MAGIC,)


def _to_stdout(path: Path | None) -> bool:
    return path is None or str(path) == "-"


def check_target(path: Path | None, fmt: str, columns: list[str] | None = None) -> None:
    """Refuse, before any work, an output file that would destroy something (see :func:`_output`)."""
    if not _to_stdout(path):
        assert path is not None
        check_output(path, suffixes=_suffixes(path, fmt), protect=[settings().database],
                     magic=same_kind(fmt, columns))


def _suffixes(path: Path, fmt: str) -> tuple[str, ...]:
    suffixes = SUFFIXES[fmt]
    given = path.suffix.lower().lstrip(".")
    if given != fmt and given in ("csv", "json", "html"):
        raise KioskError(f"the file name says {given}, the format is {fmt}: add --format {given},"
                         f" or name a .{fmt} file", source=str(path))
    return suffixes


@contextmanager
def _output(path: Path | None, fmt: str, columns: list[str] | None = None) -> Iterator[IO[str]]:
    """Standard output (made safe when it is a terminal), or the file ``path``, readable by
    its owner only and written whole or not at all: it must be named for its format
    (``.csv``...), and an existing file is replaced only if it is an earlier export of the same
    kind (:func:`same_kind`: the same CSV header, JSON columns, delivery list, report), never
    the database, a SQLite file, a link, a folder or a device (:func:`kiosk.private.replace_private`).
    CSV files get a byte-order mark so that spreadsheet programs read them as UTF-8."""
    if _to_stdout(path):
        with standard_output() as out:
            yield out  # type: ignore[misc]
        return
    assert path is not None
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    with replace_private(path, suffixes=_suffixes(path, fmt), protect=[settings().database], encoding=encoding,
                         magic=same_kind(fmt, columns), newline="", errors="replace") as f:
        yield f


def _write(rows: Iterable[dict[str, Any]], columns: list[str], fmt: str, output: Path | None) -> None:
    """The one writer of the exports' rows. CSV cells pass through
    :func:`~kiosk.text.for_spreadsheet`: text a spreadsheet would run as a formula is made inert."""
    with _output(output, fmt, columns) as out:
        if fmt == "json":
            plain = [{k: readable(row.get(k)) for k in columns} for row in rows]  # in the columns' order
            out.write(json.dumps(plain, ensure_ascii=False, indent=2, default=str) + "\n")
            return
        # Every text cell quoted (OWASP): a spreadsheet that splits on ";" or tabs still sees one cell.
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
        writer.writeheader()
        writer.writerows({k: for_spreadsheet(v) for k, v in row.items()} for row in rows)


format_option = click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
output_option = click.option(
    "--output", "-o", type=click.Path(path_type=Path), default=None,
    help="Write to this file (readable by you only) instead of standard output. Its name must end in the format"
         " (.csv, .json, .html); an existing file is replaced only if it is an earlier export.")


def _parse_by(value: str) -> list[str]:
    """``--by``: a wrong grouping is wrong usage (exit 2), like any other bad option."""
    try:
        return check_groups([g.strip() for g in value.split(",") if g.strip()])
    except KioskError as exc:
        raise click.BadParameter(exc.problem, param_hint="--by") from None


# -- exports ------------------------------------------------------------------------------


@cli.group()
def export() -> None:
    """Export counts, signatures, the lists of appeals to deliver and the contacts who said yes."""


@export.command("counts")
@click.option("--by", "by", type=TEXT, default="case", show_default=True, metavar="GROUPS",
              help=f"What to count by, comma-separated: {', '.join(GROUPS)} (e.g. case,day).")
@_filters
@format_option
@output_option
@settings_options("database")
def export_counts(by: str, event: str | None, since: dt.date | None, until: dt.date | None,
                  kiosk_id: str | None, fmt: str, output: Path | None) -> None:
    """Signature counts per case, kind, event, kiosk, day or hour, or any combination.

    Days and hours are the stall's clock. These are the numbers the kiosk's home and
    organiser screens, the tally slip and `kiosk report` show.
    """
    groups = _parse_by(by)
    check_target(output, fmt, group_columns(groups))
    with records() as db:
        rows = db.counts(groups, db.scope(event=event, since=since, until=until, kiosk_id=kiosk_id))
    _write(rows, group_columns(groups), fmt, output)


@export.command("signatures")
@_filters
@format_option
@output_option
@settings_options("database")
def export_signatures(event: str | None, since: dt.date | None, until: dt.date | None, kiosk_id: str | None,
                      fmt: str, output: Path | None) -> None:
    """Every signature, a row each, with its print status (names included until purged).

    In CSV, text a spreadsheet would run as a formula (it starts with =, +, -, @, a tab
    or CR) gets a ' in front; JSON is written as it is stored."""
    check_target(output, fmt, list(EXPORT_COLUMNS))
    with records() as db:
        rows = list(db.signatures(db.scope(event=event, since=since, until=until, kiosk_id=kiosk_id)))
    _write(rows, list(EXPORT_COLUMNS), fmt, output)


@export.command("letters")
@click.option("--case", "case_id", type=TEXT, default=None, help="Only the appeals for this case (its id).")
@_filters
@click.option("--format", "fmt", type=click.Choice(["csv", "html"]), default="csv", show_default=True,
              help="csv for a spreadsheet; html for a printable document (a page per addressee).")
@output_option
@settings_options("database", "cases")
def export_letters(case_id: str | None, event: str | None, since: dt.date | None, until: dt.date | None,
                   kiosk_id: str | None, fmt: str, output: Path | None) -> None:
    """The signed appeals to deliver, grouped by addressee, with the signers' names and messages."""
    from ..reports.letters import CSV_COLUMNS, csv_rows, render_html

    check_target(output, fmt, list(CSV_COLUMNS))
    with records() as db:
        scope = db.scope(event=event, since=since, until=until, kiosk_id=kiosk_id, case_id=case_id)
        bundles = db.delivery_list(scope)
    if fmt == "csv":
        _write(csv_rows(bundles), list(CSV_COLUMNS), "csv", output)
    else:
        with _output(output, "html") as out:
            out.write(render_html(bundles, scope))
    if not _to_stdout(output):
        count = sum(b.count for b in bundles)
        echo(f"{count} appeal(s) to {len(bundles)} addressee(s) -> {output}", err=True)


@export.command("contacts")
@_filters
@format_option
@output_option
@settings_options("database")
def export_contacts(event: str | None, since: dt.date | None, until: dt.date | None, kiosk_id: str | None,
                    fmt: str, output: Path | None) -> None:
    """The people who said yes to hearing from us, for a CRM: a row per address and channel.

    Each row has the address, the name, the consent wording's id and version, the language,
    the time, event, kiosk and the case(s) written for. Nobody who said no, or was not asked,
    is in it. With -o FILE the export is noted in the database, so `kiosk purge
    --contacts-exported` can remove these people's data later; written to standard output,
    nothing is noted. In CSV, text a spreadsheet would run as a formula gets a ' in front."""
    check_target(output, fmt, list(CONTACT_COLUMNS))
    with records() as db:
        contacts = db.contacts(db.scope(event=event, since=since, until=until, kiosk_id=kiosk_id))
    # Read whole (and checked unchanged) before the file is written; noted only once it is.
    _write(contacts.rows, list(CONTACT_COLUMNS), fmt, output)
    if fmt == "csv":
        _note_neutralised([str(row["email"]) for row in contacts.rows])
    if _to_stdout(output):
        return
    noted = "; nothing to note" if not contacts.rows else "; noted as exported"
    if contacts.rows:
        try:
            with records() as db:
                db.note_exported(contacts)
        except KioskError as exc:  # a write-protected stick: the file is written all the same
            noted = "; not noted as exported"
            warn(f"the export could not be noted in the database, so `kiosk purge --contacts-exported` will not"
                 f" remove these contacts: {exc}")
    echo(f"{len(contacts.rows)} contact(s) -> {output}{noted}", err=True)


@export.command("person")
@click.option("--email", type=TEXT, required=True, metavar="ADDRESS",
              help="The person's address, in any case (ADA@Example.org finds ada@example.org), its domain as"
                   " Unicode or IDNA (xn--...).")
@format_option
@output_option
@settings_options("database")
def export_person(email: str, fmt: str, output: Path | None) -> None:
    """What the file holds about one person, to answer "What do you hold about me?".

    A row for each letter given with ADDRESS (found as `kiosk forget` finds them), then for
    each other letter that carries the same name without any address (column found: "given
    with the address" or "same name, no address"): the letter (reference, case, kind, name,
    message, times, event, kiosk, print status, purged_at) and its answer to being contacted
    (choice, email, channel, language, wording, lawful basis, answered_at, exported_at).
    Nothing is changed or noted. An address found nowhere gives only the header (CSV) or []
    (JSON), and says so on stderr."""
    _check_address(email)
    check_target(output, fmt, list(PERSON_COLUMNS))
    with records() as db:
        rows = db.person(email)
    _write(rows, list(PERSON_COLUMNS), fmt, output)
    if fmt == "csv":
        _note_neutralised([str(row["email"]) for row in rows if row["email"]])
    if not rows:
        echo(f"Nothing found: no letter in {db.path} was given with {email}.", err=True)
    elif not _to_stdout(output):
        echo(f"{len({row['signature_id'] for row in rows})} letter(s) found for {email} -> {output}", err=True)


def _check_address(email: str) -> None:
    """The address a person's request names (``forget``, ``export person``): it must not be empty."""
    if not email.strip():
        raise InputError("must not be empty: give the person's address", field="email", reason="empty")


def _note_neutralised(addresses: list[str]) -> None:
    """A valid address may begin with =, + or - (``=cmd@example.com``): the CSV writer puts a '
    in front, as for every cell a spreadsheet would run, and a CRM importing the file would
    take the ' as part of the address. Say so, once, and where they are exact."""
    changed = [address for address in addresses if for_spreadsheet(address) != address]
    if not changed:
        return
    inside = any(for_spreadsheet(address) != "'" + address for address in changed)  # "a|=b@example.org"
    echo(f"note: {len(changed)} address(es) begin with =, +, - or @{' (or hold one after a |)' if inside else ''}:"
         " in CSV they have a ' in front so no spreadsheet runs them; --format json has them exactly", err=True)


# -- report -------------------------------------------------------------------------------


@cli.command()
@_filters
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Also write report.md and letters-per-hour.png into this folder (replacing earlier ones).")
@settings_options("database", "cases")
def report(event: str | None, since: dt.date | None, until: dt.date | None, kiosk_id: str | None,
           out_dir: Path | None) -> None:
    """Totals per case and kind, per day (and kiosk, event), charts of letters per hour, and how many
    letters were answered yes or no to hearing from us, and how many have no answer."""
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
        summary = db.summary(scope)
    terminal.render(summary, console())
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
            draw_png(summary, png)
        chart = chart_path
    with replace_private(md_path, suffixes=SUFFIXES["md"], protect=[settings().database], magic=REPORT_START,
                         encoding="utf-8",
                         errors="replace") as f:
        f.write(markdown.render(summary, chart.name if chart else None))
    echo(f"Wrote {md_path}" + (f" and {chart}" if chart else ""))


# -- tally slip -----------------------------------------------------------------------------


@printer.command("tally")
@click.option("--day", type=DATE, default=None, metavar="DATE", help="The stall's day (YYYY-MM-DD) [default: today].")
@click.option("--event", type=TEXT, default=None, help="Only this event.")
@click.option("--kiosk", "kiosk_id", type=TEXT, default=None, help="Only this kiosk.")
@settings_options("database", "cases", "printer", "printers", "preview")
@outcome
def printer_tally(day: dt.date | None, event: str | None, kiosk_id: str | None) -> None:
    """Print the end-of-day tally: a day's letters per case and per hour."""
    from ..application import PrintError

    station = open_station(settings(), warn=warn)
    try:
        t, where = station.print_tally(day, event=event, kiosk_id=kiosk_id)
    except PrintError as exc:
        raise KioskError(f"tally not printed: {exc}") from None
    finally:
        station.close()
    echo(f"Tally for {t.day:%a %d %b %Y}: {t.total} letter(s), printed on {station.setup.name}"
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
    with open_records(db_path, create=True) as db:
        before = db.total()
        results = db.merge(list(sources))
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
    echo(f"{db_path}: {before} -> {after} signature(s)")


def _conflicts(conflicts: Iterable[Any], counted: int, *, what: str = "") -> None:
    """A line for each conflict kept (the store's ``Conflict``: the first 100), and how many more there were."""
    listed = 0
    for c in conflicts:
        listed += 1
        echo(f"  conflict: {what}Ref. {c.reference}, id {c.id}: {', '.join(c.columns)} differ")
    if counted > listed:
        echo(f"  ... and {counted - listed} more conflict(s)")


# -- purge and forget ----------------------------------------------------------------------


def _answers(counts: dict[str, int]) -> str:
    """What is kept of the answers to being contacted, for the line that says what stays."""
    yes, no = counts.get("yes", 0), counts.get("no", 0)
    return f", and {yes + no} answer(s) to being contacted ({yes} yes, {no} no)" if yes + no else ""


def _files_of_their_own() -> None:
    """Say what a purge cannot reach: exports written earlier and the preview printer's receipts."""
    echo("Note: exports written earlier (a contacts export too) are files of their own: delete them yourself.")
    folder = settings().preview
    if folder.is_dir() and any(folder.iterdir()):
        echo(f"Note: receipts saved by the preview printer are files, not in the database: {folder}")


def _not_cleaned(path: Path, then: str = "") -> None:
    """What is true when a removal was committed but another program kept the file from being cleaned."""
    warn(f"another program has {path} open (a running kiosk, a database viewer?), so the file was not vacuumed:"
         " what was removed is gone from its tables, and overwritten in the pages this command wrote, but older"
         " copies of those pages, which that program may still be reading, stay in the file or its journal until"
         f" it closes the file.{then}")


def _ask(question: str, yes: bool) -> bool:
    """``yes``, or the organiser's answer; no answer (end of input, Ctrl+C) is no."""
    try:
        return yes or click.confirm(question)
    except click.Abort:
        echo()
        return False


def _nothing_to_purge(db: Records, what: str, *, purged_before: int, traces: bool, unnoted: bool,
                      others: bool = False) -> int:
    """A purge whose selection holds no name and no address: one line, nothing asked, exit 0.
    ``unnoted``: --contacts-exported, and no contacts export to a file was ever noted (``others``:
    with other groups, whose letters hold nothing either). The file is vacuumed only when it may
    still hold what an earlier purge removed (``traces``: that purge's clean-up was kept from
    finishing), so a purge run again keeps its warning's word."""
    why = "no letter selected holds a name, a message or an email address"
    if purged_before:
        why += f" ({purged_before} purged before)"
    if unnoted:
        noted = ("no contacts export has been noted: only `kiosk export contacts -o FILE` notes one;"
                 " to standard output it is not")
        why = f"{why}, and {noted}" if others else noted
    cleaned = db.clean() if traces else None
    echo(f"{db.path}: nothing to remove ({what}): {why}."
         + (" File vacuumed and journal emptied: what an earlier purge removed is gone from it too." if cleaned
            else " Nothing was changed."))
    if cleaned is False:
        _not_cleaned(db.path)
    return EXIT_OK


@cli.command()
@click.option("--personal-data", is_flag=True,
              help="Everyone's: remove the names, messages and email addresses of every letter selected.")
@click.option("--declined", is_flag=True,
              help="Of the visitors who said no to hearing from us (right after the event, once every letter has"
                   " printed).")
@click.option("--contacts-exported", is_flag=True,
              help="Of the visitors who said yes, once `kiosk export contacts -o FILE` has written them.")
@click.option("--before", type=DATE, default=None, metavar="DATE",
              help="Only letters signed before this day (YYYY-MM-DD).")
@click.option("--event", type=TEXT, default=None, help="Only this event.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@settings_options("database", "preview")
@outcome
def purge(personal_data: bool, declined: bool, contacts_exported: bool, before: dt.date | None, event: str | None,
          yes: bool) -> int:
    """Remove names, messages and email addresses for good; every count stays as it was.

    Say whose (one or more): --personal-data (everyone), --declined (said no to hearing
    from us), --contacts-exported (said yes, and a contacts export to a file wrote them).
    --before and --event narrow it. Every letter and every answer (yes, no) is kept, so
    every count. The file is vacuumed and its journal emptied, so nothing removed can be
    read back from it. Letters not printed yet are cancelled (there is no name left to print).
    A selection with nothing to remove (no name, no address) says so and asks nothing.
    """
    if not (personal_data or declined or contacts_exported):
        raise click.UsageError("say whose data to purge: --personal-data, --declined or --contacts-exported")
    groups = () if personal_data else tuple(
        group for group, asked in (("declined", declined), ("contacts_exported", contacts_exported)) if asked)
    whose = "everyone" if personal_data else " or ".join(
        {"declined": "visitors who said no", "contacts_exported": "contacts exported"}[g] for g in groups)
    day = before
    with records() as db:
        scope = db.purge_scope(before=day, event=event)
        preview = db.purge_preview(scope, groups)
        what = ", ".join(p for p in (whose, f"event {event!r}" if event else "", f"signed before {day}" if day else "")
                         if p)
        if preview.nothing:
            unnoted = "contacts_exported" in groups and not preview.exports_noted
            return _nothing_to_purge(db, what, purged_before=preview.purged_before, traces=preview.traces,
                                     unnoted=unnoted, others=len(groups) > 1)
        echo(f"{db.path}: {preview.signatures} signature(s) with names and messages ({what}),"
             f" {preview.addresses} email address(es); {preview.purged_before} purged before.")
        if preview.unexported:
            n = preview.unexported
            warn(f"{n} of these addresses {'is a contact' if n == 1 else 'are contacts'} not exported yet:"
                 " `kiosk export contacts -o FILE` first, or they are lost.")
        if preview.unprinted:
            echo(f"{preview.unprinted} of them have not been printed yet; they will be cancelled and never print"
                 " (to print them first: kiosk jobs retry, then purge).")
        if not _ask("Remove these names, messages and addresses for good? Counts are kept", yes):
            echo("Nothing was changed.", err=True)
            return EXIT_FAILED
        total, answers = db.total(), db.consent_counts(db.scope())
        result = db.purge(scope, groups)
    echo(f"Removed names and messages of {result.signatures} signature(s)"
         + (f" and {result.addresses} email address(es)" if result.addresses else "")
         + (f"; cancelled {result.cancelled_jobs} unprinted letter(s)" if result.cancelled_jobs else "")
         + (". File vacuumed and journal emptied" if result.cleaned else "")
         + f". Still {total} signature(s) counted{_answers(answers)}.")
    if not result.cleaned:  # removed all the same (exit 0): a purge run again cleans the file
        _not_cleaned(db.path, " To clean it now, close that program and run this purge again.")
    _files_of_their_own()
    return EXIT_OK


@cli.command()
@click.option("--email", type=TEXT, required=True, metavar="ADDRESS",
              help="The person's address, in any case (ADA@Example.org finds ada@example.org), its domain as"
                   " Unicode or IDNA (xn--...).")
@click.option("--also-same-name", is_flag=True,
              help="Also remove other letters that carry the same name, given without the address.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@settings_options("database", "preview")
@outcome
def forget(email: str, also_same_name: bool, yes: bool) -> int:
    """Erase one person's data: the name, message and email address of every letter given with ADDRESS.

    Shows what it will remove first and asks (unless --yes). Letters that carry the same
    name but were given without the address are listed, and removed only with
    --also-same-name. Every letter and answer is kept, so every count; letters not printed
    yet are cancelled. The file is vacuumed and its journal emptied.
    """
    _check_address(email)
    with records() as db:
        preview = db.forget_preview(email, same_name=also_same_name)
        if not preview.letters and not preview.addresses:
            echo(f"No letter in {db.path} was given with that address; nothing was changed.")
            return EXIT_OK
        names = db.names_given_with(email)
        refs = [*preview.letters, *(preview.same_name if also_same_name else ())]
        echo(f"{db.path}: {len(preview.letters)} letter(s) given with {email}"
             + (f": {', '.join(f'Ref. {r}' for r in preview.letters)}" if preview.letters else "")
             + f"; {preview.addresses} email address(es).")
        if names:
            echo(f"The name(s) on them: {', '.join(f'“{n}”' for n in names)}.")
        if preview.same_name:
            shown = ", ".join(f"Ref. {r}" for r in preview.same_name)
            echo(f"{len(preview.same_name)} other letter(s) carry the same name, given without this address: {shown}"
                 + (" (removed too: --also-same-name)." if also_same_name else
                    " (kept; add --also-same-name to remove them too)."))
        if preview.unprinted:
            echo(f"{preview.unprinted} of them have not been printed yet; they will be cancelled and never print.")
        if not _ask("Remove this person's names, messages and address for good? Counts are kept", yes):
            echo("Nothing was changed.", err=True)
            return EXIT_FAILED
        result = db.forget(email, same_name=also_same_name)
    cancelled = result.cancelled_jobs
    echo(f"Removed the name and message of {result.letters} letter(s)"
         + (f" ({', '.join(f'Ref. {r}' for r in refs)})" if refs else "")
         + f", {result.addresses} email address(es)"
         + (f"; cancelled {cancelled} unprinted letter{'' if cancelled == 1 else 's'}" if cancelled else "")
         + ". Counts are kept." + (" File vacuumed and journal emptied." if result.cleaned else ""))
    if not result.cleaned:  # removed all the same (exit 0); run again, forget finds nothing and cleans nothing
        _not_cleaned(db.path)
    _files_of_their_own()
    return EXIT_OK


__all__ = ["export", "forget", "merge", "purge", "report"]
