"""Streams, not lists: ``kiosk export signatures`` and ``kiosk report`` over a million letters.

- ``kiosk export signatures`` as a whole process (start, query, CSV written to a file) against
  the ``sqlite3`` shell's ``-csv`` output of the very rows the export selects, in interleaved
  pairs: time, and peak resident memory of the whole process (``RUSAGE_CHILDREN``'s
  ``ru_maxrss``, measured in a fresh child each time so that one run's peak does not hide the
  next). Skipped, with a note, when the ``sqlite3`` shell is not installed.
- ``kiosk report`` as a whole process: its seconds against the 2 s target, and against the
  plain SQL GROUP BY it runs (the store's statements, traced, run in plain sqlite3).
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from .common import ROOT, Row, compare, median

MEMORY_TARGET = 100.0  # MB, the whole process
TIME_TARGET = 1.5  # x the sqlite3 shell's CSV
REPORT_TARGET = 2.0  # seconds
CASES = ["lawyer-amara-osei", "prisoner-ilya-voronin", "journalist-lina-haddad", "defender-tomas-quispe"]
LANGUAGES = ["en", "es", "fr", "pl", "ar"]


def fill(path: Path, count: int) -> None:
    """``count`` letters over 3 days, 4 cases, 2 kiosks, as a real event spreads them: each with
    a name, a short message, a print job, the visitor's language and a signer (one writer in
    ten writes twice for the same case: a likely duplicate), one in five answered to being
    contacted."""
    from kiosk.store import Store

    with Store(path) as store:
        store.record(case_id=CASES[0], kind="appeal", name="x", message="", event="Fest", kiosk_id="k1")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")  # a scratch file: filled fast, nothing to survive
    conn.execute("PRAGMA cache_size=-262144")
    rng = random.Random(1)
    text_id = "0" * 64
    with conn:
        conn.executemany("INSERT OR IGNORE INTO cases (id, title) VALUES (?, ?)", [[c, c.title()] for c in CASES])
        conn.execute("INSERT INTO consent_texts (id, language, version, controller, lawful_basis, privacy_url,"
                     " question, statement, notice, first_shown_at) VALUES (?, 'en', '1', 'Us', 'consent',"
                     " 'https://example.org', 'Q?', 'S.', 'N.', '2026-11-20T08:00:00Z')", [text_id])
    start = dt.datetime(2026, 11, 20, 9, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    batch = 100_000
    for first in range(0, count, batch):
        rows, jobs, consents = [], [], []
        for i in range(first, min(first + batch, count)):
            at = start + dt.timedelta(days=rng.randrange(3), seconds=rng.randrange(12 * 3600))
            sid = str(uuid.UUID(int=rng.getrandbits(128)))
            created = at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            writer = i if rng.random() < 0.9 else rng.randrange(max(i, 1))
            signer = f"0123abcd:{writer:064x}"
            rows.append((sid, i // 2 + 2, rng.choice(CASES), rng.choice(("appeal", "postcard")), f"Visitor {writer}",
                         "Free them now." if i % 3 else "", created, at.isoformat(timespec="microseconds"), "Fest",
                         "k1" if i % 2 else "k2", rng.choice(LANGUAGES), "en", signer))
            jobs.append((sid, "printed", created, created))
            if i % 5 == 0:
                yes = i % 10 == 0
                consents.append((str(uuid.UUID(int=rng.getrandbits(128))), sid, "yes" if yes else "no",
                                 f"v{writer}@example.org" if yes else None, text_id, created,
                                 at.isoformat(timespec="microseconds")))
        with conn:
            conn.executemany("INSERT INTO signatures (id, number, case_id, kind, name, message, created_at,"
                             " local_time, event, kiosk_id, language, letter_language, signer)"
                             " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            conn.executemany("INSERT INTO print_jobs (signature_id, status, created_at, updated_at)"
                             " VALUES (?, ?, ?, ?)", jobs)
            conn.executemany("INSERT INTO consents (id, signature_id, channel, choice, email, text_id, language,"
                             " created_at, local_time) VALUES (?, ?, 'email', ?, ?, ?, 'en', ?, ?)", consents)
    with conn:
        conn.execute("DELETE FROM outbox")  # a merged head-office file: nothing waits to be sent
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


CHILD = """import resource, subprocess, sys, time
with open(sys.argv[1], "wb") as out:
    started = time.perf_counter()
    code = subprocess.run(sys.argv[2:], stdout=out, stderr=subprocess.DEVNULL).returncode
    took = time.perf_counter() - started
print(code, took, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
"""


def measured(command: list[str], out: Path) -> tuple[float, float]:
    """Run ``command`` (its standard output into ``out``) in a fresh child: (seconds, peak resident MB of the
    whole process, RUSAGE_CHILDREN's ru_maxrss of that child alone)."""
    done = subprocess.run([sys.executable, "-c", CHILD, str(out), *command], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    code, took, peak = done.stdout.split()
    if code != "0":
        raise RuntimeError(f"{' '.join(command[:4])}: exit {code}")
    return float(took), float(peak)


def _store_sql(db: Path, run) -> list[str]:
    """The statements the store runs for ``run(store)``, as traced."""
    from kiosk.store import Store

    queries: list[str] = []
    with Store(db, create=False, readonly=True) as store:
        store.db.conn.set_trace_callback(queries.append)
        run(store)
        store.db.conn.set_trace_callback(None)
    return queries


def _first_row(store) -> None:
    rows = store.export_table()
    next(rows, None)
    rows.close()


def streams(count: int, pairs: int = 3) -> list[Row]:
    rows: list[Row] = []
    kiosk = [sys.executable, "-m", "kiosk"]
    with tempfile.TemporaryDirectory(dir=ROOT) as tmp:  # the disk a kiosk would use
        db = Path(tmp) / "letters.db"
        fill(db, count)
        shell = shutil.which("sqlite3")
        sql = next(q for q in _store_sql(db, _first_row) if "likely_duplicate" in q)
        times, memory, ref_times, ref_memory = [], [], [], []
        for _ in range(pairs):
            took, peak = measured([*kiosk, "export", "signatures", "--db", str(db), "-o", str(Path(tmp) / "s.csv")],
                                  Path(tmp) / "stdout")
            times.append(took)
            memory.append(peak)
            if shell:
                took, peak = measured([shell, "-csv", "-header", str(db), sql], Path(tmp) / "shell.csv")
                ref_times.append(took)
                ref_memory.append(peak)
        what = f"`kiosk export signatures -o FILE`, {count:,} letters, whole process"
        rows.append(Row(f"{what}: peak memory (max of {pairs})", f"{max(memory):.0f} MB"
                        + (f" (the sqlite3 shell: {max(ref_memory):.0f} MB)" if ref_memory else ""),
                        f"<= {MEMORY_TARGET:.0f} MB", max(memory) <= MEMORY_TARGET))
        if shell:
            rows.append(compare(f"{what} vs `sqlite3 -csv` of the same rows", times, ref_times, target=TIME_TARGET))
        else:
            rows.append(Row(f"{what} vs `sqlite3 -csv` of the same rows",
                            f"{median(times):.2f} s; not compared: no sqlite3 shell (apt-get install sqlite3)",
                            f"<= x{TIME_TARGET}", None))
        group_by = ("SELECT s.case_id, s.kind, s.event, s.kiosk_id, substr(s.local_time, 1, 10),"
                    " substr(s.local_time, 1, 13), COUNT(*), SUM(s.signer IS NULL) FROM signatures s GROUP BY 1, 2, 3,"
                    " 4, 5, 6")
        times, ref_times = [], []
        for _ in range(pairs):
            times.append(measured([*kiosk, "report", "--db", str(db)], Path(tmp) / "report.txt")[0])
            if shell:
                ref_times.append(measured([shell, str(db), group_by], Path(tmp) / "group.txt")[0])
        figure = f"{median(times):.2f} s (median of {pairs}; {min(times):.2f}-{max(times):.2f} s)"
        if shell:
            plain = compare("", times, ref_times, target=REPORT_TARGET).figure
            figure += f"; against the sqlite3 shell's plain GROUP BY of its table: {plain}"
        rows.append(Row(f"`kiosk report`, {count:,} letters, whole process", figure, f"<= {REPORT_TARGET:.0f} s",
                        median(times) <= REPORT_TARGET))
    return rows
