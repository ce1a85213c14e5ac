"""Proofs that sync counts every letter exactly once, end to end: kiosks recording letters in
their own SQLite files, the office's real service (uvicorn, Starlette, psycopg's pool) and a
real PostgreSQL, with the faults a weekend of stalls meets: connections cut while a batch is
sent or its answer comes back, a service that hangs, is killed and restarted, PostgreSQL
restarted, a kiosk killed with SIGKILL while it syncs, a revoked token, and the same letter
sent again with other content. After each: the office's count equals the kiosks' sum, no
letter is lost or counted twice, and every conflict is shown on both sides.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from kiosk.cli import cli
from kiosk.store import Store
from kiosk.sync.client import Client
from tests.helpers import CASES, sizes
from tests.helpers.fault_proxy import FaultProxy
from tests.helpers.kiosk_app import make_station
from tests.helpers.postgres import ServiceProcess, free_port

LETTER_KINDS = ("appeal", "postcard")


def kiosk(tmp: Path, kiosk_id: str, url: str, token: str, letters: int, *, paper: int = 0, **settings):
    """A stall's station with ``letters`` letters recorded, set to sync to ``url``; and ``paper``
    entries of handwritten letters, every other one corrected."""
    folder = tmp / kiosk_id
    folder.mkdir()
    station = make_station(folder, cases=CASES, kiosk_id=kiosk_id, sync_url=url, sync_token=token,
                           sync_interval=5.0, **settings)
    offered = [case.id for case in station.offered()]
    for n in range(letters):
        station.record(offered[n % len(offered)], LETTER_KINDS[n % 2], f"Visitor {n}", f"Message {n}")
    for n in range(paper):
        entry = station.add_paper(offered[n % len(offered)], LETTER_KINDS[n % 2], 10 + n, f"Box {n}")
        if n % 2 == 0:
            station.correct_paper(entry.id, 7 + n)
    return station


def letters_in(station) -> int:
    with Store(station.settings.database, create=False) as store:
        return store.db.execute("SELECT count(*) FROM signatures").fetchone()[0]


def paper_in(station) -> tuple[int, int]:
    """A kiosk's paper letters entries (corrections included) and the letters they add up to."""
    with Store(station.settings.database, create=False) as store:
        return tuple(store.db.execute("SELECT count(*), COALESCE(sum(count), 0) FROM paper_letters").fetchone())


def office_paper(dsn: str, kiosk_id: str) -> tuple[int, int]:
    with psycopg.connect(dsn) as conn:
        return tuple(conn.execute("SELECT count(*), COALESCE(sum(count), 0) FROM paper_letters WHERE kiosk_id = %s",
                                  [kiosk_id]).fetchone())


def office_count(dsn: str, kiosk_id: str | None = None) -> int:
    with psycopg.connect(dsn) as conn:
        sql, args = "SELECT count(*) FROM signatures", []
        if kiosk_id is not None:
            sql, args = sql + " WHERE kiosk_id = %s", [kiosk_id]
        return conn.execute(sql, args).fetchone()[0]


def sync_until_done(station, *, client_factory=None, rounds: int = 200, pause: float = 0.0, on_round=None) -> list:
    """Sync again and again (as the app's worker does, without its waits) until every row of this
    kiosk is answered; the reports."""
    reports = []
    sync = station.sync()
    for i in range(rounds):
        if on_round is not None:
            on_round(i)
        client = client_factory() if client_factory else None
        try:
            report = sync.run(client=client)
        finally:
            if client is not None:
                client.close()
        reports.append(report)
        if report.error is None and report.waiting == 0:
            return reports
        time.sleep(pause)
    raise AssertionError(f"{station.settings.kiosk_id}: still {reports[-1].waiting} waiting: {reports[-1].error}")


def resend_everything(station) -> None:
    """Put every row back in the outbox, as a kiosk that lost its sync state would send them all again."""
    with Store(station.settings.database, create=False) as store:
        for kind, table in (("signature", "signatures"), ("consent", "consents"), ("consent_text", "consent_texts")):
            store.db.execute(f"INSERT OR REPLACE INTO outbox (kind, id, seq) SELECT '{kind}', id, 1000000 FROM {table}")
        store.db.conn.commit()


# -- many kiosks at once -------------------------------------------------------------------


KIOSKS = ((10, 200), (50, 2000))  # kiosks x letters: the default run, and --long (README's Guarantees)


@pytest.mark.parametrize("shape", sizes(*KIOSKS))
def test_many_kiosks_sync_concurrently_and_the_office_counts_each_letter_once(tmp_path, hq_service, shape, figure):
    kiosks, letters = shape
    stations = [kiosk(tmp_path, f"stall-{i:02}", hq_service.url, hq_service.token(f"stall-{i:02}"), letters)
                for i in range(kiosks)]
    with ThreadPoolExecutor(max_workers=kiosks) as pool:
        rounds = list(pool.map(sync_until_done, stations))
    local = {s.settings.kiosk_id: letters_in(s) for s in stations}
    assert sum(local.values()) == kiosks * letters
    assert office_count(hq_service.dsn) == sum(local.values())
    for kiosk_id, count in local.items():
        assert office_count(hq_service.dsn, kiosk_id) == count, kiosk_id
    new = sum(r.new for reports in rounds for r in reports)
    # a second sync sends nothing; every row sent again is a duplicate and changes no count
    assert all(s.sync().run().sent == 0 for s in stations)
    for s in stations[:3]:
        resend_everything(s)
        again = sync_until_done(s)
        assert sum(r.duplicate for r in again) == sum(r.sent for r in again) > 0
        assert sum(r.new + r.conflict + r.refused for r in again) == 0
    assert office_count(hq_service.dsn) == kiosks * letters
    result = CliRunner().invoke(cli, ["hq", "counts", "--dsn", hq_service.dsn, "--by", "kiosk", "--format", "json"])
    assert result.exit_code == 0, result.output
    figure(f"{kiosks} kiosks x {letters} letters synced concurrently: {new:,} rows new at the office,"
           f" office count {office_count(hq_service.dsn):,} = the kiosks' sum; a second sync sent 0;"
           f" 3 kiosks sent everything again: all duplicates, 0 counted twice")


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of 7 rows: each kiosk makes many requests, and meets many faults."""
    from kiosk.sync import run as sync_run

    monkeypatch.setattr(sync_run, "MAX_ROWS", 7)


# -- faults on the way -----------------------------------------------------------------------


FAULTS = (30, 400)  # connections with a fault drawn for each: the default run, and --long


@pytest.mark.parametrize("faults", sizes(*FAULTS))
def test_cut_connections_and_a_hanging_service_lose_nothing_and_count_nothing_twice(tmp_path, hq_service, faults,
                                                                                    small_batches, figure):
    """Connections cut while a batch goes out or its answer comes back (the office committed, the
    kiosk never heard), refused, or hanging until the kiosk gives up, in a random order."""
    import random

    rng = random.Random(faults)
    plan = [rng.choice(("cut_request", "cut_response", "refuse", "stall", "pass", "pass")) for _ in range(faults)]
    with FaultProxy(("127.0.0.1", hq_service.port), plan) as proxy:
        stations = [kiosk(tmp_path, f"k{i}", proxy.url, hq_service.token(f"k{i}"), 60 + 7 * i, paper=4)
                    for i in range(3)]
        with ThreadPoolExecutor(max_workers=3) as pool:
            list(pool.map(lambda s: sync_until_done(
                s, client_factory=lambda: Client(proxy.url, token_of(s), read_timeout=1.5, connect_timeout=1.0),
                rounds=2000), stations))
        met = dict(proxy.counts)
    total = sum(letters_in(s) for s in stations)
    assert office_count(hq_service.dsn) == total
    for s in stations:
        assert office_count(hq_service.dsn, s.settings.kiosk_id) == letters_in(s)
        assert office_paper(hq_service.dsn, s.settings.kiosk_id) == paper_in(s) == (6, 4 * 10 + 6 - 3 - 3)
    assert met.get("cut_response", 0) > 0 and met.get("cut_request", 0) > 0
    figure(f"{total} letters and 18 handwritten entries from 3 kiosks through {sum(met.values())} connections: "
           f"{met.get('cut_request', 0)} cut mid-batch, {met.get('cut_response', 0)} cut after the office committed,"
           f" {met.get('refuse', 0)} refused, {met.get('stall', 0)} hung; 0 lost, 0 counted twice")


def token_of(station) -> str:
    return station.settings.sync_token


# -- the service and PostgreSQL killed and restarted ------------------------------------------


HAVOC = (6, 60)  # the service killed and PostgreSQL restarted, in turn: the default run, and --long


@pytest.mark.parametrize("events", sizes(*HAVOC))
def test_the_service_killed_and_postgres_restarted_mid_sync_lose_nothing(tmp_path, hq_db, postgres, small_batches,
                                                                        events, figure):
    service = ServiceProcess(hq_db, free_port())
    service.start()
    from kiosk.hq.tokens import add_token

    url = f"http://127.0.0.1:{service.port}"
    letters = 40 * events
    stations = [kiosk(tmp_path, f"k{i}", url, add_token(hq_db, f"k{i}").secret, letters) for i in range(3)]
    kills = restarts = 0
    stop = threading.Event()

    def havoc() -> None:
        nonlocal kills, restarts
        n = 0
        while not stop.is_set() and n < events:
            time.sleep(0.15)
            if stop.is_set():
                return
            if n % 2 == 0:
                service.kill()
                kills += 1
                time.sleep(0.1)
                service.start()
            else:
                postgres.restart()
                restarts += 1
            n += 1

    chaos = threading.Thread(target=havoc, daemon=True)
    chaos.start()
    try:
        with ThreadPoolExecutor(max_workers=3) as pool:
            list(pool.map(lambda s: sync_until_done(
                s, client_factory=lambda: Client(url, token_of(s), read_timeout=3, connect_timeout=1), rounds=5000,
                pause=0.02, on_round=lambda i: stop.set() if i > 3000 else None), stations))
    finally:
        stop.set()
        chaos.join()
        postgres.start()
    try:
        total = sum(letters_in(s) for s in stations)
        assert office_count(hq_db) == total == 3 * letters
        assert kills > 0 and restarts > 0
    finally:
        service.kill()
    figure(f"{total} letters from 3 kiosks while the service was killed (SIGKILL) {kills} times and PostgreSQL"
           f" restarted {restarts} times: office count = the kiosks' sum, 0 lost, 0 counted twice")


def test_a_kiosk_killed_while_it_syncs_loses_nothing_and_counts_nothing_twice(tmp_path, hq_service, figure):
    station = kiosk(tmp_path, "k-kill", hq_service.url, hq_service.token("k-kill"), 2000)
    config = tmp_path / "stall.toml"
    config.write_text(f'event = "Test Fest"\nkiosk_id = "k-kill"\ndatabase = "{station.settings.database}"\n'
                      f'cases = "{CASES}"\nallow_sample_cases = true\n'
                      f'[sync]\nurl = "{hq_service.url}"\ntoken = "{station.settings.sync_token}"\n', encoding="utf-8")
    os.chmod(config, 0o600)
    kills, seen = 0, [0]
    while seen[-1] < 2000 and kills < 8:
        proc = subprocess.Popen([sys.executable, "-m", "kiosk", "sync", "--config", str(config)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while proc.poll() is None and office_count(hq_service.dsn) == seen[-1] and time.monotonic() < deadline:
            time.sleep(0.005)
        if proc.poll() is None:  # it has sent a batch the office committed: killed in the middle of its sync
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        seen.append(office_count(hq_service.dsn))
    sync_until_done(station)
    with Store(station.settings.database, create=False) as store:
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert office_count(hq_service.dsn) == letters_in(station) == 2000
    assert kills >= 2 and any(0 < n < 2000 for n in seen)
    figure(f"a kiosk syncing 2,000 letters killed (SIGKILL) {kills} times mid-sync (the office had"
           f" {', '.join(f'{n:,}' for n in seen[1:-1])}): office count 2,000, the kiosk's file intact, 0 lost,"
           " 0 counted twice")


# -- the office says no ------------------------------------------------------------------------


def test_a_revoked_token_keeps_every_letter_waiting_until_a_new_one(tmp_path, hq_service):
    station = kiosk(tmp_path, "k-rev", hq_service.url, hq_service.token("k-rev"), 30)
    sync_until_done(station)
    result = CliRunner().invoke(cli, ["hq", "token", "revoke", "k-rev", "--dsn", hq_service.dsn])
    assert result.exit_code == 0, result.output
    for n in range(30, 40):
        station.record(station.offered()[0].id, "appeal", f"Visitor {n}", "")
    report = station.sync().run()
    assert report.error and "token" in report.error and report.waiting == 10
    assert office_count(hq_service.dsn) == 30
    status = station.sync().status()
    assert status.waiting == 10
    new = hq_service.token("k-rev")
    from dataclasses import replace

    from kiosk.application.sync import Sync

    sync = Sync(replace(station.settings, sync_token=new))
    report = sync.run()
    assert report.error is None and report.new == 10 and report.waiting == 0
    assert office_count(hq_service.dsn) == 40


def test_the_same_letter_with_other_content_is_a_conflict_shown_on_both_sides(tmp_path, hq_service):
    station = kiosk(tmp_path, "k-conf", hq_service.url, hq_service.token("k-conf"), 5)
    sync_until_done(station)
    with Store(station.settings.database, create=False) as store:
        changed = store.db.execute("SELECT id, number FROM signatures ORDER BY number LIMIT 1").fetchone()
        store.db.execute("UPDATE signatures SET kind = CASE kind WHEN 'appeal' THEN 'postcard' ELSE 'appeal' END"
                         " WHERE id = ?", [changed[0]])
        store.db.conn.commit()
    report = station.sync().run()
    assert report.conflict == 1 and report.error is None
    assert office_count(hq_service.dsn) == 5  # the office keeps its first copy, and counts it once
    status = CliRunner().invoke(cli, ["sync", "status"], env={"KIOSK_DB": str(station.settings.database),
                                                              "KIOSK_ID": "k-conf"})
    assert "conflict" in status.output.lower() and f"#{changed[1]:04d}" in status.output, status.output
    office = CliRunner().invoke(cli, ["hq", "conflicts", "--dsn", hq_service.dsn])
    assert changed[0] in office.output and "kind" in office.output, office.output
    # sent again unchanged: still the one conflict, never dropped, never counted
    assert station.sync().run().sent == 0
    assert office_count(hq_service.dsn) == 5


# -- signers: likely duplicates across kiosks ----------------------------------------------------

KEY = "a campaign's signer key, for the tests"


def test_a_signer_given_after_the_letter_was_synced_reaches_the_office_and_counts_as_a_merge_does(tmp_path,
                                                                                                 hq_service):
    """Ada writes for the same case at two stalls (a likely duplicate, at the office as in a merged
    file), then gives her email at one of them after its letters were synced: fingerprinted anew,
    the letter is sent again with the same content, answered duplicate (no conflict), and the office
    counts her two letters as two writers, as a merge of both stalls' files does."""
    from kiosk.store import ConsentChoice

    stations = {k: kiosk(tmp_path, k, hq_service.url, hq_service.token(k), 0, signer_key=KEY, consent=True)
                for k in ("north", "south")}
    case = stations["north"].offered()[0].id
    letters = {k: s.record(case, "appeal", "Ada Lovelace", "") for k, s in stations.items()}
    for s in stations.values():
        sync_until_done(s)
    assert merged_figures(tmp_path, stations) == office_figures(hq_service) == {
        "count": 2, "paper": 0, "duplicates": 1, "signers": 1}

    north = stations["north"]
    north.record_consent(letters["north"].id, ConsentChoice(north.consent_text(), "yes", "ada@example.org", True))
    reports = sync_until_done(north)
    assert sum(r.duplicate for r in reports) == 1 and sum(r.conflict + r.refused for r in reports) == 0
    assert sum(r.new for r in reports) == 2  # the answer's wording and the answer itself
    with psycopg.connect(hq_service.dsn) as conn:
        assert conn.execute("SELECT count(*) FROM conflicts").fetchone()[0] == 0
        kept = dict(conn.execute("SELECT kiosk_id, signer FROM signatures").fetchall())
    with Store(north.settings.database, create=False) as store:
        assert kept["north"] == store.signature(letters["north"].id).signer != kept["south"]
    assert merged_figures(tmp_path, stations, "again") == office_figures(hq_service) == {
        "count": 2, "paper": 0, "duplicates": 0, "signers": 2}


def merged_figures(tmp_path: Path, stations: dict, name: str = "merged") -> dict:
    """The figures of a file with every stall's letters merged (``kiosk merge``)."""
    with Store(tmp_path / f"{name}.db") as store:
        store.merge([s.settings.database for s in stations.values()])
        return store.figures()


def office_figures(service) -> dict:
    import httpx

    return httpx.get(service.url + "/api/v1/counts").json()["figures"]


# -- personal data ---------------------------------------------------------------------------


def test_a_purge_on_the_kiosk_removes_the_names_at_the_office_too(tmp_path, hq_service):
    station = kiosk(tmp_path, "k-priv", hq_service.url, hq_service.token("k-priv"), 4, sync_personal_data="all")
    sync_until_done(station)
    with psycopg.connect(hq_service.dsn) as conn:
        assert conn.execute("SELECT count(*) FROM signatures WHERE personal ? 'name'").fetchone()[0] == 4
    result = CliRunner().invoke(cli, ["purge", "--personal-data", "--yes", "--db", str(station.settings.database)])
    assert result.exit_code == 0, result.output
    assert sync_until_done(station)[-1].sent > 0
    with psycopg.connect(hq_service.dsn) as conn:
        kept = conn.execute("SELECT personal FROM signatures").fetchall()
    assert kept == [({},)] * 4 and office_count(hq_service.dsn) == 4  # every name gone there too; every count kept
