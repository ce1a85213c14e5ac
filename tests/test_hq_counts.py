"""``kiosk hq counts`` gives, over every kiosk's uploads, exactly what ``kiosk export counts`` gives
over the same letters merged in one kiosk file: the same groups, columns, order and formats."""

from __future__ import annotations

import json

import httpx
import pytest
from click.testing import CliRunner

from kiosk.cli import cli
from kiosk.store import GROUPS
from tests.helpers import CASES
from tests.helpers.hq import answers, batch, rows_of, signature, upload
from tests.helpers.records_data import fill


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
    assert answer["columns"] == ["case_id", "case_title", "day", "count"]
    only = httpx.get(service.url + "/api/v1/counts", params={"by": "kiosk", "event": "Book Fair"}).json()
    assert only["rows"] == [{"kiosk_id": "north", "count": 2}]


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
        "case_id", "case_title", "count"], "rows": [], "total": 0}


def test_a_case_not_published_counts_with_an_empty_title(hq_service):
    token = hq_service.token("stall-1")
    upload(hq_service.url, token, batch("stall-1", [signature(case_id="unpublished-case")]))
    out = run("hq", "counts", "--dsn", hq_service.dsn, "--format", "json")
    assert json.loads(out) == [{"case_id": "unpublished-case", "case_title": "", "count": 1}]


def test_csv_cells_are_made_inert_for_a_spreadsheet(hq_service):
    token = hq_service.token("stall-1")
    upload(hq_service.url, token, batch("stall-1", [signature(event="=HYPERLINK(\"http://x\")")]))
    out = run("hq", "counts", "--dsn", hq_service.dsn, "--by", "event")
    assert out.splitlines()[1].startswith("\"'=HYPERLINK")


def test_a_wrong_grouping_is_wrong_usage(hq_db):
    result = CliRunner().invoke(cli, ["hq", "counts", "--dsn", hq_db, "--by", "name"])
    assert result.exit_code == 2 and "'name' is not one of" in result.output
