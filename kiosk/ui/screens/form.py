"""The form: the visitor's name and words, with the receipt as it will print.

Its labels say who reads what: the name is printed under the letter (on the card); the words
go to the official the appeal is addressed to, or to the person the postcard is for. Where the
stall asks (``ask_place``), an appeal's writer may add their town or country, printed under their
name. Ctrl+S prints, from any field (the Print button says so). A visitor who goes on to another
case after printing finds their name (and place) already typed (``KioskApp.signed_as``)."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Input, Label, TextArea

from ...application import MESSAGE_MAX, N_, NAME_MAX, PLACE_MAX, Case, InputError, Letter, sanitize
from ..messages import PrintLetter
from ..words import Paragraph
from .base import VisitorScreen


class NameInput(Input):
    """A one-line field of the form (the name, the place): Enter moves on to the next field (``then``),
    and keys typed straight after Enter follow.

    Keys reach the field that had focus when the app read them, so a fast typist's first
    words after Enter can already be queued here; they are passed on to the next field."""

    def __init__(self, *, placeholder: str, id: str, then: str = "#message", limit: int = NAME_MAX) -> None:
        super().__init__(placeholder=placeholder, max_length=limit, id=id)
        self.then, self.limit = then, limit

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter" and self.screen.focused is self:
            event.stop()
            event.prevent_default()
            self.screen.set_focus(self.screen.query_one(self.then))
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
        room = max(0, self.limit - (len(self.value) - (end - start)))
        self.replace(sanitize(event.text).replace("\n", " ")[:room], start, end)


class MessageArea(TextArea):
    """The message box, without undo and redo. Textual's TextArea (8.2) raises while undoing
    a line break in a box this low (its size is refreshed before its line wrapping), and an
    exception would end the kiosk; Ctrl+Z and Ctrl+Y do nothing here instead."""

    def action_undo(self) -> None:
        pass

    def action_redo(self) -> None:
        pass

    def on_unmount(self) -> None:
        """Textual's TextArea (8.2) watches the app's theme and nothing removes the watcher until
        the theme changes: each letter's form would stay alive with its caches (about 40 KB a
        letter, all day). The watcher goes with the box. tests/test_memory.py keeps a reproduction,
        so this can go once Textual drops it itself."""
        watchers = getattr(self.app, "__watchers", {}).get("theme")
        if watchers:
            watchers[:] = [(node, callback) for node, callback in watchers if node is not self]


NAME_FULL = N_("A name can be at most {limit} characters.")
PLACE_FULL = N_("A town or country can be at most {limit} characters.")
MESSAGE_FULL = N_("A message can be at most {limit} characters: the rest was not kept.")
KIND_TITLE = {"appeal": N_("Sign the appeal for {person}"), "postcard": N_("A postcard for {person}")}
NAME_LABEL = {"appeal": N_("Your name (printed under your letter)"), "postcard": N_("Your name (signed on your card)")}
# Who reads the visitor's words: the official the appeal is addressed to (by their office where the
# case gives one), or the person the postcard is for.
WORDS_LABEL = {"appeal": N_("Your words to the official, {reader} (optional)"),
               "postcard": N_("Your words to {reader} (optional)")}
PRINT_LABEL = {"appeal": N_("Print my letter ({key})"), "postcard": N_("Print my postcard ({key})")}
PRINT_KEY = "Ctrl+S"  # no terminal takes it, nor the kiosk's lock (kiosk/ui/lock.py), nor a field
# Where a postcard goes, said on its form (the postcards setting).
CARD_GOES = {"take-home": N_("You take your card with you."),
             "collect": N_("Your card goes in the box: we send all the cards together.")}


class FormScreen(VisitorScreen):
    BINDINGS = [Binding("ctrl+s", "print", "Print", show=False, priority=True)]

    def __init__(self, case: Case, kind: str) -> None:
        super().__init__()
        self.case, self.kind = case, kind
        self.submitted = False
        self.number = 0  # the receipt number shown on the preview

    @property
    def asks_place(self) -> bool:
        """Whether this form asks for the writer's town or country: an appeal, where the stall asks."""
        return self.kind == "appeal" and self.kiosk.station.settings.ask_place

    @property
    def reader(self) -> str:
        """Who reads the visitor's words: the appeal's official (their office, else their name), or the person."""
        if self.kind == "postcard":
            return self.case.person
        to = self.case.appeal.addressee
        return to.title or to.name

    def compose(self) -> ComposeResult:
        bidi = self.kiosk.station.settings.bidi
        with Horizontal(id="form-layout"):
            with Vertical(id="form"):
                yield Label(self.shown(self._(KIND_TITLE[self.kind]).format(person=self.case.person)),
                            classes="screen-title")
                if self.kind == "postcard":
                    yield Label(self.shown(self._(CARD_GOES[self.kiosk.station.settings.postcards])), id="card-goes")
                name = [Label(self.shown(self._(NAME_LABEL[self.kind])), classes="field-label"),
                        NameInput(placeholder=self._("Your name"), id="name",
                                  then="#place" if self.asks_place else "#message")]
                if self.asks_place:
                    with Horizontal(id="signer"):  # the same order in every language
                        yield Vertical(*name, id="signer-name")
                        yield Vertical(Label(self.shown(self._("Your town or country (optional)")),
                                             classes="field-label"),
                                       NameInput(placeholder=self._("Town or country"), id="place", limit=PLACE_MAX),
                                       id="signer-place")
                else:
                    yield from name
                yield Label(self.shown(self._(WORDS_LABEL[self.kind]).format(reader=self.reader)),
                            classes="field-label", id="words-label")
                yield MessageArea(id="message", soft_wrap=True, tab_behavior="focus", show_line_numbers=False)
                with Horizontal(id="form-foot"):
                    yield Label(Content(""), id="error")
                    yield Label(self.counter(0), id="counter")
                buttons = [
                    Button(self.shown(self._(PRINT_LABEL[self.kind]).format(key=PRINT_KEY)), id="print",
                           variant="primary"),
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
        signed_as = self.kiosk.signed_as  # the same visitor, on to another case: their name is typed
        if signed_as is not None:
            self.query_one("#name", Input).value = signed_as.name
            if self.asks_place:
                self.query_one("#place", Input).value = signed_as.place
        self.query_one("#message" if signed_as is not None else "#name").focus()
        self.number = self.kiosk.station.next_number()
        self.update_preview()

    @property
    def name_text(self) -> str:
        return self.query_one("#name", Input).value

    @property
    def message_text(self) -> str:
        return self.query_one("#message", TextArea).text

    @property
    def place_text(self) -> str:
        return self.query_one("#place", Input).value if self.asks_place else ""

    def update_preview(self) -> None:
        text = self.kiosk.station.preview(self.case, self.kind, self.name_text, self.message_text, self.number,
                                          language=self.lang.code, place=self.place_text)
        self.query_one("#preview", Paragraph).set_text(text)

    def on_input_changed(self, event: Input.Changed) -> None:
        field = event.input
        limit = field.limit if isinstance(field, NameInput) else NAME_MAX
        safe = sanitize(field.value).replace("\n", " ")  # typed or pasted: no control or bidi characters
        if safe != field.value:
            field.value = safe[:limit]  # changes again: the rest is done then
            field.cursor_position = len(field.value)
            return
        full = PLACE_FULL if field.id == "place" else NAME_FULL
        self.show_error(self._(full).format(limit=limit) if len(field.value) >= limit else "")
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

    def action_print(self) -> None:
        """Ctrl+S: as the Print button, from any field."""
        if self.kiosk.screen is self:
            self.submit()

    def submit(self) -> None:
        """Check the form and hand the letter to the app's print worker, once."""
        if self.submitted:
            return
        try:
            name, message = self.kiosk.station.check_form(self.name_text, self.message_text)
            place = self.kiosk.station.check_place(self.place_text)
        except InputError as exc:
            self.show_error(self.problem(exc))
            self.query_one({"message": "#message", "place": "#place"}.get(exc.field or "", "#name")).focus()
            return
        self.submitted = True
        self.query_one("#print", Button).disabled = True
        self.post_message(PrintLetter(Letter(self.case.id, self.kind, name, message, language=self.lang.code,
                                             place=place)))

    def problem(self, exc: InputError) -> str:
        """What is wrong with the form, in the visitor's words."""
        if (exc.field, exc.reason) == ("name", "empty"):
            return self._("Please type your name.")
        if exc.reason == "too_long" and exc.field == "name":
            return self._(NAME_FULL).format(limit=NAME_MAX)
        if exc.reason == "too_long" and exc.field == "place":
            return self._(PLACE_FULL).format(limit=PLACE_MAX)
        if exc.reason == "too_long":
            return self._(MESSAGE_FULL).format(limit=MESSAGE_MAX)
        return str(exc)

    def allow_retry(self, _: object = None) -> None:
        """Saving failed: the visitor may press Print again."""
        self.submitted = False
        self.query_one("#print", Button).disabled = False
