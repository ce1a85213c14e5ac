"""Printing: the visitor sees the letter saved, then printed; the screen never freezes."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label, LoadingIndicator

from ...store import Signature
from ..app import Letter


class PrintingScreen(ModalScreen):
    def __init__(self, letter: Letter) -> None:
        super().__init__()
        self.letter = letter
        self.failed = False

    def idle_limit(self, app) -> float | None:
        # While the worker has the letter, stay; if saving failed, leave after the idle time.
        return app.config.idle_timeout if self.failed else None

    def compose(self) -> ComposeResult:
        with Vertical(id="printing-box"):
            yield Label(Content("Saving your letter…"), id="printing-status")
            yield LoadingIndicator(id="spinner")
            yield Button(Content("Back to my letter"), id="back-to-form", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#back-to-form", Button).display = False

    def recorded(self, sig: Signature) -> None:
        self.query_one("#printing-status", Label).update(Content(f"Saved (Ref. {sig.reference}). Printing…"))

    def not_recorded(self, error: str) -> None:
        self.failed = True
        self.query_one("#spinner").display = False
        self.query_one("#printing-status", Label).update(Content(
            "Sorry, your letter could not be saved. Please ask a volunteer for help.\n" f"({error})"
        ))
        button = self.query_one("#back-to-form", Button)
        button.display = True
        button.focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "back-to-form":
            form = self.app.screen_stack[-2]
            self.dismiss()
            form.allow_retry()
