"""Consent to be contacted on the command line: sign's answer, the contacts export, purge by
whose data, forget by address, and the wording checked with the cases.

Every bad combination on ``kiosk sign`` is one line naming the option with nothing recorded;
the export holds only people who said yes; purge and forget remove what they say, keep every
count, and leave nothing of it in the file's bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from contextlib import suppress
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cases import read_dir
from kiosk.consent import load_consent
from kiosk.store import ConsentChoice, Store
from tests.helpers import CASES

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


LONG = "a" * 288 + "@b.org"  # 294 characters


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
    (["--consent", "email", "--email", LONG, "--confirm-age"], "--email: 294 characters, at most 254 allowed"),
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
    assert last.startswith("Error: --consent: no consent wording: put ") and f"{cases / 'consent.toml'}" in last
    assert not db.exists()
    if folder == "sample_wording":  # and why: the sample wording is not offered
        assert "a sample wording" in result.stderr
    else:
        assert len(lines(result)) == 1
    assert sign(db, tmp_path, cases=cases, samples=folder == "no_wording").exit_code == 0  # no answer: fine


def test_a_hostile_looking_but_valid_address_is_recorded_as_given(tmp_path):
    db = tmp_path / "k.db"
    result = sign(db, tmp_path, "--consent", "email", "--email", "=cmd@example.com", "--confirm-age")
    assert result.exit_code == 0 and "contact: yes (=cmd@example.com)" in result.output
    assert stored(db)["answers"] == {"Fest / k1 / #0001": ("yes", "=cmd@example.com")}


# -- kiosk cases check, kiosk report ---------------------------------------------------------------


def test_cases_check_says_the_wording_is_good():
    result = run("cases", "check", CASES)
    assert result.exit_code == 0, result.output
    assert ("consent wording: 3 language(s) (en, es, fr), version 2026-12 sample, minimum age 16; a sample"
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
    assert "Asked whether we may contact them: 3 yes, 2 no" in run("report", "--db", db).output
    plain = Store(tmp_path / "plain.db")
    plain.close()
    assert "Asked whether" not in run("report", "--db", tmp_path / "plain.db").output
