"""Finding the printers attached to this laptop, for ``kiosk setup`` and ``kiosk printer detect``.

Four places are looked at, each on its own (one that cannot be read is a :class:`Note`,
and the others are still listed):

- **USB** through pyusb: devices of the printer class (7), and devices of makers of
  receipt printers (:data:`RECEIPT_MAKERS`, :data:`CHIP_MAKERS`) -> ``usb:VID:PID``;
- the kernel's USB printer devices, ``/dev/usb/lp*`` -> ``file:/dev/usb/lp0``;
- **serial ports** through pyserial (``serial.tools.list_ports.comports``) -> ``serial:DEVICE``;
- **CUPS** queues, where ``lpstat`` is installed -> ``cups:QUEUE``.

Each printer found is a :class:`Found`: a printer spec the kiosk understands (see
:func:`kiosk.printing.setups.parse_spec`), a description for a person, and, when this user
cannot use it now (access denied, or another program has it), the problem and the fix:
for USB a udev rule and the commands that install it; for a device file or a serial port
the group to join.

Everything a device says about itself (USB descriptor strings, a serial adapter's
description, a CUPS queue's name and address) is hostile data: descriptions are cleaned of
control and format characters and cut short here, and specs are made only from numbers and
from names that pass a strict pattern. Nothing here writes to a printer; a device is opened
only to see whether this user may, and released at once.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import grp
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..text import clean

DESCRIPTION_MAX = 80
LPSTAT_TIMEOUT = 5.0  # seconds: a CUPS that does not answer is a note, never a hang
LP_DEVICES = "/dev/usb/lp*"  # the kernel's USB printer devices (usblp)
PRINTER_CLASS = 7  # USB interface class "Printer"
# Interface classes that are plainly something else: a chip maker's device with only these is
# no printer (audio, communications, HID, mass storage, hub, video, wireless, ...).
NOT_PRINTER_CLASSES = {1, 2, 3, 6, 8, 9, 0x0A, 0x0B, 0x0D, 0x0E, 0x0F, 0x10, 0xE0}

# Makers of receipt printers, by USB vendor id. Names as in the Linux USB ID Repository
# (http://www.linux-usb.org/usb.ids); the ids are those `lsusb` shows for their printers.
RECEIPT_MAKERS = {
    0x04B8: "Epson",  # usb.ids "Seiko Epson Corp."; TM-T20II 04b8:0e15 (printers/epson-tm-t20-usb.toml),
    #                   TM-T88 04b8:0202 (python-escpos's USB example, its issue #379)
    0x0519: "Star Micronics",  # usb.ids "Star Micronics Co., Ltd"
    0x1D90: "Citizen",  # usb.ids "Citizen" (Citizen Systems' CT-S receipt printers)
    0x1504: "Bixolon",  # usb.ids "Bixolon CO LTD"; SRP-350plus 1504:0006 (python-printer-escpos's USB manual)
    0x0DD4: "Custom",  # usb.ids "Custom Engineering SPA" (kiosk and receipt printers)
    0x154F: "SNBC",  # usb.ids "SNBC CO., Ltd" (BTP receipt printers)
}
# Makers of the USB chips that unbranded receipt printers (Xprinter, "POS-58", ZJ-58 ...) are
# built on. Their chips are in other devices too: one is listed only when it is not plainly
# something else (a keyboard, a disk: :data:`NOT_PRINTER_CLASSES`).
CHIP_MAKERS = {
    0x0416: "Winbond",  # usb.ids "Winbond Electronics Corp."; POS-58/POS-5890 0416:5011
    #                     (printers/generic-58mm-usb.toml; python-escpos issues #51, #444)
    0x0483: "STMicroelectronics",  # usb.ids "STMicroelectronics": the controller of many cheap 58/80 mm printers
    0x0FE6: "ICS Advent",  # usb.ids "ICS Advent"; 0fe6:811e on 58 mm printers (python-escpos issue #278)
    0x28E9: "GigaDevice",  # usb.ids "GigaDevice Semiconductor (Beijing) Inc." (Xprinter-type printers)
    0x0456: "Analog Devices",  # usb.ids "Analog Devices, Inc."; 0456:0808 "USB POS Printer" (python-escpos #379)
}

# Names that go into a spec as they are: a device path, a CUPS queue (CUPS itself refuses
# spaces, '/', '#', '?' and quotes in a queue's name).
_DEVICE_PATH = re.compile(r"/dev/[A-Za-z0-9._+/-]{1,100}")
_QUEUE = re.compile(r"[A-Za-z0-9._@+-]{1,127}")
_GROUP = re.compile(r"[a-z_][a-z0-9_-]{0,31}")


def described(text: object, limit: int = DESCRIPTION_MAX) -> str:
    """What a device says about itself, as one plain line: no control or format characters
    (an ESC, an OSC 52 clipboard write, a newline), cut to ``limit`` characters."""
    return clean(str(text), limit, multiline=False)


@dataclass(frozen=True)
class Found:
    """One printer found, as the kiosk would use it."""

    spec: str  # a printer spec: usb:04b8:0e15, file:/dev/usb/lp0, serial:/dev/ttyUSB0, cups:QUEUE
    kind: str  # usb, file, serial, cups
    description: str  # for a person, cleaned
    problem: str | None = None  # why this user cannot use it now (English, one line)
    reason: str | None = None  # the problem's kind: "denied" (no access), "busy" (another program has it)
    commands: tuple[str, ...] = ()  # the commands that fix it, as they are typed
    relogin: bool = False  # the fix takes effect at the next login

    @property
    def fix(self) -> str | None:
        """The fix in words (English), the commands first; None when there is no problem."""
        if self.reason is None:
            return None
        lines = list(self.commands)
        if self.reason == "busy":
            lines.append("Close the other program that uses it (another kiosk, a print service),"
                         " or unplug the printer and plug it in again.")
        if self.relogin:
            lines.append("Then log out and in again (a new group counts from the next login).")
        if self.kind == "usb" and self.reason == "denied":
            lines.append("Then unplug the printer and plug it in again.")
        return "\n".join(lines)


@dataclass(frozen=True)
class Note:
    """A place that could not be looked at; ``code`` says which, for a translated line."""

    code: str  # no-pyusb, no-libusb, usb-error, no-pyserial, serial-error, cups-timeout, cups-error
    text: str  # English, one line


@dataclass(frozen=True)
class Detection:
    found: tuple[Found, ...] = ()
    notes: tuple[Note, ...] = ()


def detect() -> Detection:
    """Every printer found, USB first; a note for each place that could not be looked at."""
    found: list[Found] = []
    notes: list[Note] = []
    for source in (_usb, _lp_devices, _serial_ports, _cups_queues):
        try:
            for item in source(notes):
                if item.spec not in {f.spec for f in found}:
                    found.append(item)
        except Exception as exc:  # noqa: BLE001 - one place that fails never hides the others
            notes.append(Note(f"{source.__name__.strip('_')}-error",
                              f"could not look for printers ({type(exc).__name__})"))
    return Detection(tuple(found), tuple(notes))


# -- fixes ------------------------------------------------------------------------------------


def _user() -> str:
    import getpass

    with contextlib.suppress(Exception):
        return getpass.getuser()
    return ""


def _membership(group: str) -> tuple[bool, bool]:
    """(this process has the group now, the user is listed in it: it counts from the next login)."""
    try:
        entry = grp.getgrnam(group)
    except KeyError:
        return False, False
    return entry.gr_gid in os.getgroups() or entry.gr_gid == os.getegid(), _user() in entry.gr_mem


def _join(group: str) -> tuple[tuple[str, ...], bool]:
    """The commands that give this user ``group``, and whether a new login is needed."""
    has, listed = _membership(group)
    if has:
        return (), False
    if listed:  # added already: it counts from the next login
        return (), True
    return (f"sudo usermod -aG {group} $USER",), True


def _device_group(path: str, fallback: str) -> str:
    """The group that owns the device, where it is a group a user can join; else ``fallback``."""
    try:
        name = grp.getgrgid(os.stat(path).st_gid).gr_name
    except (OSError, KeyError):
        return fallback
    return name if _GROUP.fullmatch(name) and name != "root" else fallback


def _usb_group() -> str:
    """plugdev where the system has it (Debian, Ubuntu), else lp."""
    try:
        grp.getgrnam("plugdev")
    except KeyError:
        return "lp"
    return "plugdev"


def udev_rule(vendor: int, product: int, group: str) -> str:
    return (f'SUBSYSTEM=="usb", ATTRS{{idVendor}}=="{vendor:04x}", ATTRS{{idProduct}}=="{product:04x}",'
            f' MODE="0660", GROUP="{group}"')


def usb_access_fix(vendor: int, product: int) -> tuple[tuple[str, ...], bool]:
    """The commands that let this user reach the USB printer: a udev rule for it, and the group."""
    group = _usb_group()
    rules = f"/etc/udev/rules.d/60-kiosk-printer-{vendor:04x}-{product:04x}.rules"
    commands = (f"echo '{udev_rule(vendor, product, group)}' | sudo tee {rules}",
                "sudo udevadm control --reload-rules && sudo udevadm trigger")
    joined, relogin = _join(group)
    return commands + joined, relogin


def _denied(kind: str, spec: str, description: str, what: str, path: str, fallback: str) -> Found:
    group = _device_group(path, fallback)
    commands, relogin = _join(group)
    if not commands and not relogin:  # in the group already, and still refused: the device's own mode
        commands = (f"sudo chmod g+rw {path}",)
    return Found(spec, kind, description, problem=f"permission denied: this user may not use {what}",
                 reason="denied", commands=commands, relogin=relogin)


def _busy(kind: str, spec: str, description: str) -> Found:
    return Found(spec, kind, description, problem="busy: another program is using it", reason="busy")


# -- USB ----------------------------------------------------------------------------------------


def _classes(device: Any) -> tuple[set[int], int | None]:
    """The interface classes of every configuration, and the printer interface's number (else the first's)."""
    classes: set[int] = set()
    printer: int | None = None
    first: int | None = None
    for configuration in device:
        for interface in configuration:
            number = int(interface.bInterfaceNumber)
            first = number if first is None else first
            kind = int(interface.bInterfaceClass)
            classes.add(kind)
            if kind == PRINTER_CLASS and printer is None:
                printer = number
    return classes, printer if printer is not None else first


def _is_candidate(vendor: int, device_class: int, classes: set[int]) -> bool:
    if device_class == PRINTER_CLASS or PRINTER_CLASS in classes or vendor in RECEIPT_MAKERS:
        return True
    return vendor in CHIP_MAKERS and not (classes and classes <= NOT_PRINTER_CLASSES)


def _strings(device: Any) -> str:
    """The maker's and product's names as the device gives them (hostile), or ""."""
    import usb.core

    words = []
    for name in ("manufacturer", "product"):
        with contextlib.suppress(usb.core.USBError, ValueError, NotImplementedError, UnicodeError, TypeError):
            value = getattr(device, name)
            if value:
                words.append(described(value, 40))
    return " ".join(w for w in words if w)


def _usb_probe(device: Any, interface: int | None) -> tuple[str | None, str]:
    """Open the device and try its interface: (None, its names) when this user may use it,
    ("denied" or "busy", "") when not. Nothing is detached from the kernel or left claimed."""
    import usb.core
    import usb.util

    try:
        if interface is not None and not device.is_kernel_driver_active(interface):  # opens the device
            usb.util.claim_interface(device, interface)
            usb.util.release_interface(device, interface)
        names = _strings(device)
    except usb.core.USBError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM):
            return "denied", ""
        if exc.errno == errno.EBUSY:
            return "busy", ""
        raise
    except NotImplementedError:  # a backend that cannot tell about kernel drivers: opening worked
        names = _strings(device)
    finally:
        with contextlib.suppress(Exception):
            usb.util.dispose_resources(device)
    return None, names


def _usb(notes: list[Note]) -> Iterator[Found]:
    try:
        import usb.core
    except ImportError:
        notes.append(Note("no-pyusb", "pyusb is not installed, so USB printers cannot be listed"))
        return
    try:
        devices = list(usb.core.find(find_all=True))
    except usb.core.NoBackendError:
        notes.append(Note("no-libusb", "libusb is not installed, so USB printers cannot be listed"
                                       " (install libusb-1.0-0)"))
        return
    except usb.core.USBError as exc:
        notes.append(Note("usb-error", f"USB devices could not be listed (error {exc.errno})"))
        return
    ranked: list[tuple[int, Found]] = []  # receipt printer makers first, then their chips' makers, then the rest
    for device in devices:
        try:
            vendor, product = int(device.idVendor), int(device.idProduct)
            classes, interface = _classes(device)
            if not _is_candidate(vendor, int(device.bDeviceClass), classes):
                continue
        except (usb.core.USBError, AttributeError, TypeError, ValueError):
            continue  # a device that cannot even describe itself
        rank = 0 if vendor in RECEIPT_MAKERS else 1 if vendor in CHIP_MAKERS else 2
        ranked.append((rank, _usb_found(device, vendor, product, interface)))
    yield from (item for _, item in sorted(ranked, key=lambda pair: pair[0]))


def _usb_found(device: Any, vendor: int, product: int, interface: int | None) -> Found:
    import usb.core

    spec = f"usb:{vendor:04x}:{product:04x}"
    error = ""
    maker = RECEIPT_MAKERS.get(vendor) or CHIP_MAKERS.get(vendor)
    try:
        reason, names = _usb_probe(device, interface)
    except usb.core.USBError as exc:
        reason, names = "error", ""
        error = f"could not be opened (USB error {exc.errno})"
    where = f"USB {vendor:04x}:{product:04x}"
    description = described(f"{names or maker or 'USB printer'} ({where})")
    if reason == "denied":
        commands, relogin = usb_access_fix(vendor, product)
        return Found(spec, "usb", description, problem="permission denied: this user may not use this USB device",
                     reason="denied", commands=commands, relogin=relogin)
    if reason == "busy":
        return _busy("usb", spec, description)
    if reason == "error":
        return Found(spec, "usb", description, problem=error, reason="error")
    return Found(spec, "usb", description)


# -- /dev/usb/lp* ---------------------------------------------------------------------------------


def _open_probe(path: str, flags: int) -> str | None:
    """Open ``path`` without blocking and take the kiosk's lock on it: None when this user
    may use it now, "denied" or "busy" when not. Raises other OSErrors."""
    import fcntl

    try:
        fd = os.open(path, flags | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM):
            return "denied"
        if exc.errno == errno.EBUSY:
            return "busy"
        raise
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a kiosk printing on it holds this lock
    except BlockingIOError:
        return "busy"
    except OSError:
        pass  # no locks on this device: nothing to wait for
    finally:
        os.close(fd)
    return None


def _small_file(path: str, limit: int) -> str:
    """The start of a small text file (sysfs), or "" when it cannot be read."""
    try:
        with open(path, "rb") as f:
            return f.read(limit).decode("utf-8", "replace")
    except OSError:
        return ""


def _usb_names_of_lp(path: str) -> str:
    """What the USB device behind /dev/usb/lpN says it is (sysfs), or ""."""
    base = f"/sys/class/usbmisc/{os.path.basename(path)}/device/.."
    words = [described(_small_file(os.path.join(base, item), 200), 40) for item in ("manufacturer", "product")]
    ids = [_small_file(os.path.join(base, item), 8).strip().lower() for item in ("idVendor", "idProduct")]
    text = " ".join(w for w in words if w)
    if all(re.fullmatch(r"[0-9a-f]{4}", value) for value in ids):
        return f"{text} ({':'.join(ids)})".strip()
    return text


def _lp_devices(notes: list[Note]) -> Iterator[Found]:
    for path in sorted(glob.glob(LP_DEVICES)):
        if not _DEVICE_PATH.fullmatch(path):
            continue
        spec = f"file:{path}"
        names = _usb_names_of_lp(path)
        description = described(f"USB printer device {path}" + (f": {names}" if names else ""))
        try:
            reason = _open_probe(path, os.O_WRONLY)
        except OSError as exc:
            yield Found(spec, "file", description, problem=f"cannot be opened ({os.strerror(exc.errno or 0)})",
                        reason="error")
            continue
        if reason == "denied":
            yield _denied("file", spec, description, "this printer device", path, "lp")
        elif reason == "busy":
            yield _busy("file", spec, description)
        else:
            yield Found(spec, "file", description)


# -- serial ports -----------------------------------------------------------------------------------


def _serial_ports(notes: list[Note]) -> Iterator[Found]:
    try:
        from serial.tools import list_ports
    except ImportError:
        notes.append(Note("no-pyserial", "pyserial is not installed, so serial ports cannot be listed"))
        return
    ports = list(list_ports.comports())
    usb_first = sorted(ports, key=lambda p: (getattr(p, "vid", None) is None, str(getattr(p, "device", ""))))
    for port in usb_first:
        path = str(getattr(port, "device", "") or "")
        if not _DEVICE_PATH.fullmatch(path):
            continue  # a name that would not survive in a spec: not ours to guess at
        yield _serial_found(port, path)


def _serial_found(port: Any, path: str) -> Found:
    spec = f"serial:{path}"
    said = [getattr(port, name, None) for name in ("manufacturer", "product", "description")]
    words: list[str] = []
    for value in said:
        text = described(value, 40) if value else ""
        if text and text.lower() != "n/a" and text not in words:
            words.append(text)
    vid, pid = getattr(port, "vid", None), getattr(port, "pid", None)
    ids = f" (USB {vid:04x}:{pid:04x})" if isinstance(vid, int) and isinstance(pid, int) else ""
    description = described(f"serial port {path}" + (f": {' '.join(words)}" if words else "") + ids)
    try:
        reason = _open_probe(path, os.O_RDWR)
    except OSError as exc:
        return Found(spec, "serial", description, problem=f"cannot be opened ({os.strerror(exc.errno or 0)})",
                     reason="error")
    if reason == "denied":
        return _denied("serial", spec, description, "this serial port", path, "dialout")
    if reason == "busy":
        return _busy("serial", spec, description)
    return Found(spec, "serial", description)


# -- CUPS -----------------------------------------------------------------------------------------------


def _lpstat(args: Iterable[str], notes: list[Note]) -> str | None:
    lpstat = shutil.which("lpstat")
    if lpstat is None:
        return None
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}  # its words in English, whatever the stall's language
    try:
        result = subprocess.run([lpstat, *args], stdin=subprocess.DEVNULL, capture_output=True, env=env,
                                timeout=LPSTAT_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        notes.append(Note("cups-timeout", f"CUPS did not answer within {LPSTAT_TIMEOUT:g} s (lpstat)"))
        return None
    except OSError as exc:
        notes.append(Note("cups-error", f"lpstat could not be run ({os.strerror(exc.errno or 0)})"))
        return None
    return result.stdout[:1_000_000].decode("utf-8", "replace")


def _without_password(uri: str) -> str:
    """A device URI without the user and password some hold (smb://user:secret@host/printer)."""
    try:
        parts = urlsplit(uri)
        if parts.username is None and parts.password is None:
            return uri
        host = parts.hostname or ""
        netloc = f"[{host}]" if ":" in host else host
        if parts.port:
            netloc += f":{parts.port}"
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    except ValueError:
        return uri.split("://", 1)[0] + "://…" if "://" in uri else "…"


def _cups_queues(notes: list[Note]) -> Iterator[Found]:
    names = _lpstat(["-e"], notes)
    if names is None:
        return
    devices: dict[str, str] = {}
    listing = _lpstat(["-v"], notes) or ""
    for line in listing.splitlines():
        match = re.fullmatch(r"device for (\S+?): (.*)", line.strip())
        if match:
            devices[match.group(1)] = _without_password(match.group(2).strip())
    for queue in dict.fromkeys(line.strip() for line in names.splitlines()):
        if not _QUEUE.fullmatch(queue):
            continue  # not a name CUPS gives a queue
        where = devices.get(queue)
        description = described(f"CUPS queue {queue}" + (f" ({where})" if where else ""))
        yield Found(f"cups:{queue}", "cups", description)


def as_record(item: Found) -> dict[str, Any]:
    """One printer found, for ``kiosk printer detect --format json``."""
    return {"spec": item.spec, "kind": item.kind, "description": item.description, "problem": item.problem,
            "fix": item.fix, "commands": list(item.commands)}


__all__ = ["Detection", "Found", "Note", "as_record", "described", "detect", "udev_rule", "usb_access_fix"]
