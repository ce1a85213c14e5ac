"""Export counts over a million signatures: ``Store.counts`` (what ``kiosk export counts``
runs) against the very same SQL in plain sqlite3; and the command's time end to end."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from kiosk.store import Store

from .common import ROOT, Row, median

TARGET = 1.2


def fill(path: Path, count: int) -> None:
    """``count`` signatures over 3 days, 4 cases, 2 kiosks, as a real event spreads them."""
    with Store(path) as store:
        store.record(case_id="lawyer-amara-osei", kind="appeal", name="x", message="", event="Fest", kiosk_id="k1")
    conn = sqlite3.connect(path)
    rng = random.Random(1)
    cases = ["lawyer-amara-osei", "prisoner-ilya-voronin", "journalist-lina-haddad", "defender-tomas-quispe"]
    conn.executemany("INSERT OR IGNORE INTO cases (id) VALUES (?)", [[c] for c in cases])
    start = dt.datetime(2026, 11, 20, 9, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    rows, jobs = [], []
    for i in range(count):
        at = start + dt.timedelta(days=rng.randrange(3), seconds=rng.randrange(12 * 3600))
        sid = str(uuid.UUID(int=rng.getrandbits(128)))
        kiosk = "k1" if i % 2 else "k2"
        rows.append((sid, i // 2 + 2, rng.choice(cases), rng.choice(("appeal", "postcard")), f"Visitor {i}", "",
                     at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                     at.isoformat(timespec="microseconds"), "Fest", kiosk))
        jobs.append((sid, "printed", rows[-1][6], rows[-1][6]))
    with conn:
        conn.executemany("INSERT INTO signatures (id, number, case_id, kind, name, message, created_at, local_time,"
                         " event, kiosk_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        conn.executemany("INSERT INTO print_jobs (signature_id, status, created_at, updated_at) VALUES (?, ?, ?, ?)",
                         jobs)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def export_counts(count: int, runs: int = 5) -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory(dir=ROOT) as tmp:  # the disk a kiosk would use
        db = Path(tmp) / "million.db"
        fill(db, count)
        for by in (("case", "day"), ("hour",)):
            queries: list[str] = []
            kiosk, plain = [], []
            with Store(db, create=False) as store:
                store.db.conn.set_trace_callback(queries.append)
                store.counts(by)
                sql = next(q for q in queries if "GROUP BY" in q)  # the statement the store ran
                store.db.conn.set_trace_callback(None)
                conn = sqlite3.connect(db)
                for _ in range(runs):
                    start = time.perf_counter()
                    store.counts(by)
                    kiosk.append(time.perf_counter() - start)
                    start = time.perf_counter()
                    conn.execute(sql).fetchall()
                    plain.append(time.perf_counter() - start)
                conn.close()
            k, p = median(kiosk), median(plain)
            rows.append(Row(f"Export counts by {','.join(by)}, {count:,} signatures (median of {runs})",
                            f"{k:.2f} s vs {p:.2f} s = x{k / p:.2f}", f"<= x{TARGET}", k / p <= TARGET))
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "kiosk", "export", "counts", "--by", "case,day", "--db", str(db)],
                       check=True, stdout=subprocess.DEVNULL)
        whole = time.perf_counter() - start
        rows.append(Row(f"`kiosk export counts --by case,day`, {count:,} signatures, end to end", f"{whole:.2f} s",
                        "-", None))
    return rows
