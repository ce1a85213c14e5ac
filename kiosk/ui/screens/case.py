"""One case: the story, what we ask, and the two ways to write."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Label, Static

from ...application import Case, reflow
from ..messages import OpenForm
from .base import VisitorScreen


class CaseScreen(VisitorScreen):
    BINDINGS = [
        Binding("a", "write('appeal')", "Sign the appeal", show=False),
        Binding("p", "write('postcard')", "Send a postcard", show=False),
    ]

    def __init__(self, case: Case) -> None:
        super().__init__()
        self.case = case

    def compose(self) -> ComposeResult:
        case = self.case
        where = f" · {case.country}" if case.country else ""
        yield Label(Content(case.title), id="title", classes="screen-title")
        yield Label(Content(f"{case.person}{where}"), id="person")
        with VerticalScroll(id="story-box"):
            yield Static(Content(reflow(case.story)), id="story")
            yield Label(Content("What we ask"), classes="section")
            yield Static(Content(reflow(case.ask)), id="ask")
        with Horizontal(id="choices"):
            yield Button(Content("Sign the appeal (A)"), id="appeal", variant="primary")
            yield Button(Content("Send a postcard (P)"), id="postcard", variant="success")
            yield Button(Content("Back (Esc)"), id="back")

    def on_mount(self) -> None:
        self.query_one("#appeal", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "back":
            self.action_go_back()
        elif event.button.id in ("appeal", "postcard"):
            self.action_write(event.button.id)

    def action_write(self, kind: str) -> None:
        self.post_message(OpenForm(self.case.id, kind))
