"""Consents in the store: recorded only as a visitor chose, with exactly the words they saw;
the contacts export holds only opt-ins; purge and forget remove what they say and keep counts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import shutil
import sqlite3
import unicodedata
import uuid
from pathlib import Path

import pytest
from hypothesis import strategies as st
from sqlite_utils import Database

from kiosk.application import open_station
from kiosk.consent import ConsentText
from kiosk.emails import typo_hint, validate_email
from kiosk.errors import InputError
from kiosk.settings import Settings
from kiosk.store import ConsentChoice, Scope, Store
from tests.helpers import CASES, explore, on_disk
from tests.helpers.old_files import database_before

STALL = dt.timezone(dt.timedelta(hours=2))
WORDING = ConsentText("en", "2026-12", "Letters for Freedom", "consent", "https://example.org/privacy", 16,
                      "Would you like to hear from us?", "Yes: you may email me.", "We keep your address only.")
NO_AGE = dataclasses.replace(WORDING, minimum_age=None, version="2026-12 no age")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 7, day, hour, minute, tzinfo=STALL)


def letter(store: Store, name: str = "Ada Lovelace", *, when: dt.datetime | None = None, case_id: str = "case-a",
           event: str = "Summer Fest", printed: bool = True, consent: ConsentChoice | None = None):
    sig = store.record(case_id=case_id, kind="appeal", name=name, message=f"Message from {name}", event=event,
                       kiosk_id="north", at=when or at(3, 10), consent=consent)
    if printed:
        job = store.job_for(sig.id)
        store.claim_job(job.id, "test")
        store.finish_job(job.id)
    return sig


def yes(email: str | None, *, age: bool = True, wording: ConsentText = WORDING) -> ConsentChoice:
    return ConsentChoice(wording, "yes", email, age)


def no(wording: ConsentText = WORDING) -> ConsentChoice:
    return ConsentChoice(wording, "no")


def tables(path: Path) -> dict[str, list]:
    """Every row of the tables a letter and an answer write, read by another connection."""
    conn = sqlite3.connect(path)
    try:
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
                for t in ("signatures", "print_jobs", "consents", "consent_texts", "cases")}
    finally:
        conn.close()


# -- 2. recording ---------------------------------------------------------------------------------


def test_yes_keeps_the_address_normalised_and_the_wording_once_under_its_hash(store):
    sig = letter(store)
    consent = store.record_consent(sig.id, yes("Ada@Example.COM"), at=at(3, 10, 1))
    assert (consent.choice, consent.email, consent.age_confirmed, consent.language) == ("yes", "Ada@example.com",
                                                                                           True, "en")
    assert store.consent_for(sig.id) == consent
    assert (consent.created_at, consent.local_time) == ("2026-07-03T08:01:00.000000Z",
                                                        "2026-07-03T10:01:00.000000+02:00")
    (text,) = store.consent_texts()
    shown = dataclasses.asdict(WORDING)
    assert {k: v for k, v in text.items() if k not in ("id", "first_shown_at")} == shown
    canonical = json.dumps(shown, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
    assert text["id"] == consent.text_id == WORDING.id == hashlib.sha256(canonical).hexdigest()
    store.record_consent(letter(store, "Bo").id, no(), at=at(3, 11))
    assert len(store.consent_texts()) == 1  # the same words are stored once


def test_no_keeps_no_address_and_an_address_with_no_is_refused(store):
    sig = letter(store)
    before = tables(store.path)
    for address in ("ada@example.com", ""):
        with pytest.raises(InputError) as caught:
            store.record_consent(sig.id, ConsentChoice(WORDING, "no", address))
        assert caught.value.field == "email"
    assert tables(store.path) == before
    consent = store.record_consent(sig.id, no())
    assert consent.email is None and not consent.age_confirmed
    assert store.db.execute("SELECT email, age_confirmed FROM consents").fetchall() == [(None, None)]


@pytest.mark.parametrize("choice", ["", "maybe", "YES", "No", "yes ", "true", None])
def test_no_answer_is_recorded_without_an_explicit_choice(store, choice):
    sig = letter(store, consent=None)
    assert store.consent_for(sig.id) is None  # a letter alone has no answer
    before = tables(store.path)
    with pytest.raises(InputError) as caught:
        store.record_consent(sig.id, ConsentChoice(WORDING, choice, "ada@example.com", True))
    assert caught.value.field == "consent"
    with pytest.raises(InputError):
        store.record(case_id="case-a", kind="appeal", name="Bo", message="", event="E", kiosk_id="north",
                     consent=ConsentChoice(WORDING, choice, None))
    with pytest.raises(InputError):
        store.record_consent(sig.id, ConsentChoice(WORDING, "yes", "ada@example.com", True, channel="sms"))
    assert tables(store.path) == before


def test_the_minimum_age_is_confirmed_where_the_wording_asks_it(store):
    sig = letter(store)
    before = tables(store.path)
    with pytest.raises(InputError) as caught:
        store.record_consent(sig.id, yes("ada@example.com", age=False))
    assert (caught.value.field, caught.value.reason) == ("age", "empty")
    assert tables(store.path) == before
    assert store.record_consent(sig.id, yes("ada@example.com", age=True)).age_confirmed
    # a wording that asks no age: none is kept, whatever was passed
    other = letter(store, "Bo")
    consent = store.record_consent(other.id, yes("bo@example.com", age=True, wording=NO_AGE))
    assert not consent.age_confirmed
    assert store.db.execute("SELECT age_confirmed FROM consents WHERE id = ?", [consent.id]).fetchone() == (None,)


def test_a_letter_is_asked_once(store):
    sig = letter(store)
    store.record_consent(sig.id, no())
    before = tables(store.path)
    for answer in (no(), yes("ada@example.com")):
        with pytest.raises(InputError) as caught:
            store.record_consent(sig.id, answer)
        assert caught.value.field == "consent"
    assert tables(store.path) == before


def test_an_answer_for_a_letter_that_is_not_there_is_refused(store):
    letter(store)
    before = tables(store.path)
    for sig_id in (str(uuid.uuid4()), "", "'; DROP TABLE consents; --"):
        with pytest.raises(InputError) as caught:
            store.record_consent(sig_id, yes("ada@example.com"))
        assert caught.value.field == "signature"
    assert tables(store.path) == before


def test_an_answer_for_a_letter_already_purged_is_refused(store):
    """Its address would be kept with a letter whose writer's data is gone (a merge would drop it)."""
    sig = letter(store)
    store.purge_personal_data(Scope())
    before = tables(store.path)
    with pytest.raises(InputError) as caught:
        store.record_consent(sig.id, yes("ada@example.com"))
    assert caught.value.field == "signature"
    assert tables(store.path) == before


def test_a_letter_with_a_bad_answer_is_not_recorded_either(store):
    before = tables(store.path)
    for bad in (yes("not an address"), yes("ada@example.com", age=False), ConsentChoice(WORDING, "no", "a@b.org"),
                ConsentChoice(WORDING, "perhaps")):
        with pytest.raises(InputError):
            letter(store, consent=bad)
    assert tables(store.path) == before
    sig = letter(store, consent=yes("ada@example.com"), printed=False)
    consent = store.consent_for(sig.id)
    assert consent.email == "ada@example.com" and consent.created_at == sig.created_at
    assert store.total() == 1 and store.job_for(sig.id).status == "pending"


@pytest.mark.parametrize("change", [
    {"question": "Would you like to hear from us?\x1b[2J"},  # not as cleaning keeps it: not what was shown
    {"statement": "  Yes:   you may email me. "},
    {"statement": "x" * 5000},
    {"notice": "\u200b"},
    {"lawful_basis": "legitimate_interest"},
    {"privacy_url": "javascript:alert(1)"},
    {"privacy_url": "https://example.org/" + "p" * 60},
    {"language": "../en"},
    {"minimum_age": 99},
    {"minimum_age": True},
    {"version": ""},
])
def test_a_wording_no_consent_file_could_hold_is_refused_at_recording(store, change):
    """What a merge would refuse from this file, recording refuses: the same rule, one place."""
    sig = letter(store)
    before = tables(store.path)
    wording = dataclasses.replace(WORDING, **change)
    with pytest.raises(InputError) as caught:
        store.record_consent(sig.id, yes("ada@example.com", wording=wording))
    assert caught.value.field == "consent"
    assert tables(store.path) == before


HOSTILE = [
    "ada@example.com\x1b[2J", "\x1b]52;c;aGk=\x07@example.com", "ada\x00@example.com", "ada@exa\x07mple.com",
    "\x1cada@example.com", "ada@example.com\x1f", "ada@example.com\x85", "\u2028ada@example.com",
    "ada\u202e@example.com", "ada@\u202eexample.com", "\u2066ada@example.com\u2069", "ada\u200b@example.com",
    "ada\u200d@example.com", "ada\ufeff@example.com", "ada\ud800@example.com", "ada@example.com\udcff",
    "a" * 10_000, "a" * 250 + "@example.com", "[@click=app.quit]@x.com", "[b]ada[/b]@example.com",
    '"ada lovelace"@example.com', '"ada"@example.com', "ada@[192.0.2.1]", "ada@[IPv6:2001:db8::1]",
    "Ada <ada@example.com>", "Ada<ada@example.com>", "ada@example.com, bo@example.com", "ada@", "@example.com",
    "ada", "ada@localhost", "ada@@example.com", "ada@example..com", "ada @example.com",
    "ada@example.com\r\nBcc: all@example.com", "ada\tlove@example.com", "\u00a0ada@example.com",
    "ada@exam\u00adple.com", "ada\U000e0041@example.com", "", "   ", None,
]


@pytest.mark.parametrize("address", HOSTILE, ids=range(len(HOSTILE)))
def test_a_hostile_address_is_refused_naming_the_field(store, address):
    sig = letter(store)
    before = tables(store.path)
    with pytest.raises(InputError) as caught:
        store.record_consent(sig.id, yes(address))
    assert caught.value.field == "email"
    with pytest.raises(InputError):
        letter(store, "Bo", consent=yes(address))
    assert tables(store.path) == before
    with pytest.raises(InputError) as caught:
        validate_email(address)
    assert caught.value.field == "email"


def test_controls_around_an_address_are_refused_not_trimmed():
    """A plain strip() took \\x1c-\\x1f, \\x85 and \\u2028 for spaces: the address was accepted without them."""
    for around in ("\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\u2028", "\u2029", "\x0b", "\x0c"):
        with pytest.raises(InputError):
            validate_email(f"{around}ada@example.com")
        with pytest.raises(InputError):
            validate_email(f"ada@example.com{around}")
    assert validate_email("  ada@example.com \t") == "ada@example.com"  # typed spaces are trimmed


# Addresses that show as nothing before the @, or look exactly like ada@example.org: each holds a
# character that shows as nothing (a default-ignorable) or blank (the blank braille pattern).
INVISIBLE = ["\u3164@example.org", "\u115f@example.org", "\u2800@example.org", "ada\u034f@example.org",
             "ada\ufe0f@example.org"]
IGNORABLE = ["\u00ad", "\u034f", "\u061c", "\u115f", "\u1160", "\u17b4", "\u17b5", "\u180b", "\u180f", "\u200b",
             "\u200f", "\u202a", "\u202e", "\u2060", "\u206f", "\u3164", "\ufe00", "\ufe0f", "\ufeff", "\uffa0",
             "\ufff0", "\ufff8", "\U0001bca0", "\U0001bca3", "\U0001d173", "\U0001d17a", "\U000e0000", "\U000e0041",
             "\U000e0fff"]


@pytest.mark.parametrize("address", [*INVISIBLE, *(f"ada{ch}@example.org" for ch in IGNORABLE),
                                     *(f"{ch}@example.org" for ch in IGNORABLE), "ada\u2800x@example.org"],
                         ids=ascii)
def test_an_address_with_what_shows_as_nothing_is_refused(store, address):
    with pytest.raises(InputError) as caught:
        validate_email(address)
    assert caught.value.field == "email"
    sig = letter(store)
    with pytest.raises(InputError) as caught:
        store.record_consent(sig.id, yes(address))
    assert caught.value.field == "email" and store.consent_for(sig.id) is None
    assert typo_hint(address.replace("example.org", "gmial.com")) is None


def test_an_address_field_drops_what_shows_as_nothing_so_the_address_kept_is_the_one_seen():
    from kiosk.emails import tidy_address
    from kiosk.text import without_ignorables

    for ch in IGNORABLE:
        assert tidy_address(f"ad{ch}a@exa{ch}mple.org{ch}") == "ada@example.org", ascii(ch)
    assert tidy_address("e\u034f\u0301@example.org") == "\u00e9@example.org"  # what kept them apart is gone
    assert tidy_address("\u2800@example.org") == "\u2800@example.org"  # it shows (blank): kept, and refused

    @explore(500, value=st.one_of(st.text(max_size=40), _EMAILISH))
    def tidied(value):
        kept = tidy_address(value)
        assert tidy_address(kept) == kept, ascii(value)  # typed again, unchanged: the field settles
        assert without_ignorables(kept) == kept and _no_control(kept), ascii(value)
        return kept

    assert tidied


@pytest.mark.parametrize("address", ["=cmd@example.com", "+1@example.com", "-2+3@example.com",
                                     "zoë@exämple.de", "ada.o'brien@example.com", "a/b@example.com"])
def test_a_valid_but_nasty_address_is_stored_as_typed(store, address):
    sig = letter(store)
    consent = store.record_consent(sig.id, yes(address))
    assert consent.email == validate_email(address) == address.split("@")[0] + "@" + address.split("@")[1].lower()
    assert store.contacts().rows[0]["email"] == address  # neutralising a formula is the CSV writer's job


def _no_control(text: str) -> bool:
    return not any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") for ch in text)


_PIECES = st.lists(st.sampled_from([
    *"aaaZ9._-+=@[]\"<> ()\\:;,'", "é", "ß", "İ", "ﬁ", "Ａ", "\u200b", "\u202e", "\x1b", "\x00", "\ud800", "\u0301",
    "\u2028", "\x1c", "\x85", "\u0627", "K", "ſ", "Ω", "\u3002", "\uff0e", "\uff20", "①", "xn--", "ada", "bo"]),
    min_size=1, max_size=8).map("".join)
_EMAILISH = st.builds(lambda local, domain, tld: f"{local}@{domain}.{tld}", _PIECES, _PIECES,
                      st.sampled_from(["com", "de", "рф", "c0m", "x", "ΕΛ"]))


def test_any_text_is_refused_or_an_address_that_validates_to_itself(figure):
    @explore(1000, value=st.one_of(st.text(max_size=300), _EMAILISH, st.emails()))
    def outcomes(value):
        try:
            address = validate_email(value)
        except InputError as exc:
            assert exc.field == "email"
            return "refused"
        assert validate_email(address) == address, (value, address)
        assert _no_control(address), (value, address)
        return "accepted"

    figure(f"{len(outcomes):,} texts as addresses: {outcomes.count('accepted')} accepted, "
           f"{outcomes.count('refused')} refused, 0 crashes")


# -- the station: what was on screen is what is stored -----------------------------------------------


def station(tmp_path: Path, **settings):
    values = {"event": "Test Fest", "kiosk_id": "stall-1", "cases": CASES, "database": tmp_path / "kiosk.db",
              "preview": tmp_path / "preview", "allow_sample_cases": True, **settings}
    noon = dt.datetime(2026, 11, 24, 12, 0).astimezone()
    return open_station(Settings(**values), clock=lambda: noon).prepare()


@pytest.mark.parametrize("language", ["en", "es", "fr", "de"])
def test_the_stored_wording_is_exactly_what_the_station_showed(tmp_path, language):
    kiosk = station(tmp_path)
    shown = kiosk.consent_text(language)  # what the screen shows
    answer = kiosk.answer("yes", "Zoë@Exämple.DE", age_confirmed=True, language=language)
    sig = kiosk.record("lawyer-amara-osei", "appeal", "Ada", "", consent=answer)
    with Store(kiosk.settings.database) as store:
        (text,) = store.consent_texts()
        consent = store.consent_for(sig.id)
    assert {k: v for k, v in text.items() if k not in ("id", "first_shown_at")} == dataclasses.asdict(shown)
    assert text["id"] == shown.id == consent.text_id
    assert consent.language == shown.language == (language if language != "de" else "en")
    assert consent.email == "Zoë@exämple.de"
    kiosk.close()


def test_the_station_refuses_a_bad_answer_before_anything_is_recorded(tmp_path):
    kiosk = station(tmp_path)
    sig = kiosk.record("lawyer-amara-osei", "appeal", "Ada", "")
    before = tables(kiosk.settings.database)
    for call in (lambda: kiosk.answer("yes", "[@click=app.quit]@x.com", age_confirmed=True),
                 lambda: kiosk.answer("yes", "ada@example.com"),  # the sample wording asks 16 or older
                 lambda: kiosk.answer("no", "ada@example.com"),
                 lambda: kiosk.answer("", None)):
        with pytest.raises(InputError):
            call()
    kiosk.record_consent(sig.id, kiosk.answer("no"))
    with pytest.raises(InputError):
        kiosk.record_consent(sig.id, kiosk.answer("yes", "ada@example.com", age_confirmed=True))
    after = tables(kiosk.settings.database)
    assert after["signatures"] == before["signatures"] and len(after["consents"]) == 1
    kiosk.close()


def test_a_station_without_a_wording_refuses_an_answer(tmp_path):
    folder = tmp_path / "cases"
    shutil.copytree(CASES, folder)
    (folder / "consent.toml").unlink()
    kiosk = station(tmp_path, cases=folder)
    with pytest.raises(InputError) as caught:
        kiosk.answer("no")
    assert caught.value.field == "consent"
    kiosk.close()


# -- 3. the contacts export -------------------------------------------------------------------------


@pytest.fixture
def answered(store):
    """Letters and answers: Ada said yes twice (two cases, her address typed in two cases of letters),
    Bo said no, Cy never answered, Di said yes at another event (a wording that asks no age), Ed said yes."""
    ada1 = letter(store, "Ada Lovelace", when=at(3, 10), case_id="case-a", consent=yes("ada@example.com"))
    ada2 = letter(store, "Ada Lovelace", when=at(3, 12), case_id="case-b")
    store.record_consent(ada2.id, yes("ADA@Example.com"), at=at(3, 12, 1))
    bo = letter(store, "Bo", when=at(3, 11), consent=no())
    cy = letter(store, "Cy", when=at(3, 13))
    di = letter(store, "Di", when=at(5, 9), event="Book Fair", consent=yes("di@example.org", wording=NO_AGE))
    ed = letter(store, "Ed", when=at(3, 14), consent=yes("ed@example.com"))
    return {"ada1": ada1, "ada2": ada2, "bo": bo, "cy": cy, "di": di, "ed": ed}


def test_contacts_are_the_opt_ins_one_row_per_address_latest_answer_winning(store, answered):
    contacts = store.contacts()
    by_email = {row["email"]: row for row in contacts.rows}
    assert set(by_email) == {"ADA@example.com", "di@example.org", "ed@example.com"}  # never Bo (no) nor Cy
    ada = by_email["ADA@example.com"]
    assert ada["letters"] == 2 and ada["cases"] == "case-a case-b"
    assert ada["signature_id"] == answered["ada2"].id and ada["consented_local_time"].startswith("2026-07-03T12:01")
    assert ada["name"] == "Ada Lovelace" and ada["age_confirmed"] == "yes" and ada["wording_id"] == WORDING.id
    assert ada["reference"] == answered["ada2"].reference and ada["channel"] == "email"
    assert by_email["di@example.org"]["age_confirmed"] == "" and by_email["di@example.org"]["letters"] == 1
    consents = {store.consent_for(s.id).id for k, s in answered.items() if k not in ("bo", "cy")}
    assert set(contacts.consent_ids) == consents
    assert [r["email"] for r in contacts.rows] == ["ADA@example.com", "ed@example.com", "di@example.org"]


def test_contacts_keep_to_their_scope_and_leave_purged_addresses_out(store, answered):
    assert [r["email"] for r in store.contacts(Scope(event="Book Fair")).rows] == ["di@example.org"]
    summer = store.contacts(Scope(event="Summer Fest", case_id="case-a"))
    assert [(r["email"], r["letters"]) for r in summer.rows] == [("ada@example.com", 1), ("ed@example.com", 1)]
    assert store.contacts(Scope(since=dt.date(2026, 7, 4))).rows[0]["email"] == "di@example.org"
    store.forget("ed@example.com")
    assert "ed@example.com" not in {r["email"] for r in store.contacts().rows}
    assert store.consent_counts() == {"yes": 4, "no": 1}  # the answer stays, without its address


def test_a_note_of_export_marks_only_kept_addresses(store, answered):
    contacts = store.contacts(Scope(event="Summer Fest"))
    assert store.mark_exported(contacts.consent_ids) == 3
    exported = {sig for (sig,) in store.db.execute("SELECT signature_id FROM consents WHERE exported_at IS NOT NULL")}
    assert exported == {answered[k].id for k in ("ada1", "ada2", "ed")}


@pytest.mark.parametrize(("one", "other"), [("straße@example.de", "strasse@example.de"),
                                            ("οδος@example.gr", "οδοσ@example.gr")])
def test_letters_casefold_would_join_are_other_addresses(store, one, other):
    """casefold() made ß ss and ς σ: two mailboxes became one contacts row, the one left out was
    noted as exported all the same, and purge --contacts-exported removed an address that never
    reached the CRM. Only case and NFC join addresses; only an address written is noted."""
    from kiosk.emails import email_key

    first = letter(store, "Ada", when=at(3, 10), consent=yes(one))
    second = letter(store, "Bo", when=at(3, 11), consent=yes(other))
    contacts = store.contacts()
    assert sorted((r["email"], r["letters"]) for r in contacts.rows) == sorted([(one, 1), (other, 1)])
    store.mark_exported(contacts.consent_ids)
    exported = {e for (e,) in store.db.execute("SELECT email FROM consents WHERE exported_at IS NOT NULL")}
    assert exported <= {r["email"] for r in contacts.rows}
    store.forget(other)
    assert store.consent_for(first.id).email == one and store.signature(first.id).name == "Ada"
    assert store.consent_for(second.id).email is None
    assert email_key(one) != email_key(other) and email_key(one.title()) == email_key(one)


def test_only_the_answers_behind_the_rows_written_are_noted_as_exported(store, answered):
    contacts = store.contacts(Scope(case_id="case-b"))  # Ada's second letter only
    assert [r["email"] for r in contacts.rows] == ["ADA@example.com"]
    assert contacts.consent_ids == [store.consent_for(answered["ada2"].id).id]


# -- 4. purge by who answered -------------------------------------------------------------------------


def names_and_addresses(store):
    letters = dict(store.db.execute("SELECT name, purged_at FROM signatures"))
    addresses = [e for (e,) in store.db.execute("SELECT email FROM consents WHERE email IS NOT NULL")]
    return letters, sorted(addresses)


def test_purge_groups_select_exactly_their_letters(store, answered):
    store.mark_exported(store.contacts(Scope(event="Book Fair")).consent_ids)  # Di's address was exported
    declined = store.purge_preview(Scope(), ["declined"])
    assert (declined.signatures, declined.addresses, declined.unexported) == (1, 0, 0)
    exported = store.purge_preview(Scope(), ["contacts_exported"])
    assert (exported.signatures, exported.addresses, exported.unexported) == (1, 1, 0)
    both = store.purge_preview(Scope(), ["declined", "contacts_exported"])
    assert (both.signatures, both.addresses) == (2, 1)
    everyone = store.purge_preview(Scope())
    assert (everyone.signatures, everyone.addresses, everyone.unexported) == (6, 4, 3)
    with pytest.raises(InputError):
        store.purge_preview(Scope(), ["everyone"])

    counts, total, choices = store.counts(("case", "event", "day")), store.total(), store.consent_counts()
    result = store.purge_personal_data(Scope(), ["declined"])
    assert (result.signatures, result.addresses) == (1, 0)
    letters, addresses = names_and_addresses(store)
    assert "Bo" not in letters and len(addresses) == 4
    result = store.purge_personal_data(Scope(), ["contacts_exported"])
    assert (result.signatures, result.addresses) == (1, 1)
    letters, addresses = names_and_addresses(store)
    assert "Di" not in letters and "di@example.org" not in addresses and "Ada Lovelace" in letters
    assert store.purge_preview(Scope(), ["contacts_exported"]).signatures == 0  # done: nothing left
    assert (store.counts(("case", "event", "day")), store.total(), store.consent_counts()) == (counts, total, choices)
    data = on_disk(store.path)
    assert b"di@example.org" not in data and b"Message from Bo" not in data and b"Message from Di" not in data
    assert b"ada@example.com" in data  # Ada said yes and was not exported: kept


def test_purge_without_a_group_removes_every_address_and_keeps_every_count(store, answered):
    counts, total, choices = store.counts(("case", "kind", "event", "day")), store.total(), store.consent_counts()
    preview = store.purge_preview(Scope(event="Summer Fest"))
    result = store.purge_personal_data(Scope(event="Summer Fest"))
    assert (result.signatures, result.addresses) == (preview.signatures, preview.addresses) == (5, 3)
    letters, addresses = names_and_addresses(store)
    assert letters == {None: letters[None], "Di": None} and addresses == ["di@example.org"]
    assert (store.counts(("case", "kind", "event", "day")), store.total(), store.consent_counts()) == (
        counts, total, choices)
    assert [c for (c,) in store.db.execute("SELECT choice FROM consents ORDER BY choice")] == ["no"] + ["yes"] * 4
    data = on_disk(store.path)
    for gone in (b"ada@example.com", b"ADA@Example.com", b"ed@example.com", b"Ada Lovelace", b"Message from Ed"):
        assert gone not in data, gone
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# -- 5. forget ----------------------------------------------------------------------------------------


@pytest.fixture
def ada(store):
    """Ada wrote three letters with her address (one not printed yet), one without it under her
    name typed another way, and there are letters of other people."""
    mine = [letter(store, "Ada Lovelace", when=at(3, 10), consent=yes("Ada.L@Example.com")),
            letter(store, "Ada Lovelace", when=at(3, 11), consent=yes("ada.l@example.COM")),
            letter(store, "Ada Lovelace", when=at(3, 12), consent=yes("ADA.L@EXAMPLE.COM"), printed=False)]
    same = letter(store, "  ADA   lovelace ", when=at(3, 13), consent=no(), printed=False)
    others = [letter(store, "Bo", when=at(3, 14), consent=yes("bo@example.com")),
              letter(store, "Ada Byron", when=at(3, 15), consent=yes("ada.b@example.com"))]
    return mine, same, others


def test_forget_by_any_case_of_the_address(store, ada):
    mine, same, others = ada
    preview = store.forget_preview("ada.l@EXAMPLE.com")[0]
    assert preview.letters == tuple(s.reference for s in mine)
    assert (preview.addresses, preview.unprinted) == (3, 1)
    assert preview.same_name == (same.reference,)
    counts, total, choices = store.counts(("case", "day")), store.total(), store.consent_counts()
    result = store.forget("ADA.L@example.com")
    assert (result.letters, result.addresses, result.cancelled_jobs) == (3, 3, 1)
    assert store.job_for(mine[2].id).status == "cancelled"
    assert store.signature(same.id).name == "ADA lovelace" and store.job_for(same.id).status == "pending"
    assert {s.name for s in map(store.signature, [o.id for o in others])} == {"Bo", "Ada Byron"}
    assert (store.counts(("case", "day")), store.total(), store.consent_counts()) == (counts, total, choices)
    data = on_disk(store.path)
    assert b"ada.l@" not in data.lower() and b"Ada Lovelace" not in data and b"bo@example.com" in data
    assert store.forget_preview("ada.l@example.com")[0].letters == ()  # nothing left to forget


def test_forget_with_same_name_removes_the_other_letters_under_that_name(store, ada):
    _, same, others = ada
    result = store.forget("ada.l@example.com", same_name=True)
    assert (result.letters, result.addresses, result.cancelled_jobs) == (4, 3, 2)
    assert store.signature(same.id).purged_at is not None
    assert store.consent_for(same.id).choice == "no"
    assert b"lovelace" not in on_disk(store.path).lower()
    assert store.signature(others[1].id).name == "Ada Byron"


def test_same_name_letters_given_with_another_address_are_that_address_s(store, ada):
    """A letter under the same name but given with another address belongs to that address
    (another person's, or theirs under another address): forget --also-same-name leaves it."""
    other = letter(store, "Ada Lovelace", when=at(3, 16), consent=yes("ada.other@example.org"))
    preview = store.forget_preview("ada.l@example.com", same_name=True)[0]
    assert other.reference not in preview.same_name
    result = store.forget("ada.l@example.com", same_name=True)
    assert (result.letters, result.addresses) == (4, 3)  # as the preview said: 3 addresses
    assert store.signature(other.id).name == "Ada Lovelace"
    assert store.consent_for(other.id).email == "ada.other@example.org"


@pytest.mark.parametrize(("given", "asked"), [
    ("hans@bücher.de", "hans@xn--bcher-kva.de"), ("hans@bücher.de", "HANS@XN--BCHER-KVA.DE"),
    ("hans@xn--bcher-kva.de", "hans@bücher.de"), ("hans@xn--bcher-kva.de", "hans@xn--bcher-kva.de"),
    ("Hans@Bücher.DE", "hans@XN--bcher-kva.de"),
])
def test_forget_finds_an_address_by_either_form_of_its_domain(store, given, asked):
    """The domain given as Unicode or as IDNA (punycode) is one address: as kept, both are Unicode."""
    hans = letter(store, "Hans", when=at(3, 10), consent=yes(given))
    other = letter(store, "Bo", when=at(3, 11), consent=yes("hans@buecher.de"))
    assert store.consent_for(hans.id).email.lower() == "hans@bücher.de"
    preview, touched = store.forget_preview(asked)
    assert (preview.letters, preview.addresses, touched) == ((hans.reference,), 1, [hans.id])
    result = store.forget(asked)
    assert (result.letters, result.addresses) == (1, 1)
    assert store.consent_for(hans.id).email is None and store.signature(hans.id).purged_at is not None
    assert store.consent_for(other.id).email == "hans@buecher.de"


def test_compatibility_forms_are_another_address():
    """NFC and case are folded when addresses are compared; full-width letters are other characters."""
    from kiosk.emails import email_key

    assert email_key("ADA@Example.org") == email_key("ada@example.org")
    assert email_key(unicodedata.normalize("NFD", "zoë@example.org")) == email_key("Zoë@example.org")
    assert email_key("\uff41\uff44\uff41@example.org") != email_key("ada@example.org")


def test_an_address_found_nowhere_changes_nothing(store, ada):
    before = tables(store.path)
    for address in ("nobody@example.com", "", "ada.l@example.co", "%", "ada.l@example.com'--"):
        preview, touched = store.forget_preview(address)
        assert (preview.letters, preview.addresses, touched) == ((), 0, [])
        assert dataclasses.astuple(store.forget(address)) == (0, 0, 0, True)
    assert tables(store.path) == before


# -- 7. migration -------------------------------------------------------------------------------------


def database_at_0004(path: Path, rows: int = 3) -> list[str]:
    """A kiosk file as kiosks wrote it before consents (migrations 0001-0004)."""
    return database_before(path, "0005_consents", rows=rows, case_id="case-a", status="printed")


def test_a_database_at_0004_migrates_to_0005_keeping_every_letter(tmp_path):
    path = tmp_path / "old.db"
    ids = database_at_0004(path)
    conn = sqlite3.connect(path)
    cur = conn.execute("SELECT * FROM signatures ORDER BY number")
    before, columns = cur.fetchall(), ", ".join(d[0] for d in cur.description)
    conn.close()
    assert "consents" not in Database(path).table_names()
    with Store(path) as store:
        applied = [r[0] for r in store.db.execute("SELECT name FROM _sqlite_migrations ORDER BY name")]
        assert "0005_consents" in applied
        assert store.db.execute(f"SELECT {columns} FROM signatures ORDER BY number").fetchall() == before
        assert [s.id for s in store.signatures()] == ids and store.contacts().rows == []
        store.record_consent(ids[0], yes("old@example.com"))  # an old letter can be answered for
        assert store.consent_counts() == {"yes": 1}
        assert store.db.execute("PRAGMA foreign_key_check").fetchall() == []


# -- the typo hint -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "hint"), [
    ("ada@gmial.com", "ada@gmail.com"), ("Ada@GMIAL.COM", "Ada@gmail.com"), ("ada@gmial", "ada@gmail.com"),
    ("ada@hotmial.co.uk", "ada@hotmail.co.uk"), ("ada@gmail.com", None), ("ada@example.org", None), ("ada@", None),
    # a hint is an address the kiosk would keep: never a hostile one offered back
    ("\x1b[31mada@gmial.com", None), ("ada\u202e@gmial.com", None), ("[@click=app.quit]@gmial.com", None),
    ("a b@hotmial.com", None), ("x" * 10_000 + "@gmial.com", None), ("ada\u200b@gmial.com", None),
], ids=lambda value: repr(value[:30]) if isinstance(value, str) else repr(value))
def test_the_typo_hint_offers_only_an_address_the_kiosk_would_keep(typed, hint):
    assert typo_hint(typed) == hint


def test_any_hint_is_a_valid_address_as_kept():
    typos = st.sampled_from(["gmial.com", "hotmial.com", "yaho.com", "gmial", "outlok.fr", "GMAIL.CON"])
    typed = st.builds(lambda local, domain: f"{local}@{domain}", _PIECES, typos)

    @explore(300, value=st.one_of(typed, st.text(max_size=60)))
    def hints(value):
        hint = typo_hint(value)
        assert hint is None or validate_email(hint) == hint, (value, hint)
        return hint

    assert len([h for h in hints if h]) > 20


def test_the_store_never_drops_a_wording_its_constraints_refuse(store):
    """Below the rule's check: a wording the table's CHECK refuses is an error, never a row left out."""
    from kiosk.store.consents import insert_consent

    sig = letter(store)
    bad = ConsentChoice(dataclasses.replace(WORDING, lawful_basis="whim"), "no")
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"), store.transaction() as conn:
        insert_consent(conn, sig.id, bad, at(3, 10, 1))
    assert store.consent_texts() == [] and store.consent_for(sig.id) is None
