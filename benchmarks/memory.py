"""Memory: the kiosk's peak resident memory after many signatures in one session."""

from __future__ import annotations

import subprocess
import sys
import tempfile

from .common import ROOT, Row


def peak_memory(count: int) -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([sys.executable, "-m", "benchmarks.session", str(count), tmp], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.split()
    early, peak = (float(x) for x in out)
    return [Row(f"Peak memory after {count:,} signatures in one session", f"{peak:.0f} MB (after 10: {early:.0f} MB)",
                "-", None)]
