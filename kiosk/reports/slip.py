"""The end-of-day tally slip: a day's letters per case and per hour, as a receipt: typed and
handwritten ones (those marked as on paper, and counted in the hour they were entered), the likely
duplicates and distinct signers.

Case titles, the event and the kiosk id come from the database (a merged file may hold
anything): each is cleaned to one line and cut, so the slip stays a slip. The slip's own
words, its day and its numbers are in the language it is given (the stall's).
"""

from __future__ import annotations

from ..i18n import DEFAULT, Language, language
from ..receipts.layouts import MOTTO
from ..receipts.model import Block, Cut, Receipt, Rule, Text
from ..text import EVENT_MAX, clean
from .summary import Tally
from .tables import hour_span

LABEL_MAX = 120  # characters of a case title on the slip (about three lines of 58 mm paper)
KIOSK_MAX = 32


def _line(text: str, limit: int) -> str:
    return clean(text, limit, multiline=False)


def tally_receipt(t: Tally, columns: int, lang: Language | None = None) -> Receipt:
    """The end-of-day slip: the day's letters per case and per hour, for the stall's records, in ``lang``."""
    from babel.dates import format_date

    lang = lang or language(DEFAULT)
    n = lang.number
    kiosk = _line(t.kiosk_id, KIOSK_MAX) if t.kiosk_id else lang._("all kiosks")
    event = _line(t.event, EVENT_MAX) if t.event else lang._("All events")
    blocks: list[Block] = [
        Text(lang._("End-of-day tally"), align="center", bold=True, large=True),
        Text(f"{format_date(t.day, 'EEEE', locale=lang.locale)} {lang.date(t.day)}", align="center"),
        Text(f"{event} - {kiosk}", align="center"),
        Rule(),
        Text(lang._("Letters: {n}").format(n=n(t.total)), bold=True, large=True),
        Text(lang._("Appeals {appeals}   Postcards {postcards}").format(
            appeals=n(sum(c.appeal for c in t.cases)), postcards=n(sum(c.postcard for c in t.cases)))),
    ]
    blocks += [Text(line) for line in (t.summary.paper_line(lang), *t.summary.duplicates_lines(lang)) if line]
    blocks += [Rule(), Text(lang._("Per case"), bold=True)]
    for line in t.cases:
        blocks += [Text(_line(line.label, LABEL_MAX)),
                   Text("  " + lang._("appeals {appeals}  postcards {postcards}  total {total}").format(
                       appeals=n(line.appeal), postcards=n(line.postcard), total=n(line.total)))]
        if line.paper:
            blocks.append(Text("  " + lang._("of them on paper {paper}").format(paper=n(line.paper))))
    if not t.cases:
        blocks.append(Text(lang._("No letters this day.")))
    blocks += [Rule(), Text(lang._("Per hour"), bold=True)]
    span = hour_span(t.hours)
    top = max((count for _, count in span), default=0)
    room = max(4, columns * 3 // 5)  # leaves a margin: the preview's proportional font is wider
    for hour, count in span:
        bar = "#" * (round(count * room / top) if top else 0)
        blocks.append(Text(f"{hour} {n(count):>4} {bar}"))
    printed = t.printed_at
    blocks += [
        Rule(),
        Text(lang._("Printed {when}").format(when=f"{lang.date(printed.date())} {printed:%H:%M}"), align="center"),
        Text(lang._(MOTTO), align="center", bold=True),
        Cut(),
    ]
    name = f"tally-{t.day.isoformat()}-{t.kiosk_id or 'all'}"
    return Receipt(name=name, blocks=tuple(blocks))
