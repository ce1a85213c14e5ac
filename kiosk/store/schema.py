"""The database schema, as numbered sqlite-utils migrations. ``docs/database.md`` explains it.

Tables: ``cases`` (what each case was when it was signed), ``signatures`` (one row per
letter or postcard, each appeal with the addressee it was signed and printed for, each
letter with its visitor's language and the language it printed in),
``print_jobs`` (one per signature), ``case_settings`` (cases switched off on this kiosk) and
``merges`` (other kiosks' databases merged into this one).

A migration never loses a row. Migration 0003 rebuilds ``signatures`` and ``print_jobs``
(SQLite cannot add a foreign key or change a CHECK in place) inside the migration's own
transaction, with foreign keys on: ``print_jobs`` is parked in a temporary table while its
parent is rebuilt, so no constraint is ever broken, even for a moment.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("kiosk")

SIGNATURES_0003 = """
CREATE TABLE signatures (
    id TEXT PRIMARY KEY,                -- UUID, unique across kiosks: merges never count twice
    number INTEGER NOT NULL,            -- running number on this kiosk (Ref. event / kiosk / #number)
    case_id TEXT NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL CHECK (kind IN ('appeal', 'postcard')),
    name TEXT,                          -- the visitor's name (NULL once purged)
    message TEXT,                       -- the visitor's own words (NULL once purged)
    created_at TEXT NOT NULL,           -- UTC, ISO 8601
    local_time TEXT NOT NULL,           -- the stall's clock, ISO 8601 with its UTC offset; days and hours count by it
    event TEXT NOT NULL,
    kiosk_id TEXT NOT NULL,
    purged_at TEXT                      -- UTC time the name and message were removed; NULL while kept
)
"""

PRINT_JOBS_0003 = """
CREATE TABLE print_jobs (
    id INTEGER PRIMARY KEY,
    signature_id TEXT NOT NULL UNIQUE REFERENCES signatures(id),
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'printing', 'printed', 'failed', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    printer TEXT,                       -- the printer of the last attempt
    last_error TEXT,                    -- why the last attempt failed, or why the job was cancelled
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    printed_at TEXT
)
"""


@migrations(name="0001_signatures_and_print_jobs")
def _m0001(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE signatures (
            id TEXT PRIMARY KEY,                -- UUID, unique across kiosks
            number INTEGER NOT NULL,            -- running number on this kiosk
            case_id TEXT NOT NULL,              -- file name of the case, without .toml
            kind TEXT NOT NULL CHECK (kind IN ('appeal', 'postcard')),
            name TEXT,                          -- the visitor's name (NULL once purged)
            message TEXT,                       -- the visitor's own words (NULL once purged)
            created_at TEXT NOT NULL,           -- UTC, ISO 8601
            event TEXT NOT NULL,
            kiosk_id TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE print_jobs (
            id INTEGER PRIMARY KEY,
            signature_id TEXT NOT NULL UNIQUE REFERENCES signatures(id),
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'printing', 'printed', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            printer TEXT,                       -- the printer of the last attempt
            last_error TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            printed_at TEXT
        )
        """
    )
    db.execute("CREATE INDEX signatures_case_id ON signatures(case_id)")
    db.execute("CREATE INDEX signatures_created_at ON signatures(created_at)")
    db.execute("CREATE INDEX signatures_kiosk_number ON signatures(kiosk_id, number)")
    db.execute("CREATE INDEX print_jobs_status ON print_jobs(status)")


@migrations(name="0002_case_settings")
def _m0002(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE case_settings (
            case_id TEXT PRIMARY KEY,           -- file name of the case, without .toml
            enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),  -- 0: not offered on this kiosk
            updated_at TEXT NOT NULL
        )
        """
    )


def _stall_time(created_at: Any) -> Any:
    """For rows made before 0003: the UTC time in the migrating machine's time zone. A value
    that is no time is kept as it was (a merge then refuses the row, naming it)."""
    try:
        moment = dt.datetime.fromisoformat(str(created_at).replace("Z", "+00:00"))
        return moment.astimezone().isoformat(timespec="microseconds")
    except (ValueError, OverflowError):
        return created_at


@migrations(name="0003_cases_stall_time_purge_merges")
def _m0003(db: Database) -> None:
    db.conn.create_function("kiosk_stall_time", 1, _stall_time, deterministic=True)
    db.execute(
        """
        CREATE TABLE cases (
            id TEXT PRIMARY KEY,                -- file name of the case, without .toml
            title TEXT,                         -- the case as it was last signed; NULL if signed
            person TEXT,                        --   only before this table existed (then the
            country TEXT,                       --   case file is read instead)
            ask TEXT,
            addressee_name TEXT,                -- who the appeal is posted to
            addressee_title TEXT,
            addressee_address TEXT,             -- postal address, one line per line
            url TEXT,                           -- the case page (the postcard's QR code)
            updated_at TEXT                     -- UTC time of this snapshot
        )
        """
    )
    db.execute("INSERT INTO cases (id) SELECT DISTINCT case_id FROM signatures")
    db.execute(SIGNATURES_0003.replace("CREATE TABLE signatures", "CREATE TABLE signatures_new"))
    db.execute(
        "INSERT INTO signatures_new (id, number, case_id, kind, name, message, created_at, local_time, event, kiosk_id)"
        " SELECT id, number, case_id, kind, name, message, created_at, kiosk_stall_time(created_at), event, kiosk_id"
        " FROM signatures"
    )
    # print_jobs points at signatures: park it without its foreign key while the parent is rebuilt.
    db.execute("CREATE TEMP TABLE print_jobs_parked AS SELECT * FROM print_jobs")
    db.execute("DROP TABLE print_jobs")
    db.execute("DROP TABLE signatures")
    db.execute("ALTER TABLE signatures_new RENAME TO signatures")
    db.execute(PRINT_JOBS_0003)
    db.execute("INSERT INTO print_jobs SELECT * FROM temp.print_jobs_parked")
    db.execute("DROP TABLE temp.print_jobs_parked")
    db.execute("CREATE INDEX signatures_case_id ON signatures(case_id)")
    db.execute("CREATE INDEX signatures_local_time ON signatures(local_time)")
    db.execute("CREATE INDEX signatures_kiosk_number ON signatures(kiosk_id, number)")
    db.execute("CREATE INDEX signatures_event ON signatures(event)")
    db.execute("CREATE INDEX print_jobs_status ON print_jobs(status)")
    db.execute(
        """
        CREATE TABLE merges (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,               -- the merged file, as named on the command line
            merged_at TEXT NOT NULL,            -- UTC
            signatures_in_source INTEGER NOT NULL,
            signatures_added INTEGER NOT NULL   -- the rest were here already (same UUID)
        )
        """
    )


@migrations(name="0004_letter_addressee")
def _m0004(db: Database) -> None:
    """Each appeal keeps the addressee it was signed and printed for, so a later change of the
    case (or a merged file's newer copy of it) never moves letters already written. Appeals
    made before this migration take the addressee of their own file's snapshot of the case
    (the one last signed on that kiosk); where it has none (letters made before 0003), the
    delivery list falls back to the case snapshot, then the case files, as before."""
    for column in ("addressee_name", "addressee_title", "addressee_address"):
        db.execute(f"ALTER TABLE signatures ADD COLUMN {column} TEXT")
        db.execute(
            f"UPDATE signatures SET {column} = (SELECT c.{column} FROM cases c WHERE c.id = signatures.case_id)"
            " WHERE kind = 'appeal' AND (SELECT c.addressee_name FROM cases c WHERE c.id = signatures.case_id)"
            " IS NOT NULL"
        )
    db.execute("ALTER TABLE merges ADD COLUMN signatures_conflicting INTEGER NOT NULL DEFAULT 0")


def known_migrations() -> list[str]:
    return [m.name for m in migrations._migrations]


@migrations(name="0005_consents")
def _m0005(db: Database) -> None:
    """Consent to be contacted: each wording a visitor was shown, stored once under the hash
    of its exact text, and each visitor's choice (yes and no) with their letter."""
    db.execute(
        """
        CREATE TABLE consent_texts (
            id TEXT PRIMARY KEY,                -- SHA-256 (hex) of the wording's canonical form (kiosk.consent)
            language TEXT NOT NULL,             -- the language of this wording
            version TEXT NOT NULL,              -- the organisation's label for this version of the wording
            controller TEXT NOT NULL,           -- who keeps the data
            lawful_basis TEXT NOT NULL CHECK (lawful_basis IN ('consent', 'charity_soft_opt_in')),
            privacy_url TEXT NOT NULL,          -- the full privacy notice
            minimum_age INTEGER,                -- the age a visitor confirmed before giving an address; NULL: not asked
            question TEXT NOT NULL,             -- exactly as shown
            statement TEXT NOT NULL,            -- what a visitor agrees to with Yes, exactly as shown
            notice TEXT NOT NULL,               -- the short privacy notice, exactly as shown
            first_shown_at TEXT NOT NULL        -- UTC: when a choice was first recorded with it here
        )
        """
    )
    db.execute(
        """
        CREATE TABLE consents (
            id TEXT PRIMARY KEY,                -- UUID, unique across kiosks: merges never count twice
            signature_id TEXT NOT NULL REFERENCES signatures(id),
            channel TEXT NOT NULL CHECK (channel IN ('email')),
            choice TEXT NOT NULL CHECK (choice IN ('yes', 'no')),
            email TEXT,                         -- yes: the address given; no: NULL; NULL once purged
            text_id TEXT NOT NULL REFERENCES consent_texts(id),  -- the wording on screen
            language TEXT NOT NULL,             -- the language it was shown in
            age_confirmed INTEGER CHECK (age_confirmed IN (1)),  -- 1: the visitor confirmed the minimum age
            created_at TEXT NOT NULL,           -- UTC, ISO 8601
            local_time TEXT NOT NULL,           -- the stall's clock, with its UTC offset
            exported_at TEXT,                   -- UTC: the last contacts export (-o FILE) that wrote it
            purged_at TEXT,                     -- UTC: when the address was removed; NULL while kept
            UNIQUE (signature_id, channel),     -- asked once per letter and channel
            CHECK (choice = 'yes' OR email IS NULL)
        )
        """
    )
    db.execute("CREATE INDEX consents_choice ON consents(choice)")


@migrations(name="0006_letter_languages")
def _m0006(db: Database) -> None:
    """Each letter's languages: the visitor's (their screens and their message were in it) and
    the one its receipt printed in (an appeal's letter language, a postcard's the visitor's).
    A reprint prints in them. NULL for letters made before: they print in the case's base text."""
    db.execute("ALTER TABLE signatures ADD COLUMN language TEXT")
    db.execute("ALTER TABLE signatures ADD COLUMN letter_language TEXT")


# What each kind of row sends (its content and personal data, kiosk.sync_protocol): a change of
# any of these columns marks the row to be sent again; other columns (print state, exported_at,
# first_shown_at) never do.
SYNCED_COLUMNS = {
    "signatures": ("number", "case_id", "kind", "event", "kiosk_id", "created_at", "local_time", "language",
                   "letter_language", "addressee_name", "addressee_title", "addressee_address", "name", "message",
                   "purged_at"),
    "consents": ("signature_id", "channel", "choice", "text_id", "language", "age_confirmed", "created_at",
                 "local_time", "email", "purged_at"),
    "consent_texts": ("version", "language", "controller", "privacy_url", "lawful_basis", "minimum_age", "question",
                      "statement", "notice"),
}
_KIND_OF = {"signatures": "signature", "consents": "consent", "consent_texts": "consent_text",
            "paper_letters": "paper"}


def _mark(kind: str, id_sql: str) -> str:
    """The statements, inside a trigger, that put a row in the outbox with a new sequence number:
    the next of ``sync_state.outbox_seq``, a counter that never goes down (a number taken from the
    outbox itself, its MAX + 1, would come again once the outbox empties, and an answer to an older
    batch sent with that number would settle a newer change, a purge)."""
    return ("INSERT OR IGNORE INTO sync_state (id) VALUES (1);"
            " UPDATE sync_state SET outbox_seq = outbox_seq + 1 WHERE id = 1;"
            f" INSERT OR REPLACE INTO outbox (kind, id, seq) VALUES ('{kind}', {id_sql},"
            " (SELECT outbox_seq FROM sync_state WHERE id = 1));")


@migrations(name="0007_sync_outbox")
def _m0007(db: Database) -> None:
    """Sync to the national office: the outbox of rows it has not answered yet, filled by triggers
    (so every writer, whether it records, merges, purges or forgets, marks the rows it changes),
    the rows it answered with a conflict or refused, and the state of the last syncs. Every row
    already here goes into the outbox."""
    db.execute(
        """
        CREATE TABLE outbox (
            kind TEXT NOT NULL CHECK (kind IN ('signature', 'consent', 'consent_text')),
            id TEXT NOT NULL,                   -- the row's id in its table
            seq INTEGER NOT NULL,               -- new at each change (sync_state.outbox_seq): an answer
                                                --   settles only the seq sent
            PRIMARY KEY (kind, id)
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE INDEX outbox_seq ON outbox(seq)")
    db.execute(
        """
        CREATE TABLE sync_conflicts (
            kind TEXT NOT NULL CHECK (kind IN ('signature', 'consent', 'consent_text')),
            id TEXT NOT NULL,
            hash TEXT NOT NULL,                 -- the content answered: not sent again until it changes
            answer TEXT NOT NULL CHECK (answer IN ('conflict', 'refused')),
            reason TEXT NOT NULL,               -- the office's reason, one line
            at TEXT NOT NULL,                   -- UTC: when it answered
            PRIMARY KEY (kind, id)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE sync_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            last_attempt TEXT,                  -- UTC: the last sync started
            last_success TEXT,                  -- UTC: the last sync that ended with every batch answered
            last_error TEXT,                    -- why the last sync failed, one line; NULL after a success
            failures INTEGER NOT NULL DEFAULT 0,  -- failed syncs in a row (the back-off grows with them)
            backoff_until TEXT,                 -- UTC: no sync tried before (it failed, or the office said wait)
            cases_version INTEGER,              -- the office's case set in hq-cases/, its version and hash
            cases_hash TEXT,
            cases_checked_at TEXT,              -- UTC: when the office's case set was last asked for
            cases_error TEXT,                   -- why the last case set fetched was not taken, one line
            outbox_seq INTEGER NOT NULL DEFAULT 0  -- the last sequence number given to an outbox row: never goes down
        )
        """
    )
    db.execute("INSERT INTO sync_state (id) VALUES (1)")
    _outbox_triggers(db, SYNCED_COLUMNS)
    for table in SYNCED_COLUMNS:
        db.execute(f"INSERT INTO outbox (kind, id, seq) SELECT '{_KIND_OF[table]}', id, 0 FROM {table}")


def _outbox_triggers(db: Database, synced: dict[str, tuple[str, ...]]) -> None:
    """The triggers that put a row in the outbox when it is inserted, or a column of ``synced`` changes."""
    for table, columns in synced.items():
        kind = _KIND_OF[table]
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns)
        also = _mark("signature", "NEW.signature_id") if table == "consents" else ""  # its personal data may follow
        db.execute(f"CREATE TRIGGER outbox_{table}_insert AFTER INSERT ON {table} BEGIN"
                   f" {_mark(kind, 'NEW.id')} {also} END")
        db.execute(f"CREATE TRIGGER outbox_{table}_update AFTER UPDATE ON {table} WHEN {changed} BEGIN"
                   f" {_mark(kind, 'NEW.id')} {also} END")


PRINT_JOBS_0008 = """
CREATE TABLE print_jobs (
    id INTEGER PRIMARY KEY,
    signature_id TEXT NOT NULL UNIQUE REFERENCES signatures(id),
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'printing', 'printed', 'failed', 'cancelled', 'held', 'rejected')),
    attempts INTEGER NOT NULL DEFAULT 0,
    printer TEXT,                       -- the printer of the last attempt
    last_error TEXT,                    -- why the last attempt failed, or why the job was cancelled
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    printed_at TEXT,
    held_reason TEXT CHECK (held_reason IN ('words', 'limit')),  -- why it was recorded held; NULL: it was not
    decision TEXT CHECK (decision IN ('released', 'rejected')),  -- a volunteer's decision on a held letter
    decided_at TEXT                     -- UTC: when they decided
)
"""

PAPER_LETTERS_0008 = """
CREATE TABLE paper_letters (
    id TEXT PRIMARY KEY,                -- UUID, unique across kiosks: merges and syncs never count twice
    case_id TEXT NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL CHECK (kind IN ('appeal', 'postcard')),
    count INTEGER NOT NULL CHECK (count BETWEEN -100000 AND 100000 AND count <> 0),
    corrects TEXT REFERENCES paper_letters(id),  -- a correction: the entry it corrects (count is the change)
    note TEXT,                          -- the organiser's note, one line
    created_at TEXT NOT NULL,           -- UTC, ISO 8601
    local_time TEXT NOT NULL,           -- the stall's clock, with its UTC offset: days and hours count by it
    event TEXT NOT NULL,
    kiosk_id TEXT NOT NULL              -- the kiosk they were entered on
)
"""

SYNCED_COLUMNS_0008 = {**SYNCED_COLUMNS, "signatures": (*SYNCED_COLUMNS["signatures"], "signer"),
                       "paper_letters": ("case_id", "kind", "count", "corrects", "note", "created_at", "local_time",
                                         "event", "kiosk_id")}

_OUTBOX_KINDS = "('signature', 'consent', 'consent_text', 'paper')"


@migrations(name="0008_honest_counts")
def _m0008(db: Database) -> None:
    """Honest counts. Each letter's ``signer``: a keyed fingerprint of its writer (normalised
    name, and email when one was given; :mod:`kiosk.signers`) that outlives a purge, so a likely
    duplicate is found without keeping names. Print jobs may be ``held`` (flagged words, or over
    the print limit) until a volunteer releases or rejects them, the decision kept with its time.
    The print limit's bucket. Handwritten letters collected at the stall (``paper_letters``), a
    correction being an entry of its own. The outbox sends paper letters too."""
    db.execute("ALTER TABLE signatures ADD COLUMN signer TEXT")
    db.execute("CREATE INDEX signatures_signer ON signatures(signer, case_id, created_at) WHERE signer IS NOT NULL")
    db.execute("CREATE TEMP TABLE print_jobs_parked AS SELECT * FROM print_jobs")
    db.execute("DROP TABLE print_jobs")
    db.execute(PRINT_JOBS_0008)
    db.execute("INSERT INTO print_jobs (id, signature_id, status, attempts, printer, last_error, created_at,"
               " updated_at, printed_at) SELECT id, signature_id, status, attempts, printer, last_error, created_at,"
               " updated_at, printed_at FROM temp.print_jobs_parked")
    db.execute("DROP TABLE temp.print_jobs_parked")
    db.execute("CREATE INDEX print_jobs_status ON print_jobs(status)")
    db.execute(
        """
        CREATE TABLE print_limit (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            tokens REAL NOT NULL,               -- letters that may print now without a volunteer
            at TEXT NOT NULL                    -- UTC: when tokens was last worked out
        )
        """
    )
    db.execute(PAPER_LETTERS_0008)
    db.execute("CREATE INDEX paper_letters_case ON paper_letters(case_id)")
    db.execute("CREATE INDEX paper_letters_local_time ON paper_letters(local_time)")
    # The outbox and the office's answers take paper letters too (SQLite cannot change a CHECK in place).
    # The triggers go first (renaming a table would rewrite them), and come back with the letter's
    # signer among what sends a letter again (an email given after it was recorded changes it).
    for table in SYNCED_COLUMNS:
        db.execute(f"DROP TRIGGER outbox_{table}_insert")
        db.execute(f"DROP TRIGGER outbox_{table}_update")
    for table in ("outbox", "sync_conflicts"):
        db.execute(f"ALTER TABLE {table} RENAME TO {table}_0007")
    db.execute(
        f"""
        CREATE TABLE outbox (
            kind TEXT NOT NULL CHECK (kind IN {_OUTBOX_KINDS}),
            id TEXT NOT NULL,                   -- the row's id in its table
            seq INTEGER NOT NULL,               -- new at each change (sync_state.outbox_seq): an answer
                                                --   settles only the seq sent
            PRIMARY KEY (kind, id)
        ) WITHOUT ROWID
        """
    )
    db.execute(
        f"""
        CREATE TABLE sync_conflicts (
            kind TEXT NOT NULL CHECK (kind IN {_OUTBOX_KINDS}),
            id TEXT NOT NULL,
            hash TEXT NOT NULL,                 -- the content answered: not sent again until it changes
            answer TEXT NOT NULL CHECK (answer IN ('conflict', 'refused')),
            reason TEXT NOT NULL,               -- the office's reason, one line
            at TEXT NOT NULL,                   -- UTC: when it answered
            PRIMARY KEY (kind, id)
        )
        """
    )
    for table, columns in (("outbox", "kind, id, seq"), ("sync_conflicts", "kind, id, hash, answer, reason, at")):
        db.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {table}_0007")
        db.execute(f"DROP TABLE {table}_0007")
    db.execute("CREATE INDEX outbox_seq ON outbox(seq)")
    _outbox_triggers(db, SYNCED_COLUMNS_0008)
    # An entry is never changed (a correction is an entry of its own), but a purge removes its note.
    kept = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in ("id", *SYNCED_COLUMNS_0008["paper_letters"]) if c != "note")
    db.execute(f"CREATE TRIGGER paper_letters_kept BEFORE UPDATE ON paper_letters WHEN {kept}"
               " OR (NEW.note IS NOT NULL AND NEW.note IS NOT OLD.note) BEGIN"
               " SELECT RAISE(ABORT, 'a paper letters entry is corrected by another entry, never changed'); END")



@migrations(name="0009_signer_place")
def _m0009(db: Database) -> None:
    """An appeal's writer may give their town or country (the ``ask_place`` setting): printed under
    their signature, and again by a reprint. Personal data like the name: a purge removes it with the
    name; it never leaves the laptop (sync sends no place), so it marks no row for the outbox."""
    db.execute("ALTER TABLE signatures ADD COLUMN place TEXT")
