"""Home: the campaign, today's count, and the cases to write for."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Label, OptionList, Static
from textual.widgets.option_list import Option

from ...application import Case, reflow
from ..messages import OpenCase, OpenOrganiser
from .base import Idle, KioskScreen

INTRO = "Choose a person to write for:"
NOTHING_OFFERED = "No letters to write right now: please ask at the stall."


def count_line(n: int) -> Content:
    return Content(f"{n} letter{'s' if n != 1 else ''} written here today")


def case_option(number: int, case: Case) -> Option:
    where = f" · {case.country}" if case.country else ""
    prompt = Content.assemble(
        (f"{number}. " if number <= 9 else "", "dim"), (case.title, "bold"), "\n",
        f"   {case.person}{where}",
    )
    return Option(prompt, id=case.id)


class HomeScreen(KioskScreen):
    IDLE = Idle.NEVER  # home is where idle leads
    BINDINGS = [Binding(str(n), f"pick({n})", show=False) for n in range(1, 10)]

    def compose(self) -> ComposeResult:
        station = self.kiosk.station
        with Vertical(id="masthead"):
            yield Label(Content(station.settings.campaign), id="campaign")
            yield Label(count_line(0), id="count")
        yield Label(Content(INTRO), id="intro")
        with Horizontal(id="home-body"):
            yield OptionList(id="cases")
            with VerticalScroll(id="glance"):
                yield Static(Content(""), id="glance-story")
                yield Label(Content("What we ask"), classes="section")
                yield Static(Content(""), id="glance-ask")
        with Vertical(id="home-footer"):
            if station.demo_pin:
                folder = station.preview_folder or ""
                yield Static(Content(f"Demo: receipts are saved in {folder} · letters in {station.settings.database}"
                                     f" (kiosk export ... --db it) · organiser PIN {station.demo_pin}"),
                             id="demo-note")
            with Horizontal():
                yield Static(Content("↑ ↓ choose · Enter open · or tap a name · F12 organiser"), id="hint")
                yield Button(Content("Organiser"), id="organiser", compact=True)

    def on_mount(self) -> None:
        self.refresh_cases()
        self.query_one("#cases", OptionList).focus()

    def on_screen_resume(self) -> None:
        self.refresh_cases()

    def refresh_cases(self) -> None:
        station = self.kiosk.station
        self.query_one("#count", Label).update(count_line(station.count_today()))
        cases = self.query_one("#cases", OptionList)
        offered = station.offered()
        cases.clear_options()
        cases.add_options([case_option(i, case) for i, case in enumerate(offered, 1)])
        if offered:
            cases.highlighted = 0
        self.query_one("#intro", Label).update(Content(INTRO if offered else NOTHING_OFFERED))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """On a wide screen, the highlighted case's story is shown beside the list."""
        case = self.kiosk.station.case(event.option.id or "")
        if case is not None:
            self.query_one("#glance-story", Static).update(Content(reflow(case.story)))
            self.query_one("#glance-ask", Static).update(Content(reflow(case.ask)))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.post_message(OpenCase(event.option.id))

    def action_pick(self, number: int) -> None:
        cases = self.query_one("#cases", OptionList)
        if 1 <= number <= cases.option_count:
            case_id = cases.get_option_at_index(number - 1).id
            if case_id:
                self.post_message(OpenCase(case_id))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "organiser":
            self.post_message(OpenOrganiser())
