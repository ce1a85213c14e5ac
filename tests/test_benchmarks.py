"""The benchmarks still run: their quick variant, every row with a figure and a target."""

import os
import subprocess
import sys

from tests.helpers import ROOT


def test_the_quick_benchmarks_run_and_print_every_row(tmp_path):
    out = tmp_path / "BENCHMARKS.md"
    out.write_text("# Benchmarks\n\n<!-- results -->\nstale figures\n<!-- /results -->\n\nkept\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--out", str(out)], cwd=ROOT,
                            capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr[-2000:]
    text = out.read_text(encoding="utf-8")
    assert "stale figures" not in text and text.endswith("<!-- /results -->\n\nkept\n")
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line][1:]
    names = " ".join(rows)
    for measured in ("Time to wire, appeal", "Time to wire, postcard", "Bytes, appeal", "native QR", "raster-fallback",
                     "first appeal of a fresh kiosk",
                     "Cold start", "Durable record", "Export counts by case,day", "`kiosk export counts",
                     "`kiosk --help`", "Key to screen", "Memory growth",
                     "Upload to the office", "Installed size", "Merge, 2 files", "Re-merge (adds nothing)",
                     "`kiosk export signatures -o FILE`", "`kiosk report`"):
        assert measured in names, measured
    assert all(row.count("|") == 5 for row in rows)
    upload = next(row for row in rows if "Upload to the office" in row)
    assert "rows/s vs" in upload, upload  # it ran: the hq extra and PostgreSQL are there, as in CI
