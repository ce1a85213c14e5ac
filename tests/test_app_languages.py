"""Languages on screen, driven through Textual's Pilot: the visitor picks theirs, reads the case
and the kiosk in it, and the paper follows the rules (the appeal in the authority's language,
the postcard in theirs); the idle reset and Done return to the stall's language; Arabic is
drawn in visual order, its rows set to the right, at 80x24.
"""

from __future__ import annotations

from kiosk.i18n import language, visual
from kiosk.store import Store
from tests.helpers import CASES
from tests.helpers.escpos_stream import decode
from tests.helpers.kiosk_app import TEST_PIN, FakeClock, make_app, make_station, screen_name, screen_text

SIZE = (80, 24)


def words(text: str) -> str:
    return " ".join(text.translate({ord(ch): " " for ch in "█▀▄▔▁▊▎│╭╮╰╯─"}).split())


async def settle(app, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def printer(tmp_path):
    out = tmp_path / "printer.bin"
    return out, f"file:{out}?profile=TM-T20II"


async def test_a_polish_visitor_signs_a_spanish_preferred_appeal_that_prints_in_spanish(tmp_path):
    out, spec = printer(tmp_path)
    station = make_station(tmp_path, cases=CASES, printer=spec)
    app = make_app(station)
    case = station.case("defender-tomas-quispe")
    polish = language("pl")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.click("#lang-pl")  # by tap: the language named in itself
        await pilot.pause()
        assert app.language.code == "pl"
        assert words(polish._("Choose a person to write for:")) in words(screen_text(app))
        number = [c.id for c in station.offered()].index(case.id) + 1
        await pilot.press(str(number))
        assert screen_name(app) == "CaseScreen"
        assert words(case.shown_in("pl").title) in words(screen_text(app))  # the case in Polish
        await pilot.press("a", *"Ada Nowak", "enter", *"Trzymaj się!", "tab", "enter")
        await settle(app, pilot)
        assert screen_name(app) == "ThanksScreen"
        assert words(polish._("Thank you, {name}!").format(name="Ada Nowak")) in words(screen_text(app))
    with Store(station.settings.database) as store:
        (row,) = store.export_rows()
    assert (row["message"], row["language"], row["letter_language"]) == ("Trzymaj się!", "pl", "es")
    printed = decode(out.read_bytes(), "TM-T20II").text
    spanish = language("es")
    appeal = case.appeal_text("es")
    assert words(appeal.salutation) in words(printed) and words(appeal.closing) in words(printed)
    assert spanish.date(station.today()) in printed  # "24 de noviembre de 2026"
    line = spanish._("(Personal message written in {language})").format(language=spanish.name_of("pl"))
    assert words(line) in words(printed) and "polaco" in line
    assert "Trzymaj się!" in printed  # the visitor's words as typed
    with Store(station.settings.database) as store:
        (row,) = store.export_rows()
    assert (row["message"], row["language"], row["letter_language"]) == ("Trzymaj się!", "pl", "es")


async def test_l_goes_round_the_languages_and_done_returns_to_the_stalls(tmp_path):
    station = make_station(tmp_path, cases=CASES, language="fr")
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        assert app.language.code == "fr" and "Choisissez" in screen_text(app)
        seen = []
        for _ in range(5):
            await pilot.press("l")
            await pilot.pause()
            seen.append(app.language.code)
        assert seen == ["pl", "ar", "en", "es", "fr"]
        await pilot.press("l")  # Polish, for this visitor
        await pilot.pause()
        await pilot.press("enter", "p", *"Ola", "tab", "tab", "enter")
        await settle(app, pilot)
        assert screen_name(app) == "ThanksScreen" and app.language.code == "pl"
        await pilot.press("enter")  # Done: the next visitor starts in the stall's language
        await pilot.pause()
        assert screen_name(app) == "HomeScreen" and app.language.code == "fr"
        assert "Choisissez" in screen_text(app)


async def test_the_idle_reset_returns_to_the_stalls_language(tmp_path):
    clock = FakeClock()
    station = make_station(tmp_path, cases=CASES)
    app = make_app(station, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.click("#lang-es")
        await pilot.press("enter")
        assert screen_name(app) == "CaseScreen" and app.language.code == "es"
        clock.advance(station.settings.idle_timeout + 1)
        app.reset_if_idle()
        await pilot.pause()
        assert screen_name(app) == "HomeScreen" and app.language.code == "en"
        assert "Choose a person to write for:" in screen_text(app)


async def test_a_french_postcard_from_a_french_kiosk(tmp_path):
    out, spec = printer(tmp_path)
    station = make_station(tmp_path, cases=CASES, printer=spec, language="fr")
    app = make_app(station)
    case = station.offered()[0]
    french = language("fr")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "p", *"Zoé", "tab", "tab", "enter")
        await settle(app, pilot)
    printed = decode(out.read_bytes(), "TM-T20II").text
    assert french._("Every letter counts") in printed
    assert french.date(station.today()) in printed and "novembre" in printed
    assert words(case.shown_in("fr").heading.upper()) in words(printed.upper())


async def test_the_organiser_screen_is_in_the_stalls_language_whatever_the_visitors(tmp_path):
    station = make_station(tmp_path, cases=CASES, language="es")
    app = make_app(station)
    spanish = language("es")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.click("#lang-pl")
        await pilot.pause()
        await pilot.press("f12", *TEST_PIN, "enter")
        await pilot.pause()
        assert screen_name(app) == "OrganiserScreen"
        assert words(spanish._("Quit kiosk")) in words(screen_text(app))
        assert words(spanish._("Check printer")) in words(screen_text(app))


async def test_an_arabic_visit_reads_right_to_left_at_80x24(tmp_path):
    out, spec = printer(tmp_path)
    station = make_station(tmp_path, cases=CASES, printer=spec, language="ar")
    app = make_app(station)
    arabic = language("ar")
    async with app.run_test(size=SIZE) as pilot:
        assert app.has_class("-rtl")
        shown = screen_text(app).splitlines()
        intro = visual(arabic._("Choose a person to write for:"), rtl=True)
        line = next(row for row in shown if intro in row)
        assert line.rstrip().endswith(intro)  # set to the right
        case = station.case("journalist-lina-haddad")
        number = [c.id for c in station.offered()].index(case.id) + 1
        await pilot.press(str(number))
        story = screen_text(app)
        first_words = case.shown_in("ar").story.split()[:2]
        assert visual(" ".join(first_words), rtl=True) in story  # wrapped, then turned round line by line
        await pilot.press("p", *"ليلى", "tab", "tab", "enter")  # typed input works, Tab, Tab, Enter prints
        await settle(app, pilot)
        assert screen_name(app) == "ThanksScreen"
        assert visual(arabic._("Thank you, {name}!").format(name="ليلى"), rtl=True) in screen_text(app)
    with Store(station.settings.database) as store:
        (row,) = store.export_rows()
    assert (row["name"], row["language"], row["letter_language"]) == ("ليلى", "ar", "ar")
    assert decode(out.read_bytes(), "TM-T20II").images  # Arabic prints as an image, in the bundled fonts


async def test_numbers_and_plurals_follow_the_visitors_language(tmp_path):
    station = make_station(tmp_path, cases=CASES, language="pl")
    for i in range(5):
        station.record(station.offered()[0].id, "appeal", f"V{i}", "")
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        expected = language("pl").ngettext("{n} letter written here today", "{n} letters written here today", 5)
        assert expected in screen_text(app) and expected.startswith("5 ")
        await pilot.click("#lang-en")
        await pilot.pause()
        assert "5 letters written here today" in screen_text(app)
