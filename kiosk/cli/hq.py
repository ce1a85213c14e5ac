"""``kiosk hq ...``: the national office's commands (the ``hq`` extra).

The schema (``init``), the kiosks' tokens, the service (``serve``), the published case set,
national counts and the conflicts kept. Each names its PostgreSQL database with ``--dsn`` or
``KIOSK_HQ_DSN`` (better for a password: a command line is visible to others on the machine).

Nothing of the office's side is imported until one of these commands runs, so ``kiosk --help``
and every stall command work without the extra; without it, ``kiosk hq ...`` says in one line
what to install.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import ModuleType

import click

from ..application import KioskError
from .base import EXIT_FAILED, cli, echo, outcome
from .options import TEXT
from .outputs import by_option, check_target, filters, format_option, output_option, wide_option, write_rows
from .records import _parse_by

EXTRA = "the office's commands need the hq extra: pip install '.[hq]' in the kiosk's source folder"


def _needs_extra() -> None:
    """A one-line KioskError when psycopg, its pool, Starlette or uvicorn is not installed."""
    import importlib.util

    missing = [m for m in ("psycopg", "psycopg_pool", "starlette", "uvicorn") if importlib.util.find_spec(m) is None]
    if missing:
        raise KioskError(f"{EXTRA} ({', '.join(missing)} missing)")


def _hq(module: str) -> ModuleType:
    """``kiosk.hq.<module>``, imported now (the extra checked first)."""
    import importlib

    _needs_extra()
    return importlib.import_module(f"kiosk.hq.{module}")


dsn_option = click.option(
    "--dsn", type=TEXT, default=None, metavar="URL",
    help="The office's PostgreSQL database, e.g. postgresql://kiosk@db.example.org/hq"
         " [default: KIOSK_HQ_DSN; better for a password].")


def _dsn(value: str | None) -> str:
    checked: str = _hq("connection").check_dsn(value)
    return checked


@cli.group()
def hq() -> None:
    """The national office: the HQ database, kiosks' tokens, the sync service, the case set, national counts.

    Needs the hq extra (pip install '.[hq]' in the kiosk's source folder); a stall laptop does not."""


@hq.command("init")
@dsn_option
@outcome
def hq_init(dsn: str | None) -> None:
    """Create the HQ schema in an empty database, or migrate an older one. Running it again changes nothing;
    a schema newer than this kiosk knows is refused, untouched."""
    dsn = _dsn(dsn)
    done = _hq("schema").migrate(dsn)
    where = _hq("connection").shown(dsn)
    if done.applied:
        echo(f"{where}: HQ schema {done.before} -> {done.after} ({', '.join(done.applied)})")
    else:
        echo(f"{where}: HQ schema is up to date (version {done.after})")


# -- tokens ---------------------------------------------------------------------------------


@hq.group()
def token() -> None:
    """Kiosks' tokens: each kiosk syncs with its own, which lets it upload only its own letters."""


@token.command("add")
@click.argument("kiosk_id", type=TEXT)
@dsn_option
@outcome
def token_add(kiosk_id: str, dsn: str | None) -> None:
    """Make a token for KIOSK_ID and show it once (only its SHA-256 is kept)."""
    made = _hq("tokens").add_token(_dsn(dsn), kiosk_id)
    echo(f"Token {made.id} for kiosk {made.kiosk_id} (shown once; put it in the kiosk's sync settings):", err=True)
    echo(made.secret)


@token.command("revoke")
@click.argument("kiosk_id", type=TEXT)
@click.option("--id", "token_id", type=click.IntRange(min=1), default=None,
              help="Only this token (see kiosk hq token list) [default: every token of the kiosk].")
@dsn_option
@outcome
def token_revoke(kiosk_id: str, token_id: int | None, dsn: str | None) -> None:
    """Revoke KIOSK_ID's tokens: the service refuses them from now on."""
    revoked = _hq("tokens").revoke_token(_dsn(dsn), kiosk_id, token_id)
    echo(f"Revoked {len(revoked)} token(s) of kiosk {kiosk_id}: {', '.join(map(str, revoked))}")


def _when(moment: dt.datetime | None) -> str:
    return "-" if moment is None else moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


@token.command("list")
@dsn_option
def token_list(dsn: str | None) -> None:
    """Every token: its id, kiosk, when it was made and last used, and whether it is revoked (no secret)."""
    rows = _hq("tokens").list_tokens(_dsn(dsn))
    if not rows:
        echo("No tokens yet: kiosk hq token add KIOSK_ID")
    for row in rows:
        state = f"revoked {_when(row.revoked_at)}" if row.revoked_at else "in use"
        echo(f"{row.id:>5}  {row.kiosk_id:<32}  made {_when(row.created_at)}  last used {_when(row.last_used_at)}"
             f"  {state}")


# -- the service ----------------------------------------------------------------------------


@hq.command("serve")
@dsn_option
@click.option("--host", type=TEXT, default="127.0.0.1", show_default=True,
              help="The address to listen on (0.0.0.0: every one; put it behind HTTPS).")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True)
def hq_serve(dsn: str | None, host: str, port: int) -> None:
    """Serve kiosks' uploads and the case set, national counts, and the dashboard at / (until Ctrl+C)."""
    dsn = _dsn(dsn)
    with _hq("schema").open_hq(dsn):
        pass  # the schema is this kiosk's: refused here in one line, not at the first upload
    echo(f"Serving {_hq('connection').shown(dsn)} on http://{host}:{port}/ (Ctrl+C to stop)", err=True)
    _hq("service").serve(dsn, host, port)


# -- cases ----------------------------------------------------------------------------------


@hq.group("cases")
def hq_cases() -> None:
    """The case set kiosks fetch when they sync."""


@hq_cases.command("publish")
@click.argument("directory", type=click.Path(path_type=Path))
@dsn_option
@outcome
def cases_publish(directory: Path, dsn: str | None) -> None:
    """Publish the case files in DIRECTORY as the next case set, if every one passes `kiosk cases check`.
    A folder with any problem is refused whole; the same set as the latest is not published again."""
    from ..application import check_cases

    dsn = _dsn(dsn)
    publish = _hq("cases").publish
    found = check_cases(directory)
    done = publish(dsn, found)
    ids = ", ".join(sorted(Path(name).stem for name in done.files))
    if done.changed:
        echo(f"Published case set {done.version} ({len(done.files)} case(s): {ids}), hash {done.hash[:12]}")
    else:
        echo(f"Unchanged: case set {done.version} is already these {len(done.files)} case(s) ({ids})")


# -- reading --------------------------------------------------------------------------------


@hq.command("counts")
@by_option
@wide_option
@filters
@format_option
@output_option
@dsn_option
def hq_counts(by: str, wide: bool, event: str | None, since: dt.date | None, until: dt.date | None,
              kiosk_id: str | None, fmt: str, output: Path | None, dsn: str | None) -> None:
    """National counts, every kiosk's uploads together: letters written (typed and on paper), likely duplicates
    (across every kiosk) and signers, with the groupings, columns and formats of `kiosk export counts` (days and
    hours are each stall's clock)."""
    from ..application import group_columns, wide_columns, wide_groups, widen

    groups = _parse_by(by)
    columns = wide_columns(groups) if wide else group_columns(groups)
    check_target(output, fmt, columns)
    rows = _hq("national").counts(_dsn(dsn), wide_groups(groups) if wide else groups, event=event,
                                  kiosk_id=kiosk_id, since=since, until=until)
    write_rows(widen(rows, groups) if wide else rows, columns, fmt, output)


def _login() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@hq.command("conflicts")
@click.option("--all", "every", is_flag=True, help="Every conflict, the reviewed ones too [default: the open ones].")
@click.option("--resolved", "resolved", type=click.IntRange(min=1), default=None, metavar="NUMBER",
              help="Mark conflict NUMBER reviewed (it stays in the table, with who and when).")
@click.option("--by", "by", type=TEXT, default=None, metavar="NAME",
              help="Who reviewed it, with --resolved [default: your login name].")
@click.option("--limit", type=click.IntRange(1, 100_000), default=1000, show_default=True)
@dsn_option
def hq_conflicts(every: bool, resolved: int | None, by: str | None, limit: int, dsn: str | None) -> int:
    """Rows a kiosk sent whose id was here already with other content: the first copy is kept and counted,
    each other one is kept here. Lists the open ones (--all: every one) and exits 1 while any is open (to look
    into); --resolved NUMBER marks one reviewed once looked into."""
    national = _hq("national")
    if resolved is not None:
        when, who = national.resolve(_dsn(dsn), resolved, by if by is not None else _login())
        echo(f"Conflict {resolved} marked reviewed by {who} on {_when(when)} (it stays in the table)")
        return 0
    if by is not None:
        raise click.UsageError("--by goes with --resolved NUMBER")
    found, (still_open, recorded) = national.conflicts(_dsn(dsn), limit, every=every)
    if not found and not still_open:
        echo(f"No open conflicts ({recorded} reviewed: --all lists them)." if recorded else "No conflicts.")
        return 0
    clash = _hq("store").clash_reason
    for c in found:
        who = (f"from kiosk {c.uploaded_by} (kept: kiosk {c.kept_by}'s copy)" if c.uploaded_by == c.kept_by
               else f"{clash(c.kept_by, c.uploaded_by)} (kept: kiosk {c.kept_by}'s copy)")
        done = "" if c.resolved_at is None else f"  [reviewed by {c.resolved_by} on {_when(c.resolved_at)}]"
        echo(f"{c.number:>5}  {_when(c.received_at)}  {c.kind} {c.id} {who}:"
             f" {', '.join(c.fields) or 'nothing'} differ{done}")
    echo(f"{still_open} open conflict(s): kiosk hq conflicts --resolved NUMBER once one is looked into"
         if still_open else f"{len(found)} conflict(s), every one reviewed")
    return EXIT_FAILED if still_open else 0
