"""Thank you: what to do with the paper, then home for the next visitor."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Button, Label

from ...application import Letter, Outcome, Signature
from ..messages import GoHome
from .base import Idle, KioskScreen

NEXT_STEP = {
    "appeal": "Please sign your letter and drop it in the box.",
    "postcard": "Please take your postcard with you.",
}


class ThanksScreen(KioskScreen):
    IDLE = Idle.THANKS
    BINDINGS = [Binding("escape,enter", "done", "Done", show=False)]

    def __init__(self, letter: Letter, signature: Signature, outcome: Outcome) -> None:
        super().__init__()
        self.letter, self.signature, self.outcome = letter, signature, outcome

    def compose(self) -> ComposeResult:
        with Vertical(id="thanks-box"):
            yield Label(Content(f"Thank you, {self.letter.name}!"), id="thanks-title")
            if self.outcome.printed:
                yield Label(Content(NEXT_STEP[self.letter.kind]), id="next-step")
                if self.outcome.preview:
                    where = ("Demo: your receipt is saved as" if self.kiosk.station.demo_pin
                             else "No receipt printer is set up: your letter is saved as")
                    yield Label(Content(f"{where} {self.outcome.preview}"), id="preview-file")
            elif self.outcome.maybe_printed:
                yield Label(Content(
                    "Your signature is saved, but the printer stopped during your letter. "
                    "A volunteer will check it and print it again if needed: nothing is lost."
                ), id="next-step", classes="problem")
            else:
                yield Label(Content(
                    "Your signature is saved, but the printer has a problem right now. "
                    "A volunteer will print your letter: nothing is lost."
                ), id="next-step", classes="problem")
            yield Label(Content(f"Ref. {self.signature.reference}"), id="reference")
            yield Label(Content("Every letter counts."), id="motto")
            yield Button(Content("Done"), id="done", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#done", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_done()

    def action_done(self) -> None:
        self.post_message(GoHome())
