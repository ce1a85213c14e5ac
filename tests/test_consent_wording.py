"""The consent wording (``consent.toml``): read whole or refused field by field, hashed exactly.

Every bad file is CaseErrors naming the file and the field, never a hang or a crash; the
wording's id is the SHA-256 of what a visitor is shown, so one comma makes another id and
nothing else does; a sample wording asks nobody at a real stall.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import threading
import tomllib
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from kiosk.application import open_station
from kiosk.cases import read_dir
from kiosk.consent import (
    CONSENT_FILE,
    ConsentErrors,
    ConsentText,
    load_consent,
    parse_consent,
    read_consent,
    wording_id,
)
from kiosk.errors import CaseError
from kiosk.settings import Settings
from tests.helpers import CASES

GOOD = """\
version = "2026-12"
controller = "Letters for Freedom"
privacy_url = "https://example.org/privacy"
lawful_basis = "consent"
minimum_age = 16

[text.en]
question = "Would you like to hear from us?"
statement = "Yes: you may email me about this case and our other urgent actions."
notice = "We keep your address only to write to you."

[text.es]
question = "¿Quiere recibir noticias nuestras?"
statement = "Sí: pueden escribirme sobre este caso."
notice = "Guardamos su correo solo para escribirle."
"""


def write(folder: Path, text: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / CONSENT_FILE
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def problems(folder: Path) -> list[CaseError]:
    """The errors ``read_consent`` gives for a folder whose file is bad. A problem of one
    language's texts leaves that language out and the others are asked; any other problem
    (or no language left) asks nobody."""
    wording, errors = read_consent(folder)
    assert errors and all(isinstance(e, CaseError) for e in errors)
    assert {e.source for e in errors} == {str(folder / CONSENT_FILE)}
    if wording is not None:
        assert all(str(e.field).startswith("text.") for e in errors), [str(e) for e in errors]
        broken = {str(e.field).split(".")[1] for e in errors}
        assert wording.texts and not broken & set(wording.texts)
        assert list(wording.problems) == errors
    return errors


def test_a_good_file_gives_each_language_its_wording(tmp_path):
    path = write(tmp_path, GOOD)
    wording, errors = read_consent(tmp_path)
    assert errors == [] and wording is not None and wording.path == path
    assert set(wording.texts) == {"en", "es"} and not wording.sample
    en = wording.texts["en"]
    assert en == ConsentText("en", "2026-12", "Letters for Freedom", "consent", "https://example.org/privacy", 16,
                             "Would you like to hear from us?",
                             "Yes: you may email me about this case and our other urgent actions.",
                             "We keep your address only to write to you.")
    assert wording.for_language("es").question == "¿Quiere recibir noticias nuestras?"
    assert wording.for_language("de") is en  # no German: English
    assert wording.privacy_url == "https://example.org/privacy"
    # the id is the SHA-256 of the canonical JSON of exactly the shown fields
    canonical = json.dumps(asdict(en), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    assert en.id == hashlib.sha256(canonical.encode("utf-8")).hexdigest() == wording_id(asdict(en))
    assert en.id != wording.texts["es"].id


def test_the_shipped_sample_wording_reads_and_says_it_is_a_sample():
    wording, errors = read_consent(CASES)
    assert errors == [] and wording is not None and wording.sample
    assert {"en", "es", "fr"} <= set(wording.texts)


BAD = {
    # name: (file text, the field each error names)
    "missing version": (GOOD.replace('version = "2026-12"\n', ""), {"version"}),
    "missing controller": (GOOD.replace('controller = "Letters for Freedom"\n', ""), {"controller"}),
    "missing url": (GOOD.replace('privacy_url = "https://example.org/privacy"\n', ""), {"privacy_url"}),
    "missing basis": (GOOD.replace('lawful_basis = "consent"\n', ""), {"lawful_basis"}),
    "missing texts": (GOOD.split("[text.en]")[0], {"text"}),
    "no language": (GOOD.split("[text.en]")[0] + "text = {}\n", {"text"}),
    "missing question": (GOOD.replace('question = "Would you like to hear from us?"\n', ""), {"text.en.question"}),
    "empty statement": (GOOD.replace('statement = "Yes: you may', 'statement = "\\u200b"\nx = "'),
                        {"text.en.statement", "text.en.x"}),
    "blank notice": (GOOD.replace('"We keep your address only to write to you."', '" \\t\\u0007 "'),
                     {"text.en.notice"}),
    "version as a number": (GOOD.replace('version = "2026-12"', "version = 2026"), {"version"}),
    "controller as a list": (GOOD.replace('controller = "Letters for Freedom"', 'controller = ["a"]'),
                             {"controller"}),
    "texts as text": (GOOD.split("[text.en]")[0] + 'text = "hello"\n', {"text"}),
    "language as text": (GOOD.split("[text.es]")[0].replace("[text.en]", '[text]\nes = "hola"\n\n[text.en]'),
                         {"text.es"}),
    "sample as text": ('sample = "yes"\n' + GOOD, {"sample"}),
    "unknown top field": ('colour = "red"\n' + GOOD, {"colour"}),
    "unknown text field": (GOOD.replace("[text.es]\n", "[text.es]\nfootnote = \"x\"\n"), {"text.es.footnote"}),
    "bad language code": (GOOD.replace("[text.es]", "[text.Spanish]"), {"text.Spanish"}),
    "language with a path": (GOOD.replace("[text.es]", '[text."../es"]'), {"text.../es"}),
    "basis unknown": (GOOD.replace('lawful_basis = "consent"', 'lawful_basis = "legitimate_interest"'),
                      {"lawful_basis"}),
    "basis as a table": (GOOD.replace('lawful_basis = "consent"', "lawful_basis = {a = 1}"), {"lawful_basis"}),
    "url not http": (GOOD.replace("https://example.org/privacy", "javascript:alert(1)"), {"privacy_url"}),
    "url without a host": (GOOD.replace("https://example.org/privacy", "https:///privacy"), {"privacy_url"}),
    "url with a space": (GOOD.replace("https://example.org/privacy", "https://example.org/pri vacy"),
                         {"privacy_url"}),
    "url not a url": (GOOD.replace("https://example.org/privacy", "http://[::1/privacy"), {"privacy_url"}),
    "url over 80": (GOOD.replace("https://example.org/privacy", "https://example.org/" + "p" * 61),
                    {"privacy_url"}),
    "url over 50 bytes": (GOOD.replace("https://example.org/privacy", "https://example.org/" + "p" * 31),
                          {"privacy_url"}),
    "url of 50 letters over 50 bytes": (GOOD.replace("https://example.org/privacy", "https://exämple.org/" + "p" * 30),
                                        {"privacy_url"}),
    "question too long": (GOOD.replace("Would you like to hear from us?", "?" * 201), {"text.en.question"}),
    "age too low": (GOOD.replace("minimum_age = 16", "minimum_age = 12"), {"minimum_age"}),
    "age too high": (GOOD.replace("minimum_age = 16", "minimum_age = 22"), {"minimum_age"}),
    "age as a bool": (GOOD.replace("minimum_age = 16", "minimum_age = true"), {"minimum_age"}),
    "age as a fraction": (GOOD.replace("minimum_age = 16", "minimum_age = 16.0"), {"minimum_age"}),
    "age as text": (GOOD.replace("minimum_age = 16", 'minimum_age = "16"'), {"minimum_age"}),
    "toml error": (GOOD + "[text.en\n", {None}),
    "not utf-8": (GOOD.encode("utf-8").replace(b"Freedom", b"Fr\xe9edom"), {None}),
    "a date where text belongs": (GOOD.replace('version = "2026-12"', "version = 2026-12-01"), {"version"}),
}


@pytest.mark.parametrize("bad", list(BAD))
def test_every_bad_file_names_the_file_and_the_field(tmp_path, bad):
    text, fields = BAD[bad]
    write(tmp_path, text)
    errors = problems(tmp_path)
    assert {e.field for e in errors} == fields, [str(e) for e in errors]
    if any(not str(e.field).startswith("text.") for e in errors):
        with pytest.raises(ConsentErrors):
            load_consent(tmp_path / CONSENT_FILE)


def test_a_missing_translation_leaves_that_language_out_not_the_others(tmp_path):
    """One broken language never stops the stall asking in the others (a typo in the Spanish
    must not silence the question for a whole weekend); kiosk cases check still says so."""
    write(tmp_path, GOOD.replace('question = "¿Quiere recibir noticias nuestras?"\n', ""))
    wording, errors = read_consent(tmp_path)
    assert wording is not None and set(wording.texts) == {"en"}
    assert [(e.field, e.problem) for e in errors] == [("text.es.question", "missing")]
    assert wording.for_language("es").language == "en"


def test_a_url_of_50_bytes_is_fine(tmp_path):
    write(tmp_path, GOOD.replace("https://example.org/privacy", "https://example.org/" + "p" * 30))
    wording, errors = read_consent(tmp_path)
    assert errors == [] and len(wording.privacy_url) == 50


def test_a_case_file_whose_url_urlparse_refuses_is_a_case_error_not_a_crash(tmp_path):
    text = (CASES / "lawyer-amara-osei.toml").read_text(encoding="utf-8")
    start = text.index("\nurl = ") + 1
    end = text.index("\n", start)
    (tmp_path / "lawyer-amara-osei.toml").write_text(text[:start] + 'url = "http://[::1/x"' + text[end:],
                                                      encoding="utf-8")
    result = read_dir(tmp_path)
    assert result.cases == {} and [e.field for e in result.errors] == ["postcard.url"]


def test_a_fifo_named_consent_toml_is_refused_without_a_hang(tmp_path):
    os.mkfifo(tmp_path / CONSENT_FILE)
    result: list = []
    reader = threading.Thread(target=lambda: result.append(read_consent(tmp_path)), daemon=True)
    reader.start()
    reader.join(5)
    assert result, "reading a FIFO hung"
    wording, errors = result[0]
    assert wording is None and "FIFO" in errors[0].problem and errors[0].source == str(tmp_path / CONSENT_FILE)


def test_dev_zero_through_a_link_and_a_huge_file_are_refused(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / CONSENT_FILE).symlink_to("/dev/zero")
    assert "device" in problems(tmp_path / "a")[0].problem
    huge = write(tmp_path / "b", "")
    with open(huge, "wb") as f:
        f.write(b"# " + b"x" * (10 * 1024 * 1024) + b"\n")
    assert "larger than" in problems(tmp_path / "b")[0].problem
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / CONSENT_FILE).mkdir()
    assert "folder" in problems(tmp_path / "c")[0].problem
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / CONSENT_FILE).symlink_to(tmp_path / "d" / CONSENT_FILE)  # a loop
    problems(tmp_path / "d")
    (tmp_path / "e").mkdir()
    (tmp_path / "e" / CONSENT_FILE).symlink_to(tmp_path / "nowhere.toml")  # dangling: said, not ignored
    problems(tmp_path / "e")


def test_a_folder_without_the_file_asks_nobody(tmp_path):
    assert read_consent(tmp_path) == (None, [])


def ids(text: str) -> dict[str, str]:
    wording = parse_consent(Path(CONSENT_FILE), tomllib.loads(text))
    return {language: t.id for language, t in wording.texts.items()}


@pytest.mark.parametrize("change", [
    ("hear from us?", "hear from us ?"),                       # one space
    ("our other urgent actions.", "our other urgent actions,"),  # one comma
    ("write to you.", "write to you!"),
    ('version = "2026-12"', 'version = "2026-12b"'),
    ('controller = "Letters for Freedom"', 'controller = "Letters for Freedom Ltd"'),
    ("https://example.org/privacy", "https://example.org/privacy2"),
    ('lawful_basis = "consent"', 'lawful_basis = "charity_soft_opt_in"'),
    ("minimum_age = 16", "minimum_age = 18"),
    ("minimum_age = 16\n", ""),
])
def test_any_change_to_what_is_shown_is_another_wording(change):
    before, after = ids(GOOD), ids(GOOD.replace(*change))
    assert after["en"] != before["en"]


@pytest.mark.parametrize("change", [
    ("version =", "# a comment\nversion ="),                                   # comments
    ('question = "Would you like to hear from us?"', "question = 'Would you like to hear from us?'"),  # quoting
    ('question = "Would you like', 'question = "  Would you like'),           # what cleaning removes
    ("to hear from us?", "to hear \u202efrom us?".replace("\u202e", "\\u202e")),  # a bidi override is never shown
    ("[text.en]", 'sample = false\n[text.en]'),                                 # not shown
    ("Sí: pueden", "Sí, pueden"),                                              # another language's text
])
def test_nothing_else_changes_the_id(change):
    assert ids(GOOD.replace(*change, 1))["en"] == ids(GOOD)["en"]


def test_read_dir_never_takes_consent_toml_for_a_case(tmp_path):
    shutil.copytree(CASES, tmp_path / "cases")
    result = read_dir(tmp_path / "cases")
    assert "consent" not in result.cases and result.errors == []
    write(tmp_path / "cases", "broken = [")  # a broken wording is no case error either
    assert read_dir(tmp_path / "cases").errors == []


# -- the station: a sample wording asks nobody at a real stall -----------------------------------


def own_cases(folder: Path, consent: str | None) -> Path:
    """A cases folder with one case that is not a sample, and ``consent`` as its wording."""
    folder.mkdir()
    text = (CASES / "lawyer-amara-osei.toml").read_text(encoding="utf-8")
    (folder / "lawyer-amara-osei.toml").write_text(text.replace("sample = true\n", ""), encoding="utf-8")
    if consent is not None:
        write(folder, consent)
    return folder


def station(tmp_path: Path, cases: Path, **settings):
    values = {"event": "Test Fest", "kiosk_id": "stall-1", "cases": cases, "database": tmp_path / "kiosk.db",
              "preview": tmp_path / "preview", **settings}
    noon = dt.datetime(2026, 11, 24, 12, 0).astimezone()
    return open_station(Settings(**values), clock=lambda: noon)


def test_a_sample_wording_asks_nobody_unless_samples_are_allowed(tmp_path):
    sample = (CASES / CONSENT_FILE).read_text(encoding="utf-8")
    cases = own_cases(tmp_path / "cases", sample)
    off = station(tmp_path, cases)
    assert off.consent_wording() is None and off.consent_text() is None and off.privacy_url is None
    assert any("sample wording" in p for p in off.reload_cases())
    on = station(tmp_path, cases, allow_sample_cases=True)
    assert on.consent_wording() is not None and on.consent_wording().sample
    assert on.consent_text("fr").language == "fr" and on.privacy_url == "https://example.org/privacy"


def test_a_stall_wording_is_used_and_a_broken_or_missing_one_asks_nobody(tmp_path):
    cases = own_cases(tmp_path / "cases", GOOD)
    kiosk = station(tmp_path, cases)
    assert kiosk.consent_text("es") == read_consent(cases)[0].texts["es"]
    write(cases, GOOD.replace("minimum_age = 16", "minimum_age = true"))
    problems_said = kiosk.reload_cases()
    assert any("minimum_age" in p and "not asked" in p for p in problems_said)
    assert kiosk.consent_wording() is None
    (cases / CONSENT_FILE).unlink()
    assert kiosk.reload_cases() == [] and kiosk.consent_wording() is None
    write(cases, GOOD)
    kiosk.reload_cases()
    assert kiosk.consent_wording() is not None
    bare = station(tmp_path, own_cases(tmp_path / "bare", None))
    assert bare.consent_wording() is None


def test_the_wording_id_is_the_hash_whatever_the_order_of_its_fields():
    text = ConsentText("en", "v1", "Org", "consent", "https://e.org/p", None, "Q?", "S.", "N.")
    shuffled = dict(reversed(list(asdict(text).items())))
    assert wording_id(shuffled) == text.id
    assert replace(text, question="Q!").id != text.id
