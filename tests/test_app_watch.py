"""The volunteer always knows, driven through Textual's Pilot with network printers on loopback
ports: the printer is checked at start and every minute while the kiosk is quiet; the home
screen's marker shows letters waiting and the printer's problem; a failed letter prints by itself
once the printer answers again (on paper once, the bytes say), never an interrupted, held or
pending one; a printer that never answers status requests is told which setting turns status off;
the case files skipped at start are on the organiser screen from its first opening."""

from __future__ import annotations

import shutil
import threading

import pytest
from click.testing import CliRunner
from textual.widgets import TabbedContent

from kiosk.cli import cli
from kiosk.errors import PrintError
from kiosk.printing import devices
from kiosk.printing.setups import parse_spec
from kiosk.store import Store
from kiosk.ui.watch import CHECK_EVERY, QUIET_AFTER
from tests.helpers import CASES
from tests.helpers.escpos_stream import decode
from tests.helpers.fake_printer import FakePrinter, strip_status
from tests.helpers.kiosk_app import TEST_PIN, FakeClock, make_app, make_station, screen_name, screen_text

SMALL = (80, 24)
CASE = "prisoner-ilya-voronin"
WIDE = (140, 30)


class MutePrinter(FakePrinter):
    """Takes every byte and never answers a status request (DLE EOT)."""

    @staticmethod
    def _reply(mode: str, n: int, answered: int) -> bytes:
        return b""


def flat(app) -> str:
    return " ".join(screen_text(app).split())


def marker(app) -> str:
    """The home screen's marker as it reads ("" when hidden)."""
    found = app.screen_stack[0].query_one("#backlog")
    return "" if found.has_class("-empty") else " ".join(found.text.split())


async def settle(pilot) -> None:
    """Until the watch's check, and the printing of failed letters it starts, are done."""
    app = pilot.app
    for _ in range(50):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not (app.printer_checking or app.printer_retrying):
            return
    raise AssertionError("the printer watch never settled")


async def check_again(pilot, clock: FakeClock) -> bool:
    """A minute later: the watch's tick, then what it started."""
    clock.advance(CHECK_EVERY + 1)
    started = pilot.app.watch_printer()
    await settle(pilot)
    return started


async def write(pilot, name: str = "Ada") -> None:
    """A visitor signs the first case's appeal and presses Print; the worker finishes."""
    await pilot.press("enter", "a", *name, "tab", "tab", "enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def states(station) -> list[str]:
    with Store(station.settings.database) as store:
        return [row["print_status"] for row in store.export_rows()]


def by_name(station) -> dict[str, str]:
    with Store(station.settings.database) as store:
        return {row["name"]: row["print_status"] for row in store.export_rows()}


def on_paper(printer: FakePrinter, name: str) -> int:
    """How many receipts with ``name`` the printer took, each decoded from its bytes."""
    printer.settle()
    return sum(decode(strip_status(data), "TM-T20II").text.count(name) for _, data in printer.received
               if strip_status(data))


def connections(printer: FakePrinter) -> int:
    printer.settle()
    return printer.connections


# -- the marker, and the waiting letter printed by itself -----------------------------------------


async def test_a_printer_stopped_then_restarted_shows_the_marker_then_prints_the_letter_by_itself(
        tmp_path, fake_printer):
    printer = fake_printer("refuse")  # stopped
    station = make_station(tmp_path, cases=CASES, printer=printer.spec + "?timeout=1")
    clock = FakeClock()
    app = make_app(station, clock)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)  # checked at start: refused
        assert marker(app) == f"● printer: {printer.spec.removeprefix('tcp://')}: connection refused" \
            or "connection refused" in marker(app)
        await write(pilot)
        assert states(station) == ["failed"]
        await pilot.press("enter")  # the visitor is done
        await settle(pilot)
        assert screen_name(app) == "HomeScreen"
        assert marker(app).startswith("● 1 letter waiting · printer:") and "connection refused" in marker(app)
        assert "● 1 letter waiting" in flat(app)  # on screen, at 80×24
        printer.mode = "ok"  # restarted: nobody presses Retry
        assert await check_again(pilot, clock)
        assert states(station) == ["printed"] and station.waiting() == []
        assert marker(app) == "" and "letter waiting" not in flat(app)
        assert await check_again(pilot, clock)  # the next minute prints nothing more
    assert on_paper(printer, "Ada") == 1


async def test_a_failed_letter_already_waiting_at_start_prints_when_the_printer_answers(tmp_path, fake_printer):
    printer = fake_printer("paper_out")
    station = make_station(tmp_path, cases=CASES, printer=printer.spec + "?timeout=1")
    sig = station.record(CASE, "appeal", "Zoë", "Free him")
    assert not station.print_signature(sig).printed and states(station) == ["failed"]
    printer.mode = "ok"  # paper loaded overnight
    clock = FakeClock()
    app = make_app(station, clock)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)  # checked at start: it answers
        assert states(station) == ["failed"] and marker(app) == "● 1 letter waiting"
        clock.advance(QUIET_AFTER - 1)
        await pilot.press("down")  # someone at the kiosk: no letter of another comes out now
        clock.advance(QUIET_AFTER - 1)
        assert not app.watch_printer() and states(station) == ["failed"]
        clock.advance(1)  # nobody has touched it for a while
        assert app.watch_printer()
        await settle(pilot)
        assert states(station) == ["printed"] and marker(app) == ""
    assert on_paper(printer, "Zoë") == 1


async def test_interrupted_and_held_letters_are_never_printed_by_the_watch(tmp_path, fake_printer):
    printer = fake_printer("drop")  # tears the letter mid-way: it may be on paper
    station = make_station(tmp_path, cases=CASES, printer=printer.spec + "?timeout=1", print_burst=2)
    torn = station.record(CASE, "appeal", "Torn", "Free him")
    assert station.print_signature(torn).maybe_printed
    printer.mode = "refuse"
    failed = station.record(CASE, "appeal", "Failed", "Free him")
    assert not station.print_signature(failed).printed
    held = station.record(CASE, "appeal", "Held", "Free him")  # over the print limit
    assert held.held
    printer.mode = "ok"
    clock = FakeClock()
    app = make_app(station, clock)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert marker(app) == "● 2 letters waiting · 1 letter held"
        assert await check_again(pilot, clock)  # the failed letter prints; the others wait
        assert by_name(station) == {"Torn": "printing", "Failed": "printed", "Held": "held"}  # printing: interrupted
        assert marker(app) == "● 1 letter waiting · 1 letter held"
    assert on_paper(printer, "Failed") == 1
    printer.settle()
    assert [decode(strip_status(data), "TM-T20II").text.count("Failed") for mode, data in printer.received
            if mode == "ok" and strip_status(data)] == [1]  # the one receipt since the printer came back


async def test_a_visitors_letter_on_its_way_to_the_printer_is_left_to_its_own_worker(tmp_path, fake_printer):
    """Recorded a moment ago (pending), its worker about to claim it: the watch prints failed
    letters only, so the visitor's worker prints it, and is never told another run has it."""
    printer = fake_printer()
    station = make_station(tmp_path, cases=CASES, printer=printer.spec + "?timeout=1")
    printer.mode = "refuse"
    failed = station.record(CASE, "appeal", "Failed", "Free him")
    assert not station.print_signature(failed).printed
    printer.mode = "ok"
    on_its_way = station.record(CASE, "appeal", "Pending", "Free him")
    clock = FakeClock()
    app = make_app(station, clock)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        clock.advance(QUIET_AFTER)
        assert app.watch_printer()
        await settle(pilot)
        assert sorted(states(station)) == ["pending", "printed"]
        outcome = station.print_signature(on_its_way)  # its own worker, now
        assert outcome.printed and not outcome.skipped
    assert on_paper(printer, "Failed") == 1 and on_paper(printer, "Pending") == 1


def test_two_runs_printing_failed_letters_at_once_print_each_once(tmp_path, fake_printer):
    """The watch and a volunteer's Retry at the same moment: each letter is claimed once."""
    printer = fake_printer("refuse")
    station = make_station(tmp_path, cases=CASES, printer=printer.spec + "?timeout=1")
    names = ["Ada", "Bea", "Cy"]
    for name in names:
        assert not station.print_signature(station.record(CASE, "appeal", name, "Free him")).printed
    printer.mode = "ok"
    results = []
    runs = [threading.Thread(target=lambda: results.append(station.retry_failed())),
            threading.Thread(target=lambda: results.append(station.retry(interrupted=False)))]
    for run in runs:
        run.start()
    for run in runs:
        run.join(30)
    assert sum(printed for printed, _ in results) == 3 and all(not errors for _, errors in results)
    assert [on_paper(printer, name) for name in names] == [1, 1, 1]


# -- when the printer is checked --------------------------------------------------------------


async def test_the_printer_is_checked_at_start_and_never_mid_letter(tmp_path, fake_printer):
    printer = fake_printer()
    station = make_station(tmp_path, cases=CASES, printer=printer.spec + "?timeout=1")
    clock = FakeClock()
    app = make_app(station, clock)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert connections(printer) == 1  # at start
        assert not app.watch_printer()  # not due yet
        await pilot.press("enter", "a", *"Ada")  # a visitor mid-letter
        assert screen_name(app) == "FormScreen"
        clock.advance(CHECK_EVERY * 5)
        assert not app.watch_printer()
        await pilot.pause()
        assert connections(printer) == 1
        app.letters_printing += 1  # a letter in the print worker, the home screen up
        await pilot.press("escape", "escape")
        assert screen_name(app) == "HomeScreen" and not app.watch_printer()
        app.letters_printing -= 1
        assert app.watch_printer()  # quiet: checked
        await settle(pilot)
        assert connections(printer) == 2 and marker(app) == ""


async def test_the_marker_is_in_the_stalls_language(tmp_path, fake_printer):
    printer = fake_printer("refuse")
    station = make_station(tmp_path, cases=CASES, printer=printer.spec + "?timeout=1", language="fr")
    app = make_app(station)
    async with app.run_test(size=SMALL) as pilot:
        await write(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert marker(app).startswith("● 1 lettre en attente · imprimante :"), marker(app)
        await pilot.press("l")  # a visitor reads English; the marker stays for the volunteer
        await pilot.pause()
        assert marker(app).startswith("● 1 lettre en attente"), marker(app)


# -- a printer that never answers status requests ---------------------------------------------


async def test_a_printer_that_never_answers_status_is_told_which_setting_turns_it_off(tmp_path):
    printer = MutePrinter()
    try:
        spec = printer.spec + "?timeout=0.3"
        station = make_station(tmp_path, cases=CASES, printer=spec)
        app = make_app(station)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            said = marker(app)
            assert "takes data but never answers status requests, turn status off" in said
            assert f"the printer spec {printer.spec}?timeout=0.3&status=off" in said
            await pilot.press("f12", *TEST_PIN, "enter")
            assert "Problem:" in flat(app) and "status=off" in flat(app)  # the watch's word, before any check
            app.screen.query_one("#printer-status").update("")
            await pilot.click("#check")
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            assert "turn status off: the printer spec" in flat(app) and "status=off" in flat(app)
        result = CliRunner().invoke(cli, ["printer", "test", "--printer", spec], catch_exceptions=False)
        assert result.exit_code == 1 and f"the printer spec {printer.spec}?timeout=0.3&status=off" in result.output
        setups = tmp_path / "printers"
        setups.mkdir()
        (setups / "quiet.toml").write_text(f'name = "Quiet"\nstatus = true\ntimeout = 0.3\n[connection]\n'
                                           f'type = "network"\nhost = "127.0.0.1"\nport = {printer.port}\n')
        result = CliRunner().invoke(cli, ["printer", "test", "--printers", str(setups), "--printer", "quiet"],
                                    catch_exceptions=False)
        assert result.exit_code == 1 and f"status = false in {setups / 'quiet.toml'}" in result.output
    finally:
        printer.close()


def test_a_check_given_up_on_while_asking_for_the_paper_status_names_the_setting_too(monkeypatch):
    """The caller's own deadline can come before the worker's read gives up: the same advice."""
    printer = MutePrinter()
    try:
        monkeypatch.setattr(devices, "GRACE", -0.3)  # the caller gives up first
        with pytest.raises(PrintError, match=r"did not take the status request.*\(asking for the paper status\)"
                                             r".*turn status off: the printer spec .*\?timeout=0.6&status=off"):
            devices.check(parse_spec(printer.spec + "?timeout=0.6"))
    finally:
        printer.close()


# -- case files skipped at start ----------------------------------------------------------------


async def test_case_files_skipped_at_start_are_on_the_organiser_screen_when_it_first_opens(tmp_path):
    folder = tmp_path / "cases"
    folder.mkdir()
    for path in CASES.glob("*.toml"):
        shutil.copy2(path, folder / path.name)
    (folder / "broken.toml").write_text("title = [", encoding="utf-8")
    warned = []
    station = make_station(tmp_path, cases=folder, warn=warned.append)
    assert len(warned) == 1 and "broken.toml" in warned[0]  # said on the terminal at start
    app = make_app(station)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("f12", *TEST_PIN, "enter")
        tabs = app.screen.query_one("#tabs", TabbedContent)
        assert str(tabs.get_tab("tab-cases").label) == "Cases (1 problem)"  # seen from the first tab
        tabs.active = "tab-cases"
        await pilot.pause()
        assert "skipped:" in flat(app) and "broken.toml" in flat(app)
