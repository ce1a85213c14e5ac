"""The organiser's Paper letters tab: handwritten letters collected at the stall, counted too.

The organiser picks a case (any case of the folder, closed or switched off too: letters may
have been written before), the kind, how many and an optional note, and adds them; this
kiosk's entries are listed, newest first, and one can be corrected by typing its new total
(the change is recorded as a correction, never by changing the entry). Whatever is wrong is
said in one line under the form.
"""

from __future__ import annotations

from typing import cast

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, DataTable, Input, Label, Select

from ...application import N_, KioskError, PaperEntry, Station
from .base import OnKiosk
from .held import stall_time

KINDS = {"appeal": N_("appeals"), "postcard": N_("postcards")}
COLUMNS = (N_("Time"), N_("Case"), N_("Kind"), N_("How many"), N_("Note"))


class PaperLetters(Vertical):
    """Add handwritten letters; list and correct this kiosk's entries."""

    class Changed(Message):
        """Paper letters were added or corrected: the counts change."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries: list[PaperEntry] = []

    @property
    def on_kiosk(self) -> OnKiosk:
        return cast(OnKiosk, self.screen)

    @property
    def station(self) -> Station:
        return self.on_kiosk.kiosk.station

    def _(self, message: str) -> str:
        return self.on_kiosk._(message)

    def compose(self) -> ComposeResult:
        shown = self.on_kiosk.shown
        with Horizontal(classes="form-row"):
            yield Select[str]([], prompt=self._("Case…"), id="paper-case", compact=True)
            kinds = [(self.on_kiosk.cell(self._(label)), kind) for kind, label in KINDS.items()]
            yield Select[str](kinds, allow_blank=False, value="appeal", id="paper-kind", compact=True)
        with Horizontal(classes="form-row"):
            yield Input(placeholder=self._("How many"), type="integer", max_length=7, id="paper-count", compact=True)
            yield Input(placeholder=self._("Note (optional)"), max_length=200, id="paper-note", compact=True)
            yield Button(shown(self._("Add")), id="paper-add", variant="primary", compact=True)
        yield Label(Content(""), id="paper-status")
        yield DataTable(id="paper-entries", cursor_type="row", zebra_stripes=True)
        with Horizontal(classes="form-row"):
            yield Label(shown(self._("Selected entry, new total:")), id="paper-total-label")
            yield Input(placeholder=self._("Total"), type="integer", max_length=7, id="paper-total", compact=True)
            yield Button(shown(self._("Correct")), id="paper-correct", compact=True)

    def add_columns(self, table: DataTable[Text]) -> None:
        table.add_columns(*(self.on_kiosk.cell(self._(c)) for c in COLUMNS))

    def on_mount(self) -> None:
        self.refresh_cases()
        self.refresh_entries()

    def titles(self) -> dict[str, str]:
        return {case.id: case.title for case in self.station.all_cases()}

    def refresh_cases(self) -> None:
        """Every case of the folder (closed, switched off or not): handwritten letters may be for any."""
        select = self.query_one("#paper-case", Select)
        chosen = select.value
        options = [(self.on_kiosk.cell(title), case_id) for case_id, title in self.titles().items()]
        select.set_options(options)
        if chosen in {case_id for _, case_id in options}:
            select.value = chosen

    def refresh_entries(self) -> None:
        table = self.query_one("#paper-entries", DataTable)
        before = table.cursor_row
        table.clear(columns=True)  # each column as wide as what it holds now
        self.add_columns(table)
        try:
            self.entries = self.station.paper_entries()
        except Exception as exc:  # noqa: BLE001 - the database cannot say: shown, never a crash
            self.entries = []
            self.show(self._("Problem: {error}").format(error=str(exc) or type(exc).__name__))
        titles, today, lang = self.titles(), self.station.today(), self.on_kiosk.lang
        for entry in self.entries:
            kind = self._(KINDS[entry.kind]) if entry.kind in KINDS else entry.kind
            count = lang.number(entry.count)
            if entry.corrected:
                count = self._("{n} (corrected)").format(n=count)
            title = titles.get(entry.case_id, entry.case_id)
            cells = (stall_time(entry.local_time, today, lang), title, kind, count, entry.note or "")
            table.add_row(*(self.on_kiosk.cell(text) for text in cells))
        if not self.entries:
            table.add_row(self.on_kiosk.cell(self._("No paper letters yet.")), *(Text("") for _ in COLUMNS[1:]))
        elif 0 <= before < len(self.entries):
            table.move_cursor(row=before)

    def show(self, line: str) -> None:
        self.query_one("#paper-status", Label).update(self.on_kiosk.shown(line))

    def number(self, field: str) -> int | None:
        """A whole number typed in ``field``, or None (and a line saying so)."""
        text = self.query_one(field, Input).value.strip()
        try:
            return int(text)
        except ValueError:
            self.show(self._("Type a whole number, such as 12."))
            self.query_one(field, Input).focus()
            return None

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "paper-add":
            self.add()
        elif event.button.id == "paper-correct":
            self.correct()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the form adds; Enter in the new total corrects."""
        event.stop()
        if event.input.id == "paper-total":
            self.correct()
        else:
            self.add()

    def add(self) -> None:
        case_id = self.query_one("#paper-case", Select).value
        if not isinstance(case_id, str):
            self.show(self._("Choose a case first."))
            self.query_one("#paper-case", Select).focus()
            return
        kind = self.query_one("#paper-kind", Select).value
        count = self.number("#paper-count")
        if count is None or not isinstance(kind, str):
            return
        note = self.query_one("#paper-note", Input).value
        try:
            entry = self.station.add_paper(case_id, kind, count, note=note)
        except KioskError as exc:
            self.show(self._("Problem: {error}").format(error=str(exc)))
            return
        except Exception as exc:  # noqa: BLE001 - shown on the tab, never a crash
            self.show(self._("Problem: {error}").format(error=str(exc) or type(exc).__name__))
            return
        self.query_one("#paper-count", Input).value = ""
        self.query_one("#paper-note", Input).value = ""
        self.show(self._("Added {n} for {case} ({kind}).").format(
            n=self.on_kiosk.lang.number(entry.count), kind=self._(KINDS.get(entry.kind, entry.kind)),
            case=self.titles().get(entry.case_id, entry.case_id)))
        self.refresh_entries()
        self.post_message(self.Changed())

    def correct(self) -> None:
        table = self.query_one("#paper-entries", DataTable)
        if not self.entries or not 0 <= table.cursor_row < len(self.entries):
            self.show(self._("Choose an entry in the list first."))
            return
        entry = self.entries[table.cursor_row]
        total = self.number("#paper-total")
        if total is None:
            return
        try:
            corrected = self.station.correct_paper(entry.id, total)
        except KioskError as exc:
            self.show(self._("Problem: {error}").format(error=str(exc)))
            return
        except Exception as exc:  # noqa: BLE001 - shown on the tab, never a crash
            self.show(self._("Problem: {error}").format(error=str(exc) or type(exc).__name__))
            return
        self.query_one("#paper-total", Input).value = ""
        self.show(self._("Corrected: now {n} for {case} ({kind}).").format(
            n=self.on_kiosk.lang.number(corrected.count), kind=self._(KINDS.get(corrected.kind, corrected.kind)),
            case=self.titles().get(corrected.case_id, corrected.case_id)))
        self.refresh_entries()
        self.post_message(self.Changed())
