"""The letters-per-hour chart as a PNG, with matplotlib (no window, no global state)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..private import open_private
from .summary import Summary, plural
from .tables import hour_span


def write_png(summary: Summary, path: Path) -> Path:
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
        ax.bar(hours, counts, width=0.7, bottom=bottom, label=f"{dt.date.fromisoformat(day):%a %d %b}")
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    ax.set_title(f"Letters per hour: {summary.describe_scope()} ({plural(summary.total, 'letter')})")
    ax.set_xlabel("Hour (stall's clock)")
    ax.set_ylabel("Letters")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if len(days) > 1:
        ax.legend()
    with open_private(path, "wb") as f:
        fig.savefig(f, format="png")
    return path
