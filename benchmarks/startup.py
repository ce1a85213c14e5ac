"""Cold start: ``kiosk demo`` with 200 cases to its first interactive frame, against a bare
Textual app showing one Label, measured the same way (see first_frame.py)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .common import ROOT, Row, make_cases, median

TARGET = 1.5


def _time(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "benchmarks.first_frame", *args], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def cold_start(runs: int, cases: int = 200) -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = make_cases(Path(tmp) / "cases", cases)
        kiosk_args = ["kiosk", str(folder), str(Path(tmp) / "demo.db"), str(Path(tmp) / "preview")]
        _time(["bare"])  # warm the disk cache,
        _time(kiosk_args)  # and create the demo database, once
        bare, kiosk = [], []
        for _ in range(runs):  # interleaved, so that a busy moment hits both
            bare.append(_time(["bare"]))
            kiosk.append(_time(kiosk_args))
    b, k = median(bare), median(kiosk)
    return [Row(f"Cold start, kiosk demo with {cases} cases vs bare Label (median of {runs})",
                f"{k:.2f} s vs {b:.2f} s = x{k / b:.2f}", f"<= x{TARGET}", k / b <= TARGET)]
