"""Merging kiosks: other kiosks' databases into one, each signature once, all or nothing.

One ``merge`` call is one transaction over all its sources: if any source is refused, or
any row of one, the target is left exactly as it was, and the error names that source (and
the row). The target's own trouble (locked, disk full) names the target.

**Sources are only read.** Each is opened as :class:`~kiosk.store.readonly.ReadOnlyFile`
(a regular file of at most 2 GB; nothing is created beside it, a write-protected stick is
fine, its ``-wal`` is read) and copied (SQLite's backup) into a private temporary file
beside the target; only the copy is checked (``integrity_check``) and migrated. A file that
is not a kiosk database, is damaged, comes from a newer kiosk, is the target itself (or a
link to it) or one of the target's journal files is refused before anything is merged.

**Every row is checked as recording checks a letter** (:mod:`kiosk.store.rows`: the same
``validate_name``, ``validate_message``, case id, kind, kiosk id and event rules, UUID ids,
times as the kiosk writes them, UTF-8 text, known job states, bounded numbers) and stored as
recording would have stored it (its text cleaned). A row recording would refuse makes the
whole merge refused. A row already in the target exactly as it is in the source (the same key,
every column the same value of the same type, as the target was before this merge) was checked
when it came and changes nothing: it is left out in SQL and never read, so a re-merge costs
little more than SQLite's own ``INSERT OR IGNORE``.

**One source at a time.** Each is copied, checked, merged and closed before the next is opened,
so any number merge whatever the open-file limit; a file the limit keeps shut is refused as
that (:mod:`.open_files`), never as a damaged file.

**What is merged, and what wins:**

- A signature is known by its UUID. New ones are added with their print job. One already
  here with the same content (number, case, kind, event, kiosk, time, its languages, name,
  message and place) is
  *already here*. One with the same id but other content is a **conflict**: the copy
  already here is kept, and the conflict is reported (id, reference, what differs).
- **A purge wins.** A name, message and place removed on either side (``purged_at`` set) is not a
  conflict: the letter stays, without them, here too, and a print job of it still waiting is
  cancelled (there is no name left to print). A purged row never brings a name back. What
  a source's purge removes here is scrubbed as a purge scrubs it (secure_delete, VACUUM,
  an emptied WAL).
- Print jobs: the state that says most about the paper wins: printed, then cancelled, then
  interrupted (maybe on paper: left for a person to look at), then failed, then pending. So a
  letter printed on its kiosk is never waiting here to print again.
- An appeal keeps the addressee it was written to; one here without it (made before kiosks
  kept it) takes the source's. The case snapshots (titles, and the addressee of letters
  older than that) are the newest by ``updated_at``.
- A new letter whose reference (event / kiosk / number) another letter already has (two
  kiosks set up with the same kiosk id) is added and reported: it is another letter.
- Handwritten letters' entries (``paper_letters``) are known by their UUID too, each correction
  being an entry of its own; a correction comes only with the entry it corrects, and only as
  recording makes one. Same id, other content: a conflict, the one here kept.
- Answers to "may we contact you" are known by their UUID too. One with other content, or
  another answer for a letter and channel answered here, or an answer whose letter is a
  conflict, is a **conflict**: the answer here is kept, and it is reported as a signature's
  is (the answer's id, its letter's reference, what differs).

Not merged: a kiosk's own case on/off settings.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from ..errors import StoreError
from ..files import UnreadableFile
from ..job_states import JobState, Transition
from .connection import CHANGED_WHILE_READ, Database, explain, is_locked_or_damaged, journal_of
from .jobs import marks, move_jobs
from .models import Conflict, MergeResult, reference, utc_now
from .open_files import MERGE_FEWER, open_file_limit
from .open_files import out_of_files as _out_of_files
from .readonly import ReadOnlyFile
from .rows import (
    BadRow,
    Incoming,
    case_row,
    consent_row,
    consent_text_row,
    job_row,
    paper_correction,
    paper_row,
    signature_id,
    signature_row,
    wording_key,
)

Tick = Callable[[int, "int | None"], None]  # how far a merge is: (letters read, letters in all, if known)
_CASE_COLUMNS = ("id", "title", "person", "country", "ask", "addressee_name", "addressee_title", "addressee_address",
                 "url", "updated_at")
_SIGNATURE_COLUMNS = ("id", "number", "case_id", "kind", "name", "message", "created_at", "local_time", "event",
                      "kiosk_id", "purged_at", "addressee_name", "addressee_title", "addressee_address", "language",
                      "letter_language", "signer", "place")
_JOB_COLUMNS = ("signature_id", "status", "attempts", "printer", "last_error", "created_at", "updated_at",
                "printed_at", "held_reason", "decision", "decided_at")
_TEXT_COLUMNS = ("id", "language", "version", "controller", "lawful_basis", "privacy_url", "minimum_age", "question",
                 "statement", "notice", "first_shown_at")
_CONSENT_COLUMNS = ("id", "signature_id", "channel", "choice", "email", "text_id", "language", "age_confirmed",
                    "created_at", "local_time", "exported_at", "purged_at")
# Compared to tell an answer "already here" from a conflict (the address too, unless either side is purged).
_CONSENT_CONTENT = ("signature_id", "channel", "choice", "text_id", "language", "age_confirmed", "created_at")
# Compared to tell "already here" from a conflict (name and message too, unless either side is purged).
_CONTENT = ("number", "case_id", "kind", "event", "kiosk_id", "created_at", "language", "letter_language")
# The higher, the more a job's state says about the paper: it wins. A held letter is recorded held and only
# ever leaves it by a volunteer's decision, so every other state is later news than held.
_RANK = {JobState.HELD: 0, JobState.PENDING: 1, JobState.FAILED: 2, JobState.PRINTING: 3, JobState.REJECTED: 4,
         JobState.CANCELLED: 5, JobState.PRINTED: 6}
_PAPER_COLUMNS = ("id", "case_id", "kind", "count", "corrects", "note", "created_at", "local_time", "event",
                  "kiosk_id")
_CHUNK = 500
_CACHE = -64 * 1024  # KiB of pages the file merged into keeps in memory while merging (SQLite's default: 2 MB)
_EVERY = 200_000  # SQLite instructions between two ticks while it reads a source
_KEPT = 100  # conflicts and shared references listed per source (all are counted)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def _copied(source: Path, workdir: Path) -> Path:
    """A private copy of ``source`` beside the target, integrity-checked: its path (the caller
    removes it, :func:`_opened` does). StoreError naming the source, which is untouched; then
    nothing is left. Made in a thread of its own while the source before it is merged."""
    source = Path(source)

    def refuse(problem: str) -> StoreError:
        return StoreError(out_of_files() or problem, source=str(source))

    try:
        if not source.exists():
            raise refuse("no such file")
    except ValueError:
        raise refuse("not a valid file name") from None
    if source.is_dir():
        raise refuse("is a folder, not a database file")
    journal = journal_of(source)
    if journal:
        raise refuse(journal)
    import tempfile  # only a merge makes copies

    try:
        fd, name = tempfile.mkstemp(prefix="kiosk-merge-", suffix=".db", dir=workdir)
    except OSError as exc:
        raise refuse(f"cannot make its checked copy in {_safe_name(workdir)}: {exc.strerror or exc}") from None
    os.close(fd)
    copy = Path(name)
    try:
        try:
            reading = ReadOnlyFile(source)
        except UnreadableFile as exc:
            raise refuse(str(exc)) from None
        except sqlite3.Error as exc:
            raise refuse(explain(exc) if is_locked_or_damaged(exc) else f"not a kiosk database ({exc})") from None
        try:
            reading.backup_to(copy)
            changed = reading.changed()
        except sqlite3.Error as exc:
            raise refuse(explain(exc) if is_locked_or_damaged(exc) else f"not a kiosk database ({exc})") from None
        finally:
            reading.close()
        if changed:
            raise refuse(CHANGED_WHILE_READ)
        problem = _integrity_problem(copy)
        if problem is not None:
            raise refuse(f"{problem}; not merged")
    except BaseException:
        _remove_copy(copy)
        raise
    return copy


def _integrity_problem(copy: Path) -> str | None:
    """None when ``PRAGMA integrity_check`` says the copy is whole, else what it found."""
    try:
        conn = sqlite3.connect(copy)
        try:
            (verdict,) = conn.execute("PRAGMA integrity_check").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:  # damaged beyond what the check can report
        return explain(exc)
    return None if verdict == "ok" else f"damaged database ({verdict})"


def _remove_copy(copy: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)


@contextmanager
def _opened(copy: Path, source: Path) -> Iterator[Database]:
    """The checked copy of ``source`` opened (migrated: an older kiosk's file), removed after."""
    try:
        try:
            store = Database(copy, create=False)
        except StoreError as exc:
            limit = out_of_files()
            raise (StoreError(limit, source=str(source)) if limit else exc.at(str(source))) from None
        try:
            yield store
        finally:
            store.close()
    finally:
        _remove_copy(copy)


def out_of_files() -> str | None:
    """The open-file limit, if that is why a source could not be opened just now (:mod:`.open_files`)."""
    return _out_of_files(MERGE_FEWER)


def _safe_name(source: Path) -> str:
    """The source's name as text SQLite can store (a name that is not UTF-8 gets U+FFFD)."""
    return os.fsencode(source).decode("utf-8", "replace")


T = TypeVar("T")

class _Source:
    """One checked copy being merged: its rows read raw (text as bytes, so bad UTF-8 is seen)."""

    def __init__(self, copy: Database, source: Path, target: Path | None = None):
        self.conn = copy.db.conn
        self.conn.text_factory = bytes
        self.conn.row_factory = None  # raw: a BLOB stays bytes, and is refused as recording would
        self.source = source
        self.here = target is not None and self._attach(target)

    def _attach(self, target: Path) -> bool:
        """The target as it was before this merge (its last commit), beside the copy, to tell the
        rows already there exactly as they are in the source: those are never read into Python.
        False if it cannot be (a file in another text encoding): then every row is read."""
        try:
            self.conn.execute("ATTACH DATABASE ? AS here", [f"{target.resolve().as_uri()}?mode=ro"])
        except sqlite3.Error:
            return False
        return True

    def error(self, row: str, problem: str) -> StoreError:
        return StoreError(f"{problem}; nothing was merged", field=row, source=str(self.source))

    def fail(self, exc: sqlite3.Error) -> StoreError:
        """A source that could not be read: the open-file limit if that is why, else not a kiosk database."""
        return StoreError(out_of_files() or f"not a kiosk database ({exc})", source=str(self.source))

    def raw(self, table: str, columns: Sequence[str], *, key: str | None = None,
            ) -> Iterator[list[tuple[int, tuple[Any, ...]]]]:
        """The table's rows, numbered from 1, as read (text as bytes), in chunks. With ``key``,
        without the rows the target had before this merge exactly as they are here: the same
        ``key``, and every column the same value of the same type (such a row was checked when
        it came, recorded or merged, and changes nothing: a re-merge reads no more than it must)."""
        fresh = self._not_here(table, columns, key) if key is not None and self.here else None
        if fresh is not None and not fresh:
            return
        try:
            cur = self.conn.execute(f"SELECT {'rowid, ' if fresh is not None else ''}{', '.join(columns)}"
                                    f" FROM main.{table}")
            n = 0
            while rows := cur.fetchmany(_CHUNK):
                if fresh is None:
                    chunk = [(n := n + 1, row) for row in rows]
                else:
                    chunk = [(n, row[1:]) for row in rows if (n := n + 1) and row[0] in fresh]
                if chunk:
                    yield chunk
        except sqlite3.Error as exc:
            raise self.fail(exc) from None

    def _not_here(self, table: str, columns: Sequence[str], key: str) -> set[Any] | None:
        """The rowids of the rows not in the target exactly as they are here (None: not to be told).
        Columns declared alike on both sides hold values alike (SQLite converts what is stored to
        the column's type), so there ``IS`` says equal only of the same value of the same type;
        elsewhere the types are compared too (a file made by another program)."""
        try:
            mine, theirs = (dict(self.conn.execute("SELECT name, type FROM pragma_table_info(?, ?)", [table, schema]))
                            for schema in ("main", "here"))
            alike = {c for c in columns if mine.get(c.encode()) is not None and mine.get(c.encode()) == theirs.get(
                c.encode())}
            same = " AND ".join(f"h.{c} IS s.{c}" + ("" if c in alike else f" AND typeof(h.{c}) = typeof(s.{c})")
                                for c in columns)
            return {row[0] for row in self.conn.execute(
                f"SELECT s.rowid FROM main.{table} s"
                f" WHERE NOT EXISTS (SELECT 1 FROM here.{table} h WHERE h.{key} = s.{key} AND {same})")}
        except sqlite3.Error:  # a table made otherwise than the kiosk makes it: every row is read
            return None

    def rows(self, table: str, columns: Sequence[str]) -> Iterator[dict[str, Any]]:
        for chunk in self.raw(table, columns):
            for _, row in chunk:
                yield dict(zip(columns, row, strict=True))

    def check(self, table: str, columns: Sequence[str], chunk: Sequence[tuple[int, tuple[Any, ...]]],
              check: Callable[[dict[str, Any]], T], key: str) -> list[T]:
        """Rows as ``check`` (recording's rules) takes them; a row it refuses stops the merge,
        naming the source, the table, the row's number and its ``key``."""
        taken = []
        for n, values in chunk:
            row = dict(zip(columns, values, strict=True))
            try:
                taken.append(check(row))
            except BadRow as exc:
                raise self.error(f"{table} row {n} {_describe_id(row[key])}", f"{exc.column}: {exc.problem}") from None
        return taken

    def ahead(self, table: str, columns: Sequence[str], check: Callable[[dict[str, Any]], T], key: str, *,
              skip: str | None) -> Iterator[tuple[int, list[T]]]:
        """(rows read, those rows as ``check`` takes them) a chunk at a time, the rows not here as
        they are (:meth:`raw` with ``skip``). The next chunk is checked in a thread of its own
        while the caller writes this one: SQLite lets go of Python while it writes, so the
        checks (Python) and the writing (SQLite) run at once on two cores. A row refused stops
        the merge at the same chunk as it would one after the other."""
        from concurrent.futures import Future, ThreadPoolExecutor

        def checked(chunk: list[tuple[int, tuple[Any, ...]]]) -> tuple[int, list[T]]:
            return len(chunk), self.check(table, columns, chunk, check, key)

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-merge-check") as pool:
            waiting: Future[tuple[int, list[T]]] | None = None
            for chunk in self.raw(table, columns, key=skip):
                coming = pool.submit(checked, chunk)
                if waiting is not None:
                    yield waiting.result()
                waiting = coming
            if waiting is not None:
                yield waiting.result()

    def checked(self, table: str, columns: Sequence[str], check: Callable[[dict[str, Any]], T],
                key: str) -> Iterator[list[T]]:
        """Every row of the table in chunks, each as ``check`` takes it (see :meth:`check`)."""
        for chunk in self.raw(table, columns):
            yield self.check(table, columns, chunk, check, key)

    def count(self, table: str) -> int:
        return int(self.first(f"SELECT COUNT(*) FROM main.{table}")[0])

    def first(self, sql: str) -> Any:
        try:
            return self.conn.execute(sql).fetchone()
        except sqlite3.Error as exc:
            raise self.fail(exc) from None

    def check_ids(self) -> None:
        """Each signature once (a crafted file may lack the constraints)."""
        self._none("SELECT id FROM signatures GROUP BY id HAVING COUNT(*) > 1", "signature",
                   "in the file more than once")

    def emailed(self) -> set[str]:
        """The letters of this file whose writer gave an address with a yes (their signer was made with it)."""
        try:
            return {bytes(r[0]).decode("utf-8", "replace") if isinstance(r[0], bytes) else str(r[0])
                    for r in self.conn.execute("SELECT signature_id FROM consents WHERE choice = 'yes'")}
        except sqlite3.Error as exc:
            raise self.fail(exc) from None

    def check_jobs(self) -> None:
        """One print job per signature, each of a signature in the file."""
        self._none("SELECT signature_id FROM print_jobs GROUP BY signature_id HAVING COUNT(*) > 1", "print job of",
                   "more than one print job")
        self._none("SELECT signature_id FROM print_jobs WHERE signature_id NOT IN (SELECT id FROM signatures)",
                   "print job of", "its signature is not in the file")

    def check_consents(self) -> None:
        """One answer per letter and channel, each of a letter and a wording in the file."""
        self._none("SELECT id FROM consents GROUP BY id HAVING COUNT(*) > 1", "consent", "in the file more than once")
        self._none("SELECT MIN(id) FROM consents GROUP BY signature_id, channel HAVING COUNT(*) > 1", "consent",
                   "a second answer for the same letter and channel")
        self._none("SELECT id FROM consents WHERE signature_id NOT IN (SELECT id FROM signatures)", "consent",
                   "its letter is not in the file")
        self._none("SELECT id FROM consents WHERE text_id NOT IN (SELECT id FROM consent_texts)", "consent",
                   "its wording is not in the file")

    def _none(self, sql: str, what: str, problem: str) -> None:
        found = self.first(sql + " LIMIT 1")
        if found is not None:
            raise self.error(f"{what} {_describe_id(found[0])}", problem)


def _paper_reference(entry: Mapping[str, Any]) -> str:
    """How a handwritten letters' entry is named in a conflict line: its event, kiosk, case and count."""
    return f"{entry['event']} / {entry['kiosk_id']} / paper {entry['case_id']} x{entry['count']}"


def _describe_id(value: object) -> str:
    """A row's id for an error line: the id if it is one (a UUID, or a wording's hash), never
    what else the file holds."""
    for kind in (signature_id, wording_key):
        try:
            return kind("id", value)
        except BadRow:
            pass
    return "(not a valid id)"


def _compare(incoming: Incoming, values: Mapping[str, Any], instant: object, here_purged: bool) -> list[str]:
    differ = [c for c in _CONTENT if incoming.values[c] != values[c]]
    # the same moment is the same letter, whichever machine's clock an old file was migrated on
    if incoming.instant != instant:
        differ.append("local_time")
    if not incoming.purged and not here_purged:
        differ += [c for c in ("name", "message", "place") if incoming.values[c] != values[c]]
    return differ


def _instant(value: object) -> object:
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return value


def _differences(incoming: Incoming, here: Mapping[str, Any]) -> tuple[str, ...]:
    """The columns in which a signature already here differs from the incoming one with its id."""
    here_purged = here["purged_at"] is not None
    differ = _compare(incoming, here, _instant(here["local_time"]), here_purged)
    if differ:  # perhaps only cleaned by an older kiosk's rules: compare it as it would be stored now
        try:
            mine = signature_row(here)
        except BadRow:  # a row an older merge let in: compared as it is
            return tuple(differ)
        differ = _compare(incoming, mine.values, mine.instant, here_purged)
    return tuple(differ)


def _consent_differences(incoming: Mapping[str, Any], here: Mapping[str, Any]) -> list[str]:
    """The columns in which an answer here differs from an incoming one (the address too,
    unless either side is purged: a purge is not a conflict)."""
    differ = [c for c in _CONSENT_CONTENT if incoming[c] != here[c]]
    if incoming["purged_at"] is None and here["purged_at"] is None and incoming["email"] != here["email"]:
        differ.append("email")
    return differ


class _Merge:
    """One merge run: every source into the target, inside the target's one transaction."""

    def __init__(self, conn: sqlite3.Connection, progress: Tick | None = None):
        self.conn = conn
        self._disputed: set[str] = set()  # this source's conflicts: the copy here keeps its own print job
        self._emailed: set[str] = set()   # this source's letters whose writer gave an address (a yes)
        self.removed = 0  # names, messages and addresses here that a purge in a source removed
        self._progress = progress
        self.done = 0  # letters of the sources read so far
        self.before = 0  # of them, in the sources before this one
        self.changed = False  # whether any row here was added or changed (not the record of the merge)
        self.total: int | None = None

    def still(self) -> int:
        """Said while SQLite reads one source for long (SQLite's progress handler: 0 goes on)."""
        if self._progress is not None:
            self._progress(self.done, self.total)
        return 0

    def _tick(self, letters: int) -> None:
        self.done += letters
        if self._progress is not None:
            self._progress(self.done, self.total)

    def source(self, copy: Database, source: Path, target: Path | None = None) -> MergeResult:
        """Merge one checked copy; ``target``: the file merged into, read as it was before this merge
        (its last commit) to leave out the rows already there as they are in the copy."""
        src = _Source(copy, source, target)
        self.before = self.done
        src.check_ids()
        self._disputed = set()
        self._emailed = src.emailed()
        changes = self.conn.total_changes
        try:
            self._cases(src)
            result = self._signatures(src)
            src.check_jobs()
            self._jobs(src)
            src.check_consents()
            wordings = self._consent_texts(src)
            result = self._consents(src, result, wordings)
            result = self._paper(src, result)
        except sqlite3.IntegrityError as exc:  # checked as recording checks; the target's constraints agree
            raise src.error("a row", f"refused by the database merged into ({exc})") from None
        self.changed = self.changed or self.conn.total_changes != changes
        self.conn.execute(
            "INSERT INTO merges (source, merged_at, signatures_in_source, signatures_added, signatures_conflicting)"
            " VALUES (?, ?, ?, ?, ?)",
            [_safe_name(source), utc_now(), result.signatures, result.added, result.conflicting],
        )
        return result

    def _cases(self, src: _Source) -> None:
        columns = ", ".join(_CASE_COLUMNS)
        updates = ", ".join(f"{c} = excluded.{c}" for c in _CASE_COLUMNS[1:])
        for n, row in enumerate(src.rows("cases", _CASE_COLUMNS), start=1):
            try:
                case = case_row(row)
            except BadRow as exc:
                raise src.error(f"cases row {n}", f"{exc.column}: {exc.problem}") from None
            self.conn.execute(
                f"INSERT INTO cases ({columns}) VALUES ({marks(_CASE_COLUMNS)})"
                f" ON CONFLICT(id) DO UPDATE SET {updates} WHERE excluded.updated_at IS NOT NULL"
                " AND (cases.updated_at IS NULL OR excluded.updated_at > cases.updated_at)",
                [case[c] for c in _CASE_COLUMNS],
            )

    def _signatures(self, src: _Source) -> MergeResult:
        in_source = added = conflicting = sharing = 0
        conflicts: list[Conflict] = []
        shared: list[str] = []
        columns = ", ".join(_SIGNATURE_COLUMNS)
        in_source = src.count("signatures")
        for read, incoming in src.ahead("signatures", _SIGNATURE_COLUMNS, signature_row, "id", skip="id"):
            ids = [sig.id for sig in incoming]
            cur = self.conn.execute(f"SELECT {columns} FROM signatures WHERE id IN ({marks(ids)})", ids)
            here = {row[0]: dict(zip(_SIGNATURE_COLUMNS, row, strict=True)) for row in cur}
            new = [sig for sig in incoming if sig.id not in here]
            self.conn.executemany("INSERT OR IGNORE INTO cases (id) VALUES (?)",
                                  [[case] for case in sorted({sig.values["case_id"] for sig in new})])
            self.conn.executemany(f"INSERT INTO signatures ({columns}) VALUES ({marks(_SIGNATURE_COLUMNS)})",
                                  [[sig.values[c] for c in _SIGNATURE_COLUMNS] for sig in new])
            added += len(new)
            if new:
                ids = [sig.id for sig in new]
                sharers = {row[0] for row in self.conn.execute(
                    # by the (kiosk_id, number) index: "+event" keeps the planner off the one-event index
                    f"SELECT s.id FROM signatures s WHERE s.id IN ({marks(ids)}) AND EXISTS (SELECT 1 FROM"
                    " signatures o WHERE o.kiosk_id = s.kiosk_id AND o.number = s.number AND +o.event = s.event"
                    " AND o.id <> s.id)", ids)}
                for sig in new:
                    if sig.id in sharers:
                        sharing += 1
                        if len(shared) < _KEPT:
                            v = sig.values
                            shared.append(reference(v["event"], v["kiosk_id"], v["number"]))
            for sig in incoming:
                if sig.id in here:
                    conflict = self._meet(sig, here[sig.id])
                    if conflict is not None:
                        self._disputed.add(sig.id)
                        conflicting += 1
                        if len(conflicts) < _KEPT:
                            conflicts.append(conflict)
            self._tick(read)
        self._tick(in_source - self.done + self.before)  # those here already, not read
        return MergeResult(src.source, in_source, added, conflicting, tuple(conflicts), sharing, tuple(shared))

    def _meet(self, sig: Incoming, here: Mapping[str, Any]) -> Conflict | None:
        """A signature already here: purge wins; a missing addressee is filled in; a difference is a conflict."""
        differ = _differences(sig, here)
        if sig.purged and here["purged_at"] is None:
            self.removed += self.conn.execute(
                "UPDATE signatures SET name = NULL, message = NULL, place = NULL, purged_at = ? WHERE id = ?"
                " AND purged_at IS NULL",
                [sig.values["purged_at"], sig.id],
            ).rowcount
        if differ:
            return Conflict(sig.id, reference(here["event"], here["kiosk_id"], here["number"]), differ)
        signer = sig.values["signer"]
        if signer is not None and signer != here["signer"] and (here["signer"] is None or sig.id in self._emailed):
            # a signer is made again, with the address, when the visitor says yes to being contacted
            # after their letter was recorded: the copy whose file holds that answer knows better
            self.conn.execute("UPDATE signatures SET signer = ? WHERE id = ?", [signer, sig.id])
        if here["addressee_name"] is None and sig.values["addressee_name"] is not None:
            self.conn.execute(
                "UPDATE signatures SET addressee_name = ?, addressee_title = ?, addressee_address = ? WHERE id = ?",
                [sig.values["addressee_name"], sig.values["addressee_title"], sig.values["addressee_address"], sig.id],
            )
        return None

    def _jobs(self, src: _Source) -> None:
        columns = ", ".join(_JOB_COLUMNS)
        done = ", ".join(_JOB_COLUMNS[1:])
        for _, checked in src.ahead("print_jobs", _JOB_COLUMNS, job_row, "signature_id", skip="signature_id"):
            # A conflict's copy here is kept whole: another letter's job state never says whether
            # this one is on paper (a "printed" from the other copy would lose it).
            jobs = [job for job in checked if job["signature_id"] not in self._disputed]
            if not jobs:
                continue
            ids = [job["signature_id"] for job in jobs]
            here = dict(self.conn.execute(
                f"SELECT signature_id, status FROM print_jobs WHERE signature_id IN ({marks(ids)})", ids))
            self.conn.executemany(f"INSERT INTO print_jobs ({columns}) VALUES ({marks(_JOB_COLUMNS)})",
                                  [[job[c] for c in _JOB_COLUMNS] for job in jobs if job["signature_id"] not in here])
            better = [job for job in jobs if job["signature_id"] in here
                      and _RANK[JobState(job["status"])] > _RANK.get(JobState(here[job["signature_id"]]), -1)]
            self.conn.executemany(
                f"UPDATE print_jobs SET ({done}) = ({marks(_JOB_COLUMNS[1:])}) WHERE signature_id = ?",
                [[*(job[c] for c in _JOB_COLUMNS[1:]), job["signature_id"]] for job in better],
            )

    def _consent_texts(self, src: _Source) -> dict[str, dict[str, Any]]:
        """Wordings are known by the hash of their text: one here already is the same wording.
        Returns the source's wordings by id (its answers are checked against them)."""
        columns = ", ".join(_TEXT_COLUMNS)
        wordings: dict[str, dict[str, Any]] = {}
        for texts in src.checked("consent_texts", _TEXT_COLUMNS, consent_text_row, "id"):
            wordings.update((text["id"], text) for text in texts)
            self.conn.executemany(
                f"INSERT INTO consent_texts ({columns}) VALUES ({marks(_TEXT_COLUMNS)}) ON CONFLICT(id) DO UPDATE"
                " SET first_shown_at = excluded.first_shown_at WHERE excluded.first_shown_at < first_shown_at",
                [[text[c] for c in _TEXT_COLUMNS] for text in texts])
        return wordings

    def _consents(self, src: _Source, result: MergeResult, wordings: Mapping[str, Mapping[str, Any]]) -> MergeResult:
        """Answers by their UUID, as signatures: new ones added; one here with other content (or
        another answer for the same letter and channel) is a conflict, the one here kept; a
        purge on either side wins; an export noted on either side is kept. Conflicts are
        counted, and the first of them kept (id, the letter's reference, what differs)."""
        columns = ", ".join(_CONSENT_COLUMNS)
        added = conflicting = 0
        conflicts: list[Conflict] = []

        def conflict(answer: Mapping[str, Any], kept: Mapping[str, Any] | None, differ: Sequence[str]) -> None:
            nonlocal conflicting
            conflicting += 1
            if len(conflicts) < _KEPT:
                letter = (kept or answer)["signature_id"]
                conflicts.append(Conflict(answer["id"], self._reference(letter), tuple(differ)))

        seen = src.count("consents")
        # an answer whose letter is a conflict is a conflict too, however like the one here: then all are read
        for chunk in src.raw("consents", _CONSENT_COLUMNS, key=None if self._disputed else "id"):
            answers = src.check("consents", _CONSENT_COLUMNS, chunk, lambda row: consent_row(row, wordings), "id")
            ids = [a["id"] for a in answers]
            here = {row[0]: dict(zip(_CONSENT_COLUMNS, row, strict=True)) for row in self.conn.execute(
                f"SELECT {columns} FROM consents WHERE id IN ({marks(ids)})", ids)}
            for answer in answers:
                kept = here.get(answer["id"])
                if answer["signature_id"] in self._disputed:  # its letter is a conflict: the copy here keeps its own
                    kept = kept or self._answer_for(answer)
                    conflict(answer, kept, ["letter", *(_consent_differences(answer, kept) if kept else ())])
                    continue
                if kept is None:
                    other = self._answer_for(answer)
                    if other is not None:  # another answer for the same letter and channel is here
                        conflict(answer, other, ["id", *_consent_differences(answer, other)])
                        continue
                    self.conn.execute(f"INSERT INTO consents ({columns}) VALUES ({marks(_CONSENT_COLUMNS)})",
                                      [answer[c] for c in _CONSENT_COLUMNS])
                    added += 1
                    continue
                differ = _consent_differences(answer, kept)
                if differ:
                    conflict(answer, kept, differ)
                    continue
                if answer["purged_at"] is not None and kept["purged_at"] is None:
                    self.removed += self.conn.execute("UPDATE consents SET email = NULL, purged_at = ? WHERE id = ?",
                                                      [answer["purged_at"], answer["id"]]).rowcount
                if answer["exported_at"] is not None and kept["exported_at"] is None:
                    self.conn.execute("UPDATE consents SET exported_at = ? WHERE id = ?",
                                      [answer["exported_at"], answer["id"]])
        return replace(result, consents=seen, consents_added=added, consents_conflicting=conflicting,
                       consent_conflicts=tuple(conflicts))

    def _paper(self, src: _Source, result: MergeResult) -> MergeResult:
        """Handwritten letters' entries by their UUID, as signatures: new ones added, one here with
        the same content already here, one with other content a conflict (the one here kept). A
        correction is taken only with its entry (here, or in the source) and only as recording
        makes one (the entry's case, kind, event, kiosk and stall time); a correction of an entry
        in conflict is a conflict too. Entries come before their corrections."""
        rows = [row for chunk in src.checked("paper_letters", _PAPER_COLUMNS, paper_row, "id") for row in chunk]
        seen, added = len(rows), 0
        conflicts: list[Conflict] = []
        conflicting = 0
        disputed: set[str] = set()
        for row in sorted(rows, key=lambda r: r["corrects"] is not None):
            here = self._paper_here(row["id"])
            if row["corrects"] is not None:
                original = self._paper_here(row["corrects"])
                if original is None:
                    raise src.error(f"paper_letters row {row['id']}", "corrects an entry that is in neither file")
                try:
                    paper_correction(row, original)
                except BadRow as exc:
                    raise src.error(f"paper_letters row {row['id']}", f"{exc.column}: {exc.problem}") from None
                if row["corrects"] in disputed and here is None:
                    conflicting += 1
                    if len(conflicts) < _KEPT:
                        conflicts.append(Conflict(row["id"], _paper_reference(original), ("entry",)))
                    continue
            if here is None:
                self.conn.execute("INSERT OR IGNORE INTO cases (id) VALUES (?)", [row["case_id"]])
                self.conn.execute(f"INSERT INTO paper_letters ({', '.join(_PAPER_COLUMNS)})"
                                  f" VALUES ({marks(_PAPER_COLUMNS)})", [row[c] for c in _PAPER_COLUMNS])
                added += 1
                continue
            differ = tuple(c for c in _PAPER_COLUMNS if c != "local_time" and row[c] != here[c])
            if _instant(row["local_time"]) != _instant(here["local_time"]):
                differ += ("local_time",)
            if differ:
                disputed.add(row["id"])
                conflicting += 1
                if len(conflicts) < _KEPT:
                    conflicts.append(Conflict(row["id"], _paper_reference(here), differ))
        return replace(result, paper=seen, paper_added=added, paper_conflicting=conflicting,
                       paper_conflicts=tuple(conflicts))

    def _paper_here(self, entry_id: str) -> dict[str, Any] | None:
        row = self.conn.execute(f"SELECT {', '.join(_PAPER_COLUMNS)} FROM paper_letters WHERE id = ?",
                                [entry_id]).fetchone()
        return dict(zip(_PAPER_COLUMNS, row, strict=True)) if row else None

    def _answer_for(self, answer: Mapping[str, Any]) -> dict[str, Any] | None:
        """The answer here for the same letter and channel as ``answer``, if any."""
        row = self.conn.execute(f"SELECT {', '.join(_CONSENT_COLUMNS)} FROM consents"
                                " WHERE signature_id = ? AND channel = ?",
                                [answer["signature_id"], answer["channel"]]).fetchone()
        return dict(zip(_CONSENT_COLUMNS, row, strict=True)) if row else None

    def _reference(self, signature_id: str) -> str:
        """The reference of the letter here with this id (every answer merged has its letter here)."""
        row = self.conn.execute("SELECT event, kiosk_id, number FROM signatures WHERE id = ?",
                                [signature_id]).fetchone()
        return reference(*row) if row else f"(no letter {signature_id})"

    def finish(self) -> None:
        """A letter whose name is gone is never printed: its job still waiting is cancelled, as
        a purge does; and the address given with it goes too. Nothing to do when the sources
        changed nothing here (a re-merge): every merge before left it so."""
        if not self.changed:
            return
        purged = "signature_id IN (SELECT id FROM signatures WHERE purged_at IS NOT NULL)"
        move_jobs(self.conn, Transition.CANCEL, purged, [], error="personal data purged before printing")
        self.removed += self.conn.execute(
            "UPDATE consents SET email = NULL, purged_at = COALESCE(purged_at,"
            " (SELECT s.purged_at FROM signatures s WHERE s.id = consents.signature_id))"
            f" WHERE email IS NOT NULL AND {purged}").rowcount


class Merging(Database):
    def merge(self, sources: Sequence[Path], *, workdir: Path | None = None,
              progress: Tick | None = None) -> list[MergeResult]:
        """Merge every source into this database, all in one transaction: any source or row
        refused, and nothing is merged (StoreError naming the source and the row). The sources
        are taken one at a time (copied, checked, merged, closed), so any number of them can be
        merged whatever the open-file limit. ``progress``: called with (letters read, letters in
        all the sources) every few hundred letters; that total is an estimate until the last
        source is opened."""
        workdir = workdir or self.path.parent
        open_file_limit()  # its module loaded now: at the limit, no file is left to load it from
        for source in sources:
            if _same_file(Path(source), self.path):
                raise StoreError("is the database merged into itself; nothing was merged", source=str(source))
        self.db.execute("PRAGMA secure_delete=ON")  # what a source's purge removes here is overwritten
        (cache,) = self.db.execute("PRAGMA cache_size").fetchone()
        self.db.execute(f"PRAGMA cache_size={_CACHE}")  # a big merge meets the same index pages again and again
        results: list[MergeResult] = []
        from concurrent.futures import Future, ThreadPoolExecutor

        with (_restored_cache(self, cache), self.transaction() as conn,
              ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-merge-copy") as pool):
            merge = _Merge(conn, progress)
            counted = 0
            # the next source is copied and checked in a thread while this one is merged: two files at a time
            ahead: Future[Path] | None = pool.submit(_copied, Path(sources[0]), workdir) if sources else None
            try:
                for i, source in enumerate(sources):
                    assert ahead is not None
                    made = ahead.result()
                    ahead = pool.submit(_copied, Path(sources[i + 1]), workdir) if i + 1 < len(sources) else None
                    with _opened(made, Path(source)) as copy:
                        if progress is not None:  # the letters to read: those counted, as many again for each left
                            counted += _count(copy, Path(source))
                            merge.total = max(merge.done, counted + (len(sources) - i - 1) * counted // (i + 1))
                            copy.db.conn.set_progress_handler(merge.still, _EVERY)  # a long read of a big file
                        results.append(merge.source(copy, Path(source), self.path))
            finally:
                if ahead is not None and not ahead.cancel() and ahead.exception() is None:
                    _remove_copy(ahead.result())  # made for a merge that stopped before it
            merge.finish()
        if merge.removed:  # a purge won: nothing it removed stays readable in the file or its journal
            self.scrub()  # merged already; False if another program holds the file: a purge later cleans it
        return results


@contextmanager
def _restored_cache(target: Database, cache: int) -> Iterator[None]:
    try:
        yield
    finally:
        target.db.execute(f"PRAGMA cache_size={int(cache)}")


def _count(copy: Database, source: Path) -> int:
    try:
        return int(copy.db.execute("SELECT COUNT(*) FROM signatures").fetchone()[0])
    except sqlite3.Error as exc:
        raise StoreError(out_of_files() or f"not a kiosk database ({exc})", source=str(source)) from None
