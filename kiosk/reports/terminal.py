"""The report in a terminal: rich tables, and bar charts of letters per hour (rich ``Bar``).

Case titles, event names, kiosk ids and the database's file name are data, never markup
and never terminal codes: every cell is a ``rich.text.Text`` of text made safe by
:func:`kiosk.text.for_terminal` (an escape sequence or a bidi override shows as ``\\x1b``,
``\\u202e``).
"""

from __future__ import annotations

from rich.bar import Bar
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from ..job_states import JobState
from ..text import for_terminal
from .chart import day_label
from .summary import Line, Summary, plural
from .tables import HEAD, hour_span, line_rows, total_row

MAX_DAY_CHARTS = 7
CELL_MAX = 300  # characters of a label: a merged file's 100,000-character case title is cut, not folded


def safe(value: object, style: str = "", limit: int = CELL_MAX) -> Text:
    """A cell: the value's text, safe for a terminal, never read as markup, cut at ``limit``."""
    text = for_terminal(str(value))
    return Text(text if len(text) <= limit else text[:limit - 1] + "…", style=style)


def _table(title: str, first: str, lines: list[Line], summary: Summary, *, with_total: bool = True) -> Table:
    table = Table(title=safe(title), title_justify="left", show_footer=with_total)
    totals = total_row(summary)
    table.add_column(safe(first), footer=safe("All") if with_total else "", overflow="fold")
    for i, head in enumerate(HEAD, start=1):
        table.add_column(safe(head), justify="right", footer=safe(totals[i]) if with_total else "")
    for row in line_rows(lines):
        table.add_row(*(safe(v) for v in row))
    return table


def hour_chart(day: str, per_hour: dict[str, int], width: int) -> Table:
    """One day's letters per hour as horizontal bars, every hour from the first to the last."""
    span = hour_span(per_hour)
    top = max((n for _, n in span), default=0)
    bar_width = max(10, min(width, 100) - 16)
    table = Table(title=safe(f"{day_label(day, '%a %d %b %Y')}: letters per hour"), title_justify="left",
                  show_header=False, box=None, padding=(0, 1))
    table.add_column(justify="right")
    table.add_column(width=bar_width)
    table.add_column(justify="right")
    for hour, n in span:
        table.add_row(safe(hour), Bar(size=top, begin=0, end=n, width=bar_width), safe(n))
    return table


def render(summary: Summary, console: Console) -> None:
    heading = safe(f"Letters: {summary.total} ({plural(summary.appeals, 'appeal')},"
                   f" {plural(summary.postcards, 'postcard')})", style="bold")
    console.print(heading)
    console.print(safe(f"{summary.describe_scope()} - {summary.database}", limit=3 * CELL_MAX))
    answered = summary.consent_line()
    if answered:
        console.print(safe(answered))
    if not summary.total:
        console.print(safe("No signatures in this selection."))
        return
    tables = [
        _table("Per case", "Case", summary.cases, summary),
        _table("Per day", "Day", summary.days, summary),
    ]
    if len(summary.kiosks) > 1:
        tables.append(_table("Per kiosk", "Kiosk", summary.kiosks, summary))
    if len(summary.events) > 1:
        tables.append(_table("Per event", "Event", summary.events, summary))
    console.print(Group(*tables))
    waiting = {k: v for k, v in summary.print_status.items() if k != JobState.PRINTED and v}
    if waiting:
        console.print(safe("Not printed: " + ", ".join(f"{v} {k}" for k, v in sorted(waiting.items()))))
    days = sorted(summary.hours)
    if len(days) > MAX_DAY_CHARTS:
        console.print(safe(f"Charts for the last {MAX_DAY_CHARTS} of {len(days)} days; `--out` writes them all."))
    for day in days[-MAX_DAY_CHARTS:]:
        console.print(hour_chart(day, summary.hours[day], console.width))
