"""`kiosk setup`, the first-run assistant, driven with Pilot at 80x24 from the first step to the
settings file: against a loopback network printer and a serial printer on a pseudo-terminal
(the test receipts decoded from the bytes they received), with "no" and another paper width,
Esc back, quitting (nothing written), bad values, and the file it writes loading as
`kiosk run` reads it."""

from __future__ import annotations

import asyncio
import stat
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from textual import events

from kiosk.application import open_assistant
from kiosk.cli import cli
from kiosk.pin import verify_pin
from kiosk.printing import detect as detect_module
from kiosk.settings import resolve
from kiosk.ui.setup import SetupApp, SetupResult
from tests.helpers import CASES
from tests.helpers.escpos_stream import decode
from tests.helpers.fake_devices import HOSTILE, MARKUP, FakeUsbDevice, SerialPrinter, fake_ports, fake_usb, port_info
from tests.helpers.fake_printer import FakePrinter, strip_status
from tests.helpers.kiosk_app import screen_text

PIN = "8642"


@pytest.fixture
def no_devices(monkeypatch, tmp_path):
    fake_usb(monkeypatch)
    fake_ports(monkeypatch)
    monkeypatch.setattr(detect_module, "LP_DEVICES", str(tmp_path / "no-such-lp*"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))


@pytest.fixture
def printer():
    fake = FakePrinter()
    yield fake
    fake.close()


@pytest.fixture
def serial_printer():
    fake = SerialPrinter()
    yield fake
    fake.close()


def step(app) -> str:
    return type(app.screen).__name__


async def until(pilot, condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"waited {timeout} s on {step(pilot.app)}:\n{screen_text(pilot.app)}"
        await pilot.pause(0.02)


async def typed(pilot, text: str) -> None:
    """Typed into the focused field: key by key when short (a PIN), else pasted (each key press costs ~60 ms)."""
    if len(text) <= 4:
        for ch in text:
            await pilot.press("space" if ch == " " else ch)
        return
    pilot.app.focused.post_message(events.Paste(text))
    await pilot.pause()


async def printed(pilot) -> None:
    """The test step's print has ended (the question is asked, or the failure said)."""
    await until(pilot, lambda: step(pilot.app) == "TestStep" and not pilot.app.screen.printing)


async def answer_yes_and_finish(pilot, *, pin: str | None = PIN, event="Summer Fest", kiosk_id="stall-2",
                                samples=True) -> None:
    """From "Did it print correctly?": yes, the PIN twice, the event, the kiosk id, the cases, write."""
    await pilot.press("y")
    await until(pilot, lambda: step(pilot.app) == "PinStep")
    await typed(pilot, pin or "")  # none: the file's PIN is kept
    await pilot.press("enter")
    await typed(pilot, pin or "")
    await pilot.press("enter")
    await until(pilot, lambda: step(pilot.app) == "StallStep")
    app = pilot.app
    app.screen.query_one("#event").value = ""
    await typed(pilot, event)
    await pilot.press("enter")
    app.screen.query_one("#kiosk-id").value = ""
    await typed(pilot, kiosk_id)
    await pilot.press("enter")
    await until(pilot, lambda: step(app) == "CasesStep")
    if samples:
        await pilot.press("tab")
        await pilot.press("space")  # the samples: this test has no campaign's cases
    await pilot.press("enter")
    await until(pilot, lambda: step(app) == "WriteStep")
    await pilot.press("enter")
    await until(pilot, lambda: step(app) == "DoneStep")


def settings_of(path: Path):
    return resolve(config=path, environ={}, require_file=True)


def run_app(assistant, body):
    async def main():
        app = SetupApp(assistant)
        async with app.run_test(size=(80, 24)) as pilot:
            await body(pilot)
            await pilot.pause(0.05)
        return app

    return asyncio.run(main())


# -- a network printer, end to end --------------------------------------------------------------


def test_setup_with_a_network_printer_no_then_58_mm_then_yes(tmp_path, no_devices, printer, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "stall.toml"
    shown = {}

    async def body(pilot):
        app = pilot.app
        await until(pilot, lambda: "No printer found" in screen_text(app))
        await pilot.press("n")
        await until(pilot, lambda: step(app) == "NetworkStep")
        await typed(pilot, f"127.0.0.1:{printer.port}")
        await pilot.press("enter")
        await printed(pilot)
        shown["first"] = screen_text(app)
        await pilot.press("n")  # it did not print correctly: another width
        await until(pilot, lambda: step(app) == "AdjustStep")
        shown["adjust"] = screen_text(app)
        await pilot.click("#paper-58")
        await pilot.pause(0.05)
        await pilot.click("#again")
        await until(pilot, lambda: step(app) == "TestStep")
        await printed(pilot)
        shown["second"] = screen_text(app)
        await answer_yes_and_finish(pilot)
        shown["done"] = screen_text(app)
        await pilot.press("enter")

    app = run_app(open_assistant(path), body)
    assert isinstance(app.return_value, SetupResult) and app.return_value.written.path == path

    printer.settle()
    (_, first), (_, second) = printer.received[:2]
    first, second = decode(strip_status(first), "TM-T20II"), decode(strip_status(second), "POS-5890")
    assert "Printer test" in first.text and "Width: 48 columns" in first.text
    assert "Width: 32 columns" in second.text and "POS-5890" in second.text
    assert "Did it print correctly?" in shown["first"]
    assert "58 mm" in shown["adjust"] and "80 mm" in shown["adjust"]
    assert "58 mm paper, 32 characters a line · profile POS-5890" in " ".join(shown["second"].split())
    assert f"kiosk run --config {path}".replace(" ", "") in "".join(shown["done"].split())  # wrapped, all there

    settings = settings_of(path)
    assert settings.printer == f"tcp://127.0.0.1:{printer.port}?paper=58&profile=POS-5890"
    assert settings.event == "Summer Fest" and settings.kiosk_id == "stall-2"
    assert verify_pin(PIN, settings.pin_hash)
    assert settings.allow_sample_cases and settings.cases == CASES  # no ./cases here: the shipped samples, ticked
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "# The kiosk's settings for one stall." in path.read_text()  # the template's comments


# -- a serial printer on a pseudo-terminal ----------------------------------------------------------


def test_setup_with_a_serial_printer_found_on_a_pseudo_terminal(tmp_path, no_devices, serial_printer, monkeypatch):
    fake_ports(monkeypatch, port_info(serial_printer.path, manufacturer="Prolific", product="Thermal"))
    path = tmp_path / "x" / "stall.toml"

    async def body(pilot):
        app = pilot.app
        await until(pilot, lambda: serial_printer.path in screen_text(app))
        await pilot.press("enter")  # the one found, highlighted
        await printed(pilot)
        assert "Did it print correctly?" in screen_text(app)
        await answer_yes_and_finish(pilot)
        await pilot.press("enter")

    run_app(open_assistant(path), body)
    receipt = decode(serial_printer.wait_for(1000), "TM-T20II")
    assert "Printer test" in receipt.text and "Width: 48 columns" in receipt.text
    settings = settings_of(path)
    assert settings.printer == f"serial:{serial_printer.path}?paper=80&profile=TM-T20II&baud=9600"
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700  # made for it, the owner's only


# -- going back, quitting, bad values -------------------------------------------------------------------


def test_quitting_before_the_end_writes_nothing_and_esc_goes_back(tmp_path, no_devices, printer):
    path = tmp_path / "stall.toml"
    path.write_text('# my stall\nevent = "Old Fest"\n')
    before = path.read_bytes()
    seen = []

    async def body(pilot):
        app = pilot.app
        await until(pilot, lambda: not app.scanning)
        await pilot.press("n")
        await typed(pilot, f"127.0.0.1:{printer.port}")
        await pilot.press("enter")
        await printed(pilot)
        await pilot.press("y")
        await until(pilot, lambda: step(app) == "PinStep")
        await pilot.press("escape")
        seen.append(step(app))  # back to the test print
        await pilot.press("y")
        await until(pilot, lambda: step(app) == "PinStep")
        await typed(pilot, PIN)
        await pilot.press("ctrl+q")

    app = run_app(open_assistant(path), body)
    assert seen == ["TestStep"]
    assert app.return_value.written is None
    assert path.read_bytes() == before


def test_bad_values_are_refused_where_they_are_typed(tmp_path, no_devices):
    from kiosk.application import PrinterChoice
    from kiosk.ui.setup.steps import PinStep

    path = tmp_path / "stall.toml"
    said = {}

    async def body(pilot):
        app = pilot.app
        await until(pilot, lambda: not app.scanning)
        await pilot.press("n")
        await typed(pilot, "printer.example bad")
        await pilot.press("enter")
        said["address"] = screen_text(app)
        app.draft.choice = PrinterChoice("tcp://127.0.0.1:9100", "network")  # as if it had printed right
        app.push_screen(PinStep())
        await until(pilot, lambda: step(app) == "PinStep")
        await typed(pilot, "12")
        await pilot.press("enter")
        await typed(pilot, "12")
        await pilot.press("enter")
        said["short pin"] = screen_text(app)
        await typed(pilot, PIN)
        await pilot.press("enter")
        await typed(pilot, "1111")
        await pilot.press("enter")
        said["mismatch"] = screen_text(app)
        await typed(pilot, PIN)
        await pilot.press("enter")
        await until(pilot, lambda: step(app) == "StallStep")
        app.screen.query_one("#event").value = "   "
        await pilot.press("enter")
        await pilot.press("enter")
        said["event"] = screen_text(app)
        app.screen.query_one("#event").value = "Fest"
        app.screen.query_one("#kiosk-id").value = "two laptops!"
        app.screen.query_one("#kiosk-id").focus()
        await pilot.press("enter")
        said["kiosk id"] = screen_text(app)
        said["still"] = step(app)

    run_app(open_assistant(path), body)
    assert "Not an address the kiosk can use" in said["address"]
    assert "use 4 to 12 digits" in said["short pin"]
    assert "The two entries differ" in said["mismatch"]
    assert "The event name:" in said["event"]
    assert "The kiosk id:" in said["kiosk id"] and said["still"] == "StallStep"
    assert not path.exists()


def test_an_existing_file_keeps_its_lines_and_its_pin_when_none_is_typed(tmp_path, no_devices, printer):
    from kiosk.settings import set_pin

    path = tmp_path / "stall.toml"
    set_pin(path, "2468")
    path.write_text(path.read_text().replace('theme = "kiosk-dark"', '# a note of ours\ntheme = "kiosk-light"'))
    old_hash = settings_of(path).pin_hash

    async def body(pilot):
        app = pilot.app
        await until(pilot, lambda: not app.scanning)
        await pilot.press("n")
        await typed(pilot, f"127.0.0.1:{printer.port}")
        await pilot.press("enter")
        await printed(pilot)
        await answer_yes_and_finish(pilot, pin=None, kiosk_id="stall-3")
        await pilot.press("enter")

    run_app(open_assistant(path), body)
    settings = settings_of(path)
    assert settings.pin_hash == old_hash and settings.theme == "kiosk-light" and settings.kiosk_id == "stall-3"
    assert "# a note of ours" in path.read_text()


def test_hostile_device_names_are_shown_as_plain_text(tmp_path, no_devices, monkeypatch):
    fake_usb(monkeypatch, FakeUsbDevice(0x04B8, 0x0E15, manufacturer=f"{MARKUP}Evil", product="[b]TM[/b]"),
             FakeUsbDevice(0x0519, 0x0001, manufacturer=HOSTILE, product="x"))
    seen = {}

    async def body(pilot):
        app = pilot.app
        await until(pilot, lambda: "0519:0001" in screen_text(app))
        await pilot.click("#printers")
        seen["screen"] = screen_text(app)
        seen["running"] = app.is_running

    run_app(open_assistant(tmp_path / "stall.toml"), body)
    assert f"{MARKUP}Evil [b]TM[/b]" in seen["screen"] and seen["running"]  # words, never markup
    assert "\x1b" not in seen["screen"] and "]52;c;" in seen["screen"]  # the OSC 52 write, as inert text


def test_a_denied_printer_shows_its_fix_and_quitting_gives_it_again(tmp_path, no_devices, monkeypatch):
    import errno

    fake_usb(monkeypatch, FakeUsbDevice(0x04B8, 0x0E15, open_errno=errno.EACCES))
    seen = {}

    async def body(pilot):
        app = pilot.app
        await until(pilot, lambda: "udevadm" in screen_text(app))  # the highlighted printer's fix, below the list
        seen["screen"] = screen_text(app)
        await pilot.press("ctrl+q")

    app = run_app(open_assistant(tmp_path / "stall.toml"), body)
    assert "Permission denied" in seen["screen"] and "udevadm" in seen["screen"]
    assert any("udevadm" in line for line in app.return_value.fix)


# -- the command ------------------------------------------------------------------------------------------


def test_the_command_says_what_it_wrote_or_that_nothing_was(tmp_path, monkeypatch):
    from kiosk.application.setup import Written
    from kiosk.ui import setup as setup_ui

    path = tmp_path / "stall.toml"
    monkeypatch.setattr(setup_ui, "run_setup", lambda assistant: SetupResult(None, ["sudo usermod -aG lp $USER"]))
    result = CliRunner().invoke(cli, ["setup", "--config", str(path)])
    assert result.exit_code == 1 and "nothing was written" in result.output and "usermod" in result.output
    monkeypatch.setattr(setup_ui, "run_setup", lambda assistant: SetupResult(Written(path, True, ("KIOSK_ID",))))
    result = CliRunner().invoke(cli, ["setup", "--config", str(path)])
    assert result.exit_code == 0
    assert f"Start the kiosk with: kiosk run --config {path}" in result.output
    assert "KIOSK_ID is set here" in result.output


def test_a_settings_file_that_does_not_load_is_one_line_before_anything(tmp_path):
    path = tmp_path / "stall.toml"
    path.write_text("idle_timeout = 1\n")
    result = CliRunner().invoke(cli, ["setup", "--config", str(path)])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {path}: idle_timeout: 1 seconds; use 5 to 3600"


def test_kiosk_run_accepts_what_setup_wrote(tmp_path, monkeypatch):
    """The file the assistant writes starts the kiosk (its station prepared, as `kiosk run` does)."""
    from kiosk.application import PrinterChoice, open_station

    path = tmp_path / "stall.toml"
    assistant = open_assistant(path)
    assistant.write(PrinterChoice(f"file:{tmp_path / 'out.bin'}", "file"), pin=PIN, event="Fest", kiosk_id="a-1",
                    cases=CASES, allow_samples=True)
    settings = settings_of(path)
    station = open_station(settings).prepare()
    try:
        station.pin_guard(time.monotonic)
        assert station.setup.type == "file" and station.offered()
    finally:
        station.close()
