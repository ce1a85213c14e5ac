"""What every export writes with: the database of the command, the file or standard output,
and the one CSV and JSON writer.

Every output file a person names (``-o``, ``report --out``) is checked before any work
(:func:`check_target`) and written by :func:`kiosk.private.replace_private`; every CSV cell
passes through :func:`kiosk.text.for_spreadsheet` in :func:`write_rows`, the one writer of
the exports' rows. The ``export`` group is here, so that the commands of
:mod:`.records` and :mod:`.people` join it.
"""

from __future__ import annotations

import copy
import csv
import io
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import click

from ..application import KioskError
from ..private import PNG_MAGIC, check_output, replace_private
from ..text import for_spreadsheet, readable
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


def write_rows(rows: Iterable[dict[str, Any]], columns: list[str], fmt: str, output: Path | None) -> None:
    """The one writer of the exports' rows. CSV cells pass through
    :func:`~kiosk.text.for_spreadsheet`: text a spreadsheet would run as a formula is made inert."""
    with output_to(output, fmt, columns) as out:
        if fmt == "json":
            import json

            plain = [{k: readable(row.get(k)) for k in columns} for row in rows]  # in the columns' order
            out.write(json.dumps(plain, ensure_ascii=False, indent=2, default=str) + "\n")
            return
        # Every text cell quoted (OWASP): a spreadsheet that splits on ";" or tabs still sees one cell.
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
        writer.writeheader()
        writer.writerows({k: for_spreadsheet(v) for k, v in row.items()} for row in rows)


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

