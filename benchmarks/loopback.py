"""A network receipt printer on a loopback port that notes when each job's last byte arrived.

``ok`` reads everything and answers status requests at once, as a printer with paper
does; ``never_reads`` accepts the connection and never reads a byte (a hung printer).
"""

from __future__ import annotations

import socket
import threading
import time

PAPER_OK = 0x12


class LoopbackPrinter:
    def __init__(self, mode: str = "ok"):
        self.mode = mode
        self.last_byte: list[float] = []  # per finished connection, perf_counter() of its last byte
        self.received: list[int] = []  # bytes per finished connection
        self._held: list[socket.socket] = []
        self._done = threading.Condition()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def spec(self, timeout: float = 5) -> str:
        return f"tcp://127.0.0.1:{self.port}?timeout={timeout:g}"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            if self.mode == "never_reads":
                self._held.append(conn)
                continue
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        total, last, tail = 0, 0.0, b""
        with conn:
            while chunk := conn.recv(65536):
                last = time.perf_counter()
                total += len(chunk)
                seen = tail + chunk  # a request may straddle two reads
                at = seen.find(b"\x10\x04", max(0, len(tail) - 2))
                while at != -1 and at + 2 < len(seen):  # DLE EOT n: answer a status request
                    if at + 2 >= len(tail):
                        conn.sendall(bytes([PAPER_OK]))
                    at = seen.find(b"\x10\x04", at + 3)
                tail = seen[-2:]
        with self._done:
            self.last_byte.append(last)
            self.received.append(total)
            self._done.notify_all()

    def wait_for(self, jobs: int, timeout: float = 10) -> float:
        """The last-byte time of job number ``jobs`` (1-based), once its connection ended."""
        with self._done:
            if not self._done.wait_for(lambda: len(self.last_byte) >= jobs, timeout):
                raise TimeoutError(f"printer: job {jobs} did not end")
            return self.last_byte[jobs - 1]

    def close(self) -> None:
        self._server.close()
        for conn in self._held:
            conn.close()
