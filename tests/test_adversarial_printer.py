"""The printer path against printers that lie, stall, chatter or vanish: a letter is
*printed* only when the printer confirmably took every byte, exactly once, never on a guess.

Real loopback sockets (tests/helpers/fake_printer.py), real files, FIFOs, a pseudo-terminal
as a serial port, a fake ``lp`` on the PATH, and a real Store: each test checks the job's
state and what reached the printer, decoded.
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from kiosk.job_states import Transition
from kiosk.printing import devices, escpos_lib, status
from kiosk.printing.devices import PrintError, send
from kiosk.printing.queue import print_signature
from kiosk.printing.setups import parse_spec
from kiosk.settings import DEFAULT_CAMPAIGN as CAMPAIGN
from tests.helpers import ROOT
from tests.helpers.escpos_stream import decode
from tests.helpers.fake_printer import PAPER_OK, strip_status

NAME = "Ada Lovelace"


def sign(store, name=NAME):
    return store.record(case_id="prisoner-ilya-voronin", kind="appeal", name=name, message="Free him.",
                        event="Fest", kiosk_id="k1")


def attempt(store, cases, sig, spec, move=Transition.CLAIM):
    return print_signature(store, sig, cases.cases[sig.case_id], parse_spec(spec), CAMPAIGN, move=move)


def state(store, sig) -> str:
    """printed, failed (no byte left: Retry prints it) or interrupted (maybe on paper)."""
    job = store.job_for(sig.id)
    return "interrupted" if job.status == "printing" else str(job.status)


def receipts(printer, name=NAME) -> int:
    """Whole receipts for ``name`` the printer read, over all its connections."""
    printer.settle(2)
    whole = 0
    for _, data in printer.received:
        body = strip_status(data)
        if body:
            out = decode(body, "TM-T20II")
            whole += name in out.text and bool(out.cuts)
    return whole


def receipt_bytes(printer) -> int:
    printer.settle(2)
    return sum(len(strip_status(data)) for _, data in printer.received)


# -- false "printed": the confirmation --------------------------------------------------


def test_an_extra_byte_after_the_paper_answer_is_no_confirmation(store, cases, fake_printer):
    """The issue's printer: it answers the paper request with one byte more, then stops
    reading. Nothing of the job is sent: a plain failure, printed by Retry."""
    printer = fake_printer("extra_byte")
    sig = sign(store)
    outcome = attempt(store, cases, sig, printer.spec + "?timeout=0.3")
    assert not outcome.printed and not outcome.maybe_printed, outcome
    assert "more than its answer" in outcome.error or "2 bytes" in outcome.error, outcome.error
    assert state(store, sig) == "failed"
    assert receipt_bytes(printer) == 0
    printer.mode = "ok"
    assert attempt(store, cases, sig, printer.spec + "?timeout=0.3").printed
    assert receipts(printer) == 1


@pytest.mark.parametrize("delay", [0.0, 0.05])
def test_a_stray_byte_after_the_printer_stopped_reading_is_no_confirmation(store, cases, fake_printer, delay):
    """It answers the paper request, stops reading, and sends one more well-formed byte,
    at once or while the job is on its way: never printed. Sent later, the byte can only be
    taken for the first answer after the job, and the second never comes: interrupted."""
    printer = fake_printer("late_extra_byte")
    printer.delay = delay
    sig = sign(store)
    outcome = attempt(store, cases, sig, printer.spec + "?timeout=0.3")
    assert not outcome.printed, outcome
    assert state(store, sig) == ("interrupted" if outcome.maybe_printed else "failed")
    if delay:  # the stray byte came while the job was on its way, or after it
        assert outcome.maybe_printed and "confirmation request" in outcome.error, outcome
    assert receipt_bytes(printer) == 0  # it read only the paper request


@pytest.mark.parametrize("mode", ["malformed", "two_bytes"])
def test_a_malformed_answer_sends_nothing(store, cases, fake_printer, mode):
    printer = fake_printer(mode)
    sig = sign(store)
    outcome = attempt(store, cases, sig, printer.spec + "?timeout=0.3")
    assert not outcome.printed and not outcome.maybe_printed, outcome
    assert ("malformed (0x01)" if mode == "malformed" else "2 bytes, not one") in outcome.error
    assert state(store, sig) == "failed" and receipt_bytes(printer) == 0


def test_a_paper_answer_later_than_the_timeout_sends_nothing(store, cases, fake_printer):
    printer = fake_printer("slow_answer")
    printer.delay = 0.4
    sig = sign(store)
    outcome = attempt(store, cases, sig, printer.spec + "?timeout=0.2")
    assert not outcome.printed and not outcome.maybe_printed
    assert "no answer within 0.2 s to the paper-status request" in outcome.error
    assert state(store, sig) == "failed" and receipt_bytes(printer) == 0


def test_a_printer_that_reads_the_job_but_never_confirms_it_is_interrupted(store, cases, fake_printer):
    printer = fake_printer("no_confirm")
    sig = sign(store)
    outcome = attempt(store, cases, sig, printer.spec + "?timeout=0.2")
    assert not outcome.printed and outcome.maybe_printed
    assert "confirmation request" in outcome.error
    assert state(store, sig) == "interrupted"
    assert store.jobs(("pending", "failed")) == []  # Retry leaves it to a person who looked
    printer.mode = "ok"
    assert attempt(store, cases, sig, printer.spec + "?timeout=0.3", move=Transition.REPRINT).printed


def test_a_printer_offline_after_the_job_is_interrupted(store, cases, fake_printer):
    printer = fake_printer("offline")
    sig = sign(store)
    outcome = attempt(store, cases, sig, printer.spec + "?timeout=0.3")
    assert not outcome.printed and outcome.maybe_printed and "offline" in outcome.error
    assert state(store, sig) == "interrupted"


def test_a_printer_that_chatters_unasked_is_printed_only_when_it_read_the_job(store, cases, fake_printer):
    """Bytes nobody asked for, every few milliseconds, from a printer that reads: each job
    is printed only if its receipt reached the printer whole, and failed only if nothing
    of it did."""
    printer = fake_printer("chatter")
    for i in range(3):
        sig = sign(store, name=f"Visitor {i}")
        outcome = attempt(store, cases, sig, printer.spec + "?timeout=0.3")
        assert state(store, sig) == ("printed" if outcome.printed else
                                     "interrupted" if outcome.maybe_printed else "failed"), outcome
        if not outcome.maybe_printed:
            assert receipts(printer, f"Visitor {i}") == outcome.printed


def test_garbage_before_any_request_is_never_taken_for_an_answer(store, cases, fake_printer):
    """Bytes sent before the kiosk asked anything: thrown away, or, if they arrive while it
    waits, refused; either the receipt prints whole, once, or nothing of it is sent."""
    printer = fake_printer("garbage")
    for i in range(4):
        sig = sign(store, name=f"Visitor {i}")
        outcome = attempt(store, cases, sig, printer.spec + "?timeout=0.3")
        assert not outcome.maybe_printed, outcome
        assert state(store, sig) == ("printed" if outcome.printed else "failed")
        assert receipts(printer, f"Visitor {i}") == outcome.printed
    assert receipt_bytes(printer) == sum(
        len(strip_status(d)) for _, d in printer.received if b"Visitor" in d)


def _waiting(link) -> int:
    """Bytes waiting to be read on the kiosk's side of a network link."""
    import fcntl
    import struct
    import termios

    return struct.unpack("i", fcntl.ioctl(link.fileno(), termios.FIONREAD, b"\0\0\0\0"))[0]


def test_a_printer_that_floods_the_kiosk_never_counts_as_answering(store, cases, fake_printer, monkeypatch):
    """Well-formed bytes nobody asked for, more than the kiosk takes from a printer (4 KB in
    all): never read on and on, never an answer, never a printed job, however they are timed.

    1. 100 KB before the printer reads a byte: refused before the job, nothing sent.
    2. Bursts of 3 KB that pause exactly around the kiosk's questions: each lands whole just
       before the kiosk empties the buffer ahead of a question (the paper request, then the
       confirmation), so every answer comes alone. Each burst is under the limit, the two
       are over it: the job is interrupted (it may be on paper), never printed. The limit
       was once counted per look, and this printer's job was printed.
    3. A flood that starts only once the kiosk has hung up: the printer read the whole job
       and answered both questions before sending a byte unasked; the kiosk never saw one,
       and the job is printed, once. The timing of a run that failed on a loaded machine,
       when the fake printer sent its flood from a thread that ran only after the job.
    """
    printer = fake_printer("flood")
    sig = sign(store, name="Visitor 1")
    started = time.monotonic()
    outcome = attempt(store, cases, sig, printer.spec + "?timeout=0.3")
    assert time.monotonic() - started < 3  # the deadline, not a hang (room for a busy machine)
    assert not outcome.printed and not outcome.maybe_printed, outcome
    assert "keeps sending" in outcome.error or "bytes, not one" in outcome.error, outcome.error
    assert state(store, sig) == "failed" and receipt_bytes(printer) == 0

    printer = fake_printer("bursts")
    burst, bursts = 3000, []

    def after_a_burst(look):
        def burst_then_look(link, timeout):
            printer.burst(burst)
            deadline = time.monotonic() + 5
            while _waiting(link) < burst:  # every byte of it waits on the kiosk's side
                assert time.monotonic() < deadline, "the burst never reached the kiosk"
                time.sleep(0.001)
            bursts.append(look.__name__)
            return look(link, timeout)
        return burst_then_look

    with monkeypatch.context() as patch:
        patch.setattr(status, "paper_before_job", after_a_burst(status.paper_before_job))
        patch.setattr(status, "confirm_job", after_a_burst(status.confirm_job))
        sig = sign(store, name="Visitor 2")
        outcome = attempt(store, cases, sig, printer.spec + "?timeout=2")  # room for a busy machine
    assert bursts == ["paper_before_job", "confirm_job"]
    assert not outcome.printed and outcome.maybe_printed, outcome
    assert "keeps sending data nobody asked for" in outcome.error, outcome.error
    assert state(store, sig) == "interrupted"
    assert receipts(printer, "Visitor 2") <= 1

    printer = fake_printer("flood_after")
    sig = sign(store, name="Visitor 3")
    outcome = attempt(store, cases, sig, printer.spec + "?timeout=0.3")
    assert outcome.printed, outcome
    assert state(store, sig) == "printed" and receipts(printer, "Visitor 3") == 1


def test_a_printer_that_closes_after_reading_part_is_interrupted(store, cases, fake_printer):
    printer = fake_printer("drop")
    sig = sign(store)
    outcome = attempt(store, cases, sig, printer.spec + "?timeout=0.3")
    assert not outcome.printed and outcome.maybe_printed
    assert state(store, sig) == "interrupted"


def test_the_status_check_wants_a_well_formed_answer(fake_printer):
    """python-escpos called an empty answer "paper OK"."""
    for mode, expected in (("ok", "paper OK"), ("paper_out", "out of paper"), ("never_reads", "no answer within"),
                           ("malformed", "malformed"), ("extra_byte", "2 bytes|more than its answer")):
        printer = fake_printer(mode)
        setup = parse_spec(printer.spec + "?timeout=0.2")
        if mode == "ok":
            assert devices.check(setup) == "connected, paper OK"
            continue
        with pytest.raises(PrintError, match=expected):
            devices.check(setup)


# -- double print: a thread given up on -------------------------------------------------


def _print_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("print-")]


def test_a_slow_name_lookup_fails_the_job_and_its_thread_never_prints(store, cases, fake_printer, monkeypatch):
    """The lookup outlives the deadline: the job fails; when the lookup ends at last, the
    thread given up on sends nothing; Retry prints the letter exactly once."""
    printer = fake_printer("ok")
    release = threading.Event()
    real = socket.getaddrinfo
    calls = []

    def slow_lookup(host, port, *args, **kwargs):
        calls.append(host)
        if len(calls) == 1:
            release.wait(5)
        return real("127.0.0.1", port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", slow_lookup)
    spec = f"tcp://printer.stall.invalid:{printer.port}?timeout=0.1"
    before = set(_print_threads())
    sig = sign(store)
    started = time.monotonic()
    outcome = attempt(store, cases, sig, spec)
    assert time.monotonic() - started < 3  # the deadline, not a hang (room for a busy machine)
    assert not outcome.printed and not outcome.maybe_printed, outcome
    assert "no answer within" in outcome.error and "looking up printer.stall.invalid" in outcome.error
    assert state(store, sig) == "failed"
    retried = attempt(store, cases, sig, spec)  # Retry, while the first lookup still hangs
    assert retried.printed, retried.error
    release.set()  # the first lookup ends at last
    for thread in set(_print_threads()) - before:
        thread.join(2)
        assert not thread.is_alive()
    assert receipts(printer) == 1 and printer.connections == 1
    assert state(store, sig) == "printed"


def test_a_job_given_up_on_while_sending_is_reset_not_finished_later(fake_printer, monkeypatch):
    """A printer reading steadily but slowly past the job's time: the job may be on paper,
    and its connection is reset; the rest of it does not go on trickling out after that."""
    printer = fake_printer("trickle")  # 256 bytes a millisecond at most
    printer.delay = 0.001
    monkeypatch.setattr(devices, "job_limit", lambda setup, size: 0.3)
    payload = b"x" * 2_000_000
    started = time.monotonic()
    with pytest.raises(PrintError, match=r"no answer within 0.3 s") as raised:
        send(parse_spec(printer.spec + "?timeout=1&status=0"), payload)
    assert raised.value.maybe_printed and time.monotonic() - started < 3  # the deadline, not a hang
    printer.settle(0.5)  # the connection ended at once: reset, not left to finish
    ((_, data),) = printer.received
    assert 0 < len(data) < len(payload) // 2


def test_a_thread_given_up_on_before_sending_never_sends(fake_printer, monkeypatch):
    """The handshake itself: the caller gives up while the thread connects; the thread,
    once connected, finds it cancelled and sends not one byte of the job."""
    printer = fake_printer("ok")
    release = threading.Event()
    real = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: (release.wait(5), real(*a, **k))[1])
    setup = parse_spec(printer.spec + "?timeout=0.1&status=0")
    before = set(_print_threads())
    with pytest.raises(PrintError) as raised:
        send(setup, b"JOB" * 100)
    assert not raised.value.maybe_printed
    release.set()
    for thread in set(_print_threads()) - before:
        thread.join(2)
    time.sleep(0.05)
    printer.settle(1)
    assert all(b"JOB" not in data for _, data in printer.received)


# -- network without status: every byte taken ---------------------------------------


def test_without_status_every_byte_is_written_and_taken(fake_printer):
    printer = fake_printer("ok")
    setup = parse_spec(printer.spec + "?timeout=0.5&status=0")
    payload = bytes(range(256)) * 4000  # 1 MB through a 4 KB receive buffer
    send(setup, payload)
    printer.settle(2)
    (_, data), = printer.received
    assert data == payload


# -- USB: short writes, and a device that stops ------------------------------------------


class FakeUsbDevice:
    """A USB printer that takes at most ``per_write`` bytes per write and answers DLE EOT."""

    def __init__(self, per_write=100, stop_after=None):
        self.per_write, self.stop_after = per_write, stop_after
        self.received = bytearray()
        self.answers = bytearray()

    def write(self, endpoint, data, timeout):
        data = bytes(data)
        if self.stop_after is not None and len(self.received) >= self.stop_after:
            import usb.core

            raise usb.core.USBTimeoutError("timed out", errno=110)
        taken = data[:self.per_write]
        self.received += taken
        for n in (1, 4):
            self.answers += bytes([PAPER_OK]) * taken.count(bytes([0x10, 0x04, n]))
        return len(taken)

    def read(self, endpoint, size, timeout):
        import usb.core

        if not self.answers:
            time.sleep(timeout / 1000)
            raise usb.core.USBTimeoutError("timed out", errno=110)
        out, self.answers[:] = bytes(self.answers[:size]), self.answers[size:]
        return out


def _fake_usb(monkeypatch, device):
    class FakeUsb:
        def __init__(self, **kwargs):
            self.out_ep, self.in_ep = kwargs.get("out_ep", 1), kwargs.get("in_ep", 0x82)
            self.device = None

        def open(self):
            self.device = device

        def close(self):
            self.device = None

    monkeypatch.setattr(escpos_lib.printers, "Usb", FakeUsb)


def test_usb_short_writes_deliver_every_byte_once(monkeypatch):
    device = FakeUsbDevice(per_write=100)
    _fake_usb(monkeypatch, device)
    payload = b"".join(b"line %05d\n" % i for i in range(500))
    send(parse_spec("usb:04b8:0e15?timeout=0.3&status=1"), payload)
    assert bytes(device.received) == b"\x10\x04\x04" + payload + b"\x10\x04\x01\x10\x04\x04"


def test_usb_device_that_stops_mid_job_is_interrupted(monkeypatch):
    _fake_usb(monkeypatch, FakeUsbDevice(per_write=100, stop_after=1000))
    with pytest.raises(PrintError, match="stopped taking data") as raised:
        send(parse_spec("usb:04b8:0e15?timeout=0.3"), b"x" * 5000)
    assert raised.value.maybe_printed


# -- serial: a pseudo-terminal as the port -----------------------------------------------


def _serial_printer(reads: bool):
    master, slave = os.openpty()
    path = os.ttyname(slave)
    got = bytearray()
    stop = threading.Event()

    def serve():
        import select as sel

        while not stop.is_set():
            if not reads:
                time.sleep(0.01)
                continue
            if sel.select([master], [], [], 0.02)[0]:
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    return
                start = len(got)
                got.extend(chunk)
                at = max(0, start - 2)
                while (at := got.find(b"\x10\x04", at)) != -1 and at + 2 < len(got):
                    os.write(master, bytes([PAPER_OK]))
                    at += 3

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()

    def close():
        stop.set()
        thread.join(1)
        os.close(master)
        os.close(slave)

    return path, got, close


def test_a_serial_printer_confirms_the_job(store, cases):
    path, got, close = _serial_printer(reads=True)
    try:
        sig = sign(store)
        outcome = attempt(store, cases, sig, f"serial:{path}?timeout=0.5&status=1&baud=115200")
        assert outcome.printed, outcome.error
        time.sleep(0.05)
        assert NAME in decode(strip_status(bytes(got)), "TM-T20II").text
    finally:
        close()


def test_a_serial_printer_that_stops_reading_times_out_and_closes_at_once():
    path, _, close = _serial_printer(reads=False)
    try:
        started = time.monotonic()
        with pytest.raises(PrintError, match="stopped taking data") as raised:
            send(parse_spec(f"serial:{path}?timeout=0.3&baud=115200"), b"x" * 1_000_000)
        assert time.monotonic() - started < 3  # closing did not wait for the queued bytes
        assert raised.value.maybe_printed
    finally:
        close()


# -- CUPS: a fake lp ----------------------------------------------------------------------


@pytest.fixture
def fake_cups(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    out = tmp_path / "lp-out.bin"
    (bin_dir / "lp").write_text(f'#!/bin/sh\ncat > "{out}"\nexit "${{FAKE_LP_EXIT:-0}}"\n')
    (bin_dir / "lpstat").write_text('#!/bin/sh\n[ "$2" = "receipts" ]\n')
    for tool in ("lp", "lpstat"):
        (bin_dir / tool).chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return out


def test_cups_prints_through_lp_and_reads_its_exit_status(store, cases, fake_cups, monkeypatch):
    sig = sign(store)
    assert attempt(store, cases, sig, "cups:receipts?timeout=1").printed
    assert NAME in decode(fake_cups.read_bytes(), "TM-T20II").text
    monkeypatch.setenv("FAKE_LP_EXIT", "1")
    sig2 = sign(store, name="Visitor 2")
    outcome = attempt(store, cases, sig2, "cups:receipts?timeout=1")
    assert not outcome.printed and outcome.maybe_printed and "exit status 1" in outcome.error
    sig3 = sign(store, name="Visitor 3")
    outcome = attempt(store, cases, sig3, "cups:nosuchqueue?timeout=1")
    assert not outcome.printed and not outcome.maybe_printed and "no queue 'nosuchqueue'" in outcome.error


# -- files: modes, FIFOs, the database ----------------------------------------------------


@pytest.mark.parametrize("umask", [0o000, 0o022])
def test_a_file_printer_output_is_private(store, cases, tmp_path, umask):
    old = os.umask(umask)
    try:
        new, existing = tmp_path / "new.bin", tmp_path / "existing.bin"
        existing.write_bytes(b"\x1b@an earlier receipt")
        existing.chmod(0o644)
        for out in (new, existing):
            sig = sign(store)
            assert attempt(store, cases, sig, f"file:{out}").printed
            assert stat.S_IMODE(out.stat().st_mode) == 0o600, out
            assert NAME in decode(out.read_bytes(), "TM-T20II").text  # emptied first
    finally:
        os.umask(old)


def test_a_character_device_keeps_its_mode():
    before = os.stat("/dev/null").st_mode
    send(parse_spec("file:/dev/null"), b"x" * 1000)
    assert os.stat("/dev/null").st_mode == before


def test_a_fifo_nobody_reads_fails_at_once(store, cases, tmp_path):
    fifo = tmp_path / "printer.fifo"
    os.mkfifo(fifo)
    sig = sign(store)
    started = time.monotonic()
    outcome = attempt(store, cases, sig, f"file:{fifo}?timeout=0.3")
    assert time.monotonic() - started < 3  # the deadline, not a hang (room for a busy machine)
    assert not outcome.printed and not outcome.maybe_printed and "nothing is reading" in outcome.error
    assert state(store, sig) == "failed"


def test_a_fifo_whose_reader_stops_times_out(tmp_path):
    fifo = tmp_path / "printer.fifo"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # opened, never read
    try:
        started = time.monotonic()
        with pytest.raises(PrintError, match="stopped taking data") as raised:
            send(parse_spec(f"file:{fifo}?timeout=0.3"), b"x" * 1_000_000)  # more than a pipe holds
        assert time.monotonic() - started < 3 and raised.value.maybe_printed
    finally:
        os.close(reader)


def test_a_fifo_read_in_small_pieces_gets_every_byte_once(tmp_path):
    """A pipe takes part of a large write at a time: each short write is followed by the
    rest, never repeated or skipped."""
    fifo = tmp_path / "printer.fifo"
    os.mkfifo(fifo)
    got = bytearray()
    payload = bytes(range(256)) * 2000
    fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # the reader is there before the printer opens

    def reader():
        end = time.monotonic() + 3
        while len(got) < len(payload) and time.monotonic() < end:
            try:
                chunk = os.read(fd, 1000)
            except BlockingIOError:
                chunk = b""
            got.extend(chunk)
            if not chunk:
                time.sleep(0.0005)

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    try:
        send(parse_spec(f"file:{fifo}?timeout=0.5"), payload)
        thread.join(3)
    finally:
        os.close(fd)
    assert bytes(got) == payload


def test_a_printer_another_process_is_writing_to_is_waited_for_not_mixed(store, cases, tmp_path):
    """Two kiosk processes on one device (the app, and `kiosk jobs retry` in a terminal):
    the second waits for the first instead of mixing receipts or emptying its output."""
    import fcntl

    out = tmp_path / "printer.bin"
    out.write_bytes(b"\x1b@the other program's receipt")
    other = open(out, "r+b")  # noqa: SIM115 - closed by the timer below, or at the end
    fcntl.flock(other, fcntl.LOCK_EX)
    try:
        sig = sign(store)
        outcome = attempt(store, cases, sig, f"file:{out}?timeout=0.2")
        assert not outcome.printed and not outcome.maybe_printed and "another program" in outcome.error
        assert out.read_bytes() == b"\x1b@the other program's receipt" and state(store, sig) == "failed"
        threading.Timer(0.1, other.close).start()  # the other program finishes
        outcome = attempt(store, cases, sig, f"file:{out}?timeout=1")
        assert outcome.printed, outcome.error
    finally:
        other.close()
    assert NAME in decode(out.read_bytes(), "TM-T20II").text


@pytest.mark.parametrize("target", ["kiosk.db", "kiosk.db-wal", "kiosk.db-journal", "link-to-db"])
def test_a_file_printer_never_writes_over_a_database(store, cases, tmp_path, target):
    db = tmp_path / "kiosk.db"
    sig = sign(store)
    path = tmp_path / target
    if target == "link-to-db":
        path.symlink_to(db)
    elif not path.exists():
        path.write_bytes(b"\x37\x7f\x06\x82 journal pages" if target.endswith("wal") else b"")
    before = path.read_bytes()
    outcome = attempt(store, cases, sig, f"file:{path}")
    assert not outcome.printed and not outcome.maybe_printed and "database" in outcome.error
    assert store.job_for(sig.id).status == "failed" and store.signature(sig.id) == sig
    after = path.read_bytes()
    assert after[:32] == before[:32] and b"Every letter counts" not in after  # the WAL grows, never the receipt


@pytest.mark.parametrize("content", [b'pin_hash = "scrypt$..."\n', b"title = 'A case'\n", b"\xef\xbb\xbfid,name\n",
                                     b"\x00\x01binary"])
def test_a_file_printer_never_writes_over_a_file_that_holds_something_else(store, cases, tmp_path, content):
    path = tmp_path / "stall.toml"
    path.write_bytes(content)
    sig = sign(store)
    outcome = attempt(store, cases, sig, f"file:{path}")
    assert not outcome.printed and not outcome.maybe_printed and "holds something else" in outcome.error
    assert path.read_bytes() == content and state(store, sig) == "failed"
    path.write_bytes(b"")  # an empty file, or one holding earlier receipts, is the printer's
    assert attempt(store, cases, sig, f"file:{path}").printed
    assert attempt(store, cases, sign(store), f"file:{path}").printed


@pytest.mark.parametrize(("where", "message"), [("folder", "this is a folder, not a printer"),
                                                 ("missing/out.bin", "no such device or file")])
def test_a_file_printer_path_that_cannot_be_one_is_one_line(tmp_path, where, message):
    (tmp_path / "folder").mkdir()
    with pytest.raises(PrintError) as raised:
        send(parse_spec(f"file:{tmp_path / where}?timeout=0.3"), b"x")
    assert str(raised.value) == f"file {tmp_path / where}: {message}" and not raised.value.maybe_printed


def test_a_missing_device_is_not_made_a_file():
    """A printer unplugged: its device file is gone, and printing must not make a regular
    file in its place (python-escpos's open(path, "wb") did)."""
    missing = "/dev/kiosk-test-no-such-lp0"
    try:
        with pytest.raises(PrintError, match="no such device or file"):
            send(parse_spec(f"file:{missing}?timeout=0.3"), b"x")
        assert not os.path.lexists(missing)
    finally:
        if os.path.isfile(missing):
            os.unlink(missing)


# -- the preview printer ------------------------------------------------------------------


def _preview_receipt():
    import datetime as dt

    from kiosk.receipts import layouts

    return layouts.printer_test("preview", 48, when=dt.datetime(2026, 6, 1, 12))


def test_preview_folders_are_private_and_files_replace_links(tmp_path):
    old = os.umask(0o000)
    try:
        folder = tmp_path / "a" / "b" / "preview"
        setup = parse_spec(f"preview:{folder}")
        png = devices.write_preview(setup, _preview_receipt())
        for level in (tmp_path / "a", tmp_path / "a" / "b", folder):
            assert stat.S_IMODE(level.stat().st_mode) == 0o700, level
        victim = tmp_path / "victim.txt"
        victim.write_text("keep me")
        text = png.with_suffix(".txt")
        text.unlink()
        text.symlink_to(victim)
        os.mkfifo(png.with_suffix(".part"))  # an odd file beside it changes nothing
        png.unlink()
        os.mkfifo(png)  # a FIFO at the name: replaced, never a hang
        assert devices.write_preview(setup, _preview_receipt()) == png
        assert victim.read_text() == "keep me" and not text.is_symlink()
        assert png.read_bytes().startswith(b"\x89PNG")
        for f in (png, text):
            assert stat.S_IMODE(f.stat().st_mode) == 0o600
    finally:
        os.umask(old)


# -- python-escpos's profile cache ---------------------------------------------------------

SCRIPT = textwrap.dedent("""
    import datetime, os, sys
    from kiosk.printing.devices import send
    from kiosk.printing.render import render_bytes
    from kiosk.printing.setups import parse_spec
    from kiosk.receipts import layouts
    setup = parse_spec("file:" + sys.argv[1])
    when = datetime.datetime(2026, 6, 1, 12)
    send(setup, render_bytes(layouts.printer_test(setup.describe(), setup.paper.columns, when=when), setup))
    print(os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"])
""")


def _print_in_a_new_process(tmp_path, out, **env):
    full = {"PATH": os.environ["PATH"], "HOME": str(tmp_path / "home"), "TMPDIR": str(tmp_path / "tmp"), **env}
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return subprocess.run([sys.executable, "-c", SCRIPT, str(out)], env=full, cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


def test_an_unusable_or_foreign_profile_cache_never_stops_printing(tmp_path):
    """XDG_CACHE_HOME under a regular file (no cache folder can be made), and a named
    cache folder others can write holding a planted pickle: the receipt prints, the pickle
    is never loaded, and no temporary folder is left behind."""
    (tmp_path / "a-file").write_text("")
    planted = tmp_path / "shared"
    planted.mkdir()
    planted.chmod(0o777)
    marker = tmp_path / "pwned"
    import pickle
    import platform

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    (planted / f"{platform.python_version()}.capabilities.pickle").write_bytes(pickle.dumps(Evil()))
    out = tmp_path / "out.bin"
    run = _print_in_a_new_process(tmp_path, out, XDG_CACHE_HOME=str(tmp_path / "a-file" / "cache"),
                                  ESCPOS_CAPABILITIES_PICKLE_DIR=str(planted))
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert not marker.exists()
    assert "kiosk printer test" in decode(out.read_bytes(), "TM-T20II").text or out.stat().st_size > 100
    assert list((tmp_path / "tmp").iterdir()) == []  # the private temporary folder is gone


def test_a_damaged_profile_cache_is_set_aside(tmp_path):
    """A cache half written (a crash, a full disk): the receipt prints, and the damaged file
    is removed so that the next start writes a good one."""
    import platform

    folder = tmp_path / "cache" / "kiosk"
    folder.mkdir(parents=True, mode=0o700)
    damaged = folder / f"{platform.python_version()}.capabilities.pickle"
    damaged.write_bytes(b"\x80\x04 half a pickle")
    out = tmp_path / "out.bin"
    run = _print_in_a_new_process(tmp_path, out, XDG_CACHE_HOME=str(tmp_path / "cache"))
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    assert out.stat().st_size > 100
    assert not damaged.exists()


def test_two_retry_runs_at_once_print_each_job_once_and_neither_calls_the_other_a_failure(store, cases, tmp_path):
    from kiosk.printing.queue import retry_jobs

    out = tmp_path / "out.bin"
    first, second = sign(store, "First Visitor"), sign(store, "Second Visitor")
    for sig in (first, second):
        assert not attempt(store, cases, sig, "tcp://127.0.0.1:1?timeout=0.2").printed  # both wait
    setup = parse_spec(f"file:{out}")
    run_a = retry_jobs(store, cases.cases, setup, CAMPAIGN)
    _, sig_a, outcome_a = next(run_a)  # run A prints the first job ...
    assert outcome_a.printed and sig_a.id == first.id
    (_, sig_b, outcome_b), = list(retry_jobs(store, cases.cases, setup, CAMPAIGN))  # ... run B the second
    assert outcome_b.printed and sig_b.id == second.id
    (_, sig_a2, late), = list(run_a)  # run A reaches the second job too late
    assert sig_a2.id == second.id and late.skipped and not late.printed and not late.maybe_printed
    assert state(store, first) == state(store, second) == "printed"
