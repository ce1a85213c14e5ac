"""The receipts the kiosk prints: the signed appeal, the postcard and the printer test.

Each letter prints in the language recorded with it (:attr:`~kiosk.store.Signature.letter_language`):
an appeal in the case's letter language (its salutation, body and closing, and the receipt's
own words: "Re:", "Signature", the date ...), a postcard in the visitor's (the heading and
suggested message of the case's translation, the receipt's own words). The visitor's name
and message print as typed; an appeal whose writer read the kiosk in another language adds
one line, in the letter's, saying in which their message is written. A letter recorded
before kiosks kept its languages prints in the case's base text. The printer test prints in
the language it is given (the stall's).

The appeal is an official letter: it carries only the letter (the date, the addressee, the
words, the signature, with the writer's town or country where they gave one) and the
reference and privacy notice at its foot; never the campaign's name or motto. The postcard
carries both.

(The end-of-day tally slip is laid out with the report it belongs to: :mod:`kiosk.reports.slip`.)"""

from __future__ import annotations

import dataclasses
import datetime as dt

from ..cases import SHORT_MAX, Addressee, Case
from ..i18n import DEFAULT, N_, Language, language
from ..store import Signature
from ..text import EVENT_MAX, MESSAGE_MAX, NAME_MAX, PLACE_MAX, clean
from .model import QR, Block, Cut, Feed, Receipt, Rule, Text

MOTTO = N_("Every letter counts")  # at the foot of every receipt, in its language


def _limited(sig: Signature) -> Signature:
    """The letter as recording would have taken it: a name, message or event from anywhere
    else (a merged file, an old database) is cleaned and cut to the same limits, so paper
    never carries what a visitor could not have typed (no metres of one name)."""
    return dataclasses.replace(
        sig,
        name=clean(sig.name, NAME_MAX, multiline=False),
        place=clean(sig.place, PLACE_MAX, multiline=False) or None if sig.place else None,
        message=clean(sig.message or "", MESSAGE_MAX),
        event=clean(sig.event, EVENT_MAX, multiline=False),
        kiosk_id=clean(sig.kiosk_id, 32, multiline=False),
        addressee_name=clean(sig.addressee_name, SHORT_MAX, multiline=False) if sig.addressee_name else None,
        addressee_title=clean(sig.addressee_title, SHORT_MAX, multiline=False) if sig.addressee_title else None,
        addressee_address="\n".join(clean(line, SHORT_MAX, multiline=False)
                                    for line in (sig.addressee_address or "").split("\n")[:8]) or None,
    )


def _local_date(sig: Signature, lang: Language) -> str:
    """The stall's day of the letter, as the letter's language writes it ("25 novembre 2026")."""
    return lang.date(sig.stall_time.date())


def _reference(sig: Signature, lang: Language) -> Text:
    return Text(lang._("Ref. {reference}").format(reference=sig.reference), align="center")


def _motto(lang: Language) -> Text:
    return Text(lang._(MOTTO), align="center", bold=True)


def addressee_of(case: Case, sig: Signature) -> Addressee:
    """Who an appeal goes to: the addressee recorded with the letter (a reprint after the
    case file changed still goes where it was signed for); the case file's for a letter
    recorded before kiosks kept it."""
    if not sig.addressee_name:
        return case.appeal.addressee
    address = tuple(line for line in (sig.addressee_address or "").split("\n") if line.strip())
    return Addressee(name=sig.addressee_name, title=sig.addressee_title or "", address=address)


def _privacy(url: str | None, lang: Language) -> list[Block]:
    """The organisation's privacy notice, on every letter's receipt where the stall asks for consent."""
    return [Text(lang._("Privacy notice: {url}").format(url=url), align="center")] if url else []


def written_in(lang: Language, visitor: str) -> str:
    """The appeal's one line, in its language, saying the visitor's message is in theirs."""
    return lang._("(Personal message written in {language})").format(language=lang.name_of(visitor))


def appeal(case: Case, sig: Signature, campaign: str, privacy_url: str | None = None) -> Receipt:
    """The signed appeal, in the letter's language as recorded (the case's base text when none was):
    an official letter, without the ``campaign``'s name or motto (the postcard carries them)."""
    a = case.appeal_text(sig.letter_language or case.language)
    lang = language(a.language)  # the words the letter is in: a translation since removed is the base's
    to = addressee_of(case, sig)
    blocks: list[Block] = [
        Text(_local_date(sig, lang), align="right"),
        Rule(),
        Text(to.name, bold=True),
    ]
    if to.title:
        blocks.append(Text(to.title))
    blocks += [Text(line) for line in to.address]
    blocks += [Rule(), Text(lang._("Re: {person}").format(person=case.person), bold=True), Feed(),
               Text(a.salutation), Feed()]
    for para in a.body:
        blocks += [Text(para), Feed()]
    if sig.message:
        if sig.language and sig.language != a.language:
            blocks.append(Text(written_in(lang, sig.language)))
        blocks += [Text(sig.message), Feed()]
    blocks += [
        Text(a.closing),
        Feed(3),
        Rule("_"),
        Text(lang._("Signature")),
        Feed(),
        Text(sig.name, bold=True),
        *([Text(sig.place)] if sig.place else []),
        Feed(),
        Rule(),
        _reference(sig, lang),
        *_privacy(privacy_url, lang),
        Cut(),
    ]
    return Receipt(name=f"{sig.kiosk_id}-{sig.number:04d}-appeal", blocks=tuple(blocks))


def postcard(case: Case, sig: Signature, campaign: str, privacy_url: str | None = None) -> Receipt:
    """The postcard, in the visitor's language as recorded: the case's translation (each field
    else the base's), the receipt's own words and the date; the visitor's words as typed."""
    code = sig.letter_language or case.language
    shown, lang = case.shown_in(code), language(code)
    blocks: list[Block] = [
        Text(campaign, align="center", bold=True),
        Rule(),
        Feed(),
        Text(shown.heading, align="center", bold=True, large=True),
        Feed(),
        Text(sig.message or shown.message, align="center"),
        Feed(),
        Text(f"- {sig.name}", align="right", bold=True),
        Text(_local_date(sig, lang), align="right"),
        Feed(),
        QR(case.postcard.url, caption=lang._("Scan to read {person}'s story").format(person=case.person)),
        Rule(),
        _reference(sig, lang),
        _motto(lang),
        *_privacy(privacy_url, lang),
        Cut(),
    ]
    return Receipt(name=f"{sig.kiosk_id}-{sig.number:04d}-postcard", blocks=tuple(blocks))


def for_signature(case: Case, sig: Signature, campaign: str, privacy_url: str | None = None) -> Receipt:
    """The letter's receipt; ``privacy_url``: the organisation's privacy notice, printed at its foot."""
    sig = _limited(sig)
    return (appeal if sig.kind == "appeal" else postcard)(case, sig, campaign, privacy_url)


CODE_PAGE_SAMPLE = (
    "Latin: àéîõü ß ñ ç ø å æ œ €",
    "Polish/Czech: ąćęłńśźż čřšž",
    "Cyrillic: Привет, мир! Ёё Ґґ",
    "Greek: Καλημέρα κόσμε",
)
RASTER_SAMPLE = "Raster: مرحبا · שלום · 你好 · ✊ ❤"


def printer_test(description: str, columns: int, when: dt.datetime | None = None,
                 lang: Language | None = None) -> Receipt:
    """A test receipt: a width ruler, a code-page sample, a raster line and a QR code; its own
    words in ``lang`` (the stall's language; English when not given)."""
    when = when or dt.datetime.now().astimezone()
    lang = lang or language(DEFAULT)
    ruler = "".join(str(i % 10) for i in range(1, columns + 1))
    tens = "".join(str(i // 10 % 10) if i % 10 == 0 else " " for i in range(1, columns + 1))
    blocks: list[Block] = [
        Text(lang._("Printer test"), align="center", bold=True, large=True),
        Text(f"{lang.date(when.date())} {when:%H:%M}", align="center"),
        Text(description),
        Rule(),
        Text(lang.ngettext("Width: {n} column", "Width: {n} columns", columns)),
        Text(tens),
        Text(ruler),
        Rule(),
        *[Text(line) for line in CODE_PAGE_SAMPLE],
        Text(RASTER_SAMPLE),
        Rule(),
        QR("https://example.org/kiosk-printer-test", caption=lang._("QR code: scan to check")),
        _motto(lang),
        Cut(),
    ]
    return Receipt(name=f"printer-test-{when:%Y%m%d-%H%M%S}", blocks=tuple(blocks))
