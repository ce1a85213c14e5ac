"""The organiser's Held letters tab: letters a volunteer decides on before they print.

A letter is held when a word of the stall's lists is in it, or when it came over the print
limit (:meth:`Station.record`); the visitor was told only that a volunteer will hand them
their letter. Here the organiser reads each one, its name and message shown as text (never
markup: a visitor's ``[@click=app.quit]`` is words on the screen, nothing more), and decides:
*Print* releases it to the printer (in the app's worker, as printer work always runs), *Do
not print* rejects it for good (it still counts as written). Each decision is recorded with
its time, and the list is read again after it.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, DataTable, Label

from ...application import N_, Language, Station, Waiting
from ..messages import RunTask, Task, TaskDone
from ..words import Paragraph
from .base import OnKiosk

COLUMNS = (N_("Reference"), N_("Case"), N_("Why"), N_("Time"), N_("Name"))


def stall_time(stored: str, today: dt.date, lang: Language) -> str:
    """A time kept with the stall's offset as the organiser reads it: the time today, else the day and time."""
    try:
        moment = dt.datetime.fromisoformat(stored)
    except (TypeError, ValueError):
        return stored
    return f"{moment:%H:%M}" if moment.date() == today else f"{lang.date(moment.date())} {moment:%H:%M}"


class HeldLetters(Vertical):
    """The held letters, oldest first, and the highlighted one's name and message, with *Print*
    and *Do not print* for it."""

    class Decided(Message):
        """A held letter was decided here (rejected): the jobs and counts change."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.items: list[Waiting] = []
        self.deciding: str | None = None  # the letter being released in the worker (its buttons wait)

    @property
    def on_kiosk(self) -> OnKiosk:
        return cast(OnKiosk, self.screen)

    @property
    def station(self) -> Station:
        return self.on_kiosk.kiosk.station

    def _(self, message: str) -> str:
        return self.on_kiosk._(message)

    def compose(self) -> ComposeResult:
        screen = self.on_kiosk
        yield DataTable(id="held", cursor_type="row", zebra_stripes=True)  # first: Tab, arrows, Tab, Enter
        with Horizontal(classes="buttons"):
            yield Button(screen.shown(self._("Print")), id="release", variant="success", compact=True)
            yield Button(screen.shown(self._("Do not print")), id="reject", variant="error", compact=True)
            yield Label(Content(""), id="held-status")
        with VerticalScroll(id="held-letter"):
            yield Paragraph(rtl=screen.lang.rtl, bidi=self.station.settings.bidi, id="held-text")

    def add_columns(self, table: DataTable[Text]) -> None:
        table.add_columns(*(self.on_kiosk.cell(self._(c)) for c in COLUMNS))

    @property
    def selected(self) -> Waiting | None:
        """The highlighted letter (None when none is held)."""
        row = self.query_one("#held", DataTable).cursor_row
        return self.items[row] if self.items and 0 <= row < len(self.items) else None

    def why(self, item: Waiting) -> str:
        """Why the letter is held, in a few words: the listed words found in it, or the print limit."""
        if item.job.held_reason == "limit":
            return self._("print limit")
        sig = item.signature
        try:
            words = self.station.flagged(sig.name, sig.message, sig.language or self.station.settings.language,
                                         sig.place)
        except Exception:  # noqa: BLE001 - the list cannot say: the reason alone
            words = []
        return self._("words: {words}").format(words=", ".join(words)) if words else self._("words")

    def refresh_held(self) -> int:
        """Read the held letters again (the highlighted one stays highlighted while it is held);
        returns how many there are."""
        table = self.query_one("#held", DataTable)
        before = self.selected
        try:
            self.items = self.station.held()
        except Exception as exc:  # noqa: BLE001 - the database cannot say: shown, never a crash
            self.items = []
            self.show(self._("Problem: {error}").format(error=str(exc) or type(exc).__name__))
        table.clear(columns=True)  # each column as wide as what it holds now
        self.add_columns(table)
        today = self.station.today()
        lang = self.on_kiosk.lang
        for item in self.items:
            sig = item.signature
            cells = (sig.reference, sig.case_id, self.why(item), stall_time(sig.local_time, today, lang), sig.name)
            table.add_row(*(self.on_kiosk.cell(text) for text in cells))
        if not self.items:
            table.add_row(self.on_kiosk.cell(self._("No letters held.")), *(Text("") for _ in COLUMNS[1:]))
        ids = [item.signature.id for item in self.items]
        if before is not None and before.signature.id in ids:
            table.move_cursor(row=ids.index(before.signature.id))
        self.show_letter()
        return len(self.items)

    def show_letter(self) -> None:
        """The highlighted letter's name and message, as text; its buttons while it may be decided."""
        item = self.selected
        text = self.query_one("#held-text", Paragraph)
        if item is None:
            text.set_text("")
        else:
            sig = item.signature
            lines = [self._("Ref. {reference}").format(reference=sig.reference), self.why(item),
                     self._("Name: {name}").format(name=sig.name)]
            if sig.place:
                lines.append(self._("Town or country: {place}").format(place=sig.place))
            if sig.message:
                lines.append(self._("Message: {message}").format(message=sig.message))
            text.set_text("\n".join(lines))
        for button in self.query(Button):
            button.disabled = item is None or self.deciding is not None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.show_letter()

    def show(self, line: str) -> None:
        self.query_one("#held-status", Label).update(self.on_kiosk.shown(line))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        item = self.selected
        if item is None or self.deciding is not None:
            return
        if event.button.id == "release":
            self.release(item)
        elif event.button.id == "reject":
            self.reject(item)

    def release(self, item: Waiting) -> None:
        """Print it: in the app's worker (printer work can take seconds); :meth:`done` follows."""
        sig, station, lang = item.signature, self.station, self.on_kiosk.lang
        self.deciding = sig.id
        self.show_letter()
        self.show(self._("Printing Ref. {reference}…").format(reference=sig.reference))

        def job() -> str:
            outcome = station.release(sig.id)
            if outcome.printed:
                return lang._("Ref. {reference} printed.").format(reference=sig.reference)
            return lang._("Ref. {reference} not printed: {error}").format(reference=sig.reference,
                                                                          error=outcome.error or "")

        self.post_message(RunTask(Task.RELEASE, job))

    def reject(self, item: Waiting) -> None:
        """Never print it (it still counts as written); the decision is recorded with its time."""
        sig = item.signature
        try:
            done = self.station.reject(sig.id)
        except Exception as exc:  # noqa: BLE001 - shown on the tab, never a crash
            self.show(self._("Problem: {error}").format(error=str(exc) or type(exc).__name__))
        else:
            self.show((self._("Ref. {reference} will not be printed.") if done
                       else self._("Ref. {reference} is no longer held.")).format(reference=sig.reference))
        self.refresh_held()
        self.post_message(self.Decided())

    def done(self, message: TaskDone) -> None:
        """The release finished in the worker: its line, and the list read again."""
        self.deciding = None
        problem = self._("Problem: {error}").format(error=message.error) if message.error else None
        self.show(problem or message.line or "")
        self.refresh_held()
