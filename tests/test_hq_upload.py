"""``POST /api/v1/upload`` on the real service and PostgreSQL: an answer per row (new, duplicate,
conflict, refused), a re-sent batch counted once, conflicts kept, personal data latest non-null."""

from __future__ import annotations

import json

import psycopg
from click.testing import CliRunner

from kiosk.cli import cli
from kiosk.hq import national
from tests.helpers.hq import answers, batch, consent, replace, signature, upload, wording


def stored(dsn: str, sql: str, *params):
    with psycopg.connect(dsn) as conn:
        return conn.execute(sql, params).fetchall()


def test_each_row_gets_its_answer_in_order(hq_service):
    token = hq_service.token("stall-1")
    first, second = signature(), signature()
    broken = dict(signature(), hash="0" * 64)
    response = upload(hq_service.url, token, batch("stall-1", [first, broken, second, "nonsense"]))
    body = response.json()["answers"]
    assert [a["answer"] for a in body] == ["new", "refused", "new", "refused"]
    assert [a["id"] for a in body[:3]] == [first["id"], broken["id"], second["id"]]
    assert body[1]["reason"] == "hash does not match the content"
    assert body[3] == {"kind": None, "id": None, "answer": "refused",
                       "reason": "not a row (an object with kind, id, hash, content)"}
    assert national.counts(hq_service.dsn, ["kiosk"]) == [
        {"kiosk_id": "stall-1", "count": 2, "paper": 0, "duplicates": 0, "signers": 2}]


def test_a_batch_sent_again_is_all_duplicates_and_changes_no_count(hq_service):
    token = hq_service.token("stall-1")
    rows = [signature(number=n) for n in range(1, 51)]
    assert answers(upload(hq_service.url, token, batch("stall-1", rows))) == ["new"] * 50
    before = national.counts(hq_service.dsn, ["case", "day", "kiosk"])
    assert answers(upload(hq_service.url, token, batch("stall-1", rows))) == ["duplicate"] * 50
    assert national.counts(hq_service.dsn, ["case", "day", "kiosk"]) == before
    assert before[0]["count"] == 50


def test_the_same_id_twice_in_one_batch_is_counted_once(hq_service):
    token = hq_service.token("stall-1")
    row = signature()
    other = replace(row, event="Book Fair")
    assert answers(upload(hq_service.url, token, batch("stall-1", [row, row, other]))) == [
        "new", "duplicate", "conflict"]
    assert national.counts(hq_service.dsn, ["event"]) == [
        {"event": "Summer Fest", "count": 1, "paper": 0, "duplicates": 0, "signers": 1}]


def test_a_conflict_keeps_the_first_copy_and_records_the_other(hq_service):
    token = hq_service.token("stall-1")
    row = signature()
    upload(hq_service.url, token, batch("stall-1", [row]))
    changed = replace(row, case_id="prisoner-ilya-voronin")
    response = upload(hq_service.url, token, batch("stall-1", [changed]))
    (verdict,) = response.json()["answers"]
    assert verdict["answer"] == "conflict" and "first copy is kept" in verdict["reason"]
    assert national.counts(hq_service.dsn, ["case"])[0]["case_id"] == "lawyer-amara-osei"
    kept = stored(hq_service.dsn, "SELECT row_id, hash, content->>'case_id', uploaded_by FROM conflicts")
    assert kept == [(row["id"], changed["hash"], "prisoner-ilya-voronin", "stall-1")]
    # sent again: still one conflict recorded, no count changed
    upload(hq_service.url, token, batch("stall-1", [changed]))
    assert len(stored(hq_service.dsn, "SELECT 1 FROM conflicts")) == 1
    listed = CliRunner().invoke(cli, ["hq", "conflicts", "--dsn", hq_service.dsn])
    assert listed.exit_code == 1
    assert f"signature {row['id']} from kiosk stall-1 (kept: kiosk stall-1's copy): case_id differ" in listed.output
    assert CliRunner().invoke(cli, ["hq", "conflicts", "--dsn", hq_service.dsn, "--limit", "0"]).exit_code == 2


def test_no_conflicts_is_said(hq_db):
    result = CliRunner().invoke(cli, ["hq", "conflicts", "--dsn", hq_db])
    assert result.exit_code == 0 and result.output == "No conflicts.\n"


def test_personal_data_keeps_the_latest_value_of_each_field_and_drops_what_the_kiosk_removed(hq_service):
    token = hq_service.token("stall-1")
    row = signature(personal={"name": "Ada", "message": "Courage"})
    upload(hq_service.url, token, batch("stall-1", [row]))
    later = dict(row, personal={"name": "Ada Lovelace", "message": None})   # the message purged meanwhile
    assert answers(upload(hq_service.url, token, batch("stall-1", [later]))) == ["duplicate"]
    assert stored(hq_service.dsn, "SELECT personal FROM signatures") == [({"name": "Ada Lovelace"},)]
    # no personal object (a stall that sends none): what the office has stays
    assert answers(upload(hq_service.url, token, batch("stall-1", [dict(row, personal=None)]))) == ["duplicate"]
    assert stored(hq_service.dsn, "SELECT personal->>'name' FROM signatures") == [("Ada Lovelace",)]
    forgotten = dict(row, personal={"name": None, "message": None})  # kiosk forget: every field removed
    assert answers(upload(hq_service.url, token, batch("stall-1", [forgotten]))) == ["duplicate"]
    assert stored(hq_service.dsn, "SELECT personal FROM signatures") == [({},)]


def test_a_consent_and_its_email_arrive_after_the_letter(hq_service):
    token = hq_service.token("stall-1")
    row = signature()
    upload(hq_service.url, token, batch("stall-1", [wording(), row]))
    answer = consent(row["id"], email=None)
    assert answers(upload(hq_service.url, token, batch("stall-1", [answer]))) == ["new"]
    with_email = dict(answer, personal={"email": "ada@example.org"})
    assert answers(upload(hq_service.url, token, batch("stall-1", [with_email]))) == ["duplicate"]
    assert stored(hq_service.dsn, "SELECT personal FROM consents") == [({"email": "ada@example.org"},)]


def test_another_kiosks_rows_are_refused_row_by_row(hq_service):
    north, south = hq_service.token("north"), hq_service.token("south")
    theirs = signature("north")
    upload(hq_service.url, north, batch("north", [wording(), theirs]))
    mine = signature("south")
    response = upload(hq_service.url, south, batch("south", [signature("north"), mine, consent(theirs["id"]),
                                                             consent(mine["id"])]))
    verdicts = response.json()["answers"]
    assert [a["answer"] for a in verdicts] == ["refused", "new", "refused", "new"]
    assert verdicts[0]["reason"] == "kiosk_id 'north' is not this token's kiosk (south)"
    assert verdicts[2]["reason"] == "its letter is another kiosk's, not this token's (south)"
    assert national.counts(hq_service.dsn, ["kiosk"]) == [
        {"kiosk_id": "north", "count": 1, "paper": 0, "duplicates": 0, "signers": 1},
        {"kiosk_id": "south", "count": 1, "paper": 0, "duplicates": 0, "signers": 1}]


def test_a_kiosk_cannot_overwrite_another_kiosks_personal_data(hq_service):
    north, south = hq_service.token("north"), hq_service.token("south")
    letter = signature("north")
    answer = consent(letter["id"], email="ada@example.org")
    assert answers(upload(hq_service.url, north, batch("north", [answer, letter, wording()]))) == ["new"] * 3
    forged = dict(answer, personal={"email": "mallory@example.org"})
    assert answers(upload(hq_service.url, south, batch("south", [forged]))) == ["refused"]
    assert stored(hq_service.dsn, "SELECT personal->>'email' FROM consents") == [("ada@example.org",)]


def test_a_consent_for_a_letter_not_here_is_refused_so_no_token_can_claim_another_kiosks_letter(hq_service):
    north, evil = hq_service.token("north"), hq_service.token("evil")
    letter = signature("north")
    claim = consent(letter["id"], email="mallory@example.org")
    (_, verdict) = upload(hq_service.url, evil, batch("evil", [wording(), claim])).json()["answers"]
    assert verdict["answer"] == "refused"
    assert verdict["reason"] == "its letter is not at the office: a kiosk sends a letter before its consents"
    real = consent(letter["id"], email="ada@example.org")
    assert answers(upload(hq_service.url, north, batch("north", [letter, real]))) == ["new", "new"]
    assert stored(hq_service.dsn, "SELECT id, personal->>'email' FROM consents") == [(real["id"], "ada@example.org")]
    assert answers(upload(hq_service.url, evil, batch("evil", [claim]))) == ["refused"]  # now another kiosk's


def test_a_letter_id_first_sent_by_another_kiosk_is_a_conflict_that_names_both(hq_service):
    north, evil = hq_service.token("north"), hq_service.token("evil")
    real = signature("north")
    squat = signature("evil", id=real["id"])
    assert answers(upload(hq_service.url, evil, batch("evil", [squat]))) == ["new"]
    (verdict,) = upload(hq_service.url, north, batch("north", [real])).json()["answers"]
    assert verdict["answer"] == "conflict"
    assert "first sent by kiosk evil, now by north: check both" in verdict["reason"]
    listed = CliRunner().invoke(cli, ["hq", "conflicts", "--dsn", hq_service.dsn])
    assert listed.exit_code == 1
    assert (f"signature {real['id']} first sent by kiosk evil, now by north: check both"
            f" (kept: kiosk evil's copy): kiosk_id differ") in listed.output
    # the count by kiosk credits evil, but only next to the conflict the office sees
    assert national.counts(hq_service.dsn, ["kiosk"]) == [
        {"kiosk_id": "evil", "count": 1, "paper": 0, "duplicates": 0, "signers": 1}]


def test_text_postgresql_cannot_keep_is_refused_and_the_batch_goes_on(hq_service):
    token = hq_service.token("stall-1")
    good = signature()
    lone = signature(personal={"name": "\ud800", "message": None})
    body = json.dumps(batch("stall-1", [lone, good])).encode()  # "\ud800" travels as an escape
    verdicts = upload(hq_service.url, token, body).json()["answers"]
    assert [a["answer"] for a in verdicts] == ["refused", "new"]
    assert "lone surrogate" in verdicts[0]["reason"]


def test_a_conflict_marked_reviewed_is_kept_and_clears_the_alert(hq_service):
    token = hq_service.token("stall-1")
    first, second = signature(), signature()
    upload(hq_service.url, token, batch("stall-1", [first, second]))
    upload(hq_service.url, token, batch("stall-1", [replace(first, event="Book Fair"),
                                                    replace(second, event="Book Fair")]))
    numbers = [n for (n,) in stored(hq_service.dsn, "SELECT id FROM conflicts ORDER BY id")]

    def conflicts(*args):
        return CliRunner().invoke(cli, ["hq", "conflicts", "--dsn", hq_service.dsn, *args])

    listed = conflicts()
    assert listed.exit_code == 1 and "2 open conflict(s)" in listed.output
    assert f"{numbers[0]:>5}  " in listed.output
    done = conflicts("--resolved", str(numbers[0]), "--by", "Ada")
    assert done.exit_code == 0, done.output
    assert done.output.startswith(f"Conflict {numbers[0]} marked reviewed by Ada on ")
    still = conflicts()
    assert still.exit_code == 1 and first["id"] not in still.output and second["id"] in still.output
    assert conflicts("--resolved", str(numbers[1])).exit_code == 0  # --by: the login name
    cleared = conflicts()
    assert cleared.exit_code == 0 and cleared.output == "No open conflicts (2 reviewed: --all lists them).\n"
    every = conflicts("--all")
    assert every.exit_code == 0 and "2 conflict(s), every one reviewed" in every.output
    assert f"{first['id']}" in every.output and "[reviewed by Ada on " in every.output
    # kept, with who and when; marking it again changes neither
    kept = stored(hq_service.dsn, "SELECT resolved_by, resolved_at IS NOT NULL FROM conflicts ORDER BY id")
    assert kept[0] == ("Ada", True) and kept[1][1] is True
    assert "reviewed by Ada" in conflicts("--resolved", str(numbers[0]), "--by", "Bob").output
    missing = conflicts("--resolved", "99999")
    assert missing.exit_code == 1 and missing.output.count("\n") == 1 and "no conflict 99999" in missing.output
    # a new conflict opens the alert again
    upload(hq_service.url, token, batch("stall-1", [replace(first, event="Other Fair")]))
    assert conflicts().exit_code == 1
