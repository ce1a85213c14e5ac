"""Finding printers (kiosk.printing.detect, `kiosk printer detect`): USB at the pyusb boundary,
serial printers on pseudo-terminals at the pyserial boundary, device files, CUPS through a fake
lpstat; each problem with its fix, and every word a device says shown as plain text."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import stat

import pytest
import usb.core
from click.testing import CliRunner

from kiosk.cli import cli
from kiosk.printing import detect as detect_module
from kiosk.printing.detect import detect
from tests.helpers.fake_devices import (
    HOSTILE,
    MARKUP,
    FakeUsbDevice,
    SerialPrinter,
    fake_ports,
    fake_usb,
    port_info,
)

EPSON, WINBOND = 0x04B8, 0x0416


@pytest.fixture
def nothing_else(monkeypatch, tmp_path):
    """No real USB bus, serial ports, /dev/usb/lp* or CUPS: only what a test puts there."""
    fake_usb(monkeypatch)
    fake_ports(monkeypatch)
    monkeypatch.setattr(detect_module, "LP_DEVICES", str(tmp_path / "no-such-lp*"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))


@pytest.fixture
def serial_printer():
    printer = SerialPrinter()
    yield printer
    printer.close()


def specs(found):
    return [item.spec for item in found]


# -- USB ----------------------------------------------------------------------------------------


def test_usb_printers_and_receipt_printer_makers_are_found_and_nothing_else(nothing_else, monkeypatch):
    epson = FakeUsbDevice(EPSON, 0x0E15)
    generic = FakeUsbDevice(WINBOND, 0x5011, manufacturer=None, product="POS58 Printer")
    office = FakeUsbDevice(0x03F0, 0x1234, manufacturer="HP", product="LaserJet")  # a printer-class device
    star = FakeUsbDevice(0x0519, 0x0003, classes=(0xFF,), manufacturer="STAR", product="TSP100")  # vendor class
    keyboard = FakeUsbDevice(0x046D, 0xC31C, classes=(3,), manufacturer="Logitech", product="Keyboard")
    st_link = FakeUsbDevice(0x0483, 0x3748, classes=(8,), manufacturer="STM", product="ST-LINK")  # a chip maker's disk
    fake_usb(monkeypatch, keyboard, office, generic, st_link, epson, star)
    found = detect().found
    # receipt printer makers first, then other printers; never the keyboard or the ST-Link
    assert specs(found) == ["usb:04b8:0e15", "usb:0519:0003", "usb:0416:5011", "usb:03f0:1234"]
    assert found[0].description == "EPSON TM-T20II (USB 04b8:0e15)"
    assert found[2].description == "POS58 Printer (USB 0416:5011)"
    assert all(item.problem is None and item.fix is None and item.kind == "usb" for item in found)
    assert epson.claimed == set() and epson.disposed  # tried and released: never left claimed


def test_a_usb_printer_this_user_may_not_open_gets_the_udev_rule(nothing_else, monkeypatch):
    fake_usb(monkeypatch, FakeUsbDevice(EPSON, 0x0E15, open_errno=errno.EACCES))
    (item,) = detect().found
    assert item.spec == "usb:04b8:0e15" and item.reason == "denied"
    assert "permission denied" in item.problem
    assert item.description == "Epson (USB 04b8:0e15)"  # its own strings cannot be read: the maker's name
    rule = ('SUBSYSTEM=="usb", ATTRS{idVendor}=="04b8", ATTRS{idProduct}=="0e15", MODE="0660", GROUP="'
            + detect_module._usb_group() + '"')
    assert item.commands[0] == f"echo '{rule}' | sudo tee /etc/udev/rules.d/60-kiosk-printer-04b8-0e15.rules"
    assert item.commands[1] == "sudo udevadm control --reload-rules && sudo udevadm trigger"
    assert "unplug the printer" in item.fix


def test_a_usb_printer_another_program_holds_is_busy(nothing_else, monkeypatch):
    device = FakeUsbDevice(0x1504, 0x0006, product="SRP-350plus", claim_errno=errno.EBUSY)
    fake_usb(monkeypatch, device)
    (item,) = detect().found
    assert item.reason == "busy" and item.problem == "busy: another program is using it"
    assert "Close the other program" in item.fix and item.commands == ()
    assert device.disposed


def test_a_usb_printer_the_kernel_driver_has_is_not_claimed(nothing_else, monkeypatch):
    device = FakeUsbDevice(EPSON, 0x0E15, claim_errno=errno.EBUSY, kernel_driver=True)
    fake_usb(monkeypatch, device)
    (item,) = detect().found
    assert item.reason is None  # the kiosk detaches usblp when it prints; nothing is taken from it here
    assert device.claimed == set()


def test_without_libusb_one_line_says_so_and_the_other_printers_are_listed(nothing_else, monkeypatch, serial_printer):
    fake_usb(monkeypatch, error=usb.core.NoBackendError("No backend available"))
    fake_ports(monkeypatch, port_info(serial_printer.path))
    detection = detect()
    assert [note.code for note in detection.notes] == ["no-libusb"]
    assert "libusb" in detection.notes[0].text
    assert specs(detection.found) == [f"serial:{serial_printer.path}"]


def test_hostile_usb_strings_are_plain_text(nothing_else, monkeypatch):
    fake_usb(monkeypatch, FakeUsbDevice(EPSON, 0x0E15, manufacturer=HOSTILE, product="x" * 500))
    (item,) = detect().found
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in item.description)
    assert MARKUP in item.description  # kept as words: shown as text, never run as markup
    assert len(item.description) <= detect_module.DESCRIPTION_MAX
    assert item.spec == "usb:04b8:0e15"  # a spec is made from numbers only


# -- serial ports on pseudo-terminals ------------------------------------------------------------


def test_a_serial_printer_on_a_pseudo_terminal_is_found(nothing_else, monkeypatch, serial_printer):
    fake_ports(monkeypatch, port_info(serial_printer.path, manufacturer="Prolific", product=HOSTILE,
                                      description="USB-Serial Controller", vid=0x067B, pid=0x2303))
    (item,) = detect().found
    assert item.spec == f"serial:{serial_printer.path}" and item.kind == "serial" and item.reason is None
    assert item.description.startswith(f"serial port {serial_printer.path}: Prolific")
    assert item.description.endswith("(USB 067b:2303)") or len(item.description) == detect_module.DESCRIPTION_MAX
    assert "\x1b" not in item.description and "\x07" not in item.description


def test_a_serial_port_a_kiosk_is_printing_on_is_busy(nothing_else, monkeypatch, serial_printer):
    fake_ports(monkeypatch, port_info(serial_printer.path))
    holder = os.open(serial_printer.path, os.O_RDWR | os.O_NOCTTY)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)  # the lock every kiosk process takes while it prints
        (item,) = detect().found
        assert item.reason == "busy" and "another program" in item.problem
    finally:
        os.close(holder)
    (item,) = detect().found
    assert item.reason is None


def _as_another_user(work):
    """``work()`` run by a user who is not root (root may open anything): in a child process made
    nobody (uid 65534) when the tests run as root, else here. Returns what it returned."""
    if os.geteuid() != 0:
        return work()
    import pickle

    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            os.write(write, pickle.dumps(work()))
        finally:
            os._exit(0)
    os.close(write)
    data = b""
    while chunk := os.read(read, 65536):
        data += chunk
    os.close(read)
    os.waitpid(child, 0)
    return pickle.loads(data)


def test_a_serial_port_this_user_may_not_open_says_which_group_to_join(nothing_else, monkeypatch, serial_printer):
    fake_ports(monkeypatch, port_info(serial_printer.path))
    import grp

    os.chmod(serial_printer.path, 0o660 if os.geteuid() == 0 else 0)
    group = grp.getgrgid(os.stat(serial_printer.path).st_gid).gr_name
    import getpass  # noqa: F401 - loaded before the child gives up root (it cannot read /root's Python)

    import usb.core  # noqa: F401
    from serial.tools import list_ports  # noqa: F401

    detection = _as_another_user(detect)
    assert len(detection.found) == 1, detection.notes
    (item,) = detection.found
    assert item.reason == "denied" and "permission denied" in item.problem
    if group != "root":
        assert item.commands == (f"sudo usermod -aG {group} $USER",) and item.relogin
        assert "log out and in again" in item.fix


# -- /dev/usb/lp* -----------------------------------------------------------------------------


def test_a_usb_printer_device_file_is_found_as_a_file_printer(nothing_else, monkeypatch, serial_printer):
    monkeypatch.setattr(detect_module, "LP_DEVICES", serial_printer.path)  # a device under /dev, standing in
    (item,) = detect().found
    assert item.spec == f"file:{serial_printer.path}" and item.kind == "file" and item.reason is None
    assert stat.S_ISCHR(os.stat(serial_printer.path).st_mode)


# -- CUPS ------------------------------------------------------------------------------------------


@pytest.fixture
def lpstat(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")

    def install(script: str) -> None:
        path = bin_dir / "lpstat"
        path.write_text("#!/bin/sh\n" + script)
        path.chmod(0o755)

    return install


def test_cups_queues_are_found_without_the_passwords_in_their_addresses(nothing_else, lpstat):
    lpstat('if [ "$1" = "-e" ]; then printf "receipt\\nbad name\\nq?x\\n%s\\n" "$(printf "\\033]52;c;eA==\\007")";'
           ' else echo "device for receipt: smb://alice:s3cret@server/receipt"; fi\n')
    detection = detect()
    assert specs(detection.found) == ["cups:receipt"]
    assert detection.found[0].description == "CUPS queue receipt (smb://server/receipt)"
    assert "s3cret" not in repr(detection)


def test_a_cups_that_does_not_answer_is_a_note(nothing_else, lpstat, monkeypatch):
    lpstat("exec sleep 10\n")
    monkeypatch.setattr(detect_module, "LPSTAT_TIMEOUT", 0.3)
    detection = detect()
    assert detection.found == () and [note.code for note in detection.notes] == ["cups-timeout"]


# -- kiosk printer detect ---------------------------------------------------------------------------


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_detect_lists_each_printer_with_its_problem_and_fix(nothing_else, monkeypatch):
    fake_usb(monkeypatch, FakeUsbDevice(EPSON, 0x0E15, manufacturer=HOSTILE, open_errno=errno.EACCES))
    result = run("printer", "detect")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "usb:04b8:0e15"
    assert lines[2].startswith("    problem: permission denied")
    assert any("udevadm" in line for line in lines)


def test_detect_json_is_a_list_of_objects_for_scripts(nothing_else, monkeypatch, serial_printer):
    fake_usb(monkeypatch, FakeUsbDevice(0x0519, 0x0003, manufacturer=HOSTILE, claim_errno=errno.EBUSY))
    fake_ports(monkeypatch, port_info(serial_printer.path, product="Thermal"))
    result = run("printer", "detect", "--format", "json")
    assert result.exit_code == 0
    records = json.loads(result.output)
    assert [r["spec"] for r in records] == ["usb:0519:0003", f"serial:{serial_printer.path}"]
    assert set(records[0]) == {"spec", "kind", "description", "problem", "fix", "commands"}
    assert records[0]["problem"] == "busy: another program is using it" and records[0]["fix"]
    assert records[1]["problem"] is None and records[1]["fix"] is None and records[1]["kind"] == "serial"
    assert "\x1b" not in result.output


def test_detect_finding_nothing_says_so_and_exits_0(nothing_else):
    result = run("printer", "detect")
    assert result.exit_code == 0
    assert result.output.startswith("No printers found.")
    assert "tcp://HOST:9100" in result.output
    assert json.loads(run("printer", "detect", "--format", "json").output) == []


def test_detect_with_a_bad_option_exits_2(nothing_else):
    assert run("printer", "detect", "--format", "xml").exit_code == 2
