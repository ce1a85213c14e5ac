"""The organiser's long commands share one progress bar (kiosk/cli/progress.py): drawn on a
terminal once work has run about a second, never when standard error is piped, its label
(a file name, say) made safe for the terminal."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.helpers import ROOT
from tests.helpers.terminal import stderr_on_a_terminal

WORK = """
import sys, time
from kiosk.cli.progress import progress
with progress("Merging " + sys.argv[1], show_after=float(sys.argv[2])) as tick:
    for i in range(20):
        tick(i, 20)
        time.sleep(0.03)
print("rich" in sys.modules, "rich.progress" in sys.modules)
"""


def run(label: str, show_after: float, *, terminal: bool) -> tuple[str, bytes]:
    """Run the work with standard error on a pseudo-terminal (or a pipe): (stdout, what stderr got)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100", "TERM": "xterm"}
    if not terminal:
        done = subprocess.run([sys.executable, "-c", WORK, label, str(show_after)], capture_output=True, env=env,
                              timeout=60)
        return done.stdout.decode(), done.stderr
    _, out, seen = stderr_on_a_terminal([sys.executable, "-c", WORK, label, str(show_after)], columns=100)
    return out, seen


def test_a_long_piece_of_work_draws_a_bar_on_a_terminal_with_its_label_made_safe():
    out, seen = run("k1.db \x1b]52;c;SGVsbG8=\x07\x1b[2J", 0.1, terminal=True)
    assert out.split() == ["True", "True"]
    assert b"Merging k1.db" in seen and b"\xe2\x94\x81" in seen  # the label, and the bar's line drawing
    assert b"\x1b]52" not in seen and b"\x1b[2J" not in seen  # the name's escapes are shown, never obeyed


def test_quick_work_on_a_terminal_draws_nothing_and_loads_no_rich():
    out, seen = run("k1.db", 30.0, terminal=True)
    assert out.split() == ["False", "False"] and seen == b""


def test_piped_standard_error_gets_nothing_however_long_the_work():
    out, err = run("k1.db", 0.0, terminal=False)
    assert out.split() == ["False", "False"] and err == b""
