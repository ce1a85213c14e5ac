"""Every after-the-event command meets a bad file with one line, a non-zero exit, and no change."""

import hashlib
import shutil
import sqlite3

import pytest
from click.testing import CliRunner

from kiosk.cli import cli
from tests.helpers.records_data import fill

COMMANDS = {
    "report": ["report"],
    "export counts": ["export", "counts", "--by", "case,day"],
    "export signatures": ["export", "signatures"],
    "export letters": ["export", "letters"],
    "printer tally": ["printer", "tally", "--printer", "preview:{tmp}/preview"],
    "purge": ["purge", "--personal-data", "--yes"],
}


def make(kind, tmp_path):
    path = tmp_path / f"{kind}.db"
    if kind == "text":
        path.write_text("These are my holiday notes.\n" * 100, encoding="utf-8")
    elif kind == "foreign":
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE contacts (name TEXT)")
        conn.execute("INSERT INTO contacts VALUES ('Ada')")
        conn.commit()
        conn.close()
    elif kind == "damaged":
        fill(path)
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        data = bytearray(path.read_bytes())
        data[4096:] = b"\x00\xff" * ((len(data) - 4096) // 2)
        path.write_bytes(bytes(data))
    elif kind == "empty":
        path.write_bytes(b"")
    return path


@pytest.mark.parametrize("kind, message", [
    ("text", "not a kiosk database"),
    ("foreign", "not a kiosk database (it holds other tables: contacts)"),
    ("damaged", "damaged database file"),
    ("empty", "not a kiosk database (it is empty)"),
    ("missing", "no such database"),
])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_bad_database_files(tmp_path, command, kind, message):
    path = make(kind, tmp_path)
    before = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
    args = [a.replace("{tmp}", str(tmp_path)) for a in COMMANDS[command]]
    result = CliRunner().invoke(cli, [*args, "--db", str(path)], catch_exceptions=False)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0] and str(path) in lines[0], result.output
    if before is None:
        assert not path.exists()
    else:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_a_locked_database_cannot_be_purged_and_says_so(tmp_path, monkeypatch):
    import kiosk.store.connection

    path = fill(tmp_path / "k.db")
    monkeypatch.setattr(kiosk.store.connection, "BUSY_TIMEOUT", 0.2)
    writer = sqlite3.connect(path)
    writer.execute("BEGIN IMMEDIATE")
    try:
        result = CliRunner().invoke(cli, ["purge", "--personal-data", "--yes", "--db", str(path)])
        # reading is not blocked by a writer: the report still works meanwhile
        report = CliRunner().invoke(cli, ["report", "--db", str(path)])
    finally:
        writer.rollback()
        writer.close()
    assert result.exit_code == 1 and "database is locked" in result.output
    assert report.exit_code == 0 and "Letters: 8" in report.output
    shutil.copy(path, tmp_path / "copy.db")
    assert CliRunner().invoke(cli, ["export", "counts", "--db", str(tmp_path / "copy.db")]).exit_code == 0
