"""The kiosk app: the visitor flow, the idle reset, the lock, and the print worker.

Kiosk lock: the app inherits no bindings (no ctrl+q, ctrl+c quit), has no command palette,
and every built-in action that could quit, suspend, screenshot or switch screens is a
no-op, so even a ``[@click=app.quit]`` that slipped through would do nothing. The only
way out is the organiser screen, behind the PIN.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.message import Message

from ..pin import PinGuard
from ..printing.queue import Outcome
from ..station import Station
from ..store import Signature
from .themes import KIOSK_THEMES

ACTIVITY = (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp, events.Paste)


@dataclass(frozen=True)
class Letter:
    """What a visitor asked to print."""

    case_id: str
    kind: str
    name: str
    message: str


class Recorded(Message):
    def __init__(self, letter: Letter, signature: Signature) -> None:
        super().__init__()
        self.letter, self.signature = letter, signature


class NotRecorded(Message):
    def __init__(self, letter: Letter, error: str) -> None:
        super().__init__()
        self.letter, self.error = letter, error


class Printed(Message):
    def __init__(self, letter: Letter, signature: Signature, outcome: Outcome) -> None:
        super().__init__()
        self.letter, self.signature, self.outcome = letter, signature, outcome


class TaskDone(Message):
    """An organiser task (printer check, test print, retry) finished in the worker."""

    def __init__(self, task: str, result: object = None, error: str | None = None) -> None:
        super().__init__()
        self.task, self.result, self.error = task, result, error


class KioskApp(App[None], inherit_bindings=False):
    CSS_PATH = ["styles/app.tcss", "styles/visitor.tcss", "styles/organiser.tcss"]
    ENABLE_COMMAND_PALETTE = False
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    BINDINGS = [Binding("f12", "organiser", "Organiser", show=False, priority=True, id="organiser")]

    def __init__(self, station: Station, *, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.station = station
        self.config = station.config
        self.clock = clock
        self.pin_guard = PinGuard(station.config.pin_hash, clock=clock)
        self.last_activity = clock()
        self.busy_printing = False
        for theme in KIOSK_THEMES.values():
            self.register_theme(theme)
        self.theme = station.config.theme
        self.title = station.config.campaign

    def get_default_screen(self):
        from .screens.home import HomeScreen

        return HomeScreen()

    def on_mount(self) -> None:
        self.set_interval(1.0, self.reset_if_idle, name="idle")

    # -- idle reset ------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, ACTIVITY):
            self.last_activity = self.clock()
        await super().on_event(event)

    def idle_limit(self) -> float | None:
        """Seconds of no input after which the current screen goes home (None: never)."""
        limit = getattr(self.screen, "idle_limit", None)
        return limit(self) if callable(limit) else self.config.idle_timeout

    def reset_if_idle(self) -> None:
        limit = self.idle_limit()
        if limit is not None and self.clock() - self.last_activity >= limit:
            self.go_home()

    def go_home(self) -> None:
        """Back to the home screen; every screen above it, and all it held, is discarded."""
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.last_activity = self.clock()

    # -- visitor flow ------------------------------------------------------------------

    def open_case(self, case_id: str) -> None:
        from .screens.case import CaseScreen

        case = self.station.case(case_id)
        if case is not None:
            self.push_screen(CaseScreen(case))

    def open_form(self, case_id: str, kind: str) -> None:
        from .screens.form import FormScreen

        case = self.station.case(case_id)
        if case is not None:
            self.push_screen(FormScreen(case, kind))

    def start_print(self, letter: Letter) -> bool:
        """Record and print in the app's worker. False if a letter is already on its way."""
        from .screens.printing import PrintingScreen

        if self.busy_printing:
            return False
        self.busy_printing = True
        self.push_screen(PrintingScreen(letter))
        self._sign_and_print(letter)
        return True

    @work(thread=True, exit_on_error=False, group="print")
    def _sign_and_print(self, letter: Letter) -> None:
        try:
            sig = self.station.record(letter.case_id, letter.kind, letter.name, letter.message)
        except Exception as exc:  # noqa: BLE001 - the visitor is told; nothing was saved
            self.post_message(NotRecorded(letter, str(exc) or type(exc).__name__))
            return
        self.post_message(Recorded(letter, sig))
        try:
            outcome = self.station.print_signature(sig)
        except Exception as exc:  # noqa: BLE001 - the letter is saved; its job waits for a volunteer
            outcome = Outcome(False, str(exc) or type(exc).__name__)
        self.post_message(Printed(letter, sig, outcome))

    def on_recorded(self, message: Recorded) -> None:
        from .screens.printing import PrintingScreen

        if isinstance(self.screen, PrintingScreen):
            self.screen.recorded(message.signature)

    def on_not_recorded(self, message: NotRecorded) -> None:
        from .screens.printing import PrintingScreen

        self.busy_printing = False
        if isinstance(self.screen, PrintingScreen):
            self.screen.not_recorded(message.error)

    def on_printed(self, message: Printed) -> None:
        from .screens.thanks import ThanksScreen

        self.busy_printing = False
        self.go_home()
        self.push_screen(ThanksScreen(message.letter, message.signature, message.outcome))

    # -- organiser -------------------------------------------------------------------

    def action_organiser(self) -> None:
        from .screens.organiser import OrganiserScreen
        from .screens.pin import PinScreen

        if isinstance(self.screen, (PinScreen, OrganiserScreen)) or self.busy_printing:
            return

        def unlocked(ok: bool | None) -> None:
            if ok:
                self.push_screen(OrganiserScreen())

        self.push_screen(PinScreen(), unlocked)

    def run_task(self, task: str, job: Callable[[], object]) -> None:
        """Run printer work for the organiser screen in the app's worker; answer with TaskDone."""

        def run() -> None:
            try:
                self.post_message(TaskDone(task, result=job()))
            except Exception as exc:  # noqa: BLE001 - shown on the organiser screen
                self.post_message(TaskDone(task, error=str(exc) or type(exc).__name__))

        self.run_worker(run, thread=True, exit_on_error=False, group="organiser", name=task)

    def on_task_done(self, message: TaskDone) -> None:
        handler = getattr(self.screen, "task_done", None)
        if handler is not None:
            handler(message)

    def quit_kiosk(self) -> None:
        """The one way out, called from the organiser screen."""
        self.exit()

    # -- the lock: built-in ways out do nothing ------------------------------------------

    async def action_quit(self) -> None:
        self.bell()

    def action_help_quit(self) -> None:
        pass

    def action_suspend_process(self) -> None:
        pass

    def action_command_palette(self) -> None:
        pass

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        pass

    def action_change_theme(self) -> None:
        pass

    def action_toggle_dark(self) -> None:
        pass

    def action_show_help_panel(self) -> None:
        pass

    async def action_simulate_key(self, key: str) -> None:
        pass

    async def action_push_screen(self, screen: str) -> None:
        pass

    async def action_switch_screen(self, screen: str) -> None:
        pass

    async def action_switch_mode(self, mode: str) -> None:
        pass

    async def action_pop_screen(self) -> None:
        pass

    async def action_back(self) -> None:
        pass

    async def action_add_class(self, selector: str, class_name: str) -> None:
        pass

    async def action_remove_class(self, selector: str, class_name: str) -> None:
        pass

    async def action_toggle_class(self, selector: str, class_name: str) -> None:
        pass
