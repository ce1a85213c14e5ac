"""The store, merging and delivery lists against what a festival and a tired organiser bring.

Every letter counts exactly once: a merge is all or nothing and checks every row as recording
does, conflicts are reported (never called "already here"), sources on write-protected media
are read without leaving a file, letters keep the addressee they were printed for, and no
stored value or calendar date stops an export.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import hashlib
import io
import os
import shutil
import sqlite3
import subprocess
import threading
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cases import read_dir
from kiosk.cli import cli
from kiosk.errors import InputError, StoreError
from kiosk.store import Scope, Store
from tests.helpers import CASES
from tests.helpers.records_data import LETTERS, fill
from tests.helpers.terminal import write_protected
from tests.test_schema import old_database


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False, env={"COLUMNS": "160"})


def digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def rows(path, table):
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    conn.text_factory = bytes
    try:
        return sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
    finally:
        conn.close()


def one_line(result):
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


def beside(path):
    """The files SQLite may leave beside a database."""
    return sorted(p.name for p in Path(path).parent.iterdir() if p.name.startswith(Path(path).name + "-"))


def loosen(path):
    """Rebuild a kiosk file's signatures and print_jobs without any constraint, as a crafted file would be."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys=OFF")
    for table in ("signatures", "print_jobs"):
        conn.execute(f"CREATE TABLE loose AS SELECT * FROM {table}")
        conn.execute(f"DROP TABLE {table}")
        conn.execute(f"ALTER TABLE loose RENAME TO {table}")
    conn.commit()
    conn.close()


def tamper(path, sql, params=()):
    conn = sqlite3.connect(path)
    conn.execute(sql, params)
    conn.commit()
    conn.close()


@pytest.fixture
def target(tmp_path):
    """The organiser's merged file, with kiosk north's first letters already in it."""
    path = tmp_path / "all.db"
    assert run("merge", fill(tmp_path / "first.db", LETTERS[:2]), "--db", path).exit_code == 0
    return path


def first_id(path):
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT id FROM signatures ORDER BY number LIMIT 1").fetchone()[0]
    finally:
        conn.close()


# -- 1. all or nothing; every row checked as recording checks it ---------------------------------------

BAD_ROWS = {
    # column: (SQL to make one row bad, what the error names)
    "kind": ("UPDATE signatures SET kind = 'email' WHERE rowid = 1", "kind"),
    "long name": ("UPDATE signatures SET name = ? WHERE rowid = 1", "name: 100000 characters, at most 80"),
    "empty name": ("UPDATE signatures SET name = char(27, 0, 32) WHERE rowid = 1", "name: must not be empty"),
    "long message": ("UPDATE signatures SET message = ? WHERE rowid = 1", "message: 100000 characters"),
    "not UTF-8": ("UPDATE signatures SET name = CAST(x'416461ff' AS TEXT) WHERE rowid = 1", "not valid UTF-8"),
    "number as a fraction": ("UPDATE signatures SET number = 1.5 WHERE rowid = 1", "number: must be a whole number"),
    "id": ("UPDATE signatures SET id = 'not-a-uuid' WHERE rowid = 1", "not a signature id"),
    "id with a newline": ("UPDATE signatures SET id = id || char(10) WHERE rowid = 1", "not a signature id"),
    "number below 1": ("UPDATE signatures SET number = -1 WHERE rowid = 1", "number: must be from 1"),
    "huge number": ("UPDATE signatures SET number = 9223372036854775807 WHERE rowid = 1", "number: must be from 1"),
    "number as text": ("UPDATE signatures SET number = 'seven' WHERE rowid = 1", "number: must be a whole number"),
    "case id": ("UPDATE signatures SET case_id = '../../etc' WHERE rowid = 1", "case_id"),
    "kiosk id": ("UPDATE signatures SET kiosk_id = 'k' || char(27) || '[2J' WHERE rowid = 1", "kiosk_id"),
    "event": ("UPDATE signatures SET event = ' ' WHERE rowid = 1", "event: must not be empty"),
    "time": ("UPDATE signatures SET local_time = 'yesterday' WHERE rowid = 1", "local_time: not a time"),
    "two moments": ("UPDATE signatures SET created_at = '2020-01-01T00:00:00.000000Z' WHERE rowid = 1",
                    "not the same moment"),
    "year 0": ("UPDATE signatures SET local_time = '0001-01-01T00:30:00.000000+02:00' WHERE rowid = 1",
               "local_time: not a time"),
    "job state": ("UPDATE print_jobs SET status = 'exploded' WHERE rowid = 1", "status"),
    "attempts": ("UPDATE print_jobs SET attempts = -5 WHERE rowid = 1", "attempts"),
    "job time": ("UPDATE print_jobs SET created_at = 'x' WHERE rowid = 1", "created_at: not a time"),
    "orphan job": ("UPDATE print_jobs SET signature_id = '00000000-0000-4000-8000-000000000000' WHERE rowid = 1",
                   "its signature is not in the file"),
    "duplicate id": ("INSERT INTO signatures SELECT * FROM signatures WHERE rowid = 1", "more than once"),
    "long case title": ("UPDATE cases SET title = ? WHERE rowid = 1", "title: 100000 characters"),
}


@pytest.mark.parametrize("bad", list(BAD_ROWS))
def test_a_row_recording_would_refuse_refuses_the_whole_merge_naming_source_and_row(tmp_path, target, bad):
    sql, named = BAD_ROWS[bad]
    good = fill(tmp_path / "good.db", LETTERS[4:6])
    source = fill(tmp_path / "bad.db", LETTERS[2:4])
    loosen(source)
    tamper(source, sql, ["x" * 100_000] if "?" in sql else [])
    before = {t: rows(target, t) for t in ("signatures", "print_jobs", "cases", "merges")}
    result = run("merge", good, source, "--db", target)
    assert result.exit_code == 1
    line = one_line(result)
    assert str(source) in line and named in line and "nothing was merged" in line, line
    assert str(target) not in line.replace(str(source), "")
    assert {t: rows(target, t) for t in before} == before  # good.db was not merged either
    assert not list(tmp_path.glob("kiosk-merge-*"))


def test_every_bad_row_is_caught_by_its_check(tmp_path):
    """Each case above fails its own check: with the file left as made, it merges."""
    source = fill(tmp_path / "fine.db", LETTERS[2:4])
    loosen(source)
    result = run("merge", source, "--db", tmp_path / "all.db")
    assert result.exit_code == 0, result.output


def test_a_refused_merge_into_a_new_file_leaves_no_file(tmp_path):
    source = fill(tmp_path / "bad.db", LETTERS[:2])
    tamper(source, "UPDATE signatures SET name = ? WHERE number = 2", ["x" * 100_000])
    result = run("merge", fill(tmp_path / "good.db", LETTERS[4:5]), source, "--db", tmp_path / "all.db")
    assert result.exit_code == 1 and "name: 100000 characters" in one_line(result)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("all.db")) == []


def test_a_recorded_appeal_carries_its_addressee(store, cases):
    case = cases.cases["lawyer-amara-osei"]
    sig = store.record(case=case, kind="appeal", name="Ada", message="", event="E", kiosk_id="k1")
    card = store.record(case=case, kind="postcard", name="Bo", message="", event="E", kiosk_id="k1")
    assert store.signature(sig.id).addressee_name == sig.addressee_name == case.appeal.addressee.name
    assert store.signature(sig.id).addressee_address == "\n".join(case.appeal.addressee.address)
    assert store.signature(card.id).addressee_name is None


def test_a_bad_second_source_is_named_not_the_target(tmp_path, target):
    text = tmp_path / "notes.db"
    text.write_text("shopping list\n" * 200)
    result = run("merge", fill(tmp_path / "b.db", LETTERS[4:5]), text, "--db", target)
    line = one_line(result)
    assert result.exit_code == 1 and line.startswith(f"Error: {text}:") and "not a kiosk database" in line


def test_the_store_refuses_at_recording_what_a_merge_refuses(store):
    with pytest.raises(InputError, match="name: 100000 characters"):
        store.record(case_id="c", kind="appeal", name="x" * 100_000, message="", event="E", kiosk_id="k1")
    with pytest.raises(InputError, match="case"):
        store.record(case_id="../c", kind="appeal", name="Ada", message="", event="E", kiosk_id="k1")
    sig = store.record(case_id="c", kind="appeal", name="Ada\x1b[31m", message="hi\x07", event="E", kiosk_id="k1")
    assert (sig.name, sig.message) == ("Ada[31m", "hi") == tuple(
        store.db.execute("SELECT name, message FROM signatures").fetchone())
    assert store.total() == 1


def test_text_is_stored_as_recording_stores_it(tmp_path):
    source = fill(tmp_path / "a.db", LETTERS[:1])
    tamper(source, "UPDATE signatures SET name = 'Ada' || char(8238) || 'evil' || char(27)")
    target = tmp_path / "all.db"
    assert run("merge", source, "--db", target).exit_code == 0
    with Store(target) as merged:
        assert [s.name for s in merged.signatures()] == ["Adaevil"]


# -- conflicts, purges, jobs ------------------------------------------------------------------------


def test_the_same_id_with_other_content_is_a_conflict_not_already_here(tmp_path, target):
    source = tmp_path / "copy.db"
    shutil.copy(tmp_path / "first.db", source)
    sid = first_id(source)
    tamper(source, "UPDATE signatures SET name = 'Mallory', number = 99 WHERE id = ?", [sid])
    with Store(target) as merged:
        (result,) = merged.merge([source])
        assert (result.signatures, result.added, result.conflicting, result.already) == (2, 0, 1, 1)
        (conflict,) = result.conflicts
        assert conflict.id == sid and conflict.columns == ("number", "name")
        assert conflict.reference == "Summer Fest / north / #0001"  # the copy kept
        assert merged.signature(sid).name == "Ada Quillfeather"
        assert merged.db.execute("SELECT signatures_conflicting FROM merges ORDER BY id DESC").fetchone()[0] == 1
        assert merged.total() == 2
    said = run("merge", source, "--db", target).output
    assert "2 signature(s), 0 new, 1 already here, 1 conflicting" in said
    assert f"conflict: Ref. Summer Fest / north / #0001, id {sid}: number, name differ" in said


def test_a_conflicting_copy_never_changes_the_kept_letters_print_state(tmp_path):
    kept = tmp_path / "kept.db"
    assert run("sign", "--db", kept, "--cases", CASES, "--allow-sample-cases", "--case", "lawyer-amara-osei",
               "--name", "Alice", "--kind", "appeal", "--printer", "tcp://127.0.0.1:1?timeout=0.2").exit_code == 3
    other = tmp_path / "other.db"
    shutil.copy(kept, other)
    tamper(other, "UPDATE signatures SET name = 'Mallory'")
    tamper(other, "UPDATE print_jobs SET status = 'printed', printed_at = updated_at, last_error = NULL")
    said = run("merge", other, "--db", kept)
    assert said.exit_code == 0 and "1 conflicting" in said.output
    with Store(kept) as store:
        (job,) = store.jobs()
        assert job.status == "failed"  # Alice's letter still waits to print
    assert "No print jobs waiting" not in run("jobs", "--db", kept).output


def test_a_purge_on_either_side_is_not_a_conflict_and_wins(tmp_path, target):
    purged = tmp_path / "purged.db"
    shutil.copy(tmp_path / "first.db", purged)
    assert run("purge", "--personal-data", "--yes", "--db", purged).exit_code == 0
    with Store(target) as merged:
        (result,) = merged.merge([purged])
        assert (result.conflicting, result.already) == (0, 2)
        assert {s.name for s in merged.signatures()} == {""} and merged.total() == 2
        # the unpurged file merged again brings no name back, and is no conflict either
        (again,) = merged.merge([tmp_path / "first.db"])
        assert (again.conflicting, again.already) == (0, 2)
        assert {s.name for s in merged.signatures()} == {""}


def test_a_purged_row_never_brings_its_name_and_its_waiting_job_is_cancelled(tmp_path):
    source = fill(tmp_path / "a.db", LETTERS[:1], printed=False)
    tamper(source, "UPDATE signatures SET purged_at = '2026-07-04T00:00:00.000000Z'")  # name left in by hand
    target = tmp_path / "all.db"
    assert run("merge", source, "--db", target).exit_code == 0
    with Store(target) as merged:
        (sig,) = merged.signatures()
        assert sig.name == "" and sig.purged_at
        assert merged.job_for(sig.id).status == "cancelled" and merged.jobs() == []


def test_the_job_state_that_says_most_about_the_paper_wins(tmp_path):
    kiosk = fill(tmp_path / "k.db", LETTERS[:2], printed=False)
    target = tmp_path / "all.db"
    run("merge", kiosk, "--db", target)
    with Store(kiosk) as k:  # on the kiosk: one interrupted (maybe on paper), one printed
        a, b = k.jobs()
        k.claim_job(a.id, "p")
        k.interrupt_job(a.id, "cable pulled")
        k.claim_job(b.id, "p")
        k.finish_job(b.id)
    with Store(target) as t:  # meanwhile at the organiser: the second purged (cancelled)
        t.purge_personal_data(Scope(kiosk_id="north"))
    run("merge", kiosk, "--db", target)
    with Store(target) as t:
        assert t.job_for(a.signature_id).status == "cancelled"  # purged here: never printed again
        assert t.job_for(b.signature_id).status == "printed"    # it is on paper


def test_an_interrupted_letter_is_not_retried_after_a_merge(tmp_path):
    kiosk = fill(tmp_path / "k.db", LETTERS[:1], printed=False)
    target = tmp_path / "all.db"
    run("merge", kiosk, "--db", target)
    with Store(kiosk) as k:
        (job,) = k.jobs()
        k.claim_job(job.id, "p")
        k.interrupt_job(job.id, "paper out after the name")
    run("merge", kiosk, "--db", target)
    with Store(target) as t:
        assert t.job_for(job.signature_id).status == "printing"  # listed as interrupted: a person looks first


def test_two_kiosks_with_the_same_id_both_count_and_are_reported(tmp_path):
    a = fill(tmp_path / "a.db", LETTERS[:2])
    b = fill(tmp_path / "b.db", LETTERS[:2])  # set up from the same settings file: same kiosk id, same numbers
    with Store(tmp_path / "all.db") as merged:
        first, second = merged.merge([a, b])
        assert merged.total() == 4
        assert (first.sharing, second.sharing, second.added) == (0, 2, 2)
        assert second.shared_references == ("Summer Fest / north / #0001", "Summer Fest / north / #0002")


def test_the_same_source_twice_in_one_run_counts_once(tmp_path):
    a = fill(tmp_path / "a.db", LETTERS[:3])
    link = tmp_path / "link.db"
    link.symlink_to(a)
    result = run("merge", a, link, a, "--db", tmp_path / "all.db")
    assert result.exit_code == 0, result.output
    with Store(tmp_path / "all.db") as merged:
        assert merged.total() == 3


@pytest.mark.parametrize("how", ["itself", "symlink", "hard link", "its -wal", "its -shm"])
def test_the_target_itself_by_any_name_is_refused(tmp_path, target, how):
    other = fill(tmp_path / "b.db", LETTERS[4:5])
    holder = sqlite3.connect(target)  # keeps the target's -wal and -shm in place
    holder.execute("SELECT COUNT(*) FROM signatures").fetchone()
    try:
        source = {"itself": target, "symlink": tmp_path / "sym.db", "hard link": tmp_path / "hard.db",
                  "its -wal": Path(f"{target}-wal"), "its -shm": Path(f"{target}-shm")}[how]
        if how == "symlink":
            source.symlink_to(target)
        elif how == "hard link":
            os.link(target, source)
        before = rows(target, "signatures")
        result = run("merge", other, source, "--db", target)
    finally:
        holder.close()
    line = one_line(result)
    assert result.exit_code == 1 and str(source) in line, line
    if how.startswith("its -"):
        assert f"is the {how[4:]} file of all.db, not a database" in line
    assert rows(target, "signatures") == before


def test_the_target_named_as_a_journal_is_refused(tmp_path):
    a = fill(tmp_path / "a.db", LETTERS[:1])
    b = fill(tmp_path / "b.db", LETTERS[1:2])
    before = digest(a)
    result = run("merge", b, "--db", f"{a}-wal")
    assert result.exit_code == 1 and "is the -wal file of a.db" in one_line(result)
    assert not Path(f"{a}-wal").exists() and digest(a) == before


def test_a_source_from_a_newer_kiosk_is_refused_naming_it(tmp_path, target):
    newer = fill(tmp_path / "newer.db", LETTERS[2:3])
    tamper(newer, "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('kiosk', '0099_x', 'x')")
    result = run("merge", newer, "--db", target)
    line = one_line(result)
    assert result.exit_code == 1 and line.startswith(f"Error: {newer}:") and "newer version of kiosk" in line


def test_an_old_source_with_a_time_that_is_none_is_refused_naming_the_row(tmp_path):
    old = tmp_path / "old.db"
    old_database(old, rows=2)
    tamper(old, "UPDATE signatures SET created_at = 'last tuesday' WHERE number = 2")
    result = run("merge", old, "--db", tmp_path / "all.db")
    line = one_line(result)
    assert result.exit_code == 1 and "signatures row 2" in line and "created_at: not a time" in line, line


def test_many_rows_merge_once_and_fast(tmp_path):
    source = fill(tmp_path / "many.db", LETTERS[:1])
    conn = sqlite3.connect(source)
    base = dt.datetime(2026, 7, 3, 10, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    sigs, jobs = [], []
    for i in range(1500):
        moment = base + dt.timedelta(seconds=i)
        sid = str(uuid.UUID(int=i + 1, version=4))
        utc = moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        sigs.append((sid, i + 2, "lawyer-amara-osei", "appeal", f"Visitor {i}", "", utc,
                     moment.isoformat(timespec="microseconds"), "Summer Fest", "north"))
        jobs.append((sid, "printed", 1, utc, utc, utc))
    conn.executemany("INSERT INTO signatures (id, number, case_id, kind, name, message, created_at, local_time, event,"
                     " kiosk_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", sigs)
    conn.executemany("INSERT INTO print_jobs (signature_id, status, attempts, created_at, updated_at, printed_at)"
                     " VALUES (?, ?, ?, ?, ?, ?)", jobs)
    conn.commit()
    conn.close()
    target = tmp_path / "all.db"
    with Store(target) as merged:
        (first,) = merged.merge([source])
        (again,) = merged.merge([source])
        assert (first.added, again.added, again.already, merged.total()) == (1501, 0, 1501, 1501)


def test_a_source_file_name_that_is_not_utf8_is_recorded(tmp_path):
    odd = Path(os.fsdecode(bytes(tmp_path) + b"/kiosk-\xff.db"))
    fill(odd, LETTERS[:1])
    with Store(tmp_path / "all.db") as merged:
        merged.merge([odd])
        assert merged.db.execute("SELECT source FROM merges").fetchone()[0].endswith("kiosk-\ufffd.db")


# -- 2. read-only media, special files ---------------------------------------------------------------


def stick(tmp_path, letters=LETTERS[:3]):
    folder = tmp_path / "stick"
    folder.mkdir()
    return fill(folder / "kiosk.db", letters)


def test_a_kiosk_file_on_a_write_protected_stick_is_read_and_merged(tmp_path):
    db = stick(tmp_path)
    with write_protected(db, db.parent):
        counts = run("export", "counts", "--db", db)
        signatures = run("export", "signatures", "--db", db)
        letters = run("export", "letters", "--db", db)
        report = run("report", "--db", db)
        merged = run("merge", db, "--db", tmp_path / "all.db")
        left = beside(db)
    for result in (counts, signatures, letters, report, merged):
        assert result.exit_code == 0, result.output
    assert "not a kiosk database" not in counts.output and len(list(csv.DictReader(io.StringIO(
        signatures.output)))) == 3
    assert left == []


def test_letters_only_in_the_wal_of_a_pulled_stick_are_read(tmp_path):
    """A stick pulled from a running kiosk: its last letters are in kiosk.db-wal, and there is no -shm."""
    live = fill(tmp_path / "live.db", LETTERS[:2])
    writer = sqlite3.connect(live)
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("UPDATE signatures SET name = name")  # keeps the WAL from being folded in
    writer.commit()
    with Store(live) as store:
        store.db.execute("PRAGMA wal_autocheckpoint=0")
        cases = read_dir(CASES).cases
        for name in ("Wal Only One", "Wal Only Two"):
            store.record(case=cases["lawyer-amara-osei"], kind="appeal", name=name, message="", event="Summer Fest",
                         kiosk_id="north")
        folder = tmp_path / "stick"
        folder.mkdir()
        shutil.copy(live, folder / "kiosk.db")
        shutil.copy(f"{live}-wal", folder / "kiosk.db-wal")
    writer.close()
    db = folder / "kiosk.db"
    assert Path(f"{db}-wal").stat().st_size > 0 and not Path(f"{db}-shm").exists()
    with write_protected(db, Path(f"{db}-wal"), folder):
        exported = run("export", "signatures", "--db", db)
        merged = run("merge", db, "--db", tmp_path / "all.db")
        left = beside(db)
    assert exported.exit_code == 0 and merged.exit_code == 0, exported.output + merged.output
    assert "Wal Only Two" in exported.output
    assert left == ["kiosk.db-wal"]
    with Store(tmp_path / "all.db") as all_:
        assert all_.total() == 4


def test_reading_a_file_leaves_nothing_beside_it(tmp_path):
    db = fill(tmp_path / "k.db", LETTERS[:3])
    source = fill(tmp_path / "s.db", LETTERS[3:5])
    assert beside(db) == beside(source) == []
    before = digest(db), digest(source)
    for args in (["export", "counts", "--db", db], ["export", "signatures", "--db", db],
                 ["export", "letters", "--db", db], ["report", "--db", db],
                 ["merge", source, "--db", tmp_path / "t.db"]):
        assert run(*args).exit_code == 0
    assert beside(db) == beside(source) == []
    assert (digest(db), digest(source)) == before


def test_a_write_protected_file_asked_to_be_written_says_so(tmp_path):
    db = stick(tmp_path)
    with write_protected(db, db.parent):
        result = run("purge", "--personal-data", "--yes", "--db", db)
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1].startswith(f"Error: {db}: cannot write to it: the file or its"
                                                            " folder is write-protected")
    with Store(db) as store:
        assert {s.name for s in store.signatures()} == {row[-1] for row in LETTERS[:3]}


def test_a_file_written_while_it_was_read_is_not_trusted(tmp_path):
    db = fill(tmp_path / "k.db", LETTERS[:2])
    with pytest.raises(StoreError, match="written while it was read"), Store(db, readonly=True) as store:
        assert store.total() == 2
        with Store(db) as kiosk:  # a kiosk starts on it, writes, and folds its journal into the file
            kiosk.record(case_id="c", kind="appeal", name="Late", message="", event="E", kiosk_id="k9")


def test_a_running_kiosk_file_is_read_through_its_own_journal(tmp_path):
    db = fill(tmp_path / "k.db", LETTERS[:3])
    writer = sqlite3.connect(db)
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("UPDATE signatures SET name = 'Renamed' WHERE number = 1")
    writer.commit()
    writer.execute("BEGIN IMMEDIATE")  # and busy writing
    try:
        exported = run("export", "signatures", "--db", db)
        merged = run("merge", db, "--db", tmp_path / "all.db")
    finally:
        writer.rollback()
        writer.close()
    assert exported.exit_code == 0 and merged.exit_code == 0, exported.output + merged.output
    assert "Renamed" in exported.output


def test_an_older_kiosk_file_is_read_without_being_changed(tmp_path):
    old = tmp_path / "old.db"
    old_database(old, rows=2)
    before = digest(old)
    result = run("export", "signatures", "--db", old)
    assert result.exit_code == 0 and "Old Visitor 1" in result.output
    assert digest(old) == before and beside(old) == []


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "fifo wal"])
def test_special_files_are_one_line_never_a_hang(tmp_path, kind):
    if kind == "fifo":
        source = tmp_path / "pipe.db"
        os.mkfifo(source)
    elif kind == "dev-zero":
        source = tmp_path / "zero.db"
        source.symlink_to("/dev/zero")
    else:
        source = fill(tmp_path / "k.db", LETTERS[:1])
        os.mkfifo(f"{source}-wal")
        os.mkfifo(f"{source}-shm")
    for args in (["merge", source, "--db", tmp_path / "all.db"], ["export", "counts", "--db", source]):
        done = []
        worker = threading.Thread(target=lambda a=args, out=done: out.append(run(*a)), daemon=True)  # a hang stays
        worker.start()
        worker.join(timeout=20)
        assert done, f"kiosk {args[0]} hangs on a {kind}"
        line = one_line(done[0])
        assert done[0].exit_code == 1 and str(source) in line, line
        assert "not a regular file" in line or "FIFO" in line or "device" in line, line
    assert not (tmp_path / "all.db").exists()


def test_a_source_larger_than_the_limit_is_refused(tmp_path, monkeypatch):
    import kiosk.store.readonly

    monkeypatch.setattr(kiosk.store.readonly, "READ_MAX", 4096)
    source = fill(tmp_path / "big.db", LETTERS[:2])
    result = run("merge", source, "--db", tmp_path / "all.db")
    assert result.exit_code == 1 and "larger than 4 KB" in one_line(result)


# -- 3. letters keep their addressee ------------------------------------------------------------------


def moved(case, name):
    """The case file after the organiser edited its addressee."""
    addressee = dataclasses.replace(case.appeal.addressee, name=name, address=("New Office", "Capital"))
    return dataclasses.replace(case, appeal=dataclasses.replace(case.appeal, addressee=addressee))


def letters_by_addressee(db, *args):
    result = run("export", "letters", "--db", db, *args)
    assert result.exit_code == 0, result.output
    out: dict[str, set[str]] = {}
    for row in csv.DictReader(io.StringIO(result.output)):
        out.setdefault(row["addressee_name"], set()).add(row["signer_name"])
    return out


def test_letters_keep_the_addressee_they_were_printed_for(tmp_path):
    case = read_dir(CASES).cases["lawyer-amara-osei"]
    db = tmp_path / "k.db"
    with Store(db) as store:
        store.record(case=case, kind="appeal", name="Before", message="", event="E", kiosk_id="k1")
        store.record(case=moved(case, "New Minister"), kind="appeal", name="After", message="", event="E",
                     kiosk_id="k1")
    assert letters_by_addressee(db) == {case.appeal.addressee.name: {"Before"}, "New Minister": {"After"}}


def test_a_merged_file_with_a_newer_case_copy_does_not_take_other_kiosks_letters(tmp_path):
    case = read_dir(CASES).cases["lawyer-amara-osei"]
    north, south = tmp_path / "north.db", tmp_path / "south.db"
    with Store(north) as store:
        store.record(case=case, kind="appeal", name="North Visitor", message="", event="E", kiosk_id="north",
                     at=dt.datetime(2026, 7, 3, 10, tzinfo=dt.UTC))
    with Store(south) as store:  # a day later, with the edited case file
        store.record(case=moved(case, "New Minister"), kind="appeal", name="South Visitor", message="", event="E",
                     kiosk_id="south", at=dt.datetime(2026, 7, 4, 10, tzinfo=dt.UTC))
    merged = tmp_path / "all.db"
    assert run("merge", north, south, "--db", merged).exit_code == 0
    assert letters_by_addressee(merged) == {case.appeal.addressee.name: {"North Visitor"},
                                            "New Minister": {"South Visitor"}}


def test_letters_of_an_older_kiosk_keep_their_own_kiosks_addressee(tmp_path):
    """A file from before kiosks kept the addressee per letter takes its own snapshot of the case, once, so a
    newer copy merged with it later cannot move its letters."""
    from sqlite_utils import Database

    from kiosk.store.schema import migrations

    case = read_dir(CASES).cases["lawyer-amara-osei"]
    old = tmp_path / "old.db"
    db = Database(old)
    migrations.apply(db, stop_before="0004_letter_addressee")
    db.conn.close()
    with Store(tmp_path / "scratch.db") as scratch:  # a real 0003 row, copied over by hand
        scratch.record(case=case, kind="appeal", name="Old Visitor", message="", event="E", kiosk_id="old",
                       at=dt.datetime(2026, 7, 3, 10, tzinfo=dt.UTC))
        sig = scratch.signatures()[0]
        case_row = scratch.db.execute("SELECT id, title, person, country, ask, addressee_name, addressee_title,"
                                      " addressee_address, url, updated_at FROM cases").fetchone()
    conn = sqlite3.connect(old)
    conn.execute("INSERT INTO cases VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", case_row)
    conn.execute("INSERT INTO signatures (id, number, case_id, kind, name, message, created_at, local_time, event,"
                 " kiosk_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 [sig.id, 1, case.id, "appeal", "Old Visitor", "", sig.created_at, sig.local_time, "E", "old"])
    conn.commit()
    conn.close()
    newer = tmp_path / "newer.db"
    with Store(newer) as store:
        store.record(case=moved(case, "New Minister"), kind="appeal", name="New Visitor", message="", event="E",
                     kiosk_id="new", at=dt.datetime(2026, 7, 5, 10, tzinfo=dt.UTC))
    merged = tmp_path / "all.db"
    assert run("merge", old, newer, "--db", merged).exit_code == 0
    assert letters_by_addressee(merged) == {case.appeal.addressee.name: {"Old Visitor"},
                                            "New Minister": {"New Visitor"}}


# -- 4. crash paths ----------------------------------------------------------------------------------


def test_a_name_that_is_not_utf8_already_in_the_file_does_not_stop_any_export(tmp_path):
    db = fill(tmp_path / "k.db", LETTERS[:4])
    tamper(db, "UPDATE signatures SET name = CAST(x'416461ff' AS TEXT), event = CAST(x'4576ff' AS TEXT)"
               " WHERE number = 1 AND kiosk_id = 'north'")
    for args in (["export", "signatures"], ["export", "signatures", "--format", "json"], ["export", "letters"],
                 ["export", "counts", "--by", "event"], ["report"]):
        result = run(*args, "--db", db)
        assert result.exit_code == 0 and "unexpected" not in result.output, (args, result.output)
    assert "Ada\ufffd" in run("export", "signatures", "--db", db).output


def test_a_blob_where_text_belongs_does_not_stop_any_export(tmp_path):
    db = fill(tmp_path / "k.db", LETTERS[:4])
    tamper(db, "UPDATE signatures SET name = x'416461ff', message = x'00' WHERE number = 1 AND kiosk_id = 'north'")
    for args in (["export", "signatures"], ["export", "signatures", "--format", "json"], ["export", "letters"],
                 ["export", "letters", "--format", "html"], ["report"], ["jobs"]):
        result = run(*args, "--db", db)
        assert result.exit_code == 0 and "unexpected" not in result.output, (args, result.output)
    assert "Ada\ufffd" in run("export", "letters", "--db", db, "--format", "html").output


@pytest.mark.parametrize("args", [
    ["export", "counts", "--until", "9999-12-31"],
    ["export", "counts", "--since", "0001-01-01", "--until", "9999-12-31", "--by", "day"],
    ["export", "signatures", "--since", "9999-12-31"],
    ["export", "letters", "--until", "9999-12-31"],
    ["report", "--since", "0001-01-01", "--until", "9999-12-31"],
    ["report", "--since", "9999-12-31", "--until", "9999-12-31"],
    ["purge", "--personal-data", "--yes", "--before", "0001-01-01"],
    ["purge", "--personal-data", "--yes", "--before", "9999-12-31"],
])
def test_calendar_end_dates_are_days_like_any_other(tmp_path, args):
    db = fill(tmp_path / "k.db", LETTERS)
    result = run(*args, "--db", db)
    assert result.exit_code == 0, result.output
    with Store(db) as store:
        assert store.total() == len(LETTERS)
        purged = store.db.execute("SELECT COUNT(*) FROM signatures WHERE purged_at IS NOT NULL").fetchone()[0]
    assert purged == (len(LETTERS) if args[-1] == "9999-12-31" and args[0] == "purge" else 0)


def test_scope_edges_select_what_they_say(tmp_path):
    db = fill(tmp_path / "k.db", LETTERS)
    with Store(db) as store:
        assert store.total(Scope(until=dt.date.max)) == store.total(Scope(since=dt.date.min)) == len(LETTERS)
        assert store.total(Scope(before=dt.date.min)) == store.total(Scope.day(dt.date.max)) == 0
        assert store.total(Scope(before=dt.date(2026, 7, 4))) == 4  # the 3rd only, by the stall's clock


def test_rows_an_older_merge_let_in_still_read(tmp_path):
    """A target merged by an older kiosk may hold what merging now refuses: every export still works."""
    db = fill(tmp_path / "k.db", LETTERS[:3])
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA ignore_check_constraints=ON")
    conn.execute("UPDATE signatures SET number = 'x', local_time = 'garbage T', name = ? WHERE number = 1",
                 ["y" * 100_000])
    conn.commit()
    conn.close()
    for args in (["export", "letters"], ["export", "signatures"], ["report"], ["export", "counts", "--by", "hour"]):
        result = run(*args, "--db", db)
        assert result.exit_code == 0, (args, result.output[-500:])


@pytest.mark.parametrize("local_time, created_at, day", [
    ("garbage", "2026-07-03T08:05:00.000000Z", dt.date(2026, 7, 3)),
    ("", "9999-12-31T23:59:59.000000Z", dt.date(9999, 12, 31)),
    ("also garbage", "never", dt.date(1970, 1, 1)),
])
def test_a_signature_with_a_time_that_is_none_still_has_a_day(local_time, created_at, day):
    from kiosk.store import Signature

    sig = Signature("x", 1, "c", "appeal", "Ada", "", created_at, "E", "k1", local_time)
    assert abs(sig.stall_time.date().toordinal() - day.toordinal()) <= 1  # whatever this machine's time zone


@pytest.mark.parametrize("number, then", [(9223372036854775807, None), ("seven", 4), (999_999_998, 999_999_999)])
def test_numbers_an_older_merge_let_in_never_crash_recording(store, number, then):
    for _ in range(3):
        store.record(case_id="c", kind="appeal", name="Ada", message="", event="E", kiosk_id="k1")
    conn = sqlite3.connect(store.path)
    conn.execute("UPDATE signatures SET number = ? WHERE number = 2", [number])
    conn.commit()
    conn.close()
    if then is None:
        with pytest.raises(InputError, match="kiosk_id: kiosk 'k1' has used every number up to 999,999,999"):
            store.record(case_id="c", kind="appeal", name="Bo", message="", event="E", kiosk_id="k1")
    else:
        assert store.record(case_id="c", kind="appeal", name="Bo", message="", event="E", kiosk_id="k1").number == then


def test_read_errors_name_the_file_and_change_nothing(tmp_path):
    db = fill(tmp_path / "k.db", LETTERS[:2])
    with pytest.raises(StoreError, match="no such database"):
        Store(tmp_path / "missing.db", readonly=True)
    assert not (tmp_path / "missing.db").exists()
    before = digest(db)
    with Store(db, readonly=True) as store, pytest.raises(StoreError, match="cannot write"):
        store.record(case_id="c", kind="appeal", name="Ada", message="", event="E", kiosk_id="k1")
    assert digest(db) == before and beside(db) == []


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB file system of its own (tmpfs; the test is skipped where mounting is not allowed)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small file system here")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_called_a_full_disk_and_no_half_made_file_is_left(small_disk):
    sign = ["sign", "--cases", CASES, "--allow-sample-cases", "--case", "lawyer-amara-osei", "--kind", "appeal",
            "--printer", f"preview:{small_disk.parent / 'receipts'}"]
    assert run(*sign, "--name", "Ada", "--db", small_disk / "k.db").exit_code == 0
    with contextlib.suppress(OSError), open(small_disk / "fill", "wb") as f:
        f.write(b"\0" * 3_000_000)  # every byte left
    for db in ("k.db", "new.db"):
        result = run(*sign, "--name", "Bea", "--db", small_disk / db)
        assert result.exit_code == 1 and "not a kiosk database" not in result.output, result.output
        assert "disk" in one_line(result)
    assert not (small_disk / "new.db").exists()
    assert "Ada" in run("export", "signatures", "--db", small_disk / "k.db").output


def test_jobs_lists_a_write_protected_database(tmp_path):
    if shutil.which("chattr") is None:
        pytest.skip("no chattr here")
    db = tmp_path / "k.db"
    assert run("sign", "--db", db, "--cases", CASES, "--allow-sample-cases", "--case", "lawyer-amara-osei",
               "--name", "Alice", "--kind", "appeal", "--printer", "tcp://127.0.0.1:1?timeout=0.2").exit_code == 3
    if subprocess.run(["chattr", "+i", str(db)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not allowed here")
    try:
        before = digest(db)
        listed = run("jobs", "--db", db)
        assert listed.exit_code == 0 and "failed" in listed.output, listed.output
        assert digest(db) == before and beside(db) == []
    finally:
        subprocess.run(["chattr", "-i", str(db)], check=False)
