"""Time to wire and bytes per receipt.

From a completed form (the letter checked and committed) to the last byte received by a
loopback network printer, for an appeal and a postcard: the median of many, against 2 %
of that receipt's physical print time at 250 mm/s (its length: its height in dots at 8
dots/mm). And the bytes each receipt costs on the wire.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from kiosk.application import Station, open_station
from kiosk.printing.render import render_bytes
from kiosk.printing.setups import parse_spec
from kiosk.receipts import layouts
from kiosk.receipts.model import QR, Receipt, Text
from kiosk.receipts.raster import render_png
from kiosk.settings import DEFAULT_CAMPAIGN, Settings

from .common import CASES, ROOT, Row, compare, median, ms
from .loopback import LoopbackPrinter

PAPER_SPEED = 250  # mm/s
SHARE = 0.02
NAME, MESSAGE = "Ada Lovelace", "You are not alone. We are thinking of you and we will keep writing until you are free."

# A benchmark is a load, not a visitor pressing Print forty times: no print limit.
UNLIMITED = {"print_burst": 1000, "print_rate": 100000.0}


def _station(folder: Path, printer: LoopbackPrinter) -> Station:
    settings = Settings(event="Bench", kiosk_id="bench", cases=CASES, allow_sample_cases=True, **UNLIMITED,
                        printer=printer.spec(), database=folder / "k.db", preview=folder / "preview")
    return open_station(settings).prepare()


def print_seconds(receipt: Receipt, setup) -> float:
    """How long the paper takes to move: the receipt's height in dots at 8 dots/mm."""
    return render_png(receipt, setup.paper).height / 8 / PAPER_SPEED


def time_to_wire(runs: int) -> list[Row]:
    rows = []
    printer = LoopbackPrinter("ok")
    with tempfile.TemporaryDirectory(dir=ROOT) as tmp:  # the disk a kiosk would use
        station = _station(Path(tmp), printer)
        case = station.case("lawyer-amara-osei")
        jobs = 0
        for kind in ("appeal", "postcard"):
            times = []
            for run in range(runs + 5):  # the first five warm the caches
                start = time.perf_counter()
                # each its own letter: the same words within seconds would be one letter (a double press)
                name, message = station.check_form(NAME, f"{MESSAGE} ({run})")
                sig = station.record(case.id, kind, name, message)
                outcome = station.print_signature(sig)
                assert outcome.printed, outcome.error
                jobs += 1
                times.append(printer.wait_for(jobs) - start)
            wire = median(times[5:])
            receipt = layouts.for_signature(case, sig, station.settings.campaign)
            paper = print_seconds(receipt, station.setup)
            rows.append(Row(f"Time to wire, {kind} (median of {runs})",
                            f"{ms(wire)} = {wire / paper:.1%} of {paper:.2f} s of paper",
                            f"<= {SHARE:.0%}", wire / paper <= SHARE))
        station.close()
    printer.close()
    return rows


def receipt_bytes() -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        station = open_station(Settings(event="Bench", kiosk_id="bench", cases=CASES, allow_sample_cases=True,
                                        **UNLIMITED,
                                        database=Path(tmp) / "k.db", preview=Path(tmp) / "p")).prepare()
        case = station.case("lawyer-amara-osei")
        sig = station.record(case.id, "appeal", NAME, MESSAGE)
        station.close()
    native = parse_spec("file:/dev/null?profile=TM-T20II")
    appeal = render_bytes(layouts.for_signature(case, sig, DEFAULT_CAMPAIGN), native)
    postcard = layouts.for_signature(case, replace(sig, kind="postcard"), DEFAULT_CAMPAIGN)
    without_qr = Receipt(postcard.name, [b for b in postcard.blocks if not isinstance(b, QR)])
    qr = len(render_bytes(postcard, native)) - len(render_bytes(without_qr, native))
    empty = Receipt("line", [])
    arabic = Receipt("line", [Text("ليلى حداد")])  # not in the printer's code pages: a raster line
    latin = Receipt("line", [Text("Ada Lovelace")])
    raster = len(render_bytes(arabic, native)) - len(render_bytes(empty, native))
    text = len(render_bytes(latin, native)) - len(render_bytes(empty, native))
    return [
        Row("Bytes, appeal in Latin script (80 mm)", f"{len(appeal):,} B", "<= 2,048 B", len(appeal) <= 2048),
        Row("Bytes added by a native QR code", f"{qr} B", "<= 150 B", qr <= 150),
        Row("Bytes of one raster-fallback line (Arabic name)", f"{raster:,} B (a text line: {text} B)", "-", None),
    ]


def first_letter(runs: int) -> list[Row]:
    """The first letter of a fresh kiosk (benchmarks/first_letter.py, a process each, on the database
    an earlier process made), with the printing code warmed after the first frame as the app does,
    and without, for the record."""
    rows = []
    with tempfile.TemporaryDirectory(dir=ROOT) as tmp:  # the disk a kiosk would use

        def letter(mode: str) -> dict[str, float]:
            out = subprocess.run([sys.executable, "-m", "benchmarks.first_letter", tmp, mode], cwd=ROOT, check=True,
                                 capture_output=True, text=True).stdout
            result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
            return result

        letter("cold")  # the kiosk's database, made once
        for mode, name, target in (("warm", "warmed after the first frame", True),
                                   ("cold", "without the warm-up", False)):
            results = [letter(mode) for _ in range(runs if target else runs // 2)]
            if not results:
                continue
            wires, papers = [r["wire"] for r in results], [r["paper"] for r in results]
            following = median([r["next"] for r in results])
            row = compare(f"Time to wire, the first appeal of a fresh kiosk, {name}, vs its paper time", wires,
                          papers, target=SHARE, what=f"{len(wires)} fresh processes")
            row = replace(row, figure=f"{row.figure}; its next letter {ms(following)}")
            rows.append(row if target else replace(row, target="-", met=None))
    return rows
