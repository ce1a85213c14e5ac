"""One sync: send the outbox in batches, settle each row from the office's answer for it, then
fetch the office's case set; note how it went, and after a failure when to try again.

Nothing is marked as sent without the office's answer for that very row: an answer that does
not match the batch (its length, its ids, their order) settles nothing. A 413 halves the batch;
a 401 stops (the token was refused); a 429, a 5xx or a network failure stop this sync, and the
next waits longer each time (exponential back-off with full jitter, up to :data:`BACKOFF_MAX`,
never sooner than the office's ``Retry-After``), until one succeeds.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..cases import CaseSet
from ..store import Store, utc_iso
from ..sync_protocol import MAX_BODY, MAX_ROWS
from .client import Client, SyncError, one_line, upload_body
from .payload import upload_row
from .published import folder_for, install, parse

BACKOFF_MAX = 15 * 60.0   # seconds: the longest wait after failures
BATCHES_MAX = 10_000      # batches in one sync: a guard, far above any stall's letters


@dataclass
class SyncReport:
    """What one sync did."""

    sent: int = 0
    new: int = 0
    duplicate: int = 0
    conflict: int = 0
    refused: int = 0
    waiting: int = 0                    # this kiosk's rows still to send after it
    cases_version: int | None = None    # the office's case set this kiosk has now (None: none)
    cases_taken: bool = False           # a new case set was put in place
    cases_problem: str | None = None    # why the office's new case set was refused (the kiosk keeps its cases)
    error: str | None = None            # why it stopped; None: it succeeded
    stopped: bool = False               # asked to stop (the kiosk is quitting)
    elsewhere: dict[str, int] = field(default_factory=dict)  # rows of other kiosk ids waiting here, per id

    def line(self) -> str:
        """The sync in one line, for the command line and the organiser screen."""
        cases = f"cases version {self.cases_version}" if self.cases_version else "no cases published"
        if self.cases_problem:
            cases += f" (new set refused: {self.cases_problem})"
        return (f"sent {self.sent}: {self.new} new, {self.duplicate} duplicate, {self.conflict} conflicts,"
                f" {self.refused} refused; {self.waiting} waiting; {cases}"
                + "".join(f"; {waiting_elsewhere(kiosk, n)}" for kiosk, n in self.elsewhere.items()))


def waiting_elsewhere(kiosk_id: str, rows: int) -> str:
    """What to do with the rows of another kiosk id waiting here (merged from another laptop, or
    recorded before this kiosk's id changed): only a sync with that id and its token sends them."""
    return (f"{rows} row(s) of kiosk {kiosk_id} wait here: send them with {kiosk_id}'s token:"
            f" kiosk sync --kiosk-id {kiosk_id}")


@dataclass(frozen=True)
class Target:
    """Where and how a kiosk syncs, from its settings."""

    url: str
    token: str
    kiosk_id: str
    personal_data: str
    interval: float
    database: Path


def backoff(failures: int, interval: float, wait: float | None, rand: Callable[[float, float], float]) -> float:
    """Seconds to wait after ``failures`` failed syncs in a row: full jitter over an exponentially
    growing ceiling (``interval`` doubled each time, at most :data:`BACKOFF_MAX`), and never less
    than the office asked (``wait``) or the interval."""
    ceiling = min(BACKOFF_MAX, interval * 2.0 ** min(failures, 30))
    return max(rand(0.0, ceiling), wait or 0.0, interval)


def sync_once(target: Target, read_cases: Callable[[Path], CaseSet], *, client: Client | None = None,
              stop: threading.Event | None = None, now: Callable[[], dt.datetime] | None = None,
              rand: Callable[[float, float], float] = random.uniform,
              progress: Callable[[int, int | None], None] | None = None) -> SyncReport:
    """One sync of the kiosk database ``target.database`` (opened here: any thread). ``read_cases``:
    the kiosk's checks of a case folder. Never raises for a network or office failure, nor for
    anything unexpected while it syncs (a client's bug, an answer no check foresaw): the report's
    ``error`` says it in one line, the state in the database too, and the next sync backs off.
    Only a database that cannot be opened or written raises. ``progress`` is told the rows sent
    of those waiting after each batch (a progress bar)."""
    clock = now or (lambda: dt.datetime.now(dt.UTC))
    report = SyncReport()
    own = client is None
    http = client or Client(target.url, target.token)
    try:
        with Store(target.database, create=False) as store:
            store.note_sync(last_attempt=utc_iso(clock()))
            try:
                _upload(store, http, target, report, stop, progress)
                if not report.stopped:
                    _fetch_cases(store, http, target, read_cases, report, utc_iso(clock()))
            except Exception as caught:  # noqa: BLE001 - any failure is noted and backed off, never raised
                exc = caught if isinstance(caught, SyncError) else SyncError(
                    f"unexpected failure: {one_line(f'{type(caught).__name__}: {caught}')}")
                report.error = exc.problem
                state = store.sync_state()
                failures = int(state.get("failures") or 0) + 1
                wait = BACKOFF_MAX if exc.token_refused else backoff(failures, target.interval, exc.retry_after, rand)
                store.note_sync(last_error=exc.problem, failures=failures,
                                backoff_until=utc_iso(clock() + dt.timedelta(seconds=wait)))
            else:
                if not report.stopped:
                    store.note_sync(last_success=utc_iso(clock()), last_error=None, failures=0, backoff_until=None)
            status = store.sync_status(target.kiosk_id)
            report.waiting = status.waiting
            report.elsewhere = status.others_by_kiosk
            report.cases_version = status.state.get("cases_version")
            return report
    finally:
        if own:
            http.close()


def _upload(store: Store, http: Client, target: Target, report: SyncReport, stop: threading.Event | None,
            progress: Callable[[int, int | None], None] | None = None) -> None:
    size = MAX_ROWS
    waiting = store.sync_status(target.kiosk_id).waiting if progress is not None else None
    for _ in range(BATCHES_MAX):
        if stop is not None and stop.is_set():
            report.stopped = True
            return
        batch = store.outbox_batch(target.kiosk_id, size)
        if not batch:
            return
        rows = [upload_row(item, target.personal_data) for item in batch]
        body = upload_body(target.kiosk_id, rows)
        if len(body) > MAX_BODY:
            if size == 1:
                raise SyncError(f"{batch[0].kind} {batch[0].id} is too large to send ({len(body)} bytes)")
            size = max(1, size // 2)
            continue
        try:
            answers = http.upload(target.kiosk_id, rows, body)
        except SyncError as exc:
            if exc.too_large and size > 1:
                size = max(1, size // 2)
                continue
            raise
        store.settle_outbox([(item, a["answer"], a.get("reason")) for item, a in zip(batch, answers, strict=True)])
        report.sent += len(batch)
        if progress is not None:
            progress(report.sent, waiting)
        for a in answers:
            setattr(report, a["answer"], getattr(report, a["answer"]) + 1)
        if len(batch) < size:
            return


def _fetch_cases(store: Store, http: Client, target: Target, read_cases: Callable[[Path], CaseSet],
                 report: SyncReport, checked: str) -> None:
    folder = folder_for(target.database)
    state = store.sync_state()
    have = state.get("cases_hash") if folder.is_dir() else None
    answer = http.cases(have)
    if answer is None:
        store.note_sync(cases_checked_at=checked)
        return
    try:
        published = parse(answer)
        if published.version == 0:  # nothing published yet: the kiosk keeps its own cases
            store.note_sync(cases_checked_at=checked, cases_error=None)
            return
        if have is not None and published.hash == have and published.version == state.get("cases_version"):
            store.note_sync(cases_checked_at=checked, cases_error=None)
            return
        install(published, folder, read_cases)
    except ValueError as exc:  # the office's words in it (its version, a file's name): one clean line
        report.cases_problem = one_line(f"version {answer.get('version')!s:.12}: {exc}")
        store.note_sync(cases_checked_at=checked, cases_error=report.cases_problem)
        return
    except OSError as exc:
        report.cases_problem = one_line(f"cannot write {folder}: {exc.strerror or exc}")
        store.note_sync(cases_checked_at=checked, cases_error=report.cases_problem)
        return
    report.cases_taken = True
    store.note_sync(cases_checked_at=checked, cases_error=None, cases_version=published.version,
                    cases_hash=published.hash)
