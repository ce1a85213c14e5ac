"""``kiosk hq counts`` gives, over every kiosk's uploads, exactly what ``kiosk export counts`` gives
over the same letters merged in one kiosk file: the same groups, columns, order and formats."""

from __future__ import annotations

import json

import httpx
import pytest
from click.testing import CliRunner

from kiosk.cases import read_dir
from kiosk.cli import cli
from kiosk.signers import fingerprint
from kiosk.store import GROUPS, Store
from tests.helpers import CASES
from tests.helpers.hq import answers, batch, outbox_rows, rows_of, signature, upload
from tests.helpers.records_data import at, fill


def run(*args: str):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def uploaded(hq_service, tmp_path):
    """The records_data letters (kiosks north and south) in a kiosk file, and each kiosk's uploaded."""
    db = fill(tmp_path / "kiosk.db")
    assert run("hq", "cases", "publish", str(CASES), "--dsn", hq_service.dsn).startswith("Published case set 1")
    for kiosk in ("north", "south"):
        rows = rows_of(db, kiosk)
        assert answers(upload(hq_service.url, hq_service.token(kiosk), batch(kiosk, rows))) == ["new"] * len(rows)
    return db, hq_service


GROUPINGS = [*GROUPS, "case,day", "kiosk,event,kind", "day,hour", "language,case"]


@pytest.mark.parametrize("by", GROUPINGS)
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_national_counts_equal_the_kiosks_export(uploaded, by, fmt):
    db, service = uploaded
    kiosk = run("export", "counts", "--db", str(db), "--by", by, "--format", fmt)
    national = run("hq", "counts", "--dsn", service.dsn, "--by", by, "--format", fmt)
    assert national == kiosk
    assert len(kiosk.splitlines()) > 1


@pytest.mark.parametrize("filters", [["--event", "Book Fair"], ["--since", "2026-07-04"], ["--until", "2026-07-03"],
                                     ["--kiosk", "south"], ["--since", "2026-07-04", "--until", "2026-07-04"]])
def test_filters_select_the_same_letters(uploaded, filters):
    db, service = uploaded
    kiosk = run("export", "counts", "--db", str(db), "--by", "case,day", "--format", "json", *filters)
    assert run("hq", "counts", "--dsn", service.dsn, "--by", "case,day", "--format", "json", *filters) == kiosk


def test_the_read_endpoint_gives_the_same_rows(uploaded):
    db, service = uploaded
    kiosk = json.loads(run("export", "counts", "--db", str(db), "--by", "case,day", "--format", "json"))
    answer = httpx.get(service.url + "/api/v1/counts", params={"by": "case,day"}).json()
    assert answer["rows"] == kiosk and answer["total"] == 8
    assert answer["columns"] == ["case_id", "case_title", "day", "count", "paper", "duplicates", "signers"]
    assert answer["figures"] == {"count": 8, "paper": 0, "duplicates": 0, "signers": 8}
    only = httpx.get(service.url + "/api/v1/counts", params={"by": "kiosk", "event": "Book Fair"}).json()
    assert only["rows"] == [{"kiosk_id": "north", "count": 2, "paper": 0, "duplicates": 0, "signers": 2}]


@pytest.mark.parametrize(("query", "expected"), [
    ({"by": "case;DROP TABLE signatures"}, "by: 'case;DROP TABLE signatures' is not one of"),
    ({"by": "s.name"}, "by: 's.name' is not one of"),
    ({"by": "case,case"}, "by: name each of"),
    ({"since": "yesterday"}, "since: expected a day, YYYY-MM-DD"),
    ({"event": "x" * 201}, "event: at most 200 characters"),
])
def test_a_bad_query_is_400_in_one_line(hq_service, query, expected):
    response = httpx.get(hq_service.url + "/api/v1/counts", params=query)
    assert response.status_code == 400 and response.json()["error"].startswith(expected)
    assert httpx.get(hq_service.url + "/api/v1/counts").json() == {"by": ["case"], "columns": [
        "case_id", "case_title", "count", "paper", "duplicates", "signers"], "rows": [], "total": 0,
        "figures": {"count": 0, "paper": 0, "duplicates": 0, "signers": 0}}


def test_a_case_not_published_counts_with_an_empty_title(hq_service):
    token = hq_service.token("stall-1")
    upload(hq_service.url, token, batch("stall-1", [signature(case_id="unpublished-case")]))
    out = run("hq", "counts", "--dsn", hq_service.dsn, "--format", "json")
    assert json.loads(out) == [{"case_id": "unpublished-case", "case_title": "", "count": 1, "paper": 0,
                                "duplicates": 0, "signers": 1}]


def test_csv_cells_are_made_inert_for_a_spreadsheet(hq_service):
    token = hq_service.token("stall-1")
    upload(hq_service.url, token, batch("stall-1", [signature(event="=HYPERLINK(\"http://x\")")]))
    out = run("hq", "counts", "--dsn", hq_service.dsn, "--by", "event")
    assert out.splitlines()[1].startswith("\"'=HYPERLINK")


def test_a_wrong_grouping_is_wrong_usage(hq_db):
    result = CliRunner().invoke(cli, ["hq", "counts", "--dsn", hq_db, "--by", "name"])
    assert result.exit_code == 2 and "'name' is not one of" in result.output


# -- likely duplicates across kiosks, and handwritten letters ----------------------------------

KEY = "a campaign's signer key, for the tests"
# (case, kind, kiosk, event, stall time, name): Ada signs amara at north, again at south (likely
# duplicate across kiosks), and a postcard for it (one more); her letter for ilya is her first
# there. Bartholomew's second ilya letter is at another kiosk and event. Farid has no signer (a
# kiosk without the key): never a duplicate. Hiroshi signs tomas at both kiosks at the same
# moment: the letter with the larger id is the duplicate.
HONEST = [
    ("lawyer-amara-osei", "appeal", "north", "Summer Fest", at(3, 10, 5), "Ada Quillfeather"),
    ("lawyer-amara-osei", "appeal", "south", "Summer Fest", at(3, 11, 0), "ada  QUILLFEATHER"),
    ("lawyer-amara-osei", "postcard", "north", "Summer Fest", at(3, 14, 0), "Ada Quillfeather"),
    ("prisoner-ilya-voronin", "appeal", "south", "Summer Fest", at(3, 23, 30), "Ada Quillfeather"),
    ("prisoner-ilya-voronin", "appeal", "north", "Summer Fest", at(4, 0, 30), "Bartholomew Zink"),
    ("prisoner-ilya-voronin", "appeal", "south", "Book Fair", at(5, 16, 45), "Bartholomew Zink"),
    ("journalist-lina-haddad", "postcard", "south", "Summer Fest", at(4, 11, 15), None),
    ("journalist-lina-haddad", "postcard", "north", "Summer Fest", at(4, 11, 20), None),
    ("defender-tomas-quispe", "appeal", "north", "Book Fair", at(5, 17, 5), "Hiroshi Tanabe-Wright"),
    ("defender-tomas-quispe", "appeal", "south", "Book Fair", at(5, 17, 5), "Hiroshi Tanabe-Wright"),
]


@pytest.fixture
def honest(hq_service, tmp_path):
    """HONEST's letters and handwritten letters with corrections, in one kiosk file (kiosks north
    and south), and each kiosk's outbox uploaded with its own token as a sync sends it."""
    db = tmp_path / "kiosk.db"
    cases = read_dir(CASES).cases
    with Store(db) as store:
        for case_id, kind, kiosk, event, moment, name in HONEST:
            store.record(case=cases[case_id], kind=kind, name=name or "Farid Haddad", message="", event=event,
                         kiosk_id=kiosk, at=moment, signer=fingerprint(KEY, name) if name else None)
        amara = store.add_paper("lawyer-amara-osei", "appeal", 12, "", "Summer Fest", "north", at(3, 10, 30),
                                case=cases["lawyer-amara-osei"])
        store.correct_paper(amara.id, 10, "two were blank", at(4, 9, 0), kiosk_id="north")
        store.add_paper("prisoner-ilya-voronin", "postcard", 5, "From St Mary's school", "Summer Fest", "south",
                        at(4, 12, 0), case=cases["prisoner-ilya-voronin"])
        mistake = store.add_paper("journalist-lina-haddad", "appeal", 3, "", "Book Fair", "south", at(5, 10, 0),
                                  case=cases["journalist-lina-haddad"])
        store.correct_paper(mistake.id, 0, None, at(5, 10, 5), kiosk_id="south")
    assert run("hq", "cases", "publish", str(CASES), "--dsn", hq_service.dsn).startswith("Published case set 1")
    for kiosk in ("north", "south"):
        rows = outbox_rows(db, kiosk)
        assert {r["kind"] for r in rows} == {"signature", "paper"}
        assert answers(upload(hq_service.url, hq_service.token(kiosk), batch(kiosk, rows))) == ["new"] * len(rows)
    return db, hq_service


def test_duplicates_across_kiosks_and_paper_letters_count_as_in_the_kiosks_export(honest):
    db, service = honest
    for by in GROUPINGS:
        for fmt in ("csv", "json"):
            kiosk = run("export", "counts", "--db", str(db), "--by", by, "--format", fmt)
            assert run("hq", "counts", "--dsn", service.dsn, "--by", by, "--format", fmt) == kiosk, (by, fmt)
        wide = run("export", "counts", "--db", str(db), "--by", by, "--wide")
        assert run("hq", "counts", "--dsn", service.dsn, "--by", by, "--wide") == wide, by


def test_the_office_agrees_with_a_hand_count(honest):
    db, service = honest
    # by hand: 10 typed letters, of them 4 likely duplicates (Ada's second amara letter and her
    # postcard, Bartholomew's second ilya letter, one of Hiroshi's two), so 6 signers; paper 12 - 2
    # + 5 + 3 - 3 = 15 handwritten: 25 letters
    answer = httpx.get(service.url + "/api/v1/counts", params={"by": "kiosk"}).json()
    assert answer["figures"] == {"count": 25, "paper": 15, "duplicates": 4, "signers": 6}
    assert answer["total"] == 25
    with Store(db, create=False) as store:  # Hiroshi's two letters, signed at the same moment: the larger id's
        later = max((s.id, s.kiosk_id) for s in store.signatures() if s.case_id == "defender-tomas-quispe")[1]
    north = 2 if later == "north" else 1  # north: Ada's postcard; south: Ada's amara and Bartholomew's letters
    assert answer["rows"] == [
        {"kiosk_id": "north", "count": 15, "paper": 10, "duplicates": north, "signers": 5 - north},
        {"kiosk_id": "south", "count": 10, "paper": 5, "duplicates": 4 - north, "signers": 1 + north}]
    lina = httpx.get(service.url + "/api/v1/counts", params={"by": "case,kind,event"}).json()["rows"]
    assert not [r for r in lina if r["case_id"] == "journalist-lina-haddad" and r["kind"] == "appeal"]  # 3 - 3
    with Store(db, create=False) as store:
        assert store.figures() == answer["figures"]
    # a filter counts a letter a duplicate of one outside it, as a kiosk does
    only = httpx.get(service.url + "/api/v1/counts", params={"by": "case", "kiosk": "south"}).json()
    assert only["figures"] == {"count": 10, "paper": 5, "duplicates": 4 - north, "signers": 1 + north}
