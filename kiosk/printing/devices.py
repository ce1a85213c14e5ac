"""Sending a rendered receipt to a printer, with a time limit on everything.

Each device is a python-escpos printer class (Usb, Network, Serial, File, LP for CUPS).
Every failure becomes a :class:`PrintError` with one clear line: a refused connection, a
printer that accepts but never reads (timed out, never a hang), a dropped connection, a
missing device, and, where the set-up asks for status, paper out or no confirmation.

The transfer runs in a helper thread with a deadline, so that even a device whose writes
block forever (a hung ``/dev/usb/lp0``) ends the job as failed instead of freezing the kiosk.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..errors import PrintError
from ..private import open_private, private_dir
from ..receipts.model import Receipt
from ..receipts.plain import render_text
from .setups import Setup

# Time allowed per byte on top of the set-up's timeout: 9600 baud is ~1 KB/s.
SECONDS_PER_BYTE = 1 / 900


def _device(setup: Setup) -> Any:
    from .escpos_lib import printers  # imported on the first print, not at start

    o = setup.options
    if setup.type == "network":
        return printers.Network(host=o["host"], port=o["port"], timeout=setup.timeout)
    if setup.type == "usb":
        kwargs: dict[str, Any] = {"idVendor": o["vendor_id"], "idProduct": o["product_id"],
                                  "timeout": int(setup.timeout * 1000)}
        for key in ("interface", "in_ep", "out_ep"):
            if key in o:
                kwargs[key] = o[key]
        return printers.Usb(**kwargs)
    if setup.type == "serial":
        return printers.Serial(devfile=o["device"], baudrate=o["baudrate"], timeout=setup.timeout)
    if setup.type == "file":
        return printers.File(devfile=o["path"])
    if setup.type == "cups":
        if not printers.LP.is_usable():
            raise PrintError(f"CUPS queue {o['queue']!r}: the 'lp' command is not installed", source=setup.name)
        return printers.LP(printer_name=o["queue"])
    raise PrintError(f"cannot send bytes to a {setup.type} printer", source=setup.name)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception, and the ones it was raised from or while handling: python-escpos
    wraps the socket's or device's own error in one of its own."""
    seen: BaseException | None = exc
    while seen is not None:
        yield seen
        seen = seen.__cause__ or seen.__context__


def _explain(setup: Setup, exc: BaseException) -> str:
    """What a device error means, by its type (never by its text): the problem, without the place."""
    for cause in _chain(exc):
        kind = type(cause).__name__
        if isinstance(cause, (socket.timeout, TimeoutError)) or kind in ("SerialTimeoutException", "USBTimeoutError"):
            return f"printer stopped taking data (no answer within {setup.timeout:g} s)"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)):
            return "connection dropped during the job"
        if isinstance(cause, socket.gaierror):
            return "unknown host name"
        if kind == "NoBackendError":
            return "libusb is not installed, so USB printers cannot be reached (install libusb-1.0)"
        if isinstance(cause, PermissionError):
            return "permission denied (is this user allowed to use the printer?)"
        if isinstance(cause, FileNotFoundError):
            return "no such device or file"
    return " ".join(str(exc).split()) or type(exc).__name__


def _open(setup: Setup, device: Any) -> None:
    device.open()
    if setup.type == "network":
        # Small writes (a status request, then the job) must not wait for the printer's
        # delayed ACK (Nagle's algorithm): that alone would add ~40 ms per request.
        device.device.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _transfer(setup: Setup, data: bytes, progress: dict[str, bool]) -> None:
    device = _device(setup)
    try:
        _open(setup, device)
        if setup.status:
            paper = device.paper_status()
            if paper == 0:
                raise PrintError("out of paper", source=setup.where)
        progress["sending"] = True  # from here on, a fault may leave part of the job on paper
        device._raw(data)
        if setup.status:
            # A real-time status request is answered only once the printer has read
            # everything before it: this confirms that the job reached the printer.
            reply = device.query_status(b"\x10\x04\x01")
            if not reply:
                raise PrintError("printer did not confirm the job", source=setup.where)
            if reply[0] & 0x08:
                raise PrintError("printer went offline (cover open or paper out?)", source=setup.where)
        if hasattr(device, "flush"):
            device.flush()
    finally:
        _close(device)


def _close(device: Any) -> None:
    """Close the device; closing a broken connection may fail too, and that is no news."""
    with contextlib.suppress(Exception):
        device.close()


def _within(setup: Setup, deadline: float, action: Callable[[], Any], progress: dict[str, bool] | None = None) -> Any:
    """Run ``action()`` in a helper thread; PrintError if it fails or outlives ``deadline``.
    The error's ``maybe_printed`` is ``progress["sending"]`` at that moment."""
    progress = progress if progress is not None else {}
    outcome: list[tuple[bool, Any]] = []

    def run() -> None:
        try:
            outcome.append((True, action()))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller below
            outcome.append((False, exc))

    worker = threading.Thread(target=run, name=f"print-{setup.name}", daemon=True)
    worker.start()
    worker.join(deadline)
    maybe = bool(progress.get("sending"))
    if worker.is_alive():
        raise PrintError(f"printer did not take the job within {deadline:.0f} s", source=setup.where,
                         maybe_printed=maybe)
    ok, value = outcome[0]
    if ok:
        return value
    if isinstance(value, PrintError):
        value.maybe_printed = value.maybe_printed or maybe
        raise value
    raise PrintError(_explain(setup, value), source=setup.where, maybe_printed=maybe) from value


def send(setup: Setup, data: bytes) -> None:
    """Send ``data`` to the printer or raise PrintError; never blocks past the deadline."""
    deadline = setup.timeout * (3 if setup.status else 1) + 2 + len(data) * SECONDS_PER_BYTE
    progress: dict[str, bool] = {}
    _within(setup, deadline, lambda: _transfer(setup, data, progress), progress)


PAPER = {2: "paper OK", 1: "paper running low", 0: "out of paper"}


def _probe(setup: Setup) -> str:
    device = _device(setup)
    try:
        _open(setup, device)
        if not setup.status:
            return "connected (this set-up does not ask the printer for paper status)"
        return f"connected, {PAPER.get(device.paper_status(), 'paper status unknown')}"
    finally:
        _close(device)


def check(setup: Setup) -> str:
    """The printer's state in a few words, or PrintError when it cannot be reached."""
    if setup.is_preview:
        folder = Path(setup.options["dir"])
        try:
            private_dir(folder)
        except OSError as exc:
            raise PrintError(f"{exc.strerror or exc}", source=f"preview folder {folder}") from None
        return f"ready: receipts are written to {folder}"
    if setup.type == "file":
        path = Path(setup.options["path"])
        if not path.exists():
            raise PrintError("no such device or file", source=setup.where)
        return "ready (a device file: no status available)"
    status: str = _within(setup, setup.timeout * 2 + 2, lambda: _probe(setup))
    return status


def write_preview(setup: Setup, receipt: Receipt) -> Path:
    """The preview printer: the receipt as PNG and as text in the set-up's folder."""
    folder = Path(setup.options["dir"])
    try:
        private_dir(folder)  # receipts carry visitors' names
        paper = setup.paper
        stem = re.sub(r"[^A-Za-z0-9._-]", "_", receipt.name).lstrip(".") or "receipt"  # stays in the folder
        png = folder / f"{stem}.png"
        from ..receipts.raster import render_png  # Pillow and the fonts: on the first preview

        with open_private(png, "wb") as f:
            render_png(receipt, paper).save(f, format="PNG")
        with open_private(folder / f"{stem}.txt", encoding="utf-8") as f:
            f.write(render_text(receipt, paper))
    except OSError as exc:
        raise PrintError(f"{exc.strerror or exc}", source=f"preview folder {folder}") from None
    return png
