"""Consent to be contacted, on screen: asked after the letter is recorded, never pre-selected,
recorded only on an explicit choice, with exactly the wording that was shown.

Driven through Textual's Pilot on a stall with the shipped sample wording
(``cases/consent.toml``: minimum age 16), by keyboard and by mouse, at 80x24.
"""

from __future__ import annotations

import threading

from textual import events
from textual.widgets import Button, Input

from kiosk.store import Store
from tests.helpers import CASES
from tests.helpers.escpos_stream import decode
from tests.helpers.kiosk_app import FakeClock, make_app, make_station, screen_name, screen_text

SIZE = (80, 24)
LETTER = ["enter", "a", *"Ada Lovelace", "enter", "tab", "enter"]  # home -> case -> appeal -> print


def consents(station) -> list[dict]:
    with Store(station.settings.database) as store:
        rows = store.db.execute("SELECT * FROM consents").fetchall()
        columns = [c[0] for c in store.db.execute("SELECT * FROM consents").description]
        return [dict(zip(columns, row, strict=True)) for row in rows]


def wordings(station) -> list[dict]:
    with Store(station.settings.database) as store:
        return store.consent_texts()


def words(text: str) -> str:
    """Text as a reader sees it, whatever the lines' wrapping and boxes: words joined by single spaces."""
    return " ".join(text.translate({ord(ch): " " for ch in "█▀▄▔▁▊▎"}).split())


def shown_without_qr(app) -> str:
    """The screen's text, the QR code's half blocks left out (they sit beside the words)."""
    return words("".join(ch for ch in app.screen_text if ch not in "▀▄█"))


async def settle(app, pilot) -> None:
    """Let the app handle what was pressed, its workers finish, and the screen follow."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def held(station, monkeypatch, method: str = "print_signature") -> threading.Event:
    """The station's ``method`` (printing, or recording an answer) waits until the event is set."""
    hold = threading.Event()
    real = getattr(station, method)
    monkeypatch.setattr(station, method, lambda *a, **kw: (hold.wait(30), real(*a, **kw))[1])
    return hold


async def until(app, pilot, name: str) -> None:
    """Wait (a second at most) for the screen ``name``: the app's workers are busy meanwhile."""
    for _ in range(50):
        await pilot.pause(0.02)
        if screen_name(app) == name and screen_text(app).strip():  # there, and drawn
            return


async def print_letter(app, pilot, keys=LETTER) -> None:
    await pilot.press(*keys)
    await settle(app, pilot)


def with_text(app):
    app.screen_text = screen_text(app)
    return app


async def test_no_thanks_is_one_key_and_is_recorded_with_the_wording_on_screen(tmp_path, figure):
    station = make_station(tmp_path, cases=CASES, consent=True)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await print_letter(app, pilot)
        assert screen_name(app) == "ConsentScreen"
        assert app.screen.focused is None  # never pre-selected
        shown = shown_without_qr(with_text(app))
        text = station.consent_text()
        for part in (text.question, text.statement, text.notice, text.controller, text.privacy_url):
            assert words(part) in shown, part
        assert "Thank you, Ada Lovelace." in shown
        await pilot.press("enter", "space")  # nothing focused: no answer
        await pilot.pause()
        assert screen_name(app) == "ConsentScreen" and consents(station) == []
        await pilot.press("n")
        await settle(app, pilot)
        assert screen_name(app) == "ThanksScreen"
        assert "sign your letter and drop it in the box" in screen_text(app)
    (answer,) = consents(station)
    (stored,) = wordings(station)
    assert (answer["choice"], answer["email"], answer["channel"], answer["language"]) == ("no", None, "email", "en")
    assert answer["text_id"] == stored["id"] == text.id
    for field in ("question", "statement", "notice", "controller", "privacy_url", "version", "lawful_basis"):
        assert stored[field] == getattr(text, field), field  # exactly what the screen showed
    assert answer["local_time"].startswith("2026-11-24T12:00")  # the stall's clock
    keys = len(LETTER) - len("Ada Lovelace") + 1
    figure(f"a visitor who says no: {keys} keys besides their name, from the home screen to thank you")


async def test_yes_by_keyboard_alone_records_the_address_and_the_age(tmp_path):
    station = make_station(tmp_path, cases=CASES, consent=True)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await print_letter(app, pilot)
        await pilot.press("y")
        assert screen_name(app) == "ContactScreen"
        assert app.screen.focused is app.screen.query_one("#email", Input)
        assert "Ada Lovelace, your email address:" in screen_text(app)  # whose letter it is
        assert "▐ ▌ I am 16 or older" in screen_text(app)  # never ticked for the visitor, nor shown so
        await pilot.press(*"Ada@Example.ORG", "enter")
        await pilot.pause()
        assert "Please confirm that you are 16 or older." in screen_text(app)
        assert consents(station) == []
        await pilot.press("space")  # the age box has the focus now: tick it
        assert "▐X▌ I am 16 or older" in screen_text(app)
        await pilot.press("enter")  # Enter sends, wherever it is pressed on the form
        await settle(app, pilot)
        assert screen_name(app) == "ThanksScreen", screen_text(app)
        assert "We will write to you at Ad…@example.org." in screen_text(app)  # not the address: others read it
    (answer,) = consents(station)
    assert (answer["choice"], answer["email"], answer["age_confirmed"]) == ("yes", "Ada@example.org", 1)


async def test_the_wording_recorded_is_the_one_shown_even_if_the_file_changes_meanwhile(tmp_path):
    import shutil

    folder = tmp_path / "cases"
    shutil.copytree(CASES, folder)
    station = make_station(tmp_path, cases=folder)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await print_letter(app, pilot)
        shown = app.screen.text
        wording = folder / "consent.toml"
        wording.write_text(wording.read_text(encoding="utf-8").replace("Would you like", "Do you want"),
                           encoding="utf-8")
        assert station.reload_cases() == [] and station.consent_text().id != shown.id
        await pilot.press("n")
        await settle(app, pilot)
    assert consents(station)[0]["text_id"] == shown.id
    assert [w["question"] for w in wordings(station)] == ["Would you like to hear from us?"]


async def test_yes_by_mouse_alone(tmp_path):
    station = make_station(tmp_path, cases=CASES, consent=True)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await print_letter(app, pilot)
        await pilot.click("#consent-yes")
        assert screen_name(app) == "ContactScreen"
        await pilot.click("#email")
        await pilot.press(*"grace@example.net")
        await pilot.click("#age")
        await pilot.click("#contact-send")
        await settle(app, pilot)
        assert screen_name(app) == "ThanksScreen"
    (answer,) = consents(station)
    assert (answer["choice"], answer["email"]) == ("yes", "grace@example.net")


async def test_a_mistyped_common_domain_is_hinted_and_the_visitor_decides(tmp_path):
    station = make_station(tmp_path, cases=CASES, consent=True)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await print_letter(app, pilot)
        await pilot.press("y", *"ada@gmial.com")
        await pilot.pause()
        assert "Did you mean ada@gmail.com?" in screen_text(app)
        await pilot.click("#age")
        await pilot.click("#contact-send")
        await pilot.pause()
        assert screen_name(app) == "ContactScreen" and consents(station) == []  # asked to check first
        assert "press Enter again to keep it as you typed it" in screen_text(app)
        await pilot.click("#use-hint")
        assert app.screen.query_one("#email", Input).value == "ada@gmail.com"
        await pilot.press("enter")
        await settle(app, pilot)
    assert consents(station)[0]["email"] == "ada@gmail.com"


async def test_an_address_with_a_typo_can_be_kept_as_typed(tmp_path):
    station = make_station(tmp_path, cases=CASES, consent=True)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await print_letter(app, pilot)
        await pilot.press("y", *"ada@hotmial.com")
        await pilot.click("#age")
        await pilot.click("#contact-send")
        await pilot.pause(0.3)  # a button pressed again within 0.2 s is one press (Textual's active effect)
        await pilot.click("#contact-send")  # the second time: as typed
        await settle(app, pilot)
        assert screen_name(app) == "ThanksScreen"
    assert consents(station)[0]["email"] == "ada@hotmial.com"


async def test_escape_leaves_the_question_unanswered_and_records_nothing(tmp_path):
    station = make_station(tmp_path, cases=CASES, consent=True)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await print_letter(app, pilot)
        await pilot.press("y", *"ada@example.org", "escape")
        assert screen_name(app) == "ConsentScreen"  # back to the question, the address forgotten
        await pilot.press("y")
        assert app.screen.query_one("#email", Input).value == ""
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert screen_name(app) == "ThanksScreen"
    assert consents(station) == []
    with Store(station.settings.database) as store:
        assert store.total() == 1  # the letter counts either way


async def test_the_idle_reset_wipes_the_address_and_records_nothing(tmp_path):
    clock = FakeClock()
    station = make_station(tmp_path, cases=CASES, consent=True)
    app = make_app(station, clock)
    async with app.run_test(size=SIZE) as pilot:
        await print_letter(app, pilot)
        await pilot.press("y", *"ada@example.org", "tab", "space")
        clock.advance(station.settings.idle_timeout + 1)
        app.reset_if_idle()
        await pilot.pause()
        assert screen_name(app) == "HomeScreen" and "ada@example.org" not in screen_text(app)
        await print_letter(app, pilot, ["enter", "p", *"Bo", "tab", "tab", "enter"])
        await pilot.press("y")
        assert app.screen.query_one("#email", Input).value == ""  # nothing of the visitor before
    assert consents(station) == []


async def test_the_question_comes_while_the_letter_prints_and_thanks_follow_the_printer(tmp_path, monkeypatch):
    """The answer never waits for the paper, nor the paper for the answer."""
    station = make_station(tmp_path, cases=CASES, consent=True)
    hold = held(station, monkeypatch)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*LETTER)
        await until(app, pilot, "ConsentScreen")
        assert screen_name(app) == "ConsentScreen" and app.busy_printing
        assert "Your letter is saved and printing." in screen_text(app)
        await pilot.press("n")
        await until(app, pilot, "ThanksScreen")
        assert "Your letter is printing…" in screen_text(app)
        assert consents(station)[0]["choice"] == "no"  # recorded before the letter printed
        hold.set()
        await settle(app, pilot)
        assert screen_name(app) == "ThanksScreen"
        assert "sign your letter and drop it in the box" in screen_text(app)


async def test_the_letter_printing_while_the_visitor_reads_leaves_them_reading(tmp_path, monkeypatch):
    station = make_station(tmp_path, cases=CASES, consent=True)
    hold = held(station, monkeypatch)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*LETTER)
        await until(app, pilot, "ConsentScreen")
        await pilot.press("y", *"ada@exam")
        hold.set()
        await settle(app, pilot)
        assert screen_name(app) == "ContactScreen"  # not taken away mid-address
        assert app.screen.query_one("#email", Input).value == "ada@exam"
        assert "Your letter is saved and printed." in screen_text(app)
        await pilot.press("escape")
        assert "Your letter is saved and printed." in screen_text(app)  # the question knows too


async def test_an_answer_saved_after_the_visitor_left_thanks_nobody(tmp_path, monkeypatch):
    clock = FakeClock()
    station = make_station(tmp_path, cases=CASES, consent=True)
    hold = held(station, monkeypatch, "record_consent")
    app = make_app(station, clock)
    async with app.run_test(size=SIZE) as pilot:
        await print_letter(app, pilot)
        await pilot.press("n")
        clock.advance(station.settings.idle_timeout + 1)
        app.reset_if_idle()
        await pilot.pause()
        hold.set()
        await settle(app, pilot)
        assert screen_name(app) == "HomeScreen"
    assert consents(station)[0]["choice"] == "no"  # the visitor's answer counts all the same


async def test_a_question_left_untouched_goes_after_the_time_to_read_it(tmp_path):
    """A visitor who walks away from the question leaves it to nobody: after thanks_timeout
    and the time its wording takes to read (15 characters a second), never the minute a form
    waits, the kiosk is home, and the next visitor never answers on the letter of the one before."""
    clock = FakeClock()
    station = make_station(tmp_path, cases=CASES, consent=True, thanks_timeout=10, idle_timeout=120)
    app = make_app(station, clock)
    text = station.consent_text()
    reading = (len(text.question) + len(text.statement) + len(text.notice) + len(text.controller)) / 15
    assert 20 < reading < 60  # the sample wording: about half a minute
    async with app.run_test(size=SIZE) as pilot:
        await print_letter(app, pilot)
        assert app.idle_limit() == 10 + reading
        clock.advance(10 + reading - 1)
        app.reset_if_idle()
        assert screen_name(app) == "ConsentScreen"
        clock.advance(2)
        app.reset_if_idle()
        await pilot.pause()
        assert screen_name(app) == "HomeScreen"
    assert consents(station) == []


async def test_the_reading_time_never_passes_the_idle_timeout(tmp_path):
    station = make_station(tmp_path, cases=CASES, consent=True, thanks_timeout=10, idle_timeout=20)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await print_letter(app, pilot)
        assert app.idle_limit() == 20


async def test_a_visitor_who_left_is_not_thanked_on_the_next_visitors_screen(tmp_path, monkeypatch):
    clock = FakeClock()
    station = make_station(tmp_path, cases=CASES, consent=True)
    hold = held(station, monkeypatch)
    app = make_app(station, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*LETTER)
        await until(app, pilot, "ConsentScreen")
        clock.advance(station.settings.idle_timeout + 1)
        app.reset_if_idle()
        await pilot.pause()
        assert screen_name(app) == "HomeScreen"
        hold.set()
        await settle(app, pilot)
        assert screen_name(app) == "HomeScreen" and "Ada Lovelace" not in screen_text(app)
    assert consents(station) == []


async def test_a_printer_fault_is_said_on_the_question_screen(tmp_path):
    station = make_station(tmp_path, cases=CASES, consent=True, printer="tcp://127.0.0.1:9?timeout=0.3")
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await print_letter(app, pilot)
        assert screen_name(app) == "ConsentScreen"
        assert "A volunteer will print it: nothing is lost." in words(screen_text(app))
        await pilot.press("n")
        await settle(app, pilot)
        assert "printer has a problem right now" in words(screen_text(app))


async def test_the_next_visitor_writes_while_the_last_letter_is_still_printing(tmp_path, monkeypatch):
    """A visitor who says no and leaves while their letter is at a slow printer: the next
    visitor's letter is recorded at once, answered for, and printed after it; none is lost."""
    out = tmp_path / "printer.bin"
    station = make_station(tmp_path, cases=CASES, consent=True, printer=f"file:{out}?profile=TM-T20II")
    hold = held(station, monkeypatch)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*LETTER)
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("enter")  # Done, while the letter still waits for the printer
        await pilot.pause()
        assert screen_name(app) == "HomeScreen" and app.busy_printing
        await pilot.press("enter", "p", *"Bo Builder", "tab", "tab", "enter")
        await until(app, pilot, "ConsentScreen")
        assert screen_name(app) == "ConsentScreen" and "Thank you, Bo Builder." in screen_text(app)
        with Store(station.settings.database) as store:
            assert sorted(s.name for s in store.signatures()) == ["Ada Lovelace", "Bo Builder"]
        await pilot.press("y", *"bo@example.org", "tab", "space", "shift+tab", "enter")
        hold.set()
        await settle(app, pilot)
        assert screen_name(app) == "ThanksScreen" and "Thank you, Bo Builder!" in screen_text(app)
        assert "Please take your postcard with you." in screen_text(app)
        assert not app.busy_printing
    with Store(station.settings.database) as store:
        assert [row["print_status"] for row in store.export_rows()] == ["printed", "printed"]
    assert sorted((c["choice"], c["email"] or "") for c in consents(station)) == [("no", ""), ("yes", "bo@example.org")]


async def test_nothing_typed_is_kept_on_a_clipboard_for_the_next_visitor(tmp_path):
    clock = FakeClock()
    station = make_station(tmp_path, cases=CASES, consent=True)
    app = make_app(station, clock)
    sent = []
    app._driver_write = sent.append
    async with app.run_test(size=SIZE) as pilot:
        await print_letter(app, pilot)
        await pilot.press("y", *"ada@example.org", "shift+home", "ctrl+c", "ctrl+x")
        assert app.clipboard == ""
        clock.advance(station.settings.idle_timeout + 1)
        app.reset_if_idle()
        await pilot.pause()
        await print_letter(app, pilot, ["enter", "p", *"Bo", "tab", "tab", "enter"])
        await pilot.press("y", "ctrl+v")
        assert app.screen.query_one("#email", Input).value == ""


async def test_a_longer_address_is_refused_never_cut_into_another(tmp_path):
    station = make_station(tmp_path, cases=CASES, consent=True)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await print_letter(app, pilot)
        await pilot.press("y")
        field = app.screen.query_one("#email", Input)
        address = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".org"
        field.post_message(events.Paste(address))  # pasted (typing it takes as long): the field takes it whole
        await pilot.pause()
        assert field.value == address and len(address) > 254
        await pilot.click("#age")
        await pilot.click("#contact-send")
        await pilot.pause()
        assert screen_name(app) == "ContactScreen"
        assert "An email address can be at most 254 characters." in screen_text(app)
    assert consents(station) == []


async def test_capital_y_and_n_answer_too(tmp_path):
    station = make_station(tmp_path, cases=CASES, consent=True)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await print_letter(app, pilot)
        await pilot.press("Y")
        assert screen_name(app) == "ContactScreen"
        await pilot.press("escape", "N")
        await settle(app, pilot)
        assert screen_name(app) == "ThanksScreen"
    assert consents(station)[0]["choice"] == "no"


async def test_a_sent_address_cannot_be_answered_again(tmp_path, monkeypatch):
    """Esc and No after Keep me informed (the answer still being saved) answer nothing more."""
    station = make_station(tmp_path, cases=CASES, consent=True)
    hold = held(station, monkeypatch, "record_consent")
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await print_letter(app, pilot)
        await pilot.press("y", *"ada@example.org", "tab", "space", "shift+tab", "enter")
        await pilot.pause()
        await pilot.press("escape", "n", "escape")
        await pilot.pause()
        assert screen_name(app) == "ContactScreen"
        hold.set()
        await settle(app, pilot)
        assert screen_name(app) == "ThanksScreen" and "We will write to you at ad…@example.org." in screen_text(app)
    assert [(c["choice"], c["email"]) for c in consents(station)] == [("yes", "ada@example.org")]


async def test_a_long_wording_is_read_by_keyboard_at_80x24(tmp_path):
    import shutil

    folder = tmp_path / "cases"
    shutil.copytree(CASES, folder)
    wording = folder / "consent.toml"
    text = wording.read_text(encoding="utf-8")
    text = text.replace('statement = "Yes: ', 'statement = "' + "Long statement. " * 15 + "Yes: ", 1)
    text = text.replace('notice = "We keep', 'notice = "' + "Long notice. " * 30 + "We keep", 1)
    wording.write_text(text, encoding="utf-8")
    station = make_station(tmp_path, cases=folder)
    assert len(station.consent_text().notice) > 500
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await print_letter(app, pilot)
        assert "Full privacy notice:" not in shown_without_qr(with_text(app))
        await pilot.press("end")
        await pilot.pause()
        assert "Full privacy notice: https://example.org/privacy" in shown_without_qr(with_text(app))
        await pilot.press("home")
        await pilot.pause()
        assert "Would you like to hear from us?" in shown_without_qr(with_text(app))


async def test_hostile_addresses_stay_text_and_are_never_recorded(tmp_path):
    station = make_station(tmp_path, cases=CASES, consent=True)
    app = make_app(station)
    quits = []
    app.exit = lambda *a, **k: quits.append(a)
    async with app.run_test(size=SIZE) as pilot:
        await print_letter(app, pilot)
        await pilot.press("y")
        field = app.screen.query_one("#email", Input)
        # each stays invalid once its controls, bidi characters and spaces are dropped as typed
        for hostile in ("[@click=app.quit]@x.org", "ada\x1b[31m@x.org", "\u202e[b]@x.org", "ada@x.org\n[b]bold[/b]",
                        "ada@x.org\x00\x07@y", "x" * 300 + "@x.org"):
            field.value = ""
            await pilot.pause()
            app.screen.post_message(Input.Changed(field, hostile))  # as a paste arrives
            field.value = hostile
            await pilot.pause()
            assert all(ch.isprintable() and not ch.isspace() for ch in field.value), repr(field.value)
            await pilot.click("#age")
            await pilot.click("#contact-send")
            await pilot.pause()
            shown = screen_text(app)
            assert screen_name(app) == "ContactScreen", hostile
            assert "\x1b" not in shown and "\u202e" not in shown
            if app.screen.query_one("#age").value:
                await pilot.click("#age")
        for button in app.screen.query(Button):
            assert not button.disabled
    assert quits == [] and consents(station) == []


async def test_what_is_kept_is_the_address_the_visitor_saw(tmp_path):
    """A pasted bidi override or control is dropped from the field as it arrives: the address
    recorded is the one on screen, never one with hidden characters."""
    station = make_station(tmp_path, cases=CASES, consent=True)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await print_letter(app, pilot)
        await pilot.press("y")
        field = app.screen.query_one("#email", Input)
        field.value = "ad\u202ea@exa\u200bmple.org\x1b"
        await pilot.pause()
        assert field.value == "ada@example.org"
        await pilot.click("#age")
        await pilot.click("#contact-send")
        await settle(app, pilot)
        assert screen_name(app) == "ThanksScreen"
    assert consents(station)[0]["email"] == "ada@example.org"


async def test_the_privacy_notice_is_printed_on_the_receipt(tmp_path):
    out = tmp_path / "printer.bin"
    station = make_station(tmp_path, cases=CASES, consent=True, printer=f"file:{out}?profile=TM-T20II")
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await print_letter(app, pilot)
    printed = decode(out.read_bytes(), "TM-T20II")
    assert "Privacy notice: https://example.org/privacy" in words(printed.text)


async def test_the_organiser_sees_whom_the_kiosk_asks_and_what_was_left_out(tmp_path):
    """From the start, not only after a reload: a wording's broken language is listed, and the
    line says whom the kiosk asks (the warnings printed at start are hidden by the screen)."""
    import shutil

    from tests.helpers.kiosk_app import TEST_PIN

    folder = tmp_path / "cases"
    shutil.copytree(CASES, folder)
    wording = folder / "consent.toml"
    wording.write_text(wording.read_text(encoding="utf-8").replace("[text.es]\nquestion", "[text.es]\nquestio"),
                       encoding="utf-8")
    station = make_station(tmp_path, cases=folder)
    app = make_app(station)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f12", *TEST_PIN, "enter")
        await pilot.click("#tabs Tab#--content-tab-tab-cases")
        await pilot.pause()
        shown = words(screen_text(app))
        assert ("Visitors are asked whether we may contact them: Letters for Freedom (sample organisation),"
                " version 2026-12 sample, in en, fr, pl, ar, minimum age 16.") in shown
        assert "consent.toml: text.es.question: missing" in shown


async def test_a_stall_without_a_wording_asks_nobody(tmp_path):
    out = tmp_path / "printer.bin"
    station = make_station(tmp_path, cases=CASES, printer=f"file:{out}?profile=TM-T20II")
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await print_letter(app, pilot)
        assert screen_name(app) == "ThanksScreen"
    assert consents(station) == []
    assert "Privacy notice" not in decode(out.read_bytes(), "TM-T20II").text
