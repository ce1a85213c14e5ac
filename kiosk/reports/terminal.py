"""The report in a terminal: rich tables, and bar charts of letters per hour (rich ``Bar``).

Case titles, event names, kiosk ids and the database's file name are data, never markup
and never terminal codes: every cell is a ``rich.text.Text`` of text made safe by
:func:`kiosk.text.for_terminal` (an escape sequence or a bidi override shows as ``\\x1b``,
``\\u202e``). The report's own words are in the language it is given (the stall's), its
days and numbers as that language writes them; with ``bidi``, right-to-left text (Arabic
words, an Arabic case title) is put in the order a terminal must draw it
(:func:`kiosk.i18n.visual`).
"""

from __future__ import annotations

from rich.bar import Bar
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from ..i18n import DEFAULT, N_, Language, has_rtl, language
from ..job_states import JobState
from ..text import for_terminal
from .summary import Line, Summary, appeals, postcards
from .tables import ALL, day_label, drawn, figures, head, hour_span, line_rows, state, total_row

MAX_DAY_CHARTS = 7
CELL_MAX = 300  # characters of a label: a merged file's 100,000-character case title is cut, not folded


class _Cells:
    """Cells for one rendering: safe text, in the terminal's drawing order when ``bidi``."""

    def __init__(self, lang: Language, bidi: bool):
        self.lang = lang
        self.bidi = bidi

    def __call__(self, value: object, style: str = "", limit: int = CELL_MAX) -> Text:
        text = safe(value, style, limit)
        if self.bidi and has_rtl(text.plain):  # each line in its own direction, from its first letter
            text = Text(drawn(text.plain), style=style)
        return text


def safe(value: object, style: str = "", limit: int = CELL_MAX) -> Text:
    """A cell: the value's text, safe for a terminal, never read as markup, cut at ``limit``."""
    text = for_terminal(str(value))
    return Text(text if len(text) <= limit else text[:limit - 1] + "…", style=style)


def _table(cell: _Cells, title: str, first: str, lines: list[Line], summary: Summary, *, with_total: bool = True,
           days: bool = False) -> Table:
    lang = cell.lang
    table = Table(title=cell(lang._(title)), title_justify="left", show_footer=with_total)
    shown = figures(summary)
    totals = total_row(summary, lang, shown)
    table.add_column(cell(lang._(first)), footer=cell(lang._(ALL)) if with_total else "", overflow="fold")
    for i, heading in enumerate(head(lang, shown), start=1):
        table.add_column(cell(heading), justify="right", footer=cell(totals[i]) if with_total else "")
    for row in line_rows(lines, lang, shown, days=days):
        table.add_row(*(cell(v) for v in row))
    return table


def hour_chart(day: str, per_hour: dict[str, int], width: int, lang: Language | None = None, *,
               bidi: bool = True) -> Table:
    """One day's letters per hour as horizontal bars, every hour from the first to the last."""
    cell = _Cells(lang or language(DEFAULT), bidi)
    span = hour_span(per_hour)
    top = max((n for _, n in span), default=0)
    bar_width = max(10, min(width, 100) - 16)
    title = cell.lang._("{day}: letters per hour").format(day=day_label(day, cell.lang))
    table = Table(title=cell(title), title_justify="left", show_header=False, box=None, padding=(0, 1))
    table.add_column(justify="right")
    table.add_column(width=bar_width)
    table.add_column(justify="right")
    for hour, n in span:
        table.add_row(safe(hour), Bar(size=top, begin=0, end=n, width=bar_width), cell(cell.lang.number(n)))
    return table


def render(summary: Summary, console: Console, lang: Language | None = None, *, bidi: bool = True) -> None:
    """The report on ``console``, in ``lang`` (English when not given)."""
    lang = lang or language(DEFAULT)
    cell = _Cells(lang, bidi)
    heading = lang._("Letters: {total} ({appeals}, {postcards})").format(
        total=lang.number(summary.total), appeals=appeals(lang, summary.appeals),
        postcards=postcards(lang, summary.postcards))
    console.print(cell(heading, style="bold"))
    # the selection in its language's order, then the file's name as it is (a path is never turned round)
    console.print(Text.assemble(cell(summary.describe_scope(lang), limit=2 * CELL_MAX), " - ",
                                safe(summary.database, limit=2 * CELL_MAX)))
    for line in (summary.paper_line(lang), *summary.duplicates_lines(lang), summary.consent_line(lang)):
        if line:
            console.print(cell(line))
    if not summary.total:
        console.print(cell(lang._("No signatures in this selection.")))
        return
    tables = [
        _table(cell, N_("Per case"), N_("Case"), summary.cases, summary),
        _table(cell, N_("Per day"), N_("Day"), summary.days, summary, days=True),
    ]
    if len(summary.kiosks) > 1:
        tables.append(_table(cell, N_("Per kiosk"), N_("Kiosk"), summary.kiosks, summary))
    if len(summary.events) > 1:
        tables.append(_table(cell, N_("Per event"), N_("Event"), summary.events, summary))
    console.print(Group(*tables))
    waiting = {k: v for k, v in summary.print_status.items() if k != JobState.PRINTED and v}
    if waiting:
        listed = ", ".join(f"{lang.number(v)} {state(lang, k)}" for k, v in sorted(waiting.items()))
        console.print(cell(lang._("Not printed: {states}").format(states=listed)))
    days = sorted(summary.hours)
    if len(days) > MAX_DAY_CHARTS:
        console.print(cell(lang._("Charts for the last {shown} of {days} days; `--out` writes them all.").format(
            shown=lang.number(MAX_DAY_CHARTS), days=lang.number(len(days)))))
    for day in days[-MAX_DAY_CHARTS:]:
        console.print(hour_chart(day, summary.hours[day], console.width, lang, bidi=bidi))
