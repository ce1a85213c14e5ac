"""Merging kiosks' files: ``kiosk merge``'s work (``Records.merge``: every source copied, checked
row by row, merged in one transaction) against the least a merge can do in plain sqlite3, an
``ATTACH`` and ``INSERT OR IGNORE`` of each file's signatures and print jobs; first into an
empty database, then again into the merged one (a re-merge, which adds nothing). Taken in
interleaved pairs, so both sides meet the same noise."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import tempfile
import time
import uuid
from pathlib import Path

from kiosk.application import open_records
from kiosk.store import Store

from .common import ROOT, Row, compare

TARGET = 1.5
FILES = 50
CASES = ("lawyer-amara-osei", "prisoner-ilya-voronin", "journalist-lina-haddad", "defender-tomas-quispe")
SIGNATURE_COLUMNS = ("id", "number", "case_id", "kind", "name", "message", "created_at", "local_time", "event",
                     "kiosk_id", "language", "letter_language", "signer", "place")


def kiosk_file(path: Path, kiosk: int, letters: int) -> None:
    """A kiosk's file of ``letters`` letters over 3 days, each with its printed job, as a stall writes them."""
    with Store(path) as store:
        for case in CASES:
            store.db.execute("INSERT OR IGNORE INTO cases (id, title, updated_at) VALUES (?, ?, ?)",
                             [case, f"The case of {case}", "2026-11-19T09:00:00.000000Z"])
    rng = random.Random(kiosk)
    zone = dt.timezone(dt.timedelta(hours=1))
    start = dt.datetime(2026, 11, 20, 9, tzinfo=zone)
    rows, jobs = [], []
    for n in range(1, letters + 1):
        at = start + dt.timedelta(days=n * 3 // letters, seconds=n * 11, microseconds=rng.randrange(1_000_000))
        utc = at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        kind = "appeal" if n % 3 else "postcard"
        sid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        signer = f"{'a1b2c3d4'}:{rng.getrandbits(256):064x}"
        rows.append((sid, n, CASES[n % len(CASES)], kind, f"Visitor {kiosk}-{n}",
                     "Free them now. We are watching, and we will not forget." if n % 2 else "", utc,
                     at.isoformat(timespec="microseconds"), "Fest 2026", f"stall-{kiosk:02d}", "en", "en", signer,
                     "Lyon" if n % 5 == 0 else None))
        jobs.append((sid, "printed", 1, "Star TSP100", utc, utc, utc))
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(f"INSERT INTO signatures ({', '.join(SIGNATURE_COLUMNS)})"
                         f" VALUES ({', '.join('?' * len(SIGNATURE_COLUMNS))})", rows)
        conn.executemany("INSERT INTO print_jobs (signature_id, status, attempts, printer, created_at, updated_at,"
                         " printed_at) VALUES (?, ?, ?, ?, ?, ?, ?)", jobs)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def kiosk_files(folder: Path, files: int, letters: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"stall-{i:02d}.db" for i in range(files)]
    for i, path in enumerate(paths):
        kiosk_file(path, i, letters)
    return paths


def empty_target(path: Path) -> Path:
    """A new kiosk database to merge into (as ``kiosk merge --db`` makes one)."""
    Store(path).close()
    return path


def by_kiosk(target: Path, sources: list[Path]) -> float:
    start = time.perf_counter()
    with open_records(target, create=True) as records:
        records.merge(sources)
    return time.perf_counter() - start


def by_sqlite(target: Path, sources: list[Path]) -> float:
    """The least a merge can do: each file attached, its signatures and print jobs inserted unless there
    (a transaction each: SQLite detaches a file only outside one)."""
    start = time.perf_counter()
    conn = sqlite3.connect(target, isolation_level=None)
    for source in sources:
        conn.execute("ATTACH DATABASE ? AS src", [str(source)])
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT OR IGNORE INTO signatures SELECT * FROM src.signatures")
        conn.execute("INSERT OR IGNORE INTO print_jobs (signature_id, status, attempts, printer, last_error,"
                     " created_at, updated_at, printed_at, held_reason, decision, decided_at)"
                     " SELECT signature_id, status, attempts, printer, last_error, created_at, updated_at, printed_at,"
                     " held_reason, decision, decided_at FROM src.print_jobs")
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE src")
    conn.close()
    return time.perf_counter() - start


def merge(letters: int, *, files: int = FILES, runs: int = 2) -> list[Row]:
    with tempfile.TemporaryDirectory(dir=ROOT) as tmp:  # the disk a kiosk would use
        folder = Path(tmp)
        return measure(kiosk_files(folder / "stalls", files, letters), folder, letters, runs)


def measure(sources: list[Path], folder: Path, letters: int, runs: int) -> list[Row]:
    """Merge into a new database (``runs`` pairs), then again into the merged one (a re-merge, at least 3
    pairs); each pair's first side alternates, so neither always meets the other's warm cache."""
    first_kiosk: list[float] = []
    first_plain: list[float] = []
    for run in range(runs):
        plain_first = run % 2 and by_sqlite(empty_target(folder / f"plain-{run}.db"), sources)
        first_kiosk.append(by_kiosk(folder / f"kiosk-{run}.db", sources))
        first_plain.append(plain_first or by_sqlite(empty_target(folder / f"plain-{run}.db"), sources))
        if run:  # one merged file of each is enough for the re-merges
            for path in (folder / f"kiosk-{run}.db", folder / f"plain-{run}.db"):
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
    merged, plain = folder / "kiosk-0.db", folder / "plain-0.db"
    again_kiosk: list[float] = []
    again_plain: list[float] = []
    for run in range(max(runs, 3)):
        plain_first = run % 2 and by_sqlite(plain, sources)
        again_kiosk.append(by_kiosk(merged, sources))
        again_plain.append(plain_first or by_sqlite(plain, sources))
    with Store(merged, create=False, readonly=True) as store:
        assert store.total() == len(sources) * letters, "the merge lost or doubled letters"
    size = f"{len(sources)} files x {letters:,} letters"
    return [
        compare(f"Merge, {size}, vs ATTACH + INSERT OR IGNORE", first_kiosk, first_plain, target=TARGET,
                what=f"{runs} interleaved pairs"),
        compare(f"Re-merge (adds nothing), {size}, vs the same", again_kiosk, again_plain, target=TARGET,
                what=f"{len(again_kiosk)} interleaved pairs"),
    ]


if __name__ == "__main__":
    import sys

    for row in merge(int(sys.argv[1]) if len(sys.argv) > 1 else 2000,
                     files=int(sys.argv[2]) if len(sys.argv) > 2 else FILES):
        print(f"{row.name}: {row.figure} [{row.target} {row.verdict}]")
