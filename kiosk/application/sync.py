"""Sync with the national office: the one use case the app's worker and ``kiosk sync`` call.

A :class:`Sync` is made by :meth:`Station.sync <kiosk.application.station.Station.sync>` (or
:func:`open_sync` from settings). :meth:`Sync.run` does one sync in the calling thread with a
database connection of its own, so it may run in a worker thread while the app records
letters (SQLite's WAL lets both go on); it never raises for a network or office failure:
the report and the state in the database say it. :meth:`Sync.status` reads what is waiting,
the conflicts, and how the last syncs went.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import SettingError
from ..settings import Settings
from ..store import Store, SyncStatus
from ..sync.published import folder_for
from ..sync.run import SyncReport, Target, sync_once
from .folders import office_cases

if TYPE_CHECKING:
    from ..cases import CaseSet
    from ..sync.client import Client


def _stored_time(text: object) -> dt.datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


class Sync:
    def __init__(self, settings: Settings, read: Callable[[Path], CaseSet] | None = None) -> None:
        self.settings = settings
        self._read = read or (lambda folder: office_cases(folder, settings.allow_sample_cases))

    @property
    def configured(self) -> bool:
        """Whether this kiosk syncs: its settings name the office's service."""
        return bool(self.settings.sync_url)

    @property
    def cases_folder(self) -> Path:
        """Where the office's case set is kept (``hq-cases/`` beside the database)."""
        return folder_for(self.settings.database)

    def target(self) -> Target:
        """Where and how to sync; SettingError naming the missing setting when it is not set up."""
        settings = self.settings
        where = str(settings.path) if settings.path else None
        if not settings.sync_url:
            raise SettingError("not set: this kiosk does not sync (add url and token to a [sync] table, docs/sync.md)",
                               field="sync.url", source=where)
        if not settings.sync_token:
            raise SettingError("not set: the office's service needs this kiosk's token (docs/sync.md)",
                               field="sync.token", source=where)
        return Target(settings.sync_url, settings.sync_token, settings.kiosk_id, settings.sync_personal_data,
                      settings.sync_interval, settings.database)

    def run(self, *, stop: threading.Event | None = None, client: Client | None = None,
            progress: Callable[[int, int | None], None] | None = None) -> SyncReport:
        """*Any thread.* One sync now (whatever the back-off says). SettingError when the kiosk is
        not set up to sync; a StoreError when its database cannot be opened; a network or office
        failure is in the report (``error``) and the state. ``progress`` is told the rows sent of
        those waiting after each batch."""
        return sync_once(self.target(), self._read, client=client, stop=stop, progress=progress)

    def status(self) -> SyncStatus:
        """*Any thread.* This kiosk's rows waiting, other kiosks' rows, the conflicts and refusals,
        and the state of the last syncs."""
        with Store(self.settings.database, create=False) as store:
            return store.sync_status(self.settings.kiosk_id)

    def seconds_to_next(self, now: dt.datetime | None = None) -> float:
        """*Any thread.* How long the app's worker waits before the next sync: the interval after the
        last one began, or longer while the back-off after failures says so; 0 when it is due."""
        moment = now or dt.datetime.now(dt.UTC)
        with Store(self.settings.database, create=False) as store:
            state = store.sync_state()
        due = []
        last = _stored_time(state.get("last_attempt"))
        if last is not None:
            due.append(last + dt.timedelta(seconds=self.settings.sync_interval))
        until = _stored_time(state.get("backoff_until"))
        if until is not None:
            due.append(until)
        if not due:
            return 0.0
        return max(0.0, (max(due) - moment).total_seconds())


def open_sync(settings: Settings) -> Sync:
    """The sync of the kiosk these settings describe."""
    return Sync(settings)
