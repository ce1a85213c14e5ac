"""The outbox: triggers mark every row a writer changes, an answer settles only the row as it was
sent, conflicts and refusals are kept and not sent again until the content changes, rows of
other kiosks are left alone; and what personal data each row sends under each policy."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from kiosk.consent import ConsentText, wording_id
from kiosk.signers import fingerprint
from kiosk.store import ConsentChoice, Scope, Store
from kiosk.sync.payload import personal_for, upload_row
from kiosk.sync_protocol import content_hash, row_problem
from tests.helpers.old_files import database_before

WORDING = ConsentText("en", "2026-12", "Letters for Freedom", "consent", "https://example.org/privacy", 16,
                      "Would you like to hear from us?", "Yes: you may email me.", "We keep your address only.")
WHEN = dt.datetime(2026, 7, 3, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))


def letter(store: Store, name: str = "Ada Lovelace", *, kiosk_id: str = "north", consent=None):
    return store.record(case_id="case-a", kind="appeal", name=name, message=f"Message from {name}",
                        event="Summer Fest", kiosk_id=kiosk_id, at=WHEN, consent=consent)


def yes(email: str = "ada@example.org") -> ConsentChoice:
    return ConsentChoice(WORDING, "yes", email, True)


def batch(store: Store, limit: int = 500):
    return [(item.kind, item.id) for item in store.outbox_batch("north", limit)]


def answer_all(store: Store, answer: str = "new", reason: str | None = None) -> None:
    store.settle_outbox([(item, answer, reason) for item in store.outbox_batch("north", 500)])


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "kiosk.db") as store:
        yield store


def test_a_letter_and_its_answer_are_marked_and_sent_wording_first_letter_before_answer(store):
    sig = letter(store)
    assert batch(store) == [("signature", sig.id)]
    consent = store.record_consent(sig.id, yes())
    assert batch(store) == [("consent_text", WORDING.id), ("signature", sig.id), ("consent", consent.id)]
    rows = [upload_row(item, "consented") for item in store.outbox_batch("north", 500)]
    assert [row_problem(row, "north") for row in rows] == [None, None, None]
    text_row = rows[0]
    assert text_row["id"] == wording_id(text_row["content"])
    assert rows[2]["content"]["age_confirmed"] is True


def test_an_answer_settles_only_the_row_as_it_was_sent(store):
    sig = letter(store)
    sent = store.outbox_batch("north", 500)
    store.purge_personal_data(Scope())  # the letter changes while its batch is on the way
    assert store.settle_outbox([(item, "new", None) for item in sent]) == 0
    again = store.outbox_batch("north", 500)
    assert [(i.kind, i.id) for i in again] == [("signature", sig.id)] and again[0].seq != sent[0].seq
    assert again[0].purged and again[0].hash == sent[0].hash  # its content is the same; its personal data went
    assert store.settle_outbox([(item, "duplicate", None) for item in again]) == 1
    assert batch(store) == [] and store.sync_status("north").waiting == 0


def test_a_column_that_is_not_sent_marks_nothing(store):
    sig = letter(store)
    answer_all(store)
    job = store.job_for(sig.id)
    store.claim_job(job.id, "test")
    store.finish_job(job.id)
    assert batch(store) == []


def test_a_purge_and_a_forget_mark_the_rows_they_change(store):
    sig = letter(store, consent=yes())
    other = letter(store, "Grace Hopper")
    answer_all(store)
    store.forget("ada@example.org")
    assert set(batch(store)) == {("signature", sig.id), ("consent", store.consent_for(sig.id).id)}
    answer_all(store)
    store.purge_personal_data(Scope())
    assert batch(store) == [("signature", other.id)]


def test_a_conflict_is_kept_shown_and_not_sent_again_until_the_content_changes(store, tmp_path):
    sig = letter(store)
    store.settle_outbox([(item, "conflict", "HQ holds other content for this id")
                         for item in store.outbox_batch("north", 500)])
    status = store.sync_status("north")
    assert status.waiting == 0
    [conflict] = status.conflicts
    assert (conflict.kind, conflict.id, conflict.answer) == ("signature", sig.id, "conflict")
    assert conflict.reference == "Summer Fest / north / #0001"
    assert conflict.reason == "HQ holds other content for this id"
    store.purge_personal_data(Scope())  # its personal data changes, not its content: not sent again
    assert store.sync_status("north").waiting == 1
    assert batch(store) == [] and store.sync_status("north").waiting == 0
    with sqlite3.connect(tmp_path / "kiosk.db") as conn:  # its content changes: sent again
        conn.execute("UPDATE signatures SET addressee_name = 'The Minister' WHERE id = ?", [sig.id])
    assert batch(store) == [("signature", sig.id)]
    answer_all(store, "new")
    assert store.sync_status("north").conflicts == []


def test_a_refused_row_is_kept_with_its_reason(store):
    letter(store)
    store.settle_outbox([(item, "refused", "hash does not match the content")
                         for item in store.outbox_batch("north", 500)])
    [refused] = store.sync_status("north").conflicts
    assert (refused.answer, refused.reason) == ("refused", "hash does not match the content")
    assert batch(store) == []


def test_rows_of_another_kiosk_merged_here_are_left_alone_and_counted(tmp_path, store):
    with Store(tmp_path / "south.db") as south:
        theirs = letter(south, "Grace Hopper", kiosk_id="south", consent=yes("grace@example.org"))
    mine = letter(store)
    store.merge([tmp_path / "south.db"])
    assert ("signature", theirs.id) not in batch(store)
    assert batch(store) == [("consent_text", WORDING.id), ("signature", mine.id)]
    status = store.sync_status("north")
    assert (status.waiting, status.others) == (2, 2)  # their letter and their answer stay theirs to send


def test_the_migration_puts_every_older_row_in_the_outbox(tmp_path):
    path = tmp_path / "old.db"
    ids = database_before(path, "0007_sync_outbox", rows=3, case_id="case-a", status="printed")
    with Store(path) as store:
        assert {i.id for i in store.outbox_batch("k0", 500)} == set(ids)
        assert store.sync_status("k0").waiting == 3


def test_batches_are_limited_and_in_order_of_change(store):
    sigs = [letter(store, f"Visitor {i}") for i in range(5)]
    assert [i for _, i in batch(store, 2)] == [s.id for s in sigs[:2]]


# -- personal data ------------------------------------------------------------------------------


def test_personal_data_leaves_the_laptop_only_as_the_stall_allows(store):
    said_yes = letter(store, consent=yes())
    said_no = letter(store, "Grace Hopper", consent=ConsentChoice(WORDING, "no"))
    silent = letter(store, "Alan Turing")
    items = {item.id: item for item in store.outbox_batch("north", 500)}
    yes_answer, no_answer = store.consent_for(said_yes.id), store.consent_for(said_no.id)

    def personal(policy, row_id):
        return personal_for(items[row_id], policy)

    for row_id in items:
        assert personal("none", row_id) is None
    assert personal("consented", said_yes.id) == {"name": "Ada Lovelace", "message": "Message from Ada Lovelace"}
    assert personal("consented", yes_answer.id) == {"email": "ada@example.org"}
    assert personal("consented", said_no.id) is None and personal("consented", no_answer.id) is None
    assert personal("consented", silent.id) is None
    assert personal("all", silent.id) == {"name": "Alan Turing", "message": "Message from Alan Turing"}
    assert personal("all", no_answer.id) == {"email": None}
    assert personal("all", WORDING.id) is None
    # the same content, whatever travels beside it
    assert {upload_row(items[said_yes.id], p)["hash"] for p in ("none", "consented", "all")} == {
        content_hash(items[said_yes.id].content)}


def test_a_purged_letter_sends_its_fields_empty(store):
    sig = letter(store, consent=yes())
    store.purge_personal_data(Scope())
    items = {item.id: item for item in store.outbox_batch("north", 500)}
    assert personal_for(items[sig.id], "consented") == {"name": None, "message": None}
    assert personal_for(items[sig.id], "all") == {"name": None, "message": None}
    assert personal_for(items[store.consent_for(sig.id).id], "all") == {"email": None}
    assert personal_for(items[sig.id], "none") is None


def test_two_syncs_at_once_never_settle_a_newer_change_with_an_older_answer(tmp_path):
    """ABA on the sequence number: sync A reads the batch, sync B reads it too and settles it (the
    outbox empties), a purge marks the letter again, then A's older answer arrives. The purge's
    number is new, never one given before, so A's answer leaves it waiting to be sent."""
    with Store(tmp_path / "kiosk.db") as a, Store(tmp_path / "kiosk.db") as b:
        sig = letter(a)
        sent_a = a.outbox_batch("north", 500)
        sent_b = b.outbox_batch("north", 500)
        assert b.settle_outbox([(row, "new", None) for row in sent_b]) == 1
        assert batch(a) == []
        a.purge_personal_data(Scope())
        assert batch(a) == [("signature", sig.id)]
        assert a.settle_outbox([(row, "duplicate", None) for row in sent_a]) == 0
        waiting = a.outbox_batch("north", 500)
        assert [(row.kind, row.id, row.purged) for row in waiting] == [("signature", sig.id, True)]
        assert waiting[0].seq > sent_a[0].seq


def test_sequence_numbers_never_repeat_in_a_fresh_file_and_one_from_before_sync(tmp_path):
    database_before(tmp_path / "old.db", "0007_sync_outbox", rows=2, case_id="case-a", status="printed")
    for path in (tmp_path / "fresh.db", tmp_path / "old.db"):
        with Store(path) as store:
            seen = set()
            for i in range(3):
                letter(store, f"Visitor {i}")
                (row,) = store.outbox_batch("north", 500)[-1:]
                assert row.seq not in seen
                seen.add(row.seq)
                store.settle_outbox([(row, "new", None)])
                assert store.outbox_batch("north", 500) == []


# -- signers and paper letters ------------------------------------------------------------------

ADA = fingerprint("a campaign's signer key, for the tests", "Ada Lovelace")
ADA_WITH_EMAIL = fingerprint("a campaign's signer key, for the tests", "Ada Lovelace", "ada@example.org")


def test_a_letters_signer_travels_beside_its_content_under_every_policy(store):
    sig = store.record(case_id="case-a", kind="appeal", name="Ada Lovelace", message="", event="Summer Fest",
                       kiosk_id="north", at=WHEN, signer=ADA)
    (item,) = store.outbox_batch("north", 500)
    rows = {policy: upload_row(item, policy) for policy in ("none", "consented", "all")}
    assert {r["signer"] for r in rows.values()} == {ADA}
    assert "signer" not in rows["all"]["content"] and rows["none"]["personal"] is None
    answer_all(store)
    # an email given after the letter was sent fingerprints its writer anew: sent again, the same content
    store.record_consent(sig.id, yes(), signer=ADA_WITH_EMAIL)
    again = {i.kind: i for i in store.outbox_batch("north", 500)}
    assert again["signature"].signer == ADA_WITH_EMAIL and again["signature"].hash == item.hash
    assert row_problem(upload_row(again["signature"], "none"), "north") is None


def test_paper_letters_and_corrections_are_sent_by_their_own_kiosk_after_the_letters(store, tmp_path):
    sig = letter(store)
    entry = store.add_paper("case-a", "appeal", 12, "From St Mary's school", "Summer Fest", "north", WHEN)
    store.correct_paper(entry.id, 10, None, WHEN + dt.timedelta(hours=3), kiosk_id="north")
    store.add_paper("case-a", "postcard", 4, "", "Summer Fest", "south", WHEN)  # another kiosk's (merged here)
    items = store.outbox_batch("north", 500)
    assert [(i.kind, i.id == entry.id) for i in items] == [("signature", False), ("paper", True), ("paper", False)]
    assert items[0].id == sig.id
    original, fix = items[1], items[2]
    assert fix.content["corrects"] == original.id and fix.content["count"] == -2
    assert fix.content["local_time"] == original.content["local_time"] != fix.content["created_at"]
    assert [row_problem(upload_row(i, "all"), "north") for i in items] == [None] * 3
    # the organiser's note is personal data: no visitor said yes to anything for it
    assert personal_for(original, "all") == {"note": "From St Mary's school"}
    assert personal_for(original, "consented") is None and personal_for(original, "none") is None
    assert personal_for(fix, "all") == {"note": None}  # no note (or one a purge removed): none at the office either
    assert {upload_row(original, p)["hash"] for p in ("none", "all")} == {content_hash(original.content)}
    status = store.sync_status("north")
    assert (status.waiting, status.others, status.others_by_kiosk) == (3, 1, {"south": 1})
    store.settle_outbox([(fix, "refused", "corrects: the entry it corrects is not at the office")])
    [refused] = store.sync_status("north").conflicts
    assert refused.reference == f"Summer Fest / north / paper letters -2 for case-a ({fix.id[:8]})"
