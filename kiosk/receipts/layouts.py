"""The receipts the kiosk prints: the signed appeal, the postcard and the printer test.

(The end-of-day tally slip is laid out with the report it belongs to: :mod:`kiosk.reports.slip`.)"""

from __future__ import annotations

import dataclasses
import datetime as dt

from ..cases import SHORT_MAX, Addressee, Case
from ..store import Signature
from ..text import EVENT_MAX, MESSAGE_MAX, NAME_MAX, clean
from .model import QR, Block, Cut, Feed, Receipt, Rule, Text

MOTTO = "Every letter counts"


def _limited(sig: Signature) -> Signature:
    """The letter as recording would have taken it: a name, message or event from anywhere
    else (a merged file, an old database) is cleaned and cut to the same limits, so paper
    never carries what a visitor could not have typed (no metres of one name)."""
    return dataclasses.replace(
        sig,
        name=clean(sig.name, NAME_MAX, multiline=False),
        message=clean(sig.message or "", MESSAGE_MAX),
        event=clean(sig.event, EVENT_MAX, multiline=False),
        kiosk_id=clean(sig.kiosk_id, 32, multiline=False),
        addressee_name=clean(sig.addressee_name, SHORT_MAX, multiline=False) if sig.addressee_name else None,
        addressee_title=clean(sig.addressee_title, SHORT_MAX, multiline=False) if sig.addressee_title else None,
        addressee_address="\n".join(clean(line, SHORT_MAX, multiline=False)
                                    for line in (sig.addressee_address or "").split("\n")[:8]) or None,
    )


def _local_date(sig: Signature) -> str:
    day = sig.stall_time
    return f"{day.day} {day:%B %Y}"


def _reference(sig: Signature) -> Text:
    return Text(f"Ref. {sig.reference}", align="center")


def addressee_of(case: Case, sig: Signature) -> Addressee:
    """Who an appeal goes to: the addressee recorded with the letter (a reprint after the
    case file changed still goes where it was signed for); the case file's for a letter
    recorded before kiosks kept it."""
    if not sig.addressee_name:
        return case.appeal.addressee
    address = tuple(line for line in (sig.addressee_address or "").split("\n") if line.strip())
    return Addressee(name=sig.addressee_name, title=sig.addressee_title or "", address=address)


def _privacy(url: str | None) -> list[Block]:
    """The organisation's privacy notice, on every letter's receipt where the stall asks for consent."""
    return [Text(f"Privacy notice: {url}", align="center")] if url else []


def appeal(case: Case, sig: Signature, campaign: str, privacy_url: str | None = None) -> Receipt:
    a = case.appeal
    to = addressee_of(case, sig)
    blocks: list[Block] = [
        Text(campaign, align="center", bold=True, large=True),
        Text(f"{_local_date(sig)} - {sig.event}", align="center"),
        Rule(),
        Text(to.name, bold=True),
    ]
    if to.title:
        blocks.append(Text(to.title))
    blocks += [Text(line) for line in to.address]
    blocks += [Rule(), Text(f"Re: {case.person}", bold=True), Feed(), Text(a.salutation), Feed()]
    for para in a.body:
        blocks += [Text(para), Feed()]
    if sig.message:
        blocks += [Text(sig.message), Feed()]
    blocks += [
        Text(a.closing),
        Feed(3),
        Rule("_"),
        Text("Signature"),
        Feed(),
        Text(sig.name, bold=True),
        Feed(),
        Rule(),
        _reference(sig),
        Text(MOTTO, align="center", bold=True),
        *_privacy(privacy_url),
        Cut(),
    ]
    return Receipt(name=f"{sig.kiosk_id}-{sig.number:04d}-appeal", blocks=tuple(blocks))


def postcard(case: Case, sig: Signature, campaign: str, privacy_url: str | None = None) -> Receipt:
    pc = case.postcard
    blocks: list[Block] = [
        Text(campaign, align="center", bold=True),
        Rule(),
        Feed(),
        Text(pc.heading, align="center", bold=True, large=True),
        Feed(),
        Text(sig.message or pc.message, align="center"),
        Feed(),
        Text(f"- {sig.name}", align="right", bold=True),
        Feed(),
        QR(pc.url, caption=f"Scan to read {case.person}'s story"),
        Rule(),
        _reference(sig),
        Text(MOTTO, align="center", bold=True),
        *_privacy(privacy_url),
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


def printer_test(description: str, columns: int, when: dt.datetime | None = None) -> Receipt:
    """A test receipt: a width ruler, a code-page sample, a raster line and a QR code."""
    when = when or dt.datetime.now().astimezone()
    ruler = "".join(str(i % 10) for i in range(1, columns + 1))
    tens = "".join(str(i // 10 % 10) if i % 10 == 0 else " " for i in range(1, columns + 1))
    blocks: list[Block] = [
        Text("Printer test", align="center", bold=True, large=True),
        Text(f"{when:%Y-%m-%d %H:%M}", align="center"),
        Text(description),
        Rule(),
        Text(f"Width: {columns} columns"),
        Text(tens),
        Text(ruler),
        Rule(),
        *[Text(line) for line in CODE_PAGE_SAMPLE],
        Text(RASTER_SAMPLE),
        Rule(),
        QR("https://example.org/kiosk-printer-test", caption="QR code: scan to check"),
        Text(MOTTO, align="center", bold=True),
        Cut(),
    ]
    return Receipt(name=f"printer-test-{when:%Y%m%d-%H%M%S}", blocks=tuple(blocks))
