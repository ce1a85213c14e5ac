"""The form: the visitor's name and words, with the receipt as it will print."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Input, Label, TextArea

from ...application import MESSAGE_MAX, N_, NAME_MAX, Case, InputError, Letter, sanitize
from ..messages import PrintLetter
from ..words import Paragraph
from .base import VisitorScreen


class NameInput(Input):
    """The name field: Enter moves on to the message, and keys typed straight after Enter follow.

    Keys reach the field that had focus when the app read them, so a fast typist's first
    words after Enter can already be queued here; they are passed on to the message."""

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter" and self.screen.focused is self:
            event.stop()
            event.prevent_default()
            self.screen.set_focus(self.screen.query_one("#message"))
            return
        focused = self.screen.focused
        if focused is not None and focused is not self:
            event.stop()
            event.prevent_default()
            focused.post_message(events.Key(event.key, event.character))
            return
        await super()._on_key(event)

    def _on_paste(self, event: events.Paste) -> None:
        """A pasted name is cleaned, its lines joined and cut to fit (a plain Input would
        refuse a paste that does not fit, and the visitor would see nothing happen)."""
        event.stop()
        event.prevent_default()  # the Input's own paste handler would insert it again
        start, end = sorted(self.selection)
        room = max(0, NAME_MAX - (len(self.value) - (end - start)))
        self.replace(sanitize(event.text).replace("\n", " ")[:room], start, end)


class MessageArea(TextArea):
    """The message box, without undo and redo. Textual's TextArea (8.2) raises while undoing
    a line break in a box this low (its size is refreshed before its line wrapping), and an
    exception would end the kiosk; Ctrl+Z and Ctrl+Y do nothing here instead."""

    def action_undo(self) -> None:
        pass

    def action_redo(self) -> None:
        pass


NAME_FULL = N_("A name can be at most {limit} characters.")
MESSAGE_FULL = N_("A message can be at most {limit} characters: the rest was not kept.")
KIND_TITLE = {"appeal": N_("Sign the appeal for {person}"), "postcard": N_("A postcard for {person}")}


class FormScreen(VisitorScreen):
    def __init__(self, case: Case, kind: str) -> None:
        super().__init__()
        self.case, self.kind = case, kind
        self.submitted = False
        self.number = 0  # the receipt number shown on the preview

    def compose(self) -> ComposeResult:
        bidi = self.kiosk.station.settings.bidi
        with Horizontal(id="form-layout"):
            with Vertical(id="form"):
                yield Label(self.shown(self._(KIND_TITLE[self.kind]).format(person=self.case.person)),
                            classes="screen-title")
                yield Label(self.shown(self._("Your name (printed under your letter)")), classes="field-label")
                yield NameInput(placeholder=self._("Your name"), max_length=NAME_MAX, id="name")
                yield Label(self.shown(self._("Your message (optional)")), classes="field-label")
                yield MessageArea(id="message", soft_wrap=True, tab_behavior="focus", show_line_numbers=False)
                yield Label(self.counter(0), id="counter")
                yield Label(Content(""), id="error")
                buttons = [
                    Button(self.shown(self._("Print my letter") if self.kind == "appeal"
                                      else self._("Print my postcard")), id="print", variant="primary"),
                    Button(self.shown(self._("Back (Esc)")), id="back"),
                ]
                with Horizontal(id="form-buttons"):  # the same Tab order in every language: Tab, Tab, Enter prints
                    yield from buttons
            with VerticalScroll(id="preview-box"):
                yield Label(self.shown(self._("As it will print:")), classes="field-label")
                yield Paragraph(bidi=bidi, id="preview")

    def counter(self, n: int) -> Content:
        return self.shown(f"{self.lang.number(n)} / {self.lang.number(MESSAGE_MAX)}")

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()
        self.number = self.kiosk.station.next_number()
        self.update_preview()

    @property
    def name_text(self) -> str:
        return self.query_one("#name", Input).value

    @property
    def message_text(self) -> str:
        return self.query_one("#message", TextArea).text

    def update_preview(self) -> None:
        text = self.kiosk.station.preview(self.case, self.kind, self.name_text, self.message_text, self.number,
                                          language=self.lang.code)
        self.query_one("#preview", Paragraph).set_text(text)

    def on_input_changed(self, event: Input.Changed) -> None:
        field = event.input
        safe = sanitize(field.value).replace("\n", " ")  # typed or pasted: no control or bidi characters
        if safe != field.value:
            field.value = safe[:NAME_MAX]  # changes again: the rest is done then
            field.cursor_position = len(field.value)
            return
        self.show_error(self._(NAME_FULL).format(limit=NAME_MAX) if len(field.value) >= NAME_MAX else "")
        self.update_preview()
        self.query_one("#preview-box", VerticalScroll).scroll_end(animate=False)  # where the name prints

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        area = event.text_area
        safe = sanitize(area.text)
        full = len(safe) > MESSAGE_MAX
        if full or safe != area.text:
            area.text = safe[:MESSAGE_MAX]  # changes again: the counter and preview follow then
            area.move_cursor(area.document.end)
            if full:
                self.show_error(self._(MESSAGE_FULL).format(limit=MESSAGE_MAX))
            return
        counter = self.query_one("#counter", Label)
        counter.update(self.counter(len(area.text)))
        counter.set_class(len(area.text) >= MESSAGE_MAX, "full")
        self.update_preview()

    def show_error(self, text: str) -> None:
        self.query_one("#error", Label).update(self.shown(text))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "back":
            self.action_go_back()
        elif event.button.id == "print":
            self.submit()

    def submit(self) -> None:
        """Check the form and hand the letter to the app's print worker, once."""
        if self.submitted:
            return
        try:
            name, message = self.kiosk.station.check_form(self.name_text, self.message_text)
        except InputError as exc:
            self.show_error(self.problem(exc))
            self.query_one("#message" if exc.field == "message" else "#name").focus()
            return
        self.submitted = True
        self.query_one("#print", Button).disabled = True
        self.post_message(PrintLetter(Letter(self.case.id, self.kind, name, message, language=self.lang.code)))

    def problem(self, exc: InputError) -> str:
        """What is wrong with the form, in the visitor's words."""
        if (exc.field, exc.reason) == ("name", "empty"):
            return self._("Please type your name.")
        if exc.reason == "too_long" and exc.field == "name":
            return self._(NAME_FULL).format(limit=NAME_MAX)
        if exc.reason == "too_long":
            return self._(MESSAGE_FULL).format(limit=MESSAGE_MAX)
        return str(exc)

    def allow_retry(self, _: object = None) -> None:
        """Saving failed: the visitor may press Print again."""
        self.submitted = False
        self.query_one("#print", Button).disabled = False
