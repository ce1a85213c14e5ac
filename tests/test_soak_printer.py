"""Printer-fault soak: many visitors through the real print queue while the printer fails.

A loopback network printer (tests/fake_printer.py) changes its behaviour in episodes, as a
real one does at a stall: it refuses connections, tears a job mid-way, accepts and never
reads, or reports paper out, for a few visitors at a time, then works again. Each visitor's
letter is recorded and printed through the Station, as the app does; now and then a
volunteer presses Retry or Reprint interrupted. At the end the faults stop, and Retry and
Reprint interrupted print the rest.

Every letter is checked against what reached the printer, by decoding the bytes of every
connection: each signature is on paper as a whole receipt exactly once, or is listed for
the volunteer: *failed* when no receipt byte left (Retry prints it), *interrupted* when the
job was torn (it may be on paper: Reprint interrupted, after a look); none is lost.
"""

from __future__ import annotations

import random
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers import CASES, sizes
from tests.helpers.escpos_stream import StreamError, decode
from tests.helpers.fake_printer import FakePrinter, strip_status
from tests.helpers.kiosk_app import make_station

FAULTS = ("refuse", "drop", "never_reads", "paper_out")
# What the volunteer reads for each fault (the job's last error).
REASONS = {
    "refuse": "connection refused",
    "drop": "connection dropped",
    "never_reads": "no answer within",
    "paper_out": "out of paper",
}
NAMES = ["Ada Lovelace", "Ольга Петрова", "José Martí", "ليلى حداد", "Zoë O'Brien", "张伟", "Nguyễn Văn An"]
REF = re.compile(r"Ref\. Test Fest / stall-1 / #(\d{4,})")


def paper(printer: FakePrinter) -> tuple[Counter, int]:
    """Whole receipts on paper per letter number, and the number of torn ones."""
    whole, torn = Counter(), 0
    for mode, data in printer.received:
        body = strip_status(data)
        if not body:
            continue  # refused before any receipt byte: paper out, or a status query unanswered
        try:
            out = decode(body, "TM-T20II")
        except StreamError:
            out = None
        refs = REF.findall(out.text) if out else []
        if mode == "ok":
            assert out is not None and out.cuts and len(refs) == 1, "a working printer got a broken receipt"
            whole[int(refs[0])] += 1
        else:
            assert mode == "drop", f"a {mode} printer received a receipt"
            assert out is None or not out.cuts, "a torn job reached the cutter"
            torn += 1
    return whole, torn


def state(fault: str) -> str:
    """How a letter that met ``fault`` is listed: a torn job may be on paper, so it waits as
    *interrupted* for a person to look; the others never sent a receipt byte: *failed*."""
    return "interrupted" if fault == "drop" else "failed"


def latin_references(tmp_path) -> Path:
    """The sample cases with every appeal in English: an appeal in Arabic (the journalist's
    preferred language) prints its reference as an image, which :func:`paper` cannot read back.
    Receipts in Arabic are checked in tests/test_receipt_languages.py."""
    folder = tmp_path / "cases"
    shutil.copytree(CASES, folder)
    journalist = folder / "journalist-lina-haddad.toml"
    journalist.write_text(journalist.read_text(encoding="utf-8").replace('preferred_language = "ar"\n', ""),
                          encoding="utf-8")
    return folder


def soak(tmp_path, visitors: int, seed: int) -> dict:
    rng = random.Random(seed)
    printer = FakePrinter("ok")
    station = make_station(tmp_path, cases=latin_references(tmp_path), printer=printer.spec + "?timeout=0.3",
                           print_burst=1000, print_rate=100000)  # every letter at noon: a load, not an abuse
    offered = station.offered()
    waiting: dict[int, str] = {}  # letter number -> the fault it last met
    faults, retries, reprints = Counter(), 0, 0
    mode, left = "ok", 0

    def retry(interrupted: bool) -> None:
        """A volunteer presses Retry (failed letters), or, having looked at the paper,
        Reprint interrupted (those too)."""
        nonlocal retries, reprints
        due = [n for n, fault in waiting.items() if interrupted or state(fault) == "failed"]
        printed, errors = station.retry(interrupted=interrupted)
        if mode == "ok":
            assert (printed, errors) == (len(due), [])
            for n in due:
                del waiting[n]
        else:  # still broken: each fails again, for the current reason
            assert printed == 0 and len(errors) == len(due)
            waiting.update(dict.fromkeys(due, mode))
        retries += not interrupted
        reprints += interrupted

    try:
        for i in range(visitors):
            if left == 0:  # the next episode: the printer works for a while, or fails for a few letters
                mode = rng.choice(FAULTS) if mode == "ok" else "ok"
                left = rng.randint(1, 3) if mode != "ok" else rng.randint(1, 12)
                printer.mode = mode
            left -= 1
            sig = station.record(rng.choice(offered).id, rng.choice(("appeal", "postcard")), rng.choice(NAMES),
                                 "Stay strong. " * rng.randint(0, 8) + f"({i})")  # each its own letter: all at noon
            assert sig.number == i + 1
            outcome = station.print_signature(sig)
            assert outcome.printed == (mode == "ok"), (mode, outcome.error)
            if mode != "ok":
                faults[mode] += 1
                waiting[sig.number] = mode
                assert REASONS[mode] in outcome.error and outcome.maybe_printed == (mode == "drop"), outcome
                if mode in ("refuse", "paper_out") and rng.random() < 0.1:
                    retry(interrupted=False)  # pressed while it is still broken
            elif waiting and rng.random() < 0.15:
                retry(interrupted=rng.random() < 0.5)
            # every letter is on paper or on the volunteer's list, with its state and reason
            listed = {w.signature.number: w for w in station.waiting()}
            assert listed.keys() == waiting.keys()
            for n, w in listed.items():
                assert (w.state, REASONS[waiting[n]] in w.job.last_error) == (state(waiting[n]), True), w

        printer.mode = "ok"  # the faults stop: Retry, then Reprint interrupted after a look at the paper
        mode = "ok"
        retry(interrupted=False)
        assert {state(f) for f in waiting.values()} <= {"interrupted"}
        retry(interrupted=True)
        assert station.waiting() == [] and waiting == {}
        printer.settle()
        whole, torn = paper(printer)
        assert station.count_today() == visitors  # 0 lost
        assert set(whole) == set(range(1, visitors + 1)), "a letter is not on paper"
        assert set(whole.values()) == {1}, f"printed twice: {[n for n, c in whole.items() if c > 1]}"
        assert torn == faults["drop"]
    finally:
        station.close()
        printer.close()
    return {"faults": faults, "retries": retries, "reprints": reprints, "torn": torn}


VISITORS = (600, 10_000)


@pytest.mark.parametrize("visitors", sizes(*VISITORS))
def test_printer_faults_never_lose_or_double_a_letter(tmp_path, visitors, figure):
    result = soak(tmp_path, visitors, seed=visitors)
    faults = result["faults"]
    assert all(faults[f] > 0 for f in FAULTS)  # every kind of fault was met
    detail = ", ".join(f"{faults[f]} {f.replace('_', ' ')}" for f in FAULTS)
    figure(f"{visitors:,} visitors, {sum(faults.values()):,} printer faults ({detail}), "
           f"{result['torn']} torn receipts, {result['retries']} retries, {result['reprints']} reprints after a look; "
           f"{visitors:,} letters on paper exactly once, 0 lost, 0 printed twice")
