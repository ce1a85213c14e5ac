"""A letter at the stall takes two commits that wait for the disk (its record, its claim) and one
that does not (its finish): a kill at any step never shows a letter that never left as printed,
and never prints one twice (docs/database.md, "Commits")."""

import os
import signal
import subprocess
import sys

import pytest

from kiosk.job_states import JobState
from kiosk.store import Store
from tests.helpers import CASES, ROOT
from tests.helpers.escpos_stream import decode
from tests.helpers.kiosk_app import make_station
from tests.helpers.letter_steps import STEPS

# step killed at -> (the job's state after the kill, receipts on paper)
AFTER_KILL = {
    "recorded": (JobState.PENDING, 0),
    # the one moment the kiosk cannot tell: claimed, the printer's connection being opened, no byte
    # sent yet; it is shown interrupted, as after a crash in the middle of the bytes (never twice)
    "claimed": (JobState.PRINTING, 0),
    "sent": (JobState.PRINTING, 1),
    "finished": (JobState.PRINTED, 1),
}


def receipts(path, profile: str) -> int:
    data = path.read_bytes() if path.exists() else b""
    return len(decode(data, profile).cuts) if data else 0


@pytest.fixture(scope="module")
def killed(tmp_path_factory):
    """One kiosk process per step, each SIGKILLed where it stopped."""
    folder = tmp_path_factory.mktemp("steps")
    parent = subprocess.Popen([sys.executable, "-m", "tests.helpers.letter_steps", str(folder)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    stopped = {}
    for _ in STEPS:
        line = parent.stdout.readline().split()
        assert len(line) == 3 and line[0] == "at", line
        stopped[line[1]] = int(line[2])
        os.kill(int(line[2]), signal.SIGKILL)
    assert parent.wait(timeout=30) == 0
    parent.stdout.close()
    assert set(stopped) == set(STEPS)
    return {step: folder / step for step in STEPS}


@pytest.mark.parametrize("step", STEPS)
def test_a_kill_at_each_step_leaves_the_letter_on_its_safe_side(killed, step):
    folder = killed[step]
    state, on_paper = AFTER_KILL[step]
    with Store(folder / "kiosk.db") as store:
        (sig,) = store.signatures()
        assert store.job_for(sig.id).status is state
    station = make_station(folder, cases=CASES, printer=f"file:{folder / 'printer.bin'}",
                           database=folder / "kiosk.db", event="Crash test", kiosk_id="k1")
    profile = station.setup.profile
    assert receipts(folder / "printer.bin", profile) == on_paper
    waiting = {w.signature.id: w for w in station.waiting()}
    if state is JobState.PRINTING:
        assert waiting[sig.id].interrupted  # "may be on paper": a person looks before it prints again
    station.retry()  # what the kiosk does with waiting letters: never an interrupted one
    assert receipts(folder / "printer.bin", profile) == max(on_paper, 1 if state is JobState.PENDING else 0)
    station.close()


def test_only_the_finish_commits_without_waiting_for_the_disk(tmp_path):
    station = make_station(tmp_path, cases=CASES, printer=f"file:{tmp_path / 'printer.bin'}")
    sig = station.record(station.offered()[0].id, "appeal", "Ada", "Stay strong.")
    with Store(tmp_path / "kiosk.db") as store:
        said: list[str] = []
        store.db.conn.set_trace_callback(said.append)
        job = store.job_for(sig.id)
        assert store.claim_job(job.id, "p") and store.finish_job(job.id)
        other = station.record(station.offered()[0].id, "postcard", "Bea", "")
        failed = store.job_for(other.id)
        assert store.claim_job(failed.id, "p") and store.finish_job(failed.id, error="paper out")
        (synchronous,) = store.db.conn.execute("PRAGMA synchronous").fetchone()
    unsynced = [i for i, sql in enumerate(said) if sql == "PRAGMA synchronous=NORMAL"]
    assert len(unsynced) == 1, said  # the finish alone; the claim and the failure wait for the disk
    finish = said[unsynced[0]:unsynced[0] + 4]
    assert finish[1] == "BEGIN IMMEDIATE" and "'printed'" in finish[2] and finish[3] == "COMMIT", finish
    assert said[unsynced[0] + 4] == "PRAGMA synchronous=FULL" and synchronous == 2  # FULL again after it
    station.close()
