"""What a kiosk and the national office (HQ) say to each other when a kiosk syncs: one module
both sides import, so a row's content and its hash are worked out the same way on each.

A kiosk sends batches of rows to ``POST /api/v1/upload`` with its token
(``Authorization: Bearer <token>``)::

    {"protocol": 2, "kiosk_id": "stall-1",
     "rows": [{"kind": "signature", "id": "<uuid>", "hash": "<sha256 hex>",
               "content": {...}, "personal": {...} | null, "signer": "<fingerprint>" | null}, ...]}

and gets one answer per row, in the same order::

    {"answers": [{"kind": "signature", "id": "<uuid>", "answer": "new" | "duplicate" | "conflict" | "refused",
                  "reason": "<one line>" (conflict and refused only)}, ...]}

- ``content`` is what a row *is* (what is counted): the same id with the same content is a
  ``duplicate`` (accepted and ignored, never counted twice); the same id with other content is
  a ``conflict`` (HQ keeps its first copy and records the other; never dropped silently).
- ``hash`` is :func:`content_hash` of ``content``: HQ works it out again and refuses a row whose
  hash does not match.
- ``personal`` is what the stall's ``personal_data`` setting lets leave the laptop (a
  signature's name and message; a consent's address). It is not part of the content: a
  visitor's answer to "may we contact you" comes after their letter is recorded, and a purge
  removes names, so it may arrive later than the row, or never. HQ keeps the latest value of
  each field it got; a field sent as null was removed on the kiosk (a purge, a visitor
  forgotten) and HQ removes it too. ``personal: null`` changes nothing at HQ. A paper letters
  entry's ``note`` (the organiser's own words, which may name a school or a person) is personal
  data too: no visitor agreed to anything for it, so only ``personal_data = "all"`` sends it.
- ``signer`` (a signature's only) is its writer's keyed fingerprint (:mod:`kiosk.signers`), sent
  with every letter whatever ``personal_data`` says: the office finds likely duplicates across
  kiosks by it. It is not part of the content either: a visitor who gives an email after their
  letter was recorded (and synced) is fingerprinted anew, and the kiosk sends the letter again
  with the same hash, answered ``duplicate``. HQ keeps the latest fingerprint it got from the
  kiosk that sent the letter first; null means "not known" (a purge keeps a fingerprint) and
  changes nothing. A value that is not a fingerprint refuses the row.
- ``paper`` rows are handwritten letters collected at a stall (a kiosk's ``paper_letters``):
  entries are never changed, a correction is an entry of its own whose ``count`` is the change,
  ``corrects`` the entry it corrects, and which copies that entry's case, kind, event, kiosk
  and stall time. HQ takes a correction only when the entry it corrects is there, sent by the
  same kiosk, with the same case, kind, event, kiosk and stall time (a kiosk sends an entry
  before its corrections, in an earlier batch or the same one).
- A row is ``refused`` (with a reason) when it is malformed, of another kiosk than the token's,
  or its hash does not match; the batch's other rows are answered as usual. HQ also refuses a
  row whose values no kiosk could have written (checked as a merge checks another kiosk's rows,
  the reason naming the field), and a consent whose wording or letter is not at HQ, or whose
  letter another kiosk sent: a kiosk sends wordings and letters before their consents.
- A ``conflict`` over a letter another kiosk sent first says so in its reason
  ("first sent by kiosk A, now by B: check both").
- A whole request is refused with one line of JSON, ``{"error": "..."}``: 401 (no token, an
  unknown or revoked one), 400 (not a batch, or a protocol the office does not speak: an office
  older than its kiosks refuses their batches whole, so nothing waits refused for ever), 413
  (over :data:`MAX_BODY` bytes or :data:`MAX_ROWS` rows), 429 (too many requests:
  ``Retry-After`` says when to come back).

``GET /api/v1/cases`` (with the token) answers the case set the office published last:
``{"version": 3, "hash": "<sha256 hex>", "files": {"<case id>.toml": "<TOML text>", ...}}``
(``{"version": 0, ...}`` with no files before the first). A kiosk checks each file exactly as
it checks its own case files and keeps what it offers when the set is broken.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .signers import is_fingerprint

PROTOCOL = 2                   # what a kiosk sends: 2 added a letter's signer and paper letters
PROTOCOLS = (1, 2)             # what the office takes (1: a kiosk from before, without them)
MAX_ROWS = 500                 # rows in one upload
MAX_BODY = 4 * 1024 * 1024     # bytes in one upload request

UPLOAD = "/api/v1/upload"
CASES = "/api/v1/cases"

KINDS = ("signature", "consent", "consent_text", "paper")
ANSWERS = ("new", "duplicate", "conflict", "refused")

# What each kind of row is, as it is counted: the same fields on both sides, every one present
# (None where a kiosk has no value). A signature's kiosk_id is the uploading kiosk's.
CONTENT: dict[str, tuple[str, ...]] = {
    "signature": ("id", "number", "case_id", "kind", "event", "kiosk_id", "created_at", "local_time",
                  "language", "letter_language", "addressee_name", "addressee_title", "addressee_address"),
    "consent": ("id", "signature_id", "channel", "choice", "text_id", "language", "age_confirmed",
                "created_at", "local_time"),
    # the wording a visitor was shown, by its id (the hash of its text: see kiosk.consent)
    "consent_text": ("id", "version", "language", "controller", "privacy_url", "lawful_basis", "minimum_age",
                     "question", "statement", "notice"),
    # handwritten letters collected at a stall; a correction is an entry whose count is the change
    "paper": ("id", "case_id", "kind", "count", "corrects", "created_at", "local_time", "event", "kiosk_id"),
}
# What may leave the laptop besides, as the stall's personal_data setting allows.
PERSONAL: dict[str, tuple[str, ...]] = {
    "signature": ("name", "message"),
    "consent": ("email",),
    "consent_text": (),
    "paper": ("note",),
}
# The kinds whose content names the kiosk that wrote them: only that kiosk's token may send them.
OWNED = ("signature", "paper")
PERSONAL_DATA = ("none", "consented", "all")

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def canonical(content: Mapping[str, Any]) -> bytes:
    """``content`` as the bytes its hash is taken of: JSON, keys sorted, no spaces, UTF-8."""
    import json  # only what syncs or hashes a row loads it: the store's readers do not

    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def content_hash(content: Mapping[str, Any]) -> str:
    """The SHA-256 (hex) of a row's :func:`canonical` content."""
    import hashlib

    return hashlib.sha256(canonical(content)).hexdigest()


def row(kind: str, content: Mapping[str, Any], personal: Mapping[str, Any] | None,
        signer: str | None = None) -> dict[str, Any]:
    """One row of an upload: ``content`` with exactly the fields of its kind (a signature's
    ``signer`` beside it, outside the content and its hash)."""
    body = {name: content.get(name) for name in CONTENT[kind]}
    item = {"kind": kind, "id": str(body["id"]), "hash": content_hash(body), "content": body,
            "personal": None if personal is None else {name: personal.get(name) for name in PERSONAL[kind]}}
    if kind == "signature":
        item["signer"] = signer
    return item


def row_problem(item: object, kiosk_id: str) -> str | None:
    """Why HQ refuses one row of an upload from ``kiosk_id``'s token, or None when it is well formed."""
    if not isinstance(item, dict):
        return "not a row (an object with kind, id, hash, content)"
    kind = item.get("kind")
    if kind not in KINDS:
        return f"kind must be one of {', '.join(KINDS)}"
    content, personal = item.get("content"), item.get("personal")
    if not isinstance(content, dict) or set(content) != set(CONTENT[kind]):
        return f"content must have exactly the fields {', '.join(CONTENT[kind])}"
    if personal is not None and (not isinstance(personal, dict) or not set(personal) <= set(PERSONAL[kind])):
        return f"personal must be null or have only the fields {', '.join(PERSONAL[kind]) or '(none)'}"
    if any(not _plain(v) for v in (*content.values(), *(personal or {}).values())):
        return "fields must be text, whole numbers, true/false or null"
    if item.get("id") != content["id"] or not isinstance(item.get("id"), str):
        return "id must be the content's id"
    if kind == "consent_text":
        from .consent import wording_id

        if not _HEX64.fullmatch(item["id"]) or wording_id(content) != item["id"]:
            return "a consent wording's id must be the hash of its text (kiosk.consent)"
    elif not _UUID.fullmatch(item["id"]):
        return "id must be a UUID (lower case)"
    if kind in OWNED and content["kiosk_id"] != kiosk_id:
        return f"kiosk_id {str(content['kiosk_id'])[:40]!r} is not this token's kiosk ({kiosk_id})"
    signer = item.get("signer")
    if signer is not None and (kind != "signature" or not is_fingerprint(signer)):
        return ("signer: not a signer fingerprint (8 hex digits, a colon, 64 hex digits)" if kind == "signature"
                else "signer: only a signature has one")
    if not isinstance(item.get("hash"), str) or item["hash"] != content_hash(content):
        return "hash does not match the content"
    return None


def _plain(value: object) -> bool:
    if isinstance(value, str):
        return len(value) <= 20_000 and "\x00" not in value
    return value is None or isinstance(value, bool) or (isinstance(value, int) and abs(value) < 2**53)
