"""Reaching the office's PostgreSQL: a DSN checked and shown without its password, one
connection for a command, a pool for the service, and every psycopg failure as one line.

A DSN that cannot be read, a server that cannot be reached, a wrong password or a missing
database is a :class:`~kiosk.errors.StoreError` whose source is the DSN as :func:`shown`
(never its password), in words an organiser can act on.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import psycopg
from psycopg.conninfo import conninfo_to_dict

from ..errors import StoreError

if TYPE_CHECKING:
    from psycopg_pool import ConnectionPool

DSN_ENV = "KIOSK_HQ_DSN"
CONNECT_TIMEOUT = 10  # seconds to reach the server before giving up


def shown(dsn: str) -> str:
    """The DSN as it may be printed: ``postgresql://user@host:port/db``, never its password."""
    try:
        parts = conninfo_to_dict(dsn)
    except psycopg.Error:
        return "the DSN"
    host = str(parts.get("host") or "localhost")
    port = f":{parts['port']}" if parts.get("port") else ""
    user = f"{parts['user']}@" if parts.get("user") else ""
    return f"postgresql://{user}{host}{port}/{parts.get('dbname') or ''}"


def check_dsn(dsn: str | None, source: str = "--dsn") -> str:
    """``dsn`` (else ``KIOSK_HQ_DSN``), readable as a PostgreSQL connection string; StoreError naming
    where it came from otherwise."""
    if dsn is None:
        dsn, source = os.environ.get(DSN_ENV), DSN_ENV
    if not dsn or not dsn.strip():
        raise StoreError(f"no database named: give --dsn postgresql://USER@HOST/DB or set {DSN_ENV}", source=source)
    try:
        conninfo_to_dict(dsn)
    except psycopg.Error as exc:
        raise StoreError(f"not a PostgreSQL connection string: {first_line(exc)}", source=source) from None
    return dsn


def first_line(exc: BaseException) -> str:
    """psycopg's message of ``exc`` in one line (it spreads hints over several)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = lines[0] if lines else type(exc).__name__
    return text.removeprefix("connection failed: ")


def unusable(exc: psycopg.Error, dsn: str) -> StoreError:
    """The StoreError for a psycopg failure on the database ``dsn``."""
    if isinstance(exc, psycopg.OperationalError):
        return StoreError(f"cannot reach the database: {first_line(exc)}", source=shown(dsn))
    return StoreError(f"database error: {first_line(exc)}", source=shown(dsn))


@contextmanager
def connect(dsn: str) -> Iterator[psycopg.Connection]:
    """One connection to ``dsn``; committed when the block ends, rolled back on an error.
    Any psycopg failure leaves as one StoreError naming the database."""
    dsn = check_dsn(dsn)
    try:
        with psycopg.connect(dsn, connect_timeout=CONNECT_TIMEOUT, application_name="kiosk hq") as conn:
            yield conn
    except psycopg.Error as exc:
        raise unusable(exc, dsn) from None


def pool(dsn: str, *, size: int = 8) -> ConnectionPool:
    """A pool for the service, not opened yet: each connection is checked as it is handed out,
    so a server restarted meanwhile costs a reconnection, not a failed request."""
    from psycopg_pool import ConnectionPool

    return ConnectionPool(check_dsn(dsn), min_size=1, max_size=size, open=False, name="kiosk-hq",
                          check=ConnectionPool.check_connection, timeout=5.0,
                          kwargs={"connect_timeout": CONNECT_TIMEOUT, "application_name": "kiosk hq"})
