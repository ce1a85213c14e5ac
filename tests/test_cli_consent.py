"""Consent to be contacted on the command line: sign's answer, the contacts export, purge by
whose data, forget by address, and the wording checked with the cases.

Every bad combination on ``kiosk sign`` is one line naming the option with nothing recorded;
the export holds only people who said yes; purge and forget remove what they say, keep every
count, and leave nothing of it in the file's bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
import sqlite3
import sys
from contextlib import suppress
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.application import CONTACT_COLUMNS
from kiosk.cases import read_dir
from kiosk.consent import load_consent
from kiosk.store import ConsentChoice, Store
from tests.helpers import CASES
from tests.helpers.terminal import write_protected

# What a terminal would act on (newline and tab aside), and bidi controls.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]")
FORMULA = ("=", "+", "-", "@", "\t", "\r")


def run(*args, input=None):
    from kiosk.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)


def lines(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.strip()]


def one_line(result) -> str:
    shown = lines(result)
    assert len(shown) == 1, result.output
    assert "Traceback" not in result.output
    return shown[0]


def raw_bytes(path) -> bytes:
    """Everything on disk for this database: the file, its WAL and its shared-memory index."""
    out = b""
    for suffix in ("", "-wal", "-shm", "-journal"):
        with suppress(FileNotFoundError):
            out += Path(f"{path}{suffix}").read_bytes()
    return out


def in_file(path, text: str) -> bool:
    """Whether ``text`` can be read from the database's bytes, in any case."""
    return text.casefold().encode("utf-8") in raw_bytes(path).decode("utf-8", "replace").casefold().encode("utf-8")


def digest(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def wording():
    return load_consent(CASES / "consent.toml").for_language("en")


def stored(path) -> dict:
    """What the database holds: letters, names by reference, answers by reference, consent counts."""
    with Store(path) as store:
        sigs = store.signatures()
        answers = {s.reference: store.consent_for(s.id) for s in sigs}
        return {
            "total": store.total(),
            "names": {s.reference: s.name for s in sigs},
            "answers": {ref: (a.choice, a.email) for ref, a in answers.items() if a is not None},
            "counts": store.consent_counts(),
        }


# (name, case, answer: "yes" / "no" / None, address)
PEOPLE = [
    ("Ada Quillfeather", "lawyer-amara-osei", "yes", "ada@example.org"),
    ("Bea Declinewood", "lawyer-amara-osei", "no", None),
    ("Cyrus Unasked", "prisoner-ilya-voronin", None, None),
    ("Ada Quillfeather", "prisoner-ilya-voronin", "yes", "ADA@Example.org"),  # the same address again
    ("Dora Nayward", "journalist-lina-haddad", "no", None),
    ("Emil Yesworth", "journalist-lina-haddad", "yes", "emil@example.net"),
]


def fill(path, people=PEOPLE, event="Fest"):
    """Letters with their writers' answers, recorded as the kiosk records them (one commit each)."""
    cases = read_dir(CASES).cases
    with Store(path) as store:
        for name, case_id, choice, email in people:
            answer = ConsentChoice(wording(), choice, email, True) if choice else None
            store.record(case=cases[case_id], kind="appeal", name=name, message=f"Message from {name}", event=event,
                         kiosk_id="k1", consent=answer)
    return Path(path)


@pytest.fixture
def db(tmp_path) -> Path:
    return fill(tmp_path / "k.db")


def sign(db, tmp_path, *extra, name="Ada Lovelace", cases=CASES, samples=True):
    return run("sign", "--case", "lawyer-amara-osei", "--name", name, "--kind", "appeal", "--db", db,
               "--cases", cases, *(["--allow-sample-cases"] if samples else []), "--event", "Fest",
               "--kiosk-id", "k1", "--printer", f"preview:{tmp_path / 'preview'}", *extra)


def counts(db) -> str:
    return run("export", "counts", "--by", "case,kind,event,kiosk,day,hour", "--format", "json", "--db", db).output


def contacts(db, *args) -> list[dict]:
    result = run("export", "contacts", "--format", "json", "--db", db, *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# -- kiosk sign --consent ---------------------------------------------------------------------


def test_sign_records_a_yes_with_the_address_and_the_wording_shown(tmp_path):
    db = tmp_path / "k.db"
    result = sign(db, tmp_path, "--consent", "email", "--email", "Ada@Example.ORG", "--confirm-age")
    assert result.exit_code == 0, result.output
    assert "Recorded appeal" in result.output and "contact: yes (Ada@example.org)" in result.output
    with Store(db) as store:
        (sig,) = store.signatures()
        answer = store.consent_for(sig.id)
        texts = store.consent_texts()
    assert (answer.choice, answer.email, answer.age_confirmed) == ("yes", "Ada@example.org", True)
    assert answer.text_id == wording().id and [t["id"] for t in texts] == [wording().id]
    assert texts[0]["statement"] == wording().statement  # the very words on screen


def test_sign_records_a_likely_typo_as_given_and_says_what_was_probably_meant(tmp_path):
    db = tmp_path / "k.db"
    result = sign(db, tmp_path, "--consent", "email", "--email", "ada@gmial.com", "--confirm-age")
    assert result.exit_code == 0, result.output
    assert "contact: yes (ada@gmial.com)" in result.stdout
    assert [line for line in result.stderr.splitlines() if line.startswith("note:")] == [
        "note: --email: did you mean ada@gmail.com? (recorded as given)"]
    assert stored(db)["answers"] == {"Fest / k1 / #0001": ("yes", "ada@gmial.com")}


def test_sign_with_a_good_address_or_none_has_no_note(tmp_path):
    db = tmp_path / "k.db"
    for extra in (["--consent", "email", "--email", "ada@gmail.com", "--confirm-age"], ["--consent", "none"], []):
        result = sign(db, tmp_path, *extra)
        assert result.exit_code == 0 and "note:" not in result.output, result.output


def test_sign_refused_with_a_typo_says_no_note(tmp_path):
    result = sign(tmp_path / "k.db", tmp_path, "--consent", "email", "--email", "ada@gmial.com")  # no --confirm-age
    assert result.exit_code == 1 and "note:" not in result.output and "--confirm-age" in one_line(result)


def test_sign_records_an_explicit_no_without_an_address(tmp_path):
    db = tmp_path / "k.db"
    result = sign(db, tmp_path, "--consent", "none")
    assert result.exit_code == 0, result.output
    assert "contact: no" in result.output
    assert stored(db)["answers"] == {"Fest / k1 / #0001": ("no", None)}


def test_without_consent_no_answer_is_recorded(tmp_path):
    db = tmp_path / "k.db"
    result = sign(db, tmp_path)
    assert result.exit_code == 0, result.output
    assert "contact:" not in result.output
    assert stored(db)["answers"] == {} and stored(db)["counts"] == {}


LONG = "a" * 294 + "@b.org"  # 300 characters


@pytest.mark.parametrize("extra, says", [
    (["--email", "ada@example.org"], "--email: needs --consent email"),
    (["--confirm-age"], "--confirm-age: needs --consent email"),
    (["--email", "ada@example.org", "--confirm-age"], "--email: needs --consent email"),
    (["--consent", "none", "--email", "ada@example.org"], "--email: not with --consent none"),
    (["--consent", "none", "--confirm-age"], "--confirm-age: not with --consent none"),
    (["--consent", "email"], "--email: missing"),
    (["--consent", "email", "--confirm-age"], "--email: missing"),
    (["--consent", "email", "--email", "ada@example.org"], "--confirm-age: the visitor must confirm they are 16"),
    (["--consent", "email", "--email", "", "--confirm-age"], "--email: missing"),
    (["--consent", "email", "--email", "   ", "--confirm-age"], "--email: missing"),
    (["--consent", "email", "--email", "ada at example.org", "--confirm-age"], "--email: not an email address"),
    (["--consent", "email", "--email", "ada@", "--confirm-age"], "--email: not an email address"),
    (["--consent", "email", "--email", '=HYPERLINK("http://evil.example")@a.com', "--confirm-age"],
     "--email: not an email address"),
    (["--consent", "email", "--email", "ada\x1b]52;c;SGVsbG8=\x07@example.org", "--confirm-age"],
     "--email: not an email address"),
    (["--consent", "email", "--email", "ada\u202egro.elpmaxe@x.org", "--confirm-age"],
     "--email: not an email address"),
    (["--consent", "email", "--email", "ada\r@example.org", "--confirm-age"], "--email: not an email address"),
    (["--consent", "email", "--email", LONG, "--confirm-age"], "--email: 300 characters, at most 254 allowed"),
    (["--consent", "email", "--email", "ada@example.org", "--name", " "], "name: must not be empty"),
])
def test_a_bad_answer_is_one_line_naming_the_option_and_nothing_is_recorded(tmp_path, extra, says):
    db = tmp_path / "k.db"
    assert sign(db, tmp_path, "--consent", "none").exit_code == 0  # a stall that has recorded one letter
    before = stored(db)
    result = sign(db, tmp_path, *extra)
    assert result.exit_code == 1
    line = one_line(result)
    assert says in line, line
    assert not UNSAFE.findall(line)  # a hostile address is shown as text
    assert stored(db) == before  # no letter, no answer, no wording


def test_confirm_age_where_the_wording_asks_none_is_one_line_and_nothing_is_recorded(tmp_path):
    folder = tmp_path / "cases"
    shutil.copytree(CASES, folder)
    wording_file = folder / "consent.toml"
    text = wording_file.read_text(encoding="utf-8")
    wording_file.write_text(re.sub(r"(?m)^minimum_age = .*\n", "", text), encoding="utf-8")
    db = tmp_path / "k.db"
    assert sign(db, tmp_path, "--consent", "none", cases=folder).exit_code == 0
    before = stored(db)
    result = sign(db, tmp_path, "--consent", "email", "--email", "ada@example.org", "--confirm-age", cases=folder)
    assert result.exit_code == 1
    assert one_line(result) == ("Error: --confirm-age: this stall's consent wording asks no minimum age:"
                                " leave --confirm-age out")
    assert stored(db) == before
    fresh = tmp_path / "new.db"
    result = sign(fresh, tmp_path, "--consent", "email", "--email", "a@b.org", "--confirm-age", cases=folder)
    assert result.exit_code == 1
    assert not fresh.exists()
    result = sign(db, tmp_path, "--consent", "email", "--email", "ada@example.org", cases=folder)
    assert result.exit_code == 0 and "contact: yes (ada@example.org)" in result.output


@pytest.mark.parametrize("address", ["\u3164@example.org", "\u115f@example.org", "\u2800@example.org",
                                     "ada\u034f@example.org", "ada\ufe0f@example.org"], ids=ascii)
def test_an_address_that_shows_as_nothing_or_as_another_is_one_line_and_nothing_is_recorded(tmp_path, address):
    db = tmp_path / "k.db"
    assert sign(db, tmp_path, "--consent", "none").exit_code == 0
    before = stored(db)
    result = sign(db, tmp_path, "--consent", "email", "--email", address, "--confirm-age")
    assert result.exit_code == 1
    assert one_line(result).startswith("Error: --email: not an email address: it holds characters that show as")
    assert stored(db) == before


def test_a_bad_answer_on_a_new_stall_leaves_no_database(tmp_path):
    db = tmp_path / "new.db"
    result = sign(db, tmp_path, "--consent", "email", "--email", "-x@", "--confirm-age")
    assert result.exit_code == 1 and "--email" in one_line(result)
    assert not db.exists()


def test_an_unknown_consent_choice_is_wrong_usage(tmp_path):
    db = tmp_path / "k.db"
    result = sign(db, tmp_path, "--consent", "yes")
    assert result.exit_code == 2 and "--consent" in result.output
    assert not db.exists()


@pytest.fixture
def no_wording(tmp_path) -> Path:
    """A cases folder without consent.toml: nobody is asked."""
    folder = tmp_path / "cases"
    folder.mkdir()
    for path in CASES.glob("*.toml"):
        if path.name != "consent.toml":
            shutil.copy(path, folder)
    return folder


@pytest.fixture
def sample_wording(tmp_path) -> Path:
    """A campaign's own case (not a sample) beside the sample wording, with samples off."""
    folder = tmp_path / "campaign"
    folder.mkdir()
    text = (CASES / "lawyer-amara-osei.toml").read_text(encoding="utf-8").replace("sample = true\n", "")
    (folder / "lawyer-amara-osei.toml").write_text(text, encoding="utf-8")
    shutil.copy(CASES / "consent.toml", folder)
    return folder


@pytest.mark.parametrize("folder", ["no_wording", "sample_wording"])
@pytest.mark.parametrize("extra", [["--consent", "none"], ["--consent", "email", "--email", "a@b.org",
                                                           "--confirm-age"]])
def test_a_stall_without_a_wording_refuses_consent_and_says_where_it_goes(tmp_path, request, folder, extra):
    cases = request.getfixturevalue(folder)
    db = tmp_path / "k.db"
    result = sign(db, tmp_path, *extra, cases=cases, samples=folder == "no_wording")
    assert result.exit_code == 1
    last = lines(result)[-1]
    assert not db.exists()
    if folder == "sample_wording":  # and why: the sample wording is not offered
        assert last == (f"Error: --consent: {cases / 'consent.toml'} is a sample wording (a made-up organisation)"
                        " and allow_sample_cases is off")
    else:
        assert last == f"Error: --consent: no consent wording: put {cases / 'consent.toml'} in the cases folder" \
                       " (docs/consent.md)"
        assert len(lines(result)) == 1
    assert sign(db, tmp_path, cases=cases, samples=folder == "no_wording").exit_code == 0  # no answer: fine


def test_a_hostile_looking_but_valid_address_is_recorded_as_given(tmp_path):
    db = tmp_path / "k.db"
    result = sign(db, tmp_path, "--consent", "email", "--email", "=cmd@example.com", "--confirm-age")
    assert result.exit_code == 0 and "contact: yes (=cmd@example.com)" in result.output
    assert stored(db)["answers"] == {"Fest / k1 / #0001": ("yes", "=cmd@example.com")}


# -- kiosk export contacts ----------------------------------------------------------------------


def test_the_export_holds_only_the_people_who_said_yes_one_row_per_address(db):
    rows = contacts(db)
    assert [r["email"] for r in rows] == ["ADA@example.org", "emil@example.net"]  # the latest spelling given
    ada, emil = rows
    assert list(ada) == list(CONTACT_COLUMNS)
    assert (ada["name"], ada["letters"], ada["cases"]) == ("Ada Quillfeather", 2,
                                                           "lawyer-amara-osei prisoner-ilya-voronin")
    assert (emil["letters"], emil["case_id"], emil["event"], emil["kiosk_id"]) == (1, "journalist-lina-haddad",
                                                                                  "Fest", "k1")
    assert ada["wording_id"] == wording().id and ada["wording_version"] == "2026-12 sample"
    assert ada["language"] == "en" and ada["consented_at"] and ada["age_confirmed"] == "yes"
    out = run("export", "contacts", "--db", db).output
    for no in ("Bea Declinewood", "Dora Nayward", "Cyrus Unasked"):  # said no, or were not asked
        assert no not in out
    assert len(list(csv.DictReader(io.StringIO(out)))) == 2


def test_the_export_keeps_to_its_filters(db, tmp_path):
    fill(db, [("Fay Otherfest", "lawyer-amara-osei", "yes", "fay@example.org")], event="Fair")
    assert [r["email"] for r in contacts(db, "--event", "Fair")] == ["fay@example.org"]
    assert len(contacts(db, "--event", "Fest")) == 2
    result = run("export", "contacts", "--db", db, "--event", "Nope")
    assert result.exit_code == 1 and "--event: no event 'Nope'" in one_line(result)


def test_hostile_addresses_and_names_are_inert_in_the_csv_and_exact_in_json(tmp_path):
    people = [("=HYPERLINK(\"http://evil.example\",\"x\")", "lawyer-amara-osei", "yes", "=cmd@example.com"),
              ("+Plus", "lawyer-amara-osei", "yes", "+1@example.com"),
              ("-Minus", "lawyer-amara-osei", "yes", "-x@example.com"),
              ("@At", "lawyer-amara-osei", "yes", "x@example.com")]
    db = fill(tmp_path / "k.db", people)
    out = tmp_path / "c.csv"
    assert run("export", "contacts", "--db", db, "-o", out).exit_code == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 5
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(FORMULA), row
    assert [r[0] for r in rows[1:]] == ["'=cmd@example.com", "'+1@example.com", "'-x@example.com", "x@example.com"]
    assert [r["email"] for r in contacts(db)] == ["=cmd@example.com", "+1@example.com", "-x@example.com",
                                                  "x@example.com"]


NOTE = ("note: 3 address(es) begin with =, +, - or @: in CSV they have a ' in front so no spreadsheet runs them;"
        " --format json has them exactly")


def test_a_csv_with_addresses_changed_for_spreadsheets_says_so_once(tmp_path):
    """=cmd@example.com is a valid address: the CSV writes '=cmd@example.com (no spreadsheet runs
    it), which a CRM would import as another address. One note says so; JSON has it exactly."""
    people = [(name, "lawyer-amara-osei", "yes", address) for name, address in [
        ("Eq", "=cmd@example.com"), ("Pl", "+1@example.com"), ("Mi", "-x@example.com"), ("Ok", "x@example.com"),
        ("Name", "y@example.com")]]
    db = fill(tmp_path / "k.db", people)
    out = tmp_path / "c.csv"
    result = run("export", "contacts", "--db", db, "-o", out)
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr.splitlines() == [NOTE, f"5 contact(s) -> {out}; noted as exported"]
    piped = run("export", "contacts", "--db", db)  # to standard output: the note on stderr, the CSV untouched
    assert piped.stderr.splitlines() == [NOTE] and piped.stdout.count("'") == 3
    assert run("export", "contacts", "--db", db, "--format", "json", "-o", tmp_path / "c.json").stderr.splitlines() \
        == [f"5 contact(s) -> {tmp_path / 'c.json'}; noted as exported"]
    inside = fill(tmp_path / "inside.db", [("In", "lawyer-amara-osei", "yes", "a|=b@example.com")])
    assert run("export", "contacts", "--db", inside).stderr.splitlines() == [
        "note: 1 address(es) begin with =, +, - or @ (or hold one after a |): in CSV they have a ' in front so no"
        " spreadsheet runs them; --format json has them exactly"]


def test_a_csv_whose_addresses_are_all_exact_has_no_note(db):
    assert run("export", "contacts", "--db", db).stderr == ""


def test_a_file_export_is_noted_and_standard_output_is_not(db, tmp_path):
    run("export", "contacts", "--db", db)  # to standard output: nothing noted
    preview = run("purge", "--contacts-exported", "--db", db, input="n\n")
    assert preview.exit_code == 0 and "no contacts export has been noted" in one_line(preview)
    out = tmp_path / "contacts.csv"
    result = run("export", "contacts", "--db", db, "-o", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and result.stderr.strip() == f"2 contact(s) -> {out}; noted as exported"
    assert out.stat().st_mode & 0o777 == 0o600
    preview = run("purge", "--contacts-exported", "--db", db, input="n\n")
    assert "3 signature(s) with names and messages (contacts exported), 3 email address(es)" in preview.output


def test_an_export_from_a_write_protected_stick_is_written_and_says_it_is_not_noted(tmp_path):
    stick = tmp_path / "stick"
    stick.mkdir()
    db = fill(stick / "k.db")
    with Store(db) as store:  # fold the journal in, as a stick pulled from a closed kiosk is
        store.scrub()
    out = tmp_path / "contacts.csv"
    with write_protected(db, stick):
        result = run("export", "contacts", "--db", db, "-o", out)
    assert result.exit_code == 0, result.output
    assert len(list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))) == 2
    warning, summary = result.stderr.strip().splitlines()
    assert warning.startswith("warning: the export could not be noted in the database") and str(db) in warning
    assert "write-protected" in warning
    assert summary == f"2 contact(s) -> {out}; not noted as exported"
    preview = run("purge", "--contacts-exported", "--db", db, input="n\n")
    assert preview.exit_code == 0 and "no contacts export has been noted" in one_line(preview)


def test_a_database_that_cannot_be_noted_still_gets_its_export(db, tmp_path, monkeypatch):
    import kiosk.application.records
    from kiosk.errors import StoreError

    def refused(self, found):
        raise StoreError("cannot write to it: the file or its folder is write-protected", source=str(self.path))

    monkeypatch.setattr(kiosk.application.records.Records, "note_exported", refused)
    out = tmp_path / "c.json"
    result = run("export", "contacts", "--format", "json", "--db", db, "-o", out)
    assert result.exit_code == 0
    assert [r["email"] for r in json.loads(out.read_text(encoding="utf-8"))] == ["ADA@example.org",
                                                                                  "emil@example.net"]
    assert "warning: the export could not be noted" in result.stderr and "not noted as exported" in result.stderr


def test_o_replaces_only_an_earlier_contacts_export(db, tmp_path):
    out = tmp_path / "c.csv"
    assert run("export", "signatures", "--db", db, "-o", out).exit_code == 0
    before = digest(out)
    result = run("export", "contacts", "--db", db, "-o", out)
    assert result.exit_code == 1 and str(out) in one_line(result)
    assert digest(out) == before
    out.unlink()
    assert run("export", "contacts", "--db", db, "-o", out).exit_code == 0
    assert run("export", "contacts", "--db", db, "-o", out).exit_code == 0  # its own earlier export: replaced


# -- kiosk purge --declined / --contacts-exported / --personal-data --------------------------------


def test_purge_declined_removes_exactly_the_no_letters_names_and_keeps_every_count(db):
    before, counted, people = counts(db), stored(db), contacts(db)
    result = run("purge", "--declined", "--yes", "--db", db)
    assert result.exit_code == 0, result.output
    assert "2 signature(s) with names and messages (visitors who said no), 0 email address(es)" in result.output
    assert "Removed names and messages of 2 signature(s)" in result.output
    assert "Still 6 signature(s) counted, and 5 answer(s) to being contacted (3 yes, 2 no)" in result.output
    after = stored(db)
    assert {ref for ref, name in after["names"].items() if not name} == {"Fest / k1 / #0002", "Fest / k1 / #0005"}
    assert {name for name in after["names"].values() if name} == {"Ada Quillfeather", "Cyrus Unasked",
                                                                   "Emil Yesworth"}
    assert after["answers"] == counted["answers"] and after["counts"] == {"yes": 3, "no": 2}
    assert counts(db) == before and contacts(db) == people
    for name in ("Bea Declinewood", "Dora Nayward"):
        assert not in_file(db, name)
    assert in_file(db, "Cyrus Unasked") and in_file(db, "emil@example.net")


def test_purge_contacts_exported_removes_only_the_exported_yes_rows(db, tmp_path):
    assert run("export", "contacts", "--db", db, "-o", tmp_path / "c.csv").exit_code == 0
    fill(db, [("Gus Lateyes", "lawyer-amara-osei", "yes", "gus@example.org")])  # signed after the export
    before = counts(db)
    result = run("purge", "--contacts-exported", "--yes", "--db", db)
    assert result.exit_code == 0, result.output
    assert "Removed names and messages of 3 signature(s) and 3 email address(es)" in result.output
    after = stored(db)
    assert {name for name in after["names"].values() if name} == {"Bea Declinewood", "Cyrus Unasked",
                                                                   "Dora Nayward", "Gus Lateyes"}
    assert [r["email"] for r in contacts(db)] == ["gus@example.org"]
    assert counts(db) == before and after["counts"] == {"yes": 4, "no": 2}
    for gone in ("ada@example.org", "emil@example.net", "Ada Quillfeather", "Emil Yesworth"):
        assert not in_file(db, gone), gone
    assert in_file(db, "gus@example.org") and in_file(db, "Gus Lateyes")


def test_purge_personal_data_removes_addresses_too_and_warns_of_contacts_not_exported(db, tmp_path):
    preview = run("purge", "--personal-data", "--db", db, input="n\n")
    assert preview.exit_code == 1 and "Nothing was changed." in preview.output
    assert "6 signature(s) with names and messages (everyone), 3 email address(es)" in preview.stdout
    assert ("warning: 3 of these addresses are contacts not exported yet: `kiosk export contacts -o FILE` first"
            in preview.stderr)
    assert in_file(db, "ada@example.org")
    assert run("export", "contacts", "--db", db, "-o", tmp_path / "c.csv").exit_code == 0
    before = counts(db)
    result = run("purge", "--personal-data", "--yes", "--db", db)
    assert result.exit_code == 0 and "warning" not in result.output
    assert "Removed names and messages of 6 signature(s) and 3 email address(es)" in result.output
    assert "Note: exports written earlier (a contacts export too) are files of their own" in result.output
    assert contacts(db) == [] and counts(db) == before and stored(db)["counts"] == {"yes": 3, "no": 2}
    for name, _, _, email in PEOPLE:
        assert not in_file(db, name) and not (email and in_file(db, email))


def test_purge_groups_combine_and_narrow_by_day_and_event(db, tmp_path):
    fill(db, [("Hal Fairno", "lawyer-amara-osei", "no", None)], event="Fair")
    result = run("purge", "--declined", "--contacts-exported", "--event", "Fair", "--yes", "--db", db)
    assert result.exit_code == 0
    assert "1 signature(s) with names and messages (visitors who said no or contacts exported, event 'Fair')" \
        in result.output
    assert not in_file(db, "Hal Fairno") and in_file(db, "Bea Declinewood")
    result = run("purge", "--declined", "--before", "2000-01-01", "--yes", "--db", db)
    assert result.exit_code == 0 and in_file(db, "Bea Declinewood")
    assert one_line(result) == (f"{db}: nothing to remove (visitors who said no, signed before 2000-01-01): no"
                                " letter selected holds a name, a message or an email address. Nothing was changed.")


def test_purge_contacts_exported_after_an_export_to_standard_output_says_why_without_asking(db):
    assert run("export", "contacts", "--db", db).exit_code == 0  # to standard output: not noted
    before = digest(db)
    result = run("purge", "--contacts-exported", "--db", db)  # no --yes, no answer: it must not ask
    assert result.exit_code == 0, result.output
    assert one_line(result) == (f"{db}: nothing to remove (contacts exported): no contacts export has been noted:"
                                " only `kiosk export contacts -o FILE` notes one; to standard output it is not."
                                " Nothing was changed.")
    assert "Remove these" not in result.output and "vacuumed" not in result.output
    assert digest(db) == before  # not vacuumed: not a byte changed
    assert in_file(db, "ada@example.org") and in_file(db, "Ada Quillfeather")


@pytest.mark.parametrize("first, args, says", [
    (None, ["--declined", "--before", "2000-01-01"], "visitors who said no, signed before 2000-01-01"),
    (None, ["--personal-data", "--event", "Fest", "--before", "1999-12-31"],
     "everyone, event 'Fest', signed before 1999-12-31"),
    (["--declined"], ["--declined"], "visitors who said no"),  # purged already
    (["--personal-data"], ["--personal-data"], "everyone"),
])
def test_every_purge_with_nothing_to_remove_says_so_in_one_line_and_asks_nothing(db, first, args, says):
    if first:
        assert run("purge", *first, "--yes", "--db", db).exit_code == 0
    before = digest(db)
    result = run("purge", *args, "--db", db)
    assert result.exit_code == 0, result.output
    purged = {"--declined": " (2 purged before)", "--personal-data": " (6 purged before)"}[first[0]] if first else ""
    assert one_line(result) == (f"{db}: nothing to remove ({says}): no letter selected holds a name, a message or"
                                f" an email address{purged}. Nothing was changed.")
    assert digest(db) == before


def test_purge_declined_and_contacts_exported_with_nothing_says_both(db):
    assert run("purge", "--declined", "--yes", "--db", db).exit_code == 0
    result = run("purge", "--declined", "--contacts-exported", "--db", db)
    assert result.exit_code == 0
    assert one_line(result) == (f"{db}: nothing to remove (visitors who said no or contacts exported): no letter"
                                " selected holds a name, a message or an email address (2 purged before), and no"
                                " contacts export has been noted: only `kiosk export contacts -o FILE` notes one; to"
                                " standard output it is not. Nothing was changed.")


def test_purge_contacts_exported_once_the_exported_are_purged_has_nothing_left_and_says_so(db, tmp_path):
    assert run("export", "contacts", "--db", db, "-o", tmp_path / "c.csv").exit_code == 0
    assert run("purge", "--contacts-exported", "--yes", "--db", db).exit_code == 0
    result = run("purge", "--contacts-exported", "--db", db)
    assert result.exit_code == 0
    assert one_line(result).endswith(": no letter selected holds a name, a message or an email address"
                                     " (3 purged before). Nothing was changed.")


def test_the_readme_the_help_and_the_docs_agree_on_when_to_purge_the_declined():
    """A purge cancels letters not printed yet: --declined is right after the event, once
    every letter has printed, wherever it is said (never "once the appeals are posted")."""
    from tests.helpers import ROOT

    when = "right after the event, once every letter has printed"
    readme, consent, kiosk_md = ((ROOT / p).read_text(encoding="utf-8") for p in ("README.md", "docs/consent.md",
                                                                               "docs/kiosk.md"))
    helped = " ".join(run("purge", "--help").output.split())
    assert f"--declined Of the visitors who said no to hearing from us ({when})." in helped
    for text in (readme, consent):
        (line,) = [line for line in text.splitlines() if line.startswith("kiosk purge --declined")]
        assert when in line, line
    for text in (readme, consent, kiosk_md):
        flat = " ".join(text.split())
        assert when in flat and "appeals are posted" not in flat
    assert f"`--declined` {when}" in " ".join(consent.split())


def test_a_purge_preview_says_unprinted_letters_will_never_print_and_how_to_print_them_first(db):
    result = run("purge", "--declined", "--db", db, input="n\n")
    assert result.exit_code == 1 and "Nothing was changed." in result.output
    assert ("2 of them have not been printed yet; they will be cancelled and never print (to print them first:"
            " kiosk jobs retry, then purge).") in result.stdout


def test_purge_needs_to_be_told_whose_data(db):
    result = run("purge", "--yes", "--db", db)
    assert result.exit_code == 2
    assert "--personal-data, --declined or --contacts-exported" in one_line(result)
    assert in_file(db, "Bea Declinewood")


# -- kiosk forget --email ------------------------------------------------------------------------


def test_forget_shows_asks_removes_and_says_what_it_removed(db):
    before = counts(db)
    asked = run("forget", "--email", "ada@EXAMPLE.org", "--db", db, input="n\n")
    assert asked.exit_code == 1 and "Nothing was changed." in asked.output
    assert (f"{db}: 2 letter(s) given with ada@EXAMPLE.org: Ref. Fest / k1 / #0001, Ref. Fest / k1 / #0004;"
            " 2 email address(es).") in asked.output
    assert "The name(s) on them: “Ada Quillfeather”." in asked.output
    assert in_file(db, "ada@example.org") and in_file(db, "Ada Quillfeather")
    result = run("forget", "--email", "ada@EXAMPLE.org", "--db", db, input="y\n")
    assert result.exit_code == 0, result.output
    assert ("Removed the name and message of 2 letter(s) (Ref. Fest / k1 / #0001, Ref. Fest / k1 / #0004),"
            " 2 email address(es); cancelled 2 unprinted letters. Counts are kept.") in result.output
    assert "Note: exports written earlier" in result.output
    for gone in ("ada@example.org", "Ada Quillfeather"):  # not in the file, nor its journal, in any case
        assert not in_file(db, gone), gone
    assert counts(db) == before and stored(db)["counts"] == {"yes": 3, "no": 2}
    assert [r["email"] for r in contacts(db)] == ["emil@example.net"]
    assert in_file(db, "emil@example.net") and in_file(db, "Bea Declinewood")


def test_forget_also_same_name_removes_the_letters_given_without_the_address(tmp_path):
    people = [("Ada Quillfeather", "lawyer-amara-osei", "yes", "ada@example.org"),
              ("ada  quillfeather", "prisoner-ilya-voronin", None, None),  # the same name, no address
              ("Ada Quillfeather", "journalist-lina-haddad", "no", None),
              ("Bea Declinewood", "journalist-lina-haddad", "no", None)]
    db = fill(tmp_path / "k.db", people)
    kept = run("forget", "--email", "ada@example.org", "--yes", "--db", db)
    assert kept.exit_code == 0
    assert ("2 other letter(s) carry the same name, given without this address: Ref. Fest / k1 / #0002,"
            " Ref. Fest / k1 / #0003 (kept; add --also-same-name to remove them too).") in kept.output
    assert "Removed the name and message of 1 letter(s) (Ref. Fest / k1 / #0001)" in kept.output
    assert in_file(db, "Ada Quillfeather") and not in_file(db, "ada@example.org")
    # the address is gone now, so the same name is found by the address only before
    db = fill(tmp_path / "k2.db", people)
    result = run("forget", "--email", "ada@example.org", "--also-same-name", "--yes", "--db", db)
    assert result.exit_code == 0
    assert ("Removed the name and message of 3 letter(s) (Ref. Fest / k1 / #0001, Ref. Fest / k1 / #0002,"
            " Ref. Fest / k1 / #0003), 1 email address(es)") in result.output
    assert not in_file(db, "Ada Quillfeather") and not in_file(db, "ada@example.org")
    assert in_file(db, "Bea Declinewood") and stored(db)["total"] == 4


def test_forget_an_address_found_nowhere_changes_nothing(db):
    before = digest(db)
    result = run("forget", "--email", "nobody@example.org", "--db", db)
    assert result.exit_code == 0
    assert one_line(result) == f"No letter in {db} was given with that address; nothing was changed."
    assert digest(db) == before


@pytest.mark.parametrize("address", ["", "   "])
def test_forget_needs_an_address(db, address):
    result = run("forget", "--email", address, "--yes", "--db", db)
    assert result.exit_code == 1 and "--email: must not be empty" in one_line(result)


def test_forget_finds_a_stored_address_by_any_spelling_even_one_no_longer_valid(db):
    result = run("forget", "--email", "EMIL@EXAMPLE.NET", "--yes", "--db", db)
    assert result.exit_code == 0 and "Removed the name and message of 1 letter(s)" in result.output
    assert not in_file(db, "emil@example.net")


@pytest.mark.parametrize(("given", "asked"), [("hans@bücher.de", "hans@xn--bcher-kva.de"),
                                            ("hans@xn--bcher-kva.de", "HANS@BÜCHER.DE")])
def test_forget_finds_an_address_given_with_its_domain_in_the_other_form(tmp_path, given, asked):
    db = tmp_path / "k.db"
    assert sign(db, tmp_path, "--consent", "email", "--email", given, "--confirm-age", name="Hans Wurst").exit_code == 0
    assert sign(db, tmp_path, "--consent", "email", "--email", "hans@buecher.de", "--confirm-age",
                name="Hans Other").exit_code == 0
    result = run("forget", "--email", asked, "--db", db, "--yes")
    assert result.exit_code == 0, result.output
    assert f"1 letter(s) given with {asked}: Ref. Fest / k1 / #0001; 1 email address(es)." in result.output
    assert "Removed the name and message of 1 letter(s) (Ref. Fest / k1 / #0001), 1 email address(es)" in result.output
    assert stored(db)["answers"] == {"Fest / k1 / #0001": ("yes", None),
                                     "Fest / k1 / #0002": ("yes", "hans@buecher.de")}
    assert not in_file(db, "Hans Wurst") and not in_file(db, "bücher")


def test_forget_while_another_program_reads_the_file_removes_says_so_and_warns_truly(db, monkeypatch):
    """A reader holding a transaction (a running kiosk, a viewer) keeps the file from being
    vacuumed: the removal is done all the same (exit 0, its line), then one warning that is true."""
    import kiosk.store.connection

    monkeypatch.setattr(kiosk.store.connection, "BUSY_TIMEOUT", 0.2)
    reader = sqlite3.connect(db)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT COUNT(*) FROM consents").fetchone()
        result = run("forget", "--email", "ada@example.org", "--db", db, "--yes")
        assert result.exit_code == 0, result.output
        assert ("Removed the name and message of 2 letter(s) (Ref. Fest / k1 / #0001, Ref. Fest / k1 / #0004),"
                " 2 email address(es); cancelled 2 unprinted letters. Counts are kept.\n") in result.stdout
        warning = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
        assert warning == [f"warning: another program has {db} open (a running kiosk, a database viewer?), so the"
                           " file was not vacuumed: what was removed is gone from its tables, and overwritten in the"
                           " pages this command wrote, but older copies of those pages, which that program may still"
                           " be reading, stay in the file or its journal until it closes the file."]
        assert "run the purge again" not in result.output and "Traceback" not in result.output
        assert stored(db)["answers"]["Fest / k1 / #0001"] == ("yes", None)  # removed from the tables
        assert in_file(db, "Ada Quillfeather")  # what the reader holds: as the warning says
    finally:
        reader.close()
    assert not in_file(db, "Ada Quillfeather") and not in_file(db, "ada@example.org")  # closed: gone


def test_forget_shows_hostile_text_as_text(tmp_path):
    hostile = "\x1b]52;c;SGVsbG8=\x07\x1b[2J\rOK\u202eevil"
    db = fill(tmp_path / "k.db", PEOPLE[:1])
    con = sqlite3.connect(db)  # as a merged kiosk file may hold it: the store does not check what is there
    with con:
        con.execute("UPDATE signatures SET name = ?, event = ?", [f"Ada{hostile}", f"Fest{hostile}"])
    con.close()
    named = tmp_path / f"k{hostile}.db"
    shutil.copy(db, named)
    nowhere = run("forget", "--email", f"ada@example.org{hostile}", "--db", named)
    assert "No letter in" in nowhere.output and "k\\x1b]52;c;SGVsbG8=\\x07" in nowhere.output
    assert nowhere.exit_code == 0 and not UNSAFE.findall(nowhere.output)
    for answer in ("n\n", "y\n"):
        result = run("forget", "--email", "ADA@example.org", "--db", db, input=answer)
        assert not UNSAFE.findall(result.output)
        assert "“Ada\\x1b]52;c;SGVsbG8=\\x07\\x1b[2J\\rOK\\u202eevil”" in result.output
        assert "Ref. Fest\\x1b]52;c;SGVsbG8=\\x07" in result.output
    assert result.exit_code == 0 and "Removed the name and message of 1 letter(s) (Ref. Fest\\x1b]52" in result.output


def test_forget_on_a_bad_database_is_one_line(tmp_path):
    result = run("forget", "--email", "a@b.org", "--db", tmp_path / "missing.db")
    assert result.exit_code == 1 and "no such database" in one_line(result)
    assert not (tmp_path / "missing.db").exists()


# -- kiosk cases check, kiosk report ---------------------------------------------------------------


def test_cases_check_says_the_wording_is_good():
    result = run("cases", "check", CASES)
    assert result.exit_code == 0, result.output
    assert ("consent wording: 5 language(s) (en, es, fr, pl, ar), version 2026-12 sample, minimum age 16; a sample"
            in result.output)


def test_cases_check_names_each_problem_of_the_wording(no_wording):
    text = (CASES / "consent.toml").read_text(encoding="utf-8")
    text = text.replace("statement = \"Sí", "# statement = \"Sí").replace("minimum_age = 16", "minimum_age = 99")
    (no_wording / "consent.toml").write_text(text, encoding="utf-8")
    result = run("cases", "check", no_wording)
    assert result.exit_code == 1
    assert f"error: {no_wording / 'consent.toml'}: text.es.statement: missing" in result.output
    assert f"error: {no_wording / 'consent.toml'}: minimum_age: must be a whole number" in result.output
    assert "4 valid case(s), 2 error(s)" in result.output and "consent wording:" not in result.output


def test_cases_check_without_a_wording_is_fine(no_wording):
    result = run("cases", "check", no_wording)
    assert result.exit_code == 0 and "consent wording" not in result.output


def test_the_report_says_how_many_said_yes_and_no(db, tmp_path):
    result = run("report", "--db", db, "--out", tmp_path / "r")
    said = "Answered whether we may contact them: 3 yes, 2 no; 1 letter without an answer"
    assert said in result.output
    assert f"- {said}" in (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    plain = Store(tmp_path / "plain.db")
    plain.close()
    assert "whether we may contact" not in run("report", "--db", tmp_path / "plain.db").output


# -- kiosk merge ------------------------------------------------------------------------------


def test_merge_says_how_many_answers_came_and_lists_each_conflicting_one(db, tmp_path):
    target = tmp_path / "all.db"
    first = run("merge", db, "--db", target)
    assert first.exit_code == 0, first.output
    assert f"{db}: 6 signature(s), 6 new, 0 already here" in first.output
    assert "  5 answer(s) to being contacted, 5 new\n" in first.output and "conflict" not in first.output
    other = tmp_path / "other.db"
    shutil.copy(db, other)
    con = sqlite3.connect(other)  # Emil's answer in the other file holds another address
    (emil,) = con.execute("SELECT id FROM consents WHERE email = 'emil@example.net'").fetchone()
    con.execute("UPDATE consents SET email = 'eve@example.org' WHERE id = ?", [emil])
    con.commit()
    con.close()
    result = run("merge", other, "--db", target)
    assert result.exit_code == 0, result.output
    assert lines(result) == [
        f"{other}: 6 signature(s), 0 new, 6 already here",
        "  5 answer(s) to being contacted, 0 new, 1 conflicting (the copy here kept)",
        f"  conflict: answer, Ref. Fest / k1 / #0006, id {emil}: email differ",
        f"{target}: 6 -> 6 signature(s)",
    ]
    assert stored(target)["answers"]["Fest / k1 / #0006"] == ("yes", "emil@example.net")
    assert not in_file(target, "eve@example.org")


def test_merge_counts_every_conflicting_answer_and_lists_the_first_hundred(tmp_path):
    source = fill(tmp_path / "many.db", [(f"Visitor {n}", "lawyer-amara-osei", "yes", f"v{n}@example.org")
                                         for n in range(103)])
    target = tmp_path / "all.db"
    assert run("merge", source, "--db", target).exit_code == 0
    con = sqlite3.connect(source)
    con.execute("UPDATE consents SET email = 'other.' || email")  # every answer differs now
    con.commit()
    con.close()
    result = run("merge", source, "--db", target)
    assert result.exit_code == 0, result.output
    shown = lines(result)
    assert "  103 answer(s) to being contacted, 0 new, 103 conflicting (the copy here kept)" in shown
    listed = [line for line in shown if line.startswith("  conflict: answer, Ref. Fest / k1 / #")]
    assert len(listed) == 100 and all(line.endswith(": email differ") for line in listed)
    assert "  ... and 3 more conflict(s)" in shown


# -- after kiosk demo: the demo's database --------------------------------------------------------


@pytest.fixture
def demo_db(tmp_path) -> Path:
    """The demo's database where `kiosk demo` keeps it (the data folder), and no stall database."""
    from kiosk import locations

    path = fill(locations.demo_db(), PEOPLE[:2], event="Demo")
    assert not locations.default_db().exists()
    return path


@pytest.mark.parametrize("args", [["export", "contacts"], ["report"], ["export", "person", "--email", "a@b.org"],
                                  ["purge", "--declined"]])
def test_a_missing_default_database_names_the_demos_when_it_is_there(demo_db, args):
    from kiosk import locations

    result = run(*args)
    assert result.exit_code == 1
    assert one_line(result) == (f"Error: {locations.default_db()}: no such database (the demo's letters are in"
                                f" {demo_db}: add --db {demo_db})")
    followed = run(*args, "--db", demo_db, input="n\n")  # the hint works
    assert "no such database" not in followed.output and "Traceback" not in followed.output


def test_a_database_named_anywhere_is_never_replaced_by_a_hint(demo_db, tmp_path, monkeypatch):
    missing = tmp_path / "stall.db"
    assert one_line(run("report", "--db", missing)) == f"Error: {missing}: no such database"
    monkeypatch.setenv("KIOSK_DB", str(missing))
    assert one_line(run("report")) == f"Error: {missing}: no such database"
    monkeypatch.delenv("KIOSK_DB")
    settings = tmp_path / "stall.toml"
    settings.write_text(f'database = "{missing}"\n', encoding="utf-8")
    assert one_line(run("report", "--config", settings)) == f"Error: {missing}: no such database"


def test_without_the_demos_database_the_line_is_as_before(tmp_path):
    from kiosk import locations

    result = run("export", "contacts")
    assert result.exit_code == 1 and one_line(result) == f"Error: {locations.default_db()}: no such database"


def test_the_docs_say_where_the_kiosk_keeps_its_files_and_the_variables_move_them(tmp_path, monkeypatch):
    from kiosk.cli.base import log_error
    from kiosk.settings import demo_settings, resolve
    from kiosk.settings import settings_file as find_settings
    from tests.helpers import ROOT

    text = (ROOT / "docs" / "kiosk.md").read_text(encoding="utf-8")
    section = text.split("## Where the kiosk keeps its files", 1)[1].split("\n## ", 1)[0]
    for named in ("`kiosk.toml`", "`kiosk.db`", "`demo.db`", "`preview/`", "`errors.log`", "`KIOSK_DATA_DIR`",
                  "`KIOSK_CONFIG_DIR`", "`~/.local/share/kiosk`", "`~/.config/kiosk`"):
        assert named in section, named
    # and they are where the section says: the data folder holds them all, each variable moves its folder
    data, config = tmp_path / "moved-data", tmp_path / "moved-config"
    monkeypatch.setenv("KIOSK_DATA_DIR", str(data))
    monkeypatch.setenv("KIOSK_CONFIG_DIR", str(config))
    stall = resolve({})
    assert (stall.database, stall.preview) == (data / "kiosk.db", data / "preview")
    assert demo_settings().database == data / "demo.db" and demo_settings().preview == data / "preview"
    assert find_settings(None, {})[0] == config / "kiosk.toml"
    try:
        raise RuntimeError("for the log")
    except RuntimeError:
        assert log_error() == f" (details in {data / 'errors.log'})"
    monkeypatch.delenv("KIOSK_DATA_DIR")
    monkeypatch.delenv("KIOSK_CONFIG_DIR")
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    if sys.platform.startswith("linux"):  # the Linux row of the table
        assert resolve({}).database == tmp_path / "home" / ".local" / "share" / "kiosk" / "kiosk.db"
        assert find_settings(None, {})[0] == tmp_path / "home" / ".config" / "kiosk" / "kiosk.toml"
