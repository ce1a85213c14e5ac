"""The case cache: a quicker start that gives exactly what reading the case files gives, and never
offers what a fresh reading would refuse, whatever the cache file holds."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk import case_cache, cases
from kiosk.cases import read_dir
from kiosk.text import all_clean, clean
from tests.helpers import CASES

FULL_CASE = """\
title = "A case with every field"
person = "Amara Osei"
country = "Narnia"
story = \"\"\"
First paragraph   with  spaces.


Second paragraph.
\"\"\"
ask = "Write to the minister."
deadline = 2099-03-31
tags = ["lawyer", "", "detention"]
sample = true
language = "en"
preferred_language = "fr"

[appeal]
salutation = "Dear Minister,"
body = ["One.", "Two."]
closing = "Yours sincerely,"

[appeal.addressee]
name = "The Minister"
title = ""
address = ["1 Road", "Capital"]

[appeal.translations.fr]
salutation = "Monsieur le Ministre,"
body = ["Un.", "Deux."]
closing = "Veuillez agréer,"

[postcard]
heading = "Free Amara"
message = "You are not alone."
url = "https://example.org/amara"

[translations.es]
title = "Un caso"
story = "Historia."

[translations.es.postcard]
heading = "Libertad"

[translations.pl]
"""


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """The sample cases and one case of every field, old enough to be kept."""
    monkeypatch.setattr(case_cache, "SETTLED", 0.0)
    folder = tmp_path / "cases"
    shutil.copytree(CASES, folder)
    (folder / "every-field.toml").write_text(FULL_CASE, encoding="utf-8")
    (folder / "broken.toml").write_text('title = "no end', encoding="utf-8")
    return folder


def cache_file(tmp_path):
    [file] = (tmp_path / "cache").glob("*.json")
    return file


def no_parsing(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a case file was parsed")

    monkeypatch.setattr(cases, "read_toml", refuse)


def test_a_kept_reading_is_the_reading_and_the_files_are_not_parsed_again(folder, tmp_path, monkeypatch):
    fresh = read_dir(folder)
    assert "every-field" in fresh.cases and fresh.errors  # the broken file: skipped, and said
    first = read_dir(folder, cache=tmp_path / "cache")
    assert first.cases == fresh.cases and [str(e) for e in first.errors] == [str(e) for e in fresh.errors]
    assert oct(cache_file(tmp_path).stat().st_mode & 0o777) == "0o600"
    good = set(fresh.cases)
    monkeypatch.setattr(cases, "read_toml", lambda *a, **k: pytest.fail("parsed again"))
    with pytest.raises(pytest.fail.Exception):  # the broken file is never kept: it is read, and skipped, every time
        read_dir(folder, cache=tmp_path / "cache")
    (folder / "broken.toml").unlink()
    kept = read_dir(folder, cache=tmp_path / "cache")
    assert set(kept.cases) == good and kept.cases == fresh.cases and not kept.errors
    assert all(kept.cases[c].path == fresh.cases[c].path for c in good)


def test_a_file_changed_since_is_read_again(folder, tmp_path):
    read_dir(folder, cache=tmp_path / "cache")
    path = folder / "every-field.toml"
    text = path.read_text(encoding="utf-8")
    stat = path.stat()
    path.write_text(text.replace("Amara Osei", "Amira Osei"), encoding="utf-8")  # the same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the same modification time
    assert read_dir(folder, cache=tmp_path / "cache").cases["every-field"].person == "Amira Osei"
    path.write_text('title = "broken now', encoding="utf-8")
    again = read_dir(folder, cache=tmp_path / "cache")
    assert "every-field" not in again.cases and any("every-field" in str(e) for e in again.errors)


def test_a_file_changed_a_moment_ago_is_not_kept(folder, tmp_path, monkeypatch):
    monkeypatch.setattr(case_cache, "SETTLED", 2.0)  # the files were just written
    read_dir(folder, cache=tmp_path / "cache")
    assert all(json.loads(file.read_text(encoding="utf-8"))["files"] == {}
               for file in (tmp_path / "cache").glob("*.json"))


def tamper(tmp_path, change):
    file = cache_file(tmp_path)
    data = json.loads(file.read_text(encoding="utf-8"))
    change(data["files"]["every-field.toml"]["case"])
    file.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize("change", [
    lambda c: c.update(title="Free \x1b[31mnow\x07"),  # a terminal's escape: clean() would drop it
    lambda c: c.update(title="Two  spaces"),  # clean() would fold them
    lambda c: c.update(title=" leading"),
    lambda c: c.update(title="e\u0301"),  # not NFC
    lambda c: c.update(title="line\nbreak"),  # a title is one line
    lambda c: c.update(story="x" * (cases.LONG_MAX + 1)),
    lambda c: c.update(person=""),
    lambda c: c.pop("ask"),
    lambda c: c["postcard"].update(url="javascript:alert(1)"),
    lambda c: c.update(deadline="not a date"),
    lambda c: c.update(deadline=12),
    lambda c: c.update(language="xx"),
    lambda c: c.update(sample="yes"),
    lambda c: c.update(tags=[1, 2]),
    lambda c: c["appeal"].update(body=["\u202eevil"]),  # a bidi override
    lambda c: c.update(extra="field"),
    lambda c: c["translations"].update(es=[]),
], ids=lambda _: "")
def test_a_kept_reading_a_fresh_reading_would_refuse_is_never_used(folder, tmp_path, monkeypatch, change):
    fresh = read_dir(folder, cache=tmp_path / "cache").cases["every-field"]
    tamper(tmp_path, change)
    assert read_dir(folder, cache=tmp_path / "cache").cases["every-field"] == fresh  # the file, read again
    assert json.loads(cache_file(tmp_path).read_text(encoding="utf-8"))["files"]["every-field.toml"]["case"] == \
        cases.kept_content(fresh)  # and the cache mended


@pytest.mark.parametrize("damage", [
    b"", b"not json", b"[1, 2]", b'{"format": "kiosk case cache 1"}', b"\xff\xfe", b"[" * 100_000 + b"]" * 100_000,
    b'{"format": "kiosk case cache 1", "reader": "old", "folder": "x", "files": {}}',
])
def test_a_damaged_cache_is_ignored_and_written_again(folder, tmp_path, damage):
    fresh = read_dir(folder, cache=tmp_path / "cache")
    cache_file(tmp_path).write_bytes(damage)
    assert read_dir(folder, cache=tmp_path / "cache").cases == fresh.cases
    assert json.loads(cache_file(tmp_path).read_text(encoding="utf-8"))["files"]


def test_a_cache_others_can_write_or_a_link_is_not_read(folder, tmp_path, monkeypatch):
    (folder / "broken.toml").unlink()  # read every time
    read_dir(folder, cache=tmp_path / "cache")
    file = cache_file(tmp_path)
    no_parsing(monkeypatch)
    read_dir(folder, cache=tmp_path / "cache")  # kept: nothing parsed
    monkeypatch.undo()
    monkeypatch.setattr(case_cache, "SETTLED", 0.0)
    file.chmod(0o666)
    no_parsing(monkeypatch)
    with pytest.raises(AssertionError, match="parsed"):
        read_dir(folder, cache=tmp_path / "cache")
    monkeypatch.undo()
    monkeypatch.setattr(case_cache, "SETTLED", 0.0)
    elsewhere = tmp_path / "elsewhere.json"
    file.replace(elsewhere)
    elsewhere.chmod(0o600)
    file.symlink_to(elsewhere)
    no_parsing(monkeypatch)
    with pytest.raises(AssertionError, match="parsed"):
        read_dir(folder, cache=tmp_path / "cache")


def test_a_cache_that_cannot_be_written_is_no_problem(folder, tmp_path):
    (tmp_path / "cache").write_text("a file where the folder would be", encoding="utf-8")
    assert read_dir(folder, cache=tmp_path / "cache").cases == read_dir(folder).cases


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("ab é\u0301\n\t\r\u00a0\u1680\u2028\u202e\x00\x1b\x85\ufdd0"
                                                      "\u3000\u0627")), max_size=10), max_size=4), st.booleans())
def test_all_clean_never_passes_text_clean_would_change(texts, multiline):
    if all_clean(texts, multiline=multiline):
        assert all(clean(t, multiline=multiline) == t for t in texts)
    assert all_clean([clean(t, multiline=multiline) for t in texts if "\u1680" not in t], multiline=multiline)


def test_the_stations_cases_are_kept_in_the_data_folder(tmp_path, monkeypatch):
    from tests.helpers.kiosk_app import make_station

    monkeypatch.setattr(case_cache, "SETTLED", 0.0)
    station = make_station(tmp_path, cases=CASES)
    station.close()
    [file] = (tmp_path / "data" / "case-cache").glob("*.json")  # KIOSK_DATA_DIR (conftest)
    assert len(json.loads(file.read_text(encoding="utf-8"))["files"]) == len(station.case_set.cases)
