"""Cold start: ``kiosk demo`` with 200 cases to its first interactive frame, against a bare
Textual app showing one Label, measured the same way (see first_frame.py).

Each start is a new process; the pairs are interleaved, so that a busy moment of the machine
hits both. The kiosk starts as a stall's kiosk does on any start after its first: its
database made and its case files read once before (the case cache kept in its data folder).
The first start with new case files is measured too, for the record. Python's compiled
modules are written by the first starts: a machine that never writes them
(PYTHONDONTWRITEBYTECODE) would measure compiling the kiosk's source at every start.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from kiosk.case_cache import SETTLED

from .common import ROOT, Row, compare, make_cases

TARGET = 1.5


def _time(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "benchmarks.first_frame", *args], cwd=ROOT, check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def cold_start(runs: int, cases: int = 200) -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = make_cases(Path(tmp) / "cases", cases)
        made = time.monotonic()
        data = Path(tmp) / "data"
        # Python writes its compiled modules (the first starts here write them), and the kiosk keeps its
        # data (the demo database, the case cache) in a folder of the benchmark's own.
        env = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, "KIOSK_DATA_DIR": str(data)}
        kiosk_args = ["kiosk", str(folder), str(data / "demo.db"), str(data / "preview")]
        _time(["bare"], env)  # warm the disk cache, and write the compiled modules
        time.sleep(max(0.0, SETTLED + 0.1 - (time.monotonic() - made)))  # case files this new are never kept
        _time(kiosk_args, env)  # the demo database made, the case files' reading kept
        bare, kiosk, first, first_bare = [], [], [], []
        for _ in range(runs):  # interleaved, so that a busy moment hits both
            bare.append(_time(["bare"], env))
            kiosk.append(_time(kiosk_args, env))
        for _ in range(max(1, runs // 3)):  # the first start after the case files changed: no kept reading
            shutil.rmtree(data / "case-cache", ignore_errors=True)
            first_bare.append(_time(["bare"], env))
            first.append(_time(kiosk_args, env))
    return [
        compare(f"Cold start, kiosk demo with {cases} cases vs bare Label (median of {runs})", kiosk, bare,
                target=TARGET),
        replace(compare(f"Cold start, the first with {cases} new case files (nothing kept) vs bare Label",
                        first, first_bare, target=TARGET), target="-", met=None),  # once per change of cases
    ]
