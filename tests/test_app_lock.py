"""The kiosk lock, the PIN, and the organiser screen."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from kiosk.pin import FIRST_DELAY
from kiosk.store import Store
from tests.helpers import CASES
from tests.helpers.kiosk_app import TEST_PIN, FakeClock, make_app, make_station, screen_name, screen_text

SIZE = (100, 30)
QUIT_KEYS = ["ctrl+q", "ctrl+c", "ctrl+p", "ctrl+z", "ctrl+d", "ctrl+backslash", "ctrl+s", "ctrl+w", "ctrl+x",
             "f1", "f10", "ctrl+f12"]
FORBIDDEN_ACTIONS = {"quit", "help_quit", "suspend_process", "command_palette", "screenshot", "change_theme",
                     "toggle_dark", "show_help_panel", "app.quit", "app.suspend_process", "app.command_palette"}


async def visit(pilot, where: str) -> None:
    """Go from home to one of the visitor screens."""
    steps = {
        "home": [], "case": ["enter"], "form": ["enter", "a"],
        "thanks": ["enter", "p", *"Ada", "tab", "tab", "enter"],
    }
    await pilot.press(*steps[where])
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("where", ["home", "case", "form", "thanks"])
async def test_no_key_quits_suspends_or_opens_the_palette(tmp_path, where):
    station = make_station(tmp_path, cases=CASES)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await visit(pilot, where)
        expected = screen_name(app)
        bound = {b.binding.action for b in app.active_bindings.values()}
        assert not bound & FORBIDDEN_ACTIONS
        for key in QUIT_KEYS:
            await pilot.press(key)
            await pilot.pause()
            assert app.return_code is None and app.is_running, key
            assert screen_name(app) == expected, key
        assert "CommandPalette" not in [type(s).__name__ for s in app.screen_stack]


async def test_the_built_in_ways_out_do_nothing_even_when_called(tmp_path, monkeypatch):
    import os

    kills = []
    monkeypatch.setattr(os, "kill", lambda *a: kills.append(a))
    station = make_station(tmp_path, cases=CASES)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        for action in ("app.quit", "app.help_quit", "app.suspend_process", "app.command_palette", "app.screenshot",
                       "app.push_screen('x')", "app.pop_screen", "app.back", "app.simulate_key('ctrl+q')",
                       "app.toggle_dark", "app.change_theme"):
            await app.run_action(action)
            await pilot.pause()
            assert app.return_code is None and screen_name(app) == "HomeScreen", action
    assert kills == []


async def test_organiser_key_asks_for_the_pin(tmp_path):
    station = make_station(tmp_path, cases=CASES)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f12")
        assert screen_name(app) == "PinScreen"
        await pilot.press(*"0000", "enter")
        assert screen_name(app) == "PinScreen" and "Wrong PIN." in screen_text(app)
        await pilot.press("escape")
        assert screen_name(app) == "HomeScreen"
        await pilot.click("#organiser")
        await pilot.press(*TEST_PIN, "enter")
        assert screen_name(app) == "OrganiserScreen"


async def test_pin_keypad_works_by_touch(tmp_path):
    station = make_station(tmp_path, cases=CASES)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f12")
        for digit in TEST_PIN:
            await pilot.click(f"#key-{digit}")
        await pilot.click("#key-ok")
        assert screen_name(app) == "OrganiserScreen"


async def test_wrong_pins_are_throttled_with_a_growing_delay(tmp_path):
    station = make_station(tmp_path, cases=CASES)
    clock = FakeClock()
    app = make_app(station, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f12")
        for _ in range(3):
            await pilot.press(*"9999", "enter")
        assert f"wait {FIRST_DELAY:.0f} s." in screen_text(app)
        assert app.screen.query_one("#pin", Input).disabled
        await pilot.press("enter", "enter")  # the next Enter presses nothing: the prompt stays, the wait shown
        assert screen_name(app) == "PinScreen" and app.focused is None
        app.screen.query_one("#pin", Input).value = TEST_PIN  # even the right PIN is refused while throttled
        app.screen.attempt()
        await pilot.pause()
        assert screen_name(app) == "PinScreen"
        clock.advance(FIRST_DELAY)
        app.screen.show_wait()
        await pilot.pause()
        await pilot.press(*"9999", "enter")  # a 4th wrong PIN: twice the wait
        assert f"wait {2 * FIRST_DELAY:.0f} s." in screen_text(app)
        await pilot.press("escape", "f12")  # closing the prompt does not reset the count
        assert f"wait {2 * FIRST_DELAY:.0f} s." in screen_text(app)
        clock.advance(2 * FIRST_DELAY)
        app.screen.show_wait()
        await pilot.pause()
        await pilot.press(*TEST_PIN, "enter")
        assert screen_name(app) == "OrganiserScreen"
        assert app.pin_guard.failures == 0


async def test_organiser_screen_locks_itself_when_idle(tmp_path):
    station = make_station(tmp_path, cases=CASES, idle_timeout=30)
    clock = FakeClock()
    app = make_app(station, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f12", *TEST_PIN, "enter")
        assert screen_name(app) == "OrganiserScreen"
        clock.advance(30)
        app.reset_if_idle()
        await pilot.pause()
        assert screen_name(app) == "HomeScreen"
        await pilot.press("f12")
        assert screen_name(app) == "PinScreen"  # the PIN is needed again


async def test_organiser_quits_the_kiosk_after_saying_yes_and_focus_starts_away_from_quit(tmp_path):
    station = make_station(tmp_path, cases=CASES)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f12", *TEST_PIN, "enter")
        focused = app.focused
        assert focused is not None and focused.id not in ("quit", "lock")  # a stray Enter quits nothing
        await pilot.press("enter")
        assert screen_name(app) == "OrganiserScreen" and app.is_running
        await pilot.click("#quit")
        await pilot.pause()
        assert screen_name(app) == "ConfirmScreen" and "Quit the kiosk?" in screen_text(app)
        await pilot.press("enter")  # the focus is on Keep it running
        await pilot.pause()
        assert screen_name(app) == "OrganiserScreen" and app.is_running
        await pilot.pause(0.3)
        await pilot.click("#quit")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert screen_name(app) == "OrganiserScreen" and app.is_running
        await pilot.pause(0.3)
        await pilot.click("#quit")
        await pilot.pause()
        await pilot.click("#confirm-do")
        await pilot.pause()
    assert app.return_code == 0


async def test_disabling_a_case_takes_it_off_the_home_screen(tmp_path):
    station = make_station(tmp_path, cases=CASES)
    app = make_app(station)
    first = station.offered()[0]
    async with app.run_test(size=SIZE) as pilot:
        assert first.title in screen_text(app)
        await pilot.press("f12", *TEST_PIN, "enter")
        await pilot.click("#tabs Tab#--content-tab-tab-cases")
        await pilot.pause()
        assert f"{first.title} · on: offered" in screen_text(app)
        await pilot.click("#case-list", offset=(4, 1))  # untick the first case
        await pilot.pause()
        assert not station.is_enabled(first.id)
        assert f"{first.title} · off: not offered" in screen_text(app)  # said in words, not only a tick
        await pilot.press("escape")
        assert screen_name(app) == "HomeScreen"
        assert first.title not in screen_text(app)
    with Store(station.settings.database) as store:
        assert store.disabled_cases() == {first.id}  # it stays off after a restart


async def test_reload_reads_new_case_files(tmp_path):
    import shutil

    folder = tmp_path / "cases"
    shutil.copytree(CASES, folder)
    (folder / "lawyer-amara-osei.toml").unlink()
    station = make_station(tmp_path, cases=folder)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        assert "Amara Osei" not in screen_text(app)
        shutil.copy(CASES / "lawyer-amara-osei.toml", folder)
        (folder / "broken.toml").write_text("title = [", encoding="utf-8")
        await pilot.press("f12", *TEST_PIN, "enter")
        await pilot.click("#tabs Tab#--content-tab-tab-cases")
        await pilot.click("#reload")
        await pilot.pause()
        assert "broken.toml" in screen_text(app)
        await pilot.press("escape")
        assert "Amara Osei" in screen_text(app)


async def test_today_tab_counts_agree_with_the_home_screen(tmp_path):
    station = make_station(tmp_path, cases=CASES)
    app = make_app(station)
    for i in range(3):
        station.record(station.offered()[0].id, "appeal", f"V{i}", "")
    station.record(station.offered()[1].id, "postcard", "W", "")
    async with app.run_test(size=(120, 40)) as pilot:
        assert "4 letters written here today" in screen_text(app)
        await pilot.press("f12", *TEST_PIN, "enter")
        await pilot.click("#tabs Tab#--content-tab-tab-today")
        await pilot.pause()
        shown = screen_text(app)
        assert "All cases      " in shown or "All cases" in shown
        lines = [line for line in shown.splitlines() if station.offered()[0].title[:20] in line]
        assert lines and " 3 " in lines[0]
        assert any("All cases" in line and " 4" in line for line in shown.splitlines())


async def test_the_printer_buttons_stay_put_when_a_status_line_wraps(tmp_path):
    from textual.widgets import Label

    station = make_station(tmp_path, cases=CASES)
    app = make_app(station)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f12", *TEST_PIN, "enter")
        await pilot.pause()
        before = app.screen.query_one("#check").region
        app.screen.query_one("#printer-status", Label).update("Status: " + "the printer did not answer " * 8)
        await pilot.pause()
        assert app.screen.query_one("#printer-status").region.height > 1  # it wrapped
        assert app.screen.query_one("#check").region == before
