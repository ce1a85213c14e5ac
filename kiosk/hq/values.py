"""The values of a kiosk's rows, checked at the office exactly as a merge checks another kiosk's
rows (:mod:`kiosk.store.rows`, the same functions): a row whose values no kiosk could have
written (a kind no letter has, a case id with a bidi control, a time that is not one, a
number below 1, a text as recording never keeps it) is refused, its reason naming the field.

:mod:`kiosk.sync_protocol` checks a row's shape (its fields, their types, its id and hash);
these check what is in it. A value must be exactly what recording or a merge would keep:
one a kiosk would clean first (spaces around it, a control character) is not one it sends.

Personal data is checked here too, field by field, when it comes with a value, and a
letter's signer fingerprint; a consent's wording, and the paper letters entry a correction
corrects, which the office holds, are handed in by the caller (:func:`kiosk.hq.store.ingest`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..emails import validate_email
from ..errors import InputError
from ..store.rows import (
    BadRow,
    consent_row,
    paper_correction,
    paper_note,
    paper_row,
    signature_row,
    wording_fields,
)
from ..sync_protocol import CONTENT
from ..text import validate_message, validate_name

# Stands for "no personal data here" where a merge's checker asks for a purge time: the office
# checks personal data on its own (a letter's name may never come, or come later).
_NOT_HERE = "2000-01-01T00:00:00.000000Z"
_PERSONAL = {"name": validate_name, "message": validate_message, "email": validate_email, "note": paper_note}


def _as_kept(kind: str, content: Mapping[str, Any], checked: Mapping[str, Any]) -> str | None:
    """The first content field whose value is not as a kiosk keeps it (a merge would change it)."""
    for name in CONTENT[kind]:
        if name in checked and checked[name] != content[name]:
            return f"{name}: not as a kiosk keeps it (a kiosk would clean or drop this value)"
    return None


def _personal(personal: Mapping[str, Any] | None) -> str | None:
    for name, value in (personal or {}).items():
        if value is None:
            continue  # removed on the kiosk
        if not isinstance(value, str):
            return f"{name}: must be text"
        try:
            kept = _PERSONAL[name](value)
        except InputError as exc:
            return f"{name}: {exc.problem[:200]}"
        if kept != value:
            return f"{name}: not as a kiosk keeps it (a kiosk would clean this value)"
    return None


def signature_problem(content: Mapping[str, Any], personal: Mapping[str, Any] | None,
                      signer: str | None = None) -> str | None:
    """Why a signature's values (its ``signer`` fingerprint too) are not a letter a kiosk could have
    recorded, or None."""
    try:  # its purge time stands in for the name, checked with the personal data
        checked = signature_row({**content, "name": None, "message": None, "purged_at": _NOT_HERE, "signer": signer})
    except BadRow as exc:
        return str(exc)
    values = dict(checked.values)
    if values["kind"] != "appeal":  # a letter that is no appeal has no addressee: a merge ignores one too
        values = {k: v for k, v in values.items() if not k.startswith("addressee_")}
    return _as_kept("signature", content, values) or _personal(personal)


def consent_text_problem(content: Mapping[str, Any]) -> str | None:
    """Why a consent wording is not one a consent file could give, or None (its id, the hash of
    its text, is checked by :func:`kiosk.sync_protocol.row_problem`)."""
    try:
        checked = wording_fields(content)
    except BadRow as exc:
        return str(exc)
    return _as_kept("consent_text", content, checked)


def consent_problem(content: Mapping[str, Any], personal: Mapping[str, Any] | None,
                    wording: Mapping[str, Any] | None) -> str | None:
    """Why a consent's values are not an answer a kiosk could have recorded to ``wording`` (the
    content of its consent wording at the office; None: not there), or None."""
    if wording is None:
        return "text_id: its wording is not at the office (a kiosk sends a consent's wording before it)"
    age = content["age_confirmed"]
    if not isinstance(age, bool):
        return "age_confirmed: must be true or false"
    email = (personal or {}).get("email")
    row = {**content, "age_confirmed": 1 if age else None, "email": email, "exported_at": None,
           "purged_at": _NOT_HERE if email is None else None}  # no address here: nothing to check
    try:
        checked = consent_row(row, {content["text_id"]: wording})
    except BadRow as exc:
        return str(exc)
    found = _as_kept("consent", {**content, "age_confirmed": row["age_confirmed"]}, checked)
    if found is None and email is not None and checked["email"] != email:
        found = "email: not as a kiosk keeps it (a kiosk would normalise this address)"
    return found or _personal({k: v for k, v in (personal or {}).items() if k != "email"})


def paper_problem(content: Mapping[str, Any], personal: Mapping[str, Any] | None) -> str | None:
    """Why a paper letters entry (or correction) is not one a kiosk could have recorded, or None
    (a correction is checked against its entry by :func:`correction_problem`)."""
    try:
        checked = paper_row({**content, "note": None})  # the note is personal data, checked with it
    except BadRow as exc:
        return str(exc)
    return _as_kept("paper", content, checked) or _personal(personal)


def correction_problem(content: Mapping[str, Any], entry: Mapping[str, Any], entry_sent_by: str,
                       kiosk_id: str) -> str | None:
    """Why a correction (checked by :func:`paper_problem`) from ``kiosk_id``'s token does not correct
    ``entry`` (the content of the entry at the office, which ``entry_sent_by``'s token sent) as a
    kiosk corrects one, or None: its own kiosk's entry, no correction itself, with the same case,
    kind, event, kiosk and stall time."""
    if entry_sent_by != kiosk_id:
        return f"corrects: the entry it corrects is another kiosk's, not this token's ({kiosk_id})"
    try:
        paper_correction(content, entry)
    except BadRow as exc:
        return str(exc)
    return None
