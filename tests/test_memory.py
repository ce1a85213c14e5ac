"""Memory stays flat through a day of letters: no form outlives its screen."""

from __future__ import annotations

import gc

from textual.app import App, ComposeResult
from textual.widgets import TextArea

from kiosk.ui.screens.form import MessageArea
from tests.helpers import CASES
from tests.helpers.kiosk_app import make_app, make_station


def theme_watchers(app) -> list:
    return getattr(app, "__watchers", {}).get("theme", [])


async def test_textual_textarea_keeps_itself_alive_through_the_apps_theme_watcher():
    """The reproduction behind MessageArea.on_unmount: when this fails, Textual removes the watcher
    itself, and the workaround can go."""

    class Plain(App[None]):
        def compose(self) -> ComposeResult:
            yield TextArea()

    app = Plain()
    async with app.run_test() as pilot:
        await app.query_one(TextArea).remove()
        await pilot.pause()
        assert [node for node, _ in theme_watchers(app) if isinstance(node, TextArea)], "Textual fixed it"


async def test_letters_leave_no_message_box_behind(tmp_path):
    station = make_station(tmp_path, cases=CASES, print_burst=1000, print_rate=100000)
    app = make_app(station)
    async with app.run_test(size=(100, 30)) as pilot:
        case = station.offered()[0].id
        for _ in range(12):
            app.open_case(case)
            app.open_form(case, "appeal")
            await pilot.pause()
            app.end_visit()
            await pilot.pause()
        gc.collect()
        alive = [o for o in gc.get_objects() if isinstance(o, MessageArea)]
        boxes = [node for node, _ in theme_watchers(app) if isinstance(node, MessageArea)]
        assert len(boxes) == 0 and len(alive) <= 1, (len(boxes), len(alive))
