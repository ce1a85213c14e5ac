"""Building the kiosk app for Pilot tests: a fixed calendar, a fake idle clock, a test PIN."""

from __future__ import annotations

import datetime as dt
import shutil
from functools import lru_cache
from pathlib import Path

from kiosk.application import Station, open_station
from kiosk.consent import CONSENT_FILE
from kiosk.pin import hash_pin
from kiosk.settings import Settings
from kiosk.ui import build_app
from kiosk.ui.app import KioskApp
from tests.helpers import CASES

TEST_PIN = "1357"
NOON = dt.datetime(2026, 11, 24, 12, 0).astimezone()


@lru_cache(maxsize=1)
def test_pin_hash() -> str:
    return hash_pin(TEST_PIN, salt=b"kiosk-test-salt!")


class FakeClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def without_consent(cases: Path, tmp_path: Path) -> Path:
    """The shipped sample cases without their consent wording (a stall that asks nobody), as a
    copy; any other folder as it is."""
    if Path(cases).resolve() != CASES.resolve():
        return cases
    copy = tmp_path / "cases-without-consent"
    if not copy.is_dir():
        copy.mkdir()
        for path in cases.glob("*.toml"):
            if path.name != CONSENT_FILE:
                shutil.copy2(path, copy / path.name)
    return copy


def make_station(tmp_path: Path, *, cases: Path, printer: str | None = None, warn=None, consent: bool = False,
                 **settings) -> Station:
    """A station at noon on a fixed day. The tests write for the shipped sample cases, so
    they are allowed here (a real stall's settings leave them off). ``consent``: with the
    shipped cases, the stall asks visitors whether we may contact them (the sample wording);
    without it they are read from a copy that has no consent wording."""
    if not consent:
        cases = without_consent(cases, tmp_path)
    values = {
        "campaign": "Letters for Freedom", "event": "Test Fest", "kiosk_id": "stall-1", "cases": cases,
        "allow_sample_cases": True, "printer": printer, "database": tmp_path / "kiosk.db",
        "preview": tmp_path / "preview", "pin_hash": test_pin_hash(),
    }
    return open_station(Settings(**{**values, **settings}), clock=lambda: NOON, warn=warn).prepare()


def make_app(station: Station, clock: FakeClock | None = None) -> KioskApp:
    """The app as ``kiosk run`` builds it, on ``station``, with an idle clock that moves when told."""
    app = build_app(station.settings, station=station, clock=clock or FakeClock())
    app.animation_level = "none"
    return app


def screen_text(app) -> str:
    """What the terminal shows, as plain text lines."""
    return "\n".join(strip.text.rstrip() for strip in app.screen._compositor.render_strips())


def screen_name(app) -> str:
    return type(app.screen).__name__
