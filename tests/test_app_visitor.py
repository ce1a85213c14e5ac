"""The visitor's rough edges, found at 80×24 and driven here through Textual's Pilot at that size:
the form's message box, its key for printing and who reads the words; "Still there?" before the
idle reset; Sign another case keeping the name; postcards collected or taken home; the signer's
town or country on the appeal (and never the campaign's slogan); the case's deadline."""

from __future__ import annotations

import math
import shutil
import sqlite3

import pytest
from textual.widgets import Input

from kiosk.errors import InputError
from kiosk.i18n import language
from kiosk.receipts import layouts
from kiosk.receipts.plain import render_text
from kiosk.store import Scope, Store
from tests.helpers import CASES
from tests.helpers.escpos_stream import decode
from tests.helpers.kiosk_app import FakeClock, make_app, make_station, screen_name, screen_text

SIZE = (80, 24)


def words(text: str) -> str:
    """Text as a reader sees it, whatever the lines' wrapping and boxes: words joined by single spaces."""
    return " ".join(text.translate({ord(ch): " " for ch in "█▀▄▔▁▊▎"}).split())


def printer(tmp_path):
    out = tmp_path / "printer.bin"
    return out, f"file:{out}?profile=TM-T20II"


async def settle(app, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def form_text(app) -> str:
    """What the form shows, without the receipt preview under it (at 80×24)."""
    region = app.screen.query_one("#form").region
    return words("\n".join(screen_text(app).splitlines()[region.y:region.bottom]))


def letters(station):
    with Store(station.settings.database) as store:
        return store.signatures()


# -- the form ----------------------------------------------------------------------------------


async def test_the_message_box_shows_three_lines_at_80x24(tmp_path):
    station = make_station(tmp_path, cases=CASES)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "a", "enter", "1", "enter", "2", "enter", "3")
        await pilot.pause()
        area = app.screen.query_one("#message")
        assert area.scrollable_content_region.height >= 3
        shown = screen_text(app).splitlines()
        assert all(any(line.startswith(f" ▊ {n} ") for line in shown) for n in "123")


async def test_ctrl_s_prints_from_any_field_and_the_print_button_says_so(tmp_path):
    out, spec = printer(tmp_path)
    station = make_station(tmp_path, cases=CASES, printer=spec)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "a", *"Ada", "enter", *"Hi")
        assert "Print my letter (Ctrl+S)" in form_text(app)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert screen_name(app) == "ThanksScreen"
    (sig,) = letters(station)
    assert (sig.name, sig.message) == ("Ada", "Hi")
    assert "Hi" in decode(out.read_bytes(), "TM-T20II").lines


async def test_ctrl_s_on_a_form_without_a_name_asks_for_it(tmp_path):
    station = make_station(tmp_path, cases=CASES)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "a", "ctrl+s")
        await pilot.pause()
        assert screen_name(app) == "FormScreen" and "Please type your name." in form_text(app)
        assert app.screen.focused is app.screen.query_one("#name")
    assert letters(station) == []


async def test_the_label_says_who_reads_the_words(tmp_path):
    station = make_station(tmp_path, cases=CASES)
    case = station.offered()[0]
    official = case.appeal.addressee.title
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "a")
        assert f"Your words to the official, {official} (optional)" in form_text(app)
        await pilot.press("escape", "p")
        assert f"Your words to {case.person} (optional)" in form_text(app)


# -- "Still there?" before the idle reset ------------------------------------------------------


async def visit(pilot, where: str) -> None:
    steps = {"case": ["enter"], "form": ["enter", "a", *"Ada"],
             "thanks": ["enter", "p", *"Ada", "ctrl+s"], "consent": ["enter", "p", *"Ada", "ctrl+s"]}
    await pilot.press(*steps[where])
    await settle(pilot.app, pilot)


@pytest.mark.parametrize("where", ["case", "form", "thanks", "consent"])
async def test_still_there_counts_down_before_the_reset_on_every_visitor_screen(tmp_path, where):
    station = make_station(tmp_path, cases=CASES, idle_timeout=60, thanks_timeout=15, consent=where == "consent",
                           printer=printer(tmp_path)[1])
    clock = FakeClock()
    app = make_app(station, clock)
    async with app.run_test(size=SIZE) as pilot:
        await visit(pilot, where)
        name = screen_name(app)
        assert name == {"case": "CaseScreen", "form": "FormScreen", "thanks": "ThanksScreen",
                        "consent": "ConsentScreen"}[where]
        limit = app.idle_limit()
        warned = min(10, limit / 2)
        clock.advance(limit - warned - 1)
        app.reset_if_idle()
        await pilot.pause()
        assert "Still there?" not in screen_text(app)
        clock.advance(1)
        app.reset_if_idle()
        await pilot.pause()
        shown = words(screen_text(app))
        assert "Still there?" in shown and f"Back to the start in {math.ceil(warned)} seconds." in shown
        clock.advance(warned - 1)
        app.reset_if_idle()
        await pilot.pause()
        assert "Back to the start in 1 second." in words(screen_text(app)) and screen_name(app) == name
        clock.advance(1)
        app.reset_if_idle()  # then the reset, as before
        await pilot.pause()
        assert screen_name(app) == "HomeScreen" and len(app.screen_stack) == 1
        assert "Still there?" not in screen_text(app) and "Ada" not in screen_text(app)


async def test_any_key_cancels_it_and_does_nothing_else(tmp_path):
    """Enter on the thank-you screen would end the visit: the key that answers the question only answers it."""
    station = make_station(tmp_path, cases=CASES, thanks_timeout=15, printer=printer(tmp_path)[1])
    clock = FakeClock()
    app = make_app(station, clock)
    async with app.run_test(size=SIZE) as pilot:
        await visit(pilot, "thanks")
        clock.advance(10)
        app.reset_if_idle()
        await pilot.pause()
        assert "Still there?" in screen_text(app)
        await pilot.press("enter")
        assert screen_name(app) == "ThanksScreen" and "Still there?" not in screen_text(app)
        clock.advance(14)  # the time starts again from the key: 1 s left, asked again
        app.reset_if_idle()
        await pilot.pause()
        assert screen_name(app) == "ThanksScreen" and "Back to the start in 1 second." in words(screen_text(app))
        await pilot.press("escape")
        assert screen_name(app) == "ThanksScreen" and "Still there?" not in screen_text(app)
        await pilot.press("escape")  # no question up: the key does what it says
        assert screen_name(app) == "HomeScreen"


async def test_a_touch_cancels_it_and_the_screen_under_it_never_moves(tmp_path):
    station = make_station(tmp_path, cases=CASES, idle_timeout=60)
    clock = FakeClock()
    app = make_app(station, clock)
    async with app.run_test(size=SIZE) as pilot:
        await visit(pilot, "form")
        where = app.screen.query_one("#message").region
        clock.advance(55)
        app.reset_if_idle()
        await pilot.pause()
        assert "Back to the start in 5 seconds." in words(screen_text(app))
        assert app.screen.query_one("#message").region == where  # over the screen, not in its flow
        await pilot.click("#still-there")
        await pilot.pause()
        assert "Still there?" not in screen_text(app) and screen_name(app) == "FormScreen"
        assert app.screen.query_one("#name", Input).value == "Ada"  # nothing typed is lost
        clock.advance(59)
        app.reset_if_idle()
        await pilot.pause()
        assert screen_name(app) == "FormScreen"


async def test_it_is_asked_in_the_visitors_language(tmp_path):
    station = make_station(tmp_path, cases=CASES, idle_timeout=60)
    clock = FakeClock()
    app = make_app(station, clock)
    async with app.run_test(size=SIZE) as pilot:
        app.set_language("fr")
        await pilot.pause()
        await visit(pilot, "case")
        clock.advance(53)
        app.reset_if_idle()
        await pilot.pause()
        shown = words(screen_text(app))
        assert "Vous êtes toujours là ?" in shown and "Retour au début dans 7 secondes." in shown


# -- Sign another case keeps the name ---------------------------------------------------------


async def test_sign_another_case_keeps_the_name_until_done(tmp_path):
    station = make_station(tmp_path, cases=CASES, printer=printer(tmp_path)[1])
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        app.set_language("fr")
        await pilot.pause()
        await pilot.press("1", "a", *"Ada L", "ctrl+s")
        await settle(app, pilot)
        assert screen_name(app) == "ThanksScreen"
        await pilot.click("#another")  # Sign another case (S, or a touch)
        await pilot.pause()
        assert screen_name(app) == "HomeScreen" and app.language.code == "fr"  # their visit goes on
        await pilot.press("2", "p")
        assert app.screen.query_one("#name", Input).value == "Ada L"
        assert app.screen.focused is app.screen.query_one("#message")  # straight to their words
        await pilot.press("ctrl+s")  # the name typed for them prints
        await settle(app, pilot)
        await pilot.press("enter")  # Done: the visit is over
        await pilot.pause()
        assert screen_name(app) == "HomeScreen" and app.language.code == "en"
        await pilot.press("1", "a")
        assert app.screen.query_one("#name", Input).value == ""
        assert "Ada" not in screen_text(app)
    assert [(s.name, s.kind) for s in sorted(letters(station), key=lambda s: s.number)] == [
        ("Ada L", "appeal"), ("Ada L", "postcard")]


async def test_a_kept_name_goes_with_the_idle_reset_even_from_the_home_screen(tmp_path):
    station = make_station(tmp_path, cases=CASES, idle_timeout=60, printer=printer(tmp_path)[1])
    clock = FakeClock()
    app = make_app(station, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "p", *"Ada", "ctrl+s")
        await settle(app, pilot)
        await pilot.press("s")
        await pilot.pause()
        assert screen_name(app) == "HomeScreen" and app.signed_as is not None
        clock.advance(55)  # the visitor walked away from the home screen
        app.reset_if_idle()
        await pilot.pause()
        assert "Still there?" in screen_text(app)
        clock.advance(5)
        app.reset_if_idle()
        await pilot.pause()
        assert app.signed_as is None and "Still there?" not in screen_text(app)
        clock.advance(600)  # home with nobody's name: it stays, as ever
        app.reset_if_idle()
        await pilot.pause()
        assert "Still there?" not in screen_text(app)
        await pilot.press("1", "a")  # the next visitor
        assert app.screen.query_one("#name", Input).value == ""
        assert "Ada" not in screen_text(app)


# -- postcards: collected, or taken home ----------------------------------------------------------


@pytest.mark.parametrize(("postcards", "button", "on_form", "after"), [
    ("collect", "Write a postcard (P)", "Your card goes in the box: we send all the cards together.",
     "Please put your card in the box: we send all the cards together."),
    ("take-home", "Send a postcard (P)", "You take your card with you.", "Please take your postcard with you."),
])
async def test_the_screens_say_where_the_postcard_goes(tmp_path, postcards, button, on_form, after):
    out, spec = printer(tmp_path)
    station = make_station(tmp_path, cases=CASES, printer=spec, postcards=postcards)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        assert button in words(screen_text(app))
        await pilot.press("p")
        shown = form_text(app)
        assert on_form in shown and "Print my postcard (Ctrl+S)" in shown
        assert "letter" not in shown.lower(), shown  # the postcard form says card
        await pilot.press(*"Ada", "enter", *"Hi Ilya", "ctrl+s")
        await settle(app, pilot)
        shown = words(screen_text(app))
        assert after in shown
        other = {"collect": "take your postcard", "take-home": "put your card in the box"}[postcards]
        assert other not in shown
    card = decode(out.read_bytes(), "TM-T20II")
    text = words(card.text)
    # the card itself: the campaign's name and motto stay on it, with the visitor's words and name
    assert station.settings.campaign in text and "Every letter counts" in text
    assert "Hi Ilya" in text and "- Ada" in text and card.cuts == [1]


# -- the signer's town or country, on the official letter alone ----------------------------------


async def test_the_appeal_carries_the_signers_town_and_no_slogan(tmp_path):
    out, spec = printer(tmp_path)
    station = make_station(tmp_path, cases=CASES, printer=spec, ask_place=True)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "a", *"Ada", "enter")
        assert app.screen.focused is app.screen.query_one("#place")  # Enter goes on to the place
        await pilot.press(*"Leeds", "enter")
        assert app.screen.focused is app.screen.query_one("#message")
        assert "Your town or country (optional)" in form_text(app)
        assert "Leeds" in screen_text(app).split("▔" * 80)[-1]  # in the preview as it will print
        await pilot.press(*"Hi", "ctrl+s")
        await settle(app, pilot)
        assert screen_name(app) == "ThanksScreen"
    paper = decode(out.read_bytes(), "TM-T20II")
    lines = [line.strip() for line in paper.lines]
    assert lines[lines.index("Ada") + 1] == "Leeds"  # under the signature
    assert station.settings.campaign not in paper.text and "Every letter counts" not in paper.text
    (sig,) = letters(station)
    assert sig.place == "Leeds"
    # a reprint (after a fault, from the database) prints the same letter, the place too
    again = render_text(layouts.for_signature(station.case(sig.case_id), sig, station.settings.campaign),
                        station.setup.paper)
    assert "Ada\nLeeds\n" in again


async def test_no_place_is_asked_unless_the_stall_asks_nor_on_a_postcard(tmp_path):
    for folder in ("off", "on"):
        (tmp_path / folder).mkdir()
    station = make_station(tmp_path / "off", cases=CASES)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "a")
        assert not app.screen.query("#place") and "town" not in form_text(app)
    station = make_station(tmp_path / "on", cases=CASES, ask_place=True)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "p")
        assert not app.screen.query("#place")
    with pytest.raises(InputError, match="at most 60") as refused:
        station.record(station.offered()[0].id, "appeal", "Ada", "", place="x" * 61)
    assert (refused.value.field, refused.value.reason) == ("place", "too_long")
    sig = station.record(station.offered()[0].id, "postcard", "Ada", "", place="Leeds")
    assert sig.place is None  # a postcard keeps none


async def test_a_long_place_is_cut_to_fit_with_a_message(tmp_path):
    from textual import events

    station = make_station(tmp_path, cases=CASES, ask_place=True)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "a", *"Ada", "enter")
        place = app.screen.query_one("#place", Input)
        place.post_message(events.Paste("Leeds\x1b[2J\u202e" + "x" * 100))
        await pilot.pause()
        assert place.value == "Leeds[2J" + "x" * 52
        assert "A town or country can be at most 60 characters." in form_text(app)


def test_a_place_with_a_listed_word_is_held_for_a_volunteer(tmp_path):
    station = make_station(tmp_path, cases=CASES, ask_place=True)
    case = station.offered()[0].id
    assert station.record(case, "appeal", "Ada", "", place="Leeds").held is None
    held = station.record(case, "appeal", "Bo", "", place="cunt")
    assert held.held == "words" and station.flagged("Bo", "", "en", "cunt") == ["cunt"]


def test_a_purge_removes_the_place_with_the_name_and_a_merge_checks_it(tmp_path):
    station = make_station(tmp_path, cases=CASES, ask_place=True)
    sig = station.record(station.offered()[0].id, "appeal", "Ada", "", place="Leeds")
    station.close()
    db = station.settings.database
    # merged into another database: the place comes with the letter
    other = tmp_path / "other.db"
    Store(other).close()
    with Store(other) as store:
        store.merge([db])
        assert store.signature(sig.id).place == "Leeds"
    # the same letter with another place is a conflict, never a silent change
    changed = tmp_path / "changed.db"
    shutil.copy(db, changed)
    conn = sqlite3.connect(changed)
    conn.execute("UPDATE signatures SET place = 'York'")
    conn.commit()
    conn.close()
    with Store(other) as store:
        (result,) = store.merge([changed])
        assert result.conflicting == 1 and "place" in result.conflicts[0].columns
        assert store.signature(sig.id).place == "Leeds"
    # a purge removes it with the name; a source's purge removes it here too
    with Store(db) as store:
        store.purge_personal_data(Scope())
        assert (store.signature(sig.id).name, store.signature(sig.id).place) == ("", None)
    with Store(other) as store:
        store.merge([db])
        assert store.signature(sig.id).place is None


# -- the case's deadline ----------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "label"), [("en", "Deadline: {date}"), ("fr", "Date limite : {date}"),
                                             ("pl", "Termin: {date}")])
async def test_the_case_screen_shows_the_deadline_in_the_visitors_language(tmp_path, code, label):
    station = make_station(tmp_path, cases=CASES)
    offered = station.offered()
    number, case = next((i, c) for i, c in enumerate(offered, 1) if c.deadline is not None)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        app.set_language(code)
        await pilot.pause()
        await pilot.press(str(number))
        assert label.format(date=language(code).date(case.deadline)) in words(screen_text(app))
        await pilot.press("escape")
        without = next(i for i, c in enumerate(offered, 1) if c.deadline is None)
        await pilot.press(str(without))
        assert label.split(":")[0].strip() not in screen_text(app)
