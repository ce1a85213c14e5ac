"""What the office reads back: national counts (grouped as ``kiosk export counts`` groups a
kiosk's, with the same figures: letters, on paper, likely duplicates, signers) and the
conflicts kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from ..errors import KioskError
from ..store import Scope, check_groups
from . import store
from .schema import open_hq


def counts(dsn: str, by: Sequence[str], *, event: str | None = None, kiosk_id: str | None = None,
           since: dt.date | None = None, until: dt.date | None = None) -> list[dict[str, Any]]:
    """Letters counted per combination of ``by``, over every kiosk's uploads (COUNT_COLUMNS)."""
    groups = check_groups(by)
    with open_hq(dsn) as conn:
        return store.counts(conn, groups, Scope(event=event, kiosk_id=kiosk_id, since=since, until=until))


def conflicts(dsn: str, limit: int = 1000, *,
              every: bool = False) -> tuple[list[store.ConflictRow], tuple[int, int]]:
    """The conflicts still open (``every``: reviewed ones too), and how many are open and in all."""
    with open_hq(dsn) as conn:
        return store.conflicts(conn, limit, every=every), store.conflict_counts(conn)


def resolve(dsn: str, number: int, who: str) -> tuple[dt.datetime, str]:
    """Mark conflict ``number`` reviewed by ``who``: when and by whom; a KioskError when there is none."""
    who = " ".join(who.split())[:64]
    if not who:
        raise KioskError("--by: say who reviewed it")
    with open_hq(dsn) as conn:
        done = store.resolve_conflict(conn, number, who)
    if done is None:
        raise KioskError(f"no conflict {number}: kiosk hq conflicts --all lists each with its number")
    return done
