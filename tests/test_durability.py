"""Every signature reported as recorded survives a SIGKILL of the signing process."""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from kiosk.store import Store
from tests.helpers import ROOT, sizes


def kill_rounds(tmp_path, rounds: int, seed: int = 7):
    rng = random.Random(seed)
    db = tmp_path / "crash.db"
    reported: set[str] = set()
    for _ in range(rounds):
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.helpers.signing_loop", str(db), str(tmp_path / "printer.bin")],
            cwd=ROOT, stdout=subprocess.PIPE, text=True,
        )
        # wait for the first signature, then let it run a random while before the kill
        first = proc.stdout.readline()
        assert first.startswith("recorded "), first
        reported.add(first.split()[1])
        time.sleep(rng.uniform(0.0, 0.3))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
        reported.update(line.split()[1] for line in proc.stdout.read().splitlines() if line.startswith("recorded "))
        proc.stdout.close()
    return db, reported


def check(db, reported):
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = conn.execute(
        "SELECT s.id, s.name, s.case_id, j.status FROM signatures s JOIN print_jobs j ON j.signature_id = s.id"
    ).fetchall()
    stored = {r[0] for r in rows}
    assert reported <= stored, f"lost {len(reported - stored)} reported signatures"
    # no half-written record: every signature is whole and has its print job
    assert all(r[1] and r[2] and r[3] in ("pending", "printing", "printed", "failed") for r in rows)
    assert (conn.execute("SELECT COUNT(*) FROM signatures").fetchone()[0]
            == conn.execute("SELECT COUNT(*) FROM print_jobs").fetchone()[0])
    conn.close()
    with Store(db) as store:  # and the kiosk can still open and use it
        assert store.total() == len(stored)
    return len(stored)


KILLS = (20, 500)


@pytest.mark.parametrize("kills", sizes(*KILLS))
def test_sigkill_never_loses_a_reported_signature(tmp_path, kills, figure):
    db, reported = kill_rounds(tmp_path, rounds=kills, seed=kills)
    assert len(reported) >= kills
    stored = check(db, reported)
    figure(f"{kills} SIGKILLs of a signing kiosk, {len(reported):,} signatures reported, {stored:,} stored, "
           f"integrity_check ok, 0 lost, 0 half-written")
