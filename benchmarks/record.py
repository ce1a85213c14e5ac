"""Durable record: signatures per second through the kiosk's store, against a plain sqlite3
loop of INSERT and COMMIT with the same PRAGMAs (WAL, synchronous=FULL, foreign keys)."""

from __future__ import annotations

import sqlite3
import tempfile
import time
import uuid
from pathlib import Path

from kiosk.cases import read_dir
from kiosk.store import Store

from .common import CASES, ROOT, Row

TARGET = 0.8


def _kiosk(path: Path, count: int) -> float:
    case = read_dir(CASES).cases["lawyer-amara-osei"]
    with Store(path) as store:
        start = time.perf_counter()
        for i in range(count):
            store.record(case=case, kind="appeal", name=f"Visitor {i}", message="Stay strong.", event="Bench",
                         kiosk_id="bench")
        return count / (time.perf_counter() - start)


def _plain(path: Path, count: int) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
        conn.execute(f"PRAGMA {pragma}")
    conn.execute("CREATE TABLE signatures (id TEXT PRIMARY KEY, number INTEGER, case_id TEXT, kind TEXT, name TEXT,"
                 " message TEXT, created_at TEXT, local_time TEXT, event TEXT, kiosk_id TEXT)")
    start = time.perf_counter()
    for i in range(count):
        conn.execute("BEGIN")
        conn.execute("INSERT INTO signatures VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     [str(uuid.uuid4()), i, "lawyer-amara-osei", "appeal", f"Visitor {i}", "Stay strong.",
                      "2026-11-25T10:00:00Z", "2026-11-25T11:00:00+01:00", "Bench", "bench"])
        conn.execute("COMMIT")
    rate = count / (time.perf_counter() - start)
    conn.close()
    return rate


def durable_record(count: int) -> list[Row]:
    with tempfile.TemporaryDirectory(dir=ROOT) as tmp:  # the disk a kiosk would use
        kiosk, plain = [], []
        for round_ in range(3):  # interleaved rounds; the best of each
            kiosk.append(_kiosk(Path(tmp) / f"kiosk{round_}.db", count))
            plain.append(_plain(Path(tmp) / f"plain{round_}.db", count))
    k, p = max(kiosk), max(plain)
    return [Row(f"Durable record, {count} signatures (best of 3)", f"{k:,.0f}/s vs {p:,.0f}/s = x{k / p:.2f}",
                f">= x{TARGET}", k / p >= TARGET)]
