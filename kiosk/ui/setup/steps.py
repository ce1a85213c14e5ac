"""The assistant's steps, one screen each: the printer, a network printer's address, the test
print, adjusting the printer, the PIN, the event and kiosk id, the cases, and writing the file.

Each step reads and changes the app's :class:`~.draft.Draft` and asks the app to move on;
Esc goes back one step (the screen is popped). Everything a device or a file says is shown
as :class:`Content`, never as markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Input, Label, LoadingIndicator, OptionList, RadioButton, RadioSet, Select
from textual.widgets.option_list import Option

from ...application import N_, PIN_MAX, Assistant, KioskError, PrinterChoice
from ..words import Paragraph, shown
from .draft import PROBLEMS, Draft, note_text, problem_text
from .work import in_background

if TYPE_CHECKING:
    from ...application.setup import Cases, Written
    from ...printing.detect import Detection, Found
    from .app import SetupApp

STEPS = 6
ENTER = Binding("enter", "enter", show=False, priority=True)  # see Step.action_enter


class Tick(Checkbox, inherit_bindings=False):
    """A checkbox that Space ticks: Enter goes on to the next step, as everywhere in the assistant."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("space", "toggle_button", show=False)]


class Choices(RadioSet, inherit_bindings=False):
    """Radio buttons that arrows move through and Space chooses (Enter goes on, as everywhere in the
    assistant), starting at the one chosen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,right", "next_button", show=False),
        Binding("up,left", "previous_button", show=False),
        Binding("space", "toggle_button", show=False),
    ]

    def on_mount(self) -> None:
        self.call_after_refresh(self._to_pressed)

    def _to_pressed(self) -> None:
        for _ in range(max(self.pressed_index, 0)):  # the set starts at its first button
            self.action_next_button()


class Words:
    """What every step says, and how: in the assistant's language, as text (never markup)."""

    @property
    def setup_app(self) -> SetupApp:
        return cast("SetupApp", cast(Screen[object], self).app)

    @property
    def assistant(self) -> Assistant:
        return self.setup_app.assistant

    @property
    def draft(self) -> Draft:
        return self.setup_app.draft

    def _(self, message: str) -> str:
        return self.setup_app.lang._(message)

    def shown(self, text: str) -> Content:
        return shown(text, rtl=self.setup_app.lang.rtl, bidi=self.assistant.settings.bidi)

    def para(self, text: str = "", *, id: str | None = None, classes: str | None = None) -> Paragraph:
        """Words that wrap at the screen's width."""
        return Paragraph(text, rtl=self.setup_app.lang.rtl, bidi=self.assistant.settings.bidi, id=id,
                         classes=classes)

    def title_of(self, number: int, title: str) -> Label:
        step = self._("Step {n} of {total}: {title}").format(n=number, total=STEPS, title=self._(title))
        return Label(self.shown(self._("Kiosk set-up") + " · " + step), classes="step-title")

    def say(self, text: str, *, ok: bool = False) -> None:
        status = cast(Screen[object], self).query_one("#status", Paragraph)
        status.set_text(text)
        status.set_class(ok, "-ok")

    def printer_line(self, choice: PrinterChoice) -> str:
        """The printer as chosen, in words: where, paper, characters a line, profile."""
        try:
            facts = choice.facts()
        except KioskError as exc:
            return exc.problem
        line = self._("{where} · {mm} mm paper, {columns} characters a line · profile {profile}").format(
            where=facts.where, mm=facts.mm, columns=facts.columns, profile=facts.profile)
        if facts.baud:
            line += " · " + self._("{baud} baud").format(baud=facts.baud)
        if facts.status:
            line += " · " + self._("asks for paper status")
        return line


class Step(Words, Screen[None]):
    """One step: its title, its body, a status line, its buttons and a line of keys."""

    NUMBER: ClassVar[int] = 1
    TITLE: ClassVar[str] = ""
    # A button's id and the method it calls; "back" always goes back a step. Steps with other
    # buttons handle them in on_button_pressed themselves.
    BUTTONS: ClassVar[dict[str, str]] = {}
    KEYS: ClassVar[str] = N_("Esc back · Ctrl+Q quit (nothing is written)")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", show=False), ENTER]

    def heading(self) -> Label:
        return self.title_of(self.NUMBER, self.TITLE)

    def keys(self) -> Paragraph:
        return self.para(self._(self.KEYS), classes="hint")

    def status(self) -> Paragraph:
        return self.para(id="status", classes="status")

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """A button of BUTTONS calls its method; Back goes back a step."""
        button = event.button.id or ""
        if button == "back":
            self.action_back()
        elif button in self.BUTTONS:
            getattr(self, self.BUTTONS[button])()

    def action_enter(self) -> None:
        """Enter in a field that has a next one: focus moves as the key comes, so what is typed
        right after it goes to the next field, never the one left. Otherwise the focused widget's
        own Enter: a field's ``Input.Submitted`` comes after the keys typed before it."""
        focused = self.focused
        if not isinstance(focused, Input) or not self.entered(focused):
            raise SkipAction()

    def entered(self, field: Input) -> bool:
        """Enter in ``field``: True when it moved on to the next field."""
        return False

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.submitted(event.input)

    def submitted(self, field: Input) -> None:
        """Enter in the step's last field: the step done."""

    def next_field(self, selector: str) -> None:
        self.set_focus(self.query_one(selector, Input))


# -- 1: the printer -------------------------------------------------------------------------------


class PrinterStep(Step):
    """The printers found, each with its problem and fix; rescan, a network address or the preview printer."""

    NUMBER = 1
    TITLE = N_("the printer")
    KEYS = N_("Enter use · R rescan · N network printer · P preview printer · Ctrl+Q quit")
    BINDINGS = [
        Binding("escape", "back", show=False),
        Binding("r", "rescan", show=False),
        Binding("n", "network", show=False),
        Binding("p", "preview", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.found: list[Found] = []

    def compose(self) -> ComposeResult:
        yield self.heading()
        with Vertical(classes="body"):
            yield self.para(self._("Looking for printers…"), id="intro")
            yield OptionList(id="printers", markup=False)
            yield self.para(id="notes")
            with VerticalScroll(id="details"):
                yield self.para(id="detail")
        yield self.status()
        with Horizontal(classes="buttons"):
            yield Button(self.shown(self._("Use")), id="use", variant="primary")
            yield Button(self.shown(self._("Rescan")), id="rescan")
            yield Button(self.shown(self._("Network…")), id="network")
            yield Button(self.shown(self._("Preview")), id="preview")
            yield Button(self.shown(self._("Quit")), id="quit")
        yield self.keys()

    def on_mount(self) -> None:
        self.action_rescan()

    def action_back(self) -> None:
        self.say(self._("This is the first step: Ctrl+Q quits (nothing is written)."))

    def action_rescan(self) -> None:
        if self.setup_app.scanning:
            return
        self.setup_app.scanning = True
        self.query_one("#intro", Paragraph).set_text(self._("Looking for printers…"))
        self.query_one("#use", Button).disabled = True
        in_background(self.app, self.assistant.detect, self.show_found)

    def show_found(self, detection: Detection | None, error: BaseException | None) -> None:
        self.setup_app.scanning = False
        self.found = list(detection.found) if detection is not None else []
        printers = self.query_one("#printers", OptionList)
        printers.clear_options()
        for item in self.found:
            mark = "!" if item.reason else "✓"
            printers.add_option(Option(self.shown(f"{mark} {item.description}")))
        notes = [note_text(self.setup_app.lang, note) for note in (detection.notes if detection else ())]
        if error is not None:
            notes.append(self._("Looking for printers failed: {error}").format(error=type(error).__name__))
        self.query_one("#notes", Paragraph).set_text("\n".join(notes))
        if self.found:
            intro = self._("Printers found on this laptop (↑↓ to choose, Enter to use):")
            printers.highlighted = 0
            printers.focus()
        else:
            intro = self._("No printer found. Is it plugged in and switched on? Then press R to look again. "
                           "A network printer: press N and type its address. No printer yet: P, the preview printer.")
            self.show_detail(None)
        self.query_one("#intro", Paragraph).set_text(intro)
        self.query_one("#use", Button).disabled = not self.found

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        index = event.option_index
        self.show_detail(self.found[index] if 0 <= index < len(self.found) else None)

    def show_detail(self, item: Found | None) -> None:
        detail = self.query_one("#detail", Paragraph)
        if item is None:
            detail.set_text("")
            return
        lines = [self._("Printer setting: {spec}").format(spec=item.spec)]
        if item.reason:
            lines.append(problem_text(self.setup_app.lang, item))
            lines += [f"  {command}" for command in item.commands]
            if item.relogin:
                lines.append(self._("Then log out and in again (a new group counts from the next login)."))
            if item.kind == "usb" and item.reason == "denied":
                lines.append(self._("Then unplug the printer and plug it in again, and press R."))
        self.setup_app.fix = (item.fix or "").splitlines()  # said again in the terminal, if the volunteer quits
        detail.set_text("\n".join(lines))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.use(event.option_index)

    def use(self, index: int | None) -> None:
        if index is None or not 0 <= index < len(self.found):
            return
        try:
            choice = self.assistant.found(self.found[index])
        except KioskError as exc:
            self.say(exc.problem)
            return
        self.setup_app.test(choice)

    def action_network(self) -> None:
        self.app.push_screen(NetworkStep())

    def action_preview(self) -> None:
        self.setup_app.test(self.assistant.preview())

    def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button.id
        if button == "use":
            self.use(self.query_one("#printers", OptionList).highlighted)
        elif button == "rescan":
            self.action_rescan()
        elif button == "network":
            self.action_network()
        elif button == "preview":
            self.action_preview()
        elif button == "quit":
            self.app.exit(None)


class NetworkStep(Step):
    """A network printer's address, typed."""

    NUMBER = 1
    TITLE = N_("a network printer")
    KEYS = N_("Enter use this address · Esc back · Ctrl+Q quit")

    def compose(self) -> ComposeResult:
        yield self.heading()
        with VerticalScroll(classes="body"):
            yield self.para(self._(
                "Type the printer's address: a host name or IP address, and the port if it is not 9100"
                " (192.168.1.50 or printer.local:9100). Most receipt printers print their address when"
                " switched on with the feed button held down."))
            yield self.para(self._("A printer that was not found can be typed as a printer setting too:"
                                   " serial:/dev/ttyUSB0, usb:04b8:0e15, file:/dev/usb/lp0, cups:QUEUE."),
                            classes="why")
            yield Label(self.shown(self._("Address")), classes="field-label")
            yield Input(value=self.draft.address, placeholder="192.168.1.50:9100", id="address", max_length=300)
        yield self.status()
        with Horizontal(classes="buttons"):
            yield Button(self.shown(self._("Use this address")), id="use", variant="primary")
            yield Button(self.shown(self._("Back")), id="back")
        yield self.keys()

    def on_mount(self) -> None:
        self.query_one("#address", Input).focus()

    def submitted(self, field: Input) -> None:
        self.use()

    def use(self) -> None:
        address = self.query_one("#address", Input).value
        self.draft.address = address
        try:
            choice = self.assistant.network(address)
        except KioskError as exc:
            self.say(self._("Not an address the kiosk can use: {problem}").format(problem=exc.problem))
            return
        self.setup_app.test(choice)

    BUTTONS = {"use": "use"}


# -- 2: the test print ------------------------------------------------------------------------------


class TestStep(Step):
    """A test receipt on the chosen printer, and "Did it print correctly?"."""

    NUMBER = 2
    TITLE = N_("a test receipt")
    KEYS = N_("Y yes · N no, adjust · A print again · Esc back · Ctrl+Q quit")
    BINDINGS = [
        Binding("escape", "back", show=False),
        Binding("y", "answer(True)", show=False),
        Binding("n", "answer(False)", show=False),
        Binding("a", "print_again", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.printing = False
        self.printed = False
        self.run = 0  # the latest test print; an older one's result is not shown

    def compose(self) -> ComposeResult:
        yield self.heading()
        with VerticalScroll(classes="body"):
            yield self.para(id="printer")
            yield LoadingIndicator(id="busy")
            yield self.para(id="result")
            yield self.para(id="question")
        yield self.status()
        with Horizontal(classes="buttons"):
            yield Button(self.shown(self._("Yes")), id="yes", variant="success")
            yield Button(self.shown(self._("No")), id="no", variant="warning")
            yield Button(self.shown(self._("Print again")), id="again")
            yield Button(self.shown(self._("Back")), id="back")
        yield self.keys()

    def on_mount(self) -> None:
        self.print_test()

    def print_test(self) -> None:
        choice = self.draft.choice
        assert choice is not None
        self.query_one("#printer", Paragraph).set_text(
            self._("Printer: {printer}").format(printer=self.printer_line(choice)))
        self.printing, self.printed = True, False
        self.run += 1
        run = self.run
        self.query_one("#busy", LoadingIndicator).display = True
        self.query_one("#result", Paragraph).set_text(self._("Printing a test receipt…"))
        self.query_one("#question", Paragraph).set_text("")
        self.say("")
        self.set_buttons()
        in_background(self.app, lambda: self.assistant.test_print(choice),
                      lambda where, error: self.done(run, where, error))

    def done(self, run: int, where: object, error: BaseException | None) -> None:
        if run != self.run:
            return
        self.printing = False
        self.query_one("#busy", LoadingIndicator).display = False
        result = self.query_one("#result", Paragraph)
        if error is not None:
            problem = error.problem if isinstance(error, KioskError) else type(error).__name__
            result.set_text(self._("The test print failed: {problem}").format(problem=problem))
            question = self._("Check that the printer is on, has paper and is the one chosen; then print again (A),"
                              " adjust its settings (N) or choose another printer (Esc).")
            self.query_one("#question", Paragraph).set_text(question)
        else:
            self.printed = True
            if where:
                said = self._("The test receipt was written to {file} (and a .txt beside it).").format(file=where)
            else:
                said = self._("The test receipt was sent to the printer.")
            result.set_text(said)
            self.query_one("#question", Paragraph).set_text(self._(
                "Did it print correctly? The line of digits should fill the paper's width without wrapping, the"
                " accented letters should be right and the QR code should scan."))
        self.set_buttons()

    def set_buttons(self) -> None:
        self.query_one("#yes", Button).disabled = not self.printed
        self.query_one("#no", Button).disabled = self.printing
        self.query_one("#again", Button).disabled = self.printing

    def action_answer(self, yes: bool) -> None:
        if self.printing:
            return
        if yes and self.printed:
            self.setup_app.printer_ok()
        elif not yes:
            self.app.push_screen(AdjustStep(), self.adjusted)

    def adjusted(self, changed: bool | None) -> None:
        if changed:
            self.print_test()

    def action_print_again(self) -> None:
        if not self.printing:
            self.print_test()

    def action_back(self) -> None:
        self.run += 1  # a print still on its way is not waited for
        super().action_back()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button.id
        if button == "yes":
            self.action_answer(True)
        elif button == "no":
            self.action_answer(False)
        elif button == "again":
            self.action_print_again()
        elif button == "back":
            self.action_back()


class AdjustStep(Words, Screen[bool]):
    """Another paper width, capability profile, baud rate or status setting; dismissed True to print again."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", show=False)]

    def compose(self) -> ComposeResult:
        choice = self.setup_app.draft.choice
        assert choice is not None
        assistant = self.setup_app.assistant
        yield self.title_of(2, N_("adjust the printer"))
        with VerticalScroll(classes="body"):
            yield self.para(self._(
                "Text cut off or wrapped: try the other paper width. Wrong accents, no QR code or no cut: try the"
                " profile of your printer's model (POS-5890 for most cheap 58 mm printers)."), classes="why")
            yield Label(self.shown(self._("Paper width")), classes="field-label")
            with Choices(id="paper"):
                for paper in assistant.PAPERS:
                    yield RadioButton(self.shown(self._("{mm} mm").format(mm=paper)), value=paper == choice.paper,
                                      id=f"paper-{paper}")
            yield Label(self.shown(self._("Capability profile")), classes="field-label")
            yield Select([(Text(name), name) for name in assistant.profiles()], value=choice.profile,
                         allow_blank=False, id="profile")
            if choice.kind == "serial":
                yield Label(self.shown(self._("Speed (baud), as set on the printer")), classes="field-label")
                yield Select([(Text(str(baud)), baud) for baud in assistant.BAUDS], value=choice.baud or 9600,
                             allow_blank=False, id="baud")
            if choice.can_answer:
                yield Tick(self.shown(self._("Ask the printer for its paper status")), value=choice.asks_status,
                           id="status")
                yield self.para(self._("Turn this off for a printer that takes data but does not answer status"
                                       " requests (the test print then fails with no answer)."), classes="why")
        with Horizontal(classes="buttons"):
            yield Button(self.shown(self._("Print again")), id="again", variant="primary")
            yield Button(self.shown(self._("Back")), id="back")
        yield self.para(self._("Space choose · Enter print again · Esc back · Ctrl+Q quit"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#paper", RadioSet).focus()

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        choice = self.setup_app.draft.choice
        assert choice is not None
        paper = int((event.pressed.id or "paper-80").removeprefix("paper-"))
        changed = choice.with_paper(paper)
        self.setup_app.draft.choice = changed
        profile = self.query_one("#profile", Select)
        if profile.value != changed.profile:
            profile.value = changed.profile

    def chosen(self) -> PrinterChoice:
        choice = self.setup_app.draft.choice
        assert choice is not None
        profile = self.query_one("#profile", Select).value
        baud = self.query(Select).filter("#baud").first().value if self.query("#baud") else None
        status = self.query_one("#status", Tick).value if self.query("#status") else None
        return choice.changed(profile=profile if isinstance(profile, str) else None,
                              baud=baud if isinstance(baud, int) else None, status=status)

    def action_again(self) -> None:
        self.setup_app.draft.choice = self.chosen()
        self.dismiss(True)

    def action_back(self) -> None:
        self.setup_app.draft.choice = self.chosen()
        self.dismiss(False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "again":
            self.action_again()
        elif event.button.id == "back":
            self.action_back()

    def key_enter(self) -> None:
        if not isinstance(self.focused, (Button, Select)):
            self.action_again()


# -- 3: the PIN -----------------------------------------------------------------------------------------


class PinStep(Step):
    NUMBER = 3
    TITLE = N_("the organiser PIN")
    KEYS = N_("Enter next · Esc back · Ctrl+Q quit (nothing is written)")

    def compose(self) -> ComposeResult:
        yield self.heading()
        with VerticalScroll(classes="body"):
            yield self.para(self._(
                "The organiser PIN opens the organiser screen (F12) at the stall: 4 to 12 digits. Only a salted"
                " hash of it is stored."), classes="why")
            if self.assistant.has_pin:
                yield Label(self.shown(self._("This settings file has a PIN: leave both empty to keep it.")),
                            classes="why")
            yield Label(self.shown(self._("New PIN")), classes="field-label")
            yield Input(password=True, restrict=r"[0-9]*", max_length=PIN_MAX, id="pin")
            yield Label(self.shown(self._("The same PIN again")), classes="field-label")
            yield Input(password=True, restrict=r"[0-9]*", max_length=PIN_MAX, id="again")
        yield self.status()
        with Horizontal(classes="buttons"):
            yield Button(self.shown(self._("Next")), id="next", variant="primary")
            yield Button(self.shown(self._("Back")), id="back")
        yield self.keys()

    def on_mount(self) -> None:
        self.query_one("#pin", Input).focus()

    def entered(self, field: Input) -> bool:
        if field.id == "pin":
            self.next_field("#again")
            return True
        return False

    def submitted(self, field: Input) -> None:
        self.next()

    def next(self) -> None:
        pin, again = self.query_one("#pin", Input), self.query_one("#again", Input)
        if not pin.value and not again.value and self.assistant.has_pin:
            self.draft.pin = None
            self.setup_app.push_screen(StallStep())
            return
        try:
            self.draft.pin = self.assistant.check_pin(pin.value, again.value)
        except KioskError as exc:
            if exc.field == "again":
                self.say(self._("The two entries differ: type the PIN twice the same."))
                again.value = ""
                again.focus()
            else:
                self.say(self._("Not a PIN the kiosk accepts: use 4 to 12 digits."))
                pin.value = again.value = ""
                pin.focus()
            return
        self.say("")
        self.setup_app.push_screen(StallStep())

    BUTTONS = {"next": "next"}


# -- 4: the event and the kiosk id ------------------------------------------------------------------------


class StallStep(Step):
    NUMBER = 4
    TITLE = N_("the event and this laptop")
    KEYS = N_("Enter next · Tab next field · Esc back · Ctrl+Q quit")

    def compose(self) -> ComposeResult:
        yield self.heading()
        with VerticalScroll(classes="body"):
            yield Label(self.shown(self._("Event name, printed on receipts and used to group the counts")),
                        classes="field-label")
            yield Input(value=self.draft.event, id="event", max_length=200)
            yield Label(self.shown(self._("Kiosk id of this laptop: letters, digits, . _ -, up to 32")),
                        classes="field-label")
            yield Input(value=self.draft.kiosk_id, id="kiosk-id", max_length=64)
            yield self.para(self._(
                "Give each laptop at the stall its own kiosk id (the host name is a good one): receipts are numbered"
                " per kiosk id, so two laptops with the same id would print the same reference numbers, and their"
                " letters could not be told apart when the counts are put together."), classes="why")
        yield self.status()
        with Horizontal(classes="buttons"):
            yield Button(self.shown(self._("Next")), id="next", variant="primary")
            yield Button(self.shown(self._("Back")), id="back")
        yield self.keys()

    def on_mount(self) -> None:
        self.query_one("#event", Input).focus()

    def entered(self, field: Input) -> bool:
        if field.id == "event":
            self.next_field("#kiosk-id")
            return True
        return False

    def submitted(self, field: Input) -> None:
        self.next()

    def next(self) -> None:
        fields = (("event", "#event", N_("The event name: {problem}")),
                  ("kiosk_id", "#kiosk-id", N_("The kiosk id: {problem}")))
        values = {}
        for name, selector, words in fields:
            field = self.query_one(selector, Input)
            try:
                values[name] = self.assistant.check(name, field.value)
            except KioskError as exc:
                self.say(self._(words).format(problem=exc.problem))
                field.focus()
                return
        self.draft.event, self.draft.kiosk_id = values["event"], values["kiosk_id"]
        self.say("")
        self.setup_app.push_screen(CasesStep())

    BUTTONS = {"next": "next"}


# -- 5: the cases -------------------------------------------------------------------------------------------


class CasesStep(Step):
    NUMBER = 5
    TITLE = N_("the cases")
    KEYS = N_("Enter go on · Space tick the box · Esc back · Ctrl+Q quit")

    def compose(self) -> ComposeResult:
        yield self.heading()
        with VerticalScroll(classes="body"):
            yield self.para(self._(
                "The folder of your campaign's case files (docs/cases.md): the people visitors write for."),
                classes="why")
            yield Label(self.shown(self._("Cases folder")), classes="field-label")
            yield Input(value=str(self.draft.cases), id="cases", max_length=4096)
            yield self.para(id="found")
            yield Tick(self.shown(self._("Offer the sample cases")), value=self.draft.allow_samples, id="samples")
            yield self.para(self._("The samples are about people who do not exist: for a trial run, never at a real"
                                   " stall."), id="samples-why", classes="why")
        yield self.status()
        with Horizontal(classes="buttons"):
            yield Button(self.shown(self._("Next")), id="next", variant="primary")
            yield Button(self.shown(self._("Back")), id="back")
        yield self.keys()

    def on_mount(self) -> None:
        self.query_one("#cases", Input).focus()
        self.look()

    def look(self) -> Cases:
        found = self.assistant.cases(self.query_one("#cases", Input).value,
                                     allow_samples=self.query_one("#samples", Tick).value)
        lang = self.setup_app.lang
        if not found.exists:
            line = self._("No such folder: {folder}").format(folder=found.folder)
        else:
            line = lang.ngettext("{n} case ready", "{n} cases ready", found.usable).format(
                n=lang.number(found.usable))
            if found.samples:
                line += " · " + lang.ngettext("{n} sample case", "{n} sample cases", found.samples).format(
                    n=lang.number(found.samples))
            if found.skipped:
                line += " · " + lang.ngettext("{n} file with problems (kiosk cases check)",
                                              "{n} files with problems (kiosk cases check)",
                                              found.skipped).format(n=lang.number(found.skipped))
        self.query_one("#found", Paragraph).set_text(line)
        samples = self.query_one("#samples", Tick)
        samples.display = self.query_one("#samples-why", Paragraph).display = bool(found.samples) or samples.value
        if found.usable:
            self.say("")
        return found

    def on_input_changed(self, event: Input.Changed) -> None:
        self.look()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self.look()

    def action_enter(self) -> None:
        if not isinstance(self.focused, Tick):
            raise SkipAction()  # a button's own Enter; the folder's field submits (below)
        self.next()

    def submitted(self, field: Input) -> None:
        self.next()

    def next(self) -> None:
        found = self.look()
        if not found.usable:
            if found.samples and found.exists:
                self.say(self._("Only sample cases here: choose your campaign's folder, or tick the box to try"
                                " the kiosk with the samples."))
            else:
                self.say(self._("The kiosk needs at least one case to offer: choose the folder of your case files."))
            return
        self.draft.cases = found.folder
        self.draft.allow_samples = self.query_one("#samples", Tick).value
        self.draft.case_count = found.usable
        self.say("")
        self.setup_app.push_screen(WriteStep())

    BUTTONS = {"next": "next"}


# -- 6: writing the settings file ----------------------------------------------------------------------------


class WriteStep(Step):
    NUMBER = 6
    TITLE = N_("write the settings file")
    KEYS = N_("Enter write · Esc back · Ctrl+Q quit (nothing is written)")

    def compose(self) -> ComposeResult:
        yield self.heading()
        with VerticalScroll(classes="body"):
            yield self.para(id="summary")
        yield self.status()
        with Horizontal(classes="buttons"):
            yield Button(self.shown(self._("Write the settings file")), id="write", variant="primary")
            yield Button(self.shown(self._("Back")), id="back")
        yield self.keys()

    def on_mount(self) -> None:
        draft, assistant, lang = self.draft, self.assistant, self.setup_app.lang
        choice = draft.choice
        assert choice is not None
        printer = self.printer_line(choice)
        if assistant.existing:
            doing = self._("Update {file}, keeping its comments and other settings:").format(file=assistant.path)
        else:
            doing = self._("Create {file}:").format(file=assistant.path)
        lines = [
            doing,
            "",
            self._("Printer: {printer}").format(printer=printer),
            self._("Printer setting: {spec}").format(spec=choice.spec),
            self._("Organiser PIN: {pin}").format(pin=self._("the current one") if draft.pin is None
                                                  else self._("new (stored as a salted hash)")),
            self._("Event: {event}").format(event=draft.event),
            self._("Kiosk id: {kiosk_id}").format(kiosk_id=draft.kiosk_id),
            self._("Cases: {folder} ({count})").format(
                folder=draft.cases, count=lang.ngettext("{n} case", "{n} cases", draft.case_count).format(
                    n=lang.number(draft.case_count))),
        ]
        if assistant.language:
            lines.append(self._("Language: {language}").format(language=lang.name))
        self.query_one("#summary", Paragraph).set_text("\n".join(lines))
        self.query_one("#write", Button).focus()

    def write(self) -> None:
        draft = self.draft
        assert draft.choice is not None
        try:
            written = self.assistant.write(draft.choice, pin=draft.pin, event=draft.event, kiosk_id=draft.kiosk_id,
                                           cases=draft.cases, allow_samples=draft.allow_samples)
        except KioskError as exc:
            self.say(self._("Not written: {problem}").format(problem=str(exc)))
            return
        self.setup_app.written(written)

    BUTTONS = {"write": "write"}


class DoneStep(Step):
    """Written: the command that starts the kiosk."""

    NUMBER = 6
    TITLE = N_("done")
    KEYS = N_("Enter or Esc: close the assistant")

    def __init__(self, written: Written) -> None:
        super().__init__()
        self.done = written

    def compose(self) -> ComposeResult:
        yield self.heading()
        with VerticalScroll(classes="body"):
            yield Label(self.shown(self._("The settings file is written: {file}").format(file=self.done.path)))
            yield Label(self.shown(self._("Start the kiosk with:")), classes="field-label")
            yield self.para(self.done.command, classes="command", id="command")
            for variable in self.done.overridden:
                yield Label(self.shown(self._("Note: {variable} is set here and wins over the file's value;"
                                              " unset it before kiosk run.").format(variable=variable)),
                            classes="status")
        with Horizontal(classes="buttons"):
            yield Button(self.shown(self._("Close")), id="close", variant="primary")
        yield self.keys()

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    def action_back(self) -> None:
        self.setup_app.finish()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.setup_app.finish()


__all__ = ["PROBLEMS", "AdjustStep", "DoneStep", "NetworkStep", "PrinterStep", "TestStep"]
