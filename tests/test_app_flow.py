"""The visitor flow, driven through Textual's Pilot: what is recorded and what is printed."""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input, TextArea

from kiosk.store import Store
from tests.helpers import CASES
from tests.helpers.escpos_stream import decode
from tests.helpers.kiosk_app import FakeClock, make_app, make_station, screen_name, screen_text

SIZE = (100, 30)


@pytest.fixture
def file_printer(tmp_path):
    out = tmp_path / "printer.bin"
    return out, f"file:{out}?profile=TM-T20II"


def only_signature(station):
    with Store(station.settings.database) as store:
        (row,) = store.export_rows()
    return row


async def test_appeal_by_keyboard_alone(tmp_path, file_printer, cases):
    out, spec = file_printer
    station = make_station(tmp_path, cases=CASES, printer=spec)
    app = make_app(station)
    first = station.offered()[0]
    async with app.run_test(size=SIZE) as pilot:
        assert screen_name(app) == "HomeScreen"
        assert "0 letters written here today" in screen_text(app)
        await pilot.press("enter")
        assert screen_name(app) == "CaseScreen" and app.screen.case.id == first.id
        await pilot.press("a")
        assert screen_name(app) == "FormScreen" and app.screen.kind == "appeal"
        await pilot.press(*"Ada Lovelace", "enter", *"Stay strong, friend", "tab", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen_name(app) == "ThanksScreen"
        shown = screen_text(app)
        assert "Thank you, Ada Lovelace!" in shown and "sign your letter and drop it in the box" in shown
        row = only_signature(station)
        assert (row["case_id"], row["kind"], row["name"], row["message"]) == (first.id, "appeal", "Ada Lovelace",
                                                                              "Stay strong, friend")
        assert row["print_status"] == "printed" and row["event"] == "Test Fest" and row["kiosk_id"] == "stall-1"
        printed = decode(out.read_bytes(), "TM-T20II")
        assert "Ada Lovelace" in printed.text and "Stay strong, friend" in printed.text
        assert first.appeal.addressee.name in printed.text and "Ref. Test Fest / stall-1 / #0001" in printed.text
        assert printed.cuts == [1]
        await pilot.press("enter")  # Done
        assert screen_name(app) == "HomeScreen"
        assert "1 letter written here today" in screen_text(app)


async def test_postcard_by_mouse_alone(tmp_path, file_printer):
    out, spec = file_printer
    station = make_station(tmp_path, cases=CASES, printer=spec)
    app = make_app(station)
    case = station.offered()[1]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.click("#cases", offset=(6, 4))  # the second case's title line
        assert screen_name(app) == "CaseScreen" and app.screen.case.id == case.id
        await pilot.click("#postcard")
        assert screen_name(app) == "FormScreen" and app.screen.kind == "postcard"
        await pilot.click("#name")
        await pilot.press(*"Grace Hopper")
        await pilot.click("#message")
        await pilot.press(*"You are not alone")
        await pilot.click("#print")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen_name(app) == "ThanksScreen" and "take your postcard" in screen_text(app)
        row = only_signature(station)
        assert (row["case_id"], row["kind"], row["name"], row["message"]) == (case.id, "postcard", "Grace Hopper",
                                                                              "You are not alone")
        printed = decode(out.read_bytes(), "TM-T20II")
        assert printed.qr == [case.postcard.url]
        assert "Grace Hopper" in printed.text and "You are not alone" in printed.text
        await pilot.click("#done")
        assert screen_name(app) == "HomeScreen"


async def test_form_shows_a_live_preview_and_a_counter(tmp_path):
    station = make_station(tmp_path, cases=CASES)
    app = make_app(station)
    async with app.run_test(size=(130, 40)) as pilot:
        await pilot.press("enter", "a", *"Zoë", "enter", *"Hello there")
        shown = screen_text(app)
        assert "Zoë" in shown and "Hello there" in shown  # in the field and on the receipt preview
        assert str(app.screen.query_one("#preview").render()).count("Hello there") == 1
        assert "11 / 500" in shown


async def test_message_is_capped_with_a_visible_limit(tmp_path):
    station = make_station(tmp_path, cases=CASES)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "a")
        area = app.screen.query_one("#message", TextArea)
        area.text = "x" * 700
        await pilot.pause()
        assert len(area.text) == 500 and "500 / 500" in screen_text(app)
        assert "A message can be at most 500 characters" in screen_text(app)


async def test_name_is_required(tmp_path):
    station = make_station(tmp_path, cases=CASES)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "a")
        await pilot.click("#print")
        await pilot.pause()
        assert screen_name(app) == "FormScreen" and "Please type your name." in screen_text(app)
        assert app.screen.focused is app.screen.query_one("#name", Input)
        with Store(station.settings.database) as store:
            assert store.total() == 0


async def test_pressing_print_twice_records_one_letter(tmp_path, file_printer):
    _, spec = file_printer
    station = make_station(tmp_path, cases=CASES, printer=spec)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "a", *"Ada")
        form = app.screen
        form.submit()
        form.submit()
        await app.workers.wait_for_complete()
        await pilot.pause()
        with Store(station.settings.database) as store:
            assert store.total() == 1


async def test_escape_goes_back_one_step(tmp_path):
    station = make_station(tmp_path, cases=CASES)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "p")
        assert screen_name(app) == "FormScreen"
        await pilot.press("escape")
        assert screen_name(app) == "CaseScreen"
        await pilot.press("escape")
        assert screen_name(app) == "HomeScreen"
        await pilot.press("escape")
        assert screen_name(app) == "HomeScreen" and app.return_code is None


async def test_number_keys_open_a_case(tmp_path):
    station = make_station(tmp_path, cases=CASES)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        assert app.screen.case.id == station.offered()[2].id


async def test_idle_reset_clears_every_field_and_goes_home(tmp_path):
    station = make_station(tmp_path, cases=CASES, idle_timeout=60)
    clock = FakeClock()
    app = make_app(station, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "a", *"Secret Name", "enter", *"private words")
        clock.advance(59)
        app.reset_if_idle()
        await pilot.pause()
        assert screen_name(app) == "FormScreen"  # not yet
        await pilot.press("x")  # a key press is activity: the minute starts again
        clock.advance(59)
        app.reset_if_idle()
        assert screen_name(app) == "FormScreen"
        clock.advance(2)
        app.reset_if_idle()
        await pilot.pause()
        assert screen_name(app) == "HomeScreen" and len(app.screen_stack) == 1
        assert "Secret" not in screen_text(app)
        await pilot.press("enter", "a")
        assert app.screen.query_one("#name", Input).value == ""
        assert app.screen.query_one("#message", TextArea).text == ""
        assert "Secret" not in screen_text(app) and "private" not in screen_text(app)


async def test_thanks_screen_goes_home_sooner(tmp_path):
    station = make_station(tmp_path, cases=CASES, idle_timeout=60, thanks_timeout=15)
    clock = FakeClock()
    app = make_app(station, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "p", *"Ada", "tab", "tab", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen_name(app) == "ThanksScreen"
        clock.advance(15)
        app.reset_if_idle()
        await pilot.pause()
        assert screen_name(app) == "HomeScreen"
        assert "Ada" not in screen_text(app)


async def test_the_idle_timer_runs_by_itself(tmp_path):
    station = make_station(tmp_path, cases=CASES, idle_timeout=60)
    clock = FakeClock()
    app = make_app(station, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        clock.advance(61)
        for _ in range(40):  # the app checks once a second
            if screen_name(app) == "HomeScreen":
                break
            await pilot.pause(0.1)
        assert screen_name(app) == "HomeScreen"


async def test_typing_straight_on_after_enter_lands_in_the_message(tmp_path):
    """Keys sent in one burst (as a fast typist or a terminal multiplexer sends them)."""
    station = make_station(tmp_path, cases=CASES)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "a")
        for key in [*"Maria", "enter", *"Hello"]:
            app.post_message(__import__("textual").events.Key(key, key if len(key) == 1 else None))
        await pilot.pause()
        await pilot.pause()
        assert app.screen.query_one("#name", Input).value == "Maria"
        assert app.screen.query_one("#message", TextArea).text == "Hello"


async def test_a_pasted_name_is_cleaned_and_cut_to_fit_with_a_message(tmp_path):
    station = make_station(tmp_path, cases=CASES)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "a")
        name = app.screen.query_one("#name", Input)
        name.post_message(events.Paste("Ada\x1b[2J\u202e Lovelace\nsecond line"))
        await pilot.pause()
        assert name.value == "Ada[2J Lovelace second line"  # no escape, no bidi override, one line
        assert "A name can be at most" not in screen_text(app)
        name.value = ""
        name.post_message(events.Paste("x" * 100))  # a plain Input would refuse it whole
        await pilot.pause()
        assert name.value == "x" * 80 and "A name can be at most 80 characters." in screen_text(app)


async def test_undo_in_the_message_box_cannot_crash_the_kiosk(tmp_path):
    """Found by the random key storms: Enter then Ctrl+Z in the low message box made
    Textual's TextArea raise, which ended the app."""
    station = make_station(tmp_path, cases=CASES)
    app = make_app(station)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter", "a", "enter", *"ax", "home", "enter", "ctrl+z", "ctrl+y", "ctrl+z")
        assert app.is_running and app._exception is None
        assert screen_name(app) == "FormScreen" and app.screen.message_text == "\nax"


def test_every_screen_declares_its_idle_policy():
    """The app asks each screen for its idle policy; none is probed for a method it may lack."""
    import importlib
    import inspect
    import pkgutil

    from textual.screen import Screen

    import kiosk.ui.screens
    from kiosk.ui.screens.base import Idle, OnKiosk

    screens = {}
    for info in pkgutil.iter_modules(kiosk.ui.screens.__path__):
        if info.name == "base":  # the screens' base classes
            continue
        module = importlib.import_module(f"kiosk.ui.screens.{info.name}")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Screen) and cls.__module__ == module.__name__:
                screens[name] = cls
    assert all(issubclass(cls, OnKiosk) for cls in screens.values()), screens
    declared = {name: cls.IDLE for name, cls in screens.items() if "idle" not in cls.__dict__}
    assert declared == {"HomeScreen": Idle.NEVER, "CaseScreen": Idle.VISITOR, "FormScreen": Idle.VISITOR,
                        "ThanksScreen": Idle.THANKS, "PinScreen": Idle.VISITOR, "OrganiserScreen": Idle.VISITOR,
                        "ConsentAsked": Idle.VISITOR, "ConsentScreen": Idle.THANKS, "ContactScreen": Idle.VISITOR,
                        "ConfirmScreen": Idle.VISITOR}  # the question before quitting: idle, the kiosk runs on
    assert set(screens) - set(declared) == {"PrintingScreen"}  # NEVER while the worker has the letter; then VISITOR


async def test_a_stall_without_a_printer_does_not_call_itself_a_demo(tmp_path):
    station = make_station(tmp_path, cases=CASES)  # no printer: the preview printer
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "p", *"Ada", "tab", "tab", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = " ".join(screen_text(app).split())
        assert screen_name(app) == "ThanksScreen"
        assert "No receipt printer is set up: your letter is saved as" in shown and "Demo" not in shown
    station.close()
