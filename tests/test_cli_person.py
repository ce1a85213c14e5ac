"""`kiosk export person --email ADDRESS`: what the file holds about one person, to answer
"What do you hold about me?".

Every letter given with the address, found as `kiosk forget` finds it, and the other letters
that carry the same name without any address (marked so), each with its answer (a *no*
too); as safe as every export (owner-only file, inert formulas, terminal-safe), changing
nothing in the database.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3

import pytest

from kiosk.application import PERSON_COLUMNS
from tests.helpers.terminal import on_a_terminal
from tests.test_cli_consent import UNSAFE, digest, fill, one_line, run, stored

GIVEN, SAME = "given with the address", "same name, no address"
UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")

# (name, case, answer, address)
PEOPLE = [
    ("Ada Quillfeather", "lawyer-amara-osei", "yes", "ada@example.org"),            # 1: given with it
    ("Bea Declinewood", "lawyer-amara-osei", "no", None),                           # 2: someone else
    ("ada  quillfeather", "prisoner-ilya-voronin", None, None),                     # 3: same name, never asked
    ("Ada Quillfeather", "prisoner-ilya-voronin", "yes", "ADA@Example.org"),        # 4: given with it again
    ("Ada Quillfeather", "journalist-lina-haddad", "no", None),                     # 5: same name, said no
    ("Ada Quillfeather", "journalist-lina-haddad", "yes", "ada.q@example.net"),     # 6: another address: not hers
    ("Emil Yesworth", "journalist-lina-haddad", "yes", "emil@example.net"),         # 7: someone else
]


@pytest.fixture
def db(tmp_path):
    return fill(tmp_path / "k.db", PEOPLE)


def person(db, email, *args):
    result = run("export", "person", "--email", email, "--format", "json", "--db", db, *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def refs(rows):
    return [(row["reference"], row["found"]) for row in rows]


def test_every_letter_given_with_the_address_then_the_same_name_without_one_each_with_its_answer(db):
    before = digest(db)
    rows = person(db, "ada@example.org")
    assert refs(rows) == [("Fest / k1 / #0001", GIVEN), ("Fest / k1 / #0004", GIVEN),
                          ("Fest / k1 / #0003", SAME), ("Fest / k1 / #0005", SAME)]
    assert all(list(row) == list(PERSON_COLUMNS) for row in rows)
    first, again, unasked, declined = rows
    assert first["name"] == "Ada Quillfeather" and first["message"] == "Message from Ada Quillfeather"
    assert (first["case_id"], first["kind"], first["event"], first["kiosk_id"]) == (
        "lawyer-amara-osei", "appeal", "Fest", "k1")
    assert first["case_title"] and first["print_status"] == "pending" and first["purged_at"] is None
    assert UTC.fullmatch(first["signed_at"]) and UTC.fullmatch(first["answered_at"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d", first["signed_local_time"])
    assert (first["choice"], first["email"], first["channel"], first["language"]) == (
        "yes", "ada@example.org", "email", "en")
    assert len(first["wording_id"]) == 64 and first["wording_version"] and first["lawful_basis"] == "consent"
    assert first["exported_at"] is None
    assert (again["choice"], again["email"]) == ("yes", "ADA@example.org")  # as it was given
    assert unasked["name"] == "ada quillfeather" and unasked["choice"] is None and unasked["email"] is None
    assert unasked["wording_id"] is None and unasked["answered_at"] is None
    assert (declined["choice"], declined["email"]) == ("no", None)  # a no is shown, never in export contacts
    assert digest(db) == before  # nothing changed, nothing noted


def test_it_finds_what_forget_would_remove_and_nothing_after_it(db):
    rows = person(db, "ada@example.org")
    shown = run("forget", "--email", "ada@example.org", "--db", db, input="n\n").output.splitlines()
    (given,) = [line for line in shown if "letter(s) given with" in line]
    (same,) = [line for line in shown if "carry the same name" in line]
    for reference, found in refs(rows):
        assert f"Ref. {reference}" in (given if found == GIVEN else same)
    assert "#0006" not in str(shown) and "#0006" not in str(refs(rows))  # given with another address: not hers
    assert run("forget", "--email", "ada@example.org", "--also-same-name", "--yes", "--db", db).exit_code == 0
    result = run("export", "person", "--email", "ada@example.org", "--format", "json", "--db", db)
    assert result.exit_code == 0 and json.loads(result.stdout) == []


@pytest.mark.parametrize("asked", ["ADA@EXAMPLE.ORG", " ada@example.org ", "Ada@Example.Org"])
def test_the_address_is_found_in_any_case(db, asked):
    assert refs(person(db, asked))[:2] == [("Fest / k1 / #0001", GIVEN), ("Fest / k1 / #0004", GIVEN)]


def test_a_domain_given_as_unicode_is_found_as_idna_and_back(tmp_path):
    db = fill(tmp_path / "k.db", [("Hans Wurst", "lawyer-amara-osei", "yes", "hans@bücher.de"),
                                  ("Hans Other", "lawyer-amara-osei", "yes", "hans@buecher.de")])
    rows = person(db, "HANS@xn--bcher-kva.de")
    assert [(row["reference"], row["email"]) for row in rows] == [("Fest / k1 / #0001", "hans@bücher.de")]


def test_a_letter_purged_since_holds_nothing_of_her_and_is_no_longer_listed(db):
    assert run("purge", "--declined", "--yes", "--db", db).exit_code == 0
    rows = person(db, "ada@example.org")
    assert refs(rows) == [("Fest / k1 / #0001", GIVEN), ("Fest / k1 / #0004", GIVEN), ("Fest / k1 / #0003", SAME)]
    assert all(row["purged_at"] is None and row["name"] for row in rows)


def test_an_address_found_nowhere_is_the_header_or_an_empty_list_and_one_line_on_stderr(db, tmp_path):
    before = digest(db)
    result = run("export", "person", "--email", "nobody@example.org", "--db", db)
    assert result.exit_code == 0
    assert list(csv.reader(io.StringIO(result.stdout))) == [list(PERSON_COLUMNS)]
    assert result.stderr == f"Nothing found: no letter in {db} was given with nobody@example.org.\n"
    result = run("export", "person", "--email", "nobody@example.org", "--format", "json", "--db", db)
    assert result.exit_code == 0 and json.loads(result.stdout) == []
    assert len(result.stderr.splitlines()) == 1 and "Nothing found" in result.stderr
    out = tmp_path / "nobody.csv"
    result = run("export", "person", "--email", "nobody@example.org", "--db", db, "-o", out)
    assert result.exit_code == 0 and result.stdout == "" and "Nothing found" in one_line(result)
    assert out.read_text(encoding="utf-8-sig").splitlines() == [",".join(f'"{c}"' for c in PERSON_COLUMNS)]
    assert digest(db) == before


@pytest.mark.parametrize("address", ["", "   "])
def test_an_empty_address_is_one_line(db, address):
    result = run("export", "person", "--email", address, "--db", db)
    assert result.exit_code == 1 and "--email: must not be empty" in one_line(result)


def test_a_file_is_the_owners_only_and_replaces_only_an_earlier_person_export(db, tmp_path):
    out = tmp_path / "ada.csv"
    result = run("export", "person", "--email", "ada@example.org", "--db", db, "-o", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and result.stderr == f"4 letter(s) found for ada@example.org -> {out}\n"
    assert out.stat().st_mode & 0o777 == 0o600
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [row["found"] for row in rows] == [GIVEN, GIVEN, SAME, SAME]
    assert run("export", "person", "--email", "emil@example.net", "--db", db, "-o", out).exit_code == 0  # its own
    signatures = tmp_path / "signatures.csv"
    assert run("export", "signatures", "--db", db, "-o", signatures).exit_code == 0
    for target in (signatures, db, tmp_path / "ada.json.csv"):
        if target.name == "ada.json.csv":
            target.write_text("a hand-written list\n", encoding="utf-8")
        before = digest(target)
        result = run("export", "person", "--email", "ada@example.org", "--db", db, "-o", target)
        assert result.exit_code == 1 and str(target) in one_line(result)
        assert digest(target) == before
    contacts = tmp_path / "contacts.json"
    assert run("export", "contacts", "--format", "json", "--db", db, "-o", contacts).exit_code == 0
    result = run("export", "person", "--email", "ada@example.org", "--format", "json", "--db", db, "-o", contacts)
    assert result.exit_code == 1  # another export's JSON is not replaced


def test_formulas_are_inert_in_csv_and_exact_in_json(tmp_path):
    hostile = '=HYPERLINK("http://evil.example","click")'
    db = fill(tmp_path / "k.db", [(hostile, "lawyer-amara-osei", "yes", "=cmd@example.com"),
                                  (hostile, "prisoner-ilya-voronin", None, None)])
    result = run("export", "person", "--email", "=cmd@example.com", "--db", db)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["name"] for row in rows] == ["'" + hostile] * 2
    assert rows[0]["email"] == "'=cmd@example.com" and rows[1]["found"] == SAME
    assert result.stderr.startswith("note: 1 address(es) begin with =, +, - or @")
    exact = person(db, "=cmd@example.com")
    assert [row["name"] for row in exact] == [hostile] * 2 and exact[0]["email"] == "=cmd@example.com"


def test_hostile_text_reaches_a_terminal_as_visible_text(tmp_path):
    hostile = "\x1b]52;c;SGVsbG8=\x07\x1b[2J\rOK\u202eevil"
    db = fill(tmp_path / "k.db", [("Ada Quillfeather", "lawyer-amara-osei", "yes", "ada@example.org")])
    con = sqlite3.connect(db)  # as a merged kiosk file may hold it
    with con:
        con.execute("UPDATE signatures SET name = ?, message = ?", [f"Ada{hostile}", f"Hi{hostile}"])
    con.close()
    for fmt, escape in (("csv", "\\x1b]52;c;SGVsbG8=\\x07"), ("json", "\\u001b]52;c;SGVsbG8=\\u0007")):
        code, shown = on_a_terminal("export", "person", "--email", "ada@example.org", "--format", fmt, "--db", str(db))
        assert code == 0
        assert not UNSAFE.findall(shown.replace("\r\n", "\n")), shown
        assert escape in shown and "\\u202e" in shown, shown


def test_a_missing_database_is_one_line(tmp_path):
    result = run("export", "person", "--email", "a@b.org", "--db", tmp_path / "missing.db")
    assert result.exit_code == 1 and "no such database" in one_line(result)
    assert not (tmp_path / "missing.db").exists()


def test_nothing_is_noted_so_a_purge_of_exported_contacts_still_finds_none(db):
    person(db, "ada@example.org")
    assert stored(db)["answers"]["Fest / k1 / #0001"] == ("yes", "ada@example.org")
    result = run("purge", "--contacts-exported", "--db", db)
    assert result.exit_code == 0 and "no contacts export has been noted" in one_line(result)
