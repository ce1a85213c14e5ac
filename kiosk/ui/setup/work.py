"""Slow work (looking for printers, a test print) in a daemon thread, its result handed back on the screen's thread.

Not a Textual worker: quitting never waits for a printer that does not answer (Textual waits
for its thread workers); a result that comes after the app has closed is dropped.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from textual.app import App

T = TypeVar("T")


def in_background(app: App[Any], work: Callable[[], T],
                  done: Callable[[T | None, BaseException | None], None]) -> threading.Thread:
    """Run ``work()`` in a daemon thread, then ``done(result, None)`` or ``done(None, error)`` on the app's thread."""

    def run() -> None:
        try:
            result: tuple[T | None, BaseException | None] = (work(), None)
        except Exception as exc:  # noqa: BLE001 - handed to the screen, which says it
            result = (None, exc)
        with contextlib.suppress(RuntimeError):  # the app has closed meanwhile
            app.call_from_thread(done, *result)

    thread = threading.Thread(target=run, name="setup-work", daemon=True)
    thread.start()
    return thread
