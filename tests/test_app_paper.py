"""The organiser's Paper letters tab, driven through Textual's Pilot: handwritten letters added on
the screen are recorded for this kiosk and counted; an entry is corrected by its new total; what
is wrong is one line under the form, never a crash."""

from __future__ import annotations

import csv
import io
import re

from click.testing import CliRunner
from textual.widgets import DataTable, Input, Select

from kiosk.cli import cli
from tests.helpers import CASES
from tests.helpers.kiosk_app import TEST_PIN, make_app, make_station, screen_name, screen_text

SMALL = (80, 24)


async def open_paper_tab(pilot) -> None:
    await pilot.press("f12", *TEST_PIN, "enter")
    await pilot.pause()
    await pilot.click("#tabs Tab#--content-tab-tab-paper")
    await pilot.pause()


def status(app) -> str:
    return str(app.screen.query_one("#paper-status").render())


def exported_counts(db) -> dict[str, dict[str, str]]:
    result = CliRunner().invoke(cli, ["export", "counts", "--db", str(db), "--by", "case"], catch_exceptions=False)
    return {row["case_id"]: row for row in csv.DictReader(io.StringIO(result.output))}


async def test_paper_letters_added_by_keyboard_are_counted(tmp_path):
    station = make_station(tmp_path, cases=CASES)
    case = station.all_cases()[0]
    station.record(case.id, "appeal", "Ada", "")  # one typed letter today
    app = make_app(station)
    async with app.run_test(size=SMALL) as pilot:
        await open_paper_tab(pilot)
        assert "No paper letters yet." in screen_text(app)
        await pilot.press("tab")  # from the tab bar to the case
        assert app.focused is app.screen.query_one("#paper-case")
        await pilot.press("enter", "down", "enter")  # the list opens on the prompt; the first case
        assert app.screen.query_one("#paper-case", Select).value == case.id
        await pilot.press("tab", "enter", "down", "enter")  # postcards
        assert app.screen.query_one("#paper-kind", Select).value == "postcard"
        await pilot.press("tab", *"12", "tab", *"from the school visit", "enter")
        await pilot.pause()
        assert status(app) == f"Added 12 for {case.title} (postcards)."
        (entry,) = station.paper_entries()
        assert (entry.case_id, entry.kind, entry.count) == (case.id, "postcard", 12)
        assert entry.note == "from the school visit"
        shown = screen_text(app)
        assert re.search(rf"12:00\s+{re.escape(case.title)}\s+postcards\s+12\s+from the school", shown)
        assert app.screen.query_one("#paper-count", Input).value == ""  # ready for the next bundle
        await pilot.click("#tabs Tab#--content-tab-tab-today")
        await pilot.pause()
        (row,) = [line for line in screen_text(app).splitlines() if case.title in line]
        assert re.search(r"\s13\s", row)  # one typed and twelve on paper
        assert "Handwritten on paper: 12" in screen_text(app)  # the Today tab says how many of them
        assert "1 letter written here today" not in shown  # the organiser screen, not home
    counted = exported_counts(station.settings.database)[case.id]
    assert (counted["count"], counted["paper"]) == ("13", "12")


async def test_an_entry_is_corrected_by_its_new_total_by_mouse(tmp_path):
    station = make_station(tmp_path, cases=CASES)
    first, second = station.all_cases()[:2]
    station.add_paper(first.id, "appeal", 5)
    station.add_paper(second.id, "appeal", 30, note="box 2")
    app = make_app(station)
    async with app.run_test(size=SMALL) as pilot:
        await open_paper_tab(pilot)
        table = app.screen.query_one("#paper-entries", DataTable)
        assert table.row_count == 2
        row = [e.case_id for e in station.paper_entries()].index(second.id)  # as listed
        await pilot.click("#paper-entries", offset=(3, 1 + row))
        assert table.cursor_row == row
        await pilot.click("#paper-total")
        await pilot.press(*"3")
        await pilot.click("#paper-correct")
        await pilot.pause()
        assert status(app) == f"Corrected: now 3 for {second.title} (appeals)."
        totals = {e.case_id: (e.count, e.corrected, e.note) for e in station.paper_entries()}
        assert totals == {first.id: (5, False, ""), second.id: (3, True, "box 2")}
        listed = [[str(cell) for cell in table.get_row_at(i)][1:] for i in range(table.row_count)]
        assert [second.title, "appeals", "3 (corrected)", "box 2"] in listed
        assert table.cursor_row == row  # the corrected entry stays chosen
    assert exported_counts(station.settings.database)[second.id]["paper"] == "3"


async def test_every_case_is_offered_closed_or_switched_off(tmp_path):
    station = make_station(tmp_path, cases=CASES)
    off = station.all_cases()[0]
    station.set_enabled(off.id, False)
    assert off.id not in {c.id for c in station.offered()}
    app = make_app(station)
    async with app.run_test(size=SMALL) as pilot:
        await open_paper_tab(pilot)
        select = app.screen.query_one("#paper-case", Select)
        offered = [value for _, value in select._options if isinstance(value, str)]
        assert offered == [c.id for c in station.all_cases()]
        select.value = off.id
        app.screen.query_one("#paper-count", Input).value = "4"
        await pilot.click("#paper-add")
        await pilot.pause()
        assert [(e.case_id, e.count) for e in station.paper_entries()] == [(off.id, 4)]


async def test_bad_input_is_one_line_and_records_nothing(tmp_path):
    station = make_station(tmp_path, cases=CASES)
    case = station.all_cases()[0]
    app = make_app(station)
    async with app.run_test(size=SMALL) as pilot:
        await open_paper_tab(pilot)
        count = app.screen.query_one("#paper-count", Input)
        count.value = "12"
        await pilot.click("#paper-add")
        assert status(app) == "Choose a case first."
        app.screen.query_one("#paper-case", Select).value = case.id
        for typed in ("", "-", "0", "-5", "1000000"):
            count.value = typed
            await pilot.pause(0.3)  # a Button takes no second press within 0.2 s (Textual's debounce)
            await pilot.click("#paper-add")
            await pilot.pause()
            line = status(app)
            assert line and "\n" not in line and "Traceback" not in line, (typed, line)
            assert line.startswith(("Type a whole number", "Problem: ")), (typed, line)
        count.value = "3"
        app.screen.query_one("#paper-note", Input).value = "x" * 200
        await pilot.click("#paper-correct")  # nothing listed to correct
        assert status(app) == "Choose an entry in the list first."
        assert station.paper_entries() == []
        await pilot.pause(0.3)
        await pilot.click("#paper-add")
        await pilot.pause()
        assert [e.count for e in station.paper_entries()] == [3]
        app.screen.query_one("#paper-total", Input).value = "-1"
        await pilot.pause(0.3)
        await pilot.click("#paper-correct")
        await pilot.pause()
        assert status(app).startswith("Problem: ") and "\n" not in status(app)
        assert station.paper_entries()[0].count == 3
        assert screen_name(app) == "OrganiserScreen" and app.is_running


async def test_the_tab_fits_80x24(tmp_path):
    station = make_station(tmp_path, cases=CASES)
    for n in range(1, 25):  # more entries than fit: the list scrolls, the form and correction stay
        station.add_paper(station.all_cases()[n % 4].id, "appeal", n)
    app = make_app(station)
    async with app.run_test(size=SMALL) as pilot:
        await open_paper_tab(pilot)
        lines = screen_text(app).splitlines()
        assert len(lines) == 24
        for widget in ("#paper-case", "#paper-kind", "#paper-count", "#paper-note", "#paper-add", "#paper-status",
                       "#paper-total", "#paper-correct"):
            region = app.screen.query_one(widget).region
            assert region.height >= 1 and region.bottom <= 24 and region.right <= 80, widget
        assert app.screen.query_one("#paper-entries", DataTable).region.height >= 3
