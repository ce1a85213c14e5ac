"""A TCP proxy on loopback that breaks connections on purpose, between a kiosk and the office.

Each connection it accepts is forwarded to ``target`` and may meet a fault, drawn in turn from
the proxy's plan (or ``pass`` once the plan is spent):

- ``pass``: forwarded as it is;
- ``refuse``: closed as soon as it is accepted (the service is not there);
- ``cut_request``: the request is cut after part of it reached the service (a batch half sent);
- ``cut_response``: the whole request reaches the service, which answers, but the connection is
  cut before the answer reaches the kiosk (the office committed; the kiosk does not know);
- ``stall``: the request is forwarded but nothing comes back until the kiosk gives up.

``counts`` says how many connections met each fault.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Iterable

FAULTS = ("pass", "refuse", "cut_request", "cut_response", "stall")


class FaultProxy:
    def __init__(self, target: tuple[str, int], plan: Iterable[str] = ()) -> None:
        self.target = target
        self.plan = list(plan)
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add(self, faults: Iterable[str]) -> None:
        with self._lock:
            self.plan.extend(faults)

    def close(self) -> None:
        self._closed.set()
        self._listener.close()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _next(self) -> str:
        with self._lock:
            fault = self.plan.pop(0) if self.plan else "pass"
            assert fault in FAULTS, fault
            self.counts[fault] += 1
            return fault

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client, self._next()), daemon=True).start()

    def _serve(self, client: socket.socket, fault: str) -> None:
        with client:
            if fault == "refuse":
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                return
            try:
                upstream = socket.create_connection(self.target, timeout=30)
            except OSError:
                return
            with upstream:
                request = _read_request(client)
                if fault == "cut_request":
                    upstream.sendall(request[: max(1, len(request) // 2)])
                    _reset(client)
                    return
                upstream.sendall(request)
                if fault == "stall":
                    time.sleep(60)
                    return
                upstream.settimeout(60)
                response = _read_all(upstream)
                if fault == "cut_response":
                    _reset(client)
                    return
                client.sendall(response)


def _read_request(sock: socket.socket) -> bytes:
    """One HTTP/1.1 request: its head, then as many body bytes as Content-Length says."""
    sock.settimeout(30)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def _read_all(sock: socket.socket) -> bytes:
    """The service's whole answer (the kiosk asks it to close the connection after one)."""
    data = b""
    head_done, length = False, None
    while True:
        try:
            chunk = sock.recv(65536)
        except OSError:
            return data
        if not chunk:
            return data
        data += chunk
        if not head_done and b"\r\n\r\n" in data:
            head_done = True
            head = data.split(b"\r\n\r\n", 1)[0]
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = len(head) + 4 + int(value.strip())
        if length is not None and len(data) >= length:
            return data


def _reset(sock: socket.socket) -> None:
    """Close with a reset, as a cut cable or a dropped Wi-Fi looks to the other side."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
