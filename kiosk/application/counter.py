"""The counter facing the crowd (``kiosk counter``): what it asks of a kiosk's database and the office.

:class:`Counter` reads the stall's database **only for reading**, while the kiosk writes to it:
each reading opens it as :mod:`kiosk.store.readonly` says (``mode=ro`` beside a running
kiosk, as an unchanging file when none runs: no ``-wal`` or ``-shm`` is ever made beside it,
no lock is taken that a writer waits for), counts, and closes it again, so no snapshot is
held between readings and the kiosk's checkpoints are never held back.

:meth:`Counter.poll` is cheap: it looks at the file and its ``-wal`` (their inode, size and
time: a commit changes the ``-wal``, a checkpoint or a closing kiosk the file) and counts again
only when they changed, or the stall's day did. A file that is not there yet, is being
replaced, is locked for a moment or was written while it was read is a :class:`Reading` that
says "waiting": never an error.

Today's letters are counted as the home screen and the tally slip count them (the stall's
day, this kiosk's id; every kiosk's with ``all_kiosks``): typed and handwritten letters,
the store's ``count``. The national total is the office's ``figures.count``
(``GET /api/v1/counts``), asked only when the kiosk syncs (``sync.url``).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import KioskError, SettingError
from ..settings import Settings
from ..store import Scope, Store
from ..text import clean, without_ignorables

POLL_EVERY = 2.0          # seconds between looks at the database
NATIONAL_EVERY = 60.0     # seconds between asking the office for the national total
NATIONAL_TIMEOUT = 5.0    # seconds to reach the office, and for each read of its answer ...
NATIONAL_TOTAL_TIMEOUT = 15.0  # ... and for the whole request
TITLE_MAX = 120           # characters of a case's title kept


@dataclass(frozen=True)
class CaseTally:
    """One case's letters today; ``title`` as the database last recorded it (its id when it has none)."""

    case_id: str
    title: str
    letters: int


@dataclass(frozen=True)
class Tally:
    """Today's letters (typed and handwritten), and each case's, most letters first."""

    day: dt.date
    letters: int
    cases: tuple[CaseTally, ...] = ()


@dataclass(frozen=True)
class Reading:
    """One look at the database: ``tally`` what it holds (None: it could not be read just now,
    the last tally stands); ``waiting``: the kiosk's database is not there or not readable yet."""

    tally: Tally | None
    waiting: bool = False


Stamp = tuple[int, int, int, int] | None


def _stat(path: str) -> Stamp:
    """What changes when a file is written (or replaced); None when it is not there."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def _title(title: object, case_id: str) -> str:
    shown = clean(without_ignorables(str(title or "")), TITLE_MAX, multiline=False)
    return shown or clean(without_ignorables(case_id), TITLE_MAX, multiline=False) or "?"


def _now() -> dt.datetime:
    return dt.datetime.now().astimezone()


class Counter:
    """Today's letters in the database of ``settings`` (``all_kiosks``: every kiosk's), read only."""

    def __init__(self, settings: Settings, *, all_kiosks: bool = False,
                 clock: Callable[[], dt.datetime] | None = None) -> None:
        self.settings = settings
        self.all_kiosks = all_kiosks
        self.clock = clock or _now
        self._last: tuple[object, ...] | None = None  # what the file looked like at the last good reading
        self._failed = 0  # readings in a row that failed

    @property
    def path(self) -> Path:
        return Path(self.settings.database)

    @property
    def national_configured(self) -> bool:
        """Whether the stall syncs with an office, which can say the national total."""
        return bool(self.settings.sync_url)

    def today(self) -> dt.date:
        return self.clock().date()

    def scope(self, day: dt.date) -> Scope:
        """The letters counted: the stall's ``day``, this kiosk's (every kiosk's with ``all_kiosks``)."""
        return Scope.day(day, kiosk_id=None if self.all_kiosks else self.settings.kiosk_id)

    def _stamp(self, day: dt.date) -> tuple[object, ...]:
        real = os.path.realpath(self.path)
        return day, real, _stat(real), _stat(real + "-wal")

    def read(self, day: dt.date | None = None) -> Tally:
        """Count now (the file must be there); a StoreError naming the file when it cannot be read."""
        day = day or self.today()
        scope = self.scope(day)
        with Store(self.path, create=False, readonly=True) as store, store.guard():
            letters = store.figures(scope)["count"]
            rows = store.counts("case", scope)
        cases = sorted((CaseTally(str(row["case_id"]), _title(row["case_title"], str(row["case_id"])),
                                  int(row["count"])) for row in rows if int(row["count"]) > 0),
                       key=lambda c: (-c.letters, c.title.casefold(), c.case_id))
        return Tally(day, int(letters), tuple(cases))

    def check(self, tries: int = 3, pause: float = 0.3) -> None:
        """At start: a database that is there must be a kiosk's (a StoreError naming it when it is
        not, after ``tries``: one that is being written or replaced is read again); a name that is
        a folder is a SettingError. One that is not there yet is fine: the counter waits for it."""
        if self.path.is_dir():
            raise self.settings.locate(SettingError(f"{self.path} is a folder, not the kiosk's database file"),
                                       "database")
        for attempt in range(tries):
            if _stat(os.path.realpath(self.path)) is None:
                return
            try:
                self.read()
                return
            except KioskError:
                if attempt == tries - 1:
                    raise
                time.sleep(pause)

    def poll(self) -> Reading | None:
        """*Any thread.* A new reading when the database (or the day) changed since the last good
        one; None when nothing did. Never raises: a database that cannot be read is "waiting"."""
        day = self.today()
        stamp = self._stamp(day)  # before reading: a write during the reading is read at the next poll
        if stamp == self._last:
            return None
        if stamp[2] is None:  # no database yet (or not at the moment): no letter today
            self._last = stamp
            return Reading(Tally(day, 0), waiting=True)
        try:
            tally = self.read(day)
        except Exception:  # noqa: BLE001 - locked, torn, replaced, not yet a database: read again next time
            self._last = None
            self._failed += 1
            # once is a moment (the kiosk starting as it was read): the last tally stands; twice, it is said
            return Reading(None, waiting=True) if self._failed > 1 else None
        self._last, self._failed = stamp, 0
        return Reading(tally)

    def national(self) -> int:
        """*Any thread.* The letters the office counts from every kiosk; a KioskError (SyncError) when
        it cannot say (no answer in time, an answer that is not a count), SettingError without sync."""
        if not self.settings.sync_url:
            raise SettingError("not set: this kiosk does not sync", field="sync.url")
        from ..sync.client import Client

        with Client(self.settings.sync_url, self.settings.sync_token or "", connect_timeout=NATIONAL_TIMEOUT,
                    read_timeout=NATIONAL_TIMEOUT, total_timeout=NATIONAL_TOTAL_TIMEOUT) as client:
            return client.national_total()


def open_counter(settings: Settings, *, all_kiosks: bool = False,
                 clock: Callable[[], dt.datetime] | None = None) -> Counter:
    """The counter of the stall these settings describe."""
    return Counter(settings, all_kiosks=all_kiosks, clock=clock)
