"""Print jobs in the database: each move of :mod:`kiosk.job_states` as one guarded UPDATE.

A move changes a job only when it is in one of the move's source states, in one
transaction, so two workers can never both claim a job, and a job never leaves a final
state. Each method says whether the move took place.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from ..job_states import WAITING, JobState, Transition
from .connection import Database
from .models import Job, utc_now

_JOB_COLUMNS = "id, signature_id, status, attempts, printer, last_error, updated_at, held_reason, decision, decided_at"

# What each move writes besides the new status (parameters: its values, in order).
_SETS = {
    Transition.CLAIM: ("attempts = attempts + 1, printer = ?", ("printer",)),
    Transition.REPRINT: ("attempts = attempts + 1, printer = ?", ("printer",)),
    Transition.FINISH: ("last_error = NULL, printed_at = ?", ("now",)),
    Transition.FAIL: ("last_error = ?", ("error",)),
    Transition.INTERRUPT: ("last_error = ?", ("error",)),
    Transition.CANCEL: ("last_error = ?", ("error",)),
    Transition.RELEASE: ("decision = 'released', decided_at = ?", ("now",)),
    Transition.REJECT: ("decision = 'rejected', decided_at = ?", ("now",)),
}


# The one move committed without waiting for the disk (connection.Database.transaction): a
# power cut that loses it leaves the job ``printing``, shown as interrupted ("may be on paper"),
# which is true of a letter that printed; a crash of the process keeps it. Every other move
# waits: a lost claim would print a letter twice, a lost failure would show a letter that never
# left as maybe on paper (docs/database.md, "Commits").
UNSYNCED = frozenset({Transition.FINISH})


def marks(states: Iterable[object]) -> str:
    """``?, ?, ?``: one placeholder per state."""
    return ", ".join("?" for _ in states)


def move_jobs(conn: sqlite3.Connection, move: Transition, where: str, params: Sequence[object], *,
              printer: str | None = None, error: str | None = None) -> int:
    """Make ``move`` on every job matching ``where`` whose state allows it; how many moved."""
    now = utc_now()
    extra, names = _SETS[move]
    values = {"printer": printer, "error": error, "now": now}
    sources = [s.value for s in move.sources]
    cur = conn.execute(
        f"UPDATE print_jobs SET status = ?, updated_at = ?, {extra} WHERE ({where}) AND status IN ({marks(sources)})",
        [move.target.value, now, *(values[n] for n in names), *params, *sources],
    )
    return cur.rowcount


def _job(row: Any) -> Job:
    job_id, signature_id, status, attempts, printer, last_error, updated_at, held_reason, decision, decided_at = row
    return Job(job_id, signature_id, JobState(status), attempts, printer, last_error, updated_at, held_reason,
               decision, decided_at)


class PrintJobs(Database):
    def job_for(self, sig_id: str) -> Job | None:
        row = self.db.execute(f"SELECT {_JOB_COLUMNS} FROM print_jobs WHERE signature_id = ?", [sig_id]).fetchone()
        return _job(row) if row else None

    def jobs(self, states: Iterable[JobState | str] = WAITING) -> list[Job]:
        """Jobs in ``states`` (default: waiting for a volunteer), oldest first."""
        states = [JobState(s).value for s in states]
        rows = self.db.execute(
            f"SELECT {_JOB_COLUMNS} FROM print_jobs WHERE status IN ({marks(states)}) ORDER BY id", states
        ).fetchall()
        return [_job(row) for row in rows]

    def move_job(self, job_id: int, move: Transition, *, printer: str | None = None, error: str | None = None) -> bool:
        """Make ``move`` on the job if its state allows it; False if it did not (someone else has it)."""
        with self.transaction(synced=move not in UNSYNCED) as conn:
            return move_jobs(conn, move, "id = ?", [job_id], printer=printer, error=error) == 1

    def claim_job(self, job_id: int, printer: str, *, move: Transition = Transition.CLAIM) -> bool:
        """Mark a job as printing (CLAIM, or REPRINT for an interrupted one). False if someone else has it."""
        if move not in (Transition.CLAIM, Transition.REPRINT):
            raise ValueError(f"{move} does not claim a job")
        return self.move_job(job_id, move, printer=printer)

    def interrupt_job(self, job_id: int, error: str) -> bool:
        """A print attempt that may have left the letter on paper: the job stays ``printing``
        (listed as *interrupted*, reprinted only on request) with the reason."""
        return self.move_job(job_id, Transition.INTERRUPT, error=error)

    def job(self, job_id: int) -> Job | None:
        row = self.db.execute(f"SELECT {_JOB_COLUMNS} FROM print_jobs WHERE id = ?", [job_id]).fetchone()
        return _job(row) if row else None

    def jobs_numbered(self, number: int, *, kiosk_id: str | None = None, event: str | None = None) -> list[Job]:
        """The jobs of the letters numbered ``number`` (on ``kiosk_id``, at ``event`` when given), oldest first."""
        where: list[str] = ["s.number = ?"]
        params: list[object] = [number]
        for column, value in (("s.kiosk_id", kiosk_id), ("s.event", event)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        columns = ", ".join(f"j.{column}" for column in _JOB_COLUMNS.split(", "))
        rows = self.db.execute(
            f"SELECT {columns} FROM print_jobs j JOIN signatures s ON s.id = j.signature_id"
            f" WHERE {' AND '.join(where)} ORDER BY j.id", params,
        ).fetchall()
        return [_job(row) for row in rows]

    def decide(self, signature_id: str, move: Transition) -> bool:
        """A volunteer's decision on a held letter, recorded with its time: RELEASE (it may print)
        or REJECT (it never prints). False when its job was not held (decided already, perhaps)."""
        if move not in (Transition.RELEASE, Transition.REJECT):
            raise ValueError(f"{move} is no decision on a held letter")
        with self.transaction() as conn:
            return move_jobs(conn, move, "signature_id = ?", [signature_id]) == 1

    def finish_job(self, job_id: int, *, error: str | None = None) -> bool:
        """Record the outcome of a print attempt: printed, or failed with the reason."""
        if error is None:
            return self.move_job(job_id, Transition.FINISH)
        return self.move_job(job_id, Transition.FAIL, error=error)
