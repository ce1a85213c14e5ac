"""The app's start: the first frame before the whole list, and the printing code warmed after it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading

import pytest
from textual.color import Color
from textual.theme import BUILTIN_THEMES
from textual.widgets import OptionList

from kiosk.store import Store
from kiosk.ui import app as app_module
from kiosk.ui.screens import home
from kiosk.ui.themes import KIOSK_THEMES
from tests.helpers import CASES, ROOT
from tests.helpers.fake_printer import FakePrinter, strip_status
from tests.helpers.kiosk_app import make_app, make_station

SIZE = (100, 30)


def many_cases(tmp_path, count):
    folder = tmp_path / "many"
    folder.mkdir()
    samples = sorted(p for p in CASES.glob("*.toml") if p.name != "consent.toml")
    for i in range(count):
        text = samples[i % len(samples)].read_text(encoding="utf-8").replace('title = "', f'title = "{i + 100}: ', 1)
        (folder / f"case-{i:03d}.toml").write_text(text, encoding="utf-8")
    return folder


async def test_the_first_frame_lists_the_first_cases_and_the_rest_follow(tmp_path, monkeypatch):
    monkeypatch.setattr(home, "FIRST_FRAME_CASES", 5)
    station = make_station(tmp_path, cases=many_cases(tmp_path, 12))
    app = make_app(station)
    listed = []
    original = home.HomeScreen.refresh_cases

    def noted(screen, first=None):
        original(screen, first)
        listed.append(screen.query_one("#cases", OptionList).option_count)

    monkeypatch.setattr(home.HomeScreen, "refresh_cases", noted)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert listed == [5]  # the first frame
        await pilot.pause(home.REST_AFTER + 0.2)
        cases = app.screen.query_one("#cases", OptionList)
        assert listed == [5, 12] and cases.option_count == 12  # once each: not the whole list twice at start
        assert [cases.get_option_at_index(i).id for i in range(12)] == [c.id for c in station.offered()]
        await pilot.press("down", "down")
        app.screen.list_the_rest()  # the list filled again where a visitor had moved: the highlight stays
        assert cases.highlighted == 2


@pytest.mark.parametrize("theme", ["kiosk-light", "textual-dark"])  # another theme than Textual's, and its own
async def test_the_theme_is_applied_with_one_parse_of_the_style_sheets(tmp_path, monkeypatch, theme):
    from textual.css.stylesheet import Stylesheet

    reparsed = []
    original = Stylesheet.reparse
    monkeypatch.setattr(Stylesheet, "reparse", lambda sheet: (reparsed.append(1), original(sheet))[1])
    station = make_station(tmp_path, cases=CASES, theme=theme)
    app = make_app(station)
    themes = {**BUILTIN_THEMES, **KIOSK_THEMES}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert reparsed == []
        assert app.screen.styles.background == Color.parse(app.get_css_variables()["background"])
        if theme in KIOSK_THEMES:
            assert app.screen.styles.background == Color.parse(KIOSK_THEMES[theme].background)
            assert app.has_class(f"-theme-{theme}")
        assert app.has_class("-dark-mode" if themes[theme].dark else "-light-mode")
        app.theme = "kiosk-dark"  # and a later change is applied as Textual applies it
        await pilot.pause()
        assert app.screen.styles.background == Color.parse(KIOSK_THEMES["kiosk-dark"].background)


async def test_the_printing_is_warmed_after_the_first_frame_sending_and_writing_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(app_module, "WARM_UP_AFTER", 0.05)
    printer = FakePrinter("ok")
    station = make_station(tmp_path, cases=CASES, printer=printer.spec)
    warmed = threading.Event()
    original = station.warm_up

    def warm_up():
        original()
        warmed.set()

    monkeypatch.setattr(station, "warm_up", warm_up)
    app = make_app(station)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.1)
        assert warmed.wait(10)
    printer.close()
    assert all(strip_status(data) == b"" for _, data in printer.received)  # the watch's questions; no job
    with Store(station.settings.database) as store:
        assert list(store.export_rows()) == [] and not store.jobs()
    assert not (tmp_path / "preview").exists()


def test_a_fresh_station_warmed_loads_what_the_first_letter_needs(tmp_path):
    folder = tmp_path / "cases"
    shutil.copytree(CASES, folder)
    code = f"""
import sys
from pathlib import Path
from kiosk.application import open_station
from kiosk.settings import Settings
station = open_station(Settings(cases=Path({str(folder)!r}), allow_sample_cases=True, printer="tcp://127.0.0.1:9",
                                database=Path({str(tmp_path / 'k.db')!r}), preview=Path({str(tmp_path / 'p')!r})))
station.prepare()
before = {{m for m in ("escpos.printer", "kiosk.printing.render", "qrcode", "PIL.ImageDraw") if m in sys.modules}}
station.warm_up()
after = {{m for m in ("escpos.printer", "kiosk.printing.render", "qrcode", "PIL.ImageDraw") if m in sys.modules}}
print(sorted(before), sorted(after))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split("\n")[0] == "[] ['PIL.ImageDraw', 'escpos.printer', 'kiosk.printing.render', 'qrcode']"


def test_the_cycle_collector_pauses_until_the_first_frame_and_only_then(tmp_path, monkeypatch):
    import gc

    from textual.app import App

    station = make_station(tmp_path, cases=CASES)
    app = make_app(station)
    assert gc.isenabled()  # building the app leaves it as it was
    during = []

    def run(self, *args, **kwargs):
        during.append(gc.isenabled())
        monkeypatch.setattr(self, "set_timer", lambda *a, **k: None)
        self.on_ready()  # the first frame is up
        during.append(gc.isenabled())

    monkeypatch.setattr(App, "run", run)
    app.run()
    assert during == [False, True] and gc.isenabled()
    station.close()
