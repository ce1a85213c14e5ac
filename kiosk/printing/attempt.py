"""One try at a printer, run in a helper thread that its caller may give up on.

A device call can block past any deadline (a slow host-name lookup, a hung device), so the
caller waits for the helper thread only so long. Giving up on a thread does not stop it,
so the two agree, under one lock, on who decides what happened to the job:

- the worker, just before the first byte of the job, calls :meth:`Attempt.begin_sending`:
  under the lock it checks ``cancelled`` (and stops, sending nothing, if it is set) and
  sets ``sending``;
- the caller, at its deadline, calls :meth:`Attempt.give_up`: under the lock it sets
  ``cancelled`` and reads ``sending``, then aborts the open connection.

So a job given up on before ``sending`` never sends a byte, whenever its thread wakes up
(it is a plain failure, to retry); one given up on while sending may be on paper, and its
connection is aborted so that nothing more of it leaves. The worker also checks
``cancelled`` before every step and every chunk it writes.
"""

from __future__ import annotations

import contextlib
import threading
import time
from typing import Any, Protocol


class GaveUp(Exception):
    """Raised in a worker whose caller has given up: it stops, sending nothing more."""


class Abortable(Protocol):
    def abort(self) -> None:
        """Stop the connection's transfer now; called from another thread."""


class Attempt:
    """The handshake between a worker thread and the caller waiting for it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cancelled = False
        self._sending = False
        self._link: Abortable | None = None
        self._outcome: tuple[bool, Any] | None = None
        self._done = threading.Event()
        self.last_progress = time.monotonic()
        self.phase = "starting"  # what the worker is doing, for the caller's message

    # -- the worker's side -----------------------------------------------------------

    def check(self) -> None:
        """GaveUp if the caller has given up."""
        with self._lock:
            if self._cancelled:
                raise GaveUp

    def progress(self, phase: str | None = None) -> None:
        """The worker moved on (a step done, a chunk written); GaveUp if given up on."""
        self.last_progress = time.monotonic()
        if phase is not None:
            self.phase = phase
        self.check()

    def opened(self, link: Abortable) -> None:
        """The worker holds an open connection the caller may abort; GaveUp if given up on
        (the worker then closes it itself)."""
        with self._lock:
            if self._cancelled:
                raise GaveUp
            self._link = link

    def begin_sending(self) -> None:
        """Just before the job's first byte: from here a fault may leave part of it on paper."""
        with self._lock:
            if self._cancelled:
                raise GaveUp
            self._sending = True
        self.progress("sending the job")

    @property
    def sending(self) -> bool:
        with self._lock:
            return self._sending

    def finish(self, ok: bool, value: Any) -> None:
        """The worker's result (or exception), kept unless the caller gave up first."""
        with self._lock:
            if not self._cancelled:
                self._outcome = (ok, value)
        self._done.set()

    # -- the caller's side -----------------------------------------------------------

    def wait(self, timeout: float) -> bool:
        """True once the worker has finished."""
        return self._done.wait(max(0.0, timeout))

    def give_up(self) -> tuple[tuple[bool, Any] | None, bool]:
        """Stop waiting: (the worker's outcome, if it finished first; whether it had begun
        sending). Unless it finished, it is cancelled and its connection aborted."""
        with self._lock:
            if self._outcome is not None:
                return self._outcome, self._sending
            self._cancelled = True
            sending, link = self._sending, self._link
        if link is not None:
            with contextlib.suppress(Exception):  # a broken connection may fail to abort: it is stopped either way
                link.abort()
        return None, sending

    def outcome(self) -> tuple[bool, Any] | None:
        with self._lock:
            return self._outcome
