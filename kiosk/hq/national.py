"""What the office reads back: national counts (grouped as ``kiosk export counts`` groups a
kiosk's) and the conflicts kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from ..store import Scope, check_groups
from . import store
from .schema import open_hq


def counts(dsn: str, by: Sequence[str], *, event: str | None = None, kiosk_id: str | None = None,
           since: dt.date | None = None, until: dt.date | None = None) -> list[dict[str, Any]]:
    """Signatures counted per combination of ``by``, over every kiosk's uploads."""
    groups = check_groups(by)
    with open_hq(dsn) as conn:
        return store.counts(conn, groups, Scope(event=event, kiosk_id=kiosk_id, since=since, until=until))


def conflicts(dsn: str, limit: int = 1000) -> list[store.ConflictRow]:
    with open_hq(dsn) as conn:
        return store.conflicts(conn, limit)
