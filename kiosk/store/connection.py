"""Opening a kiosk database: checks before anything is written, WAL, migrations, transactions.

A file that is not a kiosk database (another program's SQLite file, text, a damaged file,
one from a newer kiosk) is refused with one :class:`~kiosk.errors.StoreError` naming it,
and is left exactly as it was. No sqlite3 error leaves the store: every public method of a
room of the store raises a StoreError naming the file instead, in words an organiser can
act on ("database is locked: another program is writing to it ...").
"""

from __future__ import annotations

import functools
import sqlite3
import types
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

from ..errors import StoreError
from ..private import create_private

BUSY_TIMEOUT = 15.0  # seconds to wait for another writer before "database is locked"

# The schema's migrations, in order (kiosk/store/schema.py; a test keeps the two lists equal).
# Knowing their names here lets a kiosk open an up-to-date file without importing
# sqlite-utils, which is only needed to apply a migration.
SCHEMA = ("0001_signatures_and_print_jobs", "0002_case_settings", "0003_cases_stall_time_purge_merges")

_LOCKED = ("SQLITE_BUSY", "SQLITE_LOCKED")


def explain(exc: sqlite3.Error) -> str:
    """A database error in words an organiser can act on."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith(_LOCKED):
        return "database is locked: another program is writing to it (a running kiosk?); close it and try again"
    if name.startswith("SQLITE_CORRUPT"):
        return f"damaged database file ({exc})"
    if name.startswith("SQLITE_NOTADB"):
        return f"not a kiosk database ({exc})"
    if name.startswith("SQLITE_READONLY"):
        return f"cannot write to the database ({exc})"
    if name.startswith("SQLITE_FULL"):
        return f"the disk is full ({exc})"
    return str(exc)


def is_locked_or_damaged(exc: sqlite3.Error) -> bool:
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name.startswith((*_LOCKED, "SQLITE_CORRUPT"))


class Connection:
    """The few things the store asks of its sqlite3 connection."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def execute(self, sql: str, params: Sequence[object] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def table_names(self) -> list[str]:
        return [row[0] for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]

    @contextmanager
    def ensure_autocommit_on(self) -> Iterator[None]:
        """Statements that must run outside a transaction (PRAGMAs, VACUUM)."""
        before = self.conn.isolation_level
        self.conn.isolation_level = None
        try:
            yield
        finally:
            self.conn.isolation_level = before

    def close(self) -> None:
        self.conn.close()


_GENERATOR = 0x20  # inspect.CO_GENERATOR, without loading inspect


def _guarded(method: types.FunctionType) -> Callable[..., Any]:
    """``method`` with any sqlite3 error it meets turned into a StoreError naming the file."""
    if method.__code__.co_flags & _GENERATOR:
        @functools.wraps(method)
        def rows(self: Database, *args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                yield from method(self, *args, **kwargs)
            except sqlite3.Error as exc:
                raise self.error(explain(exc)) from None

        return rows

    @functools.wraps(method)
    def call(self: Database, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise self.error(explain(exc)) from None

    return call


class Database:
    """One open kiosk database file. A Database holds one sqlite3 connection and must stay
    in the thread that opened it; open one per thread.

    Each room of the store is a subclass; its public methods are guarded as they are
    defined, so none of them lets a sqlite3 error out."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, value in list(vars(cls).items()):
            if not name.startswith("_") and isinstance(value, types.FunctionType):
                setattr(cls, name, _guarded(value))

    def __init__(self, path: Path | str, *, create: bool = True):
        self.path = Path(path)
        if not self.path.exists():
            if not create:
                raise self.error("no such database")
            try:
                create_private(self.path)  # SQLite gives its -wal and -shm files the same mode
            except FileExistsError:
                pass
            except OSError as exc:
                raise self.error(f"cannot create database: {exc.strerror}") from None
        elif self.path.is_dir():
            raise self.error("is a folder, not a database file")
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
            if is_locked_or_damaged(exc):
                raise self.error(explain(exc)) from None
            raise self.error(f"not a kiosk database ({exc})") from None
        except StoreError:
            if conn is not None:
                conn.close()
            raise

    def error(self, problem: str) -> StoreError:
        return StoreError(problem, source=str(self.path))

    def _configure(self) -> None:
        with self.db.ensure_autocommit_on():
            mode = self.db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise self.error(f"cannot switch to WAL journal (got {mode})")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("PRAGMA foreign_keys=ON")

    def _check(self, create: bool) -> set[str]:
        """Refuse a file that is not a kiosk database; the kiosk migrations it has."""
        tables = set(self.db.table_names())
        if not tables and not create:
            raise self.error("not a kiosk database (it is empty)")
        ours = "_sqlite_migrations" in tables and self.db.execute(
            "SELECT 1 FROM _sqlite_migrations WHERE migration_set = ? LIMIT 1", ["kiosk"]
        ).fetchone()
        if tables and not ours:
            raise self.error(f"not a kiosk database (it holds other tables: {', '.join(sorted(tables)[:5])})")
        if not ours:
            return set()
        applied = {row[0] for row in self.db.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", ["kiosk"])}
        unknown = applied - set(SCHEMA)
        if unknown:
            newest = sorted(unknown)[-1]
            raise self.error(f"made by a newer version of kiosk (schema {newest}); update kiosk to read it")
        return applied

    def _migrate(self) -> None:
        """Bring the file up to SCHEMA with sqlite-utils' migrations."""
        from sqlite_utils import Database as Migratable

        from .schema import migrations

        migrations.apply(Migratable(self.db.conn))

    def integrity_problem(self) -> str | None:
        """None when ``PRAGMA integrity_check`` says ok, else what it found."""
        try:
            (verdict,) = self.db.execute("PRAGMA integrity_check").fetchone()
        except sqlite3.DatabaseError as exc:  # damaged beyond what the check can report
            return explain(exc)
        return None if verdict == "ok" else f"damaged database ({verdict})"

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def guard(self) -> Iterator[Self]:
        """Any sqlite3 error met inside becomes a StoreError naming this file."""
        try:
            yield self
        except sqlite3.Error as exc:
            raise self.error(explain(exc)) from None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken with the write lock up front."""
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
