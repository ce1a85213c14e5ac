"""The outbox: the rows the national office has not answered yet, and what it answered.

Triggers (migrations 0007 and 0008) put a row in ``outbox`` whenever a signature, consent,
consent wording or paper letters entry is inserted or a column it sends changes (a letter's
signer among them), with a new sequence number, so every writer (record, merge, purge,
forget, an answer to the consent question) marks what it changes without remembering to. A
batch is read with each row's sequence number; an answer settles a row only for the number
it was sent with, so a row changed while its batch was on the way stays to be sent again.

An answer ``new`` or ``duplicate`` takes the row out; ``conflict`` and ``refused`` take it
out too and keep the answer in ``sync_conflicts`` with the hash of the content answered: the
row is not sent again until its content changes (a change of its personal data alone, a
purge, brings it back to the outbox, and the next batch drops it again).
Rows of another kiosk id (merged from another laptop, or recorded here before the kiosk id
changed) stay in the outbox unsent: they are that kiosk id's to send, with its token
(``kiosk sync --kiosk-id OLD``); :meth:`Outbox.sync_status` counts them per kiosk id so that
none waits unseen. ``sync_state`` keeps the last sync's times and error, and the back-off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..sync_protocol import CONTENT, PERSONAL, content_hash
from .connection import Database
from .models import reference, utc_now

_RANK = "CASE o.kind WHEN 'consent_text' THEN 0 WHEN 'signature' THEN 1 WHEN 'consent' THEN 2 ELSE 3 END"
# The kiosk id of an outbox row: a signature's or a paper letters entry's own, a consent's letter's;
# NULL for a consent wording (they belong to no kiosk), or a row no longer here.
_KIOSK_OF = ("CASE o.kind WHEN 'signature' THEN (SELECT s.kiosk_id FROM signatures s WHERE s.id = o.id)"
             " WHEN 'consent' THEN (SELECT s.kiosk_id FROM consents c JOIN signatures s ON s.id = c.signature_id"
             " WHERE c.id = o.id)"
             " WHEN 'paper' THEN (SELECT p.kiosk_id FROM paper_letters p WHERE p.id = o.id) END")
# Which outbox rows are this kiosk's to send: those of its kiosk id, and every consent wording.
_MINE = f"(o.kind = 'consent_text' OR {_KIOSK_OF} = ?)"
_STATE_COLUMNS = ("last_attempt", "last_success", "last_error", "failures", "backoff_until", "cases_version",
                  "cases_hash", "cases_checked_at", "cases_error")


@dataclass(frozen=True)
class OutboxRow:
    """One row to send: its content (the fields of :data:`kiosk.sync_protocol.CONTENT`), the hash
    of that content, the sequence number it is sent with, and what personal data it holds."""

    kind: str
    id: str
    seq: int
    content: dict[str, Any]
    hash: str
    personal: dict[str, Any]           # name and message; email; a paper entry's note: as stored (None once purged)
    purged: bool                       # its personal data was removed
    consented: bool                    # its visitor said yes to being contacted, and that answer is kept
    signer: str | None = None          # a signature's signer fingerprint (sent beside its content, never hashed)


@dataclass(frozen=True)
class SyncConflict:
    """A row the office answered with a conflict or refused: not sent again until its content changes."""

    kind: str
    id: str
    reference: str
    answer: str
    reason: str
    at: str


@dataclass(frozen=True)
class SyncStatus:
    waiting: int                                   # this kiosk's rows the office has not answered
    others: int                                    # rows of other kiosks (merged here): theirs to send
    conflicts: list[SyncConflict] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    # Those rows per kiosk id, most first: each waits for a sync with that kiosk id and its token
    # (letters recorded here before the kiosk id changed, or merged from another laptop).
    others_by_kiosk: dict[str, int] = field(default_factory=dict)


def _content(kind: str, row: dict[str, Any]) -> dict[str, Any]:
    content = {name: row.get(name) for name in CONTENT[kind]}
    if kind == "consent":
        content["age_confirmed"] = bool(content["age_confirmed"])
    return content


class Outbox(Database):
    def outbox_batch(self, kiosk_id: str, limit: int) -> list[OutboxRow]:
        """Up to ``limit`` of this kiosk's rows to send, consent wordings first, then signatures, then
        consents (a letter before its answer), oldest change first. Rows whose content the office
        answered already with a conflict or a refusal are dropped from the outbox here, unsent."""
        out: list[OutboxRow] = []
        offset = 0
        while len(out) < limit:
            marked = self.db.execute(
                f"SELECT o.kind, o.id, o.seq FROM outbox o WHERE {_MINE} ORDER BY {_RANK}, o.seq, o.id"
                " LIMIT ? OFFSET ?", [kiosk_id, limit, offset]).fetchall()
            if not marked:
                break
            offset += len(marked)
            settled = []
            for kind, row_id, seq in marked:
                row = self._outbox_row(kind, row_id, seq)
                if row is None:
                    continue
                answered = self.db.execute("SELECT hash FROM sync_conflicts WHERE kind = ? AND id = ?",
                                           [kind, row_id]).fetchone()
                if answered is not None and answered[0] == row.hash:
                    settled.append((kind, row_id, seq))
                elif len(out) < limit:
                    out.append(row)
            if settled:
                with self.transaction() as conn:
                    conn.executemany("DELETE FROM outbox WHERE kind = ? AND id = ? AND seq = ?", settled)
                offset -= len(settled)
        return out

    def _outbox_row(self, kind: str, row_id: str, seq: int) -> OutboxRow | None:
        if kind == "signature":
            cur = self.db.execute(
                "SELECT s.*, EXISTS (SELECT 1 FROM consents c WHERE c.signature_id = s.id AND c.choice = 'yes'"
                " AND c.purged_at IS NULL) AS consented FROM signatures s WHERE s.id = ?", [row_id])
        elif kind == "consent":
            cur = self.db.execute("SELECT c.*, (c.choice = 'yes' AND c.purged_at IS NULL) AS consented"
                                  " FROM consents c WHERE c.id = ?", [row_id])
        elif kind == "paper":  # no visitor answered anything for it: its note leaves only under personal_data all
            cur = self.db.execute("SELECT p.*, 0 AS consented FROM paper_letters p WHERE p.id = ?",
                                  [row_id])
        else:
            cur = self.db.execute("SELECT t.*, 0 AS consented FROM consent_texts t WHERE t.id = ?",
                                  [row_id])
        found = cur.fetchone()
        if found is None:
            return None
        row = dict(zip([d[0] for d in cur.description], found, strict=True))
        content = _content(kind, row)
        personal = {name: row[name] for name in PERSONAL[kind]}
        # an entry without a note (never given, or removed by a purge) sends it as removed: the office drops it too
        if kind == "paper":
            purged = row["note"] is None
        else:
            purged = kind in ("signature", "consent") and row["purged_at"] is not None
        return OutboxRow(kind, row_id, seq, content, content_hash(content), personal, purged=purged,
                         consented=bool(row["consented"]), signer=row["signer"] if kind == "signature" else None)

    def settle_outbox(self, answered: list[tuple[OutboxRow, str, str | None]]) -> int:
        """The office's answers, each for the row as it was sent (``(row, answer, reason)``), in one
        commit: ``new`` and ``duplicate`` take the row out of the outbox (and end a conflict it had);
        ``conflict`` and ``refused`` take it out and are kept with the reason. A row changed since it
        was sent (another sequence number) stays. Returns the rows taken out."""
        now = utc_now()
        taken = 0
        with self.transaction() as conn:
            for row, answer, reason in answered:
                taken += conn.execute("DELETE FROM outbox WHERE kind = ? AND id = ? AND seq = ?",
                                      [row.kind, row.id, row.seq]).rowcount
                if answer in ("new", "duplicate"):
                    conn.execute("DELETE FROM sync_conflicts WHERE kind = ? AND id = ?", [row.kind, row.id])
                else:
                    conn.execute(
                        "INSERT OR REPLACE INTO sync_conflicts (kind, id, hash, answer, reason, at)"
                        " VALUES (?, ?, ?, ?, ?, ?)", [row.kind, row.id, row.hash, answer, reason or answer, now])
        return taken

    def sync_status(self, kiosk_id: str) -> SyncStatus:
        """This kiosk's rows waiting, other kiosks' rows left alone, the conflicts and refusals, the state."""
        (waiting,) = self.db.execute(f"SELECT COUNT(*) FROM outbox o WHERE {_MINE}", [kiosk_id]).fetchone()
        (total,) = self.db.execute("SELECT COUNT(*) FROM outbox").fetchone()
        conflicts = []
        for kind, row_id, answer, reason, at, event, kiosk, number, *entry in self.db.execute(
                "SELECT k.kind, k.id, k.answer, k.reason, k.at, s.event, s.kiosk_id, s.number,"
                " p.event, p.kiosk_id, p.case_id, p.count FROM sync_conflicts k"
                " LEFT JOIN consents c ON k.kind = 'consent' AND c.id = k.id"
                " LEFT JOIN signatures s ON s.id = CASE k.kind WHEN 'signature' THEN k.id ELSE c.signature_id END"
                " LEFT JOIN paper_letters p ON k.kind = 'paper' AND p.id = k.id"
                " ORDER BY k.at, k.kind, k.id"):
            if kind == "consent_text":
                shown = f"consent wording {row_id[:12]}"
            elif kind == "paper" and entry[0] is not None:
                p_event, p_kiosk, p_case, p_count = entry
                shown = f"{p_event} / {p_kiosk} / paper letters {p_count:+d} for {p_case} ({row_id[:8]})"
            elif event is None:
                shown = f"{kind} {row_id}"
            else:
                shown = reference(event, kiosk, number) + (" (contact answer)" if kind == "consent" else "")
            conflicts.append(SyncConflict(kind, row_id, shown, answer, reason, at))
        by_kiosk = dict(self.db.execute(
            f"SELECT k, COUNT(*) FROM (SELECT {_KIOSK_OF} AS k FROM outbox o) WHERE k IS NOT NULL AND k IS NOT ?"
            " GROUP BY k ORDER BY COUNT(*) DESC, k", [kiosk_id]).fetchall())
        return SyncStatus(waiting, total - waiting, conflicts, self.sync_state(), by_kiosk)

    def sync_state(self) -> dict[str, Any]:
        cur = self.db.execute(f"SELECT {', '.join(_STATE_COLUMNS)} FROM sync_state WHERE id = 1")
        row = cur.fetchone()
        return dict(zip(_STATE_COLUMNS, row or [None] * len(_STATE_COLUMNS), strict=True))

    def note_sync(self, **values: Any) -> None:
        """Write some of the sync state (:data:`_STATE_COLUMNS`)."""
        unknown = set(values) - set(_STATE_COLUMNS)
        if unknown:
            raise ValueError(f"not sync state: {', '.join(sorted(unknown))}")
        if not values:
            return
        sets = ", ".join(f"{name} = ?" for name in values)
        with self.transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO sync_state (id) VALUES (1)")
            conn.execute(f"UPDATE sync_state SET {sets} WHERE id = 1", list(values.values()))
