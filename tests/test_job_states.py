"""Print jobs move only as kiosk/job_states.py says, in Python and in the database alike."""

from __future__ import annotations

import pytest

from kiosk.job_states import FINAL, WAITING, JobState, Transition, claim_for

ALLOWED = {  # the whole machine, written out: (move, from) -> to
    (Transition.CLAIM, JobState.PENDING): JobState.PRINTING,
    (Transition.CLAIM, JobState.FAILED): JobState.PRINTING,
    (Transition.REPRINT, JobState.PENDING): JobState.PRINTING,
    (Transition.REPRINT, JobState.FAILED): JobState.PRINTING,
    (Transition.REPRINT, JobState.PRINTING): JobState.PRINTING,
    (Transition.FINISH, JobState.PRINTING): JobState.PRINTED,
    (Transition.FAIL, JobState.PRINTING): JobState.FAILED,
    (Transition.INTERRUPT, JobState.PRINTING): JobState.PRINTING,
    (Transition.CANCEL, JobState.PENDING): JobState.CANCELLED,
    (Transition.CANCEL, JobState.FAILED): JobState.CANCELLED,
    (Transition.CANCEL, JobState.PRINTING): JobState.CANCELLED,
    (Transition.CANCEL, JobState.HELD): JobState.CANCELLED,
    (Transition.RELEASE, JobState.HELD): JobState.PENDING,
    (Transition.REJECT, JobState.HELD): JobState.REJECTED,
}
EVERY = [(move, state) for move in Transition for state in JobState]


def test_the_machine_is_the_one_written_out_here():
    assert {(move, state): move.target for move in Transition for state in move.sources} == ALLOWED


def test_nothing_leaves_a_final_state_and_a_plain_retry_never_takes_an_interrupted_job():
    assert not [move for move in Transition for state in FINAL if (move, state) in ALLOWED]
    assert JobState.PRINTING not in claim_for(interrupted=False).sources
    assert set(claim_for(interrupted=True).sources) == set(WAITING)
    assert JobState.PRINTING.label == "interrupted" and JobState.FAILED.label == "failed"


def test_a_held_letter_is_never_claimed_reprinted_or_retried_only_released_or_rejected():
    printing_moves = [m for m in Transition if m.target is JobState.PRINTING]
    assert printing_moves and all(JobState.HELD not in m.sources for m in printing_moves)
    assert {m for m in Transition if JobState.HELD in m.sources} == {Transition.RELEASE, Transition.REJECT,
                                                                     Transition.CANCEL}


def record(store):
    return store.record(case_id="c", kind="appeal", name="Ada", message="", event="Fest", kiosk_id="k1")


def state(store, sig):
    return store.job_for(sig.id).status


@pytest.mark.parametrize("move, start", EVERY, ids=[f"{m.value}-{s.value}" for m, s in EVERY])
def test_the_store_makes_exactly_the_allowed_moves(store, move, start):
    sig = record(store)
    store.db.execute("UPDATE print_jobs SET status = ? WHERE signature_id = ?", [start.value, sig.id])
    store.db.conn.commit()
    job = store.job_for(sig.id)
    moved = store.move_job(job.id, move, printer="p", error="why")
    assert moved == ((move, start) in ALLOWED)
    assert state(store, sig) is (ALLOWED[move, start] if moved else start)


def test_a_claim_counts_an_attempt_and_a_finish_clears_the_error(store):
    sig = record(store)
    job = store.job_for(sig.id)
    assert store.claim_job(job.id, "till") and store.finish_job(job.id, error="paper out")
    assert store.claim_job(job.id, "till") and store.finish_job(job.id)
    done = store.job_for(sig.id)
    assert (done.status, done.attempts, done.printer, done.last_error) == (JobState.PRINTED, 2, "till", None)
    assert not store.claim_job(job.id, "till", move=Transition.REPRINT)  # printed: never again
