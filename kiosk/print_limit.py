"""The kiosk's print limit: a token bucket, so that nobody empties the paper roll by pressing Print.

The bucket holds up to ``burst`` letters and refills at ``rate`` letters an hour. A letter that
finds a whole token takes it and prints; one that finds none is recorded all the same and held
for a volunteer (:data:`kiosk.job_states.HOLD_REASONS` ``limit``), as a letter with flagged words
is. The bucket lives in the database (``print_limit``), worked out in the transaction that
records the letter, so the app and ``kiosk sign`` share one limit and a restart does not reset
it. A clock put back never adds tokens.

A **double press** is the same letter (kiosk, case, kind, name, message and language) recorded
again within :data:`DOUBLE_PRESS` seconds: it is the first letter, not a second one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

DOUBLE_PRESS = dt.timedelta(seconds=10)


@dataclass(frozen=True)
class PrintLimit:
    burst: int = 10          # letters that may print one after another
    rate: float = 120.0      # letters an hour, sustained


def refill(tokens: float, since: dt.datetime, now: dt.datetime, limit: PrintLimit) -> float:
    """The tokens in the bucket at ``now``, ``tokens`` having been there at ``since``."""
    elapsed = max(0.0, (now - since).total_seconds())
    return min(float(limit.burst), max(0.0, tokens) + elapsed * limit.rate / 3600.0)
