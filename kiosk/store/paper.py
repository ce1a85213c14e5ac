"""Paper letters: handwritten letters collected at the stall, counted with the typed ones.

The organiser records how many were collected for a case (``add_paper``: case, kind, how
many, an optional note). An entry is never changed (a trigger refuses it): a correction is an
entry of its own whose ``count`` is the change, ``corrects`` naming the entry it corrects, and
which copies that entry's case, kind, event, kiosk and stall time, so the counts by day, hour,
case and kiosk stay where the letters were first counted. Every count (:mod:`.counts`) adds all
of them up; :meth:`PaperLetters.paper_entries` shows each entry with its current total.

Every value is checked as :mod:`.rows` says (the rules a merge checks another kiosk's rows by:
:func:`~kiosk.store.rows.paper_row`).
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..text import validate_event, validate_kiosk_id
from .connection import Database
from .models import Scope, stall_iso, utc_iso
from .rows import PAPER_MAX, letter_kind, paper_count, paper_note
from .rows import case_id as check_case_id
from .signatures import _remember_case

if TYPE_CHECKING:
    from ..cases import Case

SHORT_ID = 8        # the characters of an entry's id a listing shows, and an organiser types
_TYPED_MIN = 4      # the fewest characters of an id an organiser may type
_ID_PART = re.compile(r"[0-9a-f-]{1,36}")


@dataclass(frozen=True)
class PaperEntry:
    """Handwritten letters entered at a stall, as they count now: ``count`` is the entry's
    total with its corrections, ``note`` the latest note given, ``corrected`` whether it was."""

    id: str
    case_id: str
    kind: str
    count: int
    note: str
    local_time: str      # the stall's clock when it was entered: the day and hour it counts in
    event: str
    kiosk_id: str
    corrected: bool = False

    @property
    def short_id(self) -> str:
        """What a listing shows and an organiser types (``kiosk paper correct``)."""
        return self.id[:SHORT_ID]


# An entry (never a correction) with its total, its latest note and whether it was corrected.
_ENTRY = (
    "SELECT s.id, s.case_id, s.kind,"
    " s.count + COALESCE((SELECT SUM(c.count) FROM paper_letters c WHERE c.corrects = s.id), 0),"
    " COALESCE((SELECT c.note FROM paper_letters c WHERE c.corrects = s.id AND c.note IS NOT NULL"
    "           ORDER BY c.created_at DESC, c.rowid DESC LIMIT 1), s.note, ''),"
    " s.local_time, s.event, s.kiosk_id,"
    " EXISTS (SELECT 1 FROM paper_letters c WHERE c.corrects = s.id)"
    " FROM paper_letters s"
)


def _entry(row: tuple[Any, ...]) -> PaperEntry:
    pid, case_id, kind, count, note, local_time, event, kiosk_id, corrected = row
    return PaperEntry(pid, case_id, kind, int(count), note, local_time, event, kiosk_id, bool(corrected))


class PaperLetters(Database):
    def add_paper(self, case_id: str | None, kind: str, count: int, note: str | None, event: str, kiosk_id: str,
                  at: dt.datetime | None = None, case: Case | None = None) -> PaperEntry:
        """Record ``count`` handwritten letters (1 to PAPER_MAX) of ``kind`` for a case, entered at
        ``at`` (the stall's clock; now). ``case`` also records what the case is (title, addressee)
        for reports and delivery lists, as a signature does. InputError naming the field if a value
        cannot be recorded (``case``, ``kind``, ``count``, ``note``, ``event``, ``kiosk_id``)."""
        case_id = check_case_id(case.id if case is not None else case_id)
        kind = letter_kind(kind)
        count = paper_count(count, low=1)
        note = paper_note(note) or None
        event = validate_event(event)
        kiosk_id = validate_kiosk_id(kiosk_id)
        moment = at or dt.datetime.now().astimezone()
        now, local = utc_iso(moment), stall_iso(moment)
        pid = str(uuid.uuid4())
        with self.transaction() as conn:
            if case is not None:
                _remember_case(conn, case, now)
            else:
                conn.execute("INSERT OR IGNORE INTO cases (id) VALUES (?)", [case_id])
            conn.execute(
                "INSERT INTO paper_letters (id, case_id, kind, count, corrects, note, created_at, local_time, event,"
                " kiosk_id) VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?)",
                [pid, case_id, kind, count, note, now, local, event, kiosk_id])
        return PaperEntry(pid, case_id, kind, count, note or "", local, event, kiosk_id)

    def correct_paper(self, entry_id: str, count: int, note: str | None = None, at: dt.datetime | None = None,
                      *, kiosk_id: str | None = None) -> PaperEntry:
        """Correct the entry ``entry_id`` (its id, or the start of it: :meth:`paper_id`) to a new
        total of ``count`` letters (0: the entry was a mistake), as a new entry holding the change;
        ``note``: a new note (None keeps the last one, "" removes it). A correction's id corrects
        the entry it corrected. ``kiosk_id``: only an entry of that kiosk (a stall corrects its own).
        InputError naming ``count`` when the total would not change or not be 0 to PAPER_MAX."""
        total = paper_count(count, low=0)
        new_note = None if note is None else paper_note(note)
        moment = at or dt.datetime.now().astimezone()
        with self.transaction() as conn:
            original = _find(conn, entry_id)
            if kiosk_id is not None and original.kiosk_id != kiosk_id:
                raise InputError(f"entry {original.short_id} was entered on kiosk {original.kiosk_id!r}, not on"
                                 f" this one ({kiosk_id!r}): it is corrected with its own kiosk's id", field="id")
            change = total - original.count
            if change == 0:
                raise InputError(f"entry {original.short_id} counts {total} already: give its new total",
                                 field="count")
            conn.execute(
                "INSERT INTO paper_letters (id, case_id, kind, count, corrects, note, created_at, local_time, event,"
                " kiosk_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [str(uuid.uuid4()), original.case_id, original.kind, change, original.id, new_note, utc_iso(moment),
                 original.local_time, original.event, original.kiosk_id])
            return _find(conn, original.id)

    def paper_id(self, typed: str) -> str:
        """The entry an organiser means by ``typed``: its id or its start (at least 4 characters,
        as a listing shows it); a correction's id means the entry it corrects. InputError naming
        ``id`` when no entry or several start so."""
        return _find(self.db.conn, typed).id

    def paper_entry(self, entry_id: str) -> PaperEntry:
        """The entry ``entry_id`` (or the start of its id) as it counts now."""
        return _find(self.db.conn, entry_id)

    def paper_entries(self, scope: Scope = Scope()) -> list[PaperEntry]:
        """The entries in ``scope`` (never the corrections: each entry with its total), newest first."""
        where, params = scope.where()
        where = f"{where} AND s.corrects IS NULL" if where else " WHERE s.corrects IS NULL"
        rows = self.db.execute(f"{_ENTRY}{where} ORDER BY s.local_time DESC, s.created_at DESC, s.id",
                               params).fetchall()
        return [_entry(row) for row in rows]

    def paper_events(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT event FROM paper_letters ORDER BY event")]

    def paper_case_ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT case_id FROM paper_letters ORDER BY case_id")]

    def paper_kiosk_ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT kiosk_id FROM paper_letters ORDER BY kiosk_id")]

    def without_signer(self, scope: Scope = Scope()) -> int:
        """Typed letters in ``scope`` with no signer fingerprint (recorded without a signer key, or
        purged before kiosks kept one): no duplicate of theirs can be found, so each counts as a signer."""
        where, params = scope.where()
        where = f"{where} AND s.signer IS NULL" if where else " WHERE s.signer IS NULL"
        return int(self.db.execute(f"SELECT COUNT(*) FROM signatures s{where}", params).fetchone()[0])


def _find(conn: sqlite3.Connection, typed: str) -> PaperEntry:
    """The entry (a correction's: the one it corrects) whose id is or starts with ``typed``."""
    text = (typed or "").strip().lower()
    if len(text) < _TYPED_MIN or not _ID_PART.fullmatch(text):
        raise InputError(f"{typed[:40]!r} is not an entry's id (at least {_TYPED_MIN} of the characters"
                         " `kiosk paper list` shows)", field="id")
    found = conn.execute(
        "SELECT DISTINCT COALESCE(corrects, id) FROM paper_letters WHERE substr(id, 1, ?) = ? LIMIT 2",
        [len(text), text]).fetchall()
    if not found:
        raise InputError(f"no paper letters entry {text!r} here (see kiosk paper list)", field="id",
                         reason="unknown")
    if len(found) > 1:
        raise InputError(f"more than one entry starts with {text!r}: give more of its id", field="id")
    row = conn.execute(f"{_ENTRY} WHERE s.id = ?", [found[0][0]]).fetchone()
    return _entry(row)


__all__ = ["PAPER_MAX", "SHORT_ID", "PaperEntry", "PaperLetters"]
