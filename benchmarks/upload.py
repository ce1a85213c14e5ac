"""Upload throughput: rows per second a kiosk's batches get into the office's PostgreSQL through
the HQ service in a process of its own (``kiosk hq serve``: HTTP, JSON, each row checked and its
hash worked out again, answered row by row), against a plain psycopg
``INSERT ... ON CONFLICT (id) DO NOTHING`` of the same rows in batches of the same size, one
transaction a batch, into a table of the same shape.

It needs the ``hq`` extra and PostgreSQL's server binaries (a cluster of its own is started in
a temporary folder, as the tests do); without them its row says so and the others still run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

from .common import Row

TARGET = 0.5
BATCH = 500
PER_KIOSK = 20 * BATCH  # within a token's burst of requests at the office


def _rows(kiosk_id: str, count: int) -> list[dict[str, Any]]:
    from kiosk.store.models import stall_iso, utc_iso
    from kiosk.sync_protocol import row

    start = dt.datetime(2026, 11, 25, 10, tzinfo=dt.UTC)
    rows = []  # as a kiosk writes them: the office refuses what no kiosk could have written
    for i in range(count):
        when = start + dt.timedelta(seconds=i)
        content = {"id": str(uuid.uuid4()), "number": i + 1, "case_id": "lawyer-amara-osei",
                   "kind": ("appeal", "postcard")[i % 2], "event": "Bench Fest", "kiosk_id": kiosk_id,
                   "created_at": utc_iso(when), "local_time": stall_iso(when),
                   "language": "en", "letter_language": "en", "addressee_name": None, "addressee_title": None,
                   "addressee_address": None}
        rows.append(row("signature", content, None))
    return rows


def _through_service(url: str, kiosks: list[tuple[str, str, list[dict[str, Any]]]]) -> float:
    """Rows per second through the service: each kiosk's rows in batches, with its own token."""
    from kiosk.sync.client import Client, upload_body

    count = sum(len(rows) for _, _, rows in kiosks)
    start = time.perf_counter()
    for kiosk_id, token, rows in kiosks:
        with Client(url, token) as client:
            for i in range(0, len(rows), BATCH):
                batch = rows[i:i + BATCH]
                answers = client.upload(kiosk_id, batch, upload_body(kiosk_id, batch))
                assert all(a["answer"] == "new" for a in answers), answers[0]
    return count / (time.perf_counter() - start)


def _plain(dsn: str, rows: list[dict[str, Any]]) -> float:
    import psycopg
    from psycopg.types.json import Jsonb

    with psycopg.connect(dsn) as conn:
        conn.execute("CREATE TABLE plain_signatures (id text PRIMARY KEY, hash text NOT NULL, content jsonb NOT NULL,"
                     " personal jsonb NOT NULL DEFAULT '{}', received_at timestamptz NOT NULL DEFAULT now())")
        conn.commit()
        start = time.perf_counter()
        for i in range(0, len(rows), BATCH):
            with conn.transaction(), conn.cursor() as cur:
                cur.executemany("INSERT INTO plain_signatures (id, hash, content) VALUES (%s, %s, %s)"
                                " ON CONFLICT (id) DO NOTHING",
                                [(r["id"], r["hash"], Jsonb(r["content"])) for r in rows[i:i + BATCH]])
        return len(rows) / (time.perf_counter() - start)


@contextlib.contextmanager
def _service(dsn: str) -> Iterator[str]:
    """``kiosk hq serve`` in a process of its own, as an office runs it; its URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "hq", "serve", "--dsn", dsn, "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("kiosk hq serve did not start") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait()


def upload_throughput(count: int) -> list[Row]:
    rounds = 3 if count >= 5000 else 1  # the quick sizes: one round
    name = f"Upload to the office, {count:,} rows in batches of {BATCH} (best of {rounds})"
    try:
        import psycopg  # noqa: F401

        from tests.helpers.postgres import PostgresMissing, start_cluster
    except ImportError:
        return [Row(name, "not run: needs the hq extra (pip install -e '.[test]')", f">= x{TARGET}", None)]
    try:
        cluster = start_cluster()
    except PostgresMissing as exc:
        return [Row(name, f"not run: {exc}", f">= x{TARGET}", None)]
    from kiosk.hq.schema import migrate
    from kiosk.hq.tokens import add_token

    try:
        service_rates, plain_rates = [], []
        for round_ in range(rounds):  # interleaved rounds, each on fresh databases; the best of each
            dsn = cluster.create_database()
            migrate(dsn)
            # a kiosk's token may send PER_KIOSK rows in a burst (the office's rate limit): the rows
            # come from as many kiosks as that takes, each with its own token, one after another
            kiosks = []
            for k in range(0, count, PER_KIOSK):
                kiosk_id = f"bench-{round_}-{k // PER_KIOSK}"
                kiosks.append((kiosk_id, add_token(dsn, kiosk_id).secret, _rows(kiosk_id, min(PER_KIOSK, count - k))))
            with _service(dsn) as url:
                service_rates.append(_through_service(url, kiosks))
            plain_rates.append(_plain(cluster.create_database(), _rows("plain", count)))
    finally:
        cluster.destroy()
    s, p = max(service_rates), max(plain_rates)
    return [Row(name, f"{s:,.0f} rows/s vs {p:,.0f} rows/s = x{s / p:.2f}", f">= x{TARGET}", s / p >= TARGET)]
