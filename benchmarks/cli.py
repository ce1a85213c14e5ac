"""The command line as a whole process: ``kiosk export counts`` and ``kiosk --help`` against a
ten-line Python script that runs the same SQL with the standard sqlite3 module and prints it
(an organiser's scripts call the command line in loops: what it costs beyond its query is
its imports).

The SQL is the store's own statement, taken from its trace as benchmarks/export.py does.
Both sides run as fresh processes, interleaved (the order alternating), with their bytecode
written first (this machine sets PYTHONDONTWRITEBYTECODE: it is unset for every run here),
and with a settings folder of their own, empty.
"""

from __future__ import annotations

import compileall
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from kiosk.store import Store

from .common import ROOT, Row, compare
from .export import fill

TARGET = 1.3
SCRIPT = '''import csv
import sqlite3
import sys

SQL = {sql!r}
conn = sqlite3.connect(sys.argv[1])
writer = csv.writer(sys.stdout)
writer.writerows(conn.execute(SQL))
conn.close()
'''
GROUPINGS = (None, "case,day")  # None: the default grouping (--by case)


def _kiosk() -> list[str]:
    """The installed ``kiosk`` command beside this Python, as an organiser's script calls it."""
    script = Path(sys.executable).with_name("kiosk")
    return [sys.executable, str(script)] if script.is_file() else [sys.executable, "-m", "kiosk"]


def _sql(db: Path, by: list[str]) -> str:
    queries: list[str] = []
    with Store(db, create=False) as store:
        store.db.conn.set_trace_callback(queries.append)
        store.counts(by)
        store.db.conn.set_trace_callback(None)
    return next(q for q in queries if "GROUP BY" in q)  # the statement the store ran


def _time(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _pairs(kiosk: list[str], reference: list[str], env: dict[str, str], runs: int) -> tuple[list[float], list[float]]:
    _time(kiosk, env), _time(reference, env)  # bytecode written, the files in the page cache
    ours, theirs = [], []
    for i in range(runs):  # interleaved, the order alternating, so that a busy moment hits both
        if i % 2:
            theirs.append(_time(reference, env))
            ours.append(_time(kiosk, env))
        else:
            ours.append(_time(kiosk, env))
            theirs.append(_time(reference, env))
    return ours, theirs


def cli_overhead(sizes: tuple[int, ...], runs: int) -> list[Row]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    compileall.compile_dir(ROOT / "kiosk", quiet=1)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(dir=ROOT) as tmp:  # the disk a kiosk would use
        folder = Path(tmp)
        env |= {"KIOSK_CONFIG_DIR": str(folder / "config"), "KIOSK_DATA_DIR": str(folder / "data")}
        first_script = None
        for count in sizes:
            db = folder / f"{count}.db"
            fill(db, count)
            for by in GROUPINGS:
                script = folder / f"ten-lines-{count}-{by or 'default'}.py"
                script.write_text(SCRIPT.format(sql=_sql(db, (by or "case").split(","))), encoding="utf-8")
                first_script = first_script or [sys.executable, str(script), str(db)]
                command = ["export", "counts", *(["--by", by] if by else []), "--db", str(db)]
                ours, theirs = _pairs([*_kiosk(), *command], [sys.executable, str(script), str(db)], env, runs)
                shown = f"--by {by}" if by else "(default: --by case)"
                rows.append(compare(f"`kiosk export counts {shown}`, {count:,} signatures, whole process, vs a"
                                    " ten-line sqlite3 script", ours, theirs, target=TARGET))
        assert first_script is not None
        fill(folder / "one.db", 0)  # one letter: what is left is the start, the query costs nothing
        script = folder / "ten-lines-one.py"
        script.write_text(SCRIPT.format(sql=_sql(folder / "one.db", ["case"])), encoding="utf-8")
        ours, theirs = _pairs([*_kiosk(), "export", "counts", "--db", str(folder / "one.db")],
                              [sys.executable, str(script), str(folder / "one.db")], env, runs)
        fixed = compare("`kiosk export counts` vs the ten-line script, one signature (the start alone)", ours, theirs,
                        target=TARGET)
        rows.append(replace(fixed, target="-", met=None))
        ours, theirs = _pairs([*_kiosk(), "--help"], first_script, env, runs)
        rows.append(compare(f"`kiosk --help` vs the ten-line script at {sizes[0]:,} signatures", ours, theirs,
                            target=TARGET))
        ours, bare = _pairs([*_kiosk(), "--help"], [sys.executable, "-c", "pass"], env, runs)
        info = compare("`kiosk --help` vs `python -c pass`", ours, bare, target=TARGET)
        rows.append(replace(info, target="-", met=None))
    return rows


if __name__ == "__main__":  # python -m benchmarks.cli [SIGNATURES ...]: these rows only
    for row in cli_overhead(tuple(int(a) for a in sys.argv[1:]) or (100_000,), int(os.environ.get("RUNS", "9"))):
        print(f"{row.name}: {row.figure} [{row.target}: {row.verdict}]")
