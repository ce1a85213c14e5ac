"""Paper letters: handwritten letters collected at the stall, recorded, listed and corrected, from
the station (the organiser screen's calls) and the command line; each bad value one line naming
it, nothing recorded; a correction never counts twice; another file's entries checked as
recording checks them (rows.paper_row)."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from click.testing import CliRunner

from kiosk.application import InputError, open_station
from kiosk.cli import cli
from kiosk.settings import Settings
from kiosk.store import Scope, Store
from kiosk.store.rows import BadRow, paper_correction, paper_row
from tests.helpers import CASES

STALL = dt.timezone(dt.timedelta(hours=2))
A, B = "lawyer-amara-osei", "prisoner-ilya-voronin"


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 7, 3, 10, 0, tzinfo=STALL)

    def __call__(self) -> dt.datetime:
        return self.now

    def later(self, minutes: int) -> None:
        self.now += dt.timedelta(minutes=minutes)


def station_at(tmp_path, kiosk="north", **settings):
    clock = Clock()
    values = {"event": "Summer Fest", "kiosk_id": kiosk, "cases": CASES, "allow_sample_cases": True,
              "database": tmp_path / "kiosk.db", "preview": tmp_path / "preview"}
    station = open_station(Settings(**{**values, **settings}), clock=clock).prepare()
    return station, clock


def figures(path, **scope):
    with Store(path) as store:
        return store.figures(Scope(**scope))


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


# -- the station: what the organiser screen calls ------------------------------------------------


def test_an_entry_counts_on_this_kiosk_in_the_hour_it_was_entered(tmp_path):
    station, clock = station_at(tmp_path)
    clock.now = dt.datetime(2026, 7, 3, 23, 40, tzinfo=STALL)  # 21:40 UTC: still the stall's Friday
    entry = station.add_paper(A, "appeal", 12, "  box 1,\n Saturday ")
    assert (entry.case_id, entry.kind, entry.count, entry.note) == (A, "appeal", 12, "box 1, Saturday")
    assert (entry.event, entry.kiosk_id, entry.local_time) == ("Summer Fest", "north",
                                                               "2026-07-03T23:40:00.000000+02:00")
    assert not entry.corrected and len(entry.short_id) == 8 and entry.id.startswith(entry.short_id)
    with Store(station.settings.database) as store:
        assert store.counts(("hour",)) == [{"hour": "2026-07-03 23:00", "count": 12, "paper": 12, "duplicates": 0,
                                            "signers": 0}]
        assert store.case_rows()[A]["title"] == "Lawyer harassed for defending her clients"  # for reports, lists


def test_entries_are_this_kiosks_newest_first_with_their_totals(tmp_path):
    station, clock = station_at(tmp_path)
    first = station.add_paper(A, "appeal", 5)
    clock.later(30)
    second = station.add_paper(B, "postcard", 2)
    with Store(station.settings.database) as store:  # another kiosk's entry, merged in: not listed here
        store.add_paper(A, "appeal", 9, None, "Summer Fest", "south", clock.now)
    clock.later(5)
    station.correct_paper(first.short_id, 7)
    assert [(e.id, e.count, e.corrected) for e in station.paper_entries()] == [
        (second.id, 2, False), (first.id, 7, True)]


def test_closed_and_switched_off_cases_take_paper_letters(tmp_path):
    station, clock = station_at(tmp_path)
    clock.now = dt.datetime(2030, 1, 1, 12, tzinfo=STALL)  # every sample case closed by then
    assert A not in {c.id for c in station.offered()}
    station.set_enabled(B, False)
    assert station.add_paper(A, "appeal", 1).count == 1
    assert station.add_paper(B, "appeal", 1).count == 1


@pytest.mark.parametrize("change, field", [
    ({"case_id": "no-such-case"}, "case"),
    ({"case_id": "../etc"}, "case"),
    ({"kind": "letter"}, "kind"),
    ({"count": 0}, "count"),
    ({"count": -3}, "count"),
    ({"count": 100_001}, "count"),
    ({"count": True}, "count"),
    ({"count": "12"}, "count"),
    ({"note": "x" * 201}, "note"),
])
def test_each_bad_value_is_refused_naming_it_and_nothing_is_recorded(tmp_path, change, field):
    station, _ = station_at(tmp_path)
    values = {"case_id": A, "kind": "appeal", "count": 3, "note": "", **change}
    with pytest.raises(InputError) as caught:
        station.add_paper(**values)
    assert caught.value.field == field
    assert station.paper_entries() == [] and figures(station.settings.database)["count"] == 0


def test_a_sample_case_is_no_case_where_samples_are_off(tmp_path):
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / f"{A}.toml").write_text((CASES / f"{A}.toml").read_text(encoding="utf-8").replace(
        "sample = true\n", "", 1), encoding="utf-8")  # the campaign's own case
    (cases / f"{B}.toml").write_text((CASES / f"{B}.toml").read_text(encoding="utf-8"), encoding="utf-8")
    station, _ = station_at(tmp_path, cases=cases, allow_sample_cases=False)
    assert station.add_paper(A, "appeal", 3).count == 3
    with pytest.raises(InputError) as caught:
        station.add_paper(B, "appeal", 3)
    assert caught.value.field == "case" and "sample case" in caught.value.problem
    assert figures(station.settings.database)["count"] == 3


def test_a_correction_is_an_entry_of_its_own_and_never_counts_twice(tmp_path):
    station, clock = station_at(tmp_path)
    entry = station.add_paper(A, "appeal", 20, "box 1")
    clock.now = dt.datetime(2026, 7, 4, 18, tzinfo=STALL)  # corrected the next day
    corrected = station.correct_paper(entry.short_id, 15)
    assert (corrected.id, corrected.count, corrected.note, corrected.corrected) == (entry.id, 15, "box 1", True)
    again = station.correct_paper(entry.id, 16, "recounted")
    assert (again.count, again.note) == (16, "recounted")
    db = station.settings.database
    assert figures(db) == {"count": 16, "paper": 16, "duplicates": 0, "signers": 0}
    assert figures(db, since=dt.date(2026, 7, 3), until=dt.date(2026, 7, 3))["count"] == 16  # on the entry's day
    assert figures(db, since=dt.date(2026, 7, 4))["count"] == 0
    with Store(db) as store:
        rows = store.db.execute("SELECT count, corrects, local_time, note FROM paper_letters ORDER BY created_at")
        assert [tuple(r) for r in rows] == [(20, None, entry.local_time, "box 1"),
                                            (-5, entry.id, entry.local_time, None),
                                            (1, entry.id, entry.local_time, "recounted")]
        with pytest.raises(sqlite3.IntegrityError):  # an entry is never changed
            store.db.execute("UPDATE paper_letters SET count = 99")


def test_a_corrections_id_corrects_its_entry(tmp_path):
    station, _ = station_at(tmp_path)
    entry = station.add_paper(A, "appeal", 20)
    station.correct_paper(entry.id, 10)
    with Store(station.settings.database) as store:
        (correction,) = store.db.execute("SELECT id FROM paper_letters WHERE corrects IS NOT NULL").fetchone()
    assert station.correct_paper(correction, 12).count == 12
    with Store(station.settings.database) as store:
        assert {r[0] for r in store.db.execute("SELECT corrects FROM paper_letters WHERE corrects IS NOT NULL")} == {
            entry.id}


def test_a_mistaken_entry_is_corrected_to_nothing(tmp_path):
    station, _ = station_at(tmp_path)
    entry = station.add_paper(A, "appeal", 3)
    assert station.correct_paper(entry.short_id, 0).count == 0
    db = station.settings.database
    assert figures(db)["count"] == 0
    with Store(db) as store:
        assert store.counts(("case",)) == []  # no row of nothing


@pytest.mark.parametrize("typed, count, field, says", [
    ("ENTRY", 3, "count", "counts 3 already"),          # the same total: nothing to correct
    ("ENTRY", -1, "count", "give 0 to 100,000"),
    ("ENTRY", 100_001, "count", "give 0 to 100,000"),
    ("abc", 5, "id", "at least 4"),
    ("zzzz-not-hex", 5, "id", "not an entry's id"),
    ("ffffffff", 5, "id", "no paper letters entry"),
    ("%", 5, "id", "not an entry's id"),
])
def test_a_correction_that_cannot_be_is_refused_naming_why(tmp_path, typed, count, field, says):
    station, _ = station_at(tmp_path)
    entry = station.add_paper(A, "appeal", 3)
    with pytest.raises(InputError) as caught:
        station.correct_paper(entry.short_id if typed == "ENTRY" else typed, count)
    assert caught.value.field == field and says in caught.value.problem
    assert figures(station.settings.database)["count"] == 3


def test_an_ambiguous_start_of_an_id_is_refused(tmp_path):
    station, _ = station_at(tmp_path)
    entry = station.add_paper(A, "appeal", 1)
    with Store(station.settings.database) as store:  # two more entries whose ids start alike
        for pid in ("abcd1111-0000-4000-8000-000000000000", "abcd2222-0000-4000-8000-000000000000"):
            store.db.execute("INSERT INTO paper_letters (id, case_id, kind, count, created_at, local_time, event,"
                             " kiosk_id) SELECT ?, case_id, kind, 1, created_at, local_time, event, kiosk_id"
                             " FROM paper_letters WHERE id = ?", [pid, entry.id])
        store.db.conn.commit()
    with pytest.raises(InputError) as caught:
        station.correct_paper("abcd", 2)
    assert caught.value.field == "id" and "more than one entry starts with 'abcd'" in caught.value.problem
    assert station.correct_paper("ABCD2", 2).count == 2  # more of it, in any case


def test_a_stall_corrects_only_its_own_entries(tmp_path):
    north, _ = station_at(tmp_path)
    entry = north.add_paper(A, "appeal", 3)
    south, _ = station_at(tmp_path, kiosk="south")
    with pytest.raises(InputError) as caught:
        south.correct_paper(entry.short_id, 4)
    assert caught.value.field == "id" and "'north'" in caught.value.problem
    assert figures(north.settings.database)["count"] == 3


# -- the command line ----------------------------------------------------------------------------


def stall_args(tmp_path, kiosk="north"):
    return ["--cases", CASES, "--allow-sample-cases", "--db", tmp_path / "k.db", "--event", "Summer Fest",
            "--kiosk-id", kiosk]


def test_kiosk_paper_add_list_and_correct(tmp_path):
    added = run("paper", "add", "--case", A, "--count", "23", "--note", "box 1", *stall_args(tmp_path))
    assert added.exit_code == 0, added.output
    assert f"Recorded 23 handwritten appeals for {A} on north (Summer Fest): entry " in added.output
    short = added.output.split("entry ")[1].split()[0]
    assert run("paper", "add", "--case", B, "--count", "1", "--kind", "postcard",
               *stall_args(tmp_path)).exit_code == 0
    listing = run("paper", "list", "--db", tmp_path / "k.db")
    lines = listing.output.splitlines()
    assert listing.exit_code == 0 and len(lines) == 3
    assert lines[1].startswith(short) and f"north  Summer Fest  {A}  appeal  23  box 1" in lines[1]
    assert "  postcard  1" in lines[0] and lines[2] == "2 entries, 24 handwritten letter(s)"
    fixed = run("paper", "correct", short, "--count", "21", "--db", tmp_path / "k.db", "--kiosk-id", "north")
    assert fixed.exit_code == 0, fixed.output
    assert f"Corrected entry {short} ({A}, " in fixed.output and "now counts 21 handwritten appeals" in fixed.output
    assert "appeal  21  (corrected)  box 1" in run("paper", "list", "--db", tmp_path / "k.db").output
    counts = run("export", "counts", "--db", tmp_path / "k.db", "--by", "kind").output
    assert counts == '"kind","count","paper","duplicates","signers"\n"appeal",21,21,0,0\n"postcard",1,1,0,0\n'


@pytest.mark.parametrize("args, says, code", [
    (["--case", A, "--count", "0"], "Error: --count: 0 letters: give 1 to 100,000", 1),
    (["--case", A, "--count", "100001"], "Error: --count: 100,001 letters: give 1 to 100,000", 1),
    (["--case", A, "--count", "many"], "'many' is not a valid integer", 2),
    (["--case", "nobody", "--count", "2"], "Error: --case: unknown case 'nobody'", 1),
    (["--case", A, "--count", "2", "--kind", "letter"], "'letter' is not one of 'appeal', 'postcard'", 2),
    (["--case", A, "--count", "2", "--note", "n" * 300], "Error: --note: 300 characters, at most 200 allowed", 1),
    (["--count", "2"], "Missing option '--case'", 2),
])
def test_bad_input_to_paper_add_is_one_line_and_records_nothing(tmp_path, args, says, code):
    result = run("paper", "add", *args, *stall_args(tmp_path))
    assert result.exit_code == code and says in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert not (tmp_path / "k.db").exists() or figures(tmp_path / "k.db")["count"] == 0


def test_bad_corrections_are_one_line(tmp_path):
    assert run("paper", "add", "--case", A, "--count", "3", *stall_args(tmp_path)).exit_code == 0
    for args, says in [(["nope", "--count", "2"], "Error: id: 'nope' is not an entry's id"),
                       (["ffffffff", "--count", "2"], "Error: id: no paper letters entry 'ffffffff' here")]:
        result = run("paper", "correct", *args, "--db", tmp_path / "k.db", "--kiosk-id", "north")
        assert result.exit_code == 1 and says in result.output and len(result.output.strip().splitlines()) == 1


def test_a_note_is_one_clean_line_in_the_file_and_on_the_terminal(tmp_path):
    note = "box\x1b]52;c;aGk=\x07 1\u202e\nsat"
    assert run("paper", "add", "--case", A, "--count", "3", "--note", note, *stall_args(tmp_path)).exit_code == 0
    listing = run("paper", "list", "--db", tmp_path / "k.db").output
    assert "\x1b" not in listing and "\u202e" not in listing and "\x07" not in listing
    with Store(tmp_path / "k.db") as store:
        (kept,) = store.db.execute("SELECT note FROM paper_letters").fetchone()
    assert kept == "box]52;c;aGk= 1 sat"


def test_paper_list_reads_a_file_that_cannot_be_written(tmp_path):
    assert run("paper", "add", "--case", A, "--count", "3", *stall_args(tmp_path)).exit_code == 0
    (tmp_path / "k.db").chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        result = run("paper", "list", "--db", tmp_path / "k.db")
    finally:
        tmp_path.chmod(0o755)
    assert result.exit_code == 0 and "1 entry, 3 handwritten letter(s)" in result.output


def test_a_kiosk_or_event_with_only_handwritten_letters_can_be_selected(tmp_path):
    db = tmp_path / "k.db"
    assert run("paper", "add", "--case", A, "--count", "4", *stall_args(tmp_path, "south")).exit_code == 0
    with Store(db) as store:
        store.record(case_id=B, kind="appeal", name="Ada", message="", event="Summer Fest", kiosk_id="north")
    result = run("export", "counts", "--db", db, "--by", "kiosk", "--kiosk", "south")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:] == ['"south",4,4,0,0']
    listing = run("paper", "list", "--db", db, "--case", A)
    assert listing.exit_code == 0 and "1 entry, 4 handwritten letter(s)" in listing.output
    report = run("report", "--db", db, "--kiosk", "south")
    assert report.exit_code == 0 and "Letters: 4 (4 appeals, 0 postcards)" in report.output
    assert "Handwritten on paper: 4" in report.output and "Likely duplicates" not in report.output


def test_handwritten_letters_are_asked_nothing(tmp_path):
    """The consent line counts the typed letters without an answer: a handwritten one was never asked."""
    from kiosk.consent import load_consent
    from kiosk.store import ConsentChoice

    wording = load_consent(CASES / "consent.toml").for_language("en")
    db = tmp_path / "k.db"
    with Store(db) as store:
        sig = store.record(case_id=A, kind="appeal", name="Ada", message="", event="E", kiosk_id="k1")
        store.record_consent(sig.id, ConsentChoice(wording, "no"))
        store.record(case_id=A, kind="appeal", name="Bo", message="", event="E", kiosk_id="k1")
        store.add_paper(A, "appeal", 30, None, "E", "k1")
    report = run("report", "--db", db)
    assert "Answered whether we may contact them: 0 yes, 1 no; 1 letter without an answer" in report.output


# -- another file's entries: checked as recording checks them -------------------------------------


def stored_rows(tmp_path):
    station, clock = station_at(tmp_path)
    entry = station.add_paper(A, "appeal", 20, "box")
    clock.later(60)
    station.correct_paper(entry.id, 15)
    with Store(station.settings.database) as store:
        cur = store.db.execute("SELECT * FROM paper_letters ORDER BY created_at")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur]


def test_a_kiosks_own_rows_pass_the_checks_as_they_are(tmp_path):
    entry, correction = stored_rows(tmp_path)
    assert paper_row(entry) == entry and paper_row(correction) == correction
    paper_correction(paper_row(correction), paper_row(entry))


@pytest.mark.parametrize("which, change, column", [
    (0, {"id": "not-a-uuid"}, "id"),
    (0, {"id": "0B5E3C1A-0000-4000-8000-000000000000"}, "id"),
    (0, {"count": 0}, "count"),
    (0, {"count": -4}, "count"),  # an entry counts letters; only a correction takes some away
    (0, {"count": 100_001}, "count"),
    (0, {"count": "20"}, "count"),
    (0, {"count": 2.5}, "count"),
    (1, {"count": 0}, "count"),
    (1, {"count": -100_001}, "count"),
    (0, {"kind": "letter"}, "kind"),
    (0, {"case_id": "Not A Case"}, "case_id"),
    (0, {"event": ""}, "event"),
    (0, {"kiosk_id": "a kiosk"}, "kiosk_id"),
    (0, {"note": "n" * 201}, "note"),
    (0, {"created_at": "2026-07-03 08:00"}, "created_at"),
    (0, {"local_time": "2026-07-03T10:00:00"}, "local_time"),
    (0, {"local_time": "2026-07-03T11:00:00.000000+02:00"}, "local_time"),  # not when it was entered
    (1, {"corrects": "me"}, "corrects"),
])
def test_a_row_no_kiosk_could_have_written_is_refused_naming_the_column(tmp_path, which, change, column):
    row = {**stored_rows(tmp_path)[which], **change}
    with pytest.raises(BadRow) as caught:
        paper_row(row)
    assert caught.value.column == column


def test_a_correction_of_itself_is_refused(tmp_path):
    _, correction = stored_rows(tmp_path)
    with pytest.raises(BadRow) as caught:
        paper_row({**correction, "corrects": correction["id"]})
    assert caught.value.column == "corrects"


def test_a_note_from_another_file_is_kept_clean(tmp_path):
    entry, _ = stored_rows(tmp_path)
    assert paper_row({**entry, "note": "a\x1b[31m\nb\u202e"})["note"] == "a[31m b"


@pytest.mark.parametrize("change, column", [
    ({"case_id": B}, "case_id"), ({"kind": "postcard"}, "kind"), ({"event": "Other"}, "event"),
    ({"kiosk_id": "south"}, "kiosk_id"), ({"local_time": "2026-07-04T10:00:00.000000+02:00"}, "local_time"),
])
def test_a_correction_keeps_what_its_entry_says(tmp_path, change, column):
    entry, correction = stored_rows(tmp_path)
    with pytest.raises(BadRow) as caught:
        paper_correction({**paper_row(correction), **change}, paper_row(entry))
    assert caught.value.column == column


def test_a_correction_of_a_correction_is_refused(tmp_path):
    entry, correction = stored_rows(tmp_path)
    second = {**correction, "id": "0b5e3c1a-0000-4000-8000-000000000000", "corrects": correction["id"]}
    with pytest.raises(BadRow) as caught:
        paper_correction(paper_row(second), paper_row(correction))
    assert caught.value.column == "corrects"
    assert entry["corrects"] is None
