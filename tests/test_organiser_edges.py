"""The organiser's rough edges: kiosk demo --fresh, kiosk export counts --wide."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner

from kiosk.application import SettingError, start_fresh
from kiosk.cli import cli
from kiosk.settings import demo_settings
from kiosk.store import Store

CASE = "lawyer-amara-osei"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def letters(path, *rows, event="Demo", kiosk_id="demo"):
    with Store(path) as store:
        for case, kind, name in rows:
            store.record(case_id=case, kind=kind, name=name, message="", event=event, kiosk_id=kiosk_id)


def test_fresh_empties_the_demos_database_and_only_a_demos(tmp_path):
    demo_db = tmp_path / "demo.db"
    letters(demo_db, (CASE, "appeal", "Ada"))
    settings = demo_settings({"database": demo_db})
    start_fresh(settings)
    assert not demo_db.exists() and not (tmp_path / "demo.db-wal").exists()
    start_fresh(settings)  # nothing there: nothing to do

    stall = tmp_path / "stall.db"
    letters(stall, (CASE, "appeal", "Ada"), event="Riverside Fest", kiosk_id="tent-1")
    before = stall.read_bytes()
    with pytest.raises(SettingError, match="not the demo's"):
        start_fresh(demo_settings({"database": stall}))
    result = run("demo", "--db", stall, "--fresh")
    assert result.exit_code != 0 and "--db: holds letters that are not the demo's" in result.output
    assert "Traceback" not in result.output and stall.read_bytes() == before
    junk = tmp_path / "notes.db"
    junk.write_text("my notes", encoding="utf-8")
    result = run("demo", "--db", junk, "--fresh")
    assert result.exit_code != 0 and "not emptied for --fresh" in result.output and junk.exists()


def test_export_counts_wide_gives_a_row_per_group_with_kinds_as_columns(tmp_path):
    db = tmp_path / "k.db"
    letters(db, (CASE, "appeal", "A"), (CASE, "appeal", "B"), (CASE, "postcard", "C"),
            ("other-case", "postcard", "D"), event="Fest", kiosk_id="k1")
    with Store(db) as store:
        store.add_paper(CASE, "appeal", 5, None, "Fest", "k1")
    result = run("export", "counts", "--db", db, "--wide")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert list(rows[0]) == ["case_id", "case_title", "appeals", "postcards", "total", "paper", "duplicates",
                             "signers"]
    wide = {r["case_id"]: (r["appeals"], r["postcards"], r["total"], r["paper"], r["signers"]) for r in rows}
    assert wide == {CASE: ("7", "1", "8", "5", "3"), "other-case": ("0", "1", "1", "0", "1")}
    narrow = list(csv.DictReader(io.StringIO(run("export", "counts", "--db", db, "--by", "case,kind").output)))
    assert sum(int(r["count"]) for r in narrow) == sum(int(r["total"]) for r in rows) == 9
    totals = list(csv.DictReader(io.StringIO(run("export", "counts", "--db", db, "--wide", "--by", "kind").output)))
    assert [(r["appeals"], r["postcards"], r["total"]) for r in totals] == [("7", "2", "9")]
    bad = run("export", "counts", "--db", db, "--wide", "--by", "case,nope")
    assert bad.exit_code == 2 and "--by" in bad.output
