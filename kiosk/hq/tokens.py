"""Per-kiosk tokens: made with :func:`secrets.token_urlsafe`, shown once, kept only as their
SHA-256, revocable, listed without any secret.

A kiosk sends its token as ``Authorization: Bearer <token>``; :func:`kiosk_of` hashes it and
finds the kiosk whose token it is, comparing the digests with :func:`hmac.compare_digest`.
A token lets its kiosk upload only rows of its own kiosk id (:mod:`kiosk.sync_protocol`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

import psycopg

from ..errors import InputError
from ..text import KIOSK_ID
from . import store
from .schema import open_hq

TOKEN_BYTES = 32
# what a token looks like (token_urlsafe's alphabet); anything else is refused before it is hashed
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,200}$")


@dataclass(frozen=True)
class NewToken:
    id: int
    kiosk_id: str
    secret: str  # shown once; only its SHA-256 is kept


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def check_kiosk_id(kiosk_id: str) -> str:
    """``kiosk_id`` as a kiosk's settings accept it; InputError naming ``kiosk_id`` otherwise."""
    if not KIOSK_ID.fullmatch(kiosk_id):
        raise InputError(f"{kiosk_id[:40]!r} is not a kiosk id (up to 32 letters, digits, '.', '_' or '-')",
                         field="kiosk_id")
    return kiosk_id


def add_token(dsn: str, kiosk_id: str) -> NewToken:
    """A new token for ``kiosk_id`` (its other tokens stay valid until revoked)."""
    check_kiosk_id(kiosk_id)
    secret = secrets.token_urlsafe(TOKEN_BYTES)
    with open_hq(dsn) as conn:
        token_id = store.insert_token(conn, kiosk_id, digest(secret))
    return NewToken(token_id, kiosk_id, secret)


def revoke_token(dsn: str, kiosk_id: str, token_id: int | None = None) -> list[int]:
    """Revoke ``kiosk_id``'s tokens (or the one ``token_id``); the ids revoked. A kiosk without
    any token, or without that one, is an InputError naming it."""
    check_kiosk_id(kiosk_id)
    with open_hq(dsn) as conn:
        revoked = store.revoke_tokens(conn, kiosk_id, token_id)
        if not revoked:
            if not store.known_kiosk(conn, kiosk_id):
                raise InputError(f"no token was ever made for kiosk {kiosk_id!r}", field="kiosk_id")
            which = f"token {token_id}" if token_id is not None else "token"
            raise InputError(f"kiosk {kiosk_id!r} has no {which} in use (revoked already?)", field="kiosk_id")
    return revoked


def list_tokens(dsn: str) -> list[store.TokenRow]:
    with open_hq(dsn) as conn:
        return store.tokens(conn)


def kiosk_of(conn: psycopg.Connection, secret: str | None) -> str | None:
    """The kiosk whose token in use ``secret`` is, or None (no token, a malformed, unknown or revoked one)."""
    if secret is None or not TOKEN.fullmatch(secret):
        return None
    wanted = digest(secret)
    found = store.token_in_use(conn, wanted)
    if found is None or not hmac.compare_digest(found[1], wanted):
        return None
    return found[0]
