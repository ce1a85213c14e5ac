"""Print jobs: their states, and the moves between them, in one place.

Every signature is recorded with a print job, ``pending``. The moves::

    held ── release ──▶ pending               (a volunteer read it: Print)
    held ── reject ───▶ rejected              (a volunteer read it: Do not print; it still counts)
    pending ─┐                           ┌─ finish ───▶ printed
    failed  ─┴─ claim ──▶ printing ──────┼─ fail ─────▶ failed      (no byte left: Retry prints it)
                             ▲    │      └─ interrupt ─▶ printing   (bytes left: it may be on paper)
                             └────┘ reprint, only when a person who looked asks
    held, pending, failed, printing ── cancel ──▶ cancelled         (its name was purged)

A letter is recorded ``held`` instead of ``pending`` when its words were flagged or the kiosk's
print limit was reached (:mod:`kiosk.moderation`, :mod:`kiosk.print_limit`): nothing prints it
(no claim, no reprint, no retry) until a volunteer releases it.

A job still ``printing`` when nobody is printing it (the kiosk crashed, or the printer
failed after its bytes began to leave) is shown as *interrupted*: it may be on paper, so
it is printed again only by :attr:`Transition.REPRINT`, never by a plain retry.

The store writes each move as one guarded ``UPDATE ... WHERE status IN (sources)``, so two
workers can never both claim a job, and a job never leaves a final state.
"""

from __future__ import annotations

from enum import Enum, StrEnum


class JobState(StrEnum):
    PENDING = "pending"
    PRINTING = "printing"
    PRINTED = "printed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    HELD = "held"            # waits for a volunteer to read it: flagged words, or over the print limit
    REJECTED = "rejected"    # a volunteer said Do not print: counted as written, never printed

    @property
    def label(self) -> str:
        """The state as a volunteer reads it in a list of waiting jobs."""
        return "interrupted" if self is JobState.PRINTING else self.value


WAITING = (JobState.PENDING, JobState.FAILED, JobState.PRINTING)
"""Jobs a volunteer may have to act on to print them: not printed yet, failed, or interrupted
(held ones wait for a decision first: :data:`HELD`)."""

HELD = (JobState.HELD,)
"""Jobs held for a volunteer to read: Print (release) or Do not print (reject)."""

FINAL = (JobState.PRINTED, JobState.CANCELLED, JobState.REJECTED)
"""Jobs that are done: nothing prints them again."""


class Transition(Enum):
    CLAIM = "claim"          # a printer takes the job
    REPRINT = "reprint"      # ... also an interrupted one, after a look
    FINISH = "finish"        # every byte reached the printer
    FAIL = "fail"            # no byte of it left
    INTERRUPT = "interrupt"  # a fault after bytes left: stays printing, with the reason
    CANCEL = "cancel"        # the letter's name was purged before it printed
    RELEASE = "release"      # a volunteer read a held letter: it may print
    REJECT = "reject"        # a volunteer read a held letter: it never prints

    @property
    def sources(self) -> tuple[JobState, ...]:
        return _MOVES[self][0]

    @property
    def target(self) -> JobState:
        return _MOVES[self][1]


_MOVES: dict[Transition, tuple[tuple[JobState, ...], JobState]] = {
    Transition.CLAIM: ((JobState.PENDING, JobState.FAILED), JobState.PRINTING),
    Transition.REPRINT: (WAITING, JobState.PRINTING),
    Transition.FINISH: ((JobState.PRINTING,), JobState.PRINTED),
    Transition.FAIL: ((JobState.PRINTING,), JobState.FAILED),
    Transition.INTERRUPT: ((JobState.PRINTING,), JobState.PRINTING),
    Transition.CANCEL: ((*WAITING, JobState.HELD), JobState.CANCELLED),
    Transition.RELEASE: ((JobState.HELD,), JobState.PENDING),
    Transition.REJECT: ((JobState.HELD,), JobState.REJECTED),
}


def claim_for(interrupted: bool) -> Transition:
    """The move a retry makes: interrupted jobs (maybe on paper) only when asked for."""
    return Transition.REPRINT if interrupted else Transition.CLAIM


HOLD_REASONS = (
    "words",   # a word of the name or message is on the stall's word lists (kiosk.moderation)
    "limit",   # more letters than the kiosk's print limit allows (kiosk.print_limit)
)
"""Why a letter was recorded held: kept with its job for the volunteer who decides."""
