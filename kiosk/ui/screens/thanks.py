"""Thank you: what to do with the paper, then home for the next visitor, or on to another case.

*Done* (Enter, Esc) ends the visit: home, in the stall's language, nothing kept. *Sign another
case* (S) goes home in the visitor's language with their name kept for their next form, until
they press Done or the idle reset comes."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label

from ...application import N_, Letter, Outcome, Signature
from ..messages import GoHome, SignAnother
from ..words import Paragraph
from .base import Idle, KioskScreen

# What to do with the paper: an appeal is signed and posted by the stall; a postcard is taken home, or
# put in the box where the stall collects the cards to send them together (the postcards setting).
NEXT_STEP = {
    "appeal": N_("Please sign your letter and drop it in the box."),
    "take-home": N_("Please take your postcard with you."),
    "collect": N_("Please put your card in the box: we send all the cards together."),
}
STILL_PRINTING = {"appeal": N_("Your letter is printing…"), "postcard": N_("Your postcard is printing…")}
MAYBE_PRINTED = N_("Your signature is saved, but the printer stopped during your letter. "
                   "A volunteer will check it and print it again if needed: nothing is lost.")
NOT_PRINTED = N_("Your signature is saved, but the printer has a problem right now. "
                 "A volunteer will print your letter: nothing is lost.")
# A letter held for a volunteer (a word of the stall's lists, or over the print limit): the
# same neutral words whatever the reason, never an accusation.
HELD = N_("A volunteer will hand you your letter.")
REPEATED = N_("Your letter was already saved a moment ago: it prints once.")


def shown_address(email: str) -> str:
    """An address as the thank-you screen shows it, where the next visitor may read it: the
    first two characters, and the domain (enough to notice a wrong domain; not the address)."""
    local, _, domain = email.rpartition("@")
    return f"{local[:2]}…@{domain}" if len(local) > 2 else f"{local[:1]}…@{domain}"


class ThanksScreen(KioskScreen):
    """Shown when the letter has printed (or its job waits for a volunteer); after the consent
    question it may come first, saying the letter is printing, and follow the printer then."""

    IDLE = Idle.THANKS
    BINDINGS = [Binding("escape,enter", "done", "Done", show=False),
                Binding("s,S", "another", "Sign another case", show=False)]

    def __init__(self, letter: Letter, signature: Signature, outcome: Outcome | None, note: str = "") -> None:
        super().__init__()
        self.letter, self.signature, self.outcome, self.note = letter, signature, outcome, note

    def compose(self) -> ComposeResult:
        rtl, bidi = self.lang.rtl, self.kiosk.station.settings.bidi
        with Vertical(id="thanks-box"):
            yield Label(self.shown(self._("Thank you, {name}!").format(name=self.letter.name)), id="thanks-title")
            yield Paragraph(rtl=rtl, bidi=bidi, id="next-step")
            yield Paragraph(rtl=rtl, bidi=bidi, id="preview-file")
            if self.note:
                yield Paragraph(self.note, rtl=rtl, bidi=bidi, id="consent-note")
            yield Label(self.shown(self._("Ref. {reference}").format(reference=self.signature.reference)),
                        id="reference")
            yield Label(self.shown(self._("Every letter counts.")), id="motto")
            with Horizontal(id="thanks-buttons"):  # the same order (the same keys) in every language
                yield Button(self.shown(self._("Done")), id="done", variant="primary")
                yield Button(self.shown(self._("Sign another case (S)")), id="another")

    def on_mount(self) -> None:
        self.show_outcome()
        self.query_one("#done", Button).focus()

    def printed(self, outcome: Outcome | None) -> None:
        """The letter's printing ended while this screen was up (None: nothing was sent to the
        printer, see :class:`~kiosk.ui.messages.Printed`)."""
        self.outcome = outcome
        self.show_outcome()

    def show_outcome(self) -> None:
        outcome, sig = self.outcome, self.signature
        step = self.query_one("#next-step", Paragraph)
        step.set_class(outcome is not None and not outcome.printed and not sig.held, "problem")
        if sig.held:  # a volunteer decides; the visitor is told the same, whatever the reason
            text = HELD
        elif outcome is None and sig.repeat:
            text = REPEATED
        elif outcome is None:
            text = STILL_PRINTING[self.letter.kind]
        elif outcome.printed:
            kind = self.letter.kind
            text = NEXT_STEP[kind if kind == "appeal" else self.kiosk.station.settings.postcards]
        else:
            text = MAYBE_PRINTED if outcome.maybe_printed else NOT_PRINTED
        step.set_text(self._(text))
        preview = self.query_one("#preview-file", Paragraph)
        preview.display = bool(outcome is not None and outcome.printed and outcome.preview)
        if outcome is not None and outcome.preview:
            where = (self._("Demo: your receipt is saved as {file}") if self.kiosk.station.demo_pin
                     else self._("No receipt printer is set up: your letter is saved as {file}"))
            preview.set_text(where.format(file=outcome.preview))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "another":
            self.action_another()
        else:
            self.action_done()

    def action_done(self) -> None:
        self.post_message(GoHome())

    def action_another(self) -> None:
        self.post_message(SignAnother(self.letter))
