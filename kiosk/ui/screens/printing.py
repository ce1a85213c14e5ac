"""Printing: the visitor sees the letter saved, then printed; the screen never freezes."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Label, LoadingIndicator

from ...application import N_, Letter, Signature
from .base import Idle, KioskModal

SAVING = {"appeal": N_("Saving your letter…"), "postcard": N_("Saving your postcard…")}
BACK = {"appeal": N_("Back to my letter"), "postcard": N_("Back to my postcard")}
NOT_SAVED = {"appeal": N_("Sorry, your letter could not be saved. Please ask a volunteer for help."),
             "postcard": N_("Sorry, your postcard could not be saved. Please ask a volunteer for help.")}


class PrintingScreen(KioskModal):
    """Shown while the app's worker saves and prints the letter. If saving fails, *Back to
    my letter* dismisses it, and whoever pushed it lets the visitor try again."""

    def __init__(self, letter: Letter) -> None:
        super().__init__()
        self.letter = letter
        self.failed = False

    @property
    def idle(self) -> Idle:
        # While the worker has the letter, stay; if saving failed, leave after the idle time.
        return Idle.VISITOR if self.failed else Idle.NEVER

    def compose(self) -> ComposeResult:
        with Vertical(id="printing-box"):
            yield Label(self.shown(self._(SAVING[self.letter.kind])), id="printing-status")
            yield LoadingIndicator(id="spinner")
            yield Button(self.shown(self._(BACK[self.letter.kind])), id="back-to-form", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#back-to-form", Button).display = False

    def recorded(self, sig: Signature) -> None:
        line = (self._("Saved (Ref. {reference}).") if sig.held or sig.repeat  # nothing goes to the printer now
                else self._("Saved (Ref. {reference}). Printing…"))
        self.query_one("#printing-status", Label).update(self.shown(line.format(reference=sig.reference)))

    def not_recorded(self, error: str) -> None:
        self.failed = True
        self.query_one("#spinner").display = False
        sorry = self._(NOT_SAVED[self.letter.kind])
        self.query_one("#printing-status", Label).update(self.shown(f"{sorry}\n({error})"))
        button = self.query_one("#back-to-form", Button)
        button.display = True
        button.focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "back-to-form":
            self.dismiss(False)
