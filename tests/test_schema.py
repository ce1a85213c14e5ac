"""The schema: migrations from older kiosks keep every row; newer files are refused."""

import sqlite3

import pytest
from sqlite_utils import Database

from kiosk.store import Store, StoreError
from kiosk.store.schema import known_migrations, migrations
from tests.helpers.old_files import database_before

BEFORE_CASES = "0003_cases_stall_time_purge_merges"


def old_database(path, rows=3, *, case="lawyer-amara-osei"):
    """A database as kiosks wrote it before migration 0003 (no cases table, UTC only)."""
    return database_before(path, BEFORE_CASES, rows=rows, case_id=case, hour="22:30",
                           status=lambda i: "printed" if i else "failed")


def test_an_older_database_is_migrated_without_losing_a_row(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Berlin")
    import time
    time.tzset()
    try:
        ids = old_database(tmp_path / "old.db")
        with Store(tmp_path / "old.db") as store:
            assert [r[0] for r in store.db.execute("SELECT id FROM signatures ORDER BY number")] == ids
            # the UTC time, on the clock of the machine that migrates (Berlin summer time: +2)
            assert store.signature(ids[0]).local_time == "2026-06-02T00:30:00.000000+02:00"
            assert store.counts("day")[0]["day"] == "2026-06-02"
            assert [j.status for j in store.jobs(("printed", "failed"))] == ["failed", "printed", "printed"]
            assert store.db.execute("PRAGMA foreign_key_check").fetchall() == []
            assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            fks = {(r[2], r[3]) for r in store.db.execute("PRAGMA foreign_key_list(signatures)")}
            assert fks == {("cases", "case_id")}
            assert store.case_rows()["lawyer-amara-osei"]["title"] is None  # known by id only
            # the CHECK constraints survived the rebuild
            with pytest.raises(sqlite3.IntegrityError):
                store.db.execute("UPDATE signatures SET kind = 'email'")
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_a_database_from_a_newer_kiosk_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "new.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('kiosk', '0099_future', 'x')"
    )
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer version of kiosk"):
        Store(path)
    assert path.read_bytes() == before


def test_every_table_and_column_is_documented():
    """docs/database.md names every table and column, so Datasette users know what they see."""
    from pathlib import Path

    doc = (Path(__file__).resolve().parent.parent / "docs" / "database.md").read_text(encoding="utf-8")
    db = Database(memory=True)
    migrations.apply(db)
    for table in db.table_names():
        if table.startswith("_"):
            continue
        assert f"### `{table}`" in doc, table
        section = doc.split(f"### `{table}`", 1)[1].split("\n### ", 1)[0]
        for column in db[table].columns_dict:
            assert f"| `{column}` |" in section, f"{table}.{column}"


def test_the_store_knows_the_schema_without_importing_sqlite_utils(tmp_path):
    import subprocess
    import sys

    from kiosk.store import SCHEMA

    assert list(SCHEMA) == known_migrations()
    db = tmp_path / "k.db"
    Store(db).close()  # a new file is migrated, with sqlite-utils
    # an up-to-date file opens with sqlite-utils unimportable (None in sys.modules)
    code = f"import sys; sys.modules['sqlite_utils'] = None; from kiosk.store import Store; Store({str(db)!r}).close()"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-1500:]
