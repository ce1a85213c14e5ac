"""What the first-run assistant checks before it writes anything (kiosk.application.setup), and the
settings writer it uses (kiosk.settings.files.write_settings): every value as `kiosk run` would
take it, and a file written only when it loads."""

from __future__ import annotations

import asyncio

import pytest
from textual import events

from kiosk.application import PrinterChoice, open_assistant
from kiosk.errors import InputError, SettingError
from kiosk.settings import resolve
from kiosk.settings.files import write_settings
from tests.helpers import CASES


@pytest.mark.parametrize(("typed", "spec"), [
    ("192.168.1.50", "tcp://192.168.1.50:9100?paper=80&profile=TM-T20II"),
    ("printer.local:9101", "tcp://printer.local:9101?paper=80&profile=TM-T20II"),
    ("::1", "tcp://[::1]:9100?paper=80&profile=TM-T20II"),
    ("[fd00::5]:9100", "tcp://[fd00::5]:9100?paper=80&profile=TM-T20II"),
    ("tcp://10.0.0.5:9100?paper=58&status=0", "tcp://10.0.0.5:9100?paper=58&profile=TM-T20II&status=0"),
    ("serial:/dev/ttyUSB0?baud=19200", "serial:/dev/ttyUSB0?paper=80&profile=TM-T20II&baud=19200"),
    ("usb:04b8:0e15", "usb:04b8:0e15?paper=80&profile=TM-T20II"),
    ("file:/dev/usb/lp0?paper=58&profile=POS-5890", "file:/dev/usb/lp0?paper=58&profile=POS-5890"),
])
def test_a_typed_address_or_spec_becomes_the_printer_setting(typed, spec):
    assert open_assistant.__module__  # the assistant's own parser, as the screen uses it
    from kiosk.application.setup import network_printer

    assert network_printer(typed).spec == spec


@pytest.mark.parametrize("typed", ["", "two words", "host:0", "host:abc", "host:", "[::1]:99999", "x/y",
                                   "user@host", "http://x", "usb:zz:01", "serial:", "tcp://h:1?bogus=1",
                                   "serial:/dev/x?paper=70"])
def test_a_bad_address_is_refused_naming_it(typed):
    from kiosk.application.setup import network_printer

    with pytest.raises(InputError) as raised:
        network_printer(typed)
    assert raised.value.field == "address"


def test_another_width_brings_its_profile_unless_one_was_chosen():
    choice = PrinterChoice("tcp://h:9100", "network")
    assert choice.with_paper(58).profile == "POS-5890"
    assert choice.changed(profile="TM-T88V").with_paper(58).profile == "TM-T88V"
    with pytest.raises(InputError):
        choice.changed(paper=70)
    with pytest.raises(InputError):
        choice.changed(profile="no-such-printer")
    assert choice.changed(status=False).spec == "tcp://h:9100?paper=80&profile=TM-T20II&status=0"
    assert PrinterChoice("file:/x", "file").changed(status=True).status is None  # a file cannot answer


def test_write_settings_writes_only_what_loads(tmp_path):
    path = tmp_path / "stall.toml"
    path.write_text('# ours\nevent = "Fest"\n')
    before = path.read_bytes()
    for values in ({"kiosk_id": "two laptops!"}, {"event": ""}, {"idle_timeout": "soon"}, {"pin_hash": "1234"}):
        with pytest.raises(SettingError) as raised:
            write_settings(path, values)
        assert raised.value.source == str(path) and raised.value.field == next(iter(values))
        assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stall.toml"]  # no checking file left behind
    write_settings(path, {"kiosk_id": "stall-1", "allow_sample_cases": True})
    settings = resolve(config=path, environ={})
    assert settings.kiosk_id == "stall-1" and settings.allow_sample_cases and settings.event == "Fest"
    assert path.read_text().startswith("# ours\n")


def test_a_file_broken_after_the_assistant_read_it_is_not_written_over(tmp_path):
    path = tmp_path / "stall.toml"
    path.write_text('event = "Fest"\n')
    assistant = open_assistant(path)
    path.write_text('event = "Fest"\nidle_timeout = 1\n')  # edited meanwhile, by hand
    with pytest.raises(SettingError) as raised:
        assistant.write(PrinterChoice("tcp://h:9100", "network"), pin="1357", event="Fest", kiosk_id="a",
                        cases=CASES, allow_samples=True)
    assert raised.value.field == "idle_timeout" and raised.value.source == str(path)
    assert path.read_text() == 'event = "Fest"\nidle_timeout = 1\n'


def test_no_pin_at_all_is_refused(tmp_path):
    assistant = open_assistant(tmp_path / "stall.toml")
    with pytest.raises(SettingError) as raised:
        assistant.write(PrinterChoice("tcp://h:9100", "network"), pin=None, event="Fest", kiosk_id="a",
                        cases=CASES, allow_samples=True)
    assert raised.value.field == "pin_hash"
    assert not (tmp_path / "stall.toml").exists()


def test_keys_typed_in_a_burst_land_in_the_field_they_were_typed_for(tmp_path):
    """Enter moves to the next field as the key comes: the PIN typed right after it goes to the
    second field, never the first (a paste, a fast typist, a barcode reader, tmux)."""
    from kiosk.ui.setup import SetupApp
    from kiosk.ui.setup.steps import PinStep

    async def main():
        app = SetupApp(open_assistant(tmp_path / "stall.toml"))
        async with app.run_test(size=(80, 24)) as pilot:
            app.draft.choice = PrinterChoice("tcp://h:9100", "network")
            app.push_screen(PinStep())
            await pilot.pause(0.1)
            for key in [*"1357", "enter", *"1357", "enter"]:
                app.post_message(events.Key(key, key if len(key) == 1 else None))
            await pilot.pause(0.3)
            return type(app.screen).__name__, app.draft.pin

    assert asyncio.run(main()) == ("StallStep", "1357")
