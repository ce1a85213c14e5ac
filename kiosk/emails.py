"""Email addresses a visitor gives to hear from the organisation: checked offline, never sent to.

:func:`validate_email` is the one rule for an address, wherever it comes from (the screen,
``kiosk sign --email``, another kiosk's file in a merge): its syntax is checked with
`email-validator <https://pypi.org/project/email-validator/>`_, offline (no DNS lookup:
a stall often has no network, and whether mail is delivered is not the kiosk's question),
and it is stored in that library's normalised form (the domain in lower case). An address
that holds anything a visitor could not mean (a control character, a bidi override, a
quoted local part, a space, a character that shows as nothing) is refused, never silently
changed into another address.

:func:`typo_hint` suggests the common domain a visitor probably meant (``gmial.com`` ->
``gmail.com``); it only suggests, the visitor decides. :func:`email_key` is how two
addresses are compared (``forget``, the contacts export): upper and lower case and Unicode's
canonical forms (NFC) are one address; nothing else is.
"""

from __future__ import annotations

import unicodedata
from contextlib import suppress

from .errors import InputError
from .text import sanitize, visible, without_ignorables

EMAIL_MAX = 254  # characters: the longest address mail can carry (RFC 3696 errata, email-validator's limit)

# Domains visitors most often mistype; a hint is offered only towards one of these.
COMMON_DOMAINS = (
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "yahoo.fr", "yahoo.es", "hotmail.com",
    "hotmail.co.uk", "hotmail.fr", "hotmail.es", "outlook.com", "outlook.fr", "outlook.es", "live.com",
    "live.co.uk", "msn.com", "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.de",
    "gmx.net", "web.de", "t-online.de", "orange.fr", "free.fr", "laposte.net", "wanadoo.fr", "sfr.fr",
    "wp.pl", "o2.pl", "onet.pl", "interia.pl", "btinternet.com", "sky.com", "virginmedia.com",
    "telefonica.net", "libero.it", "mail.ru", "yandex.ru",
)
_AROUND = " \t\r\n"  # typed or pasted around an address: trimmed, never refused
_BLANK_BRAILLE = "\u2800"  # a character that shows as a space, yet is none: refused, as a space is
_FIRST_LABELS = {domain.split(".")[0]: domain for domain in COMMON_DOMAINS}


def validate_email(value: str | None, *, field: str = "email") -> str:
    """The address in its normalised form; InputError naming ``field`` if it is not one.

    Checked offline (syntax only); internationalised addresses (``zoë@exämple.de``) are
    fine; quoted local parts, IP-address domains and anything with a control or bidi
    character, or a character that shows as nothing or as a blank, are refused."""
    # Only the spaces a visitor may type around it are trimmed: str.strip() would also drop
    # controls (\x1c-\x1f, \x85) and separators (\u2028) and accept what they were around.
    text = (value or "").strip(_AROUND)
    if not text:
        raise InputError("missing", field=field, reason="empty")
    if len(text) > EMAIL_MAX:
        raise InputError(f"{len(text)} characters, at most {EMAIL_MAX} allowed", field=field, reason="too_long")
    if sanitize(text) != unicodedata.normalize("NFC", text) or any(ch.isspace() for ch in text):
        raise InputError("not an email address: it holds spaces or control characters", field=field)
    # What shows as nothing (a Hangul filler, a joiner, a variation selector) would make an address
    # that looks like another one, or like none: the address kept must be the one seen.
    if without_ignorables(text) != text or _BLANK_BRAILLE in text:
        raise InputError("not an email address: it holds characters that show as nothing (invisible or blank)",
                         field=field)
    from email_validator import EmailNotValidError
    from email_validator import validate_email as check  # 60 ms to import: only where an address is checked

    try:
        checked = check(text, check_deliverability=False, allow_quoted_local=False, allow_domain_literal=False,
                        allow_display_name=False)
    except EmailNotValidError as exc:
        raise InputError(f"not an email address: {exc}", field=field) from None
    normalized = str(checked.normalized)
    if not visible(normalized.rpartition("@")[0]):  # only marks: a mailbox name that shows nothing
        raise InputError("not an email address: nothing visible before the @", field=field)
    if len(normalized) > EMAIL_MAX:
        raise InputError(f"{len(normalized)} characters, at most {EMAIL_MAX} allowed", field=field,
                         reason="too_long")
    return normalized


def tidy_address(typed: str) -> str:
    """What an address field keeps of what is typed or pasted into it: everything a visitor can
    see, without spaces, line breaks, controls, invisible format characters and every other
    character that shows as nothing (Unicode's default-ignorables: bidi marks, zero-width
    spaces, soft hyphens, joiners, variation selectors, Hangul fillers), which no address
    holds. The address recorded is then the one on screen."""
    kept = "".join(ch for ch in sanitize(without_ignorables(typed))
                   if not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf"))
    return unicodedata.normalize("NFC", kept)  # what is dropped may have kept two characters apart


def typo_hint(value: str) -> str | None:
    """The address with the common domain the visitor probably meant (``ada@gmial.com`` ->
    ``ada@gmail.com``), as :func:`validate_email` keeps it; or None: the domain is a common
    one already, or near none, or the address would not be one with it either."""
    local, at, domain = (value or "").strip().rpartition("@")
    if not at or not local or not domain:
        return None
    domain = domain.lower().rstrip(".")
    if domain in COMMON_DOMAINS:
        return None
    import difflib  # only an address outside the common domains is compared with them

    close = difflib.get_close_matches(domain, COMMON_DOMAINS, n=1, cutoff=0.8)
    if not close and "." not in domain:  # "gmial": no top-level domain typed at all
        label = difflib.get_close_matches(domain, list(_FIRST_LABELS), n=1, cutoff=0.75)
        close = [_FIRST_LABELS[label[0]]] if label else []
    if not close:
        return None
    try:  # only an address this kiosk would keep is ever offered (never an escape or a bidi override back)
        return validate_email(f"{local}@{close[0]}")
    except InputError:
        return None


def email_key(value: str) -> str:
    """How addresses are compared: the same address in upper or lower case, or in another Unicode
    normal form of the same characters (NFC), is the same key. Only case is folded, by
    ``lower()``, never ``casefold()``: that also folds letters that are other letters, and so
    other mailboxes (``straße@`` is not ``strasse@``, ``ς`` not ``σ``). Compatibility forms are
    other characters too (``ａｄａ@example.org`` is not ``ada@example.org``)."""
    return unicodedata.normalize("NFC", (value or "").strip()).lower()


def lookup_keys(value: str) -> frozenset[str]:
    """The keys an address may be found by among stored ones (``forget``): the :func:`email_key`
    of what was given, and, when it is an address, of the form :func:`validate_email` keeps
    (the form every stored address has: an IDNA domain as Unicode, so ``hans@xn--bcher-kva.de``
    finds ``hans@bücher.de``). What was given as it is still finds a stored address that is
    no longer valid."""
    keys = {email_key(value)}
    with suppress(InputError):  # not an address (any more): found as given only
        keys.add(email_key(validate_email(value)))
    return frozenset(keys)
