"""The report's tables as rows of plain values, shared by the terminal and Markdown renderings:
their words in the report's language, numbers and days as it writes them."""

from __future__ import annotations

import datetime as dt
import re

from ..i18n import N_, Language, has_rtl, visual
from ..text import clean
from .summary import Line, Summary, day_name

HEAD = (N_("Appeals"), N_("Postcards"), N_("Total"))
ALL = N_("All")
# A print job's state, as the report names it (``none``: a letter without a print job).
STATES = {"pending": N_("pending"), "printing": N_("printing"), "printed": N_("printed"), "failed": N_("failed"),
          "cancelled": N_("cancelled"), "none": N_("no print job")}
_HOUR = re.compile(r"(?:[01][0-9]|2[0-3]):00")


Row = tuple[object, ...]


def drawn(text: str) -> str:
    """``text`` for a renderer that neither joins Arabic letters nor orders right-to-left text (a
    terminal, matplotlib): each line shaped and in visual order, in the direction of its first
    letter (:func:`kiosk.i18n.visual`, which draws any text, never a crash)."""
    if not has_rtl(text):
        return text
    return visual(text)


def head(lang: Language) -> tuple[str, ...]:
    return tuple(lang._(h) for h in HEAD)


def day_label(day: str, lang: Language, *, year: bool = True) -> str:
    """A day key (YYYY-MM-DD) as ``lang`` names it ("Fri, 3 Jul 2026"); a key that is not a date
    (a row an older merge let in) is shown cleaned, as it is."""
    try:
        return day_name(dt.date.fromisoformat(day), lang, year=year)
    except ValueError:
        return clean(day, 40, multiline=False)


def state(lang: Language, status: str) -> str:
    return lang._(STATES[status]) if status in STATES else status


def line_rows(lines: list[Line], lang: Language, *, days: bool = False) -> list[Row]:
    """A table's rows: label, appeals, postcards, total; ``days``: the labels are day keys."""
    return [(day_label(line.label, lang) if days else line.label, lang.number(line.appeal),
             lang.number(line.postcard), lang.number(line.total)) for line in lines]


def total_row(summary: Summary, lang: Language) -> Row:
    return (lang._(ALL), lang.number(summary.appeals), lang.number(summary.postcards), lang.number(summary.total))


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
