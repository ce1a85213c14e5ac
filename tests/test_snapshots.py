"""The main screens, pixel for pixel, at fixed terminal sizes, with a fixed clock and data.

Update after a deliberate change with: python -m pytest tests/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import CASES
from tests.helpers.kiosk_app import TEST_PIN, make_app, make_station

PREVIEW = Path("/tmp/kiosk-snapshots/preview")  # shown on screen, so fixed; never written to


@pytest.fixture
def app(tmp_path):
    def make(**settings):
        settings.setdefault("preview", PREVIEW)
        return make_app(make_station(tmp_path, cases=CASES, **settings))

    return make


async def _form(pilot):
    await pilot.press("enter", "a", *"Ada Lovelace", "enter", *"Stay strong, we are with you.")
    await pilot.pause()


async def _thanks(pilot):
    await pilot.press("enter", "p", *"Ada Lovelace", "tab", "tab", "enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def _organiser(pilot):
    await pilot.press("f12", *TEST_PIN, "enter")
    await pilot.pause()


def test_home_80x24(snap_compare, app):
    assert snap_compare(app(), terminal_size=(80, 24))


def test_home_wide_high_contrast(snap_compare, app):
    assert snap_compare(app(theme="kiosk-high-contrast"), terminal_size=(130, 36))


def test_case_80x24(snap_compare, app):
    assert snap_compare(app(), press=["enter"], terminal_size=(80, 24))


def test_form_80x24(snap_compare, app):
    assert snap_compare(app(), run_before=_form, terminal_size=(80, 24))


def test_form_wide(snap_compare, app):
    assert snap_compare(app(), run_before=_form, terminal_size=(130, 36))


def test_thanks_80x24(snap_compare, tmp_path, app):
    assert snap_compare(app(preview=None, printer=f"file:{tmp_path / 'printer.bin'}"), run_before=_thanks,
                        terminal_size=(80, 24))


def test_pin_80x24(snap_compare, app):
    assert snap_compare(app(), press=["f12"], terminal_size=(80, 24))


def test_organiser_80x24(snap_compare, app):
    assert snap_compare(app(), run_before=_organiser, terminal_size=(80, 24))


async def _consent(pilot):
    await pilot.press("enter", "p", *"Ada Lovelace", "tab", "tab", "enter")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def _contact(pilot):
    await _consent(pilot)
    await pilot.press("y", *"ada@gmial.com")
    await pilot.pause()


def test_consent_80x24(snap_compare, tmp_path, app):
    assert snap_compare(app(consent=True, preview=None, printer=f"file:{tmp_path / 'printer.bin'}"),
                        run_before=_consent, terminal_size=(80, 24))


def test_consent_wide(snap_compare, tmp_path, app):
    assert snap_compare(app(consent=True, preview=None, printer=f"file:{tmp_path / 'printer.bin'}"),
                        run_before=_consent, terminal_size=(130, 36))


def test_contact_80x24(snap_compare, tmp_path, app):
    assert snap_compare(app(consent=True, preview=None, printer=f"file:{tmp_path / 'printer.bin'}"),
                        run_before=_contact, terminal_size=(80, 24))


# -- in Arabic: right to left, each line shaped and in visual order ------------------------------------


async def _form_in_arabic(pilot):
    await pilot.press("down", "enter", "a", *"Ada Lovelace", "enter", *"Stay strong.")
    await pilot.pause()


def test_home_arabic_80x24(snap_compare, app):
    assert snap_compare(app(language="ar"), terminal_size=(80, 24))


def test_case_arabic_80x24(snap_compare, app):
    assert snap_compare(app(language="ar"), press=["down", "enter"], terminal_size=(80, 24))


def test_form_arabic_80x24(snap_compare, app):
    assert snap_compare(app(language="ar"), run_before=_form_in_arabic, terminal_size=(80, 24))
