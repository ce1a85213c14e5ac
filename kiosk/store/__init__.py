"""The signature store: one SQLite file, durable before anything is printed. Every SQL
statement of the kiosk is in this package.

Every signature is committed (WAL, ``synchronous=FULL``) together with a pending print
job in one transaction; only then does anything go to a printer. Print jobs move as
:mod:`kiosk.job_states` says; a job left ``printing`` by a crash is *interrupted*: it may or
may not be on paper, so it is listed for a volunteer and never reprinted silently.

The rooms: ``connection`` (opening, checks, transactions, errors), ``readonly`` (opening a
file only to read it, leaving nothing beside it), ``schema`` (migrations), ``rows`` (the
rules a row keeps to: recording and merging share them), ``signatures``, ``jobs``,
``consents``, ``paper`` (handwritten letters collected at the stall), ``counts``,
``case_settings``, ``purge``, ``merge`` and ``outbox`` (what sync
has to send, and what the office answered); ``models`` holds the values they
hand out. The schema is explained in
``docs/database.md``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import StoreError
from .case_settings import CaseSettings
from .connection import BUSY_TIMEOUT, SCHEMA, explain
from .consents import CONTACT_COLUMNS, Consents
from .counts import Counts, check_groups, wide_columns, wide_groups, widen
from .jobs import PrintJobs
from .merge import Merging
from .models import (
    COUNT_COLUMNS,
    GROUPS,
    KINDS,
    PURGE_GROUPS,
    AppealRow,
    Conflict,
    Consent,
    ConsentChoice,
    Contacts,
    ForgetPreview,
    ForgetResult,
    Job,
    MergeResult,
    PurgePreview,
    PurgeResult,
    Scope,
    Signature,
    group_columns,
    reference,
    stall_iso,
    utc_iso,
    utc_now,
)
from .outbox import Outbox, OutboxRow, SyncConflict, SyncStatus
from .paper import PaperEntry, PaperLetters
from .purge import PERSON_COLUMNS, Purge
from .signatures import EXPORT_COLUMNS, Signatures


class Store(Signatures, PrintJobs, Consents, PaperLetters, Counts, CaseSettings, Purge, Merging, Outbox):
    """One kiosk database: open it, record and print-track signatures and consents, record handwritten
    letters, count, purge, merge.

    A Store holds one sqlite3 connection and must stay in the thread that opened it; open
    one Store per thread."""


@contextmanager
def open_store(path: Path, *, create: bool, readonly: bool = False) -> Iterator[Store]:
    """The database at ``path``, with every database problem met inside a StoreError naming the file.
    ``readonly``: only read, never written, nothing made beside it (see :mod:`kiosk.store.readonly`)."""
    with Store(path, create=create, readonly=readonly) as store, store.guard():
        yield store


__all__ = [
    "BUSY_TIMEOUT",
    "CONTACT_COLUMNS",
    "COUNT_COLUMNS",
    "EXPORT_COLUMNS",
    "GROUPS",
    "KINDS",
    "PERSON_COLUMNS",
    "PURGE_GROUPS",
    "SCHEMA",
    "AppealRow",
    "Conflict",
    "Consent",
    "ConsentChoice",
    "Contacts",
    "ForgetPreview",
    "ForgetResult",
    "Job",
    "MergeResult",
    "OutboxRow",
    "PaperEntry",
    "PurgePreview",
    "PurgeResult",
    "Scope",
    "Signature",
    "Store",
    "StoreError",
    "SyncConflict",
    "SyncStatus",
    "check_groups",
    "explain",
    "group_columns",
    "open_store",
    "reference",
    "stall_iso",
    "utc_iso",
    "utc_now",
    "wide_columns",
    "wide_groups",
    "widen",
]
