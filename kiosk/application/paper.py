"""Paper letters: the handwritten letters a stall collects, recorded and corrected by the organiser.

They count with the typed letters in every count, export, report, tally slip and delivery list
(:mod:`kiosk.store.paper`). At the stall, :class:`PaperDesk` (a part of
:class:`~kiosk.application.station.Station`) records them for this kiosk, from the organiser
screen and ``kiosk paper add``; after the event, :class:`PaperRecords` (a part of
:class:`~kiosk.application.records.Records`) lists a file's entries, every kiosk's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..errors import InputError
from ..store import PaperEntry, Scope, Store

if TYPE_CHECKING:
    from ..cases import Case
    from ..settings import Settings


class PaperDesk:
    """A stall's handwritten letters: recorded for one of its cases, with its event, kiosk id and clock."""

    settings: Settings
    clock: Callable[[], dt.datetime]
    _store: Store | None
    _samples: dict[str, Case]

    if TYPE_CHECKING:
        def case(self, case_id: str) -> Case | None: ...

        def _connect(self, *, create: bool = False) -> Store: ...

    def add_paper(self, case_id: str, kind: str, count: int, note: str = "") -> PaperEntry:
        """*Any thread.* Record ``count`` handwritten letters (1 to 100,000) of ``kind`` (appeal or
        postcard) collected for the case ``case_id``, with an optional one-line ``note``. The case is
        one of this kiosk's, open or not, switched off or not (the letters were collected); they
        count on this kiosk, in this event, at the stall clock's hour. InputError naming the field
        (``case``, ``kind``, ``count``, ``note``) if not."""
        case = self._paper_case(case_id)
        with self._paper_store() as store:
            return store.add_paper(case.id, kind, count, note, self.settings.event, self.settings.kiosk_id,
                                   self.clock(), case=case)

    def paper_entries(self) -> list[PaperEntry]:
        """*Any thread.* This kiosk's entries, newest first, each with its total (corrections included)."""
        if self._store is None and not self.settings.database.exists():
            return []  # a kiosk that never recorded anything has none
        with self._connect() as store:
            return store.paper_entries(Scope(kiosk_id=self.settings.kiosk_id))

    def correct_paper(self, entry_id: str, count: int, note: str | None = None) -> PaperEntry:
        """*Any thread.* Correct this kiosk's entry ``entry_id`` (its id, or the start of it as
        listed) to a total of ``count`` letters (0: entered by mistake); ``note``: a new note (None
        keeps the last). Kept as a correction of its own, counted where the entry counts.
        InputError naming ``id`` or ``count`` if it cannot be."""
        with self._connect() as store:
            return store.correct_paper(entry_id, count, note, self.clock(), kiosk_id=self.settings.kiosk_id)

    def _paper_case(self, case_id: str) -> Case:
        case = self.case(case_id)
        if case is None and case_id in self._samples:
            raise InputError(f"{case_id!r} is a sample case (about a person who does not exist);"
                             " allow_sample_cases is off", field="case", reason="sample")
        if case is None:
            raise InputError(f"unknown case {case_id!r}: not one of this kiosk's cases (see kiosk cases list)",
                             field="case", reason="unknown")
        return case

    def _paper_store(self) -> Store:
        """A connection of its own: the database is made when the command line records the first
        entry of a new stall; where the kiosk runs (it opened its database at start) it never is
        made again, like a letter's (one that vanished is reported)."""
        return self._connect(create=self._store is None)


class PaperRecords:
    """A kiosk database's handwritten letters, after the event: every kiosk's."""

    store: Store

    def paper_entries(self, scope: Scope = Scope()) -> list[PaperEntry]:
        """The entries in ``scope``, newest first, each with its total (corrections included)."""
        return self.store.paper_entries(scope)
