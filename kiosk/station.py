"""One kiosk at one stall: its settings, cases, printer and database, as the app uses them.

The app calls only this. Methods marked *any thread* open their own database connection
and may run in a worker thread; the others use the connection of the thread that opened
the station (the app's). Printing is serialised: one job at a time reaches the printer.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .cases import Case, CaseSet, read_dir
from .config import Config
from .printing.devices import PrintError, check
from .printing.queue import Outcome, deliver, print_signature, retry_jobs
from .printing.setups import Setup, SetupError, parse_spec, preview_setup
from .receipts import layouts
from .receipts.plain import render_text
from .reports.summary import tally
from .store import Job, Scope, Signature, Store, StoreError, stall_iso, utc_iso
from .text import TextError, validate_message, validate_name


class StationError(Exception):
    """The kiosk cannot start: one line naming the file or setting."""


@dataclass(frozen=True)
class Waiting:
    """A print job that needs a volunteer, with what it prints."""

    job: Job
    signature: Signature

    @property
    def state(self) -> str:
        return "interrupted" if self.job.status == "printing" else self.job.status


def load_setup(config: Config) -> Setup:
    if not config.printer:
        return preview_setup(config.preview_dir)
    try:
        return parse_spec(config.printer, config.printers_dir)
    except SetupError as exc:
        raise StationError(f"printer: {exc}") from None


class Station:
    def __init__(self, config: Config, *, setup: Setup | None = None,
                 clock: Callable[[], dt.datetime] | None = None, warn: Callable[[str], None] | None = None):
        self.config = config
        self.setup = setup or load_setup(config)
        self.clock = clock or (lambda: dt.datetime.now().astimezone())
        self._print_lock = threading.Lock()
        try:
            self._store = Store(config.database_path, create=True)
        except StoreError as exc:
            raise StationError(str(exc)) from None
        self.case_set = CaseSet({}, [])
        self.reload_cases()
        for error in self.case_set.errors:
            if warn:
                warn(f"skipped: {error}")
        if not self.case_set.cases:
            self.close()
            raise StationError(f"{config.cases_dir}: no usable case files")

    def close(self) -> None:
        self._store.close()

    # -- cases ---------------------------------------------------------------------

    def reload_cases(self) -> list[str]:
        """Read the cases folder again; returns its problems (bad files are skipped)."""
        fresh = read_dir(self.config.cases_dir)
        if fresh.cases or not self.case_set.cases:
            self.case_set = fresh
        return [str(e) for e in fresh.errors]

    def today(self) -> dt.date:
        return self.clock().date()

    def all_cases(self) -> list[Case]:
        return sorted(self.case_set.cases.values(), key=lambda c: c.title.casefold())

    def offered(self) -> list[Case]:
        """The cases visitors can pick: open, and not switched off on this kiosk."""
        disabled = self._store.disabled_cases()
        return [c for c in self.case_set.offered(self.today()) if c.id not in disabled]

    def is_enabled(self, case_id: str) -> bool:
        return case_id not in self._store.disabled_cases()

    def set_enabled(self, case_id: str, enabled: bool) -> None:
        self._store.set_case_enabled(case_id, enabled)

    def case(self, case_id: str) -> Case | None:
        return self.case_set.cases.get(case_id)

    # -- counts --------------------------------------------------------------------

    def today_scope(self) -> Scope:
        """This kiosk's letters today (the stall's day): the home counter, the organiser's
        chart and the tally slip all count exactly these."""
        return Scope.day(self.today(), kiosk_id=self.config.kiosk_id)

    def count_today(self) -> int:
        return self._store.total(self.today_scope())

    def counts_today(self) -> dict[str, int]:
        return {row["case_id"]: row["count"] for row in self._store.counts("case", self.today_scope())}

    # -- the visitor's letter --------------------------------------------------------

    def next_number(self) -> int:
        """The number the next letter on this kiosk will most likely get."""
        (number,) = self._store.db.execute(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM signatures WHERE kiosk_id = ?", [self.config.kiosk_id]
        ).fetchone()
        return number

    def preview(self, case: Case, kind: str, name: str, message: str, number: int = 0) -> str:
        """The receipt as it will print, as text, for what the visitor has typed so far."""
        sig = Signature(
            id="", number=number, case_id=case.id, kind=kind, name=name.strip() or "Your name",
            message=message, created_at=utc_iso(self.clock()), event=self.config.event, kiosk_id=self.config.kiosk_id,
            local_time=stall_iso(self.clock()),
        )
        return render_text(layouts.for_signature(case, sig, self.config.campaign), self.setup.paper)

    @staticmethod
    def check_form(name: str, message: str) -> tuple[str, str]:
        """The cleaned name and message, or TextError with a message for the visitor."""
        return validate_name(name), validate_message(message)

    def record(self, case_id: str, kind: str, name: str, message: str) -> Signature:
        """*Any thread.* Commit the signature and its pending print job."""
        name, message = self.check_form(name, message)
        case = self.case(case_id)
        if case is None:
            raise TextError(f"case: unknown case {case_id!r}")
        with Store(self.config.database_path, create=False) as store:
            return store.record(case=case, kind=kind, name=name, message=message, event=self.config.event,
                                kiosk_id=self.config.kiosk_id, at=self.clock())

    def print_signature(self, sig: Signature, *, allow=("pending", "failed")) -> Outcome:
        """*Any thread.* Print a recorded signature's job; the job records the outcome."""
        with self._print_lock, Store(self.config.database_path, create=False) as store:
            return print_signature(store, sig, self.case(sig.case_id), self.setup, self.config.campaign, allow=allow)

    # -- organiser -------------------------------------------------------------------

    def waiting(self) -> list[Waiting]:
        """Jobs that are pending, failed or interrupted, oldest first."""
        out = []
        for job in self._store.jobs():
            sig = self._store.signature(job.signature_id)
            if sig is not None:
                out.append(Waiting(job, sig))
        return out

    def retry(self, *, interrupted: bool = False) -> tuple[int, list[str]]:
        """*Any thread.* Print every waiting job; returns (printed, errors)."""
        printed, errors = 0, []
        with Store(self.config.database_path, create=False) as store:
            for sig, outcome in retry_jobs(store, self.case_set.cases, self.setup, self.config.campaign,
                                           interrupted=interrupted, lock=self._print_lock):
                if outcome.printed:
                    printed += 1
                else:
                    errors.append(f"Ref. {sig.reference}: {outcome.error}")
        return printed, errors

    def printer_status(self) -> str:
        """*Any thread.* The printer's state in a few words; raises PrintError."""
        with self._print_lock:
            return check(self.setup)

    def print_tally(self) -> tuple[int, Path | None]:
        """*Any thread.* Print today's tally slip for this kiosk: the letters the home screen
        counts, per case and per hour. Returns (letters, preview file); raises PrintError."""
        with Store(self.config.database_path, create=False) as store:
            slip = tally(store, self.today(), kiosk_id=self.config.kiosk_id, case_files=self.case_set.cases,
                         now=self.clock())
        receipt = layouts.tally(slip, self.setup.paper.columns)
        with self._print_lock:
            return slip.total, deliver(receipt, self.setup)

    def test_print(self) -> Path | None:
        """*Any thread.* Print the test receipt; raises PrintError."""
        receipt = layouts.printer_test(self.setup.describe(), self.setup.paper.columns, when=self.clock())
        with self._print_lock:
            return deliver(receipt, self.setup)


__all__ = ["PrintError", "Station", "StationError", "TextError", "Waiting"]
