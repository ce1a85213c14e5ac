"""The command line against an attacker at a festival and a tired organiser on Monday.

What the command line writes, to the terminal and to files, and what its exit codes say:

- terminal injection: text from a database (a merged kiosk file) or a file name never
  reaches the terminal raw: escape sequences, OSC 52 clipboard writes, CR, backspace, C1
  controls and bidi overrides arrive as visible text (``\\x1b``, ``\\u202e``);
- spreadsheet injection: no CSV cell starts with what a spreadsheet runs as a formula;
- destroyed data: an output file never replaces the database (by name, link or hard link),
  a SQLite file, a settings file, a FIFO or a device, and a failed write leaves the old
  file whole and no temporary file;
- exit codes: once "Recorded" is written, no fault exits 1 ("nothing recorded");
- files readable by others: errors.log and every folder made for it are the owner's only;
- crash paths: odd dates, empty strings, bytes that are not UTF-8, a closed pipe, a full
  disk and a closed stdout are one line (or silence), never a traceback.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import cli
from kiosk.errors import StoreError
from kiosk.private import open_private, private_dir
from kiosk.text import for_spreadsheet, for_terminal
from tests.helpers import CASES, ROOT
from tests.helpers.fake_printer import refusing_port
from tests.helpers.records_data import fill
from tests.helpers.terminal import on_a_terminal

# An attacker's text: an OSC 52 clipboard write, clear screen, CR and backspace that rewrite
# the line, a C1 CSI, a right-to-left override, an isolate and a line separator.
HOSTILE = "\x1b]52;c;SGVsbG8=\x07\x1b[2J\rOK\x08\x9b31m\u202eevil\u2066\u2028end"
# Characters a terminal acts on (newline and tab aside), bidi controls and lone surrogates.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069"
                    "\ud800-\udfff]")


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def assert_safe(text: str) -> None:
    assert not UNSAFE.findall(text), [hex(ord(c)) for c in UNSAFE.findall(text)]


def one_line(result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output and "unexpected error" not in result.output
    return lines[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


@pytest.fixture
def hostile_db(tmp_path) -> Path:
    """A kiosk database as a merged file may make it: hostile text in names, events,
    messages and print errors (the store does not check what is already in a file)."""
    db = fill(tmp_path / "k.db", printed=False)
    con = sqlite3.connect(db)
    with con:
        con.execute("UPDATE signatures SET name = ? || name, message = ?, event = ? || event WHERE number % 2 = 1",
                    ["=HYPERLINK(\"http://evil.example\",\"x\")" + HOSTILE, HOSTILE, HOSTILE])
        con.execute("UPDATE print_jobs SET status = 'failed', attempts = 1, last_error = ?", [HOSTILE])
    con.close()
    return db


def kiosk_process(*args: str, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "kiosk", *args], env=env, timeout=60, **kwargs)


# -- terminal injection -----------------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ["report"],
    ["jobs"],
    ["export", "counts", "--event", "no such event"],  # the error lists the known events
    ["export", "letters", "--case", "nope"],
    ["purge", "--personal-data", "--event", "no such event", "--yes"],
])
def test_data_from_a_database_reaches_the_terminal_as_visible_text(hostile_db, args):
    wide = {"COLUMNS": "400"}  # the report's table cells in full, not folded
    result = run(*args, "--db", str(hostile_db), "--cases", str(CASES), env=wide) \
        if args[0] in ("report", "export") and args[1:2] != ["counts"] else run(*args, "--db", str(hostile_db))
    assert_safe(result.output)
    if args != ["export", "letters", "--case", "nope"]:
        assert "\\x1b]52;c;SGVsbG8=\\x07" in result.output and "\\u202e" in result.output, result.output


EVIL = f"{HOSTILE}\udcff"  # and a byte that was not UTF-8, as a non-UTF-8 file name arrives


@pytest.mark.parametrize("command", ["jobs", "export", "merge", "cases check", "printer list", "report", "export -o",
                                     "sign"])
def test_file_names_reach_the_terminal_as_visible_text(tmp_path, hostile_db, command):
    if command == "cases check":
        (tmp_path / "cases").mkdir()
        (tmp_path / "cases" / f"{EVIL}.toml").write_bytes(b"not = [valid")
    if command == "printer list":
        (tmp_path / "printers").mkdir()
        (tmp_path / "printers" / f"{EVIL}.toml").write_bytes(b"type = 3")
    args = {
        "jobs": ["jobs", "--db", str(tmp_path / f"{EVIL}.db")],
        "export": ["export", "counts", "--db", str(tmp_path / f"{EVIL}.db")],
        "merge": ["merge", str(tmp_path / f"{EVIL}.db"), "--db", str(tmp_path / "t.db")],
        "cases check": ["cases", "check", str(tmp_path / "cases")],
        "printer list": ["printer", "list", "--printers", str(tmp_path / "printers")],
        "report": ["report", "--db", str(hostile_db), "--out", str(tmp_path / f"{EVIL}out")],
        "export -o": ["export", "signatures", "--db", str(hostile_db), "-o", str(tmp_path / f"{EVIL}.json")],
        "sign": ["sign", "--case", "lawyer-amara-osei", "--name", "Ada", "--kind", "appeal", "--db",
                 str(tmp_path / "s.db"), "--cases", str(CASES), "--allow-sample-cases",
                 "--printer", f"preview:{tmp_path / HOSTILE}"],
    }[command]
    result = run(*args)
    assert_safe(result.output)
    assert "\\x1b]52;c;SGVsbG8=\\x07" in result.output, result.output
    if command != "sign":
        assert "\\xff" in result.output  # the byte, shown as a byte


def test_an_unexpected_error_is_one_safe_line(tmp_path, monkeypatch, capsys):
    import kiosk.application.records
    from kiosk.cli import main

    def broken(*_args, **_kwargs):
        raise RuntimeError(HOSTILE)

    monkeypatch.setattr(kiosk.application.records.Records, "counts", broken)
    monkeypatch.setattr(sys, "argv", ["kiosk", "export", "counts", "--db", str(fill(tmp_path / "k.db"))])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert_safe(err)
    assert err.count("\n") == 1 and "unexpected error: RuntimeError: \\x1b]52" in err


def test_exports_to_a_terminal_are_made_safe_and_to_a_file_or_pipe_exact(hostile_db):
    code, shown = on_a_terminal("export", "signatures", "--db", str(hostile_db))
    assert code == 0
    assert_safe(shown.replace("\r\n", "\n"))
    assert "\\x1b]52;c;SGVsbG8=\\x07" in shown
    piped = kiosk_process("export", "signatures", "--db", str(hostile_db), "--format", "json", capture_output=True)
    assert piped.returncode == 0
    assert {row["message"] for row in json.loads(piped.stdout)} >= {HOSTILE}  # data, exactly as stored


def test_the_report_on_a_terminal_shows_data_as_text(hostile_db):
    code, shown = on_a_terminal("report", "--db", str(hostile_db), "--cases", str(CASES))
    assert code == 0
    styles = re.compile(r"\x1b\[[0-9;]*m")  # rich's own colours and bold: the report's, not the data's
    assert_safe(styles.sub("", shown.replace("\r\n", "\n")))
    assert "\\x1b]52" in shown


@pytest.mark.parametrize("text, shown", [
    ("a\x1bb", "a\\x1bb"), ("\x9b2J", "\\x9b2J"), ("x\ry", "x\\ry"), ("x\by", "x\\x08y"), ("a\nb", "a\\nb"),
    ("\u202eabc", "\\u202eabc"), ("\u2066x\u2069", "\\u2066x\\u2069"), ("\udcff", "\\xff"), ("\ud800", "\\ud800"),
    ("Zoë Ясенев حداد 😀 \u200d", "Zoë Ясенев حداد 😀 \u200d"),
])
def test_for_terminal_shows_each_unsafe_character(text, shown):
    assert for_terminal(text) == shown


# -- spreadsheet injection ----------------------------------------------------------------------

FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"click\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)",
            "\t=1+1", "\r=1+1", " =1+1", "\u3000=1", "\u200b=1+1", "\uff1d1+1", "\uff0b1", "\uff20SUM(1)", "\u22121"]
TRIGGERS = set("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b\u2212")


def live(cell: str) -> bool:
    """Whether a spreadsheet could read ``cell`` as a formula."""
    if cell[:1] in TRIGGERS:
        return True
    rest = cell.lstrip(" \t\r\n\u00a0\u3000\u200b\ufeff")
    return rest[:1] in TRIGGERS


@pytest.fixture
def formula_db(tmp_path) -> Path:
    db = fill(tmp_path / "k.db")
    con = sqlite3.connect(db)
    with con:
        for number, formula in enumerate(FORMULAS[:8], start=1):
            con.execute("UPDATE signatures SET name = ?, message = ?, event = ?, kiosk_id = ? WHERE rowid = ?",
                        [formula, formula, formula, formula, number])
    con.close()
    return db


@pytest.mark.parametrize("args", [
    ["export", "signatures"],
    ["export", "counts", "--by", "case,kind,event,kiosk,day"],
    ["export", "letters"],
])
def test_no_csv_cell_is_a_live_formula(formula_db, tmp_path, args):
    result = run(*args, "--db", str(formula_db), "-o", str(tmp_path / "out.csv"))
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO((tmp_path / "out.csv").read_text(encoding="utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert [c for c in cells if live(c)] == []
    assert any(c.startswith("'=HYPERLINK") for c in cells)  # kept, shown as text
    head = rows[0]
    for name in ("count", "number"):
        if name in head:
            assert all(row[head.index(name)].isdigit() for row in rows[1:])  # numbers stay numbers
    stdout = run(*args, "--db", str(formula_db))
    assert [c for row in csv.reader(io.StringIO(stdout.output)) for c in row if live(c)] == []


def test_json_keeps_the_text_as_it_is(formula_db):
    rows = json.loads(run("export", "signatures", "--db", str(formula_db), "--format", "json").output)
    assert {r["name"] for r in rows} >= set(FORMULAS[:8])


@pytest.mark.parametrize("cell", FORMULAS)
def test_for_spreadsheet_makes_each_formula_inert(cell):
    expected = "'" + cell.replace("\r", "\n")
    if cell.startswith("\t="):  # a spreadsheet splitting on tabs starts a cell after it: quoted too
        expected = "'\t'" + cell[1:]
    assert for_spreadsheet(cell) == expected


def test_a_cr_in_a_cell_can_neither_end_the_row_nor_start_a_cell(formula_db, tmp_path):
    """Python's CSV writer leaves a lone CR unquoted; a spreadsheet ends the row there."""
    con = sqlite3.connect(formula_db)
    with con:
        con.execute("UPDATE signatures SET message = ?", ["fine\r=1+1\r\nnext"])
    con.close()
    assert run("export", "signatures", "--db", str(formula_db), "-o", str(tmp_path / "s.csv")).exit_code == 0
    raw = (tmp_path / "s.csv").read_bytes()
    assert b"\r" not in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(rows) == 9 and {len(row) for row in rows} == {len(rows[0])}


@pytest.mark.parametrize("value", ["Ada", "a=b", "2026-07-03", "", "Zoë", 42, 0, None, "1"])
def test_for_spreadsheet_leaves_plain_values_alone(value):
    assert for_spreadsheet(value) == value


# -- destroyed data -----------------------------------------------------------------------------


def _link(kind: str, tmp_path: Path, db: Path) -> Path:
    """An output name that leads to the database, or to something else no export may replace."""
    if kind == "the database":
        return db
    target = tmp_path / "out.csv"
    if kind == "a symbolic link to it":
        target.symlink_to(db)
    elif kind == "a hard link to it":
        os.link(db, target)
    elif kind == "a link to /dev/zero":
        target.symlink_to("/dev/zero")
    elif kind == "another SQLite file":
        sqlite3.connect(target).execute("CREATE TABLE t (x)").connection.close()
    elif kind == "a binary file":
        target.write_bytes(bytes(range(256)) * 4)
    elif kind == "its journal":
        return Path(f"{db}-wal")
    elif kind == "a settings file":
        target = tmp_path / "kiosk.toml"
        target.write_text('event = "Fest"\n', encoding="utf-8")
    return target


KINDS = ["the database", "a symbolic link to it", "a hard link to it", "a link to /dev/zero", "another SQLite file",
         "a binary file", "its journal", "a settings file"]
EXPORTS = [["counts"], ["letters"], ["letters", "--format", "html"], ["signatures", "--format", "json"]]


@pytest.mark.parametrize("kind, export", [*((kind, ["signatures"]) for kind in KINDS),
                                          *((kind, export) for kind in KINDS[:3] for export in EXPORTS)])
def test_an_export_never_replaces_what_is_not_an_export(tmp_path, kind, export):
    db = fill(tmp_path / "k.db")
    target = _link(kind, tmp_path, db)
    before = {p.name: (digest(p) if p.is_file() else None) for p in tmp_path.iterdir()}
    result = run("export", *export, "--db", str(db), "--cases", str(CASES), "-o", str(target)) \
        if export[0] == "letters" else run("export", *export, "--db", str(db), "-o", str(target))
    assert result.exit_code == 1
    assert one_line(result).startswith(f"Error: {target}: ")
    assert {p.name: (digest(p) if p.is_file() else None) for p in tmp_path.iterdir()} == before
    assert run("export", "counts", "--db", str(db)).exit_code == 0  # the database still works


def test_a_database_named_like_an_export_is_not_replaced(tmp_path):
    db = fill(tmp_path / "votes.csv")
    before = digest(db)
    result = run("export", "signatures", "--db", str(db), "-o", str(db))
    assert result.exit_code == 1 and "the kiosk database" in one_line(result)
    assert digest(db) == before


def test_a_fifo_is_refused_without_waiting(tmp_path):
    db = fill(tmp_path / "k.db")
    os.mkfifo(tmp_path / "out.csv")
    result = kiosk_process("export", "signatures", "--db", str(db), "-o", str(tmp_path / "out.csv"),
                           capture_output=True, text=True)
    assert result.returncode == 1 and "FIFO" in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.parametrize("name", ["report.md", "letters-per-hour.png"])
def test_the_report_never_writes_through_a_link_or_over_the_database(tmp_path, name):
    db = fill(tmp_path / "k.db")
    out = tmp_path / "report"
    out.mkdir()
    (out / name).symlink_to(db)
    before = digest(db)
    result = run("report", "--db", str(db), "--out", str(out))
    assert result.exit_code == 1 and "symbolic link" in result.output.splitlines()[-1]
    assert digest(db) == before and leftovers(out) == []
    (out / name).unlink()
    os.link(db, out / name)
    result = run("report", "--db", str(db), "--out", str(out))
    assert result.exit_code == 1 and digest(db) == before


def test_an_export_is_replaced_whole_or_not_at_all(tmp_path, monkeypatch):
    import kiosk.cli.outputs

    db = fill(tmp_path / "k.db")
    out = tmp_path / "signatures.csv"
    assert run("export", "signatures", "--db", str(db), "-o", str(out)).exit_code == 0
    before = digest(out)
    calls = []

    def full_disk(rows):
        calls.append(rows)
        if len(calls) > 1 or len(rows) > 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return rows

    monkeypatch.setattr(kiosk.cli.outputs, "for_spreadsheet_rows", full_disk)
    result = run("export", "signatures", "--db", str(db), "-o", str(out))
    assert result.exit_code == 1
    assert one_line(result) == f"Error: {out}: cannot write: No space left on device"
    assert digest(out) == before and leftovers(tmp_path) == []
    monkeypatch.undo()
    old = os.umask(0)
    try:
        out.chmod(0o644)
        assert run("export", "signatures", "--db", str(db), "--kiosk", "north", "-o", str(out)).exit_code == 0
    finally:
        os.umask(old)
    assert digest(out) != before and stat.S_IMODE(out.stat().st_mode) == 0o600 and leftovers(tmp_path) == []


def test_a_wrong_suffix_says_which_format(tmp_path):
    db = fill(tmp_path / "k.db")
    result = run("export", "signatures", "--db", str(db), "-o", str(tmp_path / "s.json"))
    assert result.exit_code == 1 and "--format json" in one_line(result)
    assert run("export", "signatures", "--db", str(db), "-o", str(tmp_path / "s.json"), "--format", "json"
               ).exit_code == 0


def test_open_private_never_writes_through_a_link(tmp_path):
    precious = tmp_path / "precious"
    precious.write_text("keep", encoding="utf-8")
    (tmp_path / "receipt.txt").symlink_to(precious)
    with pytest.raises(OSError):
        open_private(tmp_path / "receipt.txt")
    assert precious.read_text(encoding="utf-8") == "keep"


# -- exit codes: once recorded, never "nothing recorded" ----------------------------------------


def sign(tmp_path: Path, *extra: str):
    return run("sign", "--case", "lawyer-amara-osei", "--name", "Ada", "--kind", "appeal", "--db",
               str(tmp_path / "k.db"), "--cases", str(CASES), "--allow-sample-cases", "--kiosk-id", "k1",
               "--printer", f"preview:{tmp_path / 'preview'}", *extra)


def job_states(db: Path) -> list[tuple[str, int]]:
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT status, attempts FROM print_jobs ORDER BY id").fetchall()
    finally:
        con.close()


def _failing(monkeypatch, method: str, *, after: int = 0, error: BaseException | None = None) -> None:
    """Make the store's ``method`` fail from its ``after + 1``-th call on."""
    import kiosk.store

    real = getattr(kiosk.store.Store, method)
    calls = []

    def failing(self, *args, **kwargs):
        calls.append(1)
        if len(calls) > after:
            raise error or StoreError("database is locked", source="k.db")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(kiosk.store.Store, method, failing)


def test_a_store_fault_after_printing_says_recorded_and_maybe_printed(tmp_path, monkeypatch):
    _failing(monkeypatch, "finish_job")
    result = sign(tmp_path)
    assert result.exit_code == 4, result.output
    assert "Recorded appeal" in result.output and "database is locked" in result.output
    assert (tmp_path / "preview" / "k1-0001-appeal.png").exists()  # it is on paper
    assert job_states(tmp_path / "k.db") == [("printing", 1)]  # listed as interrupted: look first


def test_a_store_fault_before_printing_says_recorded_and_waiting(tmp_path, monkeypatch):
    assert sign(tmp_path).exit_code == 0
    con = sqlite3.connect(tmp_path / "k.db")
    with con:  # an older letter, interrupted mid-print: not this one
        con.execute("UPDATE print_jobs SET status = 'printing'")
    con.close()
    _failing(monkeypatch, "claim_job")
    result = sign(tmp_path, "--name", "Bo")  # another letter (the same one again at once is a double press)
    assert result.exit_code == 3, result.output
    assert "Recorded appeal" in result.output and "kiosk jobs retry" in result.output
    assert job_states(tmp_path / "k.db") == [("printing", 1), ("pending", 0)]


def test_an_interrupt_while_printing_says_recorded(tmp_path, monkeypatch):
    import kiosk.printing.queue

    def interrupted():
        raise KeyboardInterrupt  # Ctrl+C while the receipt goes to the printer

    monkeypatch.setattr(kiosk.printing.queue, "prepare", lambda *_args, **_kwargs: interrupted)
    result = sign(tmp_path)
    assert result.exit_code == 4 and "Recorded appeal" in result.output
    assert job_states(tmp_path / "k.db") == [("printing", 1)]


def test_ctrl_c_while_recording_never_loses_the_answer(tmp_path, monkeypatch):
    import signal

    import kiosk.application.station

    real = kiosk.application.station.Station.record

    def record_then_ctrl_c(self, *args, **kwargs):
        sig = real(self, *args, **kwargs)  # committed ...
        os.kill(os.getpid(), signal.SIGINT)  # ... and Ctrl+C before the answer arrives
        return sig

    monkeypatch.setattr(kiosk.application.station.Station, "record", record_then_ctrl_c)
    before = signal.getsignal(signal.SIGINT)  # Python's own, or ignored when the tests run in the background
    result = sign(tmp_path)
    assert result.exit_code == 3, result.output  # recorded, not printed: the job waits
    assert "Recorded appeal" in result.output and job_states(tmp_path / "k.db") == [("pending", 0)]
    assert signal.getsignal(signal.SIGINT) is before


def test_sign_documents_its_exit_codes():
    text = run("sign", "--help").output
    for line in ("0  recorded and printed", "1  nothing recorded", "3  recorded, not printed", "4  recorded;"):
        assert line in text


def test_sign_exits_by_what_was_recorded_even_when_its_output_is_lost(tmp_path, monkeypatch):
    import click

    real = click.echo

    def full_disk(message=None, file=None, nl=True, err=False, color=None):
        if not err:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(message, file, nl, err, color)

    monkeypatch.setattr(click, "echo", full_disk)
    result = sign(tmp_path)
    assert result.exit_code == 0, result.output  # recorded and printed, as the database says
    assert "warning: standard output: cannot write: No space left on device" in result.output
    assert job_states(tmp_path / "k.db") == [("printed", 1)]


def _three_waiting(tmp_path: Path) -> list[str]:
    down = f"tcp://127.0.0.1:{refusing_port()}?timeout=1"
    for number in range(3):  # three letters (the same one again at once would be a double press)
        assert sign(tmp_path, "--printer", down, "--name", f"Ada {number}").exit_code == 3
    return ["jobs", "retry", "--db", str(tmp_path / "k.db"), "--cases", str(CASES), "--allow-sample-cases",
            "--printer", f"preview:{tmp_path / 'preview'}"]


@pytest.mark.parametrize("method, after, code", [
    ("finish_job", 1, 4),  # the second letter printed, its outcome not recorded: maybe on paper
    ("claim_job", 1, 3),  # one printed, then the database refused: the others wait
    ("claim_job", 0, 1),  # nothing tried: one line, exit 1
])
def test_jobs_retry_counts_only_what_happened(tmp_path, monkeypatch, method, after, code):
    retry = _three_waiting(tmp_path)
    _failing(monkeypatch, method, after=after)
    result = run(*retry)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    if code == 1:
        assert one_line(result).startswith("Error: k.db: database is locked")
    else:
        assert "1 printed" in result.output


# -- standard output lost: a closed pipe, a full disk, a closed descriptor ------------------------


def test_a_closed_pipe_is_silent_and_not_success(tmp_path):
    db = fill(tmp_path / "k.db")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for args in (["export", "signatures"], ["report"]):
        process = subprocess.Popen([sys.executable, "-m", "kiosk", *args, "--db", str(db)], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, env=env)
        process.stdout.close()  # the reader is gone before the first line (`| head -0`)
        err = process.stderr.read()
        process.stderr.close()
        assert process.wait(timeout=60) == 141 and err == b"", (args, err)


def test_a_full_disk_on_stdout_is_one_line_and_exit_1(tmp_path):
    db = fill(tmp_path / "k.db")
    with open("/dev/full", "w") as full:
        result = kiosk_process("export", "signatures", "--db", str(db), stdout=full, stderr=subprocess.PIPE, text=True)
    assert result.returncode == 1
    assert result.stderr == "Error: standard output: cannot write: No space left on device\n"


def test_a_closed_stdout_never_writes_into_the_database(tmp_path):
    db = fill(tmp_path / "k.db")
    before = digest(db)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for args in (["export", "signatures"], ["jobs"]):  # `kiosk ... >&-`
        result = subprocess.run(["sh", "-c", 'exec "$@" >&-', "sh", sys.executable, "-m", "kiosk", *args, "--db",
                                 str(db)], env=env, timeout=60, stderr=subprocess.PIPE, text=True)
        assert result.returncode == 1, result.stderr
        assert result.stderr == "Error: standard output: closed; give a file with -o\n" or args == ["jobs"]
        assert "standard output" in result.stderr and "Traceback" not in result.stderr
    assert digest(db) == before


# -- files readable by others ------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o000, 0o022])
def test_errors_log_and_every_folder_made_for_it_are_private(tmp_path, monkeypatch, capsys, umask):
    import kiosk.application.records
    from kiosk.cli import main

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    data = tmp_path / "a" / "b" / "data"
    monkeypatch.setenv("KIOSK_DATA_DIR", str(data))
    monkeypatch.setattr(kiosk.application.records.Records, "counts", broken)
    monkeypatch.setattr(sys, "argv", ["kiosk", "export", "counts", "--db", str(fill(tmp_path / "k.db"))])
    old = os.umask(umask)
    try:
        with pytest.raises(SystemExit):
            main()
    finally:
        os.umask(old)
    assert f"details in {data / 'errors.log'}" in capsys.readouterr().err
    assert stat.S_IMODE((data / "errors.log").stat().st_mode) == 0o600
    for folder in (tmp_path / "a", tmp_path / "a" / "b", data):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_an_existing_errors_log_is_narrowed_and_a_linked_one_not_followed(tmp_path, monkeypatch, capsys):
    from kiosk.cli.base import log_error

    data = tmp_path / "data"
    data.mkdir()
    log = data / "errors.log"
    log.write_text("old\n", encoding="utf-8")
    log.chmod(0o644)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        assert log_error() == f" (details in {log})"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600 and "boom" in log.read_text(encoding="utf-8")
    log.unlink()
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("keep", encoding="utf-8")
    log.symlink_to(elsewhere)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        assert log_error() == ""
    assert elsewhere.read_text(encoding="utf-8") == "keep"


@pytest.mark.parametrize("umask", [0o000, 0o022])
def test_every_missing_folder_level_is_made_private(tmp_path, umask):
    old = os.umask(umask)
    try:
        private_dir(tmp_path / "x" / "y" / "z")
        db = fill(tmp_path / "k.db")
        assert run("report", "--db", str(db), "--out", str(tmp_path / "r" / "s" / "t")).exit_code == 0
    finally:
        os.umask(old)
    for folder in ("x", "x/y", "x/y/z", "r", "r/s", "r/s/t"):
        assert stat.S_IMODE((tmp_path / folder).stat().st_mode) == 0o700, folder
    for name in ("report.md", "letters-per-hour.png"):
        assert stat.S_IMODE((tmp_path / "r/s/t" / name).stat().st_mode) == 0o600
    assert stat.S_IMODE(tmp_path.stat().st_mode) != 0o700 or True  # a folder that was there is left alone


# -- crash paths: odd input is one line, never a traceback ---------------------------------------


@pytest.mark.parametrize("args, code", [
    (["export", "counts", "-o", ""], 1),
    (["export", "counts", "--event", ""], 1),
    (["export", "counts", "--kiosk", ""], 1),
    (["export", "counts", "--by", ""], 2),
    (["export", "counts", "--since", "99999-01-01"], 2),
    (["export", "counts", "--since", "2026-02-30"], 2),
    (["export", "counts", "--until", "99999999999999999999-1-1"], 2),
    (["export", "counts", "--event", "Fest\udcff"], 2),
    (["export", "signatures", "-o", "/dev/null"], 1),
    (["export", "signatures", "-o", "/nonexistent/folder/s.csv"], 1),
    (["sign", "--case", "lawyer-amara-osei", "--name", "Ada\udcff", "--kind", "appeal"], 2),
    (["purge", "--personal-data", "--event", "\udcff", "--yes"], 2),
])
def test_odd_input_is_one_line(tmp_path, args, code):
    db = fill(tmp_path / "k.db")
    result = run(*args, "--db", str(db))
    assert result.exit_code == code, result.output
    assert_safe(one_line(result))


@pytest.mark.parametrize("args", [
    ["export", "counts", "--until", "9999-12-31"],
    ["export", "counts", "--since", "0001-01-01", "--by", "day"],
    ["export", "signatures", "--since", "9999-12-31"],
    ["export", "letters", "--until", "9999-12-31", "--since", "0001-01-01"],
    ["report", "--until", "9999-12-31"],
    ["report", "--since", "9999-12-31"],
])
def test_calendar_end_dates_work(tmp_path, args):
    db = fill(tmp_path / "k.db")
    result = run(*args, "--db", str(db), "--cases", str(CASES)) if args[0] != "export" or args[1] == "letters" \
        else run(*args, "--db", str(db))
    assert result.exit_code == 0, result.output


def test_a_tally_for_a_calendar_end_day_prints(tmp_path):
    db = fill(tmp_path / "k.db")
    result = run("printer", "tally", "--day", "9999-12-31", "--db", str(db), "--cases", str(CASES),
                 "--printer", f"preview:{tmp_path / 'p'}")
    assert result.exit_code == 0 and "0 letter(s)" in result.output


def test_an_event_name_that_looks_like_mathematics_does_not_stop_the_chart(tmp_path):
    db = fill(tmp_path / "k.db")
    con = sqlite3.connect(db)
    with con:
        con.execute("UPDATE signatures SET event = ?", ["Fest $\\undefinedmacro{x}^$ \x1b[2J"])
    con.close()
    result = run("report", "--db", str(db), "--event", "Fest $\\undefinedmacro{x}^$ \x1b[2J", "--out",
                 str(tmp_path / "r"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r" / "letters-per-hour.png").read_bytes().startswith(b"\x89PNG")


def test_a_question_without_an_answer_changes_nothing(tmp_path):
    db = fill(tmp_path / "k.db")
    answered = CliRunner().invoke(cli, ["purge", "--personal-data", "--db", str(db)], input="")  # end of input
    assert answered.exit_code == 1 and "Nothing was changed." in answered.output
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    closed = subprocess.run(["sh", "-c", 'exec "$@" <&-', "sh", sys.executable, "-m", "kiosk", "purge",
                             "--personal-data", "--db", str(db)], env=env, timeout=60, capture_output=True, text=True)
    assert closed.returncode == 1 and "Nothing was changed." in closed.stderr and "Traceback" not in closed.stderr
    names = {row["name"] for row in json.loads(run("export", "signatures", "--db", str(db), "--format", "json").output)}
    assert None not in names and len(names) == 8


def test_a_huge_value_from_a_merged_file_is_cut_on_the_terminal(hostile_db):
    con = sqlite3.connect(hostile_db)
    with con:
        con.execute("UPDATE print_jobs SET last_error = ?", ["x" * 200_000])
        con.execute("UPDATE cases SET title = ?", ["T" * 200_000])
    con.close()
    jobs = run("jobs", "--db", str(hostile_db))
    assert jobs.exit_code == 0 and max(len(line) for line in jobs.output.splitlines()) < 1000
    report = run("report", "--db", str(hostile_db), env={"COLUMNS": "100"})
    assert report.exit_code == 0 and len(report.output) < 20_000


def test_the_tally_slip_keeps_to_a_slip(tmp_path):
    """A merged file's 100,000-character case title and event are cut, cleaned, on the slip."""
    db = fill(tmp_path / "k.db")
    con = sqlite3.connect(db)
    with con:
        con.execute("UPDATE cases SET title = ?", ["T\x1b[2J" * 20_000])
        con.execute("UPDATE signatures SET event = ?", ["E\x1b" * 20_000])
    con.close()
    result = run("printer", "tally", "--day", "2026-07-03", "--db", str(db), "--cases", str(tmp_path / "none"),
                 "--printer", f"preview:{tmp_path / 'p'}")
    assert result.exit_code == 0, result.output
    slip = (tmp_path / "p" / "tally-2026-07-03-all.txt").read_text(encoding="utf-8")
    assert len(slip) < 3000 and "\x1b" not in slip


def test_the_report_file_shows_data_as_text(hostile_db, tmp_path):
    """report.md is read in a terminal too (`cat`, `less -R`): no control character in it."""
    assert run("report", "--db", str(hostile_db), "--out", str(tmp_path / "r")).exit_code == 0
    text = (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    assert_safe(text)
    assert "\\\\x1b\\]52" in text  # shown, escaped for Markdown


@pytest.mark.parametrize(("earlier", "then"), [
    (None, ["export", "counts", "-o", "{d}/budget.csv"]),                       # a hand-written CSV
    (["export", "signatures", "-o", "{d}/out.csv"], ["export", "counts", "-o", "{d}/out.csv"]),
    (["export", "counts", "--by", "case", "-o", "{d}/out.csv"],
     ["export", "counts", "--by", "day", "-o", "{d}/out.csv"]),
    (["export", "counts", "--format", "json", "-o", "{d}/out.json"], ["export", "signatures", "--format", "json",
                                                                       "-o", "{d}/out.json"]),
    (None, ["export", "letters", "--format", "html", "-o", "{d}/page.html"]),    # someone's own web page
    (None, ["report", "--out", "{d}"]),                                          # someone's own report.md
])
def test_an_existing_file_of_another_kind_is_never_replaced(tmp_path, earlier, then):
    db = fill(tmp_path / "k.db")
    mine = {"budget.csv": "rent,100\n", "page.html": "<!DOCTYPE html>\n<p>mine</p>\n", "report.md": "# My notes\n"}
    for name, text in mine.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    if earlier:
        assert run(*[a.format(d=tmp_path) for a in earlier], "--db", str(db)).exit_code == 0
    before = {p.name: digest(p) for p in tmp_path.iterdir() if p.is_file()}
    result = run(*[a.format(d=tmp_path) for a in then], "--db", str(db))
    assert result.exit_code == 1 and "of the same kind" in result.output.splitlines()[-1], result.output
    assert {p.name: digest(p) for p in tmp_path.iterdir() if p.is_file()} == before


def test_an_earlier_export_of_the_same_kind_is_replaced(tmp_path):
    db = fill(tmp_path / "k.db")
    for args in (["export", "counts", "--by", "case,day", "-o", f"{tmp_path}/c.csv"],
                 ["export", "signatures", "--format", "json", "-o", f"{tmp_path}/s.json"],
                 ["export", "letters", "--format", "html", "-o", f"{tmp_path}/l.html"],
                 ["report", "--out", str(tmp_path / "r")]):
        for _ in range(2):
            result = run(*args, "--db", str(db))
            assert result.exit_code == 0, result.output


def test_a_csv_cell_stays_one_cell_for_a_spreadsheet_that_splits_on_semicolons(tmp_path):
    db = fill(tmp_path / "k.db")
    conn = sqlite3.connect(db)
    conn.execute("UPDATE signatures SET name = 'Ada;=HYPERLINK(\"http://x\")' WHERE number = 1")
    conn.commit()
    conn.close()
    text = run("export", "signatures", "--db", str(db)).output
    for delimiter in (",", ";"):
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row), delimiter


def test_an_old_errors_log_set_aside_is_readable_by_its_owner_only(tmp_path, monkeypatch):
    from kiosk.cli.base import LOG_LIMIT, log_error

    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    log = tmp_path / "errors.log"
    log.write_text("x" * (LOG_LIMIT + 1))
    log.chmod(0o644)  # written by an older kiosk
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        assert str(log) in log_error()
    assert stat.S_IMODE((tmp_path / "errors.log.1").stat().st_mode) == 0o600
    assert stat.S_IMODE(log.stat().st_mode) == 0o600 and "boom" in log.read_text()


@pytest.mark.parametrize("args", [["jobs", "--db", "{f}"], ["export", "counts", "--db", "{f}"],
                                  ["report", "--db", "{f}"], ["purge", "--personal-data", "--yes", "--db", "{f}"],
                                  ["merge", "{f}", "--db", "{d}/all.db"], ["jobs", "--config", "{f}"],
                                  ["report", "--db", "{d}/k.db", "--out", "{d}/k.db"]])
def test_a_folder_where_a_file_belongs_and_back_is_one_line_exit_1(tmp_path, args):
    folder = tmp_path / "folder.db"
    folder.mkdir()
    fill(tmp_path / "k.db")
    result = run(*[a.format(f=folder, d=tmp_path) for a in args])
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1, result.output
    assert not (tmp_path / "all.db").exists()


@pytest.mark.parametrize("preview", ["/dev/zero", "{d}/a-file"])
def test_a_preview_folder_that_cannot_be_one_is_said_before_any_letter_is_recorded(tmp_path, preview):
    (tmp_path / "a-file").write_text("x")
    result = run("sign", "--db", str(tmp_path / "k.db"), "--preview", preview.format(d=tmp_path),
                 "--cases", str(ROOT / "cases"), "--allow-sample-cases", "--case", "lawyer-amara-osei",
                 "--kind", "appeal", "--name", "Ada")
    assert result.exit_code == 1 and "Recorded" not in result.output, result.output
    assert one_line(result).endswith("not a folder") and not (tmp_path / "k.db").exists()
