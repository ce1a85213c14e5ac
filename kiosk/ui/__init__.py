"""The kiosk app (Textual). :func:`build_app` makes it: for ``kiosk run`` and ``kiosk demo``,
for the tests and for the benchmarks alike."""

from __future__ import annotations

import datetime as dt
import gc
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..application import SettingError, Settings, Station, open_station

if TYPE_CHECKING:
    from .app import KioskApp


def build_app(settings: Settings, *, station: Station | None = None, warn: Callable[[str], None] | None = None,
              stall_clock: Callable[[], dt.datetime] | None = None,
              clock: Callable[[], float] = time.monotonic) -> KioskApp:
    """The kiosk app for ``settings``, on ``station`` (default: the one :func:`open_station`
    builds from them). The station is read in full first (printer set-up, cases, database),
    so every reason the kiosk cannot start is one KioskError naming its source.

    ``warn`` hears each case file skipped; ``stall_clock`` is the stall's clock (now);
    ``clock`` is the monotonic clock of idle time and PIN throttling."""
    from .app import KioskApp
    from .themes import theme_names

    if settings.theme not in theme_names():
        problem = f"unknown theme {settings.theme!r} (known: {', '.join(theme_names())})"
        raise settings.locate(SettingError(problem), "theme")
    station = station or open_station(settings, clock=stall_clock, warn=warn)
    station.pin_guard(clock)  # no PIN set: refused before anything is read or written
    was_on = gc.isenabled()
    gc.disable()  # what is read now lives as long as the app: no cycles to look for (KioskApp.run says more)
    try:
        return KioskApp(station.prepare(), clock=clock)
    except BaseException:
        station.close()
        raise
    finally:
        if was_on:
            gc.enable()
