"""After the letter is recorded: "Would you like to hear from us?", asked fairly, once.

:class:`ConsentScreen` shows the organisation's wording (the question, what *Yes* agrees
to, the short privacy notice, who keeps the data) exactly as it is recorded, with a QR code
to the full notice, while the letter prints in the background. *Yes* (Y) and *No, thanks*
(N) are two equal buttons and neither is chosen for the visitor: nothing has focus, so
Enter alone answers nothing; Esc leaves the question unanswered (nothing is recorded). A
*No* is one key and is never questioned. :class:`ContactScreen` takes the address (and,
where the wording asks it, the age confirmation, never ticked for the visitor).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Checkbox, Input, Label, Static

from ...application import EMAIL_MAX, N_, ConsentText, InputError, Letter, Outcome, Signature, screen_art, tidy_address
from ..messages import AskContact, ConsentAnswered, ConsentSkipped
from ..words import Paragraph
from .base import Idle, KioskScreen

# How the visitor's letter (or postcard) is getting on, in a few words (the thank-you screen says more).
HELD = {"appeal": N_("Your letter is saved. A volunteer will hand you your letter."),
        "postcard": N_("Your postcard is saved. A volunteer will hand you your postcard.")}
PRINTING = {"appeal": N_("Your letter is saved and printing."), "postcard": N_("Your postcard is saved and printing.")}
PRINTED = {"appeal": N_("Your letter is saved and printed."), "postcard": N_("Your postcard is saved and printed.")}
NOT_PRINTED = {"appeal": N_("Your letter is saved. A volunteer will print it: nothing is lost."),
               "postcard": N_("Your postcard is saved. A volunteer will print it: nothing is lost.")}


def print_line(outcome: Outcome | None, signature: Signature) -> str:
    """How the visitor's letter is getting on, in a few words (the thank-you screen says more)."""
    if signature.held:  # waits for a volunteer: the same neutral words whatever the reason
        return HELD[signature.kind]
    if outcome is None:
        return PRINTING[signature.kind]
    if outcome.printed:
        return PRINTED[signature.kind]
    return NOT_PRINTED[signature.kind]


class ConsentAsked(KioskScreen):
    """A screen of the consent step: it belongs to one recorded letter, and shows how its printing goes."""

    def __init__(self, letter: Letter, signature: Signature, text: ConsentText, outcome: Outcome | None) -> None:
        super().__init__()
        self.letter, self.signature, self.text, self.outcome = letter, signature, text, outcome
        self.answered = False  # an answer is handed to the app once (a double press is one answer)

    def status(self) -> Content:
        """Whose letter this is (a visitor who walks up now sees it is not theirs) and how it prints."""
        thanks = self._("Thank you, {name}.").format(name=self.letter.name)
        return self.shown(f"{thanks} {self._(print_line(self.outcome, self.signature))}")

    def printed(self, outcome: Outcome | None) -> None:
        self.outcome = outcome
        self.query_one("#consent-status", Label).update(self.status())


class ConsentScreen(ConsentAsked):
    # Untouched, it goes as the thank-you screen goes (15 s): a visitor who walked away from it
    # leaves it to nobody, so the next one never answers on the letter of the one before.
    IDLE = Idle.THANKS
    AUTO_FOCUS = ""  # never pre-selected: Enter alone answers nothing
    BINDINGS = [
        Binding("y,Y", "answer('yes')", "Yes", show=False),
        Binding("n,N", "answer('no')", "No, thanks", show=False),
        Binding("escape", "skip", "Skip", show=False),
        Binding("up", "read('up')", show=False),
        Binding("down", "read('down')", show=False),
        Binding("pageup", "read('page_up')", show=False),
        Binding("pagedown", "read('page_down')", show=False),
        Binding("home", "read('home')", show=False),
        Binding("end", "read('end')", show=False),
    ]
    READING_SPEED = 15  # characters a second: the wording's reading time is added to the idle time

    def __init__(self, letter: Letter, signature: Signature, text: ConsentText, outcome: Outcome | None) -> None:
        super().__init__(letter, signature, text, outcome)
        shown = len(text.question) + len(text.statement) + len(text.notice) + len(text.controller)
        self.reading_seconds = shown / self.READING_SPEED

    def action_read(self, where: str) -> None:
        """Scroll the wording by keyboard (nothing on the screen has the focus to scroll it)."""
        words = self.query_one("#consent-words", VerticalScroll)
        getattr(words, f"scroll_{where}")(animate=False)

    def compose(self) -> ComposeResult:
        text = self.text
        rtl, bidi = self.lang.rtl, self.kiosk.station.settings.bidi
        yield Label(self.status(), id="consent-status")
        words = [
            Paragraph(text.question, rtl=rtl, bidi=bidi, id="consent-question"),
            Paragraph(text.statement, rtl=rtl, bidi=bidi, id="consent-statement"),
            Paragraph(text.notice, rtl=rtl, bidi=bidi, id="consent-notice"),
            Paragraph(self._("Who keeps your data: {controller}").format(controller=text.controller), rtl=rtl,
                      bidi=bidi, id="consent-controller"),
            Paragraph(self._("Full privacy notice: {address}").format(address=text.privacy_url), rtl=rtl,
                      bidi=bidi, id="consent-url"),
        ]
        qr = Vertical(Static(Content(screen_art(text.privacy_url)), id="consent-qr"),
                      Label(self.shown(self._("Scan: full privacy notice")), id="consent-qr-caption"),
                      id="consent-qr-box")
        with Horizontal(id="consent-body"):
            if rtl:
                yield qr
            yield VerticalScroll(*words, id="consent-words", can_focus=False)
            if not rtl:
                yield qr
        # two equal buttons: the same look, neither the "right" answer
        buttons = [Button(self.shown(self._("Yes (Y)")), id="consent-yes", variant="primary"),
                   Button(self.shown(self._("No, thanks (N)")), id="consent-no", variant="primary")]
        with Horizontal(id="consent-choices"):
            yield from buttons  # the same order (the same keys) in every language; set right in Arabic
        yield Label(self.shown(self._("Your letter counts either way.")), id="consent-hint")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "consent-yes":
            self.action_answer("yes")
        elif event.button.id == "consent-no":
            self.action_answer("no")

    def action_answer(self, choice: str) -> None:
        if self.answered:
            return
        if choice == "yes":
            self.post_message(AskContact(self.letter, self.signature))
            return
        try:
            answer = self.kiosk.station.answer("no", shown=self.text)
        except InputError:  # no answer can be kept (never with the words on screen): nothing is recorded
            self.action_skip()
            return
        self.answered = True
        self.post_message(ConsentAnswered(self.letter, self.signature, answer))

    def action_skip(self) -> None:
        if not self.answered:
            self.answered = True
            self.post_message(ConsentSkipped(self.letter, self.signature))


class EmailInput(Input):
    """The address: typed or pasted, without control or bidi characters, spaces or line breaks."""


class AgeBox(Checkbox, inherit_bindings=False):
    """The age confirmation: empty until the visitor ticks it (Textual's box shows an X either
    way, told apart only by colour: on a plain terminal an unticked box would look ticked).
    Space ticks it; Enter sends the form, as everywhere on it (Textual's Enter would untick it)."""

    BINDINGS = [Binding("space", "toggle_button", "Tick", show=False)]

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # Textual reads it from the instance
        return "X" if self.value else " "


# An address is at most EMAIL_MAX characters; the field takes more, so that a longer one is
# refused with a message, never silently cut into another address.
TYPED_MAX = 4 * EMAIL_MAX


class ContactScreen(ConsentAsked):
    """Yes: the visitor's address, and the minimum age where the wording asks it."""

    BINDINGS = [Binding("escape", "go_back", "Back", show=False), Binding("enter", "send", "Send", show=False)]

    def compose(self) -> ComposeResult:
        text = self.text
        rtl, bidi = self.lang.rtl, self.kiosk.station.settings.bidi
        yield Label(self.status(), id="consent-status")
        with Vertical(id="contact-form"):
            yield Paragraph(text.statement, rtl=rtl, bidi=bidi, id="contact-statement")
            yield Label(self.shown(self._("{name}, your email address:").format(name=self.letter.name)),
                        id="contact-owner", classes="field-label")
            yield EmailInput(placeholder="name@example.org", max_length=TYPED_MAX, id="email")
            with Horizontal(id="hint-row"):
                yield Label(Content(""), id="email-hint")
                yield Button(self.shown(self._("Use it")), id="use-hint", compact=True)
            if text.minimum_age is not None:
                yield AgeBox(self.shown(self._("I am {age} or older").format(age=self.lang.number(text.minimum_age))),
                             False, id="age")
            yield Label(Content(""), id="contact-error")
            with Horizontal(id="contact-buttons"):
                yield Button(self.shown(self._("Keep me informed")), id="contact-send", variant="success")
                yield Button(self.shown(self._("Back (Esc)")), id="contact-back")

    def on_mount(self) -> None:
        self.query_one("#hint-row").display = False
        self.query_one("#email", Input).focus()

    @property
    def address(self) -> str:
        return self.query_one("#email", Input).value

    hint: str | None = None      # the common domain the visitor probably meant, shown under the field
    kept_as_typed: str = ""      # an address sent once despite its hint: sent as typed the second time

    def on_input_changed(self, event: Input.Changed) -> None:
        field = event.input
        safe = tidy_address(field.value)  # typed or pasted: no controls, invisible characters or spaces
        if safe != field.value:
            field.value = safe[:TYPED_MAX]  # changes again: the hint follows then
            field.cursor_position = len(field.value)
            return
        self.show_error("")
        domain = safe.rpartition("@")[2]
        top = domain.rpartition(".")[2] if "." in domain else ""
        self.show_hint(self.kiosk.station.email_hint(safe) if len(top) >= 2 else None)

    def show_hint(self, hint: str | None) -> None:
        self.hint = hint
        self.query_one("#hint-row").display = hint is not None
        self.query_one("#email-hint", Label).update(
            self.shown(self._("Did you mean {address}?").format(address=hint)) if hint else Content(""))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.send()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "contact-send":
            self.send()
        elif event.button.id == "contact-back":
            self.action_go_back()
        elif event.button.id == "use-hint" and self.hint:
            field = self.query_one("#email", Input)
            field.value = self.hint
            field.focus()

    def show_error(self, text: str) -> None:
        self.query_one("#contact-error", Label).update(self.shown(text))

    def action_send(self) -> None:
        self.send()

    def send(self) -> None:
        """Check the address (and age) and hand the answer to the app, which records it once. An
        address with a likely typo in a common domain is sent as typed only when sent again."""
        if self.answered:
            return
        address = self.address
        age = self.query_one("#age", AgeBox).value if self.text.minimum_age is not None else False
        try:
            answer = self.kiosk.station.answer("yes", address, age_confirmed=age, shown=self.text)
        except InputError as exc:
            self.show_error(self.problem(exc))
            if exc.field == "email":
                self.show_hint(self.kiosk.station.email_hint(address))
            self.query_one("#age" if exc.field == "age" else "#email").focus()
            return
        hint = self.kiosk.station.email_hint(address)
        if hint is not None and self.kept_as_typed != address:
            self.kept_as_typed = address
            self.show_hint(hint)
            self.show_error(self._("Please check your address: press Enter again to keep it as you typed it."))
            return
        self.answered = True
        for button in self.query(Button):
            button.disabled = True
        self.post_message(ConsentAnswered(self.letter, self.signature, answer))

    def problem(self, exc: InputError) -> str:
        if exc.field == "age":
            return self._("Please confirm that you are {age} or older.").format(
                age=self.lang.number(self.text.minimum_age or 0))
        if exc.reason == "empty":
            return self._("Please type your email address, or go back and choose No, thanks.")
        if exc.reason == "too_long":
            return self._("An email address can be at most {limit} characters.").format(limit=EMAIL_MAX)
        not_one = self._("That does not look like an email address.")
        if self.lang.code != "en":  # email-validator says why in English only
            return not_one
        return f"{not_one} {exc.problem.removeprefix('not an email address: ')}"

    def action_go_back(self) -> None:
        """Back to the question: the address typed here is forgotten. Once sent, there is no going back."""
        if not self.answered:
            self.app.pop_screen()
