"""Merging consents: each answer once, by its UUID; each wording once, by its hash; a conflict
keeps the copy already here; a purge on either side wins; a crafted row refuses the whole merge.
"""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest

from kiosk.consent import wording_id
from kiosk.errors import StoreError
from kiosk.store import Conflict, Scope, Store
from tests.helpers import on_disk
from tests.test_consent_store import NO_AGE, WORDING, at, database_at_0004, letter, no, yes

TABLES = ("signatures", "print_jobs", "cases", "consents", "consent_texts", "merges")


def rows(path: Path, table: str) -> list:
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        return sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
    finally:
        conn.close()


def snapshot(path: Path) -> dict[str, list]:
    return {t: rows(path, t) for t in TABLES} if Path(path).exists() else {}


def digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def merge(target: Path, *sources: Path):
    with Store(target) as store:
        return store.merge(list(sources))


def tamper(path: Path, sql: str, params=()):
    conn = sqlite3.connect(path)
    conn.execute(sql, params)
    conn.commit()
    conn.close()


def loosen(path: Path, tables=("consents", "consent_texts")):
    """Rebuild tables without any constraint, as a crafted file would have them."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys=OFF")
    for table in tables:
        conn.execute(f"CREATE TABLE loose AS SELECT * FROM {table}")
        conn.execute(f"DROP TABLE {table}")
        conn.execute(f"ALTER TABLE loose RENAME TO {table}")
    conn.commit()
    conn.close()


def answers(path: Path) -> dict[str, tuple]:
    """Each answer by its letter's name: (choice, email, purged)."""
    conn = sqlite3.connect(path)
    try:
        out = conn.execute(
            "SELECT COALESCE(s.name, s.number), c.choice, c.email, c.purged_at IS NOT NULL FROM consents c"
            " JOIN signatures s ON s.id = c.signature_id").fetchall()
    finally:
        conn.close()
    return {str(name): (choice, email, purged) for name, choice, email, purged in out}


@pytest.fixture
def north(tmp_path):
    """Kiosk north: Ada said yes, Bo said no (on a wording that asks no age), Cy was never asked."""
    path = tmp_path / "north.db"
    with Store(path) as store:
        ada = letter(store, "Ada Lovelace", when=at(3, 10), consent=yes("Ada@Example.com"))
        bo = letter(store, "Bo", when=at(3, 11), consent=no(NO_AGE))
        cy = letter(store, "Cy", when=at(3, 12))
    return path, {"ada": ada, "bo": bo, "cy": cy}


def test_answers_and_wordings_come_with_their_letters(tmp_path, north):
    path, _ = north
    target = tmp_path / "all.db"
    (result,) = merge(target, path)
    assert (result.consents, result.consents_added, result.consents_conflicting) == (2, 2, 0)
    for table in ("consents", "consent_texts"):
        assert rows(target, table) == rows(path, table), table
    assert answers(target) == {"Ada Lovelace": ("yes", "Ada@example.com", False), "Bo": ("no", None, False)}
    assert {t["id"] for t in Store(target).consent_texts()} == {WORDING.id, NO_AGE.id}
    with Store(target) as merged:
        assert merged.contacts().rows[0]["email"] == "Ada@example.com"


def test_merging_twice_and_overlapping_copies_add_nothing_twice(tmp_path, north):
    path, _ = north
    copy = tmp_path / "copy.db"
    shutil.copy(path, copy)
    with Store(copy) as store:  # the kiosk went on after the copy was taken
        letter(store, "Di", when=at(3, 13), consent=yes("di@example.org"))
    once, twice = tmp_path / "once.db", tmp_path / "twice.db"
    merge(once, path, copy)
    first = merge(twice, path, copy)
    again = merge(twice, copy, path)
    assert [(r.consents, r.consents_added, r.consents_conflicting) for r in first] == [(2, 2, 0), (3, 1, 0)]
    assert [(r.consents, r.consents_added, r.consents_conflicting) for r in again] == [(3, 0, 0), (2, 0, 0)]
    for table in ("signatures", "consents", "consent_texts"):
        assert rows(once, table) == rows(twice, table), table
    assert len(rows(twice, "consents")) == 3 and len(rows(twice, "consent_texts")) == 2


def test_the_same_answer_with_other_content_is_a_conflict_and_the_copy_here_is_kept(tmp_path, north):
    path, ids = north
    target = tmp_path / "all.db"
    merge(target, path)
    before = snapshot(target)
    with Store(path) as store:
        ada_answer = store.consent_for(ids["ada"].id).id
    for name, sql, differ in [
        ("other address", "UPDATE consents SET email = 'eve@example.com' WHERE choice = 'yes'", ("email",)),
        ("other time", "UPDATE consents SET created_at = '2026-07-03T08:30:00.000000Z',"
                       " local_time = '2026-07-03T10:30:00.000000+02:00' WHERE choice = 'yes'", ("created_at",)),
        ("other letter", f"UPDATE consents SET signature_id = '{ids['cy'].id}' WHERE choice = 'yes'",
         ("signature_id",)),
    ]:
        other = tmp_path / f"{name}.db"
        shutil.copy(path, other)
        tamper(other, sql)
        (result,) = merge(target, other)
        assert (result.consents, result.consents_added, result.consents_conflicting) == (2, 0, 1), name
        # reported as a signature's conflict is: the answer's id, its letter's reference here, what differs
        assert result.consent_conflicts == (Conflict(ada_answer, ids["ada"].reference, differ),), name
        assert {t: rows(target, t) for t in TABLES if t != "merges"} == {
            t: v for t, v in before.items() if t != "merges"}, name


def test_a_second_answer_for_the_same_letter_from_another_file_is_a_conflict(tmp_path, north):
    path, ids = north
    target = tmp_path / "all.db"
    merge(target, path)
    other = tmp_path / "other.db"
    shutil.copy(path, other)
    # the other file says Ada said no, under another answer id; and holds Cy's answer, new here
    tamper(other, "UPDATE consents SET id = ?, choice = 'no', email = NULL, age_confirmed = NULL,"
                  " text_id = ?, language = 'en' WHERE choice = 'yes'", [str(uuid.uuid4()), NO_AGE.id])
    with Store(other) as store:
        store.record_consent(ids["cy"].id, yes("cy@example.com"), at=at(3, 12, 1))
    (result,) = merge(target, other)
    assert (result.consents, result.consents_added, result.consents_conflicting) == (3, 1, 1)
    (conflict,) = result.consent_conflicts
    assert conflict.reference == ids["ada"].reference
    assert conflict.columns == ("id", "choice", "text_id", "age_confirmed", "email")
    assert answers(target) == {"Ada Lovelace": ("yes", "Ada@example.com", False), "Bo": ("no", None, False),
                               "Cy": ("yes", "cy@example.com", False)}


def test_an_answer_whose_letter_is_a_conflict_keeps_the_copy_here(tmp_path):
    path = tmp_path / "north.db"
    with Store(path) as store:
        ada = letter(store, "Ada Lovelace", when=at(3, 10))
        bo = letter(store, "Bo", when=at(3, 11), consent=yes("bo@example.com"))
    target = tmp_path / "all.db"
    merge(target, path)  # Ada's letter came before her answer
    with Store(path) as store:
        store.record_consent(ada.id, yes("ada@example.com"))
    other = tmp_path / "other.db"
    shutil.copy(path, other)
    tamper(other, "UPDATE signatures SET name = 'Mallory' WHERE id IN (?, ?)", [ada.id, bo.id])
    tamper(other, "UPDATE consents SET email = 'mallory@example.com'")
    before = snapshot(target)
    (result,) = merge(target, other)
    assert (result.conflicting, result.consents, result.consents_added, result.consents_conflicting) == (2, 2, 0, 2)
    assert sorted((c.reference, c.columns) for c in result.consent_conflicts) == [
        (ada.reference, ("letter",)), (bo.reference, ("letter", "email"))]
    assert {t: rows(target, t) for t in TABLES if t != "merges"} == {t: v for t, v in before.items() if t != "merges"}
    assert answers(target) == {"Bo": ("yes", "bo@example.com", False)}  # Ada's letter here has no answer: none


def test_a_purge_here_wins_the_address_never_comes_back(tmp_path, north):
    path, _ = north
    target = tmp_path / "all.db"
    merge(target, path)
    with Store(target) as store:
        store.purge_personal_data(Scope())
    for _ in range(2):
        (result,) = merge(target, path)
        assert (result.consents_added, result.consents_conflicting) == (0, 0)
        assert answers(target) == {"1": ("yes", None, True), "2": ("no", None, False)}
        assert b"Ada@example.com" not in on_disk(target)


def test_a_purge_here_wins_over_an_answer_this_file_never_had(tmp_path):
    """The letter came first and was purged here; its answer arrives later, address and all."""
    path = tmp_path / "north.db"
    with Store(path) as store:
        ada = letter(store, "Ada Lovelace", when=at(3, 10))
    target = tmp_path / "all.db"
    merge(target, path)
    with Store(target) as store:
        store.purge_personal_data(Scope())
    with Store(path) as store:
        store.record_consent(ada.id, yes("ada@example.com"))
    (result,) = merge(target, path)
    assert result.consents_added == 1
    assert answers(target) == {"1": ("yes", None, True)}
    assert b"ada@example.com" not in on_disk(target)


def test_a_purge_there_wins(tmp_path, north):
    path, _ = north
    target = tmp_path / "all.db"
    merge(target, path)
    purged = tmp_path / "purged.db"
    shutil.copy(path, purged)
    with Store(purged) as store:
        store.purge_personal_data(Scope(), ["declined"])  # Bo, who said no
        store.forget("ada@example.com")                    # Ada asked to be forgotten
    (result,) = merge(target, purged)
    assert (result.conflicting, result.consents_conflicting) == (0, 0)
    # a no never had an address to remove: its answer is as it was, its letter purged
    assert answers(target) == {"1": ("yes", None, True), "2": ("no", None, False)}
    with Store(target) as store:
        assert store.contacts().rows == [] and [s.name for s in store.signatures()] == ["", "", "Cy"]


def test_what_a_purge_there_removes_here_is_gone_from_the_file(tmp_path, north):
    """A source's purge wins, and the target keeps nothing of what it removed: not in its pages,
    not in its journal (the merge scrubs as a purge does)."""
    path, _ = north
    target = tmp_path / "all.db"
    merge(target, path)
    purged = tmp_path / "purged.db"
    shutil.copy(path, purged)
    with Store(purged) as store:
        store.purge_personal_data(Scope())
    assert b"Ada Lovelace" in on_disk(target) and b"ada@example.com" in on_disk(target).lower()
    merge(target, purged)
    assert b"Ada Lovelace" not in on_disk(target) and b"ada@example.com" not in on_disk(target).lower()


def test_a_purged_letter_whose_answer_still_holds_an_address_brings_no_address(tmp_path, north):
    path, ids = north
    crafted = tmp_path / "crafted.db"
    shutil.copy(path, crafted)
    with Store(crafted) as store:
        store.purge_personal_data(Scope())
    tamper(crafted, "UPDATE consents SET email = 'Ada@example.com', purged_at = NULL WHERE choice = 'yes'")
    for target in (tmp_path / "new.db", tmp_path / "had-it.db"):
        if target.name == "had-it.db":
            merge(target, path)  # here with her address, not purged
        merge(target, crafted)
        assert answers(target)["1"] == ("yes", None, True), target.name
        with Store(target) as store:
            assert store.contacts().rows == []
            assert store.signature(ids["ada"].id).purged_at is not None


def test_an_export_noted_on_either_side_is_kept(tmp_path, north):
    path, _ = north
    here, there = tmp_path / "here.db", tmp_path / "there.db"
    merge(here, path)
    with Store(here) as store:
        store.mark_exported(store.contacts().consent_ids)
    merge(here, path)  # the file that never saw the export does not take the note back
    exported = tmp_path / "exported.db"
    shutil.copy(path, exported)
    with Store(exported) as store:
        store.mark_exported(store.contacts().consent_ids)
    merge(there, path)
    merge(there, exported)
    for target in (here, there):
        with Store(target) as store:
            preview = store.purge_preview(Scope(), ["contacts_exported"])
            assert (preview.signatures, preview.addresses) == (1, 1), target.name


def test_a_source_made_before_consents_merges_and_brings_none(tmp_path, north):
    path, _ = north
    old = tmp_path / "old.db"
    ids = database_at_0004(old)
    before = digest(old)
    target = tmp_path / "all.db"
    results = merge(target, old, path)
    assert [(r.signatures, r.consents, r.consents_added) for r in results] == [(3, 0, 0), (3, 2, 2)]
    assert digest(old) == before  # still at 0004, byte for byte
    with Store(target) as store:
        assert all(store.consent_for(sid) is None for sid in ids) and store.total() == 6
    fresh = tmp_path / "fresh.db"
    merge(fresh, old)
    assert rows(fresh, "consents") == [] and rows(fresh, "consent_texts") == []


# -- crafted rows -----------------------------------------------------------------------------------


def _rehash(path: Path, **change):
    """Change a wording in a file and give it the id of its new text (and its answers that id)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys=OFF")
    old = conn.execute("SELECT * FROM consent_texts WHERE minimum_age IS NOT NULL").fetchone()
    columns = [d[0] for d in conn.execute("SELECT * FROM consent_texts").description]
    fields = {**dict(zip(columns, old, strict=True)), **change}
    new_id = wording_id(fields)
    sets = "".join(f"{c} = ?, " for c in change)
    conn.execute(f"UPDATE consent_texts SET {sets}id = ? WHERE id = ?", [*change.values(), new_id, old[0]])
    conn.execute("UPDATE consents SET text_id = ? WHERE text_id = ?", [new_id, old[0]])
    conn.commit()
    conn.close()


CRAFTED = {
    # name: (SQL, or a function of the file; the table the refused row is in; what the error names)
    "wording edited after it was shown": ("UPDATE consent_texts SET question = 'Shall we spam you.'",
                                          "consent_texts", "id: not the hash"),
    "wording with an empty question, rehashed": (lambda p: _rehash(p, question="\u200b\u200b"),
                                                 "consent_texts", "question: must not be empty"),
    "wording with a url urlparse refuses, rehashed": (lambda p: _rehash(p, privacy_url="http://[::1/p"),
                                                      "consent_texts", "privacy_url"),
    "wording with a long url, rehashed": (lambda p: _rehash(p, privacy_url="https://example.org/" + "p" * 40),
                                          "consent_texts", "privacy_url"),
    "wording uncleaned, rehashed": (lambda p: _rehash(p, notice="We keep\x1b[2J it."), "consent_texts", "id"),
    "wording with an unknown basis": ("UPDATE consent_texts SET lawful_basis = 'legitimate_interest'",
                                      "consent_texts", "lawful_basis"),
    "wording age out of range": ("UPDATE consent_texts SET minimum_age = 99 WHERE minimum_age IS NOT NULL",
                                 "consent_texts", "minimum_age"),
    "wording time": ("UPDATE consent_texts SET first_shown_at = 'x'", "consent_texts", "first_shown_at"),
    "invalid address": ("UPDATE consents SET email = 'not an address' WHERE choice = 'yes'", "consents", "email"),
    "hostile address": ("UPDATE consents SET email = '[@click=app.quit]@x.com' WHERE choice = 'yes'",
                        "consents", "email"),
    "address with an escape": ("UPDATE consents SET email = 'ada' || char(27) || '[2J@example.com'"
                               " WHERE choice = 'yes'", "consents", "email"),
    "address of a Hangul filler": ("UPDATE consents SET email = char(0x3164) || '@example.org' WHERE choice = 'yes'",
                                   "consents", "email: not an email address: it holds characters that show as"),
    "address with a joiner that looks like none": ("UPDATE consents SET email = 'Ada' || char(0x34f) ||"
                                                   " '@example.com' WHERE choice = 'yes'", "consents", "email"),
    "address not UTF-8": ("UPDATE consents SET email = CAST(x'6164a1406578616d706c652e636f6d' AS TEXT)"
                          " WHERE choice = 'yes'", "consents", "email: not valid UTF-8"),
    "address too long": ("UPDATE consents SET email = ? WHERE choice = 'yes'", "consents", "email"),
    "yes without an address": ("UPDATE consents SET email = NULL WHERE choice = 'yes'", "consents", "email"),
    "no with an address": ("UPDATE consents SET email = 'bo@example.com' WHERE choice = 'no'", "consents", "email"),
    "no with an address, purged": ("UPDATE consents SET email = 'bo@example.com', purged_at = created_at"
                                   " WHERE choice = 'no'", "consents", "email"),
    "letter missing": (f"UPDATE consents SET signature_id = '{uuid.UUID(int=1)}' WHERE choice = 'yes'",
                       "consent", "its letter is not in the file"),
    "wording missing": (f"UPDATE consents SET text_id = '{'a' * 64}' WHERE choice = 'yes'",
                        "consent", "its wording is not in the file"),
    "two answers for one letter": ("INSERT INTO consents SELECT ?, signature_id, channel, 'no', NULL, text_id,"
                                   " language, NULL, created_at, local_time, NULL, NULL FROM consents"
                                   " WHERE choice = 'yes'", "consent", "a second answer"),
    "one answer twice": ("INSERT INTO consents SELECT * FROM consents WHERE choice = 'yes'",
                         "consent", "more than once"),
    "bad time": ("UPDATE consents SET created_at = 'yesterday' WHERE choice = 'yes'", "consents", "created_at"),
    "two moments": ("UPDATE consents SET local_time = '2026-07-03T11:00:00.000000+02:00' WHERE choice = 'yes'",
                    "consents", "not the same moment"),
    "bad export time": ("UPDATE consents SET exported_at = 'soon' WHERE choice = 'yes'", "consents", "exported_at"),
    "bad purge time": ("UPDATE consents SET purged_at = '2026-13-45T00:00:00.000000Z' WHERE choice = 'yes'",
                       "consents", "purged_at"),
    "unknown channel": ("UPDATE consents SET channel = 'sms' WHERE choice = 'yes'", "consents", "channel"),
    "unknown choice": ("UPDATE consents SET choice = 'maybe', email = NULL WHERE choice = 'yes'",
                       "consents", "choice"),
    "age as 2": ("UPDATE consents SET age_confirmed = 2 WHERE choice = 'yes'", "consents", "age_confirmed"),
    "yes without the age its wording asks": ("UPDATE consents SET age_confirmed = NULL WHERE choice = 'yes'",
                                             "consents", "age_confirmed"),
    "no with an age": ("UPDATE consents SET age_confirmed = 1 WHERE choice = 'no'", "consents", "age_confirmed"),
    "language not its wording's": ("UPDATE consents SET language = 'fr' WHERE choice = 'yes'",
                                   "consents", "language"),
    "answer id": ("UPDATE consents SET id = 'not-a-uuid' WHERE choice = 'yes'", "consents", "id"),
    "text id": ("UPDATE consents SET text_id = upper(text_id) WHERE choice = 'yes'", "consent", "wording"),
}


@pytest.mark.parametrize("bad", list(CRAFTED))
def test_a_crafted_row_refuses_the_whole_merge_naming_source_and_row(tmp_path, north, bad):
    path, _ = north
    sql, table, named = CRAFTED[bad]
    good = tmp_path / "good.db"
    with Store(good) as store:
        letter(store, "Di", when=at(4, 9), consent=yes("di@example.org"))
    target = tmp_path / "all.db"
    merge(target, good)
    source = tmp_path / "crafted.db"
    shutil.copy(path, source)
    loosen(source)
    if callable(sql):
        sql(source)
    else:
        tamper(source, sql, [str(uuid.uuid4())] if "?" in sql and "email" not in sql else
               ["a" * 300 + "@example.com"] if "?" in sql else [])
    before = snapshot(target)
    with pytest.raises(StoreError) as caught:
        merge(target, good, source)
    error = caught.value
    assert error.source == str(source), str(error)
    assert error.field.startswith(table) and (named in error.field or named in error.problem), str(error)
    assert "nothing was merged" in error.problem
    assert snapshot(target) == before  # good.db was not merged again either
    assert not list(tmp_path.glob("kiosk-merge-*"))


def test_every_crafted_row_is_caught_by_its_own_check(tmp_path, north):
    """Loosened but not tampered with, the file merges: each refusal above is the tampering's."""
    path, _ = north
    source = tmp_path / "loose.db"
    shutil.copy(path, source)
    loosen(source)
    _rehash(source)  # no change: the same id
    (result,) = merge(tmp_path / "all.db", source)
    assert (result.consents, result.consents_added) == (2, 2)


def test_a_refused_wording_row_is_named_by_its_id(tmp_path, north):
    path, _ = north
    source = tmp_path / "crafted.db"
    shutil.copy(path, source)
    tamper(source, "UPDATE consent_texts SET question = 'Shall we spam you?' WHERE id = ?", [WORDING.id])
    with pytest.raises(StoreError) as caught:
        merge(tmp_path / "all.db", source)
    assert WORDING.id in caught.value.field, str(caught.value)


def test_a_wording_any_consent_file_could_hold_merges(tmp_path):
    """What recording accepts, a merge accepts: texts as a consent file cleans them, in every language."""
    from hypothesis import strategies as st

    from tests.helpers import explore

    texts = st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=120)

    @explore(40, question=texts, statement=texts, notice=texts)
    def outcomes(question, statement, notice):
        from kiosk.consent import field_text

        shown = {k: field_text(k, v) for k, v in (("question", question), ("statement", statement),
                                                   ("notice", notice))}
        if any(problem for _, problem in shown.values()):
            return "not a wording"
        wording = dataclasses.replace(WORDING, **{k: text for k, (text, _) in shown.items()})
        folder = tmp_path / uuid.uuid4().hex
        folder.mkdir()
        with Store(folder / "k.db") as store:
            letter(store, consent=yes("ada@example.com", wording=wording))
        (result,) = merge(folder / "all.db", folder / "k.db")
        assert result.consents_added == 1
        return "merged"

    assert outcomes.count("merged") > 10


def test_a_merged_answer_is_the_answer_as_given(tmp_path, north):
    path, ids = north
    target = tmp_path / "all.db"
    merge(target, path)
    with Store(target) as store, Store(path) as source:
        for sig in ids.values():
            assert store.consent_for(sig.id) == source.consent_for(sig.id)
