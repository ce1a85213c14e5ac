"""Opening a kiosk database: checks before anything is written, WAL, migrations, transactions.

A file that is not a kiosk database (another program's SQLite file, text, a damaged file,
one from a newer kiosk) is refused with one :class:`~kiosk.errors.StoreError` naming it,
and is left exactly as it was. No sqlite3 error leaves the store: every public method of a
room of the store raises a StoreError naming the file instead, in words an organiser can
act on ("database is locked: another program is writing to it ...").
"""

from __future__ import annotations

import functools
import os
import sqlite3
import types
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Self

from ..errors import StoreError
from ..files import UnreadableFile, check_regular
from ..private import create_private
from .readonly import ReadOnlyFile, check_journals, text

BUSY_TIMEOUT = 15.0  # seconds to wait for another writer before "database is locked"

# The schema's migrations, in order (kiosk/store/schema.py; a test keeps the two lists equal).
# Knowing their names here lets a kiosk open an up-to-date file without importing
# sqlite-utils, which is only needed to apply a migration.
SCHEMA = ("0001_signatures_and_print_jobs", "0002_case_settings", "0003_cases_stall_time_purge_merges",
          "0004_letter_addressee", "0005_consents", "0006_letter_languages", "0007_sync_outbox",
          "0008_honest_counts", "0009_signer_place")

_LOCKED = ("SQLITE_BUSY", "SQLITE_LOCKED")
_JOURNALS = ("-wal", "-shm", "-journal")
_ANY_SIZE = 1 << 62  # the kiosk's own database: any size, but a regular file
CHANGED_WHILE_READ = ("the file was written while it was read (a kiosk is using it?);"
                      " nothing was read, run the command again")


def journal_of(path: Path) -> str | None:
    """Why ``path`` may not be opened as a database: it is ``kiosk.db-wal`` (``-shm``, ``-journal``)
    beside ``kiosk.db``, and opening it would cost ``kiosk.db`` its latest letters. None if it is not."""
    for suffix in _JOURNALS:
        if path.name.endswith(suffix) and path.name != suffix:
            base = path.with_name(path.name[: -len(suffix)])
            if base.is_file():
                return f"is the {suffix} file of {base.name}, not a database; name {base.name} instead"
    return None


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK) and os.access(path.parent if str(path.parent) else Path("."), os.W_OK)


def _remove(path: Path) -> None:
    for suffix in ("", *_JOURNALS):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


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


def _text_row(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A row as the kiosk reads it: a BLOB that another program put where text belongs
    (a name, a message) reads as text, so that no export, report or receipt meets bytes."""
    if any(isinstance(value, bytes) for value in row):
        return tuple(text(value) if isinstance(value, bytes) else value for value in row)
    return row


class Connection:
    """The few things the store asks of its sqlite3 connection."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        conn.row_factory = _text_row  # the schema has no BLOB column: every value reads as text or a number

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

    def __init__(self, path: Path | str, *, create: bool = True, readonly: bool = False):
        """Open (or, with ``create``, make) the kiosk database at ``path``.

        ``readonly``: only read it (an export, the report): it is opened as
        :class:`~kiosk.store.readonly.ReadOnlyFile` says, never written, and nothing is made
        beside it; a file from an older kiosk is read through a migrated private copy."""
        self.path = Path(path)
        self.readonly = readonly
        self._reading: ReadOnlyFile | None = None
        self._copy: Path | None = None
        self._refuse_journal()
        self._made = False  # this open made the file: a failed open removes it again
        if not self._exists():
            if not create or readonly:
                raise self.error("no such database")
            try:
                create_private(self.path)  # SQLite gives its -wal and -shm files the same mode
                self._made = True
            except FileExistsError:
                pass
            except OSError as exc:
                raise self.error(f"cannot create database: {exc.strerror}") from None
        elif self.path.is_dir():
            raise self.error("is a folder, not a database file")
        conn = None
        try:
            if readonly:
                self._reading = ReadOnlyFile(self.path)
                conn = self._reading.conn
            else:
                check_regular(self.path, _ANY_SIZE)  # a FIFO or a device would hang SQLite, or worse
                check_journals(self.path, _ANY_SIZE)
                conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT)
                conn.text_factory = text
            self.db = Connection(conn)
            applied = self._check(create and not readonly)  # before anything is written: not ours, left as it was
            if readonly:
                if applied != set(SCHEMA):
                    self._read_migrated_copy()
            else:
                self._configure()
                if applied != set(SCHEMA):
                    self._migrate()
        except UnreadableFile as exc:
            self._abandon(conn)
            raise self.error(str(exc)) from None
        except sqlite3.DatabaseError as exc:
            self._abandon(conn)
            raise self.error(self._open_problem(exc)) from None
        except BaseException:
            self._abandon(conn)
            raise

    def _open_problem(self, exc: sqlite3.DatabaseError) -> str:
        name = getattr(exc, "sqlite_errorname", "") or ""
        if is_locked_or_damaged(exc):
            return explain(exc)
        if name.startswith("SQLITE_FULL"):
            return f"the disk is full: free some space, nothing was changed ({exc})"
        if name.startswith("SQLITE_IOERR"):
            return f"the disk failed to read or write it (full, or the stick pulled out?): nothing was changed ({exc})"
        if name.startswith("SQLITE_CANTOPEN"):
            from .open_files import out_of_files

            if limit := out_of_files():  # not write-protected: too many files open
                return limit
        if not name.startswith("SQLITE_NOTADB") and not self.readonly and (
                name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN")) or not _writable(self.path)):
            return (f"cannot write to it: the file or its folder is write-protected (a locked stick or card?);"
                    f" commands that only read it (export, report, merge from it) can still use it ({exc})")
        return f"not a kiosk database ({exc})"

    def _exists(self) -> bool:
        try:
            return self.path.exists()
        except ValueError:  # a NUL in the name
            raise self.error("not a valid file name") from None

    def _refuse_journal(self) -> None:
        problem = journal_of(self.path)
        if problem:
            raise self.error(problem)

    def _abandon(self, conn: sqlite3.Connection | None) -> None:
        """Close what an open that failed had opened."""
        if self._reading is not None:
            self._reading.close()
            self._reading = None
        elif conn is not None:
            conn.close()
        if self._copy is not None:
            self.db.close()
            _remove(self._copy)
            self._copy = None
        if self._made:  # a database this open made, and could not finish (a full disk): never left half made
            with suppress(OSError):
                _remove(self.path)
            self._made = False

    def _read_migrated_copy(self) -> None:
        """An older kiosk's file opened for reading: migrate a private copy, and read that."""
        import tempfile

        assert self._reading is not None
        fd, name = tempfile.mkstemp(prefix="kiosk-read-", suffix=".db")
        os.close(fd)
        self._copy = Path(name)
        self._reading.backup_to(self._copy)
        changed = self._reading.changed()
        self._reading.close()
        self._reading = None
        if changed:
            raise self.error(CHANGED_WHILE_READ)
        conn = sqlite3.connect(self._copy)
        conn.text_factory = text
        self.db = Connection(conn)
        self._migrate()

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

    def scrub(self) -> bool:
        """Rewrite the file without free pages and empty its WAL, so removed data is gone; True
        when done. False when another program reading or writing the file (a running kiosk, a
        database viewer holding a transaction) keeps it from being done: what was removed is
        gone from the tables, and ``secure_delete`` overwrote it in the pages written now, but
        the older copies of those pages that program may still read stay in the file (and the
        journal) until SQLite copies the journal into the file, at the latest when that program
        closes it. Called after a removal is committed: it never undoes or hides one."""
        with self.db.ensure_autocommit_on():
            try:
                self._checkpoint()
                self.db.execute("VACUUM")
                return self._checkpoint()
            except sqlite3.OperationalError as exc:
                if (getattr(exc, "sqlite_errorname", "") or "").startswith(_LOCKED):  # another writer holds it
                    return False
                raise

    def _checkpoint(self) -> bool:
        """Copy the WAL into the file and empty it; False if a reader keeps part of it in use."""
        busy, _, _ = self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return not busy


    def integrity_problem(self) -> str | None:
        """None when ``PRAGMA integrity_check`` says ok, else what it found."""
        try:
            (verdict,) = self.db.execute("PRAGMA integrity_check").fetchone()
        except sqlite3.DatabaseError as exc:  # damaged beyond what the check can report
            return explain(exc)
        return None if verdict == "ok" else f"damaged database ({verdict})"

    def check_unchanged(self) -> None:
        """StoreError if a file opened for reading was written while it was read (what was read may be torn)."""
        if self._reading is not None and self._reading.changed():
            raise self.error(CHANGED_WHILE_READ)

    def close(self) -> None:
        if self._reading is not None:
            self._reading.close()
            self._reading = None
        else:
            self.db.close()
        if self._copy is not None:
            _remove(self._copy)
            self._copy = None

    def remove(self) -> None:
        """Delete this closed database file and its journals (a file just made that stayed empty)."""
        _remove(self.path)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        try:
            if exc_type is None:
                self.check_unchanged()
        finally:
            self.close()

    @contextmanager
    def guard(self) -> Iterator[Self]:
        """Any sqlite3 error met inside becomes a StoreError naming this file."""
        try:
            yield self
        except sqlite3.Error as exc:
            raise self.error(explain(exc)) from None

    @contextmanager
    def transaction(self, *, synced: bool = True) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken with the write lock up front.

        ``synced`` (always, but for the few writes docs/database.md names): its COMMIT returns once
        it is on the disk (``synchronous=FULL``), so a power cut keeps it. Not synced
        (``synchronous=NORMAL`` for this transaction alone): a crash of the process keeps it, but a
        power cut before the next synced commit (which syncs it too) may lose it, so only a write
        whose loss leaves the safe side may be made so."""
        if self.readonly:
            raise self.error("cannot write to the database: it was opened only to read it")
        conn = self.db.conn
        if not synced:
            conn.execute("PRAGMA synchronous=NORMAL")
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            if not synced:  # every other commit of this connection syncs again
                conn.execute("PRAGMA synchronous=FULL")
