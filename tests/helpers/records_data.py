"""Databases of signatures made at known stall times, for the after-the-event tests.

The stall is in UTC+02:00 and some letters are signed around midnight: 00:30 at the
stall is 22:30 UTC the day before, so grouping by the UTC day would put it on the wrong
day.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kiosk.cases import read_dir
from kiosk.store import Store
from tests.helpers import CASES

STALL = dt.timezone(dt.timedelta(hours=2))


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 7, day, hour, minute, tzinfo=STALL)


# (case, kind, kiosk, event, stall time, name)
LETTERS = [
    ("lawyer-amara-osei", "appeal", "north", "Summer Fest", at(3, 10, 5), "Ada Quillfeather"),
    ("lawyer-amara-osei", "appeal", "north", "Summer Fest", at(3, 10, 40), "Bartholomew Zink"),
    ("lawyer-amara-osei", "postcard", "north", "Summer Fest", at(3, 14, 0), "Céleste Ödegaard"),
    ("prisoner-ilya-voronin", "appeal", "south", "Summer Fest", at(3, 23, 30), "Dmitri Ясенев"),
    ("prisoner-ilya-voronin", "appeal", "south", "Summer Fest", at(4, 0, 30), "Esmé Brightwater"),
    ("journalist-lina-haddad", "postcard", "south", "Summer Fest", at(4, 11, 15), "Farid حداد"),
    ("journalist-lina-haddad", "appeal", "north", "Book Fair", at(5, 16, 45), "Gunnhild Thorsdottir"),
    ("defender-tomas-quispe", "appeal", "north", "Book Fair", at(5, 17, 5), "Hiroshi Tanabe-Wright"),
]
NAMES = [row[-1] for row in LETTERS]


def fill(path: Path, letters=LETTERS, *, printed: bool = True) -> Path:
    cases = read_dir(CASES).cases
    with Store(path) as store:
        for case_id, kind, kiosk, event, moment, name in letters:
            sig = store.record(case=cases[case_id], kind=kind, name=name, message=f"Message from {name}",
                               event=event, kiosk_id=kiosk, at=moment)
            if printed:
                job = store.job_for(sig.id)
                store.claim_job(job.id, "test")
                store.finish_job(job.id)
    return path


def counts_csv(store: Store, by) -> list[tuple]:
    return [tuple(str(v) for v in row.values()) for row in store.counts(by)]
