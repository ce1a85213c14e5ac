"""The report's tables as rows of plain values, shared by the terminal and Markdown renderings:
their words in the report's language, numbers and days as it writes them."""

from __future__ import annotations

import datetime as dt
import re

from ..i18n import N_, Language, has_rtl, visual
from ..text import clean
from .summary import Line, Summary, day_name

# The figures a table can show, with their headings: appeals, postcards and their total always;
# the handwritten ones when any letter was, the likely duplicates and signers when any was found
# (the lines above the tables always give all four figures).
HEADS = {"appeal": N_("Appeals"), "postcard": N_("Postcards"), "total": N_("Total"), "paper": N_("On paper"),
         "duplicates": N_("Duplicates"), "signers": N_("Signers")}
ALL = N_("All")
# A print job's state, as the report names it (``none``: a letter without a print job).
STATES = {"pending": N_("pending"), "printing": N_("printing"), "printed": N_("printed"), "failed": N_("failed"),
          "cancelled": N_("cancelled"), "held": N_("held for a volunteer"), "rejected": N_("rejected"),
          "none": N_("no print job")}
_HOUR = re.compile(r"(?:[01][0-9]|2[0-3]):00")


Row = tuple[object, ...]


def drawn(text: str) -> str:
    """``text`` for a renderer that neither joins Arabic letters nor orders right-to-left text (a
    terminal): each line shaped and in visual order, in the direction of its first
    letter (:func:`kiosk.i18n.visual`, which draws any text, never a crash)."""
    if not has_rtl(text):
        return text
    return visual(text)


def figures(summary: Summary) -> tuple[str, ...]:
    """The figures the tables of ``summary`` show (keys of HEADS), the same in every table."""
    shown = ["appeal", "postcard", "total"]
    if summary.paper:
        shown.append("paper")
    if summary.duplicates:
        shown += ["duplicates", "signers"]
    return tuple(shown)


def head(lang: Language, shown: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(lang._(HEADS[f]) for f in shown)


def day_label(day: str, lang: Language, *, year: bool = True) -> str:
    """A day key (YYYY-MM-DD) as ``lang`` names it ("Fri, 3 Jul 2026"); a key that is not a date
    (a row an older merge let in) is shown cleaned, as it is."""
    try:
        return day_name(dt.date.fromisoformat(day), lang, year=year)
    except ValueError:
        return clean(day, 40, multiline=False)


def state(lang: Language, status: str) -> str:
    return lang._(STATES[status]) if status in STATES else status


def line_rows(lines: list[Line], lang: Language, shown: tuple[str, ...], *, days: bool = False) -> list[Row]:
    """A table's rows: label, then the ``shown`` figures; ``days``: the labels are day keys."""
    return [(day_label(line.label, lang) if days else line.label,
             *(lang.number(getattr(line, f)) for f in shown)) for line in lines]


def total_row(summary: Summary, lang: Language, shown: tuple[str, ...]) -> Row:
    totals = {"appeal": summary.appeals, "postcard": summary.postcards, "total": summary.total,
              "paper": summary.paper, "duplicates": summary.duplicates, "signers": summary.signers}
    return (lang._(ALL), *(lang.number(totals[f]) for f in shown))


def hour_grid(summary: Summary, lang: Language) -> tuple[list[str], list[Row]]:
    """Hours as rows, days as columns: (days as ``lang`` names them, rows of (hour, count per day..., total))."""
    days = sorted(summary.hours)
    hours = sorted({h for per_day in summary.hours.values() for h in per_day})
    rows: list[Row] = []
    for hour in hours:
        counts = [summary.hours[d].get(hour, 0) for d in days]
        rows.append((hour, *(lang.number(n) for n in counts), lang.number(sum(counts))))
    return [day_label(d, lang) for d in days], rows


def hour_span(per_hour: dict[str, int], at_least: int = 1) -> list[tuple[str, int]]:
    """Every hour from the first to the last with letters, empty hours included, as (HH:00, n);
    widened around them to ``at_least`` hours (within the day) so one busy hour is not the whole chart."""
    hours = [int(h[:2]) for h in per_hour if _HOUR.fullmatch(h)]  # a merged file's odd time is not an hour
    if not hours:
        return []
    first, last = min(hours), max(hours)
    while last - first + 1 < min(at_least, 24):
        if first > 0:
            first -= 1
        if last - first + 1 < at_least and last < 23:
            last += 1
    return [(f"{h:02d}:00", per_hour.get(f"{h:02d}:00", 0)) for h in range(first, last + 1)]
