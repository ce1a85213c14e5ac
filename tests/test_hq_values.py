"""The office checks a row's values as a merge checks another kiosk's rows (kiosk.store.rows):
what no kiosk could have written is refused row by row, its reason naming the field, and is
never counted; rows a kiosk writes pass (tests/test_sync_proofs.py syncs real kiosks)."""

from __future__ import annotations

import httpx
import pytest

from tests.helpers.hq import answers, batch, consent, signature, upload, wording

HOSTILE_LETTERS = [
    ({"kind": "not-a-kind"}, "kind:"),
    ({"case_id": "lawyer-\u202eamara"}, "case_id:"),
    ({"case_id": "a" * 20_000}, "case_id:"),
    ({"local_time": "9999-99-99 junk"}, "local_time:"),
    ({"local_time": "2026-07-03T11:05:00.000000+02:00", "created_at": "2026-07-03T08:05:00.000000Z"},
     "local_time:"),  # not the moment of created_at
    ({"created_at": "2026-07-03 08:05"}, "created_at:"),
    ({"number": -7}, "number:"),
    ({"number": True}, "number:"),
    ({"event": " Summer Fest\u202e "}, "event:"),
    ({"language": "xx"}, "language:"),
    ({"addressee_name": "Minister\n\x1b[2J"}, "addressee_name:"),
]


@pytest.mark.parametrize(("fields", "field"), HOSTILE_LETTERS, ids=[f for _, f in HOSTILE_LETTERS])
def test_a_letter_no_kiosk_could_write_is_refused_naming_the_field(hq_service, fields, field):
    token = hq_service.token("stall-1")
    good, bad = signature(), signature(**fields)
    verdicts = upload(hq_service.url, token, batch("stall-1", [bad, good])).json()["answers"]
    assert [v["answer"] for v in verdicts] == ["refused", "new"]
    assert verdicts[0]["reason"].startswith(field), verdicts[0]["reason"]
    counted = httpx.get(hq_service.url + "/api/v1/counts?by=case,kind,event,day,language").json()
    assert counted["total"] == 1 and counted["rows"][0]["case_id"] == "lawyer-amara-osei"


def test_personal_data_no_kiosk_could_keep_is_refused(hq_service):
    token = hq_service.token("stall-1")
    rows = [signature(personal={"name": "\u202eAda", "message": None}),
            signature(personal={"name": "", "message": None}),
            signature(personal={"name": "Ada", "message": "x" * 20_000}),
            signature(personal={"name": "Ada", "message": None})]
    verdicts = upload(hq_service.url, token, batch("stall-1", rows)).json()["answers"]
    assert [v["answer"] for v in verdicts] == ["refused"] * 3 + ["new"]
    assert [v["reason"].split(":")[0] for v in verdicts[:3]] == ["name", "name", "message"]


def test_a_consent_no_kiosk_could_write_is_refused_naming_the_field(hq_service):
    token = hq_service.token("stall-1")
    letter = signature()
    hostile = [
        (consent(letter["id"], choice="maybe"), "choice:"),
        (consent(letter["id"], channel="sms"), "channel:"),
        (consent(letter["id"], language="fr"), "language:"),           # not its wording's
        (consent(letter["id"], age_confirmed=True), "age_confirmed:"),  # its wording asks no age
        (consent(letter["id"], age_confirmed=1), "age_confirmed:"),
        (consent(letter["id"], email="not an address"), "email:"),
        (consent(letter["id"], email="ada@example.org", choice="no"), "email:"),
        (consent(letter["id"], local_time="9999-99-99 junk"), "local_time:"),
        (consent(letter["id"], text_id="0" * 64), "text_id:"),         # no such wording here
        (consent(letter["id"] + "\u202e"), "signature_id:"),
    ]
    good = consent(letter["id"])
    verdicts = upload(hq_service.url, token, batch("stall-1", [wording(), letter, *[r for r, _ in hostile], good]))
    body = verdicts.json()["answers"]
    assert [v["answer"] for v in body] == ["new", "new"] + ["refused"] * len(hostile) + ["new"]
    for (_, field), verdict in zip(hostile, body[2:-1], strict=True):
        assert verdict["reason"].startswith(field), verdict["reason"]


def test_a_consent_wording_no_consent_file_could_give_is_refused(hq_service):
    token = hq_service.token("stall-1")
    hostile = [(wording(lawful_basis="whatever"), "lawful_basis:"),
               (wording(privacy_url="javascript:alert(1)"), "privacy_url:"),
               (wording(minimum_age=-7), "minimum_age:"),
               (wording(question="May we\u202e email you?"), "question:"),
               (wording(language="not a language"), "language:")]
    body = upload(hq_service.url, token, batch("stall-1", [r for r, _ in hostile] + [wording()])).json()["answers"]
    assert [v["answer"] for v in body] == ["refused"] * len(hostile) + ["new"]
    for (_, field), verdict in zip(hostile, body[:-1], strict=True):
        assert verdict["reason"].startswith(field), verdict["reason"]


def test_a_consent_to_a_wording_sent_in_an_earlier_batch_passes(hq_service):
    token = hq_service.token("stall-1")
    letter = signature()
    assert answers(upload(hq_service.url, token, batch("stall-1", [wording(minimum_age=16), letter]))) == ["new"] * 2
    asked = wording(minimum_age=16)["id"]
    rows = [consent(letter["id"], text_id=asked, age_confirmed=True),
            consent(letter["id"], text_id=asked, choice="no", email=None)]
    assert answers(upload(hq_service.url, token, batch("stall-1", rows))) == ["new", "new"]
