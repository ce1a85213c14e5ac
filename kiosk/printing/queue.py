"""The print queue: a recorded signature's job, from pending to printed or failed.

A job is claimed (``printing``) in the database before any byte leaves, and finished
(``printed`` or ``failed`` with the reason) afterwards. Two workers can never print the
same job. A job interrupted by a crash, or by a fault after its bytes began to leave (it
may be on paper, whole or in part), stays ``printing`` with the reason: it is listed as
*interrupted* and printed again only when a person who has checked the paper asks.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from ..cases import Case
from ..receipts import layouts
from ..store import Signature, Store
from .devices import PrintError, send, write_preview
from .setups import Setup


@dataclass(frozen=True)
class Outcome:
    printed: bool
    error: str | None = None
    preview: Path | None = None
    maybe_printed: bool = False  # a fault after bytes left: the job is interrupted, not failed


def deliver(receipt, setup: Setup) -> Path | None:
    """Put one receipt on paper (or into the preview folder). Raises PrintError."""
    if setup.is_preview:
        return write_preview(setup, receipt)
    from .render import render_bytes  # python-escpos and Pillow: on the first print, not at start

    send(setup, render_bytes(receipt, setup))
    return None


def print_signature(
    store: Store,
    sig: Signature,
    case: Case | None,
    setup: Setup,
    campaign: str = layouts.DEFAULT_CAMPAIGN,
    *,
    allow: tuple[str, ...] = ("pending", "failed"),
) -> Outcome:
    job = store.job_for(sig.id)
    if job is None:
        return Outcome(False, f"signature {sig.id} has no print job")
    if not store.claim_job(job.id, setup.name, allow=allow):
        current = store.job_for(sig.id)
        return Outcome(False, f"job {job.id} is {current.status if current else 'gone'}, not printed again")
    try:
        if case is None:
            raise PrintError(f"case {sig.case_id!r} is not in the cases folder")
        preview = deliver(layouts.for_signature(case, sig, campaign), setup)
    except PrintError as exc:
        if exc.maybe_printed:
            store.interrupt_job(job.id, f"may be on paper, look before reprinting: {exc}")
        else:
            store.finish_job(job.id, error=str(exc))
        return Outcome(False, str(exc), maybe_printed=exc.maybe_printed)
    except Exception as exc:  # noqa: BLE001 - an unexpected fault must still leave the job failed, not stuck
        message = f"{type(exc).__name__}: {exc}"
        store.finish_job(job.id, error=message)
        return Outcome(False, message)
    store.finish_job(job.id)
    return Outcome(True, preview=preview)


def waiting_states(interrupted: bool) -> tuple[str, ...]:
    """The job states a retry prints; interrupted jobs (maybe on paper) only when asked."""
    return ("pending", "failed", "printing") if interrupted else ("pending", "failed")


def retry_jobs(store: Store, cases: dict[str, Case], setup: Setup, campaign: str = layouts.DEFAULT_CAMPAIGN,
               *, interrupted: bool = False, lock=None):
    """Print every waiting job, oldest first; yields (signature, outcome) as each finishes."""
    allow = waiting_states(interrupted)
    for job in store.jobs(allow):
        sig = store.signature(job.signature_id)
        with lock or nullcontext():
            outcome = print_signature(store, sig, cases.get(sig.case_id), setup, campaign, allow=allow)
        yield sig, outcome
