"""The office's schema in PostgreSQL, as numbered migrations (``kiosk hq init`` applies them).

Tables: ``hq_migrations`` (which migrations ran), ``tokens`` (one per kiosk token, its
SHA-256 only), ``signatures``, ``consents``, ``consent_texts`` and ``paper_letters`` (each row
as a kiosk sent it: its content and hash, and the personal data that came with it, latest
kept; a letter's signer fingerprint beside it, the latest its kiosk sent),
``conflicts`` (a row whose id was here already with other content: the incoming copy,
never dropped; once looked into, who marked it reviewed and when), ``case_sets`` (each case
set the office published, numbered) and ``cases`` (each case's title, from the latest set
that had it: counts show it).

A row's content is kept as it came (``jsonb``); what counts group by (case, kind, event,
kiosk, the stall's time, language) is read from it by generated columns, in the ``C``
collation, so that HQ sorts and compares them as a kiosk's SQLite does.

Migrations run in order, each in its own transaction with its number, under an advisory
lock (two ``init`` at once wait for each other). A database whose schema is newer than this
kiosk knows is refused, never changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg

from ..errors import StoreError
from .connection import connect, shown

LOCK = 0x6B696F736B  # pg_advisory_xact_lock key while migrating ("kiosk")

_ROW = """
    id text PRIMARY KEY,
    hash text NOT NULL,                         -- sync_protocol.content_hash(content), checked on arrival
    content jsonb NOT NULL,                     -- exactly what the kiosk sent: what is counted
    personal jsonb NOT NULL DEFAULT '{}',       -- name, message / email: the latest non-null value of each
    uploaded_by text NOT NULL,                  -- the kiosk id of the token that sent it first
    received_at timestamptz NOT NULL DEFAULT now(),
    personal_at timestamptz                     -- when personal data last arrived
"""


def _text(column: str) -> str:
    return f"""{column} text COLLATE "C" GENERATED ALWAYS AS (content->>'{column}') STORED"""


MIGRATIONS: tuple[tuple[str, str], ...] = (
    ("0001_tokens_rows_conflicts_cases", f"""
        CREATE TABLE tokens (
            id bigserial PRIMARY KEY,
            kiosk_id text NOT NULL,
            digest text NOT NULL UNIQUE,            -- SHA-256 (hex) of the token; the token is never kept
            created_at timestamptz NOT NULL DEFAULT now(),
            revoked_at timestamptz,
            last_used_at timestamptz
        );
        CREATE INDEX tokens_kiosk ON tokens (kiosk_id);

        CREATE TABLE signatures ({_ROW},
            {_text("case_id")}, {_text("kind")}, {_text("event")}, {_text("kiosk_id")},
            {_text("local_time")}, {_text("language")}
        );
        CREATE INDEX signatures_case ON signatures (case_id);
        CREATE INDEX signatures_local_time ON signatures (local_time);

        CREATE TABLE consents ({_ROW}, {_text("signature_id")});
        CREATE INDEX consents_signature ON consents (signature_id);

        CREATE TABLE consent_texts ({_ROW});

        CREATE TABLE conflicts (
            id bigserial PRIMARY KEY,
            kind text NOT NULL,                     -- signature, consent, consent_text
            row_id text NOT NULL,
            uploaded_by text NOT NULL,              -- the kiosk whose token sent this copy
            kept_hash text NOT NULL,                -- the hash of the copy kept
            hash text NOT NULL,                     -- this copy's
            content jsonb NOT NULL,                 -- this copy, as it came
            personal jsonb,
            received_at timestamptz NOT NULL DEFAULT now(),
            UNIQUE (kind, row_id, hash)
        );

        CREATE TABLE case_sets (
            version integer PRIMARY KEY,
            hash text NOT NULL,                     -- sync_protocol.content_hash(files)
            files jsonb NOT NULL,                   -- each case file, by name: its TOML text
            published_at timestamptz NOT NULL DEFAULT now()
        );

        CREATE TABLE cases (
            id text COLLATE "C" PRIMARY KEY,
            title text NOT NULL,
            version integer NOT NULL REFERENCES case_sets (version)
        );
    """),
    ("0002_conflicts_reviewed", """
        -- a conflict looked into (kiosk hq conflicts --resolved ID): kept, never deleted, with who and when
        ALTER TABLE conflicts ADD COLUMN resolved_at timestamptz, ADD COLUMN resolved_by text;
        CREATE INDEX conflicts_open ON conflicts (id) WHERE resolved_at IS NULL;
    """),
    ("0003_signers_paper_letters", f"""
        -- each letter's signer fingerprint (kiosk.signers), outside its content: the latest its kiosk
        -- sent (an email given after the letter fingerprints its writer anew); likely duplicates are
        -- letters with an earlier one (UTC time, then id) of the same case and signer, from any kiosk
        ALTER TABLE signatures ADD COLUMN signer text COLLATE "C", ADD COLUMN {_text("created_at")};
        CREATE INDEX signatures_signer ON signatures (signer, case_id, created_at) WHERE signer IS NOT NULL;

        -- handwritten letters collected at a stall: an entry never changes; a correction is an entry
        -- of its own (count: the change) naming the entry it corrects, with that entry's case, kind,
        -- event, kiosk and stall time
        CREATE TABLE paper_letters ({_ROW},
            {_text("case_id")}, {_text("kind")}, {_text("event")}, {_text("kiosk_id")},
            {_text("local_time")}, {_text("created_at")}, {_text("corrects")},
            count integer GENERATED ALWAYS AS ((content->>'count')::integer) STORED
        );
        CREATE INDEX paper_letters_case ON paper_letters (case_id);
        CREATE INDEX paper_letters_corrects ON paper_letters (corrects) WHERE corrects IS NOT NULL;
    """),
)

SCHEMA = tuple(name for name, _ in MIGRATIONS)

_TABLE = """
    CREATE TABLE IF NOT EXISTS hq_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
    )
"""


@dataclass(frozen=True)
class Migrated:
    before: int          # the schema's version found
    after: int           # and now
    applied: tuple[str, ...]


def applied_version(conn: psycopg.Connection) -> int:
    """The number of the last migration applied to the database, 0 for none (or no HQ schema)."""
    exists = conn.execute("SELECT to_regclass('hq_migrations') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return 0
    row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM hq_migrations").fetchone()
    return int(row[0]) if row else 0


def _refuse_newer(found: int, dsn: str) -> None:
    if found > len(MIGRATIONS):
        raise StoreError(f"its HQ schema is version {found}, newer than this kiosk knows ({len(MIGRATIONS)}):"
                         " upgrade kiosk; nothing was changed", source=shown(dsn))


def migrate(dsn: str) -> Migrated:
    """Create or bring up to date the HQ schema of ``dsn``. Running it again changes nothing."""
    with connect(dsn) as conn:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK,))
            conn.execute(_TABLE)
            before = applied_version(conn)
            _refuse_newer(before, dsn)
        applied: list[str] = []
        for number, (name, sql) in enumerate(MIGRATIONS, start=1):
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK,))
                if applied_version(conn) >= number:
                    continue  # another init applied it meanwhile
                conn.execute(sql)
                conn.execute("INSERT INTO hq_migrations (version, name) VALUES (%s, %s)", (number, name))
                applied.append(name)
        return Migrated(before, len(MIGRATIONS), tuple(applied))


def check_schema(conn: psycopg.Connection, dsn: str) -> None:
    """Refuse a database without the HQ schema, an older one or a newer one, saying what to do."""
    found = applied_version(conn)
    _refuse_newer(found, dsn)
    if found == 0:
        raise StoreError("no HQ schema here: run kiosk hq init --dsn ...", source=shown(dsn))
    if found < len(MIGRATIONS):
        raise StoreError(f"its HQ schema is version {found}, this kiosk needs {len(MIGRATIONS)}:"
                         " run kiosk hq init --dsn ... to migrate it", source=shown(dsn))


@contextmanager
def open_hq(dsn: str) -> Iterator[psycopg.Connection]:
    """A connection to ``dsn`` whose HQ schema is this kiosk's (:func:`check_schema`); see :func:`connect`."""
    with connect(dsn) as conn:
        check_schema(conn, dsn)
        yield conn
