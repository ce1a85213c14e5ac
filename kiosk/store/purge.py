"""Removing visitors' personal data for good, keeping every row, so every count.

A purge removes the names, messages and places (the writer's town or country) of the letters
it selects and the email addresses given with them, and keeps every letter and every answer (yes or no), so every count
stays. It selects letters by their scope (event, day) and, if asked, by their writer's
answer: ``declined`` (said no to being contacted) and ``contacts_exported`` (said yes, and a
contacts export has written their address). ``forget`` removes one person's data: every
letter given with their address (and, if asked, the other letters carrying the same name).

Both cancel the print jobs of letters not printed yet (there is no name left to print),
then leave nothing of what they removed in the file: ``secure_delete``, VACUUM and an
emptied WAL.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..emails import email_key, lookup_keys
from ..errors import InputError
from ..job_states import Transition
from ..text import name_key
from .connection import Database
from .jobs import marks, move_jobs
from .models import PURGE_GROUPS, ForgetPreview, ForgetResult, PurgePreview, PurgeResult, Scope, reference, utc_now

_CANCELLABLE = [state.value for state in Transition.CANCEL.sources]
FOUND_GIVEN, FOUND_SAME_NAME = "given with the address", "same name, no address"
# The person export (``kiosk export person``): each letter found for an address, with its answer.
PERSON_COLUMNS = (
    "reference", "signature_id", "case_id", "case_title", "kind", "name", "message", "place", "signed_at",
    "signed_local_time",
    "event", "kiosk_id", "print_status", "purged_at", "choice", "email", "channel", "language", "wording_id",
    "wording_version", "lawful_basis", "answered_at", "exported_at", "found",
)
_GROUP_SQL = {
    "declined": "s.id IN (SELECT signature_id FROM consents WHERE choice = 'no')",
    "contacts_exported": "s.id IN (SELECT signature_id FROM consents WHERE choice = 'yes' AND exported_at IS NOT NULL)",
}


def check_purge_groups(groups: Collection[str]) -> frozenset[str]:
    for group in groups:
        if group not in PURGE_GROUPS:
            raise InputError(f"{group!r} is not one of {', '.join(PURGE_GROUPS)}", field="purge")
    return frozenset(groups)


def _selection(scope: Scope, groups: Collection[str]) -> tuple[str, list[object]]:
    """WHERE (on ``signatures s``) for the letters in ``scope`` whose writers are in ``groups`` (all if none)."""
    where, params = scope.where()
    chosen = [_GROUP_SQL[g] for g in PURGE_GROUPS if g in check_purge_groups(groups)]
    if chosen:
        term = "(" + " OR ".join(chosen) + ")"
        where = f"{where} AND {term}" if where else f" WHERE {term}"
    return where, params


def _remove(conn: sqlite3.Connection, in_selection: str, params: Sequence[object], now: str) -> tuple[int, int, int]:
    """Cancel, then remove names, messages and addresses of the letters ``in_selection``
    (a SELECT of signature ids); (letters, addresses, cancelled jobs)."""
    cancelled = move_jobs(conn, Transition.CANCEL, f"signature_id IN ({in_selection})", params,
                          error="personal data purged before printing")
    letters = conn.execute(
        f"UPDATE signatures SET name = NULL, message = NULL, place = NULL, purged_at = ? WHERE id IN ({in_selection})"
        " AND purged_at IS NULL", [now, *params]).rowcount
    addresses = conn.execute(
        f"UPDATE consents SET email = NULL, purged_at = ? WHERE signature_id IN ({in_selection})"
        " AND email IS NOT NULL", [now, *params]).rowcount
    return letters, addresses, cancelled


Tick = Callable[[int, "int | None"], None]  # how far a purge is: (steps done, steps)
_STEPS = 2  # removing, cleaning the file
_EVERY = 200_000  # SQLite instructions between two ticks of a statement that runs long


@contextmanager
def _ticking(conn: sqlite3.Connection, progress: Tick | None, step: int) -> Iterator[None]:
    """``progress`` told (``step``, steps) every so often while SQLite works on one long
    statement (an UPDATE of a million letters, a VACUUM), so a bar can appear and move."""
    if progress is None:
        yield
        return

    def tick() -> int:
        progress(step, _STEPS)
        return 0  # go on

    conn.set_progress_handler(tick, _EVERY)
    try:
        yield
    finally:
        conn.set_progress_handler(None, 0)


class Purge(Database):
    def purge_preview(self, scope: Scope, groups: Collection[str] = ()) -> PurgePreview:
        """What :meth:`purge_personal_data` would do to ``scope`` and ``groups``."""
        where, params = _selection(scope, groups)
        keep, unprinted, done = self.db.execute(
            "SELECT COUNT(*) FILTER (WHERE s.purged_at IS NULL),"
            f" COUNT(*) FILTER (WHERE s.purged_at IS NULL AND j.status IN ({marks(_CANCELLABLE)})),"
            " COUNT(*) FILTER (WHERE s.purged_at IS NOT NULL)"
            f" FROM signatures s LEFT JOIN print_jobs j ON j.signature_id = s.id{where}",
            [*_CANCELLABLE, *params],
        ).fetchone()
        addresses, unexported = self.db.execute(
            "SELECT COUNT(*), COUNT(*) FILTER (WHERE c.exported_at IS NULL) FROM consents c"
            f" WHERE c.email IS NOT NULL AND c.signature_id IN (SELECT s.id FROM signatures s{where})", params,
        ).fetchone()
        (noted,) = self.db.execute("SELECT COUNT(*) FROM consents WHERE exported_at IS NOT NULL").fetchone()
        notes = 0
        if not groups:
            paper_where, paper_params = scope.where()
            (notes,) = self.db.execute(f"SELECT COUNT(*) FROM paper_letters s{paper_where}"
                                       f"{' AND' if paper_where else ' WHERE'} s.note IS NOT NULL",
                                       paper_params).fetchone()
        return PurgePreview(keep, unprinted, done, addresses, unexported, noted, self._traces(), notes)

    def _traces(self) -> bool:
        """Whether the file may still hold what an earlier purge or forget removed: it removed
        something, and the file has free pages or a journal with pages in it (its clean-up was
        kept from finishing by another program, :meth:`scrub`). A purge with nothing to remove
        cleans such a file, so that a purge run again keeps its word."""
        (removed,) = self.db.execute(
            "SELECT EXISTS (SELECT 1 FROM signatures WHERE purged_at IS NOT NULL)"
            " OR EXISTS (SELECT 1 FROM consents WHERE purged_at IS NOT NULL)").fetchone()
        if not removed:
            return False
        (free,) = self.db.execute("PRAGMA freelist_count").fetchone()
        try:
            journal = Path(f"{self.path}-wal").stat().st_size
        except OSError:
            journal = 0
        return bool(free or journal)

    def purge_personal_data(self, scope: Scope, groups: Collection[str] = (), *,
                            progress: Tick | None = None) -> PurgeResult:
        """Remove names, messages and email addresses of the letters in ``scope`` whose writers
        are in ``groups`` (everyone when none), keep every row (so every count), and leave
        nothing of them in the file: secure_delete, then VACUUM and an emptied WAL.

        The removal is committed first; ``cleaned`` says whether the file could be cleaned
        then (see :meth:`~kiosk.store.connection.Database.scrub`: not while another program
        holds it). A purge run again cleans it, whatever is left to remove. ``progress`` is told
        (steps done, 2) as it goes: removing, then cleaning the file.
        """
        where, params = _selection(scope, groups)
        self.db.execute("PRAGMA secure_delete=ON")
        with _ticking(self.db.conn, progress, 0), self.transaction() as conn:
            letters, addresses, cancelled = _remove(conn, f"SELECT s.id FROM signatures s{where}", params, utc_now())
            notes = 0
            if not groups:  # everyone's: the organisers' notes on handwritten letters too (they may name people)
                paper_where, paper_params = scope.where()
                notes = conn.execute(f"UPDATE paper_letters SET note = NULL WHERE note IS NOT NULL AND id IN"
                                     f" (SELECT s.id FROM paper_letters s{paper_where})", paper_params).rowcount
        with _ticking(self.db.conn, progress, 1):
            cleaned = self.scrub()
        if progress is not None:
            progress(_STEPS, _STEPS)
        return PurgeResult(letters, cancelled, addresses, cleaned=cleaned, notes=notes)

    # -- one person's request ----------------------------------------------------------------

    def _given_with(self, email: str) -> list[str]:
        """The letters whose answer holds ``email``: a stored address whose :func:`~kiosk.emails.email_key`
        is one of :func:`~kiosk.emails.lookup_keys` (the address as given, and as it is kept)."""
        keys = lookup_keys(email)
        rows = self.db.execute("SELECT signature_id, email FROM consents WHERE email IS NOT NULL").fetchall()
        return sorted({sig for sig, address in rows if email_key(address) in keys})

    def _references(self, ids: Sequence[str]) -> list[tuple[str, str, str | None, str | None]]:
        """(id, reference, name, job status) of each letter, oldest first."""
        out = self.db.execute(
            "SELECT s.id, s.event, s.kiosk_id, s.number, s.name, j.status, s.local_time FROM signatures s"
            " LEFT JOIN print_jobs j ON j.signature_id = s.id WHERE s.id IN (SELECT value FROM json_each(?))",
            [_json(ids)],
        ).fetchall()
        out.sort(key=lambda r: (str(r[6]), r[0]))
        return [(sid, reference(event, kiosk, number), name, status)
                for sid, event, kiosk, number, name, status, _ in out]

    def _same_name(self, names: set[str], exclude: set[str]) -> list[str]:
        """Other letters (not purged) whose name is one of ``names`` (as :func:`~kiosk.text.name_key`
        compares), given without any address: one given with another address is that address's
        (another person's, or theirs under another address, forgotten by asking for that one)."""
        if not names:
            return []
        rows = self.db.execute(
            "SELECT s.id, s.name FROM signatures s WHERE s.name IS NOT NULL AND NOT EXISTS"
            " (SELECT 1 FROM consents c WHERE c.signature_id = s.id AND c.email IS NOT NULL)").fetchall()
        return [sid for sid, name in rows if sid not in exclude and name_key(name) in names]

    def _found(self, email: str) -> tuple[list[tuple[str, str, str | None, str | None]],
                                          list[tuple[str, str, str | None, str | None]]]:
        """The letters given with ``email``, and the other letters that carry their names without
        any address, each as :meth:`_references` gives it: what :meth:`forget` removes and
        :meth:`person` lists, found alike."""
        given = self._given_with(email)
        letters = self._references(given)
        names = {name_key(name) for _, _, name, _ in letters if name}
        return letters, self._references(self._same_name(names, set(given)))

    def forget_preview(self, email: str, *, same_name: bool = False) -> tuple[ForgetPreview, list[str]]:
        """What :meth:`forget` would remove for ``email``, and the ids of the letters it would touch."""
        letters, others = self._found(email)
        given = [sid for sid, *_ in letters]
        touched = given + ([sid for sid, *_ in others] if same_name else [])
        unprinted = sum(1 for _, _, name, status in letters + (others if same_name else [])
                        if name is not None and status in _CANCELLABLE)
        addresses = self.db.execute("SELECT COUNT(*) FROM consents WHERE email IS NOT NULL AND signature_id IN"
                                    " (SELECT value FROM json_each(?))", [_json(given)]).fetchone()[0]
        preview = ForgetPreview(tuple(ref for _, ref, name, _ in letters if name is not None), addresses, unprinted,
                                tuple(ref for _, ref, *_ in others))
        return preview, touched

    def forget(self, email: str, *, same_name: bool = False) -> ForgetResult:
        """Remove one person's data: the name and message of every letter given with ``email``,
        the address itself, and with ``same_name`` also the other letters carrying the same
        name; then scrub the file (``cleaned``: done; not while another program holds it).
        Counts and answers (yes, no) stay."""
        _, touched = self.forget_preview(email, same_name=same_name)
        self.db.execute("PRAGMA secure_delete=ON")
        now = utc_now()
        with self.transaction() as conn:
            letters, addresses, cancelled = _remove(conn, "SELECT value FROM json_each(?)", [_json(touched)], now)
        return ForgetResult(letters, addresses, cancelled, cleaned=self.scrub())

    def person(self, email: str) -> list[dict[str, Any]]:
        """What the file holds about the person who gave ``email`` (a rights request), as
        PERSON_COLUMNS: a row for each letter given with it, then for each other letter that
        carries the same name without any address (``found`` says which), found as
        :meth:`forget` finds them, oldest first; each with its answer to being contacted, if any."""
        letters, others = self._found(email)
        found = {sid: FOUND_GIVEN for sid, *_ in letters} | {sid: FOUND_SAME_NAME for sid, *_ in others}
        order = {sid: i for i, sid in enumerate(found)}
        cur = self.db.execute(
            "SELECT s.id, s.event, s.kiosk_id, s.number, s.case_id, COALESCE(cs.title, ''), s.kind, s.name, s.message,"
            " s.place, s.created_at, s.local_time, COALESCE(j.status, 'none'), s.purged_at, c.choice, c.email,"
            " c.channel, c.language, c.text_id, t.version, t.lawful_basis, c.created_at, c.exported_at"
            " FROM signatures s LEFT JOIN print_jobs j ON j.signature_id = s.id LEFT JOIN cases cs ON cs.id = s.case_id"
            " LEFT JOIN consents c ON c.signature_id = s.id LEFT JOIN consent_texts t ON t.id = c.text_id"
            " WHERE s.id IN (SELECT value FROM json_each(?)) ORDER BY c.channel, c.id",
            [_json(list(found))],
        )
        rows = []
        for (sid, event, kiosk, number, case_id, title, kind, name, message, place, signed_at, local_time, status,
             purged_at, choice, address, channel, language, text_id, version, basis, answered_at, exported_at) in cur:
            rows.append({
                "reference": reference(event, kiosk, number), "signature_id": sid, "case_id": case_id,
                "case_title": title, "kind": kind, "name": name, "message": message, "place": place,
                "signed_at": signed_at,
                "signed_local_time": local_time, "event": event, "kiosk_id": kiosk, "print_status": status,
                "purged_at": purged_at, "choice": choice, "email": address, "channel": channel, "language": language,
                "wording_id": text_id, "wording_version": version, "lawful_basis": basis,
                "answered_at": answered_at, "exported_at": exported_at, "found": found[sid],
            })
        rows.sort(key=lambda row: order[row["signature_id"]])  # stable: a letter's answers stay in channel order
        return rows

def _json(ids: Sequence[str]) -> str:
    """Ids as one JSON parameter (``json_each``): any number of them in one statement."""
    return json.dumps(list(ids))
