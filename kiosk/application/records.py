"""After the event: what an organiser asks of a kiosk database.

Counts, the signatures export, delivery lists, the report, merging other kiosks' files and
purging personal data, each one method of :class:`Records`. Every count goes through the
store's one counting query with a :class:`~kiosk.store.Scope` checked here, so these
numbers are the ones the kiosk's screens and tally slip show. Days are the stall's, any
day of the calendar (``--until 9999-12-31``, ``--before 0001-01-01``).

An existing database is opened **only for reading** (:mod:`kiosk.store.readonly`: from a
write-protected stick or a folder the reader cannot write, a running kiosk's file too,
leaving nothing beside it, one snapshot for the whole command); the two methods that write
(:meth:`Records.purge`, :meth:`Records.merge`) reopen it for writing first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError, KioskError
from ..store import (
    Contacts,
    ForgetPreview,
    ForgetResult,
    MergeResult,
    PurgePreview,
    PurgeResult,
    Scope,
    Store,
)
from .paper import PaperRecords

Tick = Callable[[int, "int | None"], None]
"""How far a long piece of work is: (done, out of, when known); the command line draws a progress bar."""

if TYPE_CHECKING:
    from ..cases import Case
    from ..reports.letters import Bundle
    from ..reports.summary import Summary


def _known(what: str, field: str, value: str | None, known: Callable[[], list[str]]) -> None:
    """``known`` is asked only when a value was given: each is a scan of an index."""
    if value is not None and value not in (names := known()):
        listed = ", ".join(repr(k) for k in names[:10]) + (" ..." if len(names) > 10 else "")
        raise InputError(f"no {what} {value!r} in this database (known: {listed or 'none yet'})", field=field,
                         reason="unknown")


def _both(typed: list[str], paper: list[str]) -> list[str]:
    return sorted({*typed, *paper})


def checked_scope(store: Store, *, event: str | None = None, kiosk_id: str | None = None,
                  case_id: str | None = None, since: dt.date | None = None, until: dt.date | None = None) -> Scope:
    """The selection asked for; an event, kiosk or case the database never saw (in a typed letter
    or a handwritten one) is an InputError."""
    _known("event", "event", event, lambda: _both(store.events(), store.paper_events()))
    _known("kiosk", "kiosk", kiosk_id, lambda: _both(store.kiosk_ids(), store.paper_kiosk_ids()))
    _known("case", "case", case_id, lambda: _both(store.case_ids(), store.paper_case_ids()))
    if since and until and since > until:
        raise InputError(f"{since} is after the last day asked for ({until})", field="since")
    return Scope(event=event, kiosk_id=kiosk_id, case_id=case_id, since=since, until=until)


class Records(PaperRecords):
    """One kiosk database, as the organiser works with it after the event."""

    def __init__(self, store: Store, cases_dir: Path | None = None) -> None:
        self.store = store
        self.cases_dir = cases_dir

    @property
    def path(self) -> Path:
        return self.store.path

    def _writing(self) -> Store:
        """The store, opened for writing (closing the read-only one first)."""
        if self.store.readonly:
            self.store.check_unchanged()
            writing = Store(self.store.path, create=False)  # first: if it cannot be opened, the reader stays
            self.store.close()
            self.store = writing
        return self.store

    @cached_property
    def case_files(self) -> Mapping[str, Case]:
        """Case files, only to fill in what older databases lack; a missing folder is fine."""
        from ..cases import read_dir  # the case reader only for a command that needs a case file

        if self.cases_dir is None or not Path(self.cases_dir).is_dir():
            return {}
        return read_dir(self.cases_dir).cases

    def scope(self, **selection: Any) -> Scope:
        return checked_scope(self.store, **selection)

    def total(self, scope: Scope = Scope()) -> int:
        return self.store.total(scope)

    def counts(self, by: Sequence[str], scope: Scope) -> list[dict[str, Any]]:
        return self.store.counts(by, scope)

    def signatures(self, scope: Scope, progress: Tick | None = None) -> Iterator[tuple[Any, ...]]:
        """Every signature in ``scope``, a tuple each in the order of EXPORT_COLUMNS, read as they
        are used (``export signatures``); ``progress`` is told how far every few thousand."""
        return self.store.export_table(scope, progress)

    def check_unchanged(self) -> None:
        """StoreError if the file, opened only for reading, was written while it was read (a kiosk
        started on it): what was read may be torn. An export asks before it puts its file in place."""
        self.store.check_unchanged()

    def delivery_list(self, scope: Scope) -> list[Bundle]:
        from ..reports.letters import delivery_list

        return delivery_list(self.store, scope, self.case_files)

    def summary(self, scope: Scope, progress: Tick | None = None) -> Summary:
        """The report of ``scope``; ``progress`` is told how far it is."""
        from ..reports.summary import summarise

        return summarise(self.store, scope, case_files=self.case_files, progress=progress)

    def merge(self, sources: Sequence[Path], *, progress: Tick | None = None) -> list[MergeResult]:
        """Merge other kiosks' files into this one, all or nothing (see :mod:`kiosk.store.merge`).
        ``progress``: told (letters read, letters in all the sources) as the merge goes."""
        return self._writing().merge(sources, progress=progress)

    def purge_scope(self, *, before: dt.date | None = None, event: str | None = None) -> Scope:
        """Letters signed before ``before`` (the stall's day, not included), of ``event``."""
        self.scope(event=event)
        return Scope(event=event, before=before)

    def purge_preview(self, scope: Scope, groups: Collection[str] = ()) -> PurgePreview:
        """What a purge of ``scope`` would remove; ``groups`` (``PURGE_GROUPS``): only those
        writers' letters (declined, contacts exported), everyone's when none."""
        return self.store.purge_preview(scope, groups)

    def purge(self, scope: Scope, groups: Collection[str] = (), *, progress: Tick | None = None) -> PurgeResult:
        """Remove the personal data :meth:`purge_preview` counted; ``progress``: told (steps done, steps)."""
        return self._writing().purge_personal_data(scope, groups, progress=progress)

    def clean(self) -> bool:
        """Vacuum the file and empty its journal, removing nothing: what an earlier purge or
        forget removed (:attr:`PurgePreview.traces`) is then gone from it. False when another
        program holding the file kept it from being done."""
        return self._writing().scrub()

    # -- consent to be contacted ---------------------------------------------------------

    def contacts(self, scope: Scope) -> Contacts:
        """The people in ``scope`` who said yes, one row per address and channel (``export contacts``)."""
        return self.store.contacts(scope)

    def note_exported(self, contacts: Contacts) -> int:
        """Note in the database that an export wrote these contacts (``purge --contacts-exported``
        removes them later). StoreError when the file cannot be written (a write-protected stick)."""
        if not contacts.consent_ids:
            return 0
        return self._writing().mark_exported(contacts.consent_ids)

    def consent_counts(self, scope: Scope) -> dict[str, int]:
        return self.store.consent_counts(scope)

    def forget_preview(self, email: str, *, same_name: bool = False) -> ForgetPreview:
        """What :meth:`forget` would remove for ``email``."""
        return self.store.forget_preview(email, same_name=same_name)[0]

    def names_given_with(self, email: str) -> list[str]:
        """The names on the letters given with ``email``, each once: whose data :meth:`forget`
        removes, for the organiser to check before saying yes."""
        names: list[str] = []
        for sig_id in self.store.forget_preview(email)[1]:
            sig = self.store.signature(sig_id)
            if sig is not None and sig.name and sig.name not in names:
                names.append(sig.name)
        return names

    def person(self, email: str) -> list[dict[str, Any]]:
        """What the file holds about the person who gave ``email``, as PERSON_COLUMNS: each letter
        given with it and each other letter with the same name and no address, found as
        :meth:`forget` finds them, with its answer to being contacted (``export person``)."""
        return self.store.person(email)

    def forget(self, email: str, *, same_name: bool = False) -> ForgetResult:
        """Remove one person's name, message and address everywhere in the file (a rights request)."""
        return self._writing().forget(email, same_name=same_name)

    def close(self, *, done: bool) -> None:
        """Close the database; ``done``: the command went well, so check a file read as it was not written meanwhile."""
        try:
            if done:
                self.store.check_unchanged()
        finally:
            self.store.close()


@contextmanager
def open_records(database: Path, *, create: bool = False, cases_dir: Path | None = None) -> Iterator[Records]:
    """The kiosk database at ``database``: made if ``create``, else opened only for reading
    until a method that writes is called. Every database problem inside is a StoreError naming it."""
    made = create and not Path(database).exists()
    records = Records(Store(database, create=create, readonly=not create), cases_dir)
    done = False
    try:
        with records.store.guard():
            yield records
        done = True
    finally:
        empty = made and not done and _empty(records)
        records.close(done=done)
        if empty:  # made for a merge that was refused: leave no file behind
            records.store.remove()


def _empty(records: Records) -> bool:
    try:
        return records.total() == 0
    except KioskError:
        return False
