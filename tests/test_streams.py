"""Exports stream (issue 19): rows go from the database's cursor to the file a batch at a time,
never held as a list, with formulas still made inert, a closed pipe still ending the export
with 141, and JSON written exactly as one json.dumps of the list would be."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.text import for_spreadsheet, for_spreadsheet_rows

CELL = st.one_of(
    st.none(), st.integers(-5, 10**6), st.floats(allow_nan=False), st.booleans(), st.binary(max_size=8),
    st.text(max_size=12),
    st.text(alphabet=st.sampled_from("aZ9_ =+-@\t\r\n;|\"' \u200b\ufeff\uff1d\u2212\ud800\x00é"), max_size=8),
)


# Cells for_spreadsheet changes, or that look as if it might, each tried in every place of a plain row.
TRICKY = ["a\rb", "a\r\nb", "a;=b", "a|+b", "a\t-b", "a; \u200b@b", " =1", "\u200b=1", "\ufeff+1", "=1", "+", "-",
          "@x", "\t=1", "\n=1", "\ud800", "a\udcffb", "\uff1d1", "\u22121", "\ufe6b", b"=1", b"ok", True, -5, 1.5,
          "\"=1", "'=1", "é", "_x", "", None, 0, "a\x00=b", "\x00"]


def test_each_tricky_cell_anywhere_in_plain_rows_is_found():
    plain = ["Ada", 7, None, "2026-07-03", ""]
    for cell in TRICKY:
        for place in range(len(plain) + 1):
            row = [*plain[:place], cell, *plain[place:]]
            rows = [(*plain, "x")] * 3 + [row]
            assert [list(r) for r in for_spreadsheet_rows(rows)] == [[for_spreadsheet(v) for v in r] for r in rows], \
                (cell, place)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(CELL, min_size=3, max_size=3), max_size=6))
def test_rows_checked_at_once_come_out_as_cell_by_cell(rows):
    """The one-pass check of many rows neutralises exactly what for_spreadsheet does for each cell."""
    assert [list(row) for row in for_spreadsheet_rows(rows)] == [[for_spreadsheet(v) for v in row] for row in rows]


def test_plain_rows_are_passed_on_as_they_are():
    rows = [("Ada", 1, None, "2026-07-03T10:00", "", "Zoë"), ("Bo", 2, "2026-07-04", "x", "y", "_z")]
    assert for_spreadsheet_rows(rows) is rows
    assert for_spreadsheet_rows([*rows, ("Cy", 3, None, "=1+1", "", "")])[-1] == ["Cy", 3, None, "'=1+1", "", ""]


def test_an_export_reads_text_that_is_not_utf8_and_gives_each_row_once(tmp_path, monkeypatch):
    """sqlite3 decodes the rows itself, for speed; a value that is not UTF-8 (another program
    wrote it) runs the query again with the kiosk's reader, which shows its bytes as U+FFFD, and
    the rows given already are not given twice."""
    import sqlite3

    import kiosk.store.signatures
    from kiosk.store import Store
    from tests.helpers.records_data import NAMES, fill

    db = fill(tmp_path / "k.db")
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE signatures SET name = CAST(X'416461FF' AS TEXT) WHERE name = ?", [NAMES[4]])
    conn.close()
    monkeypatch.setattr(kiosk.store.signatures, "TICK_ROWS", 2)  # the bad row comes in the third batch
    with Store(db, create=False, readonly=True) as store:
        rows = list(store.export_rows())
    assert [r["name"] for r in rows] == [*NAMES[:4], "Ada\ufffd", *NAMES[5:]]
    assert len({r["id"] for r in rows}) == len(NAMES)


def test_the_reports_one_tally_equals_the_counts_of_every_scope(tmp_path):
    """Store.tallies (the report's few passes) gives what Store.counts, the print status counts and
    the answers give: duplicates among signers (ties in time broken by id), handwritten letters,
    print jobs, answers; for the whole file and for scopes."""
    import datetime as dt
    import sqlite3

    from benchmarks.streams import fill as fill_letters
    from kiosk.store import Scope, Store
    from kiosk.store.counts import TALLY_GROUPS
    from kiosk.store.models import group_columns

    db = tmp_path / "k.db"
    fill_letters(db, 400)
    conn = sqlite3.connect(db)
    with conn:  # a second letter of a signer and case at the very same time: the lower id is the first
        conn.execute("INSERT INTO signatures (id, number, case_id, kind, name, message, created_at, local_time, event,"
                     " kiosk_id, signer) SELECT '00000000-0000-4000-8000-000000000000', 9999, case_id, kind, name,"
                     " message, created_at, local_time, event, 'k3', signer FROM signatures"
                     " WHERE number = 50 AND kiosk_id = 'k1'")
        conn.execute("UPDATE print_jobs SET status = 'failed' WHERE rowid % 7 = 0")
        conn.execute("UPDATE signatures SET local_time = 'soon' WHERE number = 60")  # another program's time
    conn.close()
    with Store(db, create=False) as store:
        store.add_paper("lawyer-amara-osei", "appeal", 12, None, "Fest", "k1", at=dt.datetime(2026, 11, 21, 10))
        store.add_paper("prisoner-ilya-voronin", "postcard", 5, None, "Fair", "k9", at=dt.datetime(2026, 11, 22, 11))
    with Store(db, create=False, readonly=True) as store:
        columns = [c for c in group_columns(list(TALLY_GROUPS)) if c != "case_title"]
        for scope in (Scope(), Scope(event="Fest"), Scope(kiosk_id="k1", since=dt.date(2026, 11, 21)),
                      Scope(case_id="lawyer-amara-osei"), Scope(event="Fair")):
            tallied = store.tallies(scope)
            counted = [{k: row[k] for k in columns} for row in store.counts(TALLY_GROUPS, scope)]
            assert tallied.rows == counted, scope
            assert tallied.print_status == store.print_status_counts(scope), scope
            assert tallied.answers == (store.consent_counts(scope) if store.consent_counts() else None), scope
            assert tallied.unchecked == store.without_signer(scope), scope
            assert sum(row["duplicates"] for row in tallied.rows) > 0 or scope.event == "Fair"
    conn = sqlite3.connect(db)
    with conn:  # a time with the tally's separator in it: SQL groups the letters instead
        conn.execute("UPDATE signatures SET local_time = '2026-11-21T1' || char(31) || '0' WHERE number = 70")
    conn.close()
    with Store(db, create=False, readonly=True) as store:
        assert store.tallies().rows == [{k: row[k] for k in columns} for row in store.counts(TALLY_GROUPS)]


BAR = """
import sys
import kiosk.cli.progress, kiosk.store.signatures
from kiosk.cli import main
kiosk.cli.progress.progress.__wrapped__.__kwdefaults__["show_after"] = 0.0  # all work is long enough for a bar
kiosk.store.signatures.TICK_ROWS = 2
sys.argv = ["kiosk", *sys.argv[1:]]
main()
"""


def _on_terminal(*args: str, terminal: bool = True) -> tuple[int, bytes]:
    """Run kiosk ``args`` with standard error on a pseudo-terminal (or a pipe): (exit code, what stderr got)."""
    import os
    import subprocess
    import sys

    from tests.helpers import ROOT
    from tests.helpers.terminal import stderr_on_a_terminal

    command = [sys.executable, "-c", BAR, *args]
    if not terminal:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100", "TERM": "xterm"}
        done = subprocess.run(command, capture_output=True, env=env, timeout=60)
        return done.returncode, done.stderr
    code, _, seen = stderr_on_a_terminal(command, columns=100)
    return code, seen


def test_export_and_report_draw_a_bar_on_a_terminal_and_nothing_when_piped(tmp_path):
    from tests.helpers.records_data import fill

    db = fill(tmp_path / "k.db")
    out = tmp_path / "s.csv"
    code, seen = _on_terminal("export", "signatures", "--db", str(db), "-o", str(out))
    assert code == 0 and b"Exporting signatures" in seen and b"/8" in seen, seen  # rows of all the rows
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 9
    code, seen = _on_terminal("report", "--db", str(db))
    assert code == 0 and b"Counting letters" in seen and b"/5" in seen, seen  # steps
    assert _on_terminal("export", "signatures", "--db", str(db), "-o", str(out), terminal=False) == (0, b"")
