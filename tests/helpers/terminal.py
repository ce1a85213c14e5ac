"""Running the command line as a person meets it: on a pseudo-terminal, against write-protected files."""

from __future__ import annotations

import contextlib
import os
import pty
import select
import subprocess
import sys
import tempfile
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
    shown = _shown(master, process)
    os.close(master)
    return process.wait(timeout=60), shown.decode("utf-8", "replace")


def _shown(main: int, process: subprocess.Popen) -> bytes:
    """All a pseudo-terminal shows until its process closes it or ends."""
    shown = b""
    while True:
        ready, _, _ = select.select([main], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the other end closed
                break
            if not chunk:
                break
            shown += chunk
        elif process.poll() is not None:
            break
    return shown


def stderr_on_a_terminal(command: list[str], *, columns: int = 120) -> tuple[int, str, bytes]:
    """Run ``command`` with its standard error on a pseudo-terminal (where a progress bar goes) and
    its standard output into a file (where data goes, however much): (exit code, stdout, what the
    terminal showed)."""
    main, other = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": str(columns), "TERM": "xterm"}
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=other, env=env)
        os.close(other)
        shown = _shown(main, process)
        code = process.wait(timeout=60)
        os.close(main)
        out.seek(0)
        return code, out.read().decode("utf-8", "replace"), shown


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
