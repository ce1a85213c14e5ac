"""A hand count: two kiosks' letters, typed and handwritten, some by the same people, counted by
hand below and by every output of the kiosk: `kiosk export counts` (by case, kiosk, day, hour),
the report in the terminal and in report.md, the printed tally slip and the delivery list,
after `kiosk merge` (and again after a second merge, and a purge: nothing moves).

The stall is in UTC+02:00. Cases: A lawyer-amara-osei, B prisoner-ilya-voronin, C
journalist-lina-haddad.

    kiosk  stall time        case kind      writer                 likely duplicate?
    north  07-03 10:05  #1   A    appeal    Ada Lovelace
    north  07-03 10:20  #2   A    appeal    ADA  lovelace          yes: #1 (the same normalised name)
    north  07-03 11:00  #3   B    appeal    Ada Lovelace           no: another case
    north  07-03 11:30  #4   A    postcard  Bob Marley
    north  07-04 09:15  #5   B    appeal    Cleo Tan + cleo@example.org
    north  07-04 09:45  #6   B    appeal    Cleo Tan (no address)  no: without the address, another signer
    south  07-03 14:10  #7   A    appeal    ada lovelace           yes: #1, once the files are merged
    south  07-03 15:00  #8   B    postcard  Dan Øst
    south  07-04 10:30  #9   B    appeal    cleo tan + CLEO@Example.org   yes: #5, once merged
    south  07-04 10:45  #10  C    appeal    Eve Adeyemi

    handwritten
    north  07-03 12:00  A appeal   20, corrected on 07-04 at 18:00 to 15 (it counts on 07-03 at 12:00)
    north  07-04 17:00  B appeal    3, corrected to 0 (entered by mistake)
    south  07-04 16:00  C postcard  7

By case: A: typed 4 (#1 #2 #4 #7), 2 duplicates, 15 handwritten: 19 letters, 2 signers;
B: typed 5 (#3 #5 #6 #8 #9), 1 duplicate, 0 handwritten: 5 letters, 4 signers;
C: typed 1, 7 handwritten: 8 letters, 1 signer. In all 32 letters, 22 handwritten, 3 likely
duplicates, 7 signers; 23 appeals (8 typed, 15 handwritten) and 9 postcards (2 typed, 7).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from click.testing import CliRunner

from kiosk.application import open_station
from kiosk.cli import cli
from kiosk.settings import Settings
from tests.helpers import CASES
from tests.helpers.escpos_stream import decode

STALL = dt.timezone(dt.timedelta(hours=2))
KEY = "hand-count-signer-key-0123456789"
A, B, C = "lawyer-amara-osei", "prisoner-ilya-voronin", "journalist-lina-haddad"
TITLES = {A: "Lawyer harassed for defending her clients", B: "Jailed for a poem",
          C: "Journalist detained after reporting on corruption"}

# (kiosk, day, hour, minute, case, kind, name, email)
TYPED = [
    ("north", 3, 10, 5, A, "appeal", "Ada Lovelace", None),
    ("north", 3, 10, 20, A, "appeal", "ADA  lovelace", None),
    ("north", 3, 11, 0, B, "appeal", "Ada Lovelace", None),
    ("north", 3, 11, 30, A, "postcard", "Bob Marley", None),
    ("north", 4, 9, 15, B, "appeal", "Cleo Tan", "cleo@example.org"),
    ("north", 4, 9, 45, B, "appeal", "Cleo Tan", None),
    ("south", 3, 14, 10, A, "appeal", "ada lovelace", None),
    ("south", 3, 15, 0, B, "postcard", "Dan Øst", None),
    ("south", 4, 10, 30, B, "appeal", "cleo tan", "CLEO@Example.org"),
    ("south", 4, 10, 45, C, "appeal", "Eve Adeyemi", None),
]


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 7, day, hour, minute, tzinfo=STALL)


class Clock:
    def __init__(self) -> None:
        self.now = at(3, 9)

    def __call__(self) -> dt.datetime:
        return self.now


def kiosk_file(tmp_path, kiosk: str, key: str | None):
    """One kiosk's file, its letters recorded as the kiosk records them (Station: signer, consent)."""
    clock = Clock()
    station = open_station(Settings(campaign="Letters for Freedom", event="Summer Fest", kiosk_id=kiosk, cases=CASES,
                                    allow_sample_cases=True, database=tmp_path / f"{kiosk}.db",
                                    preview=tmp_path / "preview", signer_key=key), clock=clock)
    station.prepare()
    for name_kiosk, day, hour, minute, case, kind, name, email in TYPED:
        if name_kiosk != kiosk:
            continue
        clock.now = at(day, hour, minute)
        answer = station.answer("yes", email, age_confirmed=True) if email else None
        station.record(case, kind, name, f"Free them now, from {name}", answer)
    if kiosk == "north":
        clock.now = at(3, 12)
        first = station.add_paper(A, "appeal", 20, "box 1")
        clock.now = at(4, 17)
        mistake = station.add_paper(B, "appeal", 3)
        clock.now = at(4, 18)
        assert station.correct_paper(first.short_id, 15, "recounted").count == 15
        assert station.correct_paper(mistake.id, 0, "entered by mistake").count == 0
    else:
        clock.now = at(4, 16)
        station.add_paper(C, "postcard", 7)
    station.close()
    return tmp_path / f"{kiosk}.db"


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def merged(tmp_path, key: str | None = KEY):
    north, south = kiosk_file(tmp_path, "north", key), kiosk_file(tmp_path, "south", key)
    weekend = tmp_path / "weekend.db"
    run("merge", north, south, "--db", weekend)
    return weekend


@pytest.fixture
def weekend(tmp_path):
    return merged(tmp_path)


HEAD = '"count","paper","duplicates","signers"'
BY_CASE = f'''"case_id","case_title",{HEAD}
"{C}","{TITLES[C]}",8,7,0,1
"{A}","{TITLES[A]}",19,15,2,2
"{B}","{TITLES[B]}",5,0,1,4
'''
BY_KIOSK = f'''"kiosk_id",{HEAD}
"north",21,15,1,5
"south",11,7,2,2
'''
BY_DAY = f'''"day",{HEAD}
"2026-07-03",21,15,2,4
"2026-07-04",11,7,1,3
'''
# the handwritten ones in the hour they were entered (a correction in its entry's); the mistake's 0 is no row
BY_HOUR = f'''"hour",{HEAD}
"2026-07-03 10:00",2,0,1,1
"2026-07-03 11:00",2,0,0,2
"2026-07-03 12:00",15,15,0,0
"2026-07-03 14:00",1,0,1,0
"2026-07-03 15:00",1,0,0,1
"2026-07-04 09:00",2,0,0,2
"2026-07-04 10:00",2,0,1,1
"2026-07-04 16:00",7,7,0,0
'''


def counts(db, by, *args):
    return run("export", "counts", "--db", db, "--by", by, *args)


def test_the_counts_are_the_hand_count(weekend):
    assert counts(weekend, "case") == BY_CASE
    assert counts(weekend, "kiosk") == BY_KIOSK
    assert counts(weekend, "day") == BY_DAY
    assert counts(weekend, "hour") == BY_HOUR


def test_without_a_signer_key_nothing_is_flagged_and_the_letters_are_the_same(tmp_path):
    weekend = merged(tmp_path, key=None)
    assert counts(weekend, "case") == f'''"case_id","case_title",{HEAD}
"{C}","{TITLES[C]}",8,7,0,1
"{A}","{TITLES[A]}",19,15,0,4
"{B}","{TITLES[B]}",5,0,0,5
'''
    assert counts(weekend, "kiosk") == f'''"kiosk_id",{HEAD}
"north",21,15,0,6
"south",11,7,0,4
'''
    assert counts(weekend, "day") == f'''"day",{HEAD}
"2026-07-03",21,15,0,6
"2026-07-04",11,7,0,4
'''
    report = run("report", "--db", weekend)
    assert "Likely duplicates flagged: 0; distinct signers: 10" in report
    assert "10 letters not checked for duplicates: recorded without a signer key" in report


def test_each_kiosk_alone_flags_only_its_own_and_the_merge_finds_the_rest(tmp_path):
    north, south = kiosk_file(tmp_path, "north", KEY), kiosk_file(tmp_path, "south", KEY)
    assert counts(north, "kiosk") == f'"kiosk_id",{HEAD}\n"north",21,15,1,5\n'
    assert counts(south, "kiosk") == f'"kiosk_id",{HEAD}\n"south",11,7,0,4\n'  # #7 and #9 wait for north's
    weekend = tmp_path / "weekend.db"
    run("merge", south, north, "--db", weekend)  # either order: "earlier" is the letters' time
    assert counts(weekend, "kiosk") == BY_KIOSK


def test_merging_again_and_purging_move_nothing(weekend, tmp_path):
    run("merge", tmp_path / "north.db", tmp_path / "south.db", "--db", weekend)
    assert counts(weekend, "case") == BY_CASE
    run("purge", "--personal-data", "--yes", "--db", weekend)
    assert counts(weekend, "case") == BY_CASE and counts(weekend, "day") == BY_DAY


def test_filters_select_handwritten_letters_too(weekend):
    assert counts(weekend, "case", "--kiosk", "south") == f'''"case_id","case_title",{HEAD}
"{C}","{TITLES[C]}",8,7,0,1
"{A}","{TITLES[A]}",1,0,1,0
"{B}","{TITLES[B]}",2,0,1,1
'''
    assert counts(weekend, "kind", "--since", "2026-07-04") == f'''"kind",{HEAD}
"appeal",4,0,1,3
"postcard",7,7,0,0
'''


def test_the_report_says_the_hand_count(weekend, tmp_path):
    out = run("report", "--db", weekend, "--out", tmp_path / "rep")
    assert "Letters: 32 (23 appeals, 9 postcards)" in out
    assert "Handwritten on paper: 22" in out
    assert "Likely duplicates flagged: 3; distinct signers: 7" in out
    assert "not checked for duplicates" not in out  # every letter had a signer
    rows = {m.group(1).strip(): [int(n) for n in m.group(2).split("│")]
            for m in re.finditer(r"^│ ([^│]+?)\s*│([\d│ ]+)│$", out, re.M)}
    # appeals, postcards, total, on paper, duplicates, signers
    assert rows[TITLES[A]] == [18, 1, 19, 15, 2, 2]
    assert rows[TITLES[B]] == [4, 1, 5, 0, 1, 4]
    assert rows[TITLES[C]] == [1, 7, 8, 7, 0, 1]
    assert rows["north"] == [20, 1, 21, 15, 1, 5] and rows["south"] == [3, 8, 11, 7, 2, 2]
    md = (tmp_path / "rep" / "report.md").read_text(encoding="utf-8")
    assert "- **32 letters**: 23 appeals, 9 postcards\n- Handwritten on paper: 22\n" in md
    assert "- Likely duplicates flagged: 3; distinct signers: 7\n" in md
    assert "| Case | Appeals | Postcards | Total | On paper | Duplicates | Signers |" in md
    assert f"| {TITLES[A]} | 18 | 1 | 19 | 15 | 2 | 2 |" in md
    assert "| All | 23 | 9 | 32 | 22 | 3 | 7 |" in md
    assert "Handwritten letters count in the hour they were entered." in md
    assert re.search(r"^\| 12:00 \| 15 \| 0 \| 15 \|$", md, re.M)  # the handwritten box, at noon on Friday


def test_the_printed_tally_slip_marks_the_handwritten_letters(weekend, tmp_path):
    out = tmp_path / "slip.bin"
    said = run("printer", "tally", "--db", weekend, "--day", "2026-07-03", "--printer", f"file:{out}")
    assert "Tally for Fri 03 Jul 2026: 21 letter(s) (15 of them handwritten)" in said
    paper = decode(out.read_bytes(), "TM-T20II")
    words = " ".join(paper.text.split())
    assert "Letters: 21" in words and "Appeals 19 Postcards 2" in words
    assert "Handwritten on paper: 15" in words
    assert "Likely duplicates flagged: 2; distinct signers: 4" in words
    assert f"{TITLES[A]} appeals 18 postcards 1 total 19 of them on paper 15" in words
    assert f"{TITLES[B]} appeals 1 postcards 1 total 2" in words
    assert f"{TITLES[B]} appeals 1 postcards 1 total 2 of them on paper" not in words
    hours = {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\d\d:00)\s+(\d+)", paper.text, re.M)}
    assert {h: n for h, n in hours.items() if n} == {"10:00": 2, "11:00": 2, "12:00": 15, "14:00": 1, "15:00": 1}


def test_the_delivery_list_posts_the_handwritten_appeals_with_the_typed_ones(weekend, tmp_path):
    rows = list(csv.DictReader(io.StringIO(run("export", "letters", "--db", weekend))))
    assert sum(int(r["letters"]) for r in rows) == 23  # every appeal to post: 8 typed, 15 handwritten
    (handwritten,) = [r for r in rows if r["print_status"] == "handwritten"]
    assert (handwritten["case_id"], handwritten["letters"], handwritten["signer_name"]) == (A, "15", "")
    typed_a = [r for r in rows if r["case_id"] == A and r["print_status"] != "handwritten"]
    assert handwritten["addressee_name"] == typed_a[0]["addressee_name"] and len(typed_a) == 3
    page = tmp_path / "letters.html"
    said = CliRunner().invoke(cli, ["export", "letters", "--db", str(weekend), "--format", "html", "-o", str(page)])
    assert "8 appeal(s) + 15 handwritten to " in said.output
    html = page.read_text(encoding="utf-8")
    assert f"{TITLES[A]}: " in html and "(3 + 15 handwritten)</h3>" in html
    assert "+ 15 handwritten appeals collected at the stall" in html
