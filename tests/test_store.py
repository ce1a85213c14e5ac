import sqlite3
import uuid

import pytest

from kiosk.store import Store, StoreError


def test_a_signature_is_committed_with_a_pending_job(store):
    sig = store.record(case_id="c", kind="appeal", name="Ada", message="hi", event="E", kiosk_id="k1")
    uuid.UUID(sig.id)
    assert sig.created_at.endswith("Z") and sig.number == 1
    # visible to a second, independent connection at once: it is committed
    other = sqlite3.connect(store.path)
    assert other.execute("SELECT name FROM signatures WHERE id = ?", [sig.id]).fetchone() == ("Ada",)
    assert other.execute("SELECT status FROM print_jobs WHERE signature_id = ?", [sig.id]).fetchone() == ("pending",)
    assert store.record(case_id="c", kind="postcard", name="B", message="", event="E", kiosk_id="k1").number == 2


def test_durable_settings(store):
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_database_file_is_private(store):
    assert store.path.stat().st_mode & 0o777 == 0o600


def test_a_job_is_claimed_once(store):
    sig = store.record(case_id="c", kind="appeal", name="Ada", message="", event="E", kiosk_id="k1")
    job = store.job_for(sig.id)
    assert store.claim_job(job.id, "p")
    assert not store.claim_job(job.id, "p")  # a second worker cannot take it
    assert store.job_for(sig.id).status == "printing"
    store.finish_job(job.id, error="boom")
    assert store.job_for(sig.id).status == "failed"
    assert store.claim_job(job.id, "p")
    store.finish_job(job.id)
    assert store.job_for(sig.id).status == "printed" and store.job_for(sig.id).attempts == 2


def test_bad_kind_is_refused(store):
    with pytest.raises(ValueError, match="kind"):
        store.record(case_id="c", kind="email", name="Ada", message="", event="E", kiosk_id="k1")


def test_missing_and_foreign_databases_are_refused(tmp_path):
    with pytest.raises(StoreError, match="no such database"):
        Store(tmp_path / "missing.db", create=False)
    (tmp_path / "text.db").write_text("not a database at all " * 100)
    with pytest.raises(StoreError, match="not a kiosk database"):
        Store(tmp_path / "text.db")
    other = sqlite3.connect(tmp_path / "other.db")
    other.execute("CREATE TABLE customers (id INTEGER)")
    other.commit()
    other.close()
    with pytest.raises(StoreError, match=r"not a kiosk database.*customers"):
        Store(tmp_path / "other.db")
    # and it was left untouched
    names = sqlite3.connect(tmp_path / "other.db").execute("SELECT name FROM sqlite_master")
    assert [r[0] for r in names] == ["customers"]


def test_schema_comes_from_migrations(store):
    applied = [r[0] for r in store.db.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = 'kiosk'")]
    assert applied == ["0001_signatures_and_print_jobs", "0002_case_settings", "0003_cases_stall_time_purge_merges",
                       "0004_letter_addressee", "0005_consents", "0006_letter_languages", "0007_sync_outbox",
                       "0008_honest_counts", "0009_signer_place"]
    Store(store.path).close()  # reopening applies nothing twice
    assert store.db.execute("SELECT COUNT(*) FROM _sqlite_migrations").fetchone()[0] == 9


def test_counts(store):
    for case, kind in [("a", "appeal"), ("a", "postcard"), ("b", "appeal")]:
        store.record(case_id=case, kind=kind, name="x", message="", event="E", kiosk_id="k1")
    figures = {"paper": 0, "duplicates": 0}
    assert store.counts("case") == [{"case_id": "a", "case_title": "", "count": 2, **figures, "signers": 2},
                                    {"case_id": "b", "case_title": "", "count": 1, **figures, "signers": 1}]
    assert store.counts("kind") == [{"kind": "appeal", "count": 2, **figures, "signers": 2},
                                    {"kind": "postcard", "count": 1, **figures, "signers": 1}]
    (day,) = store.counts("day")
    assert day["count"] == 3 and len(day["day"]) == 10


@pytest.mark.parametrize("kiosk_id", ["../../escaped", "a/b", "", "k\x1b1", "x" * 33])
def test_kiosk_ids_that_could_name_files_elsewhere_are_refused(store, kiosk_id):
    with pytest.raises(ValueError, match="kiosk_id"):
        store.record(case_id="c", kind="appeal", name="Ada", message="", event="E", kiosk_id=kiosk_id)
    assert store.total() == 0


def test_event_names_are_cleaned(store):
    sig = store.record(case_id="c", kind="appeal", name="Ada", message="", event="Fest\x1b[31m  2026", kiosk_id="k1")
    assert sig.event == "Fest[31m 2026"
    with pytest.raises(ValueError, match="event: must not be empty"):
        store.record(case_id="c", kind="appeal", name="Ada", message="", event=" \x00 ", kiosk_id="k1")
