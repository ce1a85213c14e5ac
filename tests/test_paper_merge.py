"""Handwritten letters merge as letters do: each entry and each correction once, however often a
file is merged, a correction only with its entry, a forged one refused naming it."""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid

import pytest
from click.testing import CliRunner

from kiosk.cli import cli
from kiosk.store import Store

CASE = "lawyer-amara-osei"
AT = dt.datetime(2026, 7, 4, 15, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def kiosk(path, kiosk_id, entries):
    with Store(path) as store:
        made = [store.add_paper(CASE, kind, count, note, "Fest", kiosk_id, at=AT) for kind, count, note in entries]
        return made


def paper_total(path):
    with Store(path) as store:
        return store.figures()["paper"]


def test_paper_letters_merge_once_with_their_corrections(tmp_path):
    a, b, target = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "all.db"
    entry, _ = kiosk(a, "tent-1", [("appeal", 12, "school group"), ("postcard", 3, None)])
    kiosk(b, "tent-2", [("appeal", 5, None)])
    with Store(a) as store:
        store.correct_paper(entry.id, 10, at=AT + dt.timedelta(hours=1))
    first = run("merge", a, b, "--db", target)
    assert first.exit_code == 0, first.output
    assert "3 handwritten letters' entries and corrections, 3 new" in first.output
    assert paper_total(target) == 10 + 3 + 5
    again = run("merge", a, b, "--db", target)
    assert again.exit_code == 0 and "3 handwritten letters' entries and corrections, 0 new" in again.output
    assert paper_total(target) == 18
    with Store(target) as store:
        by_kiosk = {row["kiosk_id"]: row for row in store.counts("kiosk")}
    assert (by_kiosk["tent-1"]["count"], by_kiosk["tent-1"]["paper"]) == (13, 13)
    assert by_kiosk["tent-2"]["signers"] == 0


def test_an_entry_with_other_content_is_a_conflict_and_the_copy_here_is_kept(tmp_path):
    a, target = tmp_path / "a.db", tmp_path / "all.db"
    kiosk(a, "tent-1", [("appeal", 7, None)])
    assert run("merge", a, "--db", target).exit_code == 0
    conn = sqlite3.connect(a)
    conn.execute("DROP TRIGGER paper_letters_kept")
    conn.execute("UPDATE paper_letters SET count = 70")
    conn.commit()
    conn.close()
    result = run("merge", a, "--db", target)
    assert result.exit_code == 0, result.output
    assert "1 conflicting (the copy here kept)" in result.output and "count differ" in result.output
    assert paper_total(target) == 7


def test_a_correction_without_its_entry_or_unlike_it_is_refused_and_nothing_is_merged(tmp_path):
    a, target = tmp_path / "a.db", tmp_path / "all.db"
    (entry,) = kiosk(a, "tent-1", [("appeal", 7, None)])
    with Store(a) as store:
        store.correct_paper(entry.id, 5, at=AT)
    conn = sqlite3.connect(a)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("DROP TRIGGER paper_letters_kept")
    conn.execute("UPDATE paper_letters SET case_id = 'prisoner-ilya-voronin' WHERE corrects IS NOT NULL")
    conn.commit()
    result = run("merge", a, "--db", target)
    assert result.exit_code != 0 and "case_id: not the same as the entry it corrects" in result.output
    assert "Traceback" not in result.output and not target.exists()
    conn.execute("UPDATE paper_letters SET case_id = ?, corrects = ? WHERE corrects IS NOT NULL",
                 [CASE, str(uuid.uuid4())])
    conn.commit()
    conn.close()
    result = run("merge", a, "--db", target)
    assert result.exit_code != 0 and "corrects an entry that is in neither file" in result.output
    assert not target.exists()


def test_a_forged_count_is_refused_naming_the_row(tmp_path):
    a, target = tmp_path / "a.db", tmp_path / "all.db"
    kiosk(a, "tent-1", [("appeal", 7, None)])
    conn = sqlite3.connect(a)
    conn.execute("DROP TRIGGER paper_letters_kept")
    conn.execute("PRAGMA ignore_check_constraints = ON")
    conn.execute("UPDATE paper_letters SET count = 10000000")
    conn.commit()
    conn.close()
    result = run("merge", a, "--db", target)
    assert result.exit_code != 0 and "paper_letters" in result.output and "not merged" in result.output
    assert not target.exists()


def test_a_purge_of_everyone_removes_notes_and_the_office_is_told(tmp_path):
    from kiosk.store import Store as S

    a = tmp_path / "a.db"
    (entry,) = kiosk(a, "tent-1", [("appeal", 7, "from Mrs Example's class")])
    with S(a) as store:
        store.correct_paper(entry.id, 6, "Mrs Example counted again", at=AT)
        store.db.execute("DELETE FROM outbox")
        store.db.conn.commit()
    result = run("purge", "--db", a, "--personal-data", "--yes")
    assert result.exit_code == 0, result.output
    assert "2 note(s) on handwritten letters" in result.output
    assert b"Mrs Example" not in a.read_bytes()
    with S(a) as store:
        assert store.figures()["paper"] == 6  # the counts stay
        marked = store.db.execute("SELECT COUNT(*) FROM outbox WHERE kind = 'paper'").fetchone()[0]
        assert marked == 2, "the removed notes are sent again, as removed"
        conn = store.db.conn
        with pytest.raises(sqlite3.DatabaseError, match="corrected by another entry"):
            conn.execute("UPDATE paper_letters SET count = 70")
        with pytest.raises(sqlite3.DatabaseError, match="corrected by another entry"):
            conn.execute("UPDATE paper_letters SET note = 'a name again'")
    from kiosk.sync.payload import upload_row
    with S(a) as store:
        item = store._outbox_row("paper", entry.id, 1)
    assert upload_row(item, "all")["personal"] == {"note": None}
    assert upload_row(item, "none")["personal"] is None
