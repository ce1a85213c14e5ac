"""Home: the campaign, today's count, the cases to write for, and the visitor's language."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Label, OptionList
from textual.widgets.option_list import Option

from ...application import LANGUAGES, N_, Case, language, reflow
from ..messages import ChooseLanguage, OpenCase, OpenOrganiser
from ..words import Paragraph
from .base import Idle, KioskScreen

INTRO = N_("Choose a person to write for:")
FIRST_FRAME_CASES = 30  # cases listed in the first frame (a tall screen's worth); the rest follow it,
REST_AFTER = 0.1  # this long after it (keys pressed at once are answered first)
NOTHING_OFFERED = N_("No letters to write right now: please ask at the stall.")


@dataclass(frozen=True)
class Backlog:
    """What the marker tells a volunteer: letters waiting to print (pending, failed or
    interrupted), letters held for a volunteer, and the printer's problem (None: none known)."""

    waiting: int = 0
    held: int = 0
    problem: str | None = None


class HomeScreen(KioskScreen):
    IDLE = Idle.NEVER  # home is where idle leads
    DEFAULT_CSS = """
    HomeScreen #backlog { height: auto; max-height: 4; color: $text-muted; text-style: dim; text-align: right; }
    HomeScreen #backlog.-empty { display: none; }
    """
    BINDINGS = [
        *(Binding(str(n), f"pick({n})", show=False) for n in range(1, 10)),
        Binding("l,L", "next_language", "Language", show=False),
    ]

    def compose(self) -> ComposeResult:
        station = self.kiosk.station
        rtl, bidi = self.lang.rtl, station.settings.bidi
        with Vertical(id="masthead"):
            yield Label(self.shown(station.settings.campaign), id="campaign")
            yield Label(self.count_line(0), id="count")
        yield Label(self.shown(self._(INTRO)), id="intro")
        with Horizontal(id="home-body"):
            yield OptionList(id="cases")
            with VerticalScroll(id="glance"):
                yield Paragraph(rtl=rtl, bidi=bidi, id="glance-story")
                yield Label(self.shown(self._("What we ask")), classes="section")
                yield Paragraph(rtl=rtl, bidi=bidi, id="glance-ask")
        with Vertical(id="home-footer"):
            if station.demo_pin:
                folder = station.preview_folder or ""
                yield Paragraph(self._("Demo: receipts are saved in {folder} · letters in {database} (kiosk export"
                                       " ... --db it) · organiser PIN {pin}").format(
                                    folder=folder, database=station.settings.database, pin=station.demo_pin),
                                rtl=rtl, bidi=bidi, id="demo-note")
            stall = self.kiosk.stall_language  # the marker is for volunteers: in the stall's language
            yield Paragraph(rtl=stall.rtl, bidi=station.settings.bidi, id="backlog")
            with Horizontal(id="languages"):
                yield Label(Content("L ›"), id="language-key")
                for code in LANGUAGES:
                    yield Button(Content(language(code).name), id=f"lang-{code}", compact=True,
                                 classes="current" if code == self.lang.code else "")
            with Horizontal():
                yield Label(self.shown(self._("↑ ↓ choose · Enter open · or tap a name · F12 organiser")), id="hint")
                yield Button(self.shown(self._("Organiser")), id="organiser", compact=True)

    def count_line(self, n: int) -> Content:
        return self.shown(self.ngettext("{n} letter written here today", "{n} letters written here today", n))

    def backlog_line(self, backlog: Backlog) -> str:
        """The marker's words: discreet, for a volunteer ("● 2 letters waiting · printer: out of
        paper"); empty when nothing waits and the printer has no problem known."""
        stall = self.kiosk.stall_language
        parts = []
        if backlog.waiting:
            parts.append(stall.ngettext("{n} letter waiting", "{n} letters waiting", backlog.waiting))
        if backlog.held:
            parts.append(stall.ngettext("{n} letter held", "{n} letters held", backlog.held))
        if backlog.problem:
            parts.append(stall._("printer: {problem}").format(problem=backlog.problem))
        return f"● {' · '.join(parts)}" if parts else ""

    def show_backlog(self, backlog: Backlog) -> None:
        """The marker in the corner: letters waiting and the printer's problem, or nothing."""
        line = self.backlog_line(backlog)
        markers = self.query("#backlog").results(Paragraph)
        marker = next(markers, None)
        if marker is None:  # drawn again (another language) this moment: it shows the backlog when composed
            return
        marker.set_text(line)
        marker.set_class(not line, "-empty")

    shown_once = False

    def on_mount(self) -> None:
        """The first frame lists the first cases; the rest are listed just after it is drawn."""
        self.refresh_cases(FIRST_FRAME_CASES)
        self.call_after_refresh(self.set_timer, REST_AFTER, self.list_the_rest, name="the rest of the cases")
        self.query_one("#cases", OptionList).focus()

    async def relabel(self) -> None:
        """Drawn again in the visitor's language (they chose another)."""
        await self.recompose()
        self.refresh_cases()
        self.query_one("#cases", OptionList).focus()

    def on_screen_resume(self) -> None:
        if self.shown_once:  # the first time, on_mount lists them
            self.refresh_cases()
        self.shown_once = True

    def case_option(self, number: int, case: Case) -> Option:
        shown = case.shown_in(self.lang.code)
        where = f" · {shown.country}" if shown.country else ""
        title = self.shown(shown.title)
        person = self.shown(f"{case.person}{where}")
        prompt = Content.assemble((f"{number}. " if number <= 9 else "", "dim"), (title.plain, "bold"), "\n",
                                  f"   {person.plain}")
        return Option(prompt, id=case.id)

    def refresh_cases(self, first: int | None = None) -> None:
        """The count, the marker and the cases offered (``first``: only so many of them)."""
        station = self.kiosk.station
        self.show_backlog(self.kiosk.backlog_now())
        self.query_one("#count", Label).update(self.count_line(station.count_today()))
        cases = self.query_one("#cases", OptionList)
        offered = station.offered()
        cases.clear_options()
        cases.add_options([self.case_option(i, case) for i, case in enumerate(offered[:first], 1)])
        if offered:
            cases.highlighted = 0
        self.query_one("#intro", Label).update(self.shown(self._(INTRO if offered else NOTHING_OFFERED)))

    def list_the_rest(self) -> None:
        """After the first frame: every case offered, the highlight where the visitor left it."""
        cases = next(self.query("#cases").results(OptionList), None)
        if cases is None or not self.query("#intro"):  # drawn again this moment (another language):
            return  # relabel() lists them all
        if cases.option_count >= len(self.kiosk.station.offered()):
            return  # every case is listed already: the list the visitor may be using stays as it is
        at = cases.highlighted
        self.refresh_cases()
        if at is not None and at < cases.option_count:
            cases.highlighted = at

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """On a wide screen, the highlighted case's story is shown beside the list."""
        case = self.kiosk.station.case(event.option.id or "")
        if case is not None:
            shown = case.shown_in(self.lang.code)
            self.query_one("#glance-story", Paragraph).set_text(reflow(shown.story))
            self.query_one("#glance-ask", Paragraph).set_text(reflow(shown.ask))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.post_message(OpenCase(event.option.id))

    def action_pick(self, number: int) -> None:
        cases = self.query_one("#cases", OptionList)
        if 1 <= number <= cases.option_count:
            case_id = cases.get_option_at_index(number - 1).id
            if case_id:
                self.post_message(OpenCase(case_id))

    def action_next_language(self) -> None:
        """L: the next language, round and round (each button names its language in itself)."""
        self.post_message(ChooseLanguage(LANGUAGES[(LANGUAGES.index(self.lang.code) + 1) % len(LANGUAGES)]))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button.id or ""
        if button == "organiser":
            self.post_message(OpenOrganiser())
        elif button.startswith("lang-"):
            self.post_message(ChooseLanguage(button.removeprefix("lang-")))
