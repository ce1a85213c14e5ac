"""Merging kiosks: each signature counts once, sources are never written, bad files refused."""

import hashlib
import shutil
import sqlite3

import pytest
from click.testing import CliRunner

from kiosk.cli import cli
from kiosk.store import Store
from tests.helpers.records_data import LETTERS, fill
from tests.test_schema import old_database


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def table(path, name):
    conn = sqlite3.connect(path)
    try:
        columns = "signature_id, status, attempts, printer, last_error, printed_at" if name == "print_jobs" else "*"
        return sorted(conn.execute(f"SELECT {columns} FROM {name}").fetchall(), key=repr)
    finally:
        conn.close()


@pytest.fixture
def kiosks(tmp_path):
    """Two kiosks' databases, and a third that is a copy of the first with more letters."""
    a = fill(tmp_path / "a.db", LETTERS[:4])
    b = fill(tmp_path / "b.db", LETTERS[4:])
    c = tmp_path / "c.db"
    shutil.copy(a, c)
    fill(c, LETTERS[6:7])  # the same letter text again, but a new signature (new UUID)
    return a, b, c


def test_merging_twice_equals_merging_once(tmp_path, kiosks):
    a, b, _ = kiosks
    once, twice = tmp_path / "once.db", tmp_path / "twice.db"
    assert run("merge", a, b, "--db", once).exit_code == 0
    run("merge", a, b, "--db", twice)
    second = run("merge", a, "--db", twice)
    assert "4 signature(s), 0 new, 4 already here" in second.output
    for name in ("signatures", "print_jobs", "cases"):
        assert table(once, name) == table(twice, name), name


def test_counts_equal_the_sum_of_the_sources_distinct_signatures(tmp_path, kiosks):
    a, b, c = kiosks
    target = tmp_path / "all.db"
    result = run("merge", a, b, c, "--db", target)
    assert result.exit_code == 0, result.output
    assert "c.db: 5 signature(s), 1 new, 4 already here" in result.output
    distinct = {}
    for source in (a, b, c):
        with Store(source) as s:
            for sig in s.signatures():
                distinct[sig.id] = sig.case_id
    with Store(target) as merged:
        per_case = {r["case_id"]: r["count"] for r in merged.counts("case")}
        assert merged.total() == len(distinct) == 9
        # one of everything: print jobs too
        assert merged.db.execute("SELECT COUNT(*) FROM print_jobs").fetchone()[0] == 9
        assert merged.db.execute("SELECT signatures_added FROM merges ORDER BY id").fetchall() == [(4,), (4,), (1,)]
    expected = {}
    for case_id in distinct.values():
        expected[case_id] = expected.get(case_id, 0) + 1
    assert per_case == expected


def test_sources_are_only_read(tmp_path, kiosks):
    a, b, _ = kiosks
    before = {p: digest(p) for p in (a, b)}
    run("merge", a, b, "--db", tmp_path / "all.db")
    assert {p: digest(p) for p in (a, b)} == before
    assert not list(tmp_path.glob("kiosk-merge-*"))  # the checked copies are gone


def test_an_older_source_is_migrated_in_a_copy(tmp_path, kiosks):
    a, _, _ = kiosks
    old = tmp_path / "old.db"
    ids = old_database(old, rows=3)
    before = digest(old)
    target = tmp_path / "all.db"
    result = run("merge", old, a, "--db", target)
    assert result.exit_code == 0, result.output
    assert digest(old) == before  # still the old schema, byte for byte
    with Store(target) as merged:
        assert {sig.id for sig in merged.signatures()} >= set(ids)
        assert merged.total() == 7
        # the case snapshot from the newer kiosk fills in what the old one lacked
        assert merged.case_rows()["lawyer-amara-osei"]["addressee_name"]


@pytest.mark.parametrize("kind", ["text", "foreign", "damaged", "missing", "folder", "itself"])
def test_anything_else_is_refused_in_one_line_and_nothing_is_merged(tmp_path, kiosks, kind):
    a, _, _ = kiosks
    target = tmp_path / "all.db"
    run("merge", a, "--db", target)
    bad = tmp_path / "bad.db"
    if kind == "text":
        bad.write_text("name,count\nAda,1\n" * 50)
    elif kind == "foreign":
        conn = sqlite3.connect(bad)
        conn.execute("CREATE TABLE invoices (id INTEGER)")
        conn.commit()
        conn.close()
    elif kind == "damaged":
        shutil.copy(a, bad)
        data = bytearray(bad.read_bytes())
        data[4096:8192] = b"\xff" * 4096  # a page of garbage
        bad.write_bytes(bytes(data))
    elif kind == "folder":
        bad.mkdir()
    elif kind == "itself":
        bad = target
    before = digest(bad) if bad.is_file() else None
    target_before = table(target, "signatures")
    b = fill(tmp_path / "b.db", LETTERS[4:5])
    result = run("merge", b, bad, "--db", target)
    assert result.exit_code == 1  # a folder too: a file it cannot use, named
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and str(bad) in lines[0] and "Traceback" not in result.output, result.output
    assert table(target, "signatures") == target_before  # b.db was not merged either
    if before:
        assert digest(bad) == before


def test_a_name_purged_in_a_source_stays_purged(tmp_path, kiosks):
    a, _, _ = kiosks
    target = tmp_path / "all.db"
    run("merge", a, "--db", target)
    purged = tmp_path / "purged.db"
    shutil.copy(a, purged)
    assert run("purge", "--personal-data", "--yes", "--db", purged).exit_code == 0
    run("merge", purged, "--db", target)
    with Store(target) as merged:
        assert {sig.name for sig in merged.signatures()} == {""}
        assert merged.total() == 4


def test_a_locked_target_is_one_line(tmp_path, kiosks, monkeypatch):
    import kiosk.store.connection

    a, _, _ = kiosks
    target = tmp_path / "all.db"
    run("merge", a, "--db", target)
    monkeypatch.setattr(kiosk.store.connection, "BUSY_TIMEOUT", 0.2)
    writer = sqlite3.connect(target)
    writer.execute("BEGIN IMMEDIATE")
    try:
        result = run("merge", fill(tmp_path / "b.db", LETTERS[4:5]), "--db", target)
    finally:
        writer.rollback()
        writer.close()
    assert result.exit_code == 1
    assert "database is locked" in result.output and str(target) in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_letter_printed_on_its_kiosk_after_a_merge_is_not_waiting_in_the_merged_file(tmp_path):
    """Otherwise `kiosk jobs retry` on the merged file would print it a second time."""
    source = fill(tmp_path / "a.db", LETTERS[:2], printed=False)
    target = tmp_path / "all.db"
    run("merge", source, "--db", target)
    with Store(target) as merged:
        assert len(merged.jobs()) == 2  # waiting here too, as on the kiosk
    with Store(source) as kiosk:  # later, the kiosk prints one of them
        job = kiosk.jobs()[0]
        kiosk.claim_job(job.id, "kiosk printer")
        kiosk.finish_job(job.id)
        printed_id = job.signature_id
    result = run("merge", source, "--db", target)
    assert "0 new" in result.output
    with Store(target) as merged:
        assert merged.job_for(printed_id).status == "printed"
        assert len(merged.jobs()) == 1
