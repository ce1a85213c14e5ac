"""What every export writes with: the database of the command, the file or standard output,
and the one CSV and JSON writer.

Every output file a person names (``-o``, ``report --out``) is checked before any work
(:func:`check_target`) and written by :func:`kiosk.private.replace_private`; every CSV cell
passes through :func:`kiosk.text.for_spreadsheet` in :func:`write_table` (and
:func:`write_rows`), the one writer of the exports' rows, which streams them: a batch at a
time, never the list. The ``export`` group is here, so that the commands of
:mod:`.records` and :mod:`.people` join it.
"""

from __future__ import annotations

import copy
import csv
import io
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import click

from ..application import KioskError
from ..private import PNG_MAGIC, check_output, replace_private
from ..text import for_spreadsheet_rows, readable
from .base import standard_output
from .options import DATE, TEXT, settings

if TYPE_CHECKING:
    from ..application import Records

F = TypeVar("F", bound=Callable[..., Any])
# What an output file's name must end in, for each format it is written in.
SUFFIXES = {"csv": (".csv",), "json": (".json",), "html": (".html", ".htm"), "md": (".md",), "png": (".png",)}


def filters(func: F) -> F:
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
    from .. import locations
    from ..application import open_records

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


def report_starts() -> tuple[bytes, ...]:
    """What an earlier report.md starts with: its title, in any of the kiosk's languages."""
    from ..reports.markdown import starts  # only the report writes one

    return starts()


def same_kind(fmt: str, columns: list[str] | None = None) -> tuple[bytes, ...]:
    """The starts an earlier output of this kind has (its CSV header, its JSON's first key...)."""
    if fmt == "csv":
        header = io.StringIO()
        csv.writer(header, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC).writerow(columns or [])
        line = header.getvalue().encode("utf-8")
        return (b"\xef\xbb\xbf" + line, line)
    if fmt == "json":
        import json

        first = json.dumps((columns or [""])[0], ensure_ascii=False)
        return (f'[\n  {{\n    {first}: '.encode(), b"[]")
    if fmt == "html":
        return (HTML_START,)
    if fmt == "md":
        return report_starts()
    return (PNG_MAGIC,)


def to_stdout(path: Path | None) -> bool:
    return path is None or str(path) == "-"


def check_target(path: Path | None, fmt: str, columns: list[str] | None = None) -> None:
    """Refuse, before any work, an output file that would destroy something (see :func:`output_to`)."""
    if not to_stdout(path):
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
def output_to(path: Path | None, fmt: str, columns: list[str] | None = None) -> Iterator[IO[str]]:
    """Standard output (made safe when it is a terminal), or the file ``path``, readable by
    its owner only and written whole or not at all: it must be named for its format
    (``.csv``...), and an existing file is replaced only if it is an earlier export of the same
    kind (:func:`same_kind`: the same CSV header, JSON columns, delivery list, report), never
    the database, a SQLite file, a link, a folder or a device (:func:`kiosk.private.replace_private`).
    CSV files get a byte-order mark so that spreadsheet programs read them as UTF-8."""
    if to_stdout(path):
        with standard_output() as out:
            yield out  # type: ignore[misc]
        return
    assert path is not None
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    with replace_private(path, suffixes=_suffixes(path, fmt), protect=[settings().database], encoding=encoding,
                         magic=same_kind(fmt, columns), newline="", errors="replace") as f:
        yield f


def write_rows(rows: Iterable[Mapping[str, Any]], columns: list[str], fmt: str, output: Path | None, *,
               done: Callable[[], None] | None = None) -> None:
    """The one writer of the exports' rows, each a mapping of column to value (see :func:`write_table`)."""
    write_table((tuple(row.get(k) for k in columns) for row in rows), columns, fmt, output, done=done)


CHUNK = 1 << 16  # characters of an export written at once
BATCH = 1024  # rows taken from the database at once


def write_table(rows: Iterable[Sequence[Any]], columns: list[str], fmt: str, output: Path | None, *,
                done: Callable[[], None] | None = None) -> None:
    """Write ``rows`` (each a sequence of values in the order of ``columns``) as they come: an
    export of a million letters holds a batch of them at a time, never the list. CSV cells pass
    through :func:`~kiosk.text.for_spreadsheet` (:func:`~kiosk.text.for_spreadsheet_rows`): text
    a spreadsheet would run as a formula is made inert; JSON is written as it is stored. When
    standard output is lost (a closed pipe) the writing stops. ``done`` is called once every row
    is written and before a file is put in place: what it raises (the database was written while
    it was read) leaves an earlier file as it was."""
    with output_to(output, fmt, columns) as out:
        source = iter(rows)
        batches = iter(lambda: list(itertools.islice(source, BATCH)), [])
        if fmt == "json":
            _write_json(out, batches, columns)
        else:
            _write_csv(out, batches, columns)
        if done is not None:
            done()


def _lost(out: IO[str]) -> bool:
    """Whether standard output was lost: the rest of an export would go nowhere."""
    return bool(getattr(out, "lost", False))


def _write_csv(out: IO[str], batches: Iterable[list[Sequence[Any]]], columns: list[str]) -> None:
    chunk = io.StringIO()
    # Every text cell quoted (OWASP): a spreadsheet that splits on ";" or tabs still sees one cell.
    writer = csv.writer(chunk, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(columns)
    for batch in batches:
        writer.writerows(for_spreadsheet_rows(batch))
        if chunk.tell() >= CHUNK:
            out.write(chunk.getvalue())
            chunk.seek(0)
            chunk.truncate()
            if _lost(out):
                return
    out.write(chunk.getvalue())


def _write_json(out: IO[str], batches: Iterable[list[Sequence[Any]]], columns: list[str]) -> None:
    """The rows as ``json.dumps(rows, indent=2)`` writes them, a batch at a time."""
    import json

    started = False
    for batch in batches:
        items = [json.dumps(dict(zip(columns, map(readable, row), strict=True)), ensure_ascii=False, indent=2,
                            default=str).replace("\n", "\n  ") for row in batch]  # a JSON text holds no newline
        out.write(("[\n  " if not started else ",\n  ") + ",\n  ".join(items))
        started = True
        if _lost(out):
            return
    out.write("\n]\n" if started else "[]\n")


class _GroupsOption(click.Option):
    """``--by``, whose help names the groupings: read from the store only when the help is shown."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        from ..application import GROUPS

        self.help = f"What to count by, comma-separated: {', '.join(GROUPS)} (e.g. case,day)."
        return super().get_help_record(ctx)


# What `kiosk export counts` and `kiosk hq counts` count by: the same groupings in both.
by_option = click.option("--by", "by", cls=_GroupsOption, type=TEXT, default="case", show_default=True,
                         metavar="GROUPS")
wide_option = click.option("--wide", is_flag=True,
                           help="One row per group with appeals, postcards and total as columns (and the total's"
                                " paper, duplicates and signers): the shape an office spreadsheet wants.")
format_option = click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
output_option = click.option(
    "--output", "-o", type=click.Path(path_type=Path), default=None,
    help="Write to this file (readable by you only) instead of standard output. Its name must end in the format"
         " (.csv, .json, .html); an existing file is replaced only if it is an earlier export.")

