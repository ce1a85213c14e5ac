"""Durable record: signatures per second through the kiosk's store, against a plain sqlite3
loop of INSERT and COMMIT with the same PRAGMAs (WAL, synchronous=FULL, foreign keys).

Measured twice, each in a process of its own: on this machine's disk as it is, and on the same
disk with every sync made 1 ms longer, as a laptop's SSD takes to flush (``slow_sync.c``,
loaded with LD_PRELOAD; it also counts the syncs, so the row shows one sync a letter). Without
a C compiler the second is left out. ``python -m benchmarks.record COUNT ROUNDS FOLDER`` is
the measuring process: it prints its figures as JSON."""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from .common import CASES, ROOT, Row, compare, median

TARGET = 0.8
LAPTOP_SYNC_US = 1000  # a laptop SSD's flush: about 1 ms (NVMe 0.5-2 ms, SATA 1-5 ms, a USB stick 10 ms and more)
SHIM = Path(__file__).with_name("slow_sync.c")
PRAGMAS = ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON")


def _syncs() -> int | None:
    """The syncs this process made so far, when slow_sync is loaded."""
    preload = os.environ.get("LD_PRELOAD", "")
    if not preload.endswith("slow_sync.so"):
        return None
    return int(ctypes.CDLL(preload).kiosk_bench_syncs())


CHUNK = 25  # records a side takes before the other side's turn: both meet the same moments of a noisy disk


def _kiosk_writer(path: Path) -> tuple[Callable[[int], None], Callable[[], None]]:
    from kiosk.cases import read_dir
    from kiosk.store import Store

    case = read_dir(CASES).cases["lawyer-amara-osei"]
    store = Store(path)

    def write(i: int) -> None:
        store.record(case=case, kind="appeal", name=f"Visitor {i}", message="Stay strong.", event="Bench",
                     kiosk_id="bench")

    return write, store.close


def _plain_writer(path: Path, synchronous: str = "FULL") -> tuple[Callable[[int], None], Callable[[], None]]:
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in (*PRAGMAS, f"synchronous={synchronous}"):
        conn.execute(f"PRAGMA {pragma}")
    conn.execute("CREATE TABLE signatures (id TEXT PRIMARY KEY, number INTEGER, case_id TEXT, kind TEXT, name TEXT,"
                 " message TEXT, created_at TEXT, local_time TEXT, event TEXT, kiosk_id TEXT)")

    def write(i: int) -> None:
        conn.execute("BEGIN")
        conn.execute("INSERT INTO signatures VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     [str(uuid.uuid4()), i, "lawyer-amara-osei", "appeal", f"Visitor {i}", "Stay strong.",
                      "2026-11-25T10:00:00Z", "2026-11-25T11:00:00+01:00", "Bench", "bench"])
        conn.execute("COMMIT")

    return write, conn.close


def measure(count: int, rounds: int, folder: Path) -> dict[str, object]:
    """Per round, on fresh files: ``count`` letters through the kiosk's store, as many plain
    INSERTs, and as many without a sync (what a sync costs on this disk is the difference),
    taking turns every CHUNK letters; letters per second of each, and the syncs each made."""
    rates: dict[str, list[float]] = {"kiosk": [], "plain": [], "unsynced": []}
    syncs = {"kiosk": 0, "plain": 0}
    for round_ in range(rounds):
        writers = {"kiosk": _kiosk_writer(folder / f"kiosk{round_}.db"),
                   "plain": _plain_writer(folder / f"plain{round_}.db"),
                   "unsynced": _plain_writer(folder / f"unsynced{round_}.db", "OFF")}
        spent = dict.fromkeys(writers, 0.0)
        for first in range(0, count, CHUNK):
            for side, (write, _) in writers.items():
                before, start = _syncs(), time.perf_counter()
                for i in range(first, min(count, first + CHUNK)):
                    write(i)
                spent[side] += time.perf_counter() - start
                if side in syncs and before is not None:
                    syncs[side] += (_syncs() or 0) - before
        for side, (_, close) in writers.items():
            close()
            rates[side].append(count / spent[side])
    return {**rates, "kiosk_syncs": syncs["kiosk"] / (count * rounds),
            "plain_syncs": syncs["plain"] / (count * rounds)}


def _shim(folder: Path) -> Path | None:
    """slow_sync.so built for this machine; None without a C compiler."""
    compiler = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")
    if compiler is None or not sys.platform.startswith("linux"):
        return None
    built = folder / "slow_sync.so"
    done = subprocess.run([compiler, "-shared", "-fPIC", "-O2", "-o", str(built), str(SHIM), "-ldl"],
                          capture_output=True)
    return built if done.returncode == 0 else None


def _run(count: int, rounds: int, folder: Path, shim: Path | None, delay_us: int) -> dict[str, object]:
    env = dict(os.environ)
    if shim is not None:
        env["LD_PRELOAD"] = str(shim)
        env["KIOSK_BENCH_SYNC_DELAY_US"] = str(delay_us)
    out = subprocess.run([sys.executable, "-m", "benchmarks.record", str(count), str(rounds), str(folder)],
                         cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    figures: dict[str, object] = json.loads(out)
    return figures


def durable_record(count: int, rounds: int | None = None) -> list[Row]:
    rounds = rounds or (5 if count >= 1000 else 3)  # the quick size stays quick
    rows = []
    with tempfile.TemporaryDirectory(dir=ROOT) as tmp:  # the disk a kiosk would use
        shim = _shim(Path(tmp))
        for delay in (0, LAPTOP_SYNC_US):
            if delay and shim is None:
                rows.append(Row(f"Durable record, {count:,} signatures, a sync 1 ms longer", "no C compiler here",
                                f">= x{TARGET}", None))
                continue
            folder = Path(tmp) / f"delay{delay}"
            folder.mkdir()
            got = _run(count, rounds, folder, shim, delay)
            kiosk, plain = list(got["kiosk"]), list(got["plain"])  # type: ignore[call-overload]
            unsynced = list(got["unsynced"])  # type: ignore[call-overload]
            sync_ms = median([max(0.0, 1000 / p - 1000 / u) for p, u in zip(plain, unsynced, strict=True)])
            syncs = (f", {got['kiosk_syncs']:.2f} syncs a letter vs {got['plain_syncs']:.2f}"
                     if shim is not None else "")
            where = (f"this machine's disk (a sync: {sync_ms:.2f} ms)" if not delay
                     else f"every sync 1 ms longer, as a laptop's (a sync: {sync_ms:.2f} ms)")
            row = compare(f"Durable record, {count:,} signatures, {where}{syncs}", kiosk, plain, target=TARGET,
                          unit="/s", higher_is_better=True, what=f"{rounds} interleaved rounds")
            # the target is a laptop's (BENCHMARKS.md says why): on this machine's own disk it is reported
            rows.append(row if delay or shim is None else Row(row.name, row.figure, "-", None))
    return rows


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]))))
