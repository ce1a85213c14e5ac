"""Who signed: a keyed fingerprint of a letter's writer, to find likely duplicates without names.

A letter's ``signer`` is an HMAC-SHA256, under the campaign's secret ``signer_key`` (the same
on every kiosk of a campaign, kept in the settings, never in the database), of the writer's
normalised name (Unicode NFKC, case-folded, whitespace collapsed) and, when they gave one,
their email address (case-folded). So "ADA  Lovelace" and "ada lovelace" are one signer, and
two people of the same name who gave different addresses are two.

It is kept when a purge removes the name: a letter signed again after a purge, or merged from
another kiosk, is still found to be a likely duplicate. Without the key, a fingerprint cannot
be turned back into a name by trying names (the file alone is not enough); it is still
personal data in the GDPR's sense (pseudonymous), which ``docs/duplicates.md`` says.

A fingerprint is written ``<key id>:<hex>``: the key id (the first 8 hex digits of an HMAC of a
fixed label) tells fingerprints made under different keys apart, so kiosks set up with
different keys are never matched by accident, and a report can say that they differ.

A letter is a **likely duplicate** when an earlier letter (by UTC time, then id) of the same
case has the same signer: flagged in counts and reports, never refused, hidden or not printed.
"""

from __future__ import annotations

import re
import unicodedata

KEY_MIN = 16          # characters: a shorter key is too easy to guess, and names behind it with it
KEY_MAX = 256
_SPACES = re.compile(r"\s+")
_KEY_LABEL = b"kiosk signer key id"


def normalised_name(name: str) -> str:
    """The name as two letters by one person compare: NFKC, case-folded, whitespace collapsed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", name).casefold()).strip()


def normalised_email(email: str | None) -> str:
    return unicodedata.normalize("NFKC", email or "").casefold().strip()


def check_key(key: str) -> str:
    """``key`` if it can be a signer key; ValueError saying why not."""
    if not isinstance(key, str) or not KEY_MIN <= len(key) <= KEY_MAX or key != key.strip():
        raise ValueError(f"a signer key is {KEY_MIN} to {KEY_MAX} characters with no spaces around it"
                         " (make one with: kiosk signer-key new)")
    return key


def new_key() -> str:
    """A fresh random signer key (256 bits), for a campaign's first kiosk."""
    import secrets

    return secrets.token_urlsafe(32)


def key_id(key: str) -> str:
    """8 hex digits naming the key (not revealing it): fingerprints under other keys never match."""
    import hashlib  # loaded by the commands that need it only (OpenSSL's start is not free)
    import hmac

    return hmac.new(key.encode(), _KEY_LABEL, hashlib.sha256).hexdigest()[:8]


def fingerprint(key: str | None, name: str, email: str | None = None) -> str | None:
    """The signer of a letter by ``name`` (and ``email``) under ``key``; None without a key or a name."""
    person = normalised_name(name)
    if not key or not person:
        return None
    message = f"{person}\x1f{normalised_email(email)}".encode()
    import hashlib
    import hmac

    return f"{key_id(key)}:{hmac.new(key.encode(), message, hashlib.sha256).hexdigest()}"


_FINGERPRINT = re.compile(r"[0-9a-f]{8}:[0-9a-f]{64}")


def is_fingerprint(value: object) -> bool:
    """Whether ``value`` is a fingerprint as :func:`fingerprint` writes it (merges and syncs check)."""
    return isinstance(value, str) and _FINGERPRINT.fullmatch(value) is not None
