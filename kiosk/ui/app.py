"""The kiosk app: the visitor flow, the idle reset, the organiser behind the PIN, and the print worker.

Screens post messages (:mod:`kiosk.ui.messages`) and the app handles them here; the app
asks the :class:`~kiosk.application.Station` for everything else. The lock (no way out but
the organiser screen) is :mod:`kiosk.ui.lock`; each screen declares its own idle policy.
"""

from __future__ import annotations

import gc
import importlib
import threading
import time
from collections.abc import Callable
from typing import Any

from textual import events, work
from textual.binding import Binding
from textual.screen import Screen

from ..application import ConsentChoice, Language, Letter, Outcome, Signature, Station, language
from .messages import (
    AskContact,
    CasesReloaded,
    ChooseLanguage,
    ConsentAnswered,
    ConsentRecorded,
    ConsentSkipped,
    GoHome,
    NotRecorded,
    OpenCase,
    OpenForm,
    OpenOrganiser,
    Printed,
    PrintLetter,
    QuitKiosk,
    Recorded,
    ReloadCases,
    RunTask,
    SignAnother,
    SwitchCase,
    SyncDone,
    SyncNow,
    SyncShown,
    TaskDone,
)
from .screens.base import Idle, OnKiosk
from .screens.case import CaseScreen
from .screens.consent import ConsentAsked, ConsentScreen, ContactScreen
from .screens.home import HomeScreen
from .screens.pin import PinScreen
from .screens.printing import PrintingScreen
from .screens.still_there import StillThereWatch
from .screens.thanks import ThanksScreen, shown_address
from .textual_fixes import ORIGINAL_GET_INNER_OUTER  # noqa: F401 - works Textual's faults around on import
from .themes import KIOSK_THEMES
from .watch import WatchingApp

ACTIVITY = (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp, events.Paste)
SYNC_TICK = 1.0  # seconds between looks at whether a sync is due
# The form and the organiser's screens (Textual's text area, tabs and tables behind them) and the
# printing code are loaded after the first frame, in a thread, this long after it: the first frame
# comes sooner, and nothing waits for them when a visitor or a volunteer opens one, or prints.
WARM_UP_AFTER = 0.5
LATER_SCREENS = ("kiosk.ui.screens.form", "kiosk.ui.screens.organiser")


class KioskApp(WatchingApp):  # the printer watch and the home screen's marker: ui/watch.py
    CSS_PATH = ["styles/app.tcss", "styles/visitor.tcss", "styles/organiser.tcss"]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    BINDINGS = [Binding("f12", "organiser", "Organiser", show=False, priority=True, id="organiser")]

    def __init__(self, station: Station, *, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.station = station
        self.clock = clock
        self.pin_guard = station.pin_guard(clock)
        self.last_activity = clock()
        self.letters_printing = 0  # letters in the print worker (recording, or waiting for or at the printer)
        self.stall_language = language(station.settings.language)
        self.language: Language = self.stall_language  # the visitor's, for their visit
        self.signed_as: Letter | None = None  # after Sign another case: their name (and place) for their next form
        self.still_there = StillThereWatch()  # "Still there?" before the idle reset
        for theme in KIOSK_THEMES.values():
            self.register_theme(theme)
        # Setting another theme queues a second parse of every style sheet (Textual's refresh_css, about
        # 0.02 s at start): the first parse has the theme's variables instead, and that call is skipped.
        self._themed_at_start = self.theme != station.settings.theme
        self.theme = station.settings.theme
        self.stylesheet.set_variables(self.get_css_variables())
        self.title = station.settings.campaign
        # Sync with the office, in a thread of its own (never the screen's): at start, then every
        # interval, later after failures. Only one runs at a time. It is a daemon thread, not a
        # Textual worker: quitting never waits for it (Textual waits for its thread workers, and an
        # office that trickles its answer would hold the kiosk open); it is told to stop between
        # batches, and a kiosk that exits mid-request loses nothing (each SQLite commit is whole,
        # and a row is marked sent only from the office's answer).
        self.sync = station.sync() if station.settings.sync_url else None
        self.syncing = False
        self.next_sync = clock()  # at start
        self.last_sync_line: str | None = None  # what the last sync in this run said (its line, or its error)
        self.cases_waiting = False  # the office's new case set waits for the home screen
        self._sync_stop = threading.Event()
        self.sync_thread: threading.Thread | None = None  # the last sync started (a daemon thread)

    def refresh_css(self, animate: bool = True) -> None:
        if getattr(self, "_themed_at_start", False):  # queued by the theme set in __init__: parsed with it
            self._themed_at_start = False
            return
        super().refresh_css(animate)

    def get_default_screen(self) -> Screen[None]:
        return HomeScreen()

    def run(self, *args: Any, **kwargs: Any) -> Any:
        """Textual's run, with Python's cycle collector paused until the first frame is up (the
        objects made at start live as long as the app: looking through them all, several times,
        only delays the first frame); it collects from then on, as ever."""
        was_on = gc.isenabled()
        gc.disable()
        try:
            return super().run(*args, **kwargs)
        finally:
            if was_on:
                gc.enable()

    def on_ready(self) -> None:
        """The first frame is on screen: the cycle collector runs again, and what the frame did not
        need is loaded in the background."""
        gc.enable()
        self.set_timer(WARM_UP_AFTER, self.warm_up, name="warm-up")

    def warm_up(self) -> threading.Thread:
        """Load the later screens and the printing code, and run the printing once (sending nothing),
        in a daemon thread: quitting never waits for it, and a fault in it is no fault of the kiosk's
        (the code it would have loaded loads when it is used)."""

        def run() -> None:
            try:
                for module in LATER_SCREENS:
                    importlib.import_module(module)
                self.station.warm_up()
            except Exception:  # noqa: BLE001 - only a head start: whatever failed fails again where it is used
                pass

        thread = threading.Thread(target=run, name="kiosk-warm-up", daemon=True)
        thread.start()
        return thread

    def on_mount(self) -> None:
        self.set_class(self.language.rtl, "-rtl")
        self.set_interval(1.0, self.reset_if_idle, name="idle")
        if self.sync is not None:
            self.set_interval(SYNC_TICK, self.sync_if_due, name="sync")
            self.call_later(self.sync_if_due)

    # -- idle reset ------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, ACTIVITY):
            self.last_activity = self.clock()
            if self.still_there.cancel() and isinstance(event, events.Key):
                return  # the key that answers "Still there?" does nothing else
        await super().on_event(event)

    @property
    def busy_printing(self) -> bool:
        return self.letters_printing > 0

    def idle_limit(self) -> float | None:
        """Seconds of no input after which the current screen goes home (None: never): its
        policy's time, and the time it takes to read what the screen asks to be read (never
        more than the settings' idle_timeout)."""
        screen = self.screen
        policy = screen.idle if isinstance(screen, OnKiosk) else Idle.VISITOR
        settings = self.station.settings
        limit = {Idle.NEVER: None, Idle.VISITOR: settings.idle_timeout, Idle.THANKS: settings.thanks_timeout}[policy]
        if limit is None and self.signed_as is not None and len(self.screen_stack) == 1:
            return settings.idle_timeout  # home, keeping a visitor's name: it goes with the idle reset
        if limit is None or not isinstance(screen, OnKiosk):
            return limit
        return max(limit, min(limit + screen.reading_seconds, settings.idle_timeout))

    def reset_if_idle(self) -> None:
        """Once a second: home when the screen's time is up; "Still there?" in its last seconds."""
        if not self.screen_stack:  # a tick while the app closes: nothing to reset
            return
        limit = self.idle_limit()
        left = None if limit is None else limit - (self.clock() - self.last_activity)
        if left is not None and left <= 0:
            self.end_visit()
        else:
            self.still_there.update(self.screen, left, limit)

    def go_home(self) -> None:
        """Back to the home screen; every screen above it, and all it held, is discarded (the
        app keeps no clipboard: see :meth:`~kiosk.ui.lock.LockedApp.copy_to_clipboard`)."""
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.last_activity = self.clock()

    def end_visit(self) -> None:
        """Home for the next visitor, in the stall's language; nothing of this visitor's kept."""
        self.signed_as = None
        self.still_there.cancel()
        self.go_home()
        self.set_language(self.stall_language.code)
        self.offer_new_cases()

    def offer_new_cases(self) -> None:
        """The office's new case set, once the home screen is up with no visitor mid-way."""
        if not self.cases_waiting or len(self.screen_stack) > 1:
            return
        self.cases_waiting = False
        self.station.reload_cases()
        home = self.screen_stack[0]
        if isinstance(home, HomeScreen):
            home.refresh_cases()

    def set_language(self, code: str) -> None:
        """The visitor's language, for the rest of their visit: the home screen is drawn again in it."""
        if code == self.language.code:
            return
        self.language = language(code)
        self.set_class(self.language.rtl, "-rtl")
        home = self.screen_stack[0]
        if isinstance(home, HomeScreen):
            self.call_later(home.relabel)

    def on_go_home(self, message: GoHome) -> None:
        self.end_visit()

    def on_sign_another(self, message: SignAnother) -> None:
        """The visitor goes on to another case: home, in their language, their name kept for their next form."""
        self.signed_as = message.letter
        self.go_home()

    def on_choose_language(self, message: ChooseLanguage) -> None:
        self.set_language(message.code)

    # -- visitor flow ------------------------------------------------------------------

    def open_case(self, case_id: str) -> None:
        case = self.station.case(case_id)
        if case is not None:
            self.push_screen(CaseScreen(case))

    def on_open_case(self, message: OpenCase) -> None:
        self.open_case(message.case_id)

    def open_form(self, case_id: str, kind: str) -> None:
        case = self.station.case(case_id)
        if case is not None:
            from .screens.form import FormScreen

            self.push_screen(FormScreen(case, kind))

    def on_open_form(self, message: OpenForm) -> None:
        self.open_form(message.case_id, message.kind)

    def start_print(self, letter: Letter) -> bool:
        """Record and print ``letter`` in a worker of its own. The letter is recorded at once,
        even while an earlier visitor's letter is still at the printer (that visitor may be
        answering the consent question, or gone): it then waits its turn for the printer."""
        self.letters_printing += 1
        form = self.screen
        from .screens.form import FormScreen

        retry = form.allow_retry if isinstance(form, FormScreen) else None
        self.push_screen(PrintingScreen(letter), retry)
        self._sign_and_print(letter)
        return True

    def on_print_letter(self, message: PrintLetter) -> None:
        self.start_print(message.letter)

    @work(thread=True, exit_on_error=False, group="print")
    def _sign_and_print(self, letter: Letter) -> None:
        try:
            sig = self.station.record(letter.case_id, letter.kind, letter.name, letter.message,
                                      language=letter.language, place=letter.place)
        except Exception as exc:  # noqa: BLE001 - the visitor is told; nothing was saved
            self.post_message(NotRecorded(letter, str(exc) or type(exc).__name__))
            return
        self.post_message(Recorded(letter, sig))
        if sig.held or sig.repeat:
            # Held: recorded, and a volunteer decides on the organiser screen what prints. A
            # repeat: the letter recorded a moment ago (a double press), which prints once, by
            # the press that recorded it.
            self.post_message(Printed(letter, sig, None))
            return
        try:
            outcome = self.station.print_signature(sig)
        except Exception as exc:  # noqa: BLE001 - the letter is saved; its job waits for a volunteer
            outcome = Outcome(False, str(exc) or type(exc).__name__)
        self.post_message(Printed(letter, sig, outcome))

    def _printing_screen_of(self, letter: Letter) -> PrintingScreen | None:
        """The printing screen up now, if it is this letter's (another visitor's may be)."""
        screen = self.screen
        return screen if isinstance(screen, PrintingScreen) and screen.letter is letter else None

    def on_recorded(self, message: Recorded) -> None:
        """Saved: the visitor is asked whether we may contact them (where the stall asks), while
        the letter prints; else they watch it print."""
        screen = self._printing_screen_of(message.letter)
        if screen is None:
            return
        text = self.station.consent_text(message.letter.language)
        if text is None or message.signature.repeat:  # a repeat's visitor was asked with their first press
            screen.recorded(message.signature)
            return
        self.go_home()  # the form is done with: the letter is saved
        self.push_screen(ConsentScreen(message.letter, message.signature, text, None))

    def on_not_recorded(self, message: NotRecorded) -> None:
        self.letters_printing -= 1
        screen = self._printing_screen_of(message.letter)
        if screen is not None:
            screen.not_recorded(message.error)

    def on_printed(self, message: Printed) -> None:
        """The letter's printing ended: the visitor sees it where they are now. A visitor who
        left (the idle reset took the kiosk home) is not shown anything: the next one is."""
        self.letters_printing -= 1
        screen = self.screen
        if self._printing_screen_of(message.letter) is not None:
            self.go_home()
            self.push_screen(ThanksScreen(message.letter, message.signature, message.outcome))
        elif message.signature.repeat:  # the first press's screens follow the first press's printing
            return
        elif isinstance(screen, ThanksScreen) and screen.signature.id == message.signature.id:
            screen.printed(message.outcome)
        for asked in self.screen_stack:  # the question, and the address form above it
            if isinstance(asked, ConsentAsked) and asked.signature.id == message.signature.id:
                asked.printed(message.outcome)

    # -- consent to be contacted -------------------------------------------------------

    def on_ask_contact(self, message: AskContact) -> None:
        screen = self.screen
        if isinstance(screen, ConsentScreen) and screen.signature.id == message.signature.id:
            self.push_screen(ContactScreen(message.letter, message.signature, screen.text, screen.outcome))

    def on_consent_answered(self, message: ConsentAnswered) -> None:
        for asked in self.screen_stack:  # answered: neither the question nor the form takes another answer
            if isinstance(asked, ConsentAsked) and asked.signature.id == message.signature.id:
                asked.answered = True
        self._record_consent(message.letter, message.signature, message.answer)

    @work(thread=True, exit_on_error=False, group="consent")
    def _record_consent(self, letter: Letter, signature: Signature, answer: ConsentChoice) -> None:
        try:
            self.station.record_consent(signature.id, answer)
        except Exception as exc:  # noqa: BLE001 - the visitor is told; their letter is saved either way
            self.post_message(ConsentRecorded(letter, signature, answer, str(exc) or type(exc).__name__))
            return
        self.post_message(ConsentRecorded(letter, signature, answer))

    def on_consent_recorded(self, message: ConsentRecorded) -> None:
        if message.error is not None:
            note = self.language._("Sorry, your answer could not be saved: please tell a volunteer."
                                   " Your letter is saved.")
        elif message.answer.choice == "yes" and message.answer.email:
            note = self.language._("We will write to you at {address}.").format(
                address=shown_address(message.answer.email))
        else:
            note = ""
        self._thank(message.letter, message.signature, note)

    def on_consent_skipped(self, message: ConsentSkipped) -> None:
        self._thank(message.letter, message.signature)

    def _thank(self, letter: Letter, signature: Signature, note: str = "") -> None:
        """The consent step is over: thanks, with how the letter's printing went (or goes)."""
        asked = [s for s in self.screen_stack if isinstance(s, ConsentAsked) and s.signature.id == signature.id]
        if not asked:  # the visitor left meanwhile (idle reset): the next visitor is not thanked for it
            return
        outcome = asked[-1].outcome
        self.go_home()
        self.push_screen(ThanksScreen(letter, signature, outcome, note))

    # -- organiser -------------------------------------------------------------------

    def action_organiser(self) -> None:
        from .screens.organiser import OrganiserScreen

        if isinstance(self.screen, (PinScreen, OrganiserScreen)) or self.busy_printing:
            return

        def unlocked(ok: bool | None) -> None:
            if ok:
                self.push_screen(OrganiserScreen())

        self.push_screen(PinScreen(), unlocked)

    def on_open_organiser(self, message: OpenOrganiser) -> None:
        self.action_organiser()

    def on_run_task(self, message: RunTask) -> None:
        """Printer work for the organiser screen, in the app's worker; the answer goes to the screen."""
        screen, task, job = self.screen, message.task, message.job

        def run() -> None:
            try:
                screen.post_message(TaskDone(task, line=job()))
            except Exception as exc:  # noqa: BLE001 - shown on the organiser screen
                screen.post_message(TaskDone(task, error=str(exc) or type(exc).__name__))

        self.run_worker(run, thread=True, exit_on_error=False, group="organiser", name=task.value)

    def on_switch_case(self, message: SwitchCase) -> None:
        self.station.set_enabled(message.case_id, message.enabled)

    def on_reload_cases(self, message: ReloadCases) -> None:
        self.screen.post_message(CasesReloaded(self.station.reload_cases()))

    # -- sync with the office -----------------------------------------------------------

    def sync_if_due(self, *, now: bool = False) -> bool:
        """Start a sync in the sync worker if one is due (``now``: whatever the wait says) and none
        is running; True if one started."""
        if self.sync is None or self.syncing or self._sync_stop.is_set():
            return False
        if not now and self.clock() < self.next_sync:
            return False
        self.syncing = True
        self.sync_thread = threading.Thread(target=self._sync_worker, name="kiosk-sync", daemon=True)
        self.sync_thread.start()
        self._tell_organiser(running=True)
        return True

    def _sync_worker(self) -> None:
        """*The sync thread.* One sync; its outcome to the app as a message (post_message is thread-safe,
        and does nothing once the app has gone). Nothing raised here is printed over the screen."""
        sync = self.sync
        assert sync is not None
        interval = self.station.settings.sync_interval
        try:
            report = sync.run(stop=self._sync_stop)
        except Exception as exc:  # noqa: BLE001 - a database that cannot be opened: shown to the organiser
            self.post_message(SyncDone(None, str(exc) or type(exc).__name__, interval))
            return
        try:
            wait = sync.seconds_to_next()
        except Exception:  # noqa: BLE001 - the interval, then
            wait = interval
        self.post_message(SyncDone(report.line(), report.error, max(wait, 1.0), report.cases_taken))

    def on_sync_done(self, message: SyncDone) -> None:
        self.syncing = False
        self.next_sync = self.clock() + message.wait
        self.last_sync_line = message.error or message.line
        if message.cases_taken:
            self.cases_waiting = True
            self.offer_new_cases()
        self._tell_organiser(running=False)

    def on_unmount(self) -> None:
        self._sync_stop.set()  # a sync on its way stops between batches; nothing waits for its request

    def on_sync_now(self, message: SyncNow) -> None:
        self.sync_if_due(now=True)

    def _tell_organiser(self, *, running: bool) -> None:
        from .screens.organiser import OrganiserScreen

        for screen in self.screen_stack:
            if isinstance(screen, OrganiserScreen):
                screen.post_message(SyncShown(running))

    def quit_kiosk(self) -> None:
        """The one way out, called from the organiser screen."""
        self._sync_stop.set()
        self.leave()

    def on_quit_kiosk(self, message: QuitKiosk) -> None:
        self.quit_kiosk()
