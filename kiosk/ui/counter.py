"""The counter facing the crowd (``kiosk counter``): a second Textual app, read only, for a monitor
or a TV at the stall.

Today's letters in large digits, a bar for each case, an optional goal and the national total
(when the stall syncs), in the stall's language. It reads the kiosk's database through
:class:`~kiosk.application.counter.Counter` (only for reading: nothing is written or locked)
every :data:`POLL_EVERY` seconds, counting again only when the file changed; the office is asked
every :data:`NATIONAL_EVERY` seconds. Both run in daemon threads of their own, never on the screen's
thread, and post what they found as a message: a slow disk or an office that trickles its answer
never freezes the screen or holds the counter open when it quits. Whatever fails is one discreet
line, never a traceback.

It is not the locked kiosk: nobody types on it. ``q``, Ctrl+C and Ctrl+Q quit it.
"""

from __future__ import annotations

import threading
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Digits, Label, ProgressBar

from ..application import N_, Language, SettingError, language
from ..application.counter import NATIONAL_EVERY, POLL_EVERY, Counter, Reading, Tally
from .themes import KIOSK_THEMES, theme_names
from .words import shown

CASE_ROWS = 12  # bars at most (a screen shows those that fit, most letters first)

CAPTION = N_("Letters written today")
ALL_KIOSKS = N_("all kiosks")
FIRST = N_("Be the first to write a letter today!")
WAITING = N_("Waiting for the kiosk's database…")
NO_NATIONAL = N_("The national total could not be updated just now.")
GOAL_REACHED = N_("Goal reached: thank you!")


def digits(n: int) -> str:
    """A count as the large digits show it, in groups of three (``12 345``)."""
    return f"{n:,}".replace(",", " ")


class Read(Message):
    """What a look at the database found (from the reading thread)."""

    def __init__(self, reading: Reading | None) -> None:
        super().__init__()
        self.reading = reading


class National(Message):
    """The national total, or None when the office could not say (from the office's thread)."""

    def __init__(self, total: int | None) -> None:
        super().__init__()
        self.total = total


class CaseBar(Widget):
    """A bar as long as its share of the widest; drawn from the right in a right-to-left language."""

    DEFAULT_CSS = "CaseBar { height: 1; width: 1fr; }"

    def __init__(self, *, rtl: bool = False, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self.share = 0.0
        self.rtl = rtl

    def set_share(self, share: float) -> None:
        self.share = min(max(share, 0.0), 1.0)
        self.refresh()

    def render(self) -> Content:
        width = self.content_size.width
        filled = round(width * self.share) if self.share else 0
        if self.share and not filled:
            filled = 1  # a case with letters always shows some bar
        line = "█" * filled
        return Content(line.rjust(width) if self.rtl else line)


class CaseRow(Horizontal):
    """One case: its title, its bar, its letters."""

    def __init__(self, rtl: bool) -> None:
        super().__init__(classes="case-row")
        self.rtl = rtl
        self.title_label = Label(classes="case-title")
        self.bar = CaseBar(rtl=rtl, classes="case-bar")
        self.letters = Label(classes="case-letters")

    def compose(self) -> ComposeResult:
        parts = [self.title_label, self.bar, self.letters]
        yield from reversed(parts) if self.rtl else parts


class CounterApp(App[None]):
    """The counter: ``counter`` reads the database; ``goal`` letters to reach today (optional)."""

    CSS_PATH = "styles/counter.tcss"
    TITLE = "kiosk counter"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", show=False, priority=True),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True, system=True),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, system=True),
    ]
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, counter: Counter, *, goal: int | None = None, poll_every: float = POLL_EVERY,
                 national_every: float = NATIONAL_EVERY) -> None:
        super().__init__()
        self.counter = counter
        self.goal = goal
        self.poll_every = poll_every
        self.national_every = national_every
        settings = counter.settings
        self.lang: Language = language(settings.language)
        self.bidi = settings.bidi
        for theme in KIOSK_THEMES.values():
            self.register_theme(theme)
        self.theme = settings.theme
        self.tally = Tally(counter.today(), 0)
        self.waiting = False          # the database could not be read at the last look
        self.national: int | None = None
        self.national_failed = False  # the office did not say, the last time it was asked
        self._reading = False
        self._asking = False
        self._stop = threading.Event()
        self.rows = [CaseRow(self.lang.rtl) for _ in range(CASE_ROWS)]

    # -- words -----------------------------------------------------------------------------

    def _(self, message: str) -> str:
        return self.lang._(message)

    def shown(self, text: str) -> Content:
        return shown(text, rtl=self.lang.rtl, bidi=self.bidi)

    # -- the screen ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="counter"):
            yield Label(id="where")
            yield Label(self.shown(self._(CAPTION)), id="caption")
            yield Digits("0", id="letters")
            with Horizontal(id="goal-row"):
                goal = [Label(id="goal"), ProgressBar(total=self.goal or 1, show_eta=False, id="goal-bar")]
                yield from reversed(goal) if self.lang.rtl else goal  # a row reads from the right in Arabic
            with Vertical(id="cases"):
                yield Label(self.shown(self._(FIRST)), id="first")
                yield from self.rows
            yield Label(id="national")
            yield Label(id="status")

    def on_mount(self) -> None:
        self.set_class(self.lang.rtl, "-rtl")
        self.query_one("#goal-row").display = self.goal is not None
        self.query_one("#national").display = self.counter.national_configured
        self._show()
        self.poll()
        self.poll_timer = self.set_interval(self.poll_every, self.poll)
        if self.counter.national_configured:
            self.ask_office()
            self.set_interval(self.national_every, self.ask_office)

    def on_unmount(self) -> None:
        self._stop.set()

    def _show(self) -> None:
        if not self.query("#where"):  # a reading that arrives while the app closes has nothing to show on
            return
        tally, lang = self.tally, self.lang
        where = self._(ALL_KIOSKS) if self.counter.all_kiosks else self.counter.settings.kiosk_id
        parts = [self.counter.settings.event, where, lang.date(tally.day)]
        if lang.rtl:  # the date first: a number of it never runs into the Latin letters of an event's name
            parts.reverse()
        self.query_one("#where", Label).update(self.shown(" · ".join(parts)))
        self.query_one("#letters", Digits).update(digits(tally.letters))
        if self.goal is not None:
            if tally.letters >= self.goal:
                goal = self._(GOAL_REACHED)
            else:
                goal = lang.ngettext("Our goal: {n} letter", "Our goal: {n} letters", self.goal)
            self.query_one("#goal", Label).update(self.shown(goal))
            self.query_one("#goal-bar", ProgressBar).update(total=self.goal, progress=min(tally.letters, self.goal))
        self._show_cases(tally)
        if self.national is not None:
            self.query_one("#national", Label).update(self.shown(lang.ngettext(
                "{n} letter written across the country", "{n} letters written across the country", self.national)))
        notes = []
        if self.waiting:
            notes.append(self._(WAITING))
        if self.national_failed:
            notes.append(self._(NO_NATIONAL))
        self.query_one("#status", Label).update(self.shown("\n".join(notes)))

    def _show_cases(self, tally: Tally) -> None:
        self.query_one("#first").display = not tally.cases
        most = max((case.letters for case in tally.cases), default=0)
        for i, row in enumerate(self.rows):
            if i >= len(tally.cases):
                row.display = False
                continue
            case = tally.cases[i]
            row.display = True
            row.title_label.update(self.shown(case.title))
            row.letters.update(self.shown(self.lang.number(case.letters)))
            row.bar.set_share(case.letters / most if most else 0.0)

    # -- reading the database, asking the office (each in a thread of its own) --------------

    def poll(self) -> None:
        """Look at the database in the reading thread, unless a look is on its way."""
        if self._reading or self._stop.is_set():
            return
        self._reading = True
        threading.Thread(target=self._read, name="counter-read", daemon=True).start()

    def _read(self) -> None:
        try:
            reading = self.counter.poll()
        except Exception:  # noqa: BLE001 - poll never raises; whatever did is one more look that failed
            reading = Reading(None, waiting=True)
        self.post_message(Read(reading))  # thread-safe; nothing once the app has gone

    def on_read(self, message: Read) -> None:
        self._reading = False
        reading = message.reading
        if reading is None:
            return
        if reading.tally is not None:
            self.tally = reading.tally
        self.waiting = reading.waiting
        self._show()

    def ask_office(self) -> None:
        """Ask the office for the national total in its thread, unless a question is on its way."""
        if self._asking or self._stop.is_set():
            return
        self._asking = True
        threading.Thread(target=self._ask, name="counter-national", daemon=True).start()

    def _ask(self) -> None:
        try:
            total: int | None = self.counter.national()
        except Exception:  # noqa: BLE001 - no network, an office down or saying nonsense: said discreetly
            total = None
        self.post_message(National(total))

    def on_national(self, message: National) -> None:
        self._asking = False
        self.national_failed = message.total is None
        if message.total is not None:
            self.national = message.total
        self._show()


def build_counter(counter: Counter, *, goal: int | None = None, poll_every: float = POLL_EVERY,
                  national_every: float = NATIONAL_EVERY) -> CounterApp:
    """The counter app on ``counter`` (for ``kiosk counter`` and the tests); a SettingError naming the
    theme when it is none the counter knows."""
    settings = counter.settings
    if settings.theme not in theme_names():
        problem = f"unknown theme {settings.theme!r} (known: {', '.join(theme_names())})"
        raise settings.locate(SettingError(problem), "theme")
    return CounterApp(counter, goal=goal, poll_every=poll_every, national_every=national_every)
