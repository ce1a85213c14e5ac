"""Kiosk escape: every key a visitor can press and a click on every widget, from every screen.

From each visitor screen (home, case, form, printing, thank-you, the consent question and
the address form, and the PIN prompt) the
test presses every key in KEYS (ctrl+letters, function keys, Esc, Tab, arrows, alt and
shift combinations), storms Tab/Enter and Shift+Tab/Space, and clicks every widget on it.
After each one: the app is running, no exit or suspend was asked for, no screen other
than the visitor's and the PIN prompt is open, and no organiser feature (retry, test
print, tally, case switches, reload, quit) was reached. Random key sequences (Hypothesis)
follow the same rules.
"""

from __future__ import annotations

import asyncio
import string
import threading

import pytest
from hypothesis import strategies as st

from tests.helpers import CASES, explore, sizes
from tests.helpers.kiosk_app import make_app, make_station, screen_name

SIZE = (100, 30)
CONSENT_SCREENS = {"ConsentScreen", "ContactScreen"}  # reached on a stall that asks whether we may contact visitors
VISITOR_SCREENS = {"HomeScreen", "CaseScreen", "FormScreen", "PrintingScreen", "ThanksScreen", "PinScreen",
                   *CONSENT_SCREENS}
KEYS = [
    *(f"ctrl+{c}" for c in string.ascii_lowercase),
    *(f"ctrl+shift+{c}" for c in "cqvxz"),
    *(f"alt+{c}" for c in "fqx"),
    *(f"f{n}" for n in range(1, 25)),
    "alt+f4", "ctrl+f4", "shift+f12", "ctrl+f12", "ctrl+alt+delete", "ctrl+backslash", "ctrl+right_square_bracket",
    "ctrl+underscore", "ctrl+at", "ctrl+space", "escape", "tab", "shift+tab", "enter", "space", "backspace",
    "delete", "insert", "home", "end", "pageup", "pagedown", "up", "down", "left", "right", "ctrl+home",
    "ctrl+end", "ctrl+up", "ctrl+down", "shift+up", "shift+down", "1", "9", "a", "p", "q", "x", "question_mark",
    "colon", "slash",
]
ORGANISER_FEATURES = (
    "retry", "test_print", "print_tally", "print_todays_tally", "set_enabled", "reload_cases", "printer_status",
)


@pytest.fixture(autouse=True)
def quick_pilot(monkeypatch):
    """Pilot waits for the app to go idle after each key in 20 ms naps; thousands of keys
    need shorter ones (each check below also holds at the next key and at the end)."""
    import textual._wait

    monkeypatch.setattr(textual._wait, "SLEEP_GRANULARITY", 0.004)
    monkeypatch.setattr(textual._wait, "SLEEP_IDLE", 0.0004)


class Watch:
    """The app and station, with every way out and every organiser feature recorded."""

    def __init__(self, tmp_path, monkeypatch, *, consent: bool = False):
        import os

        self.calls: list[str] = []
        self.depth: dict[str, int] = {}
        # Each visit writes a letter of its own (the clock stands still: the same letter again would be a
        # double press), and none waits for a volunteer (a load, not an abuse).
        self.station = make_station(tmp_path, cases=CASES, consent=consent, print_burst=1000, print_rate=100000)
        self.visits = 0
        self.app = make_app(self.station)
        self.hold = threading.Event()  # a print in progress waits for this: the printing screen stays
        self.hold.set()
        monkeypatch.setattr(os, "kill", lambda *a: self.calls.append("os.kill"))
        for name in ORGANISER_FEATURES:
            monkeypatch.setattr(self.station, name, self.recorder(name))
        monkeypatch.setattr(self.app, "exit", self.recorder("exit"))
        monkeypatch.setattr(self.app, "quit_kiosk", self.recorder("quit_kiosk"))
        print_signature = self.station.print_signature

        def held_print(sig, **kwargs):
            self.hold.wait(30)
            return print_signature(sig, **kwargs)

        monkeypatch.setattr(self.station, "print_signature", held_print)

    def recorder(self, name):
        return lambda *a, **k: self.calls.append(name)

    def check(self, what: str) -> None:
        app = self.app
        assert app.is_running and app.return_code is None, what
        stack = {type(s).__name__ for s in app.screen_stack}
        assert stack <= VISITOR_SCREENS, (what, stack)
        assert self.calls == [], (what, self.calls)

    async def reach(self, pilot, where: str) -> None:
        """Go to a screen from wherever the app is, the way a visitor would."""
        app = self.app
        if screen_name(app) == where and len(app.screen_stack) == self.depth.get(where, 0):
            return  # still there
        if app.busy_printing:  # let the held letter finish first
            self.hold.set()
            await app.workers.wait_for_complete()
            await pilot.pause()
        app.end_visit()  # a new visitor: nothing of the last one kept (Sign another case keeps a name)
        await pilot.pause()
        self.visits += 1
        name = f"Ada{self.visits}"
        steps = {
            "HomeScreen": [],
            "CaseScreen": ["1"],
            "FormScreen": ["1", "a"],
            "PinScreen": ["f12"],
            "PrintingScreen": ["1", "p", *name, "tab", "tab", "enter"],
            "ThanksScreen": ["1", "p", *name, "tab", "tab", "enter"],
            "ConsentScreen": ["1", "p", *name, "tab", "tab", "enter"],
            "ContactScreen": ["1", "p", *name, "tab", "tab", "enter", "y"],
        }[where]
        if where == "PrintingScreen":
            self.hold.clear()
        await pilot.press(*steps)
        if where in ("ThanksScreen", "ConsentScreen", "ContactScreen"):
            await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen_name(app) == where, (where, screen_name(app))
        self.depth[where] = len(app.screen_stack)


@pytest.mark.parametrize("where", sorted(VISITOR_SCREENS))
async def test_no_key_and_no_click_gets_out_of_the_kiosk(tmp_path, monkeypatch, where, figure):
    watch = Watch(tmp_path, monkeypatch, consent=where in CONSENT_SCREENS)
    app = watch.app
    presses = clicks = 0
    async with app.run_test(size=SIZE) as pilot:
        for key in KEYS:
            await watch.reach(pilot, where)
            await pilot.press(key)
            presses += 1
            watch.check(f"{where} {key}")
        for storm in (["tab", "enter"], ["shift+tab", "space"], ["tab"]):
            await watch.reach(pilot, where)
            for _ in range(25):
                await pilot.press(*storm)
                presses += len(storm)
                watch.check(f"{where} storm {storm}")
        await watch.reach(pilot, where)
        count = len(list(app.screen.query("*")))
        for index in range(count):
            await watch.reach(pilot, where)
            widgets = list(app.screen.query("*"))
            widget = widgets[index] if index < len(widgets) else None
            seen = widget.region.intersection(app.screen.region) if widget is not None else None
            if not seen or not seen.area:
                continue  # not shown (e.g. the Back button before a failure, or scrolled away)
            x, y = seen.center
            await pilot.click(offset=(x, y))
            await pilot.pause()
            clicks += 1
            watch.check(f"{where} click {widget!r}")
        watch.hold.set()
        await app.workers.wait_for_complete()
        assert app.is_running
    assert clicks >= 3
    figure(f"{where}: {presses} key presses, {clicks} clicks on its widgets; "
           "0 exits, 0 organiser features without the PIN")


RANDOM_KEYS = KEYS + list(string.ascii_letters + string.digits) + ["f12", "enter", "escape", "tab"] * 5


STORMS = (10, 150)


@pytest.mark.parametrize("examples", sizes(*STORMS))
def test_random_key_storms_never_get_out(tmp_path_factory, monkeypatch, examples, figure):
    @explore(examples, keys=st.lists(st.sampled_from(RANDOM_KEYS), min_size=50, max_size=300))
    def tried(keys):
        async def storm():
            watch = Watch(tmp_path_factory.mktemp("k"), monkeypatch, consent=True)
            async with watch.app.run_test(size=SIZE) as pilot:
                for key in keys:
                    await pilot.press(key)
                    watch.check(key)
                await watch.app.workers.wait_for_complete()
                watch.check("end")
            watch.station.close()

        asyncio.run(storm())
        return len(keys)

    figure(f"{len(tried)} random key sequences, {sum(tried):,} keys in all: 0 exits, 0 organiser features "
           f"without the PIN")
