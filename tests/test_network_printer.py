"""A network printer on a loopback TCP port: real sockets, real faults."""

import time

import pytest

from kiosk.printing.devices import PrintError, send
from kiosk.printing.queue import print_signature
from kiosk.printing.setups import parse_spec
from kiosk.settings import DEFAULT_CAMPAIGN as CAMPAIGN
from tests.helpers.escpos_stream import decode
from tests.helpers.fake_printer import refusing_port, strip_status


def sign(store, kind="appeal", name="Ольга Петрова"):
    return store.record(case_id="prisoner-ilya-voronin", kind=kind, name=name, message="Free him.",
                        event="Fest", kiosk_id="k1")


def test_prints_to_a_network_printer_and_the_bytes_decode(store, cases, fake_printer):
    printer = fake_printer("ok")
    setup = parse_spec(printer.spec + "?timeout=2")
    sig = sign(store)
    outcome = print_signature(store, sig, cases.cases[sig.case_id], setup, CAMPAIGN)
    assert outcome.printed, outcome.error
    assert store.job_for(sig.id).status == "printed"
    deadline = time.monotonic() + 5
    while not printer.jobs and time.monotonic() < deadline:
        time.sleep(0.01)
    (job,) = printer.jobs
    # paper status before; after, the printer's status and paper status confirm the job
    assert job.startswith(b"\x10\x04\x04") and job.endswith(b"\x10\x04\x01\x10\x04\x04")
    assert job.count(b"\x10\x04") == 3
    out = decode(strip_status(job), "TM-T20II")
    assert "Ольга Петрова" in out.text and "Ref. Fest / k1 / #0001" in out.text
    assert out.cuts == [1]


def test_refused_connection_fails_the_job_and_keeps_the_signature(store, cases):
    setup = parse_spec(f"tcp://127.0.0.1:{refusing_port()}?timeout=2")
    sig = sign(store)
    outcome = print_signature(store, sig, cases.cases[sig.case_id], setup, CAMPAIGN)
    assert not outcome.printed and "connection refused" in outcome.error
    job = store.job_for(sig.id)
    assert job.status == "failed" and "connection refused" in job.last_error
    assert store.signature(sig.id) == sig


def test_a_printer_that_never_reads_times_out_instead_of_hanging(store, cases, fake_printer):
    printer = fake_printer("never_reads")
    setup = parse_spec(printer.spec + "?timeout=0.5")
    sig = sign(store)
    started = time.monotonic()
    outcome = print_signature(store, sig, cases.cases[sig.case_id], setup, CAMPAIGN)
    assert time.monotonic() - started < 10
    assert not outcome.printed
    assert "no answer within 0.5 s" in outcome.error or "did not take the job" in outcome.error
    assert store.job_for(sig.id).status == "failed"


def test_a_printer_that_never_reads_a_large_job_times_out_without_status(fake_printer):
    printer = fake_printer("never_reads")
    setup = parse_spec(printer.spec + "?timeout=0.5&status=0")
    with pytest.raises(PrintError, match=r"stopped taking data|did not take the job"):
        send(setup, b"A" * 50_000_000)


def test_a_connection_dropped_mid_job_leaves_it_interrupted_not_failed(store, cases, fake_printer):
    """Part of the letter may be on paper: it waits for a person to look, never a blind retry."""
    printer = fake_printer("drop")
    setup = parse_spec(printer.spec + "?timeout=2&status=0")
    with pytest.raises(PrintError, match=r"dropped|reset|Broken pipe") as raised:
        send(setup, b"x" * 20_000_000)
    assert raised.value.maybe_printed
    sig = sign(store, kind="postcard", name="ليلى")  # raster name: a large job
    outcome = print_signature(store, sig, cases.cases[sig.case_id], parse_spec(printer.spec + "?timeout=2"), CAMPAIGN)
    assert not outcome.printed and outcome.maybe_printed
    job = store.job_for(sig.id)
    assert job.status == "printing" and job.last_error.startswith("may be on paper, look before reprinting: ")
    assert [j.id for j in store.jobs(("pending", "failed"))] == []  # a plain retry leaves it alone


def test_faults_before_any_receipt_byte_are_plain_failures(store, cases, fake_printer):
    for mode, spec in (("paper_out", None), ("never_reads", None), ("refuse", f"tcp://127.0.0.1:{refusing_port()}")):
        printer = fake_printer(mode) if spec is None else None
        setup = parse_spec((spec or printer.spec) + "?timeout=0.5")
        sig = sign(store)
        outcome = print_signature(store, sig, cases.cases[sig.case_id], setup, CAMPAIGN)
        assert not outcome.printed and not outcome.maybe_printed, mode
        assert store.job_for(sig.id).status == "failed", mode


def test_paper_out_is_reported_and_nothing_is_sent(store, cases, fake_printer):
    printer = fake_printer("paper_out")
    setup = parse_spec(printer.spec + "?timeout=2")
    sig = sign(store)
    outcome = print_signature(store, sig, cases.cases[sig.case_id], setup, CAMPAIGN)
    assert not outcome.printed and "out of paper" in outcome.error
    deadline = time.monotonic() + 5
    while not printer.jobs and time.monotonic() < deadline:
        time.sleep(0.01)
    assert printer.jobs == [b"\x10\x04\x04"]  # only the status request went out


def test_failed_jobs_print_on_retry_exactly_once(store, cases, fake_printer):
    down = parse_spec(f"tcp://127.0.0.1:{refusing_port()}?timeout=1")
    sigs = [sign(store, name=f"Visitor {i}") for i in range(3)]
    for sig in sigs:
        assert not print_signature(store, sig, cases.cases[sig.case_id], down, CAMPAIGN).printed
    assert [j.status for j in store.jobs()] == ["failed"] * 3
    printer = fake_printer("ok")
    up = parse_spec(printer.spec + "?timeout=2")
    for job in store.jobs():
        sig = store.signature(job.signature_id)
        assert print_signature(store, sig, cases.cases[sig.case_id], up, CAMPAIGN).printed
    # a second retry finds nothing to print: never printed twice
    assert store.jobs() == []
    sig = sigs[0]
    again = print_signature(store, sig, cases.cases[sig.case_id], up, CAMPAIGN)
    assert not again.printed and again.skipped and "is printed: another run has it" in again.error
    deadline = time.monotonic() + 5
    while len(printer.jobs) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    names = sorted(n for job in printer.jobs for n in ("Visitor 0", "Visitor 1", "Visitor 2")
                   if n in decode(strip_status(job), "TM-T20II").text)
    assert names == ["Visitor 0", "Visitor 1", "Visitor 2"]
