"""Each letter's languages: the visitor's and the one its receipt printed in, recorded, counted,
exported and merged (schema 0006)."""

import csv
import io
import json
import sqlite3

import pytest
from click.testing import CliRunner

from kiosk.application import InputError, open_station
from kiosk.cli import cli
from kiosk.settings import Settings
from kiosk.store import Store, StoreError
from tests.helpers import CASES
from tests.helpers.old_files import database_before
from tests.helpers.records_data import at


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def columns(path, *names, order="number"):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT {', '.join(names)} FROM signatures ORDER BY {order}").fetchall()
    finally:
        conn.close()


# -- recording --------------------------------------------------------------------------------


def test_an_appeal_records_the_visitors_language_and_the_letters(cases, store):
    tomas = cases.cases["defender-tomas-quispe"]
    appeal = store.record(case=tomas, kind="appeal", name="Ola", message="Trzymaj się!", event="E", kiosk_id="k",
                          language="pl")
    postcard = store.record(case=tomas, kind="postcard", name="Ola", message="", event="E", kiosk_id="k",
                            language="pl")
    amara = store.record(case=cases.cases["lawyer-amara-osei"], kind="appeal", name="Ola", message="", event="E",
                         kiosk_id="k", language="pl")
    assert (appeal.language, appeal.letter_language) == ("pl", "es")  # the Attorney General reads Spanish
    assert (postcard.language, postcard.letter_language) == ("pl", "pl")  # the visitor's own card
    assert (amara.language, amara.letter_language) == ("pl", "en")  # no preferred language: the base's
    kept = {s.id: (s.language, s.letter_language) for s in store.signatures()}
    assert kept == {appeal.id: ("pl", "es"), postcard.id: ("pl", "pl"), amara.id: ("pl", "en")}
    assert store.signature(appeal.id) == appeal


def test_a_language_the_kiosk_does_not_speak_is_refused_and_nothing_recorded(cases, store):
    for bad in ("de", "", "EN", "pl_PL"):
        with pytest.raises(InputError) as caught:
            store.record(case=cases.cases["defender-tomas-quispe"], kind="postcard", name="Ola", message="",
                         event="E", kiosk_id="k", language=bad)
        assert caught.value.field == "language"
    assert store.total() == 0


def test_the_station_records_the_stalls_language_unless_told(tmp_path):
    settings = Settings(cases=CASES, allow_sample_cases=True, database=tmp_path / "k.db", language="fr")
    station = open_station(settings).prepare()
    try:
        default = station.record("defender-tomas-quispe", "postcard", "Zoé", "")
        polish = station.record("defender-tomas-quispe", "appeal", "Ola", "Trzymaj się!", language="pl")
        assert (default.language, default.letter_language) == ("fr", "fr")
        assert (polish.language, polish.letter_language) == ("pl", "es")
        assert station.letter("defender-tomas-quispe", "appeal", "Ola", "", language="pl").language == "pl"
        assert station.letter("defender-tomas-quispe", "appeal", "Ola", "").language == "fr"
        with pytest.raises(InputError) as caught:
            station.letter("defender-tomas-quispe", "appeal", "Ola", "", language="xx")
        assert caught.value.field == "language"
        with pytest.raises(InputError):
            station.record("defender-tomas-quispe", "appeal", "Ola", "", language="xx")
        assert station.count_today() == 2
    finally:
        station.close()


# -- older files ------------------------------------------------------------------------------


def database_at_0005(path, rows=2):
    """A kiosk file as kiosks wrote it before the letters' languages (migrations 0001-0005)."""
    return database_before(path, "0006_letter_languages", rows=rows, case_id="defender-tomas-quispe", status="failed")


def test_a_file_at_0005_migrates_with_no_language_for_its_letters(tmp_path):
    path = tmp_path / "old.db"
    ids = database_at_0005(path)
    with Store(path) as store:
        assert [(s.id, s.language, s.letter_language) for s in store.signatures()] == [
            (ids[0], None, None), (ids[1], None, None)]
        assert store.counts("language") == [{"language": "", "count": 2, "paper": 0, "duplicates": 0, "signers": 2}]


# -- counts and exports -------------------------------------------------------------------------


@pytest.fixture
def languages_db(tmp_path, cases):
    path = tmp_path / "k.db"
    database_at_0005(path, rows=1)  # a letter from before: no language
    tomas = cases.cases["defender-tomas-quispe"]
    with Store(path) as store:
        for n, (kind, lang) in enumerate([("appeal", "pl"), ("postcard", "pl"), ("appeal", "fr"),
                                          ("postcard", "ar")]):
            store.record(case=tomas, kind=kind, name=f"V{n}", message="", event="Fest", kiosk_id="k1",
                         at=at(3, 10 + n), language=lang)
    return path


def test_counts_by_language(languages_db):
    result = run("export", "counts", "--by", "language", "--format", "json", "--db", languages_db)
    assert result.exit_code == 0, result.output
    assert [(r["language"], r["count"]) for r in json.loads(result.output)] == [
        ("", 1), ("ar", 1), ("fr", 1), ("pl", 2)]
    by_two = run("export", "counts", "--by", "language,kind", "--db", languages_db)
    rows = list(csv.DictReader(io.StringIO(by_two.output)))
    assert [(r["language"], r["kind"], r["count"]) for r in rows] == [
        ("", "appeal", "1"), ("ar", "postcard", "1"), ("fr", "appeal", "1"), ("pl", "appeal", "1"),
        ("pl", "postcard", "1")]
    assert "language" in run("export", "counts", "--help").output


def test_the_signatures_export_has_both_languages(languages_db):
    result = run("export", "signatures", "--format", "json", "--db", languages_db)
    rows = json.loads(result.output)
    assert [(r["kind"], r["language"], r["letter_language"]) for r in rows] == [
        ("appeal", None, None), ("appeal", "pl", "es"), ("postcard", "pl", "pl"), ("appeal", "fr", "es"),
        ("postcard", "ar", "ar")]
    header = run("export", "signatures", "--db", languages_db).output.splitlines()[0]
    assert header.endswith('"language","letter_language","likely_duplicate"')


# -- merging --------------------------------------------------------------------------------


def test_merge_keeps_each_letters_languages_and_takes_a_0005_source(tmp_path, languages_db):
    old = tmp_path / "old.db"
    database_at_0005(old, rows=1)  # another old kiosk's letter (a new UUID), never migrated
    target = tmp_path / "all.db"
    result = run("merge", languages_db, old, "--db", target)
    assert result.exit_code == 0, result.output
    assert "old.db: 1 signature(s), 1 new" in result.output
    merged = sorted(columns(target, "kind", "language", "letter_language"), key=repr)
    assert merged == sorted([("appeal", None, None), ("appeal", None, None), ("appeal", "pl", "es"),
                             ("postcard", "pl", "pl"), ("appeal", "fr", "es"), ("postcard", "ar", "ar")], key=repr)
    again = run("merge", languages_db, "--db", target)
    assert "5 signature(s), 0 new, 5 already here" in again.output


def test_the_same_letter_in_another_language_is_a_conflict(tmp_path, languages_db):
    target = tmp_path / "all.db"
    run("merge", languages_db, "--db", target)
    conn = sqlite3.connect(languages_db)
    conn.execute("UPDATE signatures SET language = 'fr' WHERE language = 'ar'")
    conn.execute("UPDATE signatures SET letter_language = 'en' WHERE letter_language = 'es' AND language = 'fr'")
    conn.commit()
    conn.close()
    result = run("merge", languages_db, "--db", target)
    assert "5 signature(s), 0 new, 3 already here, 2 conflicting" in result.output
    assert ": language differ" in result.output and ": letter_language differ" in result.output
    assert ("postcard", "ar", "ar") in columns(target, "kind", "language", "letter_language")  # the copy here kept


@pytest.mark.parametrize(("column", "value", "problem"), [
    ("language", "de", "language: not one of the kiosk's languages (en, es, fr, pl, ar)"),
    ("letter_language", "", "letter_language: not one of the kiosk's languages"),
    ("language", b"\xffpl", "language: not valid UTF-8 text (byte 0)"),
])
def test_a_source_row_with_a_language_recording_refuses_is_refused(tmp_path, languages_db, column, value, problem):
    conn = sqlite3.connect(languages_db)
    conn.execute(f"UPDATE signatures SET {column} = ? WHERE number = 2", [value])
    conn.commit()
    conn.close()
    target = tmp_path / "all.db"
    with Store(target) as store, pytest.raises(StoreError) as caught:
        store.merge([languages_db])
    assert str(caught.value).startswith(f"{languages_db}: signatures row ")
    assert problem in str(caught.value) and "nothing was merged" in str(caught.value)
    with Store(target) as store:
        assert store.total() == 0
