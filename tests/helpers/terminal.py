"""Running the command line as a person meets it: on a pseudo-terminal, against write-protected files."""

from __future__ import annotations

import contextlib
import os
import pty
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import ROOT


def on_a_terminal(*args: str) -> tuple[int, str]:
    """Run ``kiosk ARGS`` with its stdout and stderr on a pseudo-terminal: (exit code, what it showed)."""
    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    process = subprocess.Popen([sys.executable, "-m", "kiosk", *args], stdin=subprocess.DEVNULL, stdout=slave,
                               stderr=slave, env=env)
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    return process.wait(timeout=60), shown.decode("utf-8", "replace")


@contextlib.contextmanager
def write_protected(*paths: Path) -> Iterator[None]:
    """Files and folders made immutable (chattr +i): not even root can write or create there."""
    done = []
    try:
        for path in paths:
            if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
                pytest.skip("chattr +i is not available here")
            done.append(path)
        yield
    finally:
        for path in reversed(done):
            subprocess.run(["chattr", "-i", str(path)], capture_output=True)
