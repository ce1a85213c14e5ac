"""A failing or hanging printer, and hostile text in case files and on the keyboard."""

from __future__ import annotations

import shutil

from textual.widgets import TextArea

from kiosk.store import Store
from tests.helpers import CASES
from tests.helpers.escpos_stream import decode
from tests.helpers.fake_printer import refusing_port, strip_status
from tests.helpers.kiosk_app import TEST_PIN, make_app, make_station, screen_name, screen_text

SIZE = (100, 30)


async def write_letter(pilot) -> None:
    """A visitor signs the first case's appeal as Ada and presses Print; the worker finishes."""
    await pilot.press("enter", "a", *"Ada", "tab", "tab", "enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def job_states(station) -> list[str]:
    with Store(station.settings.database) as store:
        return [row["print_status"] for row in store.export_rows()]


async def test_a_refused_printer_keeps_the_letter_and_tells_the_visitor(tmp_path):
    station = make_station(tmp_path, cases=CASES, printer=f"tcp://127.0.0.1:{refusing_port()}?timeout=1")
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await write_letter(pilot)
        assert screen_name(app) == "ThanksScreen" and app.is_running
        shown = " ".join(screen_text(app).split())
        assert "Your signature is saved" in shown and "A volunteer will print your letter" in shown
        assert job_states(station) == ["failed"]
        assert [w.state for w in station.waiting()] == ["failed"]
        await pilot.press("enter")
        assert screen_name(app) == "HomeScreen" and "1 letter written here today" in screen_text(app)


async def test_the_screen_keeps_answering_while_the_printer_hangs(tmp_path, fake_printer):
    printer = fake_printer("never_reads")
    station = make_station(tmp_path, cases=CASES, printer=printer.spec + "?timeout=1")
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "p", *"Ada", "tab", "tab", "enter")
        await pilot.pause()
        assert screen_name(app) == "PrintingScreen"
        for _ in range(5):  # the event loop runs while the worker waits on the printer
            await pilot.press("x")
        assert "Printing" in screen_text(app) or "Saving" in screen_text(app)
        await pilot.press("f12")  # no organiser prompt over a letter being printed
        assert screen_name(app) == "PrintingScreen"
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen_name(app) == "ThanksScreen" and "printer has a problem" in " ".join(screen_text(app).split())
        assert job_states(station) == ["failed"]


async def test_a_job_torn_mid_way_waits_as_interrupted_for_a_look_at_the_paper(tmp_path, fake_printer):
    printer = fake_printer("drop")
    station = make_station(tmp_path, cases=CASES, printer=printer.spec + "?timeout=2")
    app = make_app(station)
    async with app.run_test(size=(120, 36)) as pilot:
        await write_letter(pilot)
        said = str(app.screen.query_one("#next-step").render())
        assert "the printer stopped during your letter" in said and "check it" in said
        assert [w.state for w in station.waiting()] == ["interrupted"]
        printer.mode = "ok"
        await pilot.press("enter", "f12", *TEST_PIN, "enter")
        assert "may be on paper" in " ".join(screen_text(app).split())
        await pilot.click("#retry")  # Retry leaves it: it may be on paper
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [w.state for w in station.waiting()] == ["interrupted"]
        await pilot.click("#retry-interrupted")  # after a look at the paper
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert station.waiting() == [] and job_states(station) == ["printed"]


async def test_paper_out_then_a_volunteer_retries_from_the_organiser_screen(tmp_path, fake_printer):
    printer = fake_printer("paper_out")
    station = make_station(tmp_path, cases=CASES, printer=printer.spec + "?timeout=2")
    app = make_app(station)
    async with app.run_test(size=(120, 36)) as pilot:
        await write_letter(pilot)
        assert job_states(station) == ["failed"]
        await pilot.press("enter", "f12", *TEST_PIN, "enter")
        assert screen_name(app) == "OrganiserScreen"
        shown = screen_text(app)
        assert "Test Fest / stall-1 / #0001" in shown and "out of paper" in shown
        printer.mode = "ok"  # the volunteer loads paper
        await pilot.click("#retry")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "1 printed, 0 still waiting" in screen_text(app)
        assert "No print jobs waiting." in screen_text(app)
        assert job_states(station) == ["printed"]
        *refused, printed = printer.jobs  # the paper-out connection got no receipt bytes
        assert all(not strip_status(job) for job in refused)
        assert decode(strip_status(printed), "TM-T20II").text.count("Ada") == 1


async def test_check_and_test_print_from_the_organiser_screen(tmp_path):
    station = make_station(tmp_path, cases=CASES)  # the preview printer
    app = make_app(station)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f12", *TEST_PIN, "enter")
        await pilot.click("#check")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Status: ready" in screen_text(app)
        await pilot.click("#test-print")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Test receipt printed" in screen_text(app)
        assert len(list((tmp_path / "preview").glob("printer-test-*.txt"))) == 1


# -- text is text -------------------------------------------------------------------------

HOSTILE = ["[@click=app.quit]Quit[/]", "[ @click=app.quit]Quit[/]", "[b]bold[/b]", "[link=https://x.example]x[/link]"]


def hostile_cases(tmp_path):
    folder = tmp_path / "cases"
    folder.mkdir()
    text = (CASES / "lawyer-amara-osei.toml").read_text(encoding="utf-8")
    text = text.replace('title = "', 'title = "[@click=app.quit]Quit[/] ', 1)
    text = text.replace('person = "', 'person = "[ @click=app.quit]Quit[/] ', 1)
    text = text.replace('story = """', 'story = """[b]bold[/b] [link=https://x.example]x[/link] ', 1)
    (folder / "hostile.toml").write_text(text, encoding="utf-8")
    shutil.copy(CASES / "defender-tomas-quispe.toml", folder)
    return folder


async def test_markup_in_case_files_and_visitor_text_is_shown_literally(tmp_path, monkeypatch):
    station = make_station(tmp_path, cases=hostile_cases(tmp_path))
    app = make_app(station)
    fired = []

    async def spy_quit():
        fired.append("quit")

    monkeypatch.setattr(app, "action_quit", spy_quit)
    monkeypatch.setattr(app, "exit", lambda *a, **k: fired.append("exit"))
    async with app.run_test(size=(130, 40)) as pilot:
        home = screen_text(app)
        assert "[@click=app.quit]Quit[/]" in home and "[ @click=app.quit]Quit[/]" in home
        hostile = next(c for c in station.offered() if c.id == "hostile")
        await pilot.press(str(station.offered().index(hostile) + 1))
        assert screen_name(app) == "CaseScreen"
        shown = screen_text(app)
        assert "[@click=app.quit]Quit[/]" in shown and "[b]bold[/b] [link=https://x.example]x[/link]" in shown
        for selector in ("#title", "#person", "#story"):
            await pilot.click(selector)
            await pilot.click(selector, offset=(2, 0))
        await pilot.press("a")
        name, message = "[@click=app.quit]Ada[/]", "[ @click=app.quit]hi[/] [red]x[/red]"
        await pilot.press(*name, "enter")
        app.screen.query_one("#message", TextArea).insert(message)
        await pilot.pause()
        shown = screen_text(app)
        assert name in shown and message in shown  # in the fields and on the receipt preview
        await pilot.click("#preview-box", offset=(4, 4))
        await pilot.click("#print")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen_name(app) == "ThanksScreen"
        assert f"Thank you, {name}!" in screen_text(app)
        await pilot.click("#thanks-title", offset=(12, 0))
        assert fired == [] and app.is_running
    with Store(station.settings.database) as store:
        (row,) = store.export_rows()
    assert (row["name"], row["message"]) == (name, message)


async def test_markup_in_organiser_tables_is_shown_literally(tmp_path):
    station = make_station(tmp_path, cases=hostile_cases(tmp_path), printer=f"tcp://127.0.0.1:{refusing_port()}?timeout=1")
    app = make_app(station)
    sig = station.record("hostile", "appeal", "Ada", "")
    station.print_signature(sig)  # fails: the job waits, with the case id and error in the table
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("f12", *TEST_PIN, "enter")
        assert "connection refused" in screen_text(app)
        await pilot.click("#tabs Tab#--content-tab-tab-today")
        await pilot.pause()
        assert "[@click=app.quit]Quit[/]" in screen_text(app)
        await pilot.click("#tabs Tab#--content-tab-tab-cases")
        await pilot.pause()
        assert "[@click=app.quit]Quit[/]" in screen_text(app)
        assert app.is_running


async def test_an_unexpected_fault_while_printing_still_reaches_the_thank_you_screen(tmp_path, monkeypatch):
    station = make_station(tmp_path, cases=CASES)
    app = make_app(station)

    def broken(sig, **kwargs):
        raise OSError("database is locked")

    monkeypatch.setattr(station, "print_signature", broken)
    async with app.run_test(size=SIZE) as pilot:
        await write_letter(pilot)
        assert screen_name(app) == "ThanksScreen" and "printer has a problem" in " ".join(screen_text(app).split())
        assert not app.busy_printing
        assert job_states(station) == ["pending"]  # saved; never claimed, so it waits for a retry


async def test_a_letter_that_cannot_be_saved_keeps_the_form(tmp_path, monkeypatch):
    station = make_station(tmp_path, cases=CASES)
    app = make_app(station)

    def full_disk(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(station, "record", full_disk)
    async with app.run_test(size=SIZE) as pilot:
        await write_letter(pilot)
        assert screen_name(app) == "PrintingScreen"
        assert "could not be saved" in screen_text(app) and "disk full" in screen_text(app)
        await pilot.press("enter")  # Back to my letter
        assert screen_name(app) == "FormScreen" and app.screen.name_text == "Ada"
        assert not app.screen.query_one("#print").disabled
