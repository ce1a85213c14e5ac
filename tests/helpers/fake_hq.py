"""A small office service on loopback for the kiosk's sync tests: it speaks kiosk.sync_protocol
(checking each row with row_problem, answering new / duplicate / conflict by id and hash) and
can be told to fail: ``hq.fault = "500" | "429" | "401" | "garbage" | "drop" | "hang"`` for the
next requests, until set back to None; ``hq.fault_after = "short" | "swapped"`` takes the batch
and answers rows that do not match it; ``hq.max_rows`` answers a larger batch 413; ``hq.counts``
is its answer to the open ``GET /api/v1/counts``. Not the real HQ: the end-to-end proofs against
``kiosk hq`` and PostgreSQL are elsewhere."""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kiosk.sync_protocol import CASES, MAX_ROWS, UPLOAD, row_problem

TOKEN = "kiosk-token-north"
COUNTS = "/api/v1/counts"


class FakeHQ:
    def __init__(self, kiosk_id: str = "north") -> None:
        self.kiosk_id = kiosk_id
        self.rows: dict[tuple[str, str], str] = {}          # (kind, id) -> hash of the first copy
        self.personal: dict[tuple[str, str], Any] = {}      # the latest personal data got
        self.conflicts: list[tuple[str, str]] = []
        self.batches: list[int] = []                        # the size of each batch answered
        self.requests: list[str] = []
        self.fault: str | None = None                      # fails the request
        self.fault_after: str | None = None                # "short" | "swapped": answers that do not match
        self.max_rows = MAX_ROWS                            # above it: 413
        self.cases: dict[str, Any] = {"version": 0, "hash": "", "files": {}}
        self.release = threading.Event()                    # ends a "hang"
        self.reason = "the office holds other content under this id"  # a conflict's reason
        self.url = ""
        self.counts: Any = {"total": 0, "figures": {"count": 0}}  # GET /api/v1/counts's answer (open: no token)

    def answer(self, body: dict[str, Any]) -> dict[str, Any]:
        answers = []
        for item in body["rows"]:
            problem = row_problem(item, self.kiosk_id)
            kind, row_id = item.get("kind"), item.get("id")
            if problem:
                answers.append({"kind": kind, "id": row_id, "answer": "refused", "reason": problem})
                continue
            key = (kind, row_id)
            if key not in self.rows:
                self.rows[key] = item["hash"]
                answers.append({"kind": kind, "id": row_id, "answer": "new"})
            elif self.rows[key] == item["hash"]:
                answers.append({"kind": kind, "id": row_id, "answer": "duplicate"})
            else:
                self.conflicts.append(key)
                answers.append({"kind": kind, "id": row_id, "answer": "conflict", "reason": self.reason})
                continue
            self.personal[key] = item["personal"]
        self.batches.append(len(answers))
        return {"answers": answers}


def _handler(hq: FakeHQ) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def _fault(self) -> bool:
            fault = hq.fault
            if fault is None:
                return False
            if fault == "hang":
                hq.release.wait(30)
                return True
            if fault == "drop":
                self.close_connection = True
                self.connection.shutdown(2)
                return True
            if fault == "500":
                self._send(500, {"error": "database down"})
            elif fault == "429":
                self._send(429, {"error": "slow down"}, {"Retry-After": "120"})
            elif fault == "401":
                self._send(401, {"error": "unknown token"})
            elif fault == "garbage":
                self._send(200, b"<html>not json")
            else:
                return False
            return True

        def do_GET(self) -> None:
            hq.requests.append(f"GET {self.path}")
            if self.path.startswith(COUNTS):  # the national counts are open, like the office's dashboard
                if not self._fault():
                    self._send(200, hq.counts)
                return
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self._send(401, {"error": "unknown token"})
                return
            if self._fault():
                return
            if self.path != CASES:
                self._send(404, {"error": "no such path"})
                return
            etag = self.headers.get("If-None-Match")
            if etag and etag == f'"{hq.cases["hash"]}"' and hq.cases["version"]:
                self.send_response(304)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self._send(200, hq.cases)

        def do_POST(self) -> None:
            hq.requests.append(f"POST {self.path}")
            length = int(self.headers.get("Content-Length", "0"))
            data = self.rfile.read(length)
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self._send(401, {"error": "unknown token"})
                return
            if self._fault():
                return
            if self.path != UPLOAD:
                self._send(404, {"error": "no such path"})
                return
            body = json.loads(data)
            if len(body["rows"]) > hq.max_rows:
                self._send(413, {"error": f"at most {hq.max_rows} rows"})
                return
            answer = hq.answer(body)
            if hq.fault_after == "short":
                answer["answers"] = answer["answers"][:-1]
            elif hq.fault_after == "swapped" and len(answer["answers"]) > 1:
                answer["answers"] = answer["answers"][::-1]
            self._send(200, answer)

    return Handler


@contextmanager
def running(hq: FakeHQ | None = None):
    """``hq`` served on loopback (its ``url`` set) for the block."""
    hq = hq or FakeHQ()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(hq))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    hq.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield hq
    finally:
        hq.release.set()
        server.shutdown()
        server.server_close()
