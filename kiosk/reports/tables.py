"""The report's tables as rows of plain values, shared by the terminal and Markdown renderings."""

from __future__ import annotations

import re

from .summary import Line, Summary

HEAD = ("Appeals", "Postcards", "Total")
_HOUR = re.compile(r"(?:[01][0-9]|2[0-3]):00")


Row = tuple[object, ...]


def line_rows(lines: list[Line]) -> list[Row]:
    return [(line.label, line.appeal, line.postcard, line.total) for line in lines]


def total_row(summary: Summary) -> Row:
    return ("All", summary.appeals, summary.postcards, summary.total)


def hour_grid(summary: Summary) -> tuple[list[str], list[Row]]:
    """Hours as rows, days as columns: (days, rows of (hour, count per day..., total))."""
    days = sorted(summary.hours)
    hours = sorted({h for per_day in summary.hours.values() for h in per_day})
    rows = []
    for hour in hours:
        counts = [summary.hours[d].get(hour, 0) for d in days]
        rows.append((hour, *counts, sum(counts)))
    return days, rows


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
