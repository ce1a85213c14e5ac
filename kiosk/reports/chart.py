"""The letters-per-hour chart as a PNG, with matplotlib (no window, no global state).

Event names and kiosk ids in the title are data: they are cleaned of control characters,
cut to a line, and drawn as plain text (never as matplotlib's ``$...$`` mathematics, which
a name could otherwise use to stop the report).
"""

from __future__ import annotations

import datetime as dt
from typing import IO

from ..text import clean
from .summary import Summary, plural
from .tables import hour_span

TITLE_MAX = 120


def day_label(day: str, form: str = "%a %d %b") -> str:
    """A day key as the chart names it; a key that is not a date is shown cleaned, as it is."""
    try:
        return f"{dt.date.fromisoformat(day):{form}}"
    except ValueError:
        return clean(day, 40, multiline=False)


def draw_png(summary: Summary, out: IO[bytes]) -> None:
    """Draw the chart as a PNG into ``out`` (the command writes it to its file)."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    days = sorted(summary.hours)
    every = {h: n for per_day in summary.hours.values() for h, n in per_day.items()}
    hours = [h for h, _ in hour_span(every, at_least=8)]
    fig = Figure(figsize=(max(6.0, 0.5 * len(hours) + 2), 4), dpi=120, layout="constrained")
    ax = fig.add_subplot()
    bottom = [0] * len(hours)
    for day in days:
        counts = [summary.hours[day].get(h, 0) for h in hours]
        ax.bar(hours, counts, width=0.7, bottom=bottom, label=day_label(day))
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    title = clean(f"Letters per hour: {summary.describe_scope()}", TITLE_MAX, multiline=False)
    ax.set_title(f"{title} ({plural(summary.total, 'letter')})", parse_math=False)
    ax.set_xlabel("Hour (stall's clock)")
    ax.set_ylabel("Letters")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if len(days) > 1:
        legend = ax.legend()
        for text in legend.get_texts():
            text.set_parse_math(False)
    fig.savefig(out, format="png")
