"""Before the idle reset: "Still there?", with a short countdown that any key or touch cancels.

The app asks :class:`StillThereWatch` once a second how long the screen has left before it goes
home (``KioskApp.reset_if_idle``); in the last :data:`STILL_THERE` seconds
(half the screen's time when that is shorter) a banner at the top of the screen says so and
counts down. A key or a touch is activity: the banner goes at once, and the minute starts
again. The key that answers it does nothing else (Enter on the thank-you screen would end the
visit, Y on the consent question would answer it); a touch does what it touches.

The banner lies on a layer of its own, so the screen under it never moves.
"""

from __future__ import annotations

import math

from textual.screen import Screen
from textual.widgets import Static

from ...application import N_
from .base import OnKiosk

STILL_THERE = 10.0  # seconds of warning before the idle reset
TITLE = N_("Still there?")
STAY = N_("Press any key or touch the screen to stay.")


def warning_time(limit: float) -> float:
    """How long before the reset the warning shows: STILL_THERE, or half the screen's time if shorter."""
    return min(STILL_THERE, limit / 2)


class StillThere(Static):
    """The banner: the question and the seconds left, in the screen's language."""

    DEFAULT_CSS = """
    StillThere {
        layer: still-there;
        dock: top;
        width: 100%;
        height: auto;
        padding: 0 2;
        border: thick $warning;
        background: $surface;
        color: $foreground;
        text-align: center;
    }
    """


class StillThereWatch:
    """The one banner of the app: on the screen it warns, or on none."""

    def __init__(self) -> None:
        self.banner: StillThere | None = None
        self.on: Screen[object] | None = None

    @property
    def shown(self) -> bool:
        return self.banner is not None

    def update(self, screen: Screen[object], left: float | None, limit: float | None) -> None:
        """``screen`` has ``left`` seconds of its ``limit`` before it goes home (None: it never does)."""
        if left is None or limit is None or left > warning_time(limit) or not isinstance(screen, OnKiosk):
            self.cancel()
            return
        if self.on is not screen:
            self.cancel()
        seconds = max(1, math.ceil(left))
        countdown = screen.ngettext("Back to the start in {n} second.", "Back to the start in {n} seconds.",
                                    seconds).format(n=screen.lang.number(seconds))
        text = "\n".join((screen._(TITLE), countdown, screen._(STAY)))
        if self.banner is None:
            self.banner, self.on = StillThere(screen.shown(text), id="still-there"), screen
            screen.mount(self.banner)
        else:
            self.banner.update(screen.shown(text))

    def cancel(self) -> bool:
        """Take the banner away; True if it was up."""
        banner, self.banner, self.on = self.banner, None, None
        if banner is None:
            return False
        if banner.is_attached:
            banner.remove()
        return True
