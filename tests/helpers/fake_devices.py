"""Printers to find, for the tests of ``kiosk.printing.detect`` and ``kiosk setup``.

- :class:`FakeUsbDevice`: what pyusb's ``usb.core.find(find_all=True)`` yields, at the pyusb
  boundary: ids, classes, configurations of interfaces, descriptor strings (hostile if told),
  and a ``usb.core.USBError`` with errno 13 (access denied) or 16 (busy) where a real device
  would raise it: opening it (``is_kernel_driver_active``) or claiming its interface.
- :func:`serial_printer`: a serial printer on a pseudo-terminal, what pyserial's
  ``serial.tools.list_ports.comports()`` lists, recording what the kiosk writes to it.
"""

from __future__ import annotations

import os
import select
import threading
import time
from dataclasses import dataclass

ESC_TITLE = "\x1b]0;pwned\x07"
OSC52 = "\x1b]52;c;cm0gLXJmIH4=\x07"  # a clipboard write: "rm -rf ~"
MARKUP = "[@click=app.quit]"
HOSTILE = f"{OSC52}{MARKUP}Evil\x1b[2J\nPrinter{ESC_TITLE}"


@dataclass
class FakeInterface:
    bInterfaceClass: int
    bInterfaceNumber: int = 0


@dataclass
class FakeConfiguration:
    interfaces: list[FakeInterface]

    def __iter__(self):
        return iter(self.interfaces)


class FakeContext:
    """What usb.util's claim/release/dispose call on a device (pyusb's ``_ResourceManager``)."""

    def __init__(self, device: FakeUsbDevice) -> None:
        self.device = device

    def managed_claim_interface(self, device, interface):
        self.device.opened += 1
        if self.device.claim_errno is not None:
            import usb.core

            raise usb.core.USBError("claim failed", errno=self.device.claim_errno)
        self.device.claimed.add(interface)

    def managed_release_interface(self, device, interface):
        self.device.claimed.discard(interface)

    def dispose(self, device, close_handle=True):
        self.device.disposed += 1
        self.device.claimed.clear()


class FakeUsbDevice:
    """A USB device as pyusb gives it: ids, classes, configurations of interfaces, strings."""

    def __init__(self, vendor: int, product_id: int, *, classes=(7,), device_class: int = 0,
                 manufacturer: str | None = "EPSON", product: str | None = "TM-T20II",
                 open_errno: int | None = None, claim_errno: int | None = None, kernel_driver: bool = False):
        self.idVendor, self.idProduct, self.bDeviceClass = vendor, product_id, device_class
        self.configurations = [FakeConfiguration([FakeInterface(c, n) for n, c in enumerate(classes)])]
        self._manufacturer, self._product = manufacturer, product
        self.open_errno, self.claim_errno, self.kernel_driver = open_errno, claim_errno, kernel_driver
        self.claimed: set[int] = set()
        self.opened = self.disposed = 0
        self._ctx = FakeContext(self)

    def __iter__(self):
        return iter(self.configurations)

    def is_kernel_driver_active(self, interface):
        """pyusb opens the device first: access denied is raised here, as libusb_open fails."""
        self.opened += 1
        if self.open_errno is not None:
            import usb.core

            raise usb.core.USBError("open failed", errno=self.open_errno)
        return self.kernel_driver

    def _string(self, value):
        if self.open_errno is not None:  # pyusb: the langids cannot be read, so no string can
            raise ValueError("The device has no langid (permission issue, no string descriptors supported)")
        return value

    @property
    def manufacturer(self):
        return self._string(self._manufacturer)

    @property
    def product(self):
        return self._string(self._product)


def fake_usb(monkeypatch, *devices, error: BaseException | None = None) -> None:
    """usb.core.find(find_all=True) yields ``devices`` (or raises ``error``)."""
    import usb.core

    def find(find_all=False, **kwargs):
        if error is not None:
            raise error
        assert find_all
        return iter(devices)

    monkeypatch.setattr(usb.core, "find", find)


def fake_ports(monkeypatch, *ports) -> None:
    """pyserial's comports() lists ``ports`` (ListPortInfo objects)."""
    from serial.tools import list_ports

    monkeypatch.setattr(list_ports, "comports", lambda *args, **kwargs: list(ports))


def port_info(path: str, *, manufacturer=None, product=None, description="n/a", vid=None, pid=None):
    from serial.tools.list_ports_common import ListPortInfo

    info = ListPortInfo(path, skip_link_detection=True)
    info.manufacturer, info.product, info.description, info.vid, info.pid = manufacturer, product, description, vid, pid
    return info


class SerialPrinter:
    """A serial printer on a pseudo-terminal: the kiosk writes to ``path``; :attr:`got` is what arrived."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        self.path = os.ttyname(self.slave)
        self.got = bytearray()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            if select.select([self.master], [], [], 0.02)[0]:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    return
                self.got.extend(chunk)

    def wait_for(self, size: int, timeout: float = 10) -> bytes:
        """What arrived once at least ``size`` bytes have, or by ``timeout``."""
        deadline = time.monotonic() + timeout
        while len(self.got) < size and time.monotonic() < deadline:
            time.sleep(0.01)
        return bytes(self.got)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(1)
        os.close(self.master)
        os.close(self.slave)
