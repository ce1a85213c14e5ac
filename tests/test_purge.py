"""Purging personal data: every count stays, and no purged name can be read from the file."""

import itertools
import sqlite3

from click.testing import CliRunner

from kiosk.cli import cli
from kiosk.store import GROUPS, Scope, Store
from tests.helpers.records_data import LETTERS, NAMES, fill


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)


def raw_bytes(path):
    """Everything on disk for this database: the file, its WAL and its shared-memory index."""
    out = b""
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            with open(f"{path}{suffix}", "rb") as f:
                out += f.read()
        except FileNotFoundError:
            pass
    return out


def found(path, names):
    data = raw_bytes(path)
    return {n for n in names if n.encode("utf-8") in data or f"Message from {n}".encode() in data}


def all_counts(store):
    groups = list(GROUPS)
    combos = [c for r in (1, 2) for c in itertools.combinations(groups, r)] + [tuple(groups)]
    return {combo: store.counts(combo) for combo in combos}


def test_purge_keeps_every_count_and_leaves_no_name_in_the_file_or_wal(tmp_path):
    path = fill(tmp_path / "k.db")
    with Store(path) as store:
        # the names are on disk now, some only in the WAL: the check below can see them
        assert found(path, NAMES) == set(NAMES)
        before, total = all_counts(store), store.total()
        result = store.purge_personal_data(Scope())
        assert result.signatures == len(LETTERS)
        # read while this connection still has the file open, WAL included
        assert found(path, NAMES) == set()
        assert all_counts(store) == before and store.total() == total
        assert {(s.name, s.message) for s in store.signatures()} == {("", "")}
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_before_and_event_limit_what_is_purged(tmp_path):
    path = fill(tmp_path / "k.db")
    result = run("purge", "--personal-data", "--before", "2026-07-04", "--event", "Summer Fest", "--yes",
                 "--db", path)
    assert result.exit_code == 0, result.output
    # Summer Fest letters signed on the stall's 3 July; the one at 00:30 on the 4th stays
    gone = {name for (_, _, _, event, moment, name) in LETTERS if event == "Summer Fest" and moment.day < 4}
    assert gone == set(NAMES[:4])
    assert found(path, NAMES) == set(NAMES) - gone
    with Store(path) as store:
        assert store.total() == len(LETTERS)
        purged = {s.id for s in store.signatures() if s.purged_at}
        assert len(purged) == 4


def test_purge_asks_first_and_no_changes_nothing(tmp_path):
    path = fill(tmp_path / "k.db")
    result = run("purge", "--personal-data", "--db", path, input="n\n")
    assert result.exit_code == 1
    assert f"{len(LETTERS)} signature(s) with names and messages" in result.output
    assert "Nothing was changed." in result.output
    assert found(path, NAMES) == set(NAMES)
    result = run("purge", "--personal-data", "--db", path, input="y\n")
    assert result.exit_code == 0 and f"Still {len(LETTERS)} signature(s) counted" in result.output
    assert found(path, NAMES) == set()


def test_unprinted_letters_are_cancelled_not_printed_without_a_name(tmp_path):
    path = fill(tmp_path / "k.db", printed=False)
    result = run("purge", "--personal-data", "--db", path, "--yes")
    assert f"{len(LETTERS)} of them have not been printed yet" in result.output
    assert f"cancelled {len(LETTERS)} unprinted letter(s)" in result.output
    with Store(path) as store:
        assert store.jobs() == []  # nothing left waiting to print
        assert {j.status for j in store.jobs(("cancelled",))} == {"cancelled"}
    assert run("jobs", "--db", path).output.strip() == "No print jobs waiting."


def test_purge_needs_personal_data_and_a_known_event(tmp_path):
    path = fill(tmp_path / "k.db")
    result = run("purge", "--db", path, "--yes")
    assert result.exit_code == 2 and "--personal-data" in result.output
    result = run("purge", "--personal-data", "--event", "Nope", "--db", path, "--yes")
    assert result.exit_code == 1 and "--event: no event 'Nope'" in result.output
    assert found(path, NAMES) == set(NAMES)


def test_a_reader_holding_the_file_is_reported_and_a_second_purge_finishes(tmp_path, monkeypatch):
    """The removal is committed whatever happens; the result says the file could not be cleaned
    while another program reads it, and what that program holds goes when it closes the file."""
    import kiosk.store.connection

    path = fill(tmp_path / "k.db")
    monkeypatch.setattr(kiosk.store.connection, "BUSY_TIMEOUT", 0.2)
    reader = sqlite3.connect(path)
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM signatures").fetchone()  # holds a snapshot of the WAL
    try:
        with Store(path) as store:
            result = store.purge_personal_data(Scope())
            assert (result.signatures, result.cleaned) == (len(LETTERS), False)
            assert {s.name for s in store.signatures()} == {""}  # the data was purged
        assert found(path, NAMES)  # what the reader's snapshot holds is still in the file: the warning is true
    finally:
        reader.rollback()
        reader.close()
    assert found(path, NAMES) == set()  # it closed the file: gone
    with Store(path) as store:
        result = store.purge_personal_data(Scope())  # nothing left to purge; the file is cleaned
        assert (result.signatures, result.cleaned) == (0, True)
        assert found(path, NAMES) == set()


def test_a_second_purge_cleans_what_a_reader_kept_while_it_stays_open(tmp_path, monkeypatch):
    import kiosk.store.connection

    path = fill(tmp_path / "k.db")
    monkeypatch.setattr(kiosk.store.connection, "BUSY_TIMEOUT", 0.2)
    reader = sqlite3.connect(path)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT COUNT(*) FROM signatures").fetchone()
        result = run("purge", "--personal-data", "--db", path, "--yes")
        assert result.exit_code == 0, result.output  # it was done
        assert f"Removed names and messages of {len(LETTERS)} signature(s)" in result.stdout
        assert "File vacuumed" not in result.output
        (warning,) = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
        assert warning.startswith(f"warning: another program has {path} open")
        assert warning.endswith("To clean it now, close that program and run this purge again.")
        assert found(path, NAMES)
        reader.rollback()  # done reading, still open (a kiosk left running): a purge run again cleans
        again = run("purge", "--personal-data", "--db", path, "--yes")
        assert again.exit_code == 0 and "File vacuumed and journal emptied" in again.output
        assert "warning" not in again.output and found(path, NAMES) == set()
    finally:
        reader.close()
