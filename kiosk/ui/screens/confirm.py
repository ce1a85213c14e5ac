"""A question the organiser answers before something that cannot be taken back (quitting the kiosk)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label

from .base import KioskModal


class ConfirmScreen(KioskModal):
    """Dismissed with True only for the button that does it; Esc, or the other button, is False.
    The focus starts on the button that does nothing, so a stray Enter changes nothing."""

    FOR_ORGANISER = True

    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    def __init__(self, question: str, detail: str, do: str, keep: str) -> None:
        super().__init__()
        self.question, self.detail, self.do, self.keep = question, detail, do, keep

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Label(self.shown(self.question), classes="screen-title")
            yield Label(self.shown(self.detail), id="confirm-detail")
            with Horizontal(classes="buttons"):
                yield Button(self.shown(self.keep), id="confirm-keep", variant="primary", compact=True)
                yield Button(self.shown(self.do), id="confirm-do", variant="error", compact=True)

    def on_mount(self) -> None:
        self.query_one("#confirm-keep", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-do")

    def action_cancel(self) -> None:
        self.dismiss(False)
