"""The print queue: a recorded signature's job, from pending to printed or failed.

A job is claimed (``printing``) in the database before any byte leaves, and finished
(``printed`` or ``failed`` with the reason) afterwards, as :mod:`kiosk.job_states` allows.
Two workers can never print the same job. A job interrupted by a crash, or by a fault after
its bytes began to leave (it may be on paper, whole or in part), stays ``printing`` with the
reason: it is listed as *interrupted* and printed again only when a person who has checked
the paper asks (:attr:`~kiosk.job_states.Transition.REPRINT`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from ..cases import Case
from ..errors import PrintError
from ..job_states import JobState, Transition, claim_for
from ..receipts import layouts
from ..receipts.model import QR, Receipt
from ..receipts.qr import QRTooWide, module_dots
from ..store import Job, Signature, Store
from .devices import send, write_preview
from .setups import Setup


@dataclass(frozen=True)
class Outcome:
    printed: bool
    error: str | None = None
    preview: Path | None = None
    maybe_printed: bool = False  # a fault after bytes left: the job is interrupted, not failed
    skipped: bool = False  # another worker had claimed or finished the job: not tried here, not a failure


def prepare(receipt: Receipt, setup: Setup) -> Callable[[], Path | None]:
    """All that comes before a receipt's first byte and may fail by itself (its QR codes fit, its
    ESC/POS bytes): what is left is to send it (or write it into the preview folder). Raises
    PrintError."""
    for block in receipt.blocks:  # a code that cannot fit is refused before any byte, never left out
        if isinstance(block, QR):
            try:
                module_dots(block.data, setup.paper.dots)
            except QRTooWide as exc:
                raise PrintError(f"QR code: {exc}", source=setup.where) from None
    if setup.is_preview:
        return lambda: write_preview(setup, receipt)
    from .render import render_bytes  # python-escpos and Pillow: on the first print, not at start

    data = render_bytes(receipt, setup)

    def send_it() -> None:
        send(setup, data)

    return send_it


def deliver(receipt: Receipt, setup: Setup) -> Path | None:
    """Put one receipt on paper (or into the preview folder). Raises PrintError."""
    return prepare(receipt, setup)()


def print_signature(store: Store, sig: Signature, case: Case | None, setup: Setup, campaign: str, *,
                    move: Transition = Transition.CLAIM, privacy_url: str | None = None) -> Outcome:
    """Claim the signature's job with ``move``, print it, and record how it went.

    The receipt is laid out and rendered before the claim, so that from the claim's commit to
    the first byte there is only the printer's connection to open: a crash in that moment
    leaves the job ``printing`` (interrupted: it cannot be told from a crash after the first
    byte, and the kiosk errs towards never printing a letter twice)."""
    job = store.job_for(sig.id)
    if job is None:
        return Outcome(False, f"signature {sig.id} has no print job")
    ready: Callable[[], Path | None] | None = None
    problem = ""
    try:
        if case is None:
            raise PrintError(f"case {sig.case_id!r} is not in the cases folder")
        ready = prepare(layouts.for_signature(case, sig, campaign, privacy_url), setup)
    except PrintError as exc:
        problem = str(exc)
    except Exception as exc:  # noqa: BLE001 - an unexpected fault must still leave the job failed, not stuck
        problem = f"{type(exc).__name__}: {exc}"
    if not store.claim_job(job.id, setup.name, move=move):
        current = store.job_for(sig.id)
        if current is not None and current.status in (JobState.HELD, JobState.REJECTED):
            said = "held for a volunteer (kiosk jobs release)" if current.status is JobState.HELD else \
                "rejected by a volunteer: it never prints"
            return Outcome(False, f"job {job.id} is {said}, not printed", skipped=True)
        return Outcome(False, f"job {job.id} is {current.status.label if current else 'gone'}: another run has it,"
                              " not printed again here", skipped=True)
    if ready is None:  # nothing left: a plain failure, to retry
        store.finish_job(job.id, error=problem)
        return Outcome(False, problem)
    try:
        preview = ready()
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
    store.finish_job(job.id)  # not synced: docs/database.md, "Commits"
    return Outcome(True, preview=preview)


def retry_jobs(store: Store, cases: Mapping[str, Case], setup: Setup, campaign: str, *, interrupted: bool = False,
               lock: AbstractContextManager[object] | None = None,
               privacy_url: str | None = None) -> Iterator[tuple[Job, Signature, Outcome]]:
    """Print every waiting job, oldest first; yields (job, signature, outcome) as each finishes."""
    move = claim_for(interrupted)
    for job in store.jobs(move.sources):
        sig = store.signature(job.signature_id)
        if sig is None:
            continue
        with lock or nullcontext():
            outcome = print_signature(store, sig, cases.get(sig.case_id), setup, campaign, move=move,
                                      privacy_url=privacy_url)
        yield job, sig, outcome
