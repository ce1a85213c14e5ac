"""Sending a rendered receipt to a printer, with a time limit on everything.

Every failure becomes a :class:`PrintError` with one clear line: a refused connection, a
printer that accepts but never reads (timed out, never a hang), a dropped connection, a
missing device, and, where the set-up asks for status, paper out or no confirmation.

A job is *printed* only when the printer has confirmably taken every byte: every byte
written, and, where the set-up asks for status, two well-formed answers after the last one
(see :mod:`.status`); without status, the system says the device took them all. Any fault
once a byte of the job has left is ``maybe_printed`` (the job waits as interrupted, for a
person to look), never a plain failure to retry.

Each try runs in a helper thread (:mod:`.attempt`) watched by the caller: it gives up when
the thread makes no progress for the set-up's timeout (a slow host-name lookup, a hung
device) or outlives the whole job's time. A thread given up on before the job's first byte
never sends one; one given up on while sending has its connection aborted. So no write
thread outlives its job's final state: *Retry* never meets a copy still on its way.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, TypeVar

from ..errors import PrintError
from ..private import private_dir
from ..receipts.model import Receipt
from ..receipts.plain import render_text
from . import status
from .attempt import Attempt, GaveUp
from .links import Link, open_link
from .setups import Setup

T = TypeVar("T")

# Time allowed per byte on top of the set-up's timeout: 9600 baud is ~1 KB/s.
SECONDS_PER_BYTE = 1 / 900
# Allowed past the set-up's timeout before the caller gives up on a thread making no progress:
# the thread's own limits (the same timeout) should speak first.
GRACE = 0.25

_ERRNO = {
    errno.ENOENT: "no such device or file",
    errno.ENODEV: "no such device (is the printer plugged in and on?)",
    errno.ENXIO: "no such device (is the printer plugged in and on?)",
    errno.EISDIR: "this is a folder, not a printer",
    errno.EACCES: "permission denied (is this user allowed to use the printer?)",
    errno.EPERM: "permission denied (is this user allowed to use the printer?)",
    errno.EHOSTUNREACH: "no route to the printer",
    errno.ENETUNREACH: "no route to the printer",
    errno.ENOSPC: "no space left on the device",
    errno.EROFS: "the file is on a read-only file system",
    errno.EBUSY: "the printer is busy (another program is using it)",
}


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception, and the ones it was raised from or while handling: python-escpos
    wraps the device's own error in one of its own."""
    seen: BaseException | None = exc
    while seen is not None:
        yield seen
        seen = seen.__cause__ or seen.__context__


def _explain(setup: Setup, exc: BaseException, sending: bool) -> str:
    """What a device error means, by its type (never by its text): the problem, without the place."""
    for cause in _chain(exc):
        kind = type(cause).__name__
        if isinstance(cause, TimeoutError) or kind in ("SerialTimeoutException", "USBTimeoutError"):
            return f"printer stopped taking data (no answer within {setup.timeout:g} s)"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)):
            return "connection dropped during the job" if sending else "connection dropped"
        if isinstance(cause, socket.gaierror):
            return "unknown host name"
        if isinstance(cause, UnicodeError):  # a host name the resolver cannot even encode
            return "not a valid host name"
        if kind == "NoBackendError":
            return "libusb is not installed, so USB printers cannot be reached (install libusb-1.0)"
        if kind == "SerialException" and "could not open port" in str(cause):  # pyserial's one class
            cause = cause.__context__ or cause
        if isinstance(cause, OSError) and cause.errno in _ERRNO:
            return _ERRNO[cause.errno]
    return " ".join(str(exc).split()) or type(exc).__name__


def _run(setup: Setup, limit: float, action: Callable[[Attempt], T], what: str = "the job") -> T:
    """Run ``action(attempt)`` in a helper thread, and PrintError if it fails, makes no
    progress for the set-up's timeout or outlives ``limit`` seconds. The error's
    ``maybe_printed`` says whether the job's bytes had begun to leave."""
    attempt = Attempt()

    def work() -> None:
        try:
            result: tuple[bool, Any] = (True, action(attempt))
        except GaveUp:
            result = (False, None)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller below
            result = (False, exc)
        attempt.finish(*result)

    worker = threading.Thread(target=work, name=f"print-{setup.name}", daemon=True)
    started = time.monotonic()
    worker.start()
    stall = setup.timeout + GRACE
    while not attempt.wait(min(attempt.last_progress + stall, started + limit) - time.monotonic()):
        now = time.monotonic()
        if now - attempt.last_progress >= stall or now - started >= limit:
            break
    outcome = attempt.outcome()
    if outcome is None:
        outcome, sending = attempt.give_up()
        if outcome is None:
            if sending:
                worker.join(setup.timeout + GRACE)  # aborted: it stops at once, or at its next step
            waited = time.monotonic() - started
            problem = f"printer did not take {what}: no answer within {waited:.1f} s ({attempt.phase})"
            if attempt.phase == ASKING_PAPER:  # connected, and the first status request met silence
                problem = f"{problem}: {_NO_STATUS.format(how=status_off(setup))}"
            raise PrintError(problem, source=setup.where, maybe_printed=sending)
    sending = attempt.sending
    ok, value = outcome
    if ok:
        result: T = value
        return result
    if isinstance(value, PrintError):
        value.maybe_printed = value.maybe_printed or sending
        value.source = value.source or setup.where
        raise value
    raise PrintError(_explain(setup, value, sending), source=setup.where, maybe_printed=sending) from value


ASKING_PAPER = "asking for the paper status"  # the phase of a try that asks the first status question
_NO_STATUS = "if the printer takes data but never answers status requests, turn status off: {how}"


def status_off(setup: Setup) -> str:
    """The setting that turns status requests off for ``setup``, exactly as it is written: the
    ``status`` field of its set-up file, or the ``status`` option of its quick spec."""
    if setup.file is not None:
        return f"status = false in {setup.file}"
    spec, _, query = setup.name.partition("?")
    options = [part for part in query.split("&") if part and part.split("=")[0] != "status"]
    return f"the printer spec {spec}?{'&'.join([*options, 'status=off'])}"


def _paper_before_job(setup: Setup, link: Link) -> str:
    """The paper status before a job (:func:`.status.paper_before_job`); a printer that answers
    nothing at all is told how to turn status off."""
    try:
        return status.paper_before_job(link, setup.timeout)
    except status.NoAnswer as exc:
        raise PrintError(f"{exc.problem}: {_NO_STATUS.format(how=status_off(setup))}") from None


def _transfer(setup: Setup, data: bytes, attempt: Attempt) -> None:
    link = open_link(setup, attempt)
    taken = False
    try:
        if setup.status:
            if not link.can_answer:
                raise PrintError(f"this printer cannot answer status requests: turn status off ({status_off(setup)})")
            attempt.progress(ASKING_PAPER)
            _paper_before_job(setup, link)
        attempt.begin_sending()  # from here on, a fault may leave part of the job on paper
        link.write(data)
        if setup.status:
            attempt.progress("waiting for the printer to confirm the job")
            status.confirm_job(link, setup.timeout)
        else:
            attempt.progress("waiting for the printer to take the job")
            link.settle()
        taken = True
    finally:
        link.close(clean=taken)


def job_limit(setup: Setup, size: int) -> float:
    """The most a job of ``size`` bytes may take, however steadily the printer reads."""
    return setup.timeout * (5 if setup.status else 3) + 2 + size * SECONDS_PER_BYTE


def send(setup: Setup, data: bytes) -> None:
    """Send ``data`` to the printer or raise PrintError; never blocks past the deadline."""
    _run(setup, job_limit(setup, len(data)), lambda attempt: _transfer(setup, data, attempt))


def _probe(setup: Setup, attempt: Attempt) -> str:
    link = open_link(setup, attempt)
    try:
        if not setup.status:
            return "connected (this set-up does not ask the printer for paper status)"
        if not link.can_answer:
            raise PrintError(f"this printer cannot answer status requests: turn status off ({status_off(setup)})")
        attempt.progress(ASKING_PAPER)
        return f"connected, {_paper_before_job(setup, link)}"
    finally:
        link.close(clean=True)


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
    return _run(setup, setup.timeout * 3 + 2, lambda attempt: _probe(setup, attempt), "the status request")


def write_preview(setup: Setup, receipt: Receipt) -> Path:
    """The preview printer: the receipt as PNG and as text in the set-up's folder.

    Each file is written whole to a new private file (0600) beside it, then renamed over
    the name: a link, FIFO or other file already at that name is replaced, never written
    through, and nobody reads half a receipt."""
    folder = Path(setup.options["dir"])
    try:
        private_dir(folder)  # receipts carry visitors' names
        paper = setup.paper
        stem = re.sub(r"[^A-Za-z0-9._-]", "_", receipt.name).lstrip(".") or "receipt"  # stays in the folder
        png = folder / f"{stem}.png"
        from ..receipts.raster import render_png  # Pillow and the fonts: on the first preview

        image = render_png(receipt, paper)
        _replace(png, lambda f: image.save(f, format="PNG"))
        text = render_text(receipt, paper).encode("utf-8")
        _replace(folder / f"{stem}.txt", lambda f: f.write(text))
    except OSError as exc:
        raise PrintError(f"{exc.strerror or exc}", source=f"preview folder {folder}") from None
    return png


def _replace(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Write a private file beside ``path``, then rename it to ``path``."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise
