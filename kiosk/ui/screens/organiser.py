"""The organiser screen, behind the PIN: printer, print jobs, today's counts, cases, quit."""

from __future__ import annotations

from rich.bar import Bar
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, DataTable, Label, SelectionList, Static, TabbedContent, TabPane
from textual.widgets.selection_list import Selection

from ..app import TaskDone


class OrganiserScreen(Screen):
    BINDINGS = [Binding("escape", "lock", "Lock", show=False)]

    def idle_limit(self, app) -> float:
        return app.config.idle_timeout

    def compose(self) -> ComposeResult:
        station = self.app.station
        config = station.config
        with Horizontal(id="organiser-bar"):
            yield Label(Content(f"Organiser · {config.event} · kiosk {config.kiosk_id}"), classes="screen-title")
            yield Button(Content("Lock (Esc)"), id="lock", variant="primary", compact=True)
            yield Button(Content("Quit kiosk"), id="quit", variant="error", compact=True)
        with TabbedContent(id="tabs"):
            with TabPane("Printer & jobs", id="tab-printer"):
                yield Static(Content(station.setup.describe()), id="printer-setup")
                yield Label(Content("Status: not checked yet"), id="printer-status")
                with Horizontal(classes="buttons"):
                    yield Button(Content("Check printer"), id="check", compact=True)
                    yield Button(Content("Test print"), id="test-print", compact=True)
                    yield Button(Content("Retry waiting jobs"), id="retry", variant="warning", compact=True)
                    yield Button(Content("Reprint interrupted"), id="retry-interrupted", compact=True)
                yield DataTable(id="jobs", cursor_type="row", zebra_stripes=True)
            with TabPane("Today", id="tab-today"):
                with Horizontal(classes="buttons"):
                    yield Button(Content("Print tally slip"), id="tally", compact=True)
                    yield Label(Content(""), id="today-status")
                with VerticalScroll():
                    yield Static(id="chart")
            with TabPane("Cases", id="tab-cases"):
                yield Label(Content("Ticked cases are offered to visitors (closed cases are never offered)."))
                yield SelectionList(id="case-list")
                with Horizontal(classes="buttons"):
                    yield Button(Content("Reload cases from disk"), id="reload", compact=True)
                yield Static(Content(""), id="case-errors")

    def on_mount(self) -> None:
        table = self.query_one("#jobs", DataTable)
        table.add_columns("Reference", "Case", "State", "Tries", "Last error")
        self.refresh_all()

    def refresh_all(self) -> None:
        self.refresh_jobs()
        self.refresh_chart()
        self.refresh_case_list()

    def refresh_jobs(self) -> None:
        table = self.query_one("#jobs", DataTable)
        table.clear()
        waiting = self.app.station.waiting()
        for item in waiting:
            sig, job = item.signature, item.job
            table.add_row(Text(sig.reference), Text(sig.case_id), Text(item.state), Text(str(job.attempts)),
                          Text(job.last_error or ""))
        if not waiting:
            table.add_row(Text("No print jobs waiting."), Text(""), Text(""), Text(""), Text(""))

    def refresh_chart(self) -> None:
        station = self.app.station
        counts = station.counts_today()
        total = sum(counts.values())
        top = max(counts.values(), default=0) or 1
        chart = Table(box=None, expand=True, show_header=True, padding=(0, 1))
        chart.add_column("Case", ratio=2, no_wrap=True, overflow="ellipsis")
        chart.add_column("Letters", justify="right", width=7)
        chart.add_column("", ratio=3)
        titles = {c.id: c.title for c in station.all_cases()}
        for case_id, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            chart.add_row(Text(titles.get(case_id, case_id)), Text(str(n)), Bar(size=top, begin=0, end=n))
        chart.add_row(Text("All cases", style="bold"), Text(str(total), style="bold"), Text(""))
        self.query_one("#chart", Static).update(chart)

    def refresh_case_list(self) -> None:
        station = self.app.station
        today = station.today()
        selections = []
        for case in station.all_cases():
            note = "" if case.is_open(today) else f" (closed {case.deadline})"
            selections.append(Selection(Content(f"{case.title}{note}"), case.id, station.is_enabled(case.id)))
        case_list = self.query_one("#case-list", SelectionList)
        case_list.clear_options()
        case_list.add_options(selections)

    def on_selection_list_selection_toggled(self, event: SelectionList.SelectionToggled) -> None:
        case_id = event.selection.value
        self.app.station.set_enabled(case_id, case_id in event.selection_list.selected)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        app, station = self.app, self.app.station
        match event.button.id:
            case "lock":
                self.action_lock()
            case "quit":
                app.quit_kiosk()
            case "check":
                self.status("Checking the printer…")
                app.run_task("check", station.printer_status)
            case "test-print":
                self.status("Printing a test receipt…")
                app.run_task("test-print", station.test_print)
            case "retry" | "retry-interrupted" as which:
                self.status("Printing waiting jobs…")
                app.run_task("retry", lambda: station.retry(interrupted=which == "retry-interrupted"))
            case "tally":
                self.query_one("#today-status", Label).update(Content("Printing the tally slip…"))
                app.run_task("tally", station.print_tally)
            case "reload":
                errors = station.reload_cases()
                self.query_one("#case-errors", Static).update(
                    Content("\n".join(f"skipped: {e}" for e in errors) if errors else "All case files read.")
                )
                self.refresh_case_list()

    def status(self, line: str) -> None:
        self.query_one("#printer-status", Label).update(Content(line))

    def task_done(self, message: TaskDone) -> None:
        if message.task == "tally":
            if message.error:
                line = f"Problem: {message.error}"
            else:
                letters = message.result[0]
                line = f"Tally slip printed: {letters} letter{'' if letters == 1 else 's'} today"
            self.query_one("#today-status", Label).update(Content(line))
        elif message.error:
            self.status(f"Problem: {message.error}")
        elif message.task == "check":
            self.status(f"Status: {message.result}")
        elif message.task == "test-print":
            self.status("Test receipt printed" + (f": {message.result}" if message.result else "."))
        elif message.task == "retry":
            printed, errors = message.result
            self.status(f"{printed} printed, {len(errors)} still waiting" + (f": {errors[0]}" if errors else ""))
        self.refresh_jobs()
        self.refresh_chart()

    def action_lock(self) -> None:
        self.app.go_home()
