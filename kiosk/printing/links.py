"""Connections to printers, each with a time limit on every step.

A :class:`Link` is one open connection, used by one worker thread (see :mod:`.attempt`):
``write`` sends every byte or raises, ``read`` waits a bounded time for an answer,
``drain`` throws away what is waiting to be read (and counts it: a printer that has sent
more than :data:`UNASKED_LIMIT` bytes nobody asked for on the connection, in all, is
refused), ``settle`` waits until the device has taken what was written, and ``abort``
(from any thread) stops the transfer. No call blocks longer than the set-up's timeout
without progress, and every one checks between steps whether the caller has given up.

- **network**: our own socket: the host name is looked up (``socket.getaddrinfo``) and
  every address tried, without blocking; an aborted or failed connection is reset, so the
  kernel sends nothing more of the job after it has been given up on.
- **file**: opened without blocking (a FIFO nobody reads, or a stuck device, fails in time
  instead of hanging); a regular file the kiosk writes is its owner's only (0600); a
  character device keeps its mode.
- **serial**: opened and set up with pyserial, then written without blocking.
- **usb**: found and claimed by python-escpos, then written in chunks, each one counted.
- **cups**: ``lp -o raw``, fed without blocking, and its exit status read.
"""

from __future__ import annotations

import contextlib
import errno
import os
import select
import shutil
import socket
import stat
import struct
import subprocess
import tempfile
import threading
import time
from typing import IO, Any, TypeVar

from ..errors import PrintError
from ..private import FILE_MODE, is_database_file, starts_with
from .attempt import Attempt
from .setups import Setup

CHUNK = 16384
SLICE = 0.05  # the longest wait between two looks at whether the caller has given up
# More bytes nobody asked for than this on one connection, counted over all its drains: the
# printer is talking to itself. Counted per connection, not per drain, so a flood that pauses
# around the kiosk's questions (a burst under the limit before each of them) is still a flood.
UNASKED_LIMIT = 4096
POLL_IN, POLL_OUT = select.POLLIN, select.POLLOUT


class Link:
    """One open connection to a printer (see the module's docstring)."""

    can_answer = True  # can it read the printer's status answers?

    def __init__(self, attempt: Attempt, timeout: float) -> None:
        self.attempt = attempt
        self.timeout = timeout
        self._lock = threading.Lock()  # close against abort from another thread
        self._closed = False
        self._aborted = False
        self.unasked = 0  # bytes thrown away by drain() on this connection, in all

    # -- what a kind of device provides --------------------------------------------

    def fileno(self) -> int:
        raise NotImplementedError

    def _send(self, view: memoryview) -> int:
        """Write without blocking; BlockingIOError when the device takes nothing now."""
        raise NotImplementedError

    def _recv(self) -> bytes:
        """Read without blocking; BlockingIOError when nothing is waiting, b"" at the end."""
        raise NotImplementedError

    def _unsent(self) -> int | None:
        """Bytes written but not yet taken by the device, where the system can tell."""
        return None

    def _release(self, clean: bool) -> None:
        raise NotImplementedError

    def _stop(self) -> None:
        """Stop the transfer (another thread may be writing)."""

    # -- the same for every device -------------------------------------------------

    def _wait(self, events: int, limit: float) -> bool:
        """Wait until the device is ready for ``events``, at most ``limit`` seconds."""
        poller = select.poll()
        poller.register(self.fileno(), events)
        end = time.monotonic() + limit
        while True:
            self.attempt.check()
            left = end - time.monotonic()
            if left <= 0:
                return False
            if poller.poll(min(left, SLICE) * 1000):
                return True

    def write(self, data: bytes) -> None:
        """Send every byte of ``data``; PrintError when the device stops taking them."""
        view = memoryview(data)
        done, since = 0, time.monotonic()
        while done < len(view):
            self.attempt.check()
            left = since + self.timeout - time.monotonic()
            if left <= 0 or not self._wait(POLL_OUT, left):
                raise PrintError(f"printer stopped taking data (no answer within {self.timeout:g} s)")
            try:
                n = self._send(view[done:done + CHUNK])
            except (BlockingIOError, InterruptedError):
                time.sleep(0.005)  # ready by poll, yet busy (a device without poll support)
                continue
            if n <= 0:
                time.sleep(0.005)
                continue
            done += n
            since = time.monotonic()
            self.attempt.progress()

    def _count_unasked(self, count: int) -> None:
        """``count`` more bytes nobody asked for; PrintError once the connection's are too many."""
        self.unasked += count
        if self.unasked > UNASKED_LIMIT:
            raise PrintError("the printer keeps sending data nobody asked for")

    def drain(self) -> int:
        """Throw away what the printer sent and nobody asked for; how many bytes. PrintError
        once this connection has brought more than :data:`UNASKED_LIMIT` such bytes in all."""
        count = 0
        while True:
            self.attempt.check()
            try:
                chunk = self._recv()
            except (BlockingIOError, InterruptedError):
                return count
            if not chunk:
                raise PrintError("the printer closed the connection")
            count += len(chunk)
            self._count_unasked(len(chunk))

    def read(self, timeout: float) -> bytes:
        """What the printer sends within ``timeout`` seconds: b"" when nothing came; every
        byte that arrived together with the first."""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0 or not self._wait(POLL_IN, left):
                return b""
            try:
                data = self._recv()
            except (BlockingIOError, InterruptedError):
                time.sleep(0.002)  # ready by poll, yet nothing to read
                continue
            if not data:
                raise PrintError("the printer closed the connection")
            with contextlib.suppress(BlockingIOError, InterruptedError):
                data += self._recv()
            return data

    def settle(self) -> None:
        """Wait until the device has taken every byte written (where the system can tell)."""
        unsent, since = self._unsent(), time.monotonic()
        while unsent:
            self.attempt.check()
            if time.monotonic() - since > self.timeout:
                raise PrintError(f"printer did not take the last {unsent} bytes of the job"
                                 f" (no answer within {self.timeout:g} s)")
            time.sleep(0.002)
            now = self._unsent()
            if now is not None and now < unsent:
                since = time.monotonic()
                self.attempt.progress()
            unsent = now

    def abort(self) -> None:
        """From the caller's thread: stop the transfer; the worker closes the link."""
        with self._lock:
            if self._closed:
                return
            self._aborted = True
            self._stop()

    def close(self, clean: bool = False) -> None:
        """Close; ``clean`` after a job the device took whole, else whatever is still
        queued for the device is thrown away. Never raises."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            with contextlib.suppress(Exception):
                self._release(clean and not self._aborted)


def _tiocoutq(fd: int) -> int | None:
    """Bytes queued for sending (a socket: not yet acknowledged by the printer)."""
    try:
        import fcntl
        import termios

        value: int = struct.unpack("i", fcntl.ioctl(fd, termios.TIOCOUTQ, b"\0\0\0\0"))[0]
    except (ImportError, AttributeError, OSError):
        return None
    return value


class NetworkLink(Link):
    def __init__(self, attempt: Attempt, timeout: float, sock: socket.socket) -> None:
        super().__init__(attempt, timeout)
        self.sock = sock
        sock.setblocking(False)

    def fileno(self) -> int:
        return self.sock.fileno()

    def connect(self, address: Any) -> None:
        code = self.sock.connect_ex(address)
        if code in (errno.EINPROGRESS, errno.EAGAIN, errno.EWOULDBLOCK, errno.EALREADY):
            if not self._wait(POLL_OUT, self.timeout):
                raise PrintError(f"no answer within {self.timeout:g} s while connecting")
            code = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if code:
            raise OSError(code, os.strerror(code))
        # Small writes (a status request, then the job) must not wait for the printer's
        # delayed ACK (Nagle's algorithm): that alone would add ~40 ms per request.
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _send(self, view: memoryview) -> int:
        return self.sock.send(view)

    def _recv(self) -> bytes:
        return self.sock.recv(256)

    def _unsent(self) -> int | None:
        return _tiocoutq(self.sock.fileno())

    def _reset(self) -> None:
        # Closing now resets the connection: what the kernel still holds of the job is dropped.
        with contextlib.suppress(OSError):
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def _stop(self) -> None:
        self._reset()
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes a worker waiting on the socket

    def _release(self, clean: bool) -> None:
        if clean:
            # Unread bytes at close would reset the connection, and a printer may drop the
            # end of a job on a reset: read them first.
            with contextlib.suppress(OSError, PrintError):
                self.drain()
        else:
            self._reset()
        self.sock.close()



LinkT = TypeVar("LinkT", bound="Link")


def _handed(attempt: Attempt, link: LinkT) -> LinkT:
    """``link``, handed to its attempt (which resets it if the caller gives up); closed if that fails."""
    try:
        attempt.opened(link)
    except BaseException:
        link.close()
        raise
    return link


def open_network(setup: Setup, attempt: Attempt) -> NetworkLink:
    host, port = setup.options["host"], setup.options["port"]
    attempt.progress(f"looking up {host}")
    addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    attempt.progress("connecting")
    failure: BaseException | None = None
    for family, kind, proto, _, address in addresses:
        link = NetworkLink(attempt, setup.timeout, socket.socket(family, kind, proto))
        try:
            attempt.opened(link)
            link.connect(address)
        except BaseException as exc:
            link.close()
            if not isinstance(exc, OSError):
                raise
            failure = exc
            continue
        attempt.progress("connected")
        return link
    raise failure or OSError(errno.EHOSTUNREACH, "no address to connect to")


class FdLink(Link):
    """A file, a device or a serial port, by its file descriptor (never blocking)."""

    def __init__(self, attempt: Attempt, timeout: float, fd: int, *, can_answer: bool,
                 owner: Any = None) -> None:
        super().__init__(attempt, timeout)
        self.fd = fd
        self.can_answer = can_answer
        self.owner = owner  # the pyserial port that holds the descriptor
        self.tty = os.isatty(fd)

    def fileno(self) -> int:
        return self.fd

    def _send(self, view: memoryview) -> int:
        return os.write(self.fd, view)

    def _recv(self) -> bytes:
        data = os.read(self.fd, 256)
        if not data and self.tty:
            raise BlockingIOError  # a terminal set to return at once says "nothing" with 0 bytes
        return data

    def _unsent(self) -> int | None:
        return _tiocoutq(self.fd) if self.tty else None

    def _discard_output(self) -> None:
        if self.tty:
            import termios

            with contextlib.suppress(OSError):
                termios.tcflush(self.fd, termios.TCOFLUSH)  # else close waits for it to go out

    def _stop(self) -> None:
        self._discard_output()

    def _release(self, clean: bool) -> None:
        if not clean:
            self._discard_output()
        if self.owner is not None:
            self.owner.close()
        else:
            os.close(self.fd)


def open_file(setup: Setup, attempt: Attempt) -> FdLink:
    """A file or device; a regular file is made its owner's only and emptied first."""
    path = setup.options["path"]
    attempt.progress(f"opening {path}")
    flags = (os.O_RDWR if setup.status else os.O_WRONLY) | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
    if not os.path.abspath(path).startswith("/dev/"):
        flags |= os.O_CREAT  # never a regular file where a device should be (a printer unplugged)
    try:
        fd = os.open(path, flags, FILE_MODE)
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # O_NONBLOCK: a FIFO without a reader, or no device behind the file
            raise PrintError("nothing is reading this file (a FIFO without a reader, or a device that is"
                             " not plugged in)") from None
        raise
    try:
        _take(fd, setup.timeout, attempt)  # before emptying it: another process may be writing it
        info = os.fstat(fd)
        regular = stat.S_ISREG(info.st_mode)
        if regular:
            if is_database_file(path):
                raise PrintError("this is a database (or a file SQLite keeps beside one), not a printer:"
                                 " nothing was written to it")
            if info.st_size and not starts_with(os.path.realpath(path), RECEIPT_START):
                # a settings file, a case file, an export: only receipts this kiosk wrote are written over
                raise PrintError("this file holds something else, not receipts the kiosk printed:"
                                 " nothing was written to it (name a new or empty file)")
            os.fchmod(fd, FILE_MODE)  # the receipts hold visitors' names
            os.ftruncate(fd, 0)
        link = FdLink(attempt, setup.timeout, fd, can_answer=stat.S_ISCHR(info.st_mode))
    except BaseException:
        os.close(fd)
        raise
    return _handed(attempt, link)


def _take(fd: int, timeout: float, attempt: Attempt) -> None:
    """Wait for this device to be ours alone (an advisory lock every kiosk process takes):
    two programs writing at once would mix their receipts on the paper."""
    import fcntl

    since = time.monotonic()
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        except OSError:
            return  # a device or file system without locks: nothing to wait for
        attempt.check()
        if time.monotonic() - since > timeout:
            raise PrintError(f"another program is printing on this printer (busy for {timeout:g} s)")
        time.sleep(0.01)


RECEIPT_START = b"\x1b@"  # ESC @, the reset every receipt the kiosk sends begins with


def open_serial(setup: Setup, attempt: Attempt) -> FdLink:
    import serial  # pyserial: on the first serial print

    o = setup.options
    attempt.progress(f"opening {o['device']}")
    port = serial.Serial(port=o["device"], baudrate=o["baudrate"], bytesize=serial.EIGHTBITS,
                         parity=serial.PARITY_NONE, stopbits=serial.STOPBITS_ONE, timeout=0, write_timeout=0,
                         xonxoff=False, dsrdtr=True)
    try:
        fd = port.fileno()
        os.set_blocking(fd, False)
        _take(fd, setup.timeout, attempt)
        port.reset_input_buffer()  # nothing the printer sent before we asked is an answer
        link = FdLink(attempt, setup.timeout, fd, can_answer=True, owner=port)
    except BaseException:
        port.close()
        raise
    return _handed(attempt, link)


class UsbLink(Link):
    """A USB printer through pyusb: each write's count is checked, each call has a timeout."""

    def __init__(self, attempt: Attempt, timeout: float, printer: Any) -> None:
        super().__init__(attempt, timeout)
        self.printer = printer
        self.device = printer.device
        self.ms = max(1, int(timeout * 1000))

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        done, since = 0, time.monotonic()
        while done < len(view):
            self.attempt.check()
            if time.monotonic() - since > self.timeout:
                raise PrintError(f"printer stopped taking data (no answer within {self.timeout:g} s)")
            n = int(self.device.write(self.printer.out_ep, bytes(view[done:done + CHUNK]), self.ms) or 0)
            if n <= 0:
                time.sleep(0.005)  # it took nothing this time: the loop's clock decides
                continue
            done += n  # a short write is not the end: the rest follows
            since = time.monotonic()
            self.attempt.progress()

    def _read_once(self, ms: int) -> bytes:
        import usb.core

        try:
            return bytes(self.device.read(self.printer.in_ep, 64, ms))
        except usb.core.USBTimeoutError:
            return b""

    def drain(self) -> int:
        count = 0
        while chunk := self._read_once(10):
            self.attempt.check()
            count += len(chunk)
            self._count_unasked(len(chunk))
        return count

    def read(self, timeout: float) -> bytes:
        end = time.monotonic() + timeout
        while True:
            self.attempt.check()
            left = end - time.monotonic()
            if left <= 0:
                return b""
            data = self._read_once(max(1, int(min(left, SLICE) * 1000)))
            if data:
                return data + self._read_once(1)

    def _release(self, clean: bool) -> None:
        self.printer.close()


def open_usb(setup: Setup, attempt: Attempt) -> UsbLink:
    from .escpos_lib import printers  # python-escpos finds the device and claims it from the kernel

    o = setup.options
    kwargs: dict[str, Any] = {"idVendor": o["vendor_id"], "idProduct": o["product_id"],
                              "timeout": int(setup.timeout * 1000)}
    for key in ("in_ep", "out_ep"):
        if key in o:
            kwargs[key] = o[key]
    attempt.progress("opening the USB printer")
    printer = printers.Usb(**kwargs)
    printer.open()
    link = UsbLink(attempt, setup.timeout, printer)
    return _handed(attempt, link)


class CupsLink(Link):
    """``lp -d QUEUE -o raw``: started at the first byte, fed without blocking; the job is
    handed over when ``lp`` exits 0."""

    can_answer = False

    def __init__(self, attempt: Attempt, timeout: float, lp: str, queue: str) -> None:
        super().__init__(attempt, timeout)
        self.lp, self.queue = lp, queue
        self.process: subprocess.Popen[bytes] | None = None
        self.errors: IO[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        with self._lock:
            if self._aborted:
                raise PrintError("stopped")
            if self.process is None:
                self.errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed with the link
                self.process = subprocess.Popen([self.lp, "-d", self.queue, "-t", "kiosk", "-o", "raw"],
                                                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                                stderr=self.errors)
                assert self.process.stdin is not None
                os.set_blocking(self.process.stdin.fileno(), False)
            return self.process

    def fileno(self) -> int:
        stdin = self._start().stdin
        assert stdin is not None
        return stdin.fileno()

    def _send(self, view: memoryview) -> int:
        try:
            return os.write(self.fileno(), view)
        except BrokenPipeError:
            process = self._start()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(self.timeout)
            raise PrintError(f"'lp' stopped taking the job (exit status {process.returncode}): {self._said()}"
                             ) from None

    def settle(self) -> None:
        process = self._start()
        assert process.stdin is not None
        process.stdin.close()
        since = time.monotonic()
        while process.poll() is None:
            self.attempt.check()
            if time.monotonic() - since > self.timeout:
                raise PrintError(f"'lp' did not finish within {self.timeout:g} s")
            time.sleep(0.005)
        if process.returncode:
            raise PrintError(f"'lp' failed (exit status {process.returncode}): {self._said()}")

    def _said(self) -> str:
        if self.errors is None:
            return ""
        self.errors.seek(0)
        text = self.errors.read(400).decode("utf-8", "replace")
        return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split()) or "no message"

    def _stop(self) -> None:
        if self.process is not None:
            with contextlib.suppress(OSError):
                self.process.kill()

    def _release(self, clean: bool) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            with contextlib.suppress(OSError):
                if self.process.stdin is not None:
                    self.process.stdin.close()
            self.process.wait(1)
        if self.errors is not None:
            self.errors.close()


def open_cups(setup: Setup, attempt: Attempt) -> CupsLink:
    queue = setup.options["queue"]
    lp = shutil.which("lp")
    if lp is None:
        raise PrintError(f"the 'lp' command is not installed, so CUPS queue {queue!r} cannot be reached")
    lpstat = shutil.which("lpstat")
    if lpstat is not None:  # a queue that does not exist fails here, before any byte leaves
        attempt.progress("asking CUPS for the queue")
        try:
            found = subprocess.run([lpstat, "-p", queue], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, timeout=setup.timeout).returncode == 0
        except subprocess.TimeoutExpired:
            raise PrintError(f"CUPS did not answer within {setup.timeout:g} s") from None
        if not found:
            raise PrintError(f"CUPS has no queue {queue!r} (see lpstat -p)")
    link = CupsLink(attempt, setup.timeout, lp, queue)
    return _handed(attempt, link)


def open_link(setup: Setup, attempt: Attempt) -> Link:
    """An open connection to the set-up's printer."""
    opener = {"network": open_network, "file": open_file, "serial": open_serial, "usb": open_usb,
              "cups": open_cups}.get(setup.type)
    if opener is None:
        raise PrintError(f"cannot send bytes to a {setup.type} printer")
    return opener(setup, attempt)
