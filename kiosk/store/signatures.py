"""Signatures: recorded with their print job in one commit, and read back.

``record`` commits the signature and its pending print job together (WAL,
``synchronous=FULL``): it returns once both are on disk, before anything is printed. An
appeal keeps the addressee it is written to in its own row, so a delivery list files it
under that addressee whatever the case file (or another kiosk's copy of it) says later; the
case as last signed (title, person, ...) is kept in ``cases``. Each letter keeps its
visitor's language and the language its receipt prints in, so a reprint prints as the
first print did.
"""

from __future__ import annotations

import datetime as dt
import itertools
import sqlite3
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..job_states import HOLD_REASONS, JobState
from ..print_limit import PrintLimit, refill
from ..signers import is_fingerprint
from ..text import validate_event, validate_kiosk_id
from .connection import Database
from .consents import insert_consent
from .counts import DUPLICATE, TICK_ROWS, Tick
from .models import AppealRow, ConsentChoice, Scope, Signature, reference, stall_iso, utc_iso
from .readonly import text
from .rows import NUMBER_MAX, consent_choice, letter_kind, letter_place, letter_text
from .rows import case_id as check_case_id
from .rows import letter_language as check_letter_language

if TYPE_CHECKING:
    from ..cases import Case

_SIGNATURE_COLUMNS = ("id, number, case_id, kind, COALESCE(name, ''), COALESCE(message, ''), created_at, event,"
                      " kiosk_id, local_time, purged_at, addressee_name, addressee_title, addressee_address,"
                      " language, letter_language, signer, place")

EXPORT_COLUMNS = (
    "id", "number", "case_id", "kind", "name", "message", "created_at", "local_time", "event", "kiosk_id",
    "print_status", "purged_at", "language", "letter_language", "likely_duplicate",
)


class Signatures(Database):
    def record(self, *, kind: str, name: str, message: str, event: str, kiosk_id: str,
               case: Case | None = None, case_id: str | None = None, at: dt.datetime | None = None,
               consent: ConsentChoice | None = None, language: str = "en",
               letter_language: str | None = None, signer: str | None = None, hold: str | None = None,
               limit: PrintLimit | None = None, double_press: dt.timedelta | None = None,
               place: str | None = None) -> Signature:
        """Commit a signature and its pending print job. Returns once it is on disk.

        Every value is checked (and text cleaned) by the rules of :mod:`kiosk.store.rows`,
        the ones a merge checks other kiosks' rows by; InputError naming the field if not.
        ``case`` also records what the case was (title, addressee, ...) for delivery lists,
        and an appeal keeps the addressee it is written to; with only ``case_id`` the case is
        known by its id. ``at`` is the stall's clock (now). ``consent``: the visitor's answer
        to being contacted, committed with the letter (``kiosk sign --consent``), checked first.
        ``language``: the visitor's (a code of ``kiosk.i18n.LANGUAGES``); ``letter_language``: the
        language the receipt prints in, by default as the case says (an appeal in its letter
        language, a postcard in the visitor's); with only ``case_id``, a postcard's is the
        visitor's and an appeal's is not known (NULL: it prints in the case's base text).
        ``signer``: the writer's fingerprint (:mod:`kiosk.signers`). ``hold``: a reason
        (``job_states.HOLD_REASONS``) to record the job held for a volunteer instead of pending;
        ``limit``: the kiosk's print limit (:mod:`kiosk.print_limit`), a letter over it is held
        too (a held letter takes nothing from it).

        ``double_press`` (the kiosk's: ``print_limit.DOUBLE_PRESS``): the same letter (kiosk, case,
        kind, name, message, language) recorded again within it is a double press: nothing is
        written, and the earlier letter is returned with ``repeat`` set.

        ``place``: the writer's town or country (optional), printed under an appeal's signature and
        removed with the name by a purge.
        """
        kind = letter_kind(kind)
        case_id = check_case_id(case.id if case is not None else case_id)
        name, message = letter_text(name, message)
        place = letter_place(place)
        event = validate_event(event)
        kiosk_id = validate_kiosk_id(kiosk_id)
        answer = consent_choice(consent) if consent is not None else None
        language = check_letter_language(language)
        if letter_language is not None:
            printed_in: str | None = check_letter_language(letter_language, "letter_language")
        elif case is not None:
            printed_in = case.letter_language_for(kind, language)
        else:
            printed_in = language if kind == "postcard" else None
        addressee: list[str | None] = [None, None, None]
        if case is not None and kind == "appeal":
            a = case.appeal.addressee
            addressee = [a.name, a.title or None, "\n".join(a.address) or None]
        moment = at or dt.datetime.now().astimezone()
        now, local = utc_iso(moment), stall_iso(moment)
        sig_id = str(uuid.uuid4())
        if signer is not None and not is_fingerprint(signer):
            raise InputError("not a signer fingerprint", field="signer")
        if hold is not None and hold not in HOLD_REASONS:
            raise InputError(f"{hold!r} is not one of {', '.join(HOLD_REASONS)}", field="hold")
        with self.transaction() as conn:
            if double_press is not None:
                earlier = _double_press(conn, kiosk_id, case_id, kind, name, message, language, moment, double_press,
                                        answer, place)
                if earlier is not None:
                    return replace(earlier, repeat=True)
            if hold is None and limit is not None and not _take_token(conn, limit, moment):
                hold = "limit"
            if case is not None:
                _remember_case(conn, case, now)
            else:
                conn.execute("INSERT OR IGNORE INTO cases (id) VALUES (?)", [case_id])
            number = self._next_number(conn, kiosk_id)
            conn.execute(
                "INSERT INTO signatures (id, number, case_id, kind, name, message, created_at, local_time, event,"
                " kiosk_id, addressee_name, addressee_title, addressee_address, language, letter_language, signer,"
                " place) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [sig_id, number, case_id, kind, name, message, now, local, event, kiosk_id, *addressee, language,
                 printed_in, signer, place],
            )
            conn.execute(
                "INSERT INTO print_jobs (signature_id, status, held_reason, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?)",
                [sig_id, (JobState.HELD if hold else JobState.PENDING).value, hold, now, now],
            )
            if answer is not None:
                insert_consent(conn, sig_id, answer, moment)
        return Signature(sig_id, number, case_id, kind, name, message, now, event, kiosk_id, local, None,
                         addressee_name=addressee[0], addressee_title=addressee[1], addressee_address=addressee[2],
                         language=language, letter_language=printed_in, signer=signer, place=place, held=hold)

    @staticmethod
    def _next_number(conn: sqlite3.Connection, kiosk_id: str) -> int:
        """One more than the kiosk's highest number (a number that is none, let in by an older merge, is passed
        over); InputError past NUMBER_MAX, the most a merge accepts."""
        (highest,) = conn.execute(
            "SELECT MAX(number) FROM signatures WHERE kiosk_id = ? AND typeof(number) = 'integer'", [kiosk_id]
        ).fetchone()
        number = (highest or 0) + 1
        if number > NUMBER_MAX:
            raise InputError(f"kiosk {kiosk_id!r} has used every number up to {NUMBER_MAX:,}; give this kiosk"
                             " another kiosk_id", field="kiosk_id")
        return int(number)

    def next_number(self, kiosk_id: str) -> int:
        """The number the next letter of ``kiosk_id`` will most likely get (another writer may take it first)."""
        return self._next_number(self.db.conn, kiosk_id)

    def signature(self, sig_id: str) -> Signature | None:
        row = self.db.execute(f"SELECT {_SIGNATURE_COLUMNS} FROM signatures WHERE id = ?", [sig_id]).fetchone()
        return Signature(*row) if row else None

    def signatures(self, scope: Scope = Scope()) -> list[Signature]:
        where, params = scope.where()
        rows = self.db.execute(
            f"SELECT {_SIGNATURE_COLUMNS} FROM signatures s{where} ORDER BY s.local_time, s.id", params
        ).fetchall()
        return [Signature(*row) for row in rows]

    def events(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT event FROM signatures ORDER BY event")]

    def case_ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT case_id FROM signatures ORDER BY case_id")]

    def kiosk_ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT kiosk_id FROM signatures ORDER BY kiosk_id")]

    def case_rows(self) -> dict[str, dict[str, Any]]:
        """What each signed case was when last signed (``cases`` table), by id."""
        cur = self.db.execute("SELECT * FROM cases ORDER BY id")
        columns = [d[0] for d in cur.description]
        return {row[0]: dict(zip(columns, row, strict=True)) for row in cur}

    def export_rows(self, scope: Scope = Scope()) -> Iterator[dict[str, Any]]:
        """Every signature in ``scope`` with its print status, as EXPORT_COLUMNS, oldest first;
        ``likely_duplicate`` is ``yes`` for a letter an earlier letter of its case has the signer of."""
        for row in self.export_table(scope):
            yield dict(zip(EXPORT_COLUMNS, (text(v) if isinstance(v, bytes) else v for v in row), strict=True))

    def export_table(self, scope: Scope = Scope(), progress: Tick | None = None) -> Iterator[tuple[Any, ...]]:
        """:meth:`export_rows` as tuples in the order of EXPORT_COLUMNS, read from the cursor as they
        are written (a million letters are never all in memory); ``progress`` is told how many of
        how many every :data:`~kiosk.store.counts.TICK_ROWS` rows. A BLOB another program put where
        text belongs comes as bytes (:func:`kiosk.text.readable` reads it as text)."""
        where, params = scope.where()
        sql = ("SELECT s.id, s.number, s.case_id, s.kind, s.name, s.message, s.created_at, s.local_time, s.event,"
               " s.kiosk_id, COALESCE(j.status, 'none') AS print_status, s.purged_at, s.language, s.letter_language,"
               f" CASE WHEN {DUPLICATE} THEN 'yes' ELSE '' END AS likely_duplicate"
               " FROM signatures s LEFT JOIN print_jobs j ON j.signature_id = s.id"
               f"{where} ORDER BY s.local_time, s.id")  # s.id: one order, the same each time it is run
        done, total = 0, None
        for rows in _batches(self.db.conn, sql, params):
            yield from rows
            done += len(rows)
            if progress is not None:
                if total is None:  # counted only for a long export
                    total = int(self.db.execute(f"SELECT COUNT(*) FROM signatures s{where}", params).fetchone()[0])
                progress(done, total)

    def appeal_rows(self, scope: Scope) -> list[AppealRow]:
        """The signed appeals in ``scope``, oldest first, each with its own addressee, for a delivery list."""
        where, params = replace(scope, kind="appeal").where()
        rows = self.db.execute(
            "SELECT s.id, s.case_id, s.event, s.kiosk_id, s.number, s.local_time, s.name, s.message, s.purged_at,"
            " COALESCE(j.status, 'none'), s.addressee_name, s.addressee_title, s.addressee_address"
            " FROM signatures s LEFT JOIN print_jobs j ON j.signature_id = s.id"
            f"{where} ORDER BY s.local_time, s.id",
            params,
        ).fetchall()
        return [
            AppealRow(id=sig_id, case_id=case_id, reference=reference(event, kiosk_id, number), local_time=local_time,
                      name=name, message=message, purged=purged_at is not None, print_status=status,
                      addressee_name=a_name, addressee_title=a_title, addressee_address=a_address)
            for (sig_id, case_id, event, kiosk_id, number, local_time, name, message, purged_at, status,
                 a_name, a_title, a_address) in rows
        ]


def _double_press(conn: sqlite3.Connection, kiosk_id: str, case_id: str, kind: str, name: str, message: str,
                  language: str, moment: dt.datetime, within: dt.timedelta,
                  answer: ConsentChoice | None = None, place: str | None = None) -> Signature | None:
    """The same letter recorded on this kiosk ``within`` before ``moment``, if there is one: one of
    the kiosk's last few letters (by the (kiosk_id, number) index: no scan however many there are).
    A letter given with an answer to being contacted is the same only if that one was given the same
    answer (another answer is never lost as a double press)."""
    since, until = utc_iso(moment - within), utc_iso(moment)
    for row in conn.execute(f"SELECT {_SIGNATURE_COLUMNS} FROM signatures WHERE kiosk_id = ?"
                            " AND typeof(number) = 'integer' ORDER BY number DESC LIMIT 3", [kiosk_id]):
        sig = Signature(*row)
        if ((sig.case_id, sig.kind, sig.name, sig.message, sig.language, sig.place)
                == (case_id, kind, name, message, language, place)
                and sig.purged_at is None and since <= sig.created_at <= until
                and (answer is None or conn.execute(
                    "SELECT 1 FROM consents WHERE signature_id = ? AND channel = ? AND choice = ? AND email IS ?",
                    [sig.id, answer.channel, answer.choice, answer.email]).fetchone() is not None)):
            held = conn.execute("SELECT held_reason FROM print_jobs WHERE signature_id = ? AND status = 'held'",
                                [sig.id]).fetchone()
            return replace(sig, held=held[0] if held else None)
    return None


def _take_token(conn: sqlite3.Connection, limit: PrintLimit, moment: dt.datetime) -> bool:
    """Take a token from the print limit's bucket for a letter recorded at ``moment``; False: none left."""
    now = moment.astimezone(dt.UTC)
    row = conn.execute("SELECT tokens, at FROM print_limit WHERE id = 1").fetchone()
    if row is None:
        tokens = float(limit.burst)
    else:
        try:
            since = dt.datetime.fromisoformat(row[1])
        except (TypeError, ValueError):
            since = now
        if since > now:  # the clock was put back: no tokens for the time it jumped
            since = now
        tokens = refill(float(row[0]), since, now, limit)
    took = tokens >= 1.0
    conn.execute("INSERT OR REPLACE INTO print_limit (id, tokens, at) VALUES (1, ?, ?)",
                 [tokens - 1.0 if took else tokens, now.isoformat()])
    return took


def _remember_case(conn: sqlite3.Connection, case: Case, now: str) -> None:
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


def _batches(conn: sqlite3.Connection, sql: str, params: list[object]) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of ``sql`` (ordered so that each run gives them in one order), TICK_ROWS at a time,
    their text decoded by sqlite3 itself rather than the connection's text factory and row factory
    (a Python call for each value and row: half an export's time). Should a value not be UTF-8 (a file another
    program wrote), the query runs again with the connection's factory, which reads such bytes as
    U+FFFD, and the rows already given are skipped."""
    factory, done = conn.text_factory, 0
    conn.text_factory = str
    try:
        cur = _raw(conn).execute(sql, params)
        while rows := cur.fetchmany(TICK_ROWS):
            yield rows
            done += len(rows)
        return
    except sqlite3.OperationalError:
        if factory is str:
            raise
    finally:
        conn.text_factory = factory
    cur = _raw(conn).execute(sql, params)
    deque(itertools.islice(cur, done), maxlen=0)  # given already
    while rows := cur.fetchmany(TICK_ROWS):
        yield rows


def _raw(conn: sqlite3.Connection) -> sqlite3.Cursor:
    """A cursor giving each row as SQLite has it, without the connection's row factory."""
    cur = conn.cursor()
    cur.row_factory = None
    return cur
