"""`kiosk counter`: the read-only counter facing the crowd, beside a kiosk that writes.

The counter is driven with Textual's Pilot beside a kiosk in a process of its own
(tests/helpers/kiosk_writer.py) that starts after it, signs, quits and starts again; the
database is checked never to be written, made or held back by it; the national total comes from
a fake office on loopback, and an office that fails is said in one discreet line.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading

import pytest
from click.testing import CliRunner

from kiosk.application.counter import Counter
from kiosk.cli import cli
from kiosk.settings import Settings
from kiosk.sync.client import Client, SyncError
from kiosk.ui.counter import CounterApp, build_counter
from tests.helpers import CASES, ROOT
from tests.helpers.fake_hq import FakeHQ, running
from tests.helpers.kiosk_app import NOON, make_station, screen_text

SIZE = (80, 24)
WAITING = "Waiting for the kiosk's database…"


def counter_for(tmp_path, *, clock=lambda: NOON, all_kiosks=False, **settings) -> Counter:
    values = {"database": tmp_path / "kiosk.db", "event": "Test Fest", "kiosk_id": "stall-1", **settings}
    return Counter(Settings(**values), clock=clock, all_kiosks=all_kiosks)


def signed(tmp_path, n: int, **settings):
    """A kiosk that signed ``n`` letters, closed again (no -wal or -shm left beside its file)."""
    station = make_station(tmp_path, cases=CASES, print_burst=1000, print_rate=100000, **settings)
    cases = [case.id for case in station.offered()]
    for i in range(n):
        station.record(cases[i % len(cases)], "appeal", f"Visitor {i}", f"Letter {i}")
    station.close()
    return station


def journals(path) -> list[str]:
    return [suffix for suffix in ("-wal", "-shm", "-journal") if os.path.exists(f"{path}{suffix}")]


async def until(pilot, condition, seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
        await pilot.pause()
    raise AssertionError("never happened:\n" + screen_text(pilot.app))


def shown_count(app: CounterApp) -> str:
    return app.query_one("#letters").value


class Writer:
    """The kiosk in a process of its own (tests/helpers/kiosk_writer.py)."""

    def __init__(self, folder) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "tests.helpers.kiosk_writer", str(folder)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
                                        env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert self.answer() == "ready"

    def answer(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.readline().strip()

    async def tell(self, command: str) -> str:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return await asyncio.to_thread(self.answer)

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.process.stdin.close()  # type: ignore[union-attr]
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# -- beside a kiosk that writes -----------------------------------------------------------------


async def test_the_counter_counts_up_beside_a_kiosk_that_starts_later_quits_and_starts_again(tmp_path):
    db = tmp_path / "kiosk.db"
    app = build_counter(counter_for(tmp_path), goal=10, poll_every=0.05)
    async with app.run_test(size=SIZE) as pilot:
        # no kiosk yet: 0, a discreet line, and the counter makes no database of its own
        await until(pilot, lambda: WAITING in screen_text(app))
        await asyncio.sleep(0.2)
        assert shown_count(app) == "0" and not db.exists() and journals(db) == []
        writer = await asyncio.to_thread(Writer, tmp_path)
        try:
            await until(pilot, lambda: WAITING not in screen_text(app))
            assert await writer.tell("sign 3") == "signed 3"
            await until(pilot, lambda: shown_count(app) == "3")
            await until(pilot, lambda: "Jailed for a poem" in screen_text(app))  # the layout follows a frame later
            shown = screen_text(app)
            assert "Letters written today" in shown and "Our goal: 10 letters" in shown
            assert "Test Fest · stall-1 · 24 November 2026" in shown
            assert "Jailed for a poem" in shown  # a bar for each case, by the title the database keeps

            # the kiosk quits (while the counter does not look: a kiosk that quits while a reader reads
            # leaves its -wal for the next to open), then the counter reads its file without a trace
            app.poll_timer.pause()
            await until(pilot, lambda: not app._reading)
            assert await writer.tell("close") == "closed"
            assert journals(db) == []
            app.poll_timer.resume()
            stamp = db.stat().st_mtime_ns, db.read_bytes()
            await asyncio.sleep(0.3)  # several looks
            assert journals(db) == [] and (db.stat().st_mtime_ns, db.read_bytes()) == stamp
            assert shown_count(app) == "3" and WAITING not in screen_text(app)

            # ... and starts again: the counter goes on counting
            assert await writer.tell("open") == "opened"
            assert await writer.tell("sign 7") == "signed 10"
            await until(pilot, lambda: shown_count(app) == "10")
            await until(pilot, lambda: "Goal reached: thank you!" in screen_text(app))
        finally:
            writer.stop()
        await pilot.press("q")
    assert app.return_code == 0


def test_the_counter_never_holds_the_kiosk_back(tmp_path):
    """While the counter reads in a loop, a writer that will not wait a moment commits every time; and
    between readings no snapshot is held: the kiosk's checkpoint of its -wal completes."""
    station = signed(tmp_path, 3)
    counter = counter_for(tmp_path)
    kiosk = sqlite3.connect(station.settings.database, timeout=0)  # the kiosk, never waiting for a lock
    kiosk.execute("CREATE TABLE probe (n INTEGER)")
    kiosk.commit()
    stop, readings = threading.Event(), []

    def read() -> None:
        while not stop.is_set():
            readings.append(counter.read().letters)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for n in range(100):
            kiosk.execute("INSERT INTO probe VALUES (?)", [n])
            kiosk.commit()  # sqlite3.OperationalError (database is locked) if the counter held a lock
    finally:
        stop.set()
        reader.join()
    assert readings and set(readings) == {3}
    assert counter_for(tmp_path).read().letters == 3
    busy, _, _ = kiosk.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    assert busy == 0  # nothing of the counter's holds the -wal open
    kiosk.close()


def test_a_missing_replaced_or_unreadable_database_is_waited_for(tmp_path):
    db = tmp_path / "kiosk.db"
    counter = counter_for(tmp_path)
    reading = counter.poll()
    assert reading is not None and reading.waiting and reading.tally.letters == 0
    assert counter.poll() is None  # nothing changed: nothing read again
    assert not db.exists() and journals(db) == []

    signed(tmp_path, 4)
    reading = counter.poll()
    assert reading is not None and not reading.waiting and reading.tally.letters == 4
    assert counter.poll() is None

    # replaced by another kiosk's file (a copy put in its place): the new file is counted
    other = tmp_path / "other"
    other.mkdir()
    signed(other, 2)
    os.replace(other / "kiosk.db", db)
    reading = counter.poll()
    assert reading is not None and reading.tally.letters == 2

    # replaced by something that is no database: once is a moment, twice is said; never an error
    db.write_bytes(b"not a database, yet" * 100)
    assert counter.poll() is None
    db.write_bytes(b"still not a database" * 100)
    reading = counter.poll()
    assert reading is not None and reading.waiting and reading.tally is None


def test_an_older_kiosks_file_is_read_as_it_is(tmp_path):
    """A file an older kiosk wrote (still running, perhaps) is never migrated or touched by the counter."""
    from tests.helpers.old_files import database_before

    db = tmp_path / "kiosk.db"
    database_before(db, "0008_honest_counts", rows=3, case_id="old-case", status="printed")
    before = db.read_bytes()
    day = dt.datetime(2026, 6, 2, 12, 0).astimezone()
    counter = counter_for(tmp_path, clock=lambda: day, all_kiosks=True)
    counter.check()
    reading = counter.poll()
    assert reading is not None and reading.tally.letters == 1
    assert reading.tally.cases[0].title == "old-case"  # no title kept then: its id
    assert db.read_bytes() == before and journals(db) == []


def test_the_stalls_day_and_kiosk_are_counted(tmp_path):
    signed(tmp_path, 3)
    signed(tmp_path, 2, kiosk_id="stall-2")
    moment = [NOON]
    counter = counter_for(tmp_path, clock=lambda: moment[0])
    assert counter.poll().tally.letters == 3
    assert counter_for(tmp_path, all_kiosks=True).read().letters == 5
    moment[0] = NOON + dt.timedelta(days=1)  # midnight passed: a new day, nothing written yet
    reading = counter.poll()
    assert reading is not None and reading.tally.letters == 0 and reading.tally.day == NOON.date() + dt.timedelta(1)


async def test_a_case_title_is_shown_as_text_never_markup(tmp_path):
    cases = tmp_path / "cases"
    shutil.copytree(CASES, cases)
    path = cases / "lawyer-amara-osei.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('title = "Lawyer harassed for defending her clients"',
                                 'title = "[b]Free[/b] [red]Amara[/]"', 1), encoding="utf-8")
    station = make_station(tmp_path, cases=cases)
    station.record("lawyer-amara-osei", "appeal", "Ada", "")
    station.close()
    app = build_counter(counter_for(tmp_path), poll_every=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "[b]Free[/b] [red]Amara[/]" in screen_text(app))
        assert shown_count(app) == "1"


# -- the national total ----------------------------------------------------------------------------


async def test_the_national_total_comes_from_the_office_and_a_failing_office_is_said_discreetly(tmp_path):
    signed(tmp_path, 2)
    hq = FakeHQ()
    hq.counts = {"total": 1234, "figures": {"count": 1234, "paper": 0, "duplicates": 0, "signers": 1234}}
    with running(hq):
        app = build_counter(counter_for(tmp_path, sync_url=hq.url), poll_every=0.05, national_every=0.1)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: "1,234 letters written across the country" in screen_text(app))
            hq.fault = "500"
            await until(pilot, lambda: "The national total could not be updated just now." in screen_text(app))
            assert "1,234 letters written across the country" in screen_text(app)  # the last total stands
            assert shown_count(app) == "2"
            hq.fault = None
            hq.counts = {"figures": {"count": 1300}}
            await until(pilot, lambda: "1,300 letters" in screen_text(app)
                        and "could not be updated" not in screen_text(app))
    assert any(request.startswith("GET /api/v1/counts") for request in hq.requests)


async def test_an_unreachable_office_is_one_discreet_line(tmp_path):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = build_counter(counter_for(tmp_path, sync_url=f"http://127.0.0.1:{port}"), poll_every=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "The national total could not be updated just now." in screen_text(app))
        assert "across the country" not in screen_text(app) and shown_count(app) == "0"


@pytest.mark.parametrize("answer", [
    {"figures": {"count": True}}, {"figures": {"count": "12"}}, {"figures": {"count": -1}},
    {"figures": {"count": 1.5}}, {"figures": {"count": 10**16}}, {"figures": [1]}, {"total": 3}, [1, 2],
])
def test_an_office_answer_that_is_no_total_is_refused(answer):
    hq = FakeHQ()
    hq.counts = answer
    with running(hq), Client(hq.url, "") as client, pytest.raises(SyncError):
        client.national_total()


# -- the command ---------------------------------------------------------------------------------


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_kiosk_counter_starts_in_the_stalls_language_and_q_quits(tmp_path, monkeypatch):
    signed(tmp_path, 3)
    seen = {}
    original = CounterApp.run

    def headless_run(self, **kwargs):
        async def auto_pilot(pilot):
            await until(pilot, lambda: shown_count(pilot.app) == "3" and "Notre objectif" in screen_text(pilot.app))
            seen["shown"] = screen_text(pilot.app)
            await pilot.press("q")

        return original(self, headless=True, size=SIZE, auto_pilot=auto_pilot)

    monkeypatch.setattr(CounterApp, "run", headless_run)
    monkeypatch.setattr("kiosk.application.counter._now", lambda: NOON)  # the test's letters are of its day
    result = run("counter", "--db", str(tmp_path / "kiosk.db"), "--kiosk-id", "stall-1", "--lang", "fr",
                 "--goal", "500")
    assert result.exit_code == 0, result.output
    assert "Lettres écrites aujourd'hui" in seen["shown"] and "Notre objectif : 500 lettres" in seen["shown"]


def test_a_file_that_is_no_kiosk_database_is_one_line(tmp_path, monkeypatch):
    def started(self, **kwargs):
        raise AssertionError("the counter started on a file that is no kiosk database")

    monkeypatch.setattr(CounterApp, "run", started)
    text = tmp_path / "stall.toml"
    text.write_text("event = 'x'\n", encoding="utf-8")
    result = run("counter", "--db", str(text))
    assert result.exit_code == 1 and "stall.toml" in result.output and "not a kiosk database" in result.output
    assert "Traceback" not in result.output and journals(text) == []
    result = run("counter", "--db", str(tmp_path))
    assert result.exit_code == 1 and "folder" in result.output
    assert run("counter", "--goal", "0").exit_code == 2
