"""A letter's signer fingerprint and handwritten (paper) letters at the office, on the real service
and PostgreSQL: a signer travels beside a letter's content (a new one is a duplicate, never a
conflict), only from the kiosk that sent the letter, and null never erases it; paper entries are
taken once by id and hash, only from their own kiosk's token, a correction only with its entry
and as a kiosk makes one; likely duplicates are counted across kiosks."""

from __future__ import annotations

import psycopg
from click.testing import CliRunner

from kiosk.cli import cli
from kiosk.hq import national
from kiosk.signers import fingerprint
from tests.helpers.hq import batch, correction, paper, replace, signature, upload

ADA = fingerprint("a campaign's signer key, for the tests", "Ada Lovelace")
ADA_WITH_EMAIL = fingerprint("a campaign's signer key, for the tests", "Ada Lovelace", "ada@example.org")


def stored(dsn: str, sql: str, *params):
    with psycopg.connect(dsn) as conn:
        return conn.execute(sql, params).fetchall()


def verdicts(service, kiosk_id: str, rows: list) -> list[tuple[str, str | None]]:
    body = upload(service.url, service.token(kiosk_id), batch(kiosk_id, rows)).json()["answers"]
    return [(a["answer"], a.get("reason")) for a in body]


def figures(service, **params) -> dict[str, int]:
    import httpx

    return httpx.get(service.url + "/api/v1/counts", params=params).json()["figures"]


# -- signers --------------------------------------------------------------------------------


def test_a_signer_given_later_is_a_duplicate_never_a_conflict_and_null_never_erases_it(hq_service):
    first = signature("north", signer=ADA)
    assert verdicts(hq_service, "north", [first]) == [("new", None)]
    later = dict(first, signer=ADA_WITH_EMAIL)  # the visitor gave an email: fingerprinted anew, same content
    assert later["hash"] == first["hash"]
    assert verdicts(hq_service, "north", [later]) == [("duplicate", None)]
    assert stored(hq_service.dsn, "SELECT signer FROM signatures") == [(ADA_WITH_EMAIL,)]
    assert verdicts(hq_service, "north", [dict(first, signer=None)]) == [("duplicate", None)]
    assert stored(hq_service.dsn, "SELECT signer FROM signatures") == [(ADA_WITH_EMAIL,)]  # null: not known
    assert stored(hq_service.dsn, "SELECT count(*) FROM conflicts") == [(0,)]


def test_a_signer_only_from_the_kiosk_that_sent_the_letter(hq_service):
    real = signature("north", signer=ADA)
    squat = signature("evil", id=real["id"], signer=ADA_WITH_EMAIL)
    assert verdicts(hq_service, "evil", [squat])[0][0] == "new"
    assert verdicts(hq_service, "north", [real])[0][0] == "conflict"  # the first copy is kept, with its signer
    assert stored(hq_service.dsn, "SELECT signer FROM signatures") == [(ADA_WITH_EMAIL,)]
    # another kiosk's token sending north's letter (a new signer) is refused, and changes nothing
    letter = signature("north", signer=ADA)
    assert verdicts(hq_service, "north", [letter])[0][0] == "new"
    (answer, reason), = verdicts(hq_service, "evil", [dict(letter, signer=ADA_WITH_EMAIL)])
    assert answer == "refused" and reason.startswith("kiosk_id 'north' is not this token's kiosk")
    assert stored(hq_service.dsn, "SELECT signer FROM signatures WHERE id = %s", letter["id"]) == [(ADA,)]


BAD_SIGNERS = ["Ada Lovelace", "ABCDEF01:" + "0" * 64, "abcdef01" + "0" * 64, "abcdef01:" + "0" * 63,
               "abcdef01:" + "0" * 64 + "\n", 42, True, ""]


def test_a_signer_that_is_no_fingerprint_refuses_the_letter_naming_it(hq_service):
    rows = [dict(signature("north"), signer=bad) for bad in BAD_SIGNERS] + [signature("north", signer=ADA)]
    result = verdicts(hq_service, "north", rows)
    for bad, (answer, reason) in zip(BAD_SIGNERS, result, strict=False):
        assert answer == "refused" and reason.startswith(("signer:", "fields must be")), (bad, reason)
    assert result[-1] == ("new", None)
    assert figures(hq_service)["count"] == 1


def test_only_a_letter_has_a_signer(hq_service):
    (answer, reason), = verdicts(hq_service, "north", [dict(paper("north"), signer=ADA)])
    assert (answer, reason) == ("refused", "signer: only a signature has one")


def test_likely_duplicates_are_counted_across_kiosks_and_tokens(hq_service):
    assert verdicts(hq_service, "north", [signature("north", signer=ADA)]) == [("new", None)]
    south = [signature("south", signer=ADA, local_time="2026-07-03T11:00:00.000000+02:00"),
             signature("south", signer=ADA, case_id="prisoner-ilya-voronin"),  # another case: her first there
             signature("south", signer=None, local_time="2026-07-03T12:00:00.000000+02:00")]
    assert [a for a, _ in verdicts(hq_service, "south", south)] == ["new"] * 3
    assert figures(hq_service) == {"count": 4, "paper": 0, "duplicates": 1, "signers": 3}
    assert national.counts(hq_service.dsn, ["kiosk"]) == [
        {"kiosk_id": "north", "count": 1, "paper": 0, "duplicates": 0, "signers": 1},
        {"kiosk_id": "south", "count": 3, "paper": 0, "duplicates": 1, "signers": 2}]


# -- paper letters --------------------------------------------------------------------------


def test_paper_letters_are_taken_once_by_id_and_hash_and_counted(hq_service):
    entry = paper("north", count=12, note="From St Mary's school")
    fix = correction(entry, -2)
    assert verdicts(hq_service, "north", [entry, fix]) == [("new", None), ("new", None)]  # an entry, then its fix
    assert verdicts(hq_service, "north", [entry, fix]) == [("duplicate", None), ("duplicate", None)]
    (answer, reason), = verdicts(hq_service, "north", [replace(entry, count=13)])
    assert answer == "conflict" and "first copy is kept" in reason
    listed = CliRunner().invoke(cli, ["hq", "conflicts", "--dsn", hq_service.dsn])
    assert listed.exit_code == 1 and f"paper {entry['id']} from kiosk north (kept: kiosk north's copy):" \
        " count differ" in listed.output, listed.output
    assert figures(hq_service) == {"count": 10, "paper": 10, "duplicates": 0, "signers": 0}
    # the note is personal data, kept apart from what is counted
    assert stored(hq_service.dsn, "SELECT content ? 'note', personal FROM paper_letters WHERE id = %s",
                  entry["id"]) == [(False, {"note": "From St Mary's school"})]
    # a purge on the kiosk removed it: sent as null, the office removes it too; the count stays
    assert verdicts(hq_service, "north", [dict(entry, personal={"note": None})]) == [("duplicate", None)]
    assert stored(hq_service.dsn, "SELECT personal FROM paper_letters WHERE id = %s", entry["id"]) == [({},)]
    assert figures(hq_service)["paper"] == 10


def test_a_correction_whose_entry_is_not_here_is_refused_then_taken_once_it_is(hq_service):
    entry = paper("north")
    fix = correction(entry, 3)
    (answer, reason), = verdicts(hq_service, "north", [fix])
    assert answer == "refused" and reason.startswith("corrects: the entry it corrects is not at the office")
    assert verdicts(hq_service, "north", [entry]) == [("new", None)]
    assert verdicts(hq_service, "north", [fix]) == [("new", None)]
    assert figures(hq_service)["paper"] == 15


def test_a_correction_whose_entry_was_refused_in_the_same_batch_is_refused_too(hq_service):
    entry = paper("north", count=0)
    (entry_answer, entry_reason), (fix_answer, fix_reason) = verdicts(hq_service, "north",
                                                                      [entry, correction(entry, 2)])
    assert entry_answer == fix_answer == "refused"
    assert entry_reason.startswith("count:") and fix_reason.startswith("corrects: the entry it corrects is not")
    assert figures(hq_service)["paper"] == 0


def test_a_token_corrects_only_its_own_kiosks_entries_as_a_kiosk_corrects_them(hq_service):
    entry = paper("north")
    assert verdicts(hq_service, "north", [entry]) == [("new", None)]
    theirs = correction(entry, -12, kiosk_id="evil")
    mine = correction(entry, -1)
    hostile = [
        (theirs, "evil", "corrects: the entry it corrects is another kiosk's, not this token's (evil)"),
        (correction(entry, -1, case_id="prisoner-ilya-voronin"), "north", "case_id: not the same as the entry"),
        (correction(entry, -1, kind="postcard"), "north", "kind: not the same as the entry"),
        (correction(entry, -1, event="Book Fair"), "north", "event: not the same as the entry"),
        (correction(entry, -1, local_time="2026-07-04T10:05:00.000000+02:00"), "north",
         "local_time: not the same as the entry"),
        (correction(mine, 1), "north", "corrects: names a correction, not an entry"),
        (correction(entry, 0), "north", "count:"),
        (correction(entry, -100_001), "north", "count:"),
        (dict(correction(entry, 1), id=entry["id"]), "north", "id must be the content's id"),
    ]
    assert verdicts(hq_service, "north", [mine]) == [("new", None)]
    for row, kiosk_id, reason in hostile:
        (answer, said), = verdicts(hq_service, kiosk_id, [row])
        assert answer == "refused" and said.startswith(reason), (reason, said)
    assert figures(hq_service)["paper"] == 11


HOSTILE_PAPER = [
    ({"count": 0}, "count:"),
    ({"count": -3}, "count:"),            # an entry counts at least 1; only a correction takes away
    ({"count": 100_001}, "count:"),
    ({"count": True}, "count:"),
    ({"count": "12"}, "count:"),
    ({"kind": "letter"}, "kind:"),
    ({"case_id": "Amara Osei"}, "case_id:"),
    ({"event": " Summer Fest\u202e "}, "event:"),
    ({"corrects": "not-a-uuid"}, "corrects:"),
    ({"created_at": "2026-07-03 08:05"}, "created_at:"),
    ({"created_at": "2026-07-03T09:05:00.000000Z"}, "local_time:"),  # not its stall time's moment
    ({"kiosk_id": "north"}, "kiosk_id 'north' is not this token's kiosk (south)"),
]


def test_a_paper_entry_no_kiosk_could_write_is_refused_naming_the_field(hq_service):
    rows = []
    for fields in HOSTILE_PAPER:
        fields = dict(fields[0])
        rows.append(paper(fields.pop("kiosk_id", "south"), **fields))
    result = verdicts(hq_service, "south", [*rows, paper("south", count=4)])
    for (_, reason), (answer, said) in zip(HOSTILE_PAPER, result, strict=False):
        assert answer == "refused" and said.startswith(reason), (reason, said)
    assert result[-1] == ("new", None) and figures(hq_service)["paper"] == 4


NOTES = ["a\u202eb", "two\nlines", "x" * 201, " padded ", 7]


def test_a_note_no_kiosk_could_keep_is_refused(hq_service):
    result = verdicts(hq_service, "south", [paper("south", note=note) for note in NOTES])
    assert all(answer == "refused" and said.startswith("note:") for answer, said in result), result
