"""The signature store: one SQLite file, durable before anything is printed.

Every signature is committed (WAL, ``synchronous=FULL``) together with a pending print
job in one transaction; only then does anything go to a printer. Print jobs move
``pending -> printing -> printed`` or ``-> failed``; a purge cancels the jobs of letters
it removes the names from. A job left in ``printing`` by a crash is *interrupted*: it may
or may not be on paper, so it is listed for a volunteer and never reprinted silently.

Days and hours are the stall's: each signature keeps the kiosk's wall-clock time
(``local_time``) beside the UTC one, and every count (the home screen, the organiser
screen, the tally slip, reports and exports) groups and filters by it through
:meth:`Store.counts`, so they always agree, wherever and whenever they are computed.

A Store holds one sqlite3 connection and must stay in the thread that opened it; open one
Store per thread. The schema is in :mod:`kiosk.schema` and ``docs/database.md``.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .private import create_private
from .text import validate_event, validate_kiosk_id

if TYPE_CHECKING:
    from .cases import Case

KINDS = ("appeal", "postcard")
JOB_STATES = ("pending", "printing", "printed", "failed", "cancelled")
WAITING_STATES = ("pending", "failed", "printing")

# What a count can be grouped by: the SQL of its key and the columns it fills.
GROUPS = {
    "case": ("s.case_id", ("case_id", "case_title")),
    "kind": ("s.kind", ("kind",)),
    "event": ("s.event", ("event",)),
    "kiosk": ("s.kiosk_id", ("kiosk_id",)),
    "day": ("substr(s.local_time, 1, 10)", ("day",)),
    "hour": ("substr(s.local_time, 1, 10) || ' ' || substr(s.local_time, 12, 2) || ':00'", ("hour",)),
}

BUSY_TIMEOUT = 15.0  # seconds to wait for another writer before "database is locked"


class StoreError(Exception):
    """A database that cannot be used, with a one-line message naming the file."""


@dataclass(frozen=True)
class Signature:
    id: str
    number: int
    case_id: str
    kind: str
    name: str
    message: str
    created_at: str
    event: str
    kiosk_id: str
    local_time: str = ""
    purged_at: str | None = None

    @property
    def reference(self) -> str:
        return f"{self.event} / {self.kiosk_id} / #{self.number:04d}"

    @property
    def created(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.created_at.replace("Z", "+00:00"))

    @property
    def stall_time(self) -> dt.datetime:
        """The time on the stall's clock when it was signed."""
        if self.local_time:
            return dt.datetime.fromisoformat(self.local_time)
        return self.created.astimezone()


@dataclass(frozen=True)
class Job:
    id: int
    signature_id: str
    status: str
    attempts: int
    printer: str | None
    last_error: str | None
    updated_at: str


@dataclass(frozen=True)
class Scope:
    """Which signatures a count, export or purge covers. Days are the stall's, inclusive."""

    event: str | None = None
    kiosk_id: str | None = None
    case_id: str | None = None
    kind: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    def where(self) -> tuple[str, list]:
        terms, params = [], []
        for term, value in (("s.event = ?", self.event), ("s.kiosk_id = ?", self.kiosk_id),
                            ("s.case_id = ?", self.case_id), ("s.kind = ?", self.kind)):
            if value is not None:
                terms.append(term)
                params.append(value)
        if self.since is not None:
            terms.append("s.local_time >= ?")
            params.append(self.since.isoformat())
        if self.until is not None:
            terms.append("s.local_time < ?")
            params.append((self.until + dt.timedelta(days=1)).isoformat())
        return (" WHERE " + " AND ".join(terms) if terms else ""), params

    @classmethod
    def day(cls, day: dt.date, **kw) -> "Scope":
        return cls(since=day, until=day, **kw)


@dataclass(frozen=True)
class PurgeResult:
    signatures: int          # names and messages removed now
    cancelled_jobs: int      # letters that had not printed and now never will


def utc_iso(moment: dt.datetime) -> str:
    """The stored form of a time: UTC, ISO 8601, microseconds, ``Z``."""
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def utc_now() -> str:
    return utc_iso(dt.datetime.now(dt.timezone.utc))


def stall_iso(moment: dt.datetime) -> str:
    """The stall's wall-clock time with its UTC offset, as stored in ``local_time``."""
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.isoformat(timespec="microseconds")


def explain(exc: sqlite3.Error) -> str:
    """A database error in words an organiser can act on."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return "database is locked: another program is writing to it (a running kiosk?); close it and try again"
    if "malformed" in text:
        return f"damaged database file ({text})"
    if "readonly" in text or "read-only" in text:
        return f"cannot write to the database ({text})"
    return text


# The schema's migrations, in order (kiosk/schema.py; a test keeps the two lists equal).
# Knowing their names here lets a kiosk open an up-to-date file without importing
# sqlite-utils, which is only needed to apply a migration.
SCHEMA = ("0001_signatures_and_print_jobs", "0002_case_settings", "0003_cases_stall_time_purge_merges")


class Connection:
    """The few things the store asks of its sqlite3 connection."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def execute(self, sql: str, params: Sequence = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def table_names(self) -> list[str]:
        return [row[0] for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]

    @contextmanager
    def ensure_autocommit_on(self):
        """Statements that must run outside a transaction (PRAGMAs, VACUUM)."""
        before = self.conn.isolation_level
        self.conn.isolation_level = None
        try:
            yield
        finally:
            self.conn.isolation_level = before

    def close(self) -> None:
        self.conn.close()


class Store:
    def __init__(self, path: Path | str, *, create: bool = True):
        self.path = Path(path)
        if not self.path.exists():
            if not create:
                raise StoreError(f"{self.path}: no such database")
            try:
                create_private(self.path)  # SQLite gives its -wal and -shm files the same mode
            except FileExistsError:
                pass
            except OSError as exc:
                raise StoreError(f"{self.path}: cannot create database: {exc.strerror}") from None
        elif self.path.is_dir():
            raise StoreError(f"{self.path}: is a folder, not a database file")
        conn = None
        try:
            conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT)
            self.db = Connection(conn)
            applied = self._check(create)  # before anything is written: a file that is not ours stays as it was
            self._configure()
            if applied != set(SCHEMA):
                self._migrate()
        except sqlite3.DatabaseError as exc:
            if conn is not None:
                conn.close()
            if any(word in str(exc) for word in ("locked", "busy", "malformed")):
                raise StoreError(f"{self.path}: {explain(exc)}") from None
            raise StoreError(f"{self.path}: not a kiosk database ({exc})") from None
        except StoreError:
            conn.close()
            raise

    def _configure(self) -> None:
        with self.db.ensure_autocommit_on():
            mode = self.db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise StoreError(f"{self.path}: cannot switch to WAL journal (got {mode})")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("PRAGMA foreign_keys=ON")

    def _check(self, create: bool) -> set[str]:
        """Refuse a file that is not a kiosk database; the kiosk migrations it has."""
        tables = set(self.db.table_names())
        if not tables and not create:
            raise StoreError(f"{self.path}: not a kiosk database (it is empty)")
        ours = "_sqlite_migrations" in tables and self.db.execute(
            "SELECT 1 FROM _sqlite_migrations WHERE migration_set = ? LIMIT 1", ["kiosk"]
        ).fetchone()
        if tables and not ours:
            raise StoreError(f"{self.path}: not a kiosk database (it holds other tables: {', '.join(sorted(tables)[:5])})")
        if not ours:
            return set()
        applied = {row[0] for row in self.db.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", ["kiosk"])}
        unknown = applied - set(SCHEMA)
        if unknown:
            raise StoreError(f"{self.path}: made by a newer version of kiosk (schema {sorted(unknown)[-1]});"
                             " update kiosk to read it")
        return applied

    def _migrate(self) -> None:
        """Bring the file up to SCHEMA with sqlite-utils' migrations."""
        from sqlite_utils import Database

        from .schema import migrations

        migrations.apply(Database(self.db.conn))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self):
        """One write transaction, taken with the write lock up front."""
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    # -- signatures ------------------------------------------------------------------

    def record(self, *, kind: str, name: str, message: str, event: str, kiosk_id: str,
               case: "Case | None" = None, case_id: str | None = None, at: dt.datetime | None = None) -> Signature:
        """Commit a signature and its pending print job. Returns once it is on disk.

        ``case`` also records what the case was (title, addressee, ...) for delivery lists;
        with only ``case_id`` the case is known by its id. ``at`` is the stall's clock (now).
        """
        if kind not in KINDS:
            raise ValueError(f"kind: {kind!r} is not one of {', '.join(KINDS)}")
        case_id = case.id if case is not None else case_id
        if not case_id:
            raise ValueError("case: missing")
        event = validate_event(event)
        kiosk_id = validate_kiosk_id(kiosk_id)
        moment = at or dt.datetime.now().astimezone()
        now, local = utc_iso(moment), stall_iso(moment)
        sig_id = str(uuid.uuid4())
        with self.transaction() as conn:
            if case is not None:
                self._remember_case(conn, case, now)
            else:
                conn.execute("INSERT OR IGNORE INTO cases (id) VALUES (?)", [case_id])
            (number,) = conn.execute(
                "SELECT COALESCE(MAX(number), 0) + 1 FROM signatures WHERE kiosk_id = ?", [kiosk_id]
            ).fetchone()
            conn.execute(
                "INSERT INTO signatures (id, number, case_id, kind, name, message, created_at, local_time, event, kiosk_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [sig_id, number, case_id, kind, name, message, now, local, event, kiosk_id],
            )
            conn.execute(
                "INSERT INTO print_jobs (signature_id, status, created_at, updated_at) VALUES (?, 'pending', ?, ?)",
                [sig_id, now, now],
            )
        return Signature(sig_id, number, case_id, kind, name, message, now, event, kiosk_id, local)

    @staticmethod
    def _remember_case(conn, case: "Case", now: str) -> None:
        a = case.appeal.addressee
        conn.execute(
            "INSERT INTO cases (id, title, person, country, ask, addressee_name, addressee_title, addressee_address,"
            " url, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(id) DO UPDATE SET title = excluded.title, person = excluded.person,"
            " country = excluded.country, ask = excluded.ask, addressee_name = excluded.addressee_name,"
            " addressee_title = excluded.addressee_title, addressee_address = excluded.addressee_address,"
            " url = excluded.url, updated_at = excluded.updated_at"
            # unchanged (as for nearly every letter): no write at all, so no page to sync
            " WHERE (title, person, country, ask, addressee_name, addressee_title, addressee_address, url)"
            " IS NOT (excluded.title, excluded.person, excluded.country, excluded.ask, excluded.addressee_name,"
            " excluded.addressee_title, excluded.addressee_address, excluded.url)",
            [case.id, case.title, case.person, case.country, case.ask, a.name, a.title, "\n".join(a.address),
             case.postcard.url, now],
        )

    _SIGNATURE_COLUMNS = ("id, number, case_id, kind, COALESCE(name, ''), COALESCE(message, ''), created_at, event,"
                          " kiosk_id, local_time, purged_at")

    def signature(self, sig_id: str) -> Signature | None:
        row = self.db.execute(f"SELECT {self._SIGNATURE_COLUMNS} FROM signatures WHERE id = ?", [sig_id]).fetchone()
        return Signature(*row) if row else None

    def signatures(self, scope: Scope = Scope()) -> list[Signature]:
        where, params = scope.where()
        rows = self.db.execute(
            f"SELECT {self._SIGNATURE_COLUMNS} FROM signatures s{where} ORDER BY s.local_time, s.id", params
        ).fetchall()
        return [Signature(*row) for row in rows]

    def events(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT event FROM signatures ORDER BY event")]

    def case_ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT case_id FROM signatures ORDER BY case_id")]

    def kiosk_ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT kiosk_id FROM signatures ORDER BY kiosk_id")]

    def case_rows(self) -> dict[str, dict]:
        """What each signed case was when last signed (``cases`` table), by id."""
        cur = self.db.execute("SELECT * FROM cases ORDER BY id")
        columns = [d[0] for d in cur.description]
        return {row[0]: dict(zip(columns, row)) for row in cur}

    # -- print jobs ------------------------------------------------------------------

    _JOB_COLUMNS = "id, signature_id, status, attempts, printer, last_error, updated_at"

    def job_for(self, sig_id: str) -> Job | None:
        row = self.db.execute(f"SELECT {self._JOB_COLUMNS} FROM print_jobs WHERE signature_id = ?", [sig_id]).fetchone()
        return Job(*row) if row else None

    def jobs(self, statuses=WAITING_STATES) -> list[Job]:
        marks = ",".join("?" * len(statuses))
        rows = self.db.execute(
            f"SELECT {self._JOB_COLUMNS} FROM print_jobs WHERE status IN ({marks}) ORDER BY id", list(statuses)
        ).fetchall()
        return [Job(*row) for row in rows]

    def claim_job(self, job_id: int, printer: str, *, allow=("pending", "failed")) -> bool:
        """Mark a job as printing, if it is in one of ``allow``. False if someone else has it."""
        marks = ",".join("?" * len(allow))
        with self.transaction() as conn:
            cur = conn.execute(
                "UPDATE print_jobs SET status = 'printing', attempts = attempts + 1, printer = ?, updated_at = ?"
                f" WHERE id = ? AND status IN ({marks})",
                [printer, utc_now(), job_id, *allow],
            )
            return cur.rowcount == 1

    def interrupt_job(self, job_id: int, error: str) -> None:
        """A print attempt that may have left the letter on paper: the job stays ``printing``
        (listed as *interrupted*, reprinted only on request) with the reason."""
        with self.transaction() as conn:
            conn.execute("UPDATE print_jobs SET last_error = ?, updated_at = ? WHERE id = ? AND status = 'printing'",
                         [error, utc_now(), job_id])

    def finish_job(self, job_id: int, *, error: str | None = None) -> None:
        """Record the outcome of a print attempt."""
        now = utc_now()
        with self.transaction() as conn:
            if error is None:
                conn.execute(
                    "UPDATE print_jobs SET status = 'printed', last_error = NULL, updated_at = ?, printed_at = ?"
                    " WHERE id = ?",
                    [now, now, job_id],
                )
            else:
                conn.execute(
                    "UPDATE print_jobs SET status = 'failed', last_error = ?, updated_at = ? WHERE id = ?",
                    [error, now, job_id],
                )

    # -- counts ------------------------------------------------------------------------

    def counts(self, by: Sequence[str] = ("case",), scope: Scope = Scope()) -> list[dict]:
        """Signatures counted per combination of ``by`` (see GROUPS), in key order."""
        by = [by] if isinstance(by, str) else list(by)
        for group in by:
            if group not in GROUPS:
                raise ValueError(f"--by: {group!r} is not one of {', '.join(GROUPS)}")
        if not by or len(set(by)) != len(by):
            raise ValueError("--by: name each grouping once")
        keys = [GROUPS[g][0] for g in by]
        select = [f"{key}, COALESCE(c.title, '')" if g == "case" else key for g, key in zip(by, keys)]
        columns = [column for g in by for column in GROUPS[g][1]]
        join = " LEFT JOIN cases c ON c.id = s.case_id" if "case" in by else ""
        where, params = scope.where()
        group_by = ", ".join(keys)
        rows = self.db.execute(
            f"SELECT {', '.join(select)}, COUNT(*) FROM signatures s{join}{where}"
            f" GROUP BY {group_by} ORDER BY {group_by}",
            params,
        ).fetchall()
        return [dict(zip([*columns, "count"], row)) for row in rows]

    def total(self, scope: Scope = Scope()) -> int:
        where, params = scope.where()
        return self.db.execute(f"SELECT COUNT(*) FROM signatures s{where}", params).fetchone()[0]

    def print_status_counts(self, scope: Scope = Scope()) -> dict[str, int]:
        """Appeals and postcards in ``scope`` by the state of their print job."""
        where, params = scope.where()
        rows = self.db.execute(
            f"SELECT COALESCE(j.status, 'none'), COUNT(*) FROM signatures s"
            f" LEFT JOIN print_jobs j ON j.signature_id = s.id{where} GROUP BY 1",
            params,
        ).fetchall()
        return dict(rows)

    # -- cases enabled on this kiosk ---------------------------------------------------

    def disabled_cases(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT case_id FROM case_settings WHERE enabled = 0")}

    def set_case_enabled(self, case_id: str, enabled: bool) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO case_settings (case_id, enabled, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT(case_id) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at",
                [case_id, int(enabled), utc_now()],
            )

    # -- exports -------------------------------------------------------------------------

    EXPORT_COLUMNS = (
        "id", "number", "case_id", "kind", "name", "message", "created_at", "local_time", "event", "kiosk_id",
        "print_status", "purged_at",
    )

    def export_rows(self, scope: Scope = Scope()):
        where, params = scope.where()
        cur = self.db.execute(
            "SELECT s.id, s.number, s.case_id, s.kind, s.name, s.message, s.created_at, s.local_time, s.event,"
            " s.kiosk_id, COALESCE(j.status, 'none') AS print_status, s.purged_at"
            f" FROM signatures s LEFT JOIN print_jobs j ON j.signature_id = s.id{where} ORDER BY s.local_time, s.id",
            params,
        )
        columns = [d[0] for d in cur.description]
        for row in cur:
            yield dict(zip(columns, row))

    # -- personal data -------------------------------------------------------------------

    def purge_preview(self, scope: Scope) -> tuple[int, int, int]:
        """(signatures whose names would go, of them letters not printed yet, already purged)."""
        where, params = scope.where()
        marks = ",".join("?" * len(WAITING_STATES))
        keep, unprinted, done = self.db.execute(
            "SELECT COUNT(*) FILTER (WHERE s.purged_at IS NULL),"
            f" COUNT(*) FILTER (WHERE s.purged_at IS NULL AND j.status IN ({marks})),"
            " COUNT(*) FILTER (WHERE s.purged_at IS NOT NULL)"
            f" FROM signatures s LEFT JOIN print_jobs j ON j.signature_id = s.id{where}",
            [*WAITING_STATES, *params],
        ).fetchone()
        return keep, unprinted, done

    def purge_personal_data(self, scope: Scope) -> PurgeResult:
        """Remove names and messages in ``scope``, keep every row (so every count), and
        leave nothing of them in the file: secure_delete, then VACUUM and an emptied WAL.

        Raises StoreError if another connection keeps the file from being cleaned; the
        names are gone from the data by then, and running the purge again finishes it.
        """
        where, params = scope.where()
        now = utc_now()
        self.db.execute("PRAGMA secure_delete=ON")
        in_scope = f"SELECT s.id FROM signatures s{where}"
        with self.transaction() as conn:
            cancelled = conn.execute(
                "UPDATE print_jobs SET status = 'cancelled', last_error = 'personal data purged before printing',"
                f" updated_at = ? WHERE signature_id IN ({in_scope})"
                f" AND status IN ({','.join('?' * len(WAITING_STATES))})",
                [now, *params, *WAITING_STATES],
            ).rowcount
            purged = conn.execute(
                "UPDATE signatures SET name = NULL, message = NULL, purged_at = ?"
                f" WHERE id IN ({in_scope}) AND purged_at IS NULL",
                [now, *params],
            ).rowcount
        self.scrub()
        return PurgeResult(purged, cancelled)

    def scrub(self) -> None:
        """Rewrite the file without free pages and empty its WAL, so removed data is gone."""
        with self.db.ensure_autocommit_on():
            self._checkpoint()
            self.db.execute("VACUUM")
            self._checkpoint()

    def _checkpoint(self) -> None:
        busy, _, _ = self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            raise StoreError(
                f"{self.path}: another program has the database open (a running kiosk?), so removed data may"
                " still be in its journal; close it and run the purge again"
            )
