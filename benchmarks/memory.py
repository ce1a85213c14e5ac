"""Memory: how much a kiosk's resident memory grows from letter 100 to letter 1,000 of one
session (a fresh process driven through the app: form, save, print, thank-you, home)."""

from __future__ import annotations

import subprocess
import sys
import tempfile

from .common import ROOT, Row

TARGET_MB = 5.0


def memory_growth(count: int) -> list[Row]:
    early_at = max(1, count // 10)
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([sys.executable, "-m", "benchmarks.session", str(count), tmp, str(early_at)], cwd=ROOT,
                             check=True, capture_output=True, text=True).stdout.split()
    early, late, peak = (float(x) for x in out)
    growth = late - early
    return [Row(f"Memory growth from letter {early_at:,} to letter {count:,} in one session",
                f"{growth:+.1f} MB ({early:.0f} MB resident after letter {early_at:,}, {late:.0f} MB after"
                f" {count:,}; peak {peak:.0f} MB)", f"<= {TARGET_MB:.0f} MB", growth <= TARGET_MB)]
