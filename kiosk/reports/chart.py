"""The letters-per-hour chart as a PNG, with matplotlib (no window, no global state).

Event names and kiosk ids in the title are data: they are cleaned of control characters,
cut to a line, and drawn as plain text (never as matplotlib's ``$...$`` mathematics, which
a name could otherwise use to stop the report). Its words and days are in the language it is
given (the stall's); matplotlib neither joins Arabic letters nor orders right-to-left text,
so such text is given to it shaped and in visual order (:func:`kiosk.i18n.visual`).
"""

from __future__ import annotations

from typing import IO

from ..i18n import DEFAULT, Language, language
from ..text import clean
from .summary import Summary, letters
from .tables import day_label, drawn, hour_span

TITLE_MAX = 120


def draw_png(summary: Summary, out: IO[bytes], lang: Language | None = None) -> None:
    """Draw the chart as a PNG into ``out`` (the command writes it to its file), in ``lang``."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    lang = lang or language(DEFAULT)
    days = sorted(summary.hours)
    every = {h: n for per_day in summary.hours.values() for h, n in per_day.items()}
    hours = [h for h, _ in hour_span(every, at_least=8)]
    fig = Figure(figsize=(max(6.0, 0.5 * len(hours) + 2), 4), dpi=120, layout="constrained")
    ax = fig.add_subplot()
    bottom = [0] * len(hours)
    for day in days:
        counts = [summary.hours[day].get(h, 0) for h in hours]
        ax.bar(hours, counts, width=0.7, bottom=bottom, label=drawn(day_label(day, lang, year=False)))
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    title = clean(lang._("Letters per hour: {selection}").format(selection=summary.describe_scope(lang)), TITLE_MAX,
                  multiline=False)
    ax.set_title(drawn(f"{title} ({letters(lang, summary.total)})"), parse_math=False)
    ax.set_xlabel(drawn(lang._("Hour (stall's clock)")), parse_math=False)
    ax.set_ylabel(drawn(lang._("Letters")), parse_math=False)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if len(days) > 1:
        legend = ax.legend()
        for text in legend.get_texts():
            text.set_parse_math(False)
    fig.savefig(out, format="png")
