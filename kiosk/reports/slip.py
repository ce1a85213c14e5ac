"""The end-of-day tally slip: a day's letters per case and per hour, as a receipt.

Case titles, the event and the kiosk id come from the database (a merged file may hold
anything): each is cleaned to one line and cut, so the slip stays a slip.
"""

from __future__ import annotations

from ..receipts.layouts import MOTTO
from ..receipts.model import Block, Cut, Receipt, Rule, Text
from ..text import EVENT_MAX, clean
from .summary import Tally
from .tables import hour_span

LABEL_MAX = 120  # characters of a case title on the slip (about three lines of 58 mm paper)
KIOSK_MAX = 32


def _line(text: str, limit: int) -> str:
    return clean(text, limit, multiline=False)


def tally_receipt(t: Tally, columns: int) -> Receipt:
    """The end-of-day slip: the day's letters per case and per hour, for the stall's records."""
    kiosk = _line(t.kiosk_id, KIOSK_MAX) if t.kiosk_id else "all kiosks"
    blocks: list[Block] = [
        Text("End-of-day tally", align="center", bold=True, large=True),
        Text(f"{t.day:%A} {t.day.day} {t.day:%B %Y}", align="center"),
        Text(f"{_line(t.event, EVENT_MAX) if t.event else 'All events'} - {kiosk}", align="center"),
        Rule(),
        Text(f"Letters: {t.total}", bold=True, large=True),
        Text(f"Appeals {sum(c.appeal for c in t.cases)}   Postcards {sum(c.postcard for c in t.cases)}"),
        Rule(),
        Text("Per case", bold=True),
    ]
    for line in t.cases:
        blocks += [Text(_line(line.label, LABEL_MAX)),
                   Text(f"  appeals {line.appeal}  postcards {line.postcard}  total {line.total}")]
    if not t.cases:
        blocks.append(Text("No letters this day."))
    blocks += [Rule(), Text("Per hour", bold=True)]
    span = hour_span(t.hours)
    top = max((n for _, n in span), default=0)
    room = max(4, columns * 3 // 5)  # leaves a margin: the preview's proportional font is wider
    for hour, n in span:
        bar = "#" * (round(n * room / top) if top else 0)
        blocks.append(Text(f"{hour} {n:>4} {bar}"))
    blocks += [
        Rule(),
        Text(f"Printed {t.printed_at:%Y-%m-%d %H:%M}", align="center"),
        Text(MOTTO, align="center", bold=True),
        Cut(),
    ]
    name = f"tally-{t.day.isoformat()}-{t.kiosk_id or 'all'}"
    return Receipt(name=name, blocks=tuple(blocks))
