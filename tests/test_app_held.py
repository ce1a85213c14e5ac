"""Held letters, driven through Textual's Pilot: a letter with a listed word, or over the print
limit, is recorded and never reaches the printer; the visitor is told, in neutral words in their
language, that a volunteer will hand them their letter; the organiser reads it (as text, never
markup) and prints it or not. A double press is one letter, printed once."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from kiosk.application import Letter, language, visual
from kiosk.i18n import LANGUAGES
from kiosk.store import Store
from kiosk.ui.messages import PrintLetter
from kiosk.ui.screens.thanks import HELD
from tests.helpers import CASES
from tests.helpers.escpos_stream import decode
from tests.helpers.kiosk_app import TEST_PIN, make_app, make_station, screen_name, screen_text

SIZE = (100, 30)
SMALL = (80, 24)
ABUSE = "fuck you minister"


def receipts(station) -> list:
    """The receipts the preview printer wrote (each as text, beside its picture)."""
    folder = station.preview_folder
    return sorted(folder.glob("*.txt")) if folder is not None and folder.is_dir() else []


def jobs(station) -> list[tuple[str, str]]:
    with Store(station.settings.database) as store:
        return sorted((row["name"], row["print_status"]) for row in store.export_rows())


def flat(app) -> str:
    return " ".join(screen_text(app).split())


async def write(pilot, name: str, message: str = "", *, key: str = "a") -> None:
    """A visitor writes to the first case (``a``: the appeal, ``p``: a postcard) and presses Print;
    the worker finishes."""
    await pilot.press("enter", key, *name, "enter", *message, "tab", "enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def done(pilot) -> None:
    await pilot.press("enter")
    await pilot.pause()


# -- the visitor ----------------------------------------------------------------------


async def test_a_letter_over_the_print_limit_waits_for_a_volunteer(tmp_path):
    station = make_station(tmp_path, cases=CASES, print_burst=1)  # the clock stands still: nothing refills
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await write(pilot, "Ada")
        assert screen_name(app) == "ThanksScreen" and "drop it in the box" in flat(app)
        assert len(receipts(station)) == 1
        await done(pilot)
        await write(pilot, "Grace")
        assert screen_name(app) == "ThanksScreen"
        shown = flat(app)
        assert "Thank you, Grace!" in shown and "A volunteer will hand you your letter." in shown
        assert "printer" not in shown and "drop it in the box" not in shown  # no fault, no accusation
        assert "Ref. Test Fest / stall-1 / #0002" in shown
        assert len(receipts(station)) == 1  # nothing more reached the printer
        assert jobs(station) == [("Ada", "printed"), ("Grace", "held")]
        await done(pilot)
        assert "2 letters written here today" in screen_text(app)  # held letters are written letters


async def test_a_letter_with_a_listed_word_is_held_in_the_same_words(tmp_path):
    station = make_station(tmp_path, cases=CASES)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await write(pilot, "Ada", ABUSE, key="p")
        assert screen_name(app) == "ThanksScreen"
        shown = flat(app)
        assert "A volunteer will hand you your letter." in shown and "take your postcard" not in shown
        assert receipts(station) == [] and jobs(station) == [("Ada", "held")]
        assert [w.job.held_reason for w in station.held()] == ["words"]


@pytest.mark.parametrize("code", [c for c in LANGUAGES if c != "en"])
async def test_the_held_message_is_in_the_visitors_language(tmp_path, code):
    station = make_station(tmp_path, cases=CASES)
    app = make_app(station)
    words = language(code)._(HELD)
    assert words != HELD  # translated
    async with app.run_test(size=SIZE) as pilot:
        app.set_language(code)
        await pilot.pause()
        await write(pilot, "Ada", ABUSE)  # English words are looked for in every language
        assert screen_name(app) == "ThanksScreen"
        assert app.screen.query_one("#next-step").text == words
        assert receipts(station) == []


async def test_the_consent_question_says_the_same_while_it_is_asked(tmp_path):
    station = make_station(tmp_path, cases=CASES, consent=True)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await write(pilot, "Ada", ABUSE)
        assert screen_name(app) == "ConsentScreen"
        assert "Thank you, Ada. Your letter is saved. A volunteer will hand you your letter." in flat(app)
        await pilot.press("n")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen_name(app) == "ThanksScreen" and "A volunteer will hand you your letter." in flat(app)
        assert receipts(station) == []


async def test_a_double_press_is_one_letter_printed_once(tmp_path):
    out = tmp_path / "printer.bin"  # every byte sent to the printer, in order (a preview would be overwritten)
    station = make_station(tmp_path, cases=CASES, printer=f"file:{out}?profile=TM-T20II")
    case = station.offered()[0]
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "a", *"Ada", "enter", *"Stay strong")
        form = app.screen
        letter = Letter(case.id, "appeal", "Ada", "Stay strong", "en")
        form.post_message(PrintLetter(letter))  # Print, and Print again before the screen changes
        form.post_message(PrintLetter(Letter(case.id, "appeal", "Ada", "Stay strong", "en")))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert jobs(station) == [("Ada", "printed")]  # one letter
        paper = decode(out.read_bytes(), "TM-T20II")
        assert len(paper.cuts) == 1 and paper.text.count("Stay strong") == 1  # one copy
        assert screen_name(app) == "ThanksScreen"
        shown = flat(app)
        assert "printer" not in shown and "Ref. Test Fest / stall-1 / #0001" in shown
        assert app.letters_printing == 0
        await done(pilot)
        assert screen_name(app) == "HomeScreen" and "1 letter written here today" in screen_text(app)


# -- the organiser ----------------------------------------------------------------------


async def open_held_tab(pilot) -> None:
    await pilot.press("f12", *TEST_PIN, "enter")
    await pilot.pause()
    await pilot.click("#tabs Tab#--content-tab-tab-held")
    await pilot.pause()


def held_status(app) -> str:
    return str(app.screen.query_one("#held-status").render())


def hold_letters(station, *letters: tuple[str, str]) -> list:
    """Letters recorded at the stall, each held: by a word of the lists, or (print_burst=1) after
    a first letter, #0001, took the print limit's one token (the clock stands still)."""
    case = station.offered()[0]
    if station.settings.print_burst == 1:
        assert station.record(case.id, "appeal", "First", "").held is None
    sigs = [station.record(case.id, "appeal", name, message) for name, message in letters]
    assert all(sig.held for sig in sigs)
    return sigs


async def test_the_organiser_prints_a_held_letter(tmp_path):
    station = make_station(tmp_path, cases=CASES, print_burst=1)
    sigs = hold_letters(station, ("Ada", "Stay strong"), ("Grace", "You are not alone"))
    app = make_app(station)
    async with app.run_test(size=SMALL) as pilot:
        await open_held_tab(pilot)
        assert "Held letters (2)" in screen_text(app)
        table = app.screen.query_one("#held", DataTable)
        assert table.row_count == 2
        first = [str(c) for c in table.get_row_at(0)]
        assert first[0] == "Test Fest / stall-1 / #0002" and "print limit" in first
        assert "Name: Ada" in flat(app) and "Message: Stay strong" in flat(app)
        await pilot.press("tab", "down")  # the second letter, by keyboard
        await pilot.pause()
        assert "Name: Grace" in flat(app)
        await pilot.press("tab")
        assert app.focused is app.screen.query_one("#release")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert held_status(app) == "Ref. Test Fest / stall-1 / #0003 printed."
        (receipt,) = receipts(station)
        assert "Grace" in receipt.read_text() and "You are not alone" in receipt.read_text()
        assert jobs(station) == [("Ada", "held"), ("First", "pending"), ("Grace", "printed")]
        assert table.row_count == 1 and "Held letters (1)" in screen_text(app)
        assert "Name: Ada" in flat(app)
    with Store(station.settings.database) as store:
        ada, grace = (store.job_for(sig.id) for sig in sigs)
    assert (ada.decision, ada.decided_at) == (None, None)
    assert grace.decision == "released" and grace.decided_at  # the decision, with its time


async def test_the_organiser_does_not_print_a_held_letter(tmp_path):
    station = make_station(tmp_path, cases=CASES)
    hold_letters(station, ("Ada", ABUSE))
    app = make_app(station)
    async with app.run_test(size=SMALL) as pilot:
        await open_held_tab(pilot)
        row = [str(c) for c in app.screen.query_one("#held", DataTable).get_row_at(0)]
        assert "words: fuck" in row
        await pilot.click("#reject")
        await pilot.pause()
        assert held_status(app) == "Ref. Test Fest / stall-1 / #0001 will not be printed."
        assert "No letters held." in screen_text(app)
        assert app.screen.query_one("#release").disabled and app.screen.query_one("#reject").disabled
        await pilot.click("#tabs Tab#--content-tab-tab-printer")
        await pilot.pause()
        await pilot.click("#retry")  # retrying waiting jobs never prints a rejected letter
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert receipts(station) == []
    assert jobs(station) == [("Ada", "rejected")]
    assert station.count_today() == 1  # still a written letter


@pytest.mark.parametrize("name, message", [
    ("[@click=app.quit]", "[@click=app.quit] fuck"),
    ("[b]x", "[b]bold[/b] [link=https://evil.example]click[/link] fuck"),
])
async def test_hostile_text_in_a_held_letter_is_shown_as_it_was_typed(tmp_path, name, message):
    station = make_station(tmp_path, cases=CASES)
    hold_letters(station, (name, message))
    app = make_app(station)
    async with app.run_test(size=SMALL) as pilot:
        await open_held_tab(pilot)
        shown = flat(app)
        assert f"Name: {name}" in shown and f"Message: {message}" in shown
        assert name in [str(c) for c in app.screen.query_one("#held", DataTable).get_row_at(0)]
        text = app.screen.query_one("#held-text")
        for y in range(text.region.height):  # a click on every line of it does nothing
            await pilot.click("#held-text", offset=(2, y))
            await pilot.click("#held-text", offset=(12, y))
        await pilot.click("#held", offset=(2, 1))
        await pilot.pause()
        assert app.is_running and screen_name(app) == "OrganiserScreen"
    assert jobs(station) == [(name, "held")]


async def test_the_held_tab_reads_right_to_left_in_arabic(tmp_path):
    station = make_station(tmp_path, cases=CASES, print_burst=1, language="ar")
    hold_letters(station, ("ليلى", "نحن معك"))
    arabic = language("ar")
    app = make_app(station)
    async with app.run_test(size=SMALL) as pilot:
        await open_held_tab(pilot)
        row = [str(c) for c in app.screen.query_one("#held", DataTable).get_row_at(0)]
        why, name = row[2], row[4]
        assert why == visual(arabic._("print limit"), rtl=True) != arabic._("print limit")  # shaped, in visual order
        assert name == visual("ليلى", rtl=True)
        assert visual(arabic._("Held letters ({n})").format(n=arabic.number(1)), rtl=True) in screen_text(app)
