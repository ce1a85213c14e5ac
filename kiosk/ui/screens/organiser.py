"""The organiser screen, behind the PIN: printer, print jobs, held letters, today's counts, paper
letters, cases, sync, quit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from rich.bar import Bar
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Button, DataTable, Label, SelectionList, Static, TabbedContent, TabPane, Tabs
from textual.widgets.selection_list import Selection

from ...application import N_
from ..messages import (
    CasesReloaded,
    GoHome,
    QuitKiosk,
    ReloadCases,
    RunTask,
    SwitchCase,
    SyncNow,
    SyncShown,
    Task,
    TaskDone,
)
from .base import KioskScreen
from .confirm import ConfirmScreen
from .held import HeldLetters
from .paper import PaperLetters

BUTTON_TASKS = {"check": Task.CHECK, "test-print": Task.TEST_PRINT, "retry": Task.RETRY,
                "retry-interrupted": Task.REPRINT, "tally": Task.TALLY}
STARTED = {Task.CHECK: N_("Checking the printer…"), Task.TEST_PRINT: N_("Printing a test receipt…"),
           Task.RETRY: N_("Printing waiting jobs…"), Task.REPRINT: N_("Printing waiting jobs…"),
           Task.TALLY: N_("Printing the tally slip…")}
ANSWERS = {"conflict": N_("conflict"), "refused": N_("refused")}
STATES = {"pending": N_("pending"), "printing": N_("printing"), "failed": N_("failed"),
          "interrupted": N_("interrupted"), "printed": N_("printed"), "cancelled": N_("cancelled")}


class OrganiserScreen(KioskScreen):
    """Behind the PIN, in the stall's language. Locks itself (goes home) when idle."""

    FOR_ORGANISER = True

    BINDINGS = [Binding("escape", "lock", "Lock", show=False)]

    def compose(self) -> ComposeResult:
        station = self.kiosk.station
        settings = station.settings
        with Horizontal(id="organiser-bar"):
            yield Label(self.shown(self._("Organiser · {event} · kiosk {kiosk}").format(
                event=settings.event, kiosk=settings.kiosk_id)), classes="screen-title")
            yield Button(self.shown(self._("Lock (Esc)")), id="lock", variant="primary", compact=True)
            yield Button(self.shown(self._("Quit kiosk")), id="quit", variant="error", compact=True)
        with TabbedContent(id="tabs"):
            with TabPane(self.shown(self._("Printer & jobs")), id="tab-printer"):
                yield Static(Content(station.setup.describe()), id="printer-setup")
                with Horizontal(classes="buttons"):
                    yield Button(self.shown(self._("Check printer")), id="check", compact=True)
                    yield Button(self.shown(self._("Test print")), id="test-print", compact=True)
                    yield Button(self.shown(self._("Retry waiting jobs")), id="retry", variant="warning", compact=True)
                    yield Button(self.shown(self._("Reprint interrupted")), id="retry-interrupted", compact=True)
                # under the buttons: a status that wraps to more lines never moves them
                problem = self.kiosk.printer_problem  # the printer watch's last word, until checked here
                status = self._("Problem: {error}").format(error=problem) if problem else \
                    self._("Status: not checked yet")
                yield Label(self.shown(status), id="printer-status")
                yield DataTable(id="jobs", cursor_type="row", zebra_stripes=True)
            with TabPane(self.shown(self._("Held letters")), id="tab-held"):
                yield HeldLetters(id="held-letters")
            with TabPane(self.shown(self._("Today")), id="tab-today"):
                with Horizontal(classes="buttons"):
                    yield Button(self.shown(self._("Print tally slip")), id="tally", compact=True)
                    yield Label(Content(""), id="today-status")
                with VerticalScroll():
                    yield Static(id="chart")
            with TabPane(self.shown(self._("Paper letters")), id="tab-paper"):
                yield PaperLetters(id="paper-letters")
            with TabPane(self.shown(self._("Cases")), id="tab-cases"):
                yield Label(self.shown(self._("Ticked cases are offered to visitors"
                                              " (closed cases are never offered).")))
                yield SelectionList(id="case-list")
                with Horizontal(classes="buttons"):
                    yield Button(self.shown(self._("Reload cases from disk")), id="reload", compact=True)
                yield Static(Content(""), id="consent-state")
                yield Static(Content(""), id="case-errors")
            if self.kiosk.sync is not None:
                with TabPane(self.shown(self._("Sync")), id="tab-sync"):
                    with Horizontal(classes="buttons"):
                        yield Button(self.shown(self._("Sync now")), id="sync-now", compact=True)
                        yield Label(Content(""), id="sync-running")
                    yield Static(Content(""), id="sync-state")
                    yield DataTable(id="sync-conflicts", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#jobs", DataTable)
        table.add_columns(*(Text(self.shown(self._(column)).plain) for column in (
            N_("Reference"), N_("Case"), N_("State"), N_("Tries"), N_("Last error"))))
        if self.kiosk.sync is not None:
            self.query_one("#sync-conflicts", DataTable).add_columns(*(
                Text(self.shown(self._(column)).plain) for column in (N_("Reference"), N_("Answer"), N_("Reason"))))
        self.refresh_all()
        # the focus starts in the tab bar, never on the button beside Quit kiosk
        self.query_one("#tabs", TabbedContent).query_one(Tabs).focus()

    def refresh_all(self) -> None:
        self.refresh_jobs()
        self.refresh_held()
        self.refresh_chart()
        self.refresh_case_list()
        self.show_problems(self.kiosk.station.problems)
        self.refresh_sync()

    def _when(self, stored: object) -> str:
        """A time the sync state keeps (UTC) as the stall's clock reads it."""
        if not isinstance(stored, str):
            return self._("never")
        try:
            moment = dt.datetime.fromisoformat(stored.replace("Z", "+00:00")).astimezone()
        except ValueError:
            return stored
        return f"{self.lang.date(moment.date())} {moment:%H:%M:%S}"

    def refresh_sync(self) -> None:
        """The Sync tab: the office, the last sync, the rows waiting, the last error, the office's
        cases, and each conflict or refusal with its letter's reference and the office's reason."""
        sync = self.kiosk.sync
        if sync is None:
            return
        self.query_one("#sync-running", Label).update(
            self.shown(self._("Syncing…")) if self.kiosk.syncing else Content(""))
        lines = [self._("Office: {url}").format(url=self.kiosk.station.settings.sync_url)]
        table = self.query_one("#sync-conflicts", DataTable)
        table.clear()
        try:
            status = sync.status()
        except Exception as exc:  # noqa: BLE001 - the database cannot say: shown, never a crash
            lines.append(self._("Problem: {error}").format(error=str(exc)))
            self.query_one("#sync-state", Static).update(self.shown("\n".join(lines)))
            return
        state = status.state
        lines.append(self._("Last sync: {when}").format(when=self._when(state.get("last_success"))))
        lines.append(self._("Rows waiting to be sent: {n}").format(n=self.lang.number(status.waiting)))
        for kiosk, rows in status.others_by_kiosk.items():  # only a sync with that id and its token sends them
            lines.append(self._("Rows of kiosk {kiosk} waiting here: {n}; send them with {kiosk}'s token:"
                                " kiosk sync --kiosk-id {kiosk}").format(n=self.lang.number(rows), kiosk=kiosk))
        if state.get("last_error"):
            lines.append(self._("Last error: {error}").format(error=state["last_error"]))
        if state.get("cases_version"):
            lines.append(self._("Cases: the office's set, version {version}").format(
                version=self.lang.number(int(state["cases_version"]))))
        if state.get("cases_error"):
            lines.append(self._("The office's newest cases were refused; the kiosk keeps its cases: {problem}").format(
                problem=state["cases_error"]))
        self.query_one("#sync-state", Static).update(self.shown("\n".join(lines)))
        for item in status.conflicts:
            answer = self._(ANSWERS[item.answer]) if item.answer in ANSWERS else item.answer
            table.add_row(Text(item.reference), Text(answer), Text(item.reason))
        if not status.conflicts:
            table.add_row(Text(self._("No conflicts.")), Text(""), Text(""))

    def on_sync_shown(self, message: SyncShown) -> None:
        self.refresh_sync()

    def show_problems(self, problems: list[str]) -> None:
        """What the last reading of the cases folder skipped (from the start, not only after a
        reload), and whom the kiosk asks whether we may contact them."""
        self.query_one("#consent-state", Static).update(Content(self.kiosk.station.consent_status()))
        skipped = self._("skipped: {problem}")
        self.query_one("#case-errors", Static).update(Content(
            "\n".join(skipped.format(problem=p) for p in problems) if problems else self._("All case files read.")))
        # seen from any tab: the Cases tab says how many problems the last reading had
        label = self.ngettext("Cases ({n} problem)", "Cases ({n} problems)", len(problems)) if problems else \
            self._("Cases")
        self.query_one("#tabs", TabbedContent).get_tab("tab-cases").label = self.shown(label)

    def refresh_jobs(self) -> None:
        table = self.query_one("#jobs", DataTable)
        table.clear()
        waiting = self.kiosk.station.waiting()
        for item in waiting:
            sig, job = item.signature, item.job
            state = self._(STATES[item.state]) if item.state in STATES else item.state
            table.add_row(Text(sig.reference), Text(sig.case_id), Text(state), Text(self.lang.number(job.attempts)),
                          Text(job.last_error or ""))
        if not waiting:
            table.add_row(Text(self._("No print jobs waiting.")), Text(""), Text(""), Text(""), Text(""))

    def refresh_chart(self) -> None:
        station = self.kiosk.station
        counts = station.counts_today()
        total = sum(counts.values())
        top = max(counts.values(), default=0) or 1
        chart = Table(box=None, expand=True, show_header=True, padding=(0, 1))
        chart.add_column(self._("Case"), ratio=2, no_wrap=True, overflow="ellipsis")
        chart.add_column(self._("Letters"), justify="right", width=7)
        chart.add_column("", ratio=3)
        titles = {c.id: c.title for c in station.all_cases()}
        for case_id, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            chart.add_row(Text(titles.get(case_id, case_id)), Text(self.lang.number(n)), Bar(size=top, begin=0, end=n))
        chart.add_row(Text(self._("All cases"), style="bold"), Text(self.lang.number(total), style="bold"), Text(""))
        figures = station.figures_today()
        notes = []
        if figures["paper"]:
            notes.append(self._("Handwritten on paper: {paper}").format(paper=self.lang.number(figures["paper"])))
        if figures["duplicates"]:
            notes.append(self._("Likely duplicates flagged: {duplicates}; distinct signers: {signers}").format(
                duplicates=self.lang.number(figures["duplicates"]), signers=self.lang.number(figures["signers"])))
        if notes:  # under the table, wrapped to its width
            chart.caption, chart.caption_justify = Text(" · ".join(notes)), "left"
        self.query_one("#chart", Static).update(chart)

    def refresh_case_list(self, switched: dict[str, bool] | None = None) -> None:
        """The cases with their switches; ``switched``: a switch just toggled (its message to the app
        may not be handled yet)."""
        station = self.kiosk.station
        today = station.today()
        selections = []
        for case in station.all_cases():
            note = "" if case.is_open(today) or case.deadline is None else " " + self._("(closed {day})").format(
                day=self.lang.date(case.deadline))
            enabled = (switched or {}).get(case.id, station.is_enabled(case.id))
            state = self._("on: offered") if enabled else self._("off: not offered")
            selections.append(Selection(Content(f"{case.title}{note} · {state}"), case.id, enabled))
        case_list = self.query_one("#case-list", SelectionList)
        highlighted = case_list.highlighted
        case_list.clear_options()
        case_list.add_options(selections)
        if highlighted is not None and selections:
            case_list.highlighted = min(highlighted, len(selections) - 1)

    def on_selection_list_selection_toggled(self, event: SelectionList.SelectionToggled[str]) -> None:
        case_id = event.selection.value
        enabled = case_id in event.selection_list.selected
        self.post_message(SwitchCase(case_id, enabled))
        self.refresh_case_list({case_id: enabled})  # the switch says on or off in words

    def _quit_if(self, confirmed: bool | None) -> None:
        if confirmed:
            self.post_message(QuitKiosk())

    def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button.id or ""
        if button == "lock":
            self.action_lock()
        elif button == "quit":
            self.app.push_screen(ConfirmScreen(
                self._("Quit the kiosk?"),
                self._("Visitors cannot write letters until it is started again. Letters waiting to print stay"
                       " saved."),
                do=self._("Quit kiosk"), keep=self._("Keep it running")), self._quit_if)
        elif button == "reload":
            self.post_message(ReloadCases())
        elif button == "sync-now":
            self.post_message(SyncNow())
        elif button in BUTTON_TASKS:
            task = BUTTON_TASKS[button]
            self.show(task, self._(STARTED[task]))
            self.post_message(RunTask(task, self.job(task)))

    def job(self, task: Task) -> Callable[[], str]:
        """What ``task`` does, in the app's worker: the station's work, and the line to show."""
        station = self.kiosk.station

        lang = self.lang

        def check() -> str:
            return lang._("Status: {status}").format(status=station.printer_status())

        def test_print() -> str:
            where = station.test_print()
            if where:
                return lang._("Test receipt printed: {file}").format(file=where)
            return lang._("Test receipt printed.")

        def retry(interrupted: bool) -> str:
            printed, errors = station.retry(interrupted=interrupted)
            line = lang._("{printed} printed, {waiting} still waiting").format(
                printed=lang.number(printed), waiting=lang.number(len(errors)))
            return f"{line}: {errors[0]}" if errors else line

        def tally() -> str:
            slip, _ = station.print_todays_tally()
            return lang.ngettext("Tally slip printed: {n} letter today", "Tally slip printed: {n} letters today",
                                 slip.total)

        return {Task.CHECK: check, Task.TEST_PRINT: test_print, Task.RETRY: lambda: retry(False),
                Task.REPRINT: lambda: retry(True), Task.TALLY: tally}[task]

    def on_cases_reloaded(self, message: CasesReloaded) -> None:
        self.show_problems(message.problems)
        self.refresh_case_list()

    def show(self, task: Task, line: str) -> None:
        """A task's line: the tally's on the Today tab, the others under the printer."""
        label = "#today-status" if task is Task.TALLY else "#printer-status"
        self.query_one(label, Label).update(self.shown(line))

    def on_task_done(self, message: TaskDone) -> None:
        if message.task is Task.RELEASE:
            self.query_one(HeldLetters).done(message)
            self.show_held_count(len(self.query_one(HeldLetters).items))
        else:
            problem = self._("Problem: {error}").format(error=message.error) if message.error else None
            self.show(message.task, problem or message.line or "")
        self.refresh_jobs()
        self.refresh_chart()

    def refresh_held(self) -> None:
        self.show_held_count(self.query_one(HeldLetters).refresh_held())

    def show_held_count(self, n: int) -> None:
        """The Held letters tab says how many wait for a decision, seen from any tab."""
        label = self._("Held letters ({n})").format(n=self.lang.number(n)) if n else self._("Held letters")
        self.query_one("#tabs", TabbedContent).get_tab("tab-held").label = self.shown(label)

    def on_held_letters_decided(self, message: HeldLetters.Decided) -> None:
        self.show_held_count(len(self.query_one(HeldLetters).items))
        self.refresh_jobs()
        self.refresh_chart()

    def on_paper_letters_changed(self, message: PaperLetters.Changed) -> None:
        self.refresh_chart()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """A tab is read again when it is opened (a command at the stall may have changed it)."""
        if event.pane.id == "tab-held":
            self.refresh_held()
        elif event.pane.id == "tab-paper":
            self.query_one(PaperLetters).refresh_entries()
        elif event.pane.id == "tab-today":
            self.refresh_chart()

    def action_lock(self) -> None:
        self.post_message(GoHome())
