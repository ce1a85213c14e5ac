"""Memory stays flat through a day of letters: no form outlives its screen, no dead widget its
rendered lines (benchmarks/memory.py measures the megabytes over 900 letters)."""

from __future__ import annotations

import gc
import weakref

from textual.app import App, ComposeResult
from textual.strip import Strip
from textual.widgets import TextArea

from kiosk.application import Letter
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


def test_textual_styles_cache_keeps_dead_widgets_alive_through_its_colour_cache():
    """The reproduction behind kiosk/ui/textual_fixes.py: Textual's ``get_inner_outer`` is an
    lru_cache on a method, so it keeps every widget's styles cache it was asked through (and the
    lines that cache holds). When this fails, Textual fixed it, and the work-around can go."""
    from textual._styles_cache import StylesCache
    from textual.color import Color

    from kiosk.ui.textual_fixes import ORIGINAL_GET_INNER_OUTER

    cache = StylesCache()
    gone = weakref.ref(cache)
    kept = ORIGINAL_GET_INNER_OUTER(cache, Color(10, 20, 30), Color(40, 50, 60))
    del cache
    gc.collect()
    try:
        assert gone() is not None, "Textual fixed it"
    finally:
        ORIGINAL_GET_INNER_OUTER.cache_clear()
    # the work-around works out the same colours, and keeps no widget's cache
    cache = StylesCache()
    gone = weakref.ref(cache)
    assert cache.get_inner_outer(Color(10, 20, 30), Color(40, 50, 60)) == kept
    del cache
    gc.collect()
    assert gone() is None


def rendered_lines() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, Strip))


async def test_a_session_keeps_no_more_lines_after_more_letters(tmp_path):
    """Letters through the app (form, save, print, the consent question, thank-you, home): the
    rendered lines alive at the end of a visit stay as many, letter after letter (Textual's colour
    cache kept dead widgets' lines, about 1,200 more a letter until it held 1,024 widgets)."""
    station = make_station(tmp_path, cases=CASES, consent=True, print_burst=1000, print_rate=100000)
    app = make_app(station)
    cases = [c.id for c in station.offered()]
    counts = []
    async with app.run_test(size=(100, 30)) as pilot:
        for i in range(WARM + LETTERS):
            case, kind = cases[i % len(cases)], ("appeal" if i % 2 else "postcard")
            app.open_case(case)
            app.open_form(case, kind)
            await pilot.pause()
            assert app.start_print(Letter(case, kind, f"Visitor {i}", "Stay strong. " * (i % 8)))
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert type(app.screen).__name__ == "ConsentScreen", type(app.screen).__name__
            await pilot.press("n")  # "Would you like to hear from us?": No, thanks
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert type(app.screen).__name__ == "ThanksScreen", type(app.screen).__name__
            app.go_home()
            await pilot.pause()
            if i + 1 in (WARM, WARM + LETTERS):
                counts.append(rendered_lines())
        assert station.count_today() == WARM + LETTERS
    station.close()
    early, late = counts
    assert late - early <= 2 * LETTERS, counts  # flat; about 1,200 more a letter before the work-around


WARM, LETTERS = 2, 4
