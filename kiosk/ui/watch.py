"""The volunteer always knows: the printer is watched while the kiosk is quiet, the home screen's
marker shows the letters waiting and the printer's problem, and failed letters print again by
themselves once the printer answers.

- The printer is checked at start, then every :data:`CHECK_EVERY` seconds, only while the kiosk
  is quiet: the home screen alone (no visitor mid-letter) and no letter in the print worker; a
  visitor's letter that fails makes the next quiet moment check it at once. The check runs in a
  thread worker, under the station's print lock: never while a letter prints, never on the
  screen's thread.
- A check that finds the printer answering, while failed letters wait, prints them again
  (:meth:`~kiosk.application.Station.retry_failed`) once the kiosk is quiet and nobody has
  touched it for :data:`QUIET_AFTER` seconds (a visitor at the home screen, choosing another
  case, never sees someone else's letter come out): only *failed* ones (no byte of them left),
  never a pending one (a visitor's letter on its way), an interrupted one (it may be on paper:
  a person looks first) or a held one (a volunteer decides). Each job is claimed in the
  database before it prints, so none prints twice.

:class:`WatchingApp` sits between :class:`~kiosk.ui.lock.LockedApp` and the kiosk app: its
handlers (``on_mount``, ``on_printed``) run after the app's own, as Textual calls a message's
handler in each class of the app.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import work
from textual.message import Message
from textual.worker import get_current_worker

from .lock import LockedApp
from .messages import Printed
from .screens.home import Backlog, HomeScreen

if TYPE_CHECKING:
    from ..application import Station

CHECK_EVERY = 60.0  # seconds between checks of the printer while the kiosk is quiet
WATCH_TICK = 1.0  # seconds between looks at whether a check is due
QUIET_AFTER = 10.0  # seconds nobody has touched the kiosk before failed letters print by themselves


class PrinterChecked(Message):
    """The watch's check of the printer: its problem, or None when it answers."""

    def __init__(self, problem: str | None) -> None:
        super().__init__()
        self.problem = problem


class FailedRetried(Message):
    """The failed letters were printed again: how many printed, the errors, and the printer's
    problem after them (None when none failed, or the printer answers)."""

    def __init__(self, printed: int, errors: list[str], problem: str | None) -> None:
        super().__init__()
        self.printed, self.errors, self.problem = printed, errors, problem


class WatchingApp(LockedApp):
    """The printer watch and the marker (see the module); the kiosk app is built on it."""

    station: Station
    clock: Callable[[], float]
    letters_printing: int
    last_activity: float

    def __init__(self) -> None:
        super().__init__()
        self.printer_problem: str | None = None  # the last check's (or failed letter's) problem
        self.printer_checking = False
        self.printer_retrying = False
        self.retry_due = False  # the printer answers and failed letters wait: printed at the next quiet moment
        self.next_printer_check: float | None = None  # None: at the next quiet moment (at start)
        self.backlog = Backlog()

    def on_mount(self) -> None:
        self.set_interval(WATCH_TICK, self.watch_printer, name="printer-watch")
        self.call_later(self.watch_printer)

    @property
    def quiet(self) -> bool:
        """No visitor mid-letter and nothing printing: the home screen alone, no letter in the
        print worker, no failed letters printing again."""
        return len(self.screen_stack) == 1 and self.letters_printing == 0 and not self.printer_retrying

    def watch_printer(self) -> bool:
        """The watch's tick: while the kiosk is quiet, print the failed letters again when a check
        found the printer answering and nobody has touched the kiosk for a while; else check the
        printer when a check is due. True if either started (in the watch's worker)."""
        if self.printer_checking or not self.quiet:
            return False
        if self.retry_due and self.clock() - self.last_activity >= QUIET_AFTER:
            self.retry_due = False
            self.printer_retrying = True
            self._retry_failed()
            return True
        if self.next_printer_check is not None and self.clock() < self.next_printer_check:
            return False
        self.printer_checking = True
        self._check_printer()
        return True

    @work(thread=True, exit_on_error=False, group="printer-watch")
    def _check_printer(self) -> None:
        try:
            problem = self.station.printer_problem()
        except Exception as exc:  # noqa: BLE001 - said on the marker, never a crash
            problem = str(exc) or type(exc).__name__
        self.post_message(PrinterChecked(problem))

    def on_printer_checked(self, message: PrinterChecked) -> None:
        self.printer_checking = False
        self.next_printer_check = self.clock() + CHECK_EVERY
        self.printer_problem = message.problem
        self.retry_due = message.problem is None and self._failed_waiting()
        self.show_backlog()
        self.watch_printer()  # the failed letters at once, if the kiosk is quiet

    def _failed_waiting(self) -> bool:
        try:
            return any(item.state == "failed" for item in self.station.waiting())
        except Exception:  # noqa: BLE001 - a database that cannot say: the next check asks again
            return False

    @work(thread=True, exit_on_error=False, group="printer-watch")
    def _retry_failed(self) -> None:
        worker = get_current_worker()
        try:
            printed, errors = self.station.retry_failed(stop=lambda: worker.is_cancelled)
        except Exception as exc:  # noqa: BLE001 - the letters wait, as before; said on the marker
            printed, errors = 0, [str(exc) or type(exc).__name__]
        problem = None
        if errors and not worker.is_cancelled:
            try:  # what is wrong now, in the check's words (a letter's error names its reference too)
                problem = self.station.printer_problem()
            except Exception as exc:  # noqa: BLE001
                problem = str(exc) or type(exc).__name__
        self.post_message(FailedRetried(printed, errors, problem))

    def on_failed_retried(self, message: FailedRetried) -> None:
        self.printer_retrying = False
        self.printer_problem = message.problem
        self.next_printer_check = self.clock() + CHECK_EVERY
        self.show_backlog()

    def on_printed(self, message: Printed) -> None:
        """A visitor's letter left the print worker (after the app's own handler): a failed one
        says the printer's problem at once, and the printer is checked at the next quiet moment."""
        outcome = message.outcome
        if outcome is not None and outcome.printed:
            self.printer_problem = None
        elif outcome is not None and not outcome.skipped:
            self.printer_problem = outcome.error
            self.next_printer_check = None
        self.show_backlog()

    def backlog_now(self) -> Backlog:
        """What the marker shows now. The letters are counted only while nothing prints (a letter
        at the printer is ``printing`` in the database, like an interrupted one): else the last
        count stands."""
        backlog = self.backlog
        if self.letters_printing == 0 and not self.printer_retrying:
            with contextlib.suppress(Exception):  # a database that cannot say: the last count stands
                backlog = Backlog(len(self.station.waiting()), len(self.station.held()))
        self.backlog = Backlog(backlog.waiting, backlog.held, self.printer_problem)
        return self.backlog

    def show_backlog(self) -> None:
        """The marker on the home screen, drawn again."""
        backlog = self.backlog_now()
        home = self.screen_stack[0] if self.screen_stack else None
        if isinstance(home, HomeScreen) and home.is_mounted:
            home.show_backlog(backlog)
