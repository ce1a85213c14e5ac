"""Merging many kiosks' files: taken one at a time, so more of them than the open-file limit
allows open at once still merge, and a file the limit keeps shut is said to be that; a re-merge
reads only the rows that are not here as they are; merge and purge draw a bar on a terminal
and nothing when their output is not one."""

from __future__ import annotations

import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import uuid

import pytest
from click.testing import CliRunner

import kiosk.store.merge as merging
from kiosk.cli import cli
from kiosk.store import Store
from kiosk.store.open_files import MERGE_FEWER, limit_problem, out_of_files
from tests.helpers import ROOT
from tests.helpers.records_data import LETTERS, fill
from tests.helpers.terminal import stderr_on_a_terminal


def sources(folder, count, letters=2):
    """``count`` kiosk files of ``letters`` letters each, every letter its own (a new id)."""
    template = fill(folder / "template.db", LETTERS[:letters])
    conn = sqlite3.connect(template)
    conn.execute("PRAGMA journal_mode=DELETE")  # one file each: nothing beside it
    ids = [row[0] for row in conn.execute("SELECT id FROM signatures")]
    conn.close()
    data = template.read_bytes()
    paths = []
    for i in range(count):
        path = folder / f"stall-{i:03d}.db"
        path.write_bytes(data)
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA synchronous=OFF")
        with conn:
            for old in ids:
                new = str(uuid.uuid4())
                conn.execute("UPDATE print_jobs SET signature_id = ? WHERE signature_id = ?", [new, old])
                conn.execute("UPDATE signatures SET id = ? WHERE id = ?", [new, old])
        conn.close()
        paths.append(path)
    return paths


def merge_limited(paths, target, limit):
    """``kiosk merge`` as a process of its own whose open-file limit is ``limit``."""
    def limited():
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

    return subprocess.run([sys.executable, "-m", "kiosk", "merge", *map(str, paths), "--db", str(target)],
                          capture_output=True, text=True, cwd=ROOT, preexec_fn=limited, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.mark.parametrize("count", [pytest.param(40), pytest.param(500, marks=pytest.mark.long)])
def test_more_files_than_the_open_file_limit_allows_open_at_once_all_merge(tmp_path, count):
    paths = sources(tmp_path, count)
    target = tmp_path / "all.db"
    done = merge_limited(paths, target, 64)  # held open at once, 40 files would need some 130
    assert done.returncode == 0, done.stderr
    assert f"{target}: 0 -> {2 * count} signature(s)" in done.stdout
    with Store(target, create=False, readonly=True) as merged:
        assert merged.total() == 2 * count
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("kiosk-merge-")]  # no copy left behind


def test_a_file_the_open_file_limit_keeps_shut_is_said_to_be_that_not_a_damaged_file(tmp_path):
    (path,) = sources(tmp_path, 1)
    target = fill(tmp_path / "all.db", LETTERS[2:3])
    before = target.read_bytes()
    probe = subprocess.run([sys.executable, "-c", "import os; print(len(os.listdir('/proc/self/fd')))"],
                           capture_output=True, text=True, check=True)
    seen, names = set(), set()
    for spare in (1, 2, 3, 16):  # from too few files for the database merged into, to enough for everything
        done = merge_limited([path], target, int(probe.stdout) + spare)
        if "init_import_site" in done.stderr:  # too few for Python itself to start
            continue
        seen.add(done.returncode)
        if done.returncode == 0:
            break
        assert "not a kiosk database" not in done.stderr and "Traceback" not in done.stderr, done.stderr
        assert "open-file limit" in done.stderr or "Too many open files" in done.stderr, done.stderr
        assert target.read_bytes() == before  # nothing merged
        names.add(done.stderr.split(": ")[1])  # "Error: FILE: ..."
    assert str(path) in " ".join(names)  # the source kept shut is named
    assert seen >= {0, 1}  # the limit kept a file shut at first, and with enough the merge went through


def test_a_file_refused_for_the_open_file_limit_names_the_limit(tmp_path, monkeypatch):
    """Below the command line: the store's message says what to do (raise the limit, or merge fewer at a time)."""
    a, b = fill(tmp_path / "a.db", LETTERS[:1]), fill(tmp_path / "b.db", LETTERS[1:2])
    monkeypatch.setattr(merging, "out_of_files", lambda: limit_problem(MERGE_FEWER, "64"))
    monkeypatch.setattr(merging.ReadOnlyFile, "__init__", _refuse_to_open)
    result = CliRunner().invoke(cli, ["merge", str(a), str(b), "--db", str(tmp_path / "all.db")])
    assert result.exit_code == 1
    assert "a.db: cannot be opened: too many files are open at once" in result.output
    assert "`ulimit -n`, is 64" in result.output and "not a kiosk database" not in result.output
    assert not (tmp_path / "all.db").exists()


def _refuse_to_open(self, path, **_):
    raise sqlite3.OperationalError("unable to open database file")


def test_out_of_files_is_only_said_when_it_is_so(tmp_path):
    assert merging.out_of_files() is None and out_of_files() is None
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database at all" * 100)
    result = CliRunner().invoke(cli, ["merge", str(bad), "--db", str(tmp_path / "all.db")])
    assert result.exit_code == 1 and "not a kiosk database" in result.output


def test_a_re_merge_reads_none_of_the_rows_already_here_as_they_are(tmp_path, monkeypatch):
    a, b = fill(tmp_path / "a.db", LETTERS[:4]), fill(tmp_path / "b.db", LETTERS[4:])
    target = tmp_path / "all.db"
    with Store(target) as store:
        store.merge([a, b])
    checked = []
    for name in ("signature_row", "job_row"):
        real = getattr(merging, name)
        monkeypatch.setattr(merging, name, lambda row, real=real, name=name: checked.append(name) or real(row))
    with Store(target) as store:
        again = store.merge([a, b])
    assert checked == []  # nothing here as it is in the file was read, let alone checked again
    assert [(r.signatures, r.added, r.already) for r in again] == [(4, 0, 4), (len(LETTERS) - 4, 0, len(LETTERS) - 4)]


def test_a_row_here_in_another_form_is_read_and_checked(tmp_path, monkeypatch):
    """Only a row here exactly as it is in the file (every value, of the same type) goes unread:
    the same name as bytes, a job moved on, another message are each read and checked as ever."""
    a = fill(tmp_path / "a.db", LETTERS[:3], printed=False)
    target = tmp_path / "all.db"
    with Store(target) as store:
        store.merge([a])
    conn = sqlite3.connect(a)
    first, second, third = (row[0] for row in conn.execute("SELECT id FROM signatures ORDER BY number"))
    with conn:
        conn.execute("UPDATE signatures SET name = CAST(name AS BLOB) WHERE id = ?", [first])
        conn.execute("UPDATE print_jobs SET status = 'printed', printed_at = updated_at WHERE signature_id = ?",
                     [second])
        conn.execute("UPDATE signatures SET message = 'Another message' WHERE id = ?", [third])
    conn.close()
    checked = []
    real = merging.signature_row
    def counted(row):  # rows of the file (read as bytes), not the copy here compared in its stead
        if isinstance(row["id"], bytes):
            checked.append(row["id"].decode())
        return real(row)

    monkeypatch.setattr(merging, "signature_row", counted)
    with Store(target) as store:
        (result,) = store.merge([a])
        assert sorted(checked) == sorted([first, third])
        assert (result.already, result.conflicting) == (2, 1)  # the name as bytes is the same name
        assert result.conflicts[0].id == third and result.conflicts[0].columns == ("message",)
        assert store.job_for(second).status == "printed"


def test_a_row_refused_in_a_re_merge_still_refuses_the_merge(tmp_path):
    a = fill(tmp_path / "a.db", LETTERS[:2])
    target = tmp_path / "all.db"
    with Store(target) as store:
        store.merge([a])
    conn = sqlite3.connect(a)
    with conn:
        conn.execute("UPDATE signatures SET signer = 'not a fingerprint' WHERE number = 2")
    conn.close()
    before = shutil.copy(target, tmp_path / "before.db")
    result = CliRunner().invoke(cli, ["merge", str(a), "--db", str(target)])
    assert result.exit_code == 1 and "signatures row 2" in result.output and "signer" in result.output
    with Store(target, create=False, readonly=True) as merged, Store(before, create=False, readonly=True) as old:
        assert merged.total() == old.total() == 2


# -- the bar --------------------------------------------------------------------------------

SHOWN_AT_ONCE = """
import sys
import kiosk.cli.progress as progress
progress.progress.__wrapped__.__kwdefaults__["show_after"] = 0.0  # any work draws its bar: the test needs no long work
from kiosk.cli import main
sys.argv[0] = "kiosk"
main()
"""


def on_a_terminal(*args):
    """``kiosk ARGS`` with standard error on a pseudo-terminal and standard output a pipe: (exit code, stdout,
    what the terminal showed)."""
    return stderr_on_a_terminal([sys.executable, "-c", SHOWN_AT_ONCE, *map(str, args)])


def test_merge_and_purge_draw_a_bar_on_a_terminal(tmp_path):
    a, b = fill(tmp_path / "a.db", LETTERS[:3]), fill(tmp_path / "b.db", LETTERS[3:])
    target = tmp_path / "all.db"
    code, out, shown = on_a_terminal("merge", a, b, "--db", target)
    assert code == 0 and f"{target}: 0 -> {len(LETTERS)} signature(s)" in out
    assert b"Merging 2 file(s) into" in shown and b"\xe2\x94\x81" in shown  # the label, the bar's line drawing
    code, out, shown = on_a_terminal("purge", "--personal-data", "--yes", "--db", target)
    assert code == 0 and f"Removed names and messages of {len(LETTERS)} signature(s)" in out
    assert b"Removing personal data from" in shown and b"\xe2\x94\x81" in shown


def test_merge_and_purge_print_nothing_more_when_not_on_a_terminal(tmp_path, monkeypatch):
    monkeypatch.setattr("kiosk.cli.progress.SHOW_AFTER", 0.0)
    a = fill(tmp_path / "a.db", LETTERS[:3])
    target = tmp_path / "all.db"
    merged = CliRunner().invoke(cli, ["merge", str(a), "--db", str(target)])
    purged = CliRunner().invoke(cli, ["purge", "--personal-data", "--yes", "--db", str(target)])
    assert merged.exit_code == purged.exit_code == 0
    assert merged.stderr == purged.stderr == ""
    assert "\x1b" not in merged.stdout + purged.stdout and "\u2501" not in merged.stdout + purged.stdout


def test_the_store_tells_how_far_a_merge_and_a_purge_are(tmp_path):
    a, b = fill(tmp_path / "a.db", LETTERS[:3]), fill(tmp_path / "b.db", LETTERS[3:])
    ticks = []
    with Store(tmp_path / "all.db") as store:
        store.merge([a, b], progress=lambda done, total: ticks.append((done, total)))
        assert ticks[-1] == (len(LETTERS), len(LETTERS))  # every letter read, and the total right at the end
        assert all(done <= total for done, total in ticks) and ticks == sorted(ticks)
        ticks.clear()
        store.purge_personal_data(store_scope(), progress=lambda done, total: ticks.append((done, total)))
        assert ticks[-1] == (2, 2)


def store_scope():
    from kiosk.store import Scope

    return Scope()


def test_a_refused_file_leaves_no_copy_of_the_next_one_behind(tmp_path):
    """The next file is copied and checked while one is merged: when that one is refused, the
    copy made ahead goes too, and nothing is merged."""
    bad, good = fill(tmp_path / "bad.db", LETTERS[:2]), fill(tmp_path / "good.db", LETTERS[2:])
    conn = sqlite3.connect(bad)
    with conn:
        conn.execute("UPDATE signatures SET signer = 'not a fingerprint' WHERE number = 2")
    conn.close()
    target = tmp_path / "all" / "all.db"
    target.parent.mkdir()
    result = CliRunner().invoke(cli, ["merge", str(bad), str(good), "--db", str(target)])
    assert result.exit_code == 1 and "bad.db" in result.output and "signer" in result.output
    assert sorted(p.name for p in target.parent.iterdir()) == []  # no copy, and no target made for nothing
