"""Network receipt printers on a loopback port, real sockets, for the tests.

Modes: ``ok`` reads everything and answers status requests; ``paper_out`` answers that
the paper is out; ``never_reads`` accepts the connection and never reads a byte;
``drop`` reads a little, then resets the connection. :func:`refusing_port` gives a port
where nothing listens.
"""

from __future__ import annotations

import socket
import struct
import threading

PAPER_OK, PAPER_OUT, ONLINE = 0x12, 0x72, 0x12


class FakePrinter:
    def __init__(self, mode: str = "ok"):
        self.mode = mode
        self.jobs: list[bytes] = []
        self.connections = 0
        self._stop = threading.Event()
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if mode == "never_reads":
            self._server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(8)
        self._server.settimeout(0.1)
        self.port = self._server.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def spec(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        held = []
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except (socket.timeout, OSError):
                continue
            self.connections += 1
            if self.mode == "never_reads":
                held.append(conn)  # keep it open, read nothing
                continue
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()
        for conn in held:
            conn.close()

    def _handle(self, conn: socket.socket) -> None:
        data = bytearray()
        conn.settimeout(5)
        try:
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                start = len(data)
                data += chunk
                if self.mode == "drop" and len(data) > 64:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    conn.close()
                    return
                # answer real-time status requests (DLE EOT n) found in the new bytes
                at = max(0, start - 2)
                while (at := data.find(b"\x10\x04", at)) != -1 and at + 2 < len(data):
                    n = data[at + 2]
                    if n == 4:
                        conn.sendall(bytes([PAPER_OUT if self.mode == "paper_out" else PAPER_OK]))
                    elif n == 1:
                        conn.sendall(bytes([ONLINE]))
                    at += 3
        except OSError:
            pass
        finally:
            conn.close()
            self.jobs.append(bytes(data))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
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
