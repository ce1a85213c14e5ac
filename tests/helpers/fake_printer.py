"""Network receipt printers on a loopback port, real sockets, for the tests.

A :class:`FakePrinter` behaves by its ``mode``, which a test may change between jobs
(each connection keeps the mode it was accepted in):

- ``ok`` reads everything and answers status requests;
- ``paper_out`` answers that the paper is out;
- ``never_reads`` accepts the connection and never reads a byte;
- ``drop`` reads a little, then resets the connection (a job torn mid-way);
- ``refuse`` stops listening, so connections are refused, until the mode changes.

Adversarial modes, for tests/test_adversarial_printer.py:

- ``extra_byte`` answers the first status request together with one byte more, then stops
  reading (the connection stays open);
- ``late_extra_byte`` answers the first status request, stops reading, and ``delay``
  seconds later sends one more well-formed byte;
- ``malformed`` answers status requests with a byte whose fixed bits are wrong;
- ``two_bytes`` answers each status request with two bytes;
- ``garbage`` sends bytes before any request, then works;
- ``slow_answer`` answers the paper request ``delay`` seconds late, then works;
- ``no_confirm`` answers the paper request, reads the job, and answers nothing after it;
- ``offline`` answers the confirmation with the offline bit set;
- ``trickle`` reads 256 bytes every ``delay`` seconds, answering status requests;
- ``chatter`` reads everything and sends a well-formed byte every few milliseconds unasked;
- ``flood`` sends 100 KB of well-formed bytes before it reads a byte, then works: the first
  :data:`FLOOD_HEAD` bytes (more than the kiosk throws away in all) from the connection's
  own thread before it reads anything, so they reach the kiosk before any answer whatever
  the threads' timing; the rest from another thread;
- ``flood_after`` works, and sends 100 KB of well-formed bytes once the kiosk has hung up:
  a flood the kiosk never sees (what ``flood`` did on a loaded machine when it sent
  everything from another thread, and that thread ran only after the job);
- ``bursts`` works, and sends bytes nobody asked for when a test calls :meth:`FakePrinter.burst`
  (a flood that pauses exactly around the kiosk's questions).

Every connection is kept in :attr:`FakePrinter.received` as (mode, bytes) once it ends
(or, for a mode that stops reading, once it stops).
:func:`refusing_port` gives a port where nothing listens.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time

PAPER_OK, PAPER_OUT, ONLINE = 0x12, 0x72, 0x12
MODES = ("ok", "paper_out", "never_reads", "drop", "refuse", "extra_byte", "late_extra_byte", "malformed",
         "two_bytes", "garbage", "slow_answer", "no_confirm", "offline", "trickle", "chatter",
         "flood", "flood_after", "bursts")
FLOOD = 100_000
FLOOD_HEAD = 8192  # more unasked-for bytes than the kiosk takes from a printer (4 KB in all)
MALFORMED = 0x01  # bit 0 set, bit 1 clear: never a DLE EOT answer
OFFLINE = 0x1A


class FakePrinter:
    def __init__(self, mode: str = "ok"):
        self.jobs: list[bytes] = []
        self.received: list[tuple[str, bytes]] = []
        self.connections = 0
        self._mode = "ok"
        self._lock = threading.Lock()
        self._held: list[socket.socket] = []
        self._stalled: list[socket.socket] = []  # read from, then no more: closed with the printer
        self._open: list[socket.socket] = []  # ``bursts``: the connections being read, for burst()
        self._opened = threading.Condition(self._lock)
        self.delay = 0.1  # seconds, for the modes that wait
        self._stop = threading.Event()
        self._server: socket.socket | None = None
        self.port = 0
        self._listen()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        self.mode = mode

    @property
    def spec(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    @property
    def mode(self) -> str:
        return self._mode

    @mode.setter
    def mode(self, mode: str) -> None:
        assert mode in MODES, mode
        with self._lock:
            if mode == "refuse" and self._server is not None:
                with contextlib.suppress(OSError):
                    self._server.shutdown(socket.SHUT_RDWR)  # stop listening now, even mid-accept
                self._server.close()
                self._server = None
            elif mode != "refuse" and self._server is None:
                self._listen()
            if mode != "never_reads":  # the printer recovers: connections it sat on are closed
                for conn in self._held:
                    conn.close()
                    self.received.append(("never_reads", b""))
                self._held.clear()
            self._mode = mode

    def _listen(self) -> None:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a printer's small buffer
        server.bind(("127.0.0.1", self.port))
        server.listen(8)
        server.settimeout(0.05)
        self.port = server.getsockname()[1]
        self._server = server

    def _serve(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                server, mode = self._server, self._mode
            if server is None:
                time.sleep(0.01)
                continue
            try:
                conn, _ = server.accept()
            except (TimeoutError, OSError):
                continue
            with self._lock:
                mode = self._mode  # the mode when this connection was taken
                self.connections += 1
                if mode == "never_reads":
                    self._held.append(conn)  # keep it open, read nothing
                    continue
            threading.Thread(target=self._handle, args=(conn, mode), daemon=True).start()

    def _handle(self, conn: socket.socket, mode: str) -> None:
        data = bytearray()
        answered = 0
        conn.settimeout(5)
        try:
            if mode == "garbage":
                conn.sendall(b"\x00HELLO\xff\x12")
            if mode == "flood":
                conn.sendall(bytes([PAPER_OK]) * FLOOD_HEAD)  # before reading: ahead of every answer on the wire
                flood = bytes([PAPER_OK]) * (FLOOD - FLOOD_HEAD)
                threading.Thread(target=self._send_late, args=(conn, flood), daemon=True).start()
            if mode == "bursts":
                with self._opened:
                    self._open.append(conn)
                    self._opened.notify_all()
            if mode == "chatter":
                threading.Thread(target=self._chatter, args=(conn,), daemon=True).start()
            while True:
                size = 64 if mode == "drop" else 256 if mode == "trickle" else 65536  # a torn job is cut short
                chunk = conn.recv(size)
                if not chunk:
                    if mode == "flood_after":  # the kiosk has hung up: its verdict is made
                        self._send_late(conn, bytes([PAPER_OK]) * FLOOD)
                    break
                start = len(data)
                data += chunk
                if mode == "drop" and len(strip_status(bytes(data))) >= 64:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    conn.close()
                    return
                # answer real-time status requests (DLE EOT n) found in the new bytes
                at = max(0, start - 2)
                while (at := data.find(b"\x10\x04", at)) != -1 and at + 2 < len(data):
                    n = data[at + 2]
                    at += 3
                    if n not in (1, 4):
                        continue
                    answered += 1
                    reply = self._reply(mode, n, answered)
                    if mode == "slow_answer" and answered == 1:
                        time.sleep(self.delay)
                    if mode == "extra_byte":
                        reply += bytes([PAPER_OK])  # in the same packet as the answer
                    conn.sendall(reply)
                    if mode in ("extra_byte", "late_extra_byte"):
                        if mode == "late_extra_byte":
                            threading.Timer(self.delay, self._send_late, args=(conn, bytes([PAPER_OK]))).start()
                        self._stop_reading(conn, mode, data)
                        return
                    if mode == "no_confirm":
                        mode = "no_confirm_reading"  # read on, answer nothing more
                if mode == "trickle":
                    time.sleep(self.delay)
        except OSError:
            pass
        finally:
            if conn not in self._stalled:
                with self._lock:
                    if conn in self._open:
                        self._open.remove(conn)
                conn.close()
                with self._lock:
                    self.jobs.append(bytes(data))
                    self.received.append((mode.removesuffix("_reading"), bytes(data)))

    @staticmethod
    def _reply(mode: str, n: int, answered: int) -> bytes:
        if mode == "no_confirm_reading":
            return b""
        if mode == "malformed":
            return bytes([MALFORMED])
        if mode == "two_bytes":
            return bytes([ONLINE, ONLINE])
        if n == 4:
            return bytes([PAPER_OUT if mode == "paper_out" else PAPER_OK])
        return bytes([OFFLINE if mode == "offline" else ONLINE])

    def _stop_reading(self, conn: socket.socket, mode: str, data: bytearray) -> None:
        with self._lock:
            self._stalled.append(conn)
            self.jobs.append(bytes(data))
            self.received.append((mode, bytes(data)))

    @staticmethod
    def _send_late(conn: socket.socket, payload: bytes) -> None:
        with contextlib.suppress(OSError):
            conn.sendall(payload)

    def burst(self, size: int) -> None:
        """``bursts``: send ``size`` well-formed bytes nobody asked for now, on the connection
        being read (waiting for the printer to take the kiosk's connection first)."""
        with self._opened:
            assert self._opened.wait_for(lambda: self._open, 5), "no connection to send a burst on"
            conn = self._open[-1]
        conn.sendall(bytes([PAPER_OK]) * size)

    def _chatter(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while not self._stop.is_set():
                conn.sendall(bytes([ONLINE]))
                time.sleep(0.002)

    def settle(self, timeout: float = 10) -> None:
        """Wait until every connection taken so far has ended and been kept."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.received) + len(self._held) >= self.connections:
                    return
            time.sleep(0.002)
        raise AssertionError(f"printer: {self.connections} connections, {len(self.received)} ended")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        with self._lock:
            for conn in self._held + self._stalled:
                conn.close()
            if self._server is not None:
                self._server.close()


def refusing_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def strip_status(data: bytes) -> bytes:
    """The job without the status requests around it."""
    return data.replace(b"\x10\x04\x04", b"").replace(b"\x10\x04\x01", b"")
