"""One case: the story, what we ask, its deadline, and the two ways to write."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Label

from ...application import N_, Case, reflow
from ..messages import OpenForm
from ..words import Paragraph
from .base import VisitorScreen

# The postcard's button: a card the visitor sends themselves, or one the stall collects and sends.
POSTCARD = {"take-home": N_("Send a postcard (P)"), "collect": N_("Write a postcard (P)")}


class CaseScreen(VisitorScreen):
    BINDINGS = [
        Binding("a,A", "write('appeal')", "Sign the appeal", show=False),
        Binding("p,P", "write('postcard')", "Send a postcard", show=False),
    ]

    def __init__(self, case: Case) -> None:
        super().__init__()
        self.case = case

    def compose(self) -> ComposeResult:
        case, rtl, bidi = self.case, self.lang.rtl, self.kiosk.station.settings.bidi
        shown = case.shown_in(self.lang.code)
        where = f" · {shown.country}" if shown.country else ""
        yield Label(self.shown(shown.title), id="title", classes="screen-title")
        yield Label(self.shown(f"{case.person}{where}"), id="person")
        if case.deadline is not None:  # the last day the case is offered, as the visitor's language writes it
            yield Label(self.shown(self._("Deadline: {date}").format(date=self.lang.date(case.deadline))),
                        id="deadline")
        with VerticalScroll(id="story-box"):
            yield Paragraph(reflow(shown.story), rtl=rtl, bidi=bidi, id="story")
            yield Label(self.shown(self._("What we ask")), classes="section")
            yield Paragraph(reflow(shown.ask), rtl=rtl, bidi=bidi, id="ask")
        buttons = [
            Button(self.shown(self._("Sign the appeal (A)")), id="appeal", variant="primary"),
            Button(self.shown(self._(POSTCARD[self.kiosk.station.settings.postcards])), id="postcard",
                   variant="success"),
            Button(self.shown(self._("Back (Esc)")), id="back"),
        ]
        with Horizontal(id="choices"):
            yield from buttons  # the same order (the same keys) in every language; set right in Arabic

    def on_mount(self) -> None:
        self.query_one("#appeal", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "back":
            self.action_go_back()
        elif event.button.id in ("appeal", "postcard"):
            self.action_write(event.button.id)

    def action_write(self, kind: str) -> None:
        self.post_message(OpenForm(self.case.id, kind))
