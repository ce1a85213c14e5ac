"""Merging kiosks: other kiosks' databases into one, each signature once.

A signature is known by its UUID, so merging the same file twice, or two copies that
overlap, adds nothing the second time. Each source is first copied (SQLite's backup API,
read-only, WAL included) to a temporary file, and only the copy is checked and migrated:
the source file itself is never written. A file that is not a kiosk database, is damaged,
or comes from a newer kiosk is refused before anything is merged.

What is merged: the signatures, their print jobs (so delivery lists show what printed; a
letter printed on its kiosk since an earlier merge is marked printed here too) and the case
snapshots (the newest wins). A name removed by a purge in either file stays
removed. Not merged: a kiosk's own case on/off settings.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

from ..errors import StoreError
from ..job_states import FINAL
from .connection import Database, explain, is_locked_or_damaged
from .jobs import marks
from .models import MergeResult, utc_now


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


@contextmanager
def checked_copy(source: Path, workdir: Path) -> Iterator[Database]:
    """A migrated, integrity-checked copy of ``source``; StoreError naming the source, which is untouched."""
    source = Path(source)

    def refuse(problem: str) -> StoreError:
        return StoreError(problem, source=str(source))

    if not source.exists():
        raise refuse("no such file")
    if source.is_dir():
        raise refuse("is a folder, not a database file")
    import tempfile  # only a merge makes copies

    fd, name = tempfile.mkstemp(prefix="kiosk-merge-", suffix=".db", dir=workdir)
    os.close(fd)
    copy = Path(name)
    try:
        try:
            src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
            try:
                dst = sqlite3.connect(copy)
                src.backup(dst)
                dst.close()
            finally:
                src.close()
        except sqlite3.Error as exc:
            raise refuse(explain(exc) if is_locked_or_damaged(exc) else f"not a kiosk database ({exc})") from None
        try:
            store = Database(copy, create=False)
        except StoreError as exc:
            raise exc.at(str(source)) from None
        try:
            problem = store.integrity_problem()
            if problem is not None:
                raise refuse(f"{problem}; not merged")
            yield store
        finally:
            store.close()
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)


_CASE_COLUMNS = ("id", "title", "person", "country", "ask", "addressee_name", "addressee_title", "addressee_address",
                 "url", "updated_at")
_SIGNATURE_COLUMNS = ("id", "number", "case_id", "kind", "name", "message", "created_at", "local_time", "event",
                      "kiosk_id", "purged_at")
_JOB_COLUMNS = ("signature_id", "status", "attempts", "printer", "last_error", "created_at", "updated_at",
                "printed_at")
_DONE = [state.value for state in FINAL]


def merge_copy(target: Database, copy: Database, source: Path) -> MergeResult:
    """Merge an already checked copy (see :func:`checked_copy`) into ``target``, in one transaction."""
    cases, sigs, jobs = (", ".join(c) for c in (_CASE_COLUMNS, _SIGNATURE_COLUMNS, _JOB_COLUMNS))
    updates = ", ".join(f"{c} = excluded.{c}" for c in _CASE_COLUMNS[1:])
    conn = target.db.conn
    conn.execute("ATTACH DATABASE ? AS src", [str(copy.path)])
    try:
        with target.transaction():
            (in_source,) = conn.execute("SELECT COUNT(*) FROM src.signatures").fetchone()
            conn.execute(
                f"INSERT INTO cases ({cases}) SELECT {cases} FROM src.cases WHERE true"
                f" ON CONFLICT(id) DO UPDATE SET {updates} WHERE excluded.updated_at IS NOT NULL"
                " AND (cases.updated_at IS NULL OR excluded.updated_at > cases.updated_at)"
            )
            added = conn.execute(
                f"INSERT OR IGNORE INTO signatures ({sigs}) SELECT {sigs} FROM src.signatures").rowcount
            conn.execute(f"INSERT OR IGNORE INTO print_jobs ({jobs}) SELECT {jobs} FROM src.print_jobs")
            # A letter printed (or cancelled) on its kiosk since an earlier merge is done here too:
            # left waiting, a retry on this file would print it a second time.
            done = ", ".join(_JOB_COLUMNS[1:])
            conn.execute(
                f"UPDATE print_jobs SET ({done}) = (SELECT {done} FROM src.print_jobs p"
                " WHERE p.signature_id = print_jobs.signature_id)"
                f" WHERE status NOT IN ({marks(_DONE)}) AND signature_id IN"
                f" (SELECT signature_id FROM src.print_jobs WHERE status IN ({marks(_DONE)}))",
                [*_DONE, *_DONE],
            )
            # A name purged anywhere stays purged here too.
            conn.execute(
                "UPDATE signatures SET name = NULL, message = NULL,"
                " purged_at = (SELECT p.purged_at FROM src.signatures p WHERE p.id = signatures.id)"
                " WHERE purged_at IS NULL AND id IN (SELECT id FROM src.signatures WHERE purged_at IS NOT NULL)"
            )
            conn.execute(
                "INSERT INTO merges (source, merged_at, signatures_in_source, signatures_added) VALUES (?, ?, ?, ?)",
                [str(source), utc_now(), in_source, added],
            )
    finally:
        conn.execute("DETACH DATABASE src")
    return MergeResult(Path(source), in_source, added)


class Merging(Database):
    def merge(self, sources: Sequence[Path], *, workdir: Path | None = None) -> list[MergeResult]:
        """Merge every source into this database. Every source is checked before any is merged."""
        workdir = workdir or self.path.parent
        for source in sources:
            if _same_file(Path(source), self.path):
                raise StoreError("is the target database itself", source=str(source))
        with ExitStack() as stack:
            copies = [stack.enter_context(checked_copy(Path(s), workdir)) for s in sources]
            return [merge_copy(self, copy, Path(source)) for source, copy in zip(sources, copies, strict=True)]
