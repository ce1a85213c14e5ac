"""The signature store: one SQLite file, durable before anything is printed.

Every signature is committed (WAL, ``synchronous=FULL``) together with a pending print
job in one transaction; only then does anything go to a printer. Print jobs move
``pending -> printing -> printed`` or ``-> failed``. A job left in ``printing`` by a
crash is *interrupted*: it may or may not be on paper, so it is listed for a volunteer and
never reprinted silently.

A Store holds one sqlite3 connection and must stay in the thread that opened it; open one
Store per thread.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from .text import validate_event, validate_kiosk_id

KINDS = ("appeal", "postcard")
JOB_STATES = ("pending", "printing", "printed", "failed")
GROUPS = {
    "case": "case_id",
    "event": "event",
    "kiosk": "kiosk_id",
    "kind": "kind",
    "day": "substr(created_at, 1, 10)",
    "hour": "substr(created_at, 1, 13) || ':00Z'",
}
GROUP_COLUMNS = {"case": "case_id", "event": "event", "kiosk": "kiosk_id", "kind": "kind", "day": "day", "hour": "hour"}

migrations = Migrations("kiosk")


@migrations(name="0001_signatures_and_print_jobs")
def _m0001(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE signatures (
            id TEXT PRIMARY KEY,                -- UUID, unique across kiosks
            number INTEGER NOT NULL,            -- running number on this kiosk
            case_id TEXT NOT NULL,              -- file name of the case, without .toml
            kind TEXT NOT NULL CHECK (kind IN ('appeal', 'postcard')),
            name TEXT,                          -- the visitor's name (NULL once purged)
            message TEXT,                       -- the visitor's own words (NULL once purged)
            created_at TEXT NOT NULL,           -- UTC, ISO 8601
            event TEXT NOT NULL,
            kiosk_id TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE print_jobs (
            id INTEGER PRIMARY KEY,
            signature_id TEXT NOT NULL UNIQUE REFERENCES signatures(id),
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'printing', 'printed', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            printer TEXT,                       -- the printer of the last attempt
            last_error TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            printed_at TEXT
        )
        """
    )
    db.execute("CREATE INDEX signatures_case_id ON signatures(case_id)")
    db.execute("CREATE INDEX signatures_created_at ON signatures(created_at)")
    db.execute("CREATE INDEX signatures_kiosk_number ON signatures(kiosk_id, number)")
    db.execute("CREATE INDEX print_jobs_status ON print_jobs(status)")


@migrations(name="0002_case_settings")
def _m0002(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE case_settings (
            case_id TEXT PRIMARY KEY,           -- file name of the case, without .toml
            enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),  -- 0: not offered on this kiosk
            updated_at TEXT NOT NULL
        )
        """
    )


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

    @property
    def reference(self) -> str:
        return f"{self.event} / {self.kiosk_id} / #{self.number:04d}"

    @property
    def created(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.created_at.replace("Z", "+00:00"))


@dataclass(frozen=True)
class Job:
    id: int
    signature_id: str
    status: str
    attempts: int
    printer: str | None
    last_error: str | None
    updated_at: str


def utc_iso(moment: dt.datetime) -> str:
    """The stored form of a time: UTC, ISO 8601, microseconds, ``Z``."""
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def utc_now() -> str:
    return utc_iso(dt.datetime.now(dt.timezone.utc))


def local_day_bounds(day: dt.date) -> tuple[str, str]:
    """The UTC times at which a local calendar day starts and ends (end exclusive)."""
    start = dt.datetime.combine(day, dt.time.min).astimezone()
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min).astimezone()
    return utc_iso(start), utc_iso(end)


def _create_private(path: Path) -> None:
    """Create an empty database file readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


class Store:
    def __init__(self, path: Path | str, *, create: bool = True):
        self.path = Path(path)
        if not self.path.exists():
            if not create:
                raise StoreError(f"{self.path}: no such database")
            try:
                _create_private(self.path)
            except FileExistsError:
                pass
            except OSError as exc:
                raise StoreError(f"{self.path}: cannot create database: {exc.strerror}") from None
        elif self.path.is_dir():
            raise StoreError(f"{self.path}: is a folder, not a database file")
        try:
            conn = sqlite3.connect(str(self.path), timeout=15)
            self.db = Database(conn)
            self._configure()
            self._check_and_migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a kiosk database ({exc})") from None

    def _configure(self) -> None:
        with self.db.ensure_autocommit_on():
            mode = self.db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise StoreError(f"{self.path}: cannot switch to WAL journal (got {mode})")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("PRAGMA foreign_keys=ON")

    def _check_and_migrate(self) -> None:
        tables = set(self.db.table_names())
        ours = "_sqlite_migrations" in tables and self.db.execute(
            "SELECT 1 FROM _sqlite_migrations WHERE migration_set = ? LIMIT 1", ["kiosk"]
        ).fetchone()
        if tables and not ours:
            raise StoreError(f"{self.path}: not a kiosk database (it holds other tables: {', '.join(sorted(tables)[:5])})")
        migrations.apply(self.db)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def _write(self):
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

    def record(self, *, case_id: str, kind: str, name: str, message: str, event: str, kiosk_id: str) -> Signature:
        """Commit a signature and its pending print job. Returns once it is on disk."""
        if kind not in KINDS:
            raise ValueError(f"kind: {kind!r} is not one of {', '.join(KINDS)}")
        event = validate_event(event)
        kiosk_id = validate_kiosk_id(kiosk_id)
        now = utc_now()
        sig_id = str(uuid.uuid4())
        with self._write() as conn:
            (number,) = conn.execute(
                "SELECT COALESCE(MAX(number), 0) + 1 FROM signatures WHERE kiosk_id = ?", [kiosk_id]
            ).fetchone()
            conn.execute(
                "INSERT INTO signatures (id, number, case_id, kind, name, message, created_at, event, kiosk_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [sig_id, number, case_id, kind, name, message, now, event, kiosk_id],
            )
            conn.execute(
                "INSERT INTO print_jobs (signature_id, status, created_at, updated_at) VALUES (?, 'pending', ?, ?)",
                [sig_id, now, now],
            )
        return Signature(sig_id, number, case_id, kind, name, message, now, event, kiosk_id)

    def signature(self, sig_id: str) -> Signature | None:
        row = self.db.execute(
            "SELECT id, number, case_id, kind, COALESCE(name, ''), COALESCE(message, ''), created_at, event, kiosk_id"
            " FROM signatures WHERE id = ?",
            [sig_id],
        ).fetchone()
        return Signature(*row) if row else None

    # -- print jobs ------------------------------------------------------------------

    def job_for(self, sig_id: str) -> Job | None:
        row = self.db.execute(
            "SELECT id, signature_id, status, attempts, printer, last_error, updated_at FROM print_jobs"
            " WHERE signature_id = ?",
            [sig_id],
        ).fetchone()
        return Job(*row) if row else None

    def jobs(self, statuses=("pending", "failed", "printing")) -> list[Job]:
        marks = ",".join("?" * len(statuses))
        rows = self.db.execute(
            "SELECT id, signature_id, status, attempts, printer, last_error, updated_at FROM print_jobs"
            f" WHERE status IN ({marks}) ORDER BY id",
            list(statuses),
        ).fetchall()
        return [Job(*row) for row in rows]

    def claim_job(self, job_id: int, printer: str, *, allow=("pending", "failed")) -> bool:
        """Mark a job as printing, if it is in one of ``allow``. False if someone else has it."""
        marks = ",".join("?" * len(allow))
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE print_jobs SET status = 'printing', attempts = attempts + 1, printer = ?, updated_at = ?"
                f" WHERE id = ? AND status IN ({marks})",
                [printer, utc_now(), job_id, *allow],
            )
            return cur.rowcount == 1

    def finish_job(self, job_id: int, *, error: str | None = None) -> None:
        """Record the outcome of a print attempt."""
        now = utc_now()
        with self._write() as conn:
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

    # -- counts and exports ----------------------------------------------------------

    @staticmethod
    def _where(since: str | None, until: str | None, kiosk_id: str | None, event: str | None):
        """A WHERE clause: ``since`` inclusive, ``until`` exclusive (UTC ISO times)."""
        terms, params = [], []
        for term, value in (("created_at >= ?", since), ("created_at < ?", until), ("kiosk_id = ?", kiosk_id),
                            ("event = ?", event)):
            if value is not None:
                terms.append(term)
                params.append(value)
        return (" WHERE " + " AND ".join(terms) if terms else ""), params

    def counts(self, by: str = "case", *, since=None, until=None, kiosk_id=None, event=None) -> list[dict]:
        if by not in GROUPS:
            raise ValueError(f"--by: {by!r} is not one of {', '.join(GROUPS)}")
        expr, column = GROUPS[by], GROUP_COLUMNS[by]
        where, params = self._where(since, until, kiosk_id, event)
        rows = self.db.execute(
            f"SELECT {expr} AS key, COUNT(*) FROM signatures{where} GROUP BY key ORDER BY key", params
        ).fetchall()
        return [{column: key, "count": count} for key, count in rows]

    def total(self, *, since=None, until=None, kiosk_id=None, event=None) -> int:
        where, params = self._where(since, until, kiosk_id, event)
        return self.db.execute(f"SELECT COUNT(*) FROM signatures{where}", params).fetchone()[0]

    # -- cases enabled on this kiosk ---------------------------------------------------

    def disabled_cases(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT case_id FROM case_settings WHERE enabled = 0")}

    def set_case_enabled(self, case_id: str, enabled: bool) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO case_settings (case_id, enabled, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT(case_id) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at",
                [case_id, int(enabled), utc_now()],
            )

    def export_rows(self):
        cur = self.db.execute(
            "SELECT s.id, s.number, s.case_id, s.kind, s.name, s.message, s.created_at, s.event, s.kiosk_id,"
            " COALESCE(j.status, 'none') AS print_status"
            " FROM signatures s LEFT JOIN print_jobs j ON j.signature_id = s.id ORDER BY s.created_at, s.id"
        )
        columns = [d[0] for d in cur.description]
        for row in cur:
            yield dict(zip(columns, row))

    EXPORT_COLUMNS = (
        "id", "number", "case_id", "kind", "name", "message", "created_at", "event", "kiosk_id", "print_status",
    )
