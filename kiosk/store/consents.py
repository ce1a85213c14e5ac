"""Consents: each visitor's answer to "Would you like to hear from us?", with the words they saw.

A wording is stored once in ``consent_texts`` under the SHA-256 of its exact text
(:class:`~kiosk.consent.ConsentText`); each answer, yes or no, is a row of ``consents`` with
its letter, its channel, the wording's id, the language and the time (UTC and the stall's
clock). A letter is asked once per channel: a second answer is refused. A *no* keeps no
address. The contacts export reads only *yes* answers whose address is still kept.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

from ..emails import email_key
from ..errors import InputError
from ..signers import is_fingerprint
from .connection import Database
from .jobs import marks
from .models import Consent, ConsentChoice, Contacts, Scope, reference, stall_iso, utc_iso
from .rows import consent_choice

_CONSENT_COLUMNS = ("id, signature_id, channel, choice, email, text_id, language, age_confirmed, created_at,"
                    " local_time")

# The contacts export's columns: what a CRM import needs, one row per address and channel.
CONTACT_COLUMNS = (
    "email", "name", "channel", "language", "consented_at", "consented_local_time", "event", "kiosk_id",
    "case_id", "case_title", "reference", "letters", "cases", "signature_id", "consent_id", "wording_id",
    "wording_version", "lawful_basis", "controller", "privacy_url", "age_confirmed",
)


def insert_consent(conn: sqlite3.Connection, signature_id: str, answer: ConsentChoice, moment: dt.datetime) -> Consent:
    """Record a checked answer (and its wording, once) inside the caller's transaction."""
    now, local = utc_iso(moment), stall_iso(moment)
    letter = conn.execute("SELECT purged_at FROM signatures WHERE id = ?", [signature_id]).fetchone()
    if letter is None:
        raise InputError(f"no letter {signature_id!r} in this database", field="signature", reason="unknown")
    if letter[0] is not None:  # its writer's data is gone: an address kept with it would outlive the purge
        raise InputError("this letter's personal data was removed (purged); no answer is kept with it",
                         field="signature")
    if conn.execute("SELECT 1 FROM consents WHERE signature_id = ? AND channel = ?",
                    [signature_id, answer.channel]).fetchone():
        raise InputError("this letter's answer is recorded already: a visitor is asked once", field="consent")
    wording = answer.wording
    fields = asdict(wording)
    columns = ", ".join(fields)
    conn.execute(
        # the same words are stored once; ON CONFLICT, not OR IGNORE, which would swallow a broken CHECK too
        f"INSERT INTO consent_texts (id, {columns}, first_shown_at) VALUES (?, {marks(fields)}, ?)"
        " ON CONFLICT(id) DO NOTHING",
        [wording.id, *fields.values(), now],
    )
    consent_id = str(uuid.uuid4())
    age = 1 if answer.age_confirmed else None
    conn.execute(
        f"INSERT INTO consents ({_CONSENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [consent_id, signature_id, answer.channel, answer.choice, answer.email, wording.id, wording.language, age,
         now, local],
    )
    return Consent(consent_id, signature_id, answer.channel, answer.choice, answer.email, wording.id,
                   wording.language, age is not None, now, local)


def _consent(row: Any) -> Consent:
    cid, sig, channel, choice, email, text_id, language, age, created_at, local_time = row
    return Consent(cid, sig, channel, choice, email, text_id, language, bool(age), created_at, local_time)


class Consents(Database):
    def record_consent(self, signature_id: str, answer: ConsentChoice, *, at: dt.datetime | None = None,
                       signer: str | None = None) -> Consent:
        """Commit a visitor's answer for their recorded letter. InputError (nothing recorded) when
        the answer breaks a rule (:func:`~kiosk.store.rows.consent_choice`), the letter is not
        here, or it was answered already. ``at`` is the stall's clock (now). ``signer``: the
        letter's writer fingerprinted anew with the address they gave (:mod:`kiosk.signers`),
        set in the same commit."""
        answer = consent_choice(answer)
        if signer is not None and not is_fingerprint(signer):
            raise InputError("not a signer fingerprint", field="signer")
        moment = at or dt.datetime.now().astimezone()
        with self.transaction() as conn:
            consent = insert_consent(conn, signature_id, answer, moment)
            if signer is not None:
                conn.execute("UPDATE signatures SET signer = ? WHERE id = ? AND purged_at IS NULL",
                             [signer, signature_id])
            return consent

    def consent_for(self, signature_id: str, channel: str = "email") -> Consent | None:
        row = self.db.execute(f"SELECT {_CONSENT_COLUMNS} FROM consents WHERE signature_id = ? AND channel = ?",
                              [signature_id, channel]).fetchone()
        return _consent(row) if row else None

    def consent_texts(self) -> list[dict[str, Any]]:
        """Every wording recorded here, oldest first (what each visitor was shown)."""
        cur = self.db.execute("SELECT * FROM consent_texts ORDER BY first_shown_at, id")
        columns = [d[0] for d in cur.description]
        return [dict(zip(columns, row, strict=True)) for row in cur]

    def consent_counts(self, scope: Scope = Scope()) -> dict[str, int]:
        """Answers in ``scope`` by choice (``yes``, ``no``); letters never answered are not counted."""
        where, params = scope.where()
        rows = self.db.execute(
            f"SELECT c.choice, COUNT(*) FROM consents c JOIN signatures s ON s.id = c.signature_id{where}"
            " GROUP BY c.choice", params).fetchall()
        return dict(rows)

    def _contact_rows(self, scope: Scope) -> Iterator[dict[str, Any]]:
        where, params = scope.where()
        where = f"{where} AND" if where else " WHERE"
        cur = self.db.execute(
            "SELECT c.email, s.name, c.channel, c.language, c.created_at, c.local_time, s.event, s.kiosk_id,"
            " s.case_id, COALESCE(cs.title, ''), s.number, s.id, c.id, c.text_id, t.version, t.lawful_basis,"
            " t.controller, t.privacy_url, c.age_confirmed"
            " FROM consents c JOIN signatures s ON s.id = c.signature_id JOIN consent_texts t ON t.id = c.text_id"
            f" LEFT JOIN cases cs ON cs.id = s.case_id{where} c.choice = 'yes' AND c.email IS NOT NULL"
            " ORDER BY c.created_at, c.id",
            params,
        )
        for (email, name, channel, language, created_at, local_time, event, kiosk_id, case_id, title, number, sig_id,
             consent_id, text_id, version, basis, controller, url, age) in cur:
            yield {
                "email": email, "name": name or "", "channel": channel, "language": language,
                "consented_at": created_at, "consented_local_time": local_time, "event": event,
                "kiosk_id": kiosk_id, "case_id": case_id, "case_title": title,
                "reference": reference(event, kiosk_id, number), "signature_id": sig_id, "consent_id": consent_id,
                "wording_id": text_id, "wording_version": version, "lawful_basis": basis, "controller": controller,
                "privacy_url": url, "age_confirmed": "yes" if age else "",
            }

    def contacts(self, scope: Scope = Scope()) -> Contacts:
        """People in ``scope`` who said yes and whose address is kept: one row per address
        (compared with :func:`~kiosk.emails.email_key`) and channel, from their latest
        answer, with how many letters they wrote with it and for which cases."""
        latest: dict[tuple[str, str], dict[str, Any]] = {}
        cases: dict[tuple[str, str], list[str]] = {}
        answers: dict[tuple[str, str], list[str]] = {}  # the consent ids behind each row
        for row in self._contact_rows(scope):
            key = (email_key(row["email"]), row["channel"])
            latest[key] = row  # rows come oldest first: the last one is the latest answer
            answers.setdefault(key, []).append(row["consent_id"])
            if row["case_id"] not in cases.setdefault(key, []):
                cases[key].append(row["case_id"])
        rows = [{**row, "letters": len(answers[key]), "cases": " ".join(cases[key])} for key, row in latest.items()]
        rows.sort(key=lambda r: (r["consented_at"], r["consent_id"]))
        # What an export of these rows writes out: exactly the answers whose address (by its key)
        # is the address of a row. Only these may be noted as exported (purge --contacts-exported).
        written = [(email_key(row["email"]), row["channel"]) for row in rows]
        return Contacts(rows, [cid for key in written for cid in answers[key]])

    def mark_exported(self, consent_ids: list[str]) -> int:
        """Note that a contacts export wrote these answers' addresses (``purge --contacts-exported``)."""
        now = utc_iso(dt.datetime.now(dt.UTC))
        changed = 0
        with self.transaction() as conn:
            for start in range(0, len(consent_ids), 500):
                chunk = consent_ids[start:start + 500]
                changed += conn.execute(
                    f"UPDATE consents SET exported_at = ? WHERE id IN ({marks(chunk)}) AND email IS NOT NULL",
                    [now, *chunk]).rowcount
        return changed
