"""The report as a Markdown file, next to its PNG chart."""

from __future__ import annotations

from ..text import for_terminal
from .summary import Summary, plural
from .tables import HEAD, Row, hour_grid, line_rows, total_row


def _cell(value: object) -> str:
    """A table cell: pipes, backslashes and line breaks in data must not break the table, and
    no control character reaches a terminal that shows the file (``\\x1b`` is shown instead)."""
    text = for_terminal(" ".join(str(value).split()))
    for ch in ("\\", "|", "*", "_", "`", "[", "]", "<", ">"):
        text = text.replace(ch, "\\" + ch)
    return text


def _table(head: Row, rows: list[Row]) -> list[str]:
    out = ["| " + " | ".join(_cell(h) for h in head) + " |",
           "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|"]
    out += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return out


def render(summary: Summary, chart_name: str | None) -> str:
    lines = [
        "# Letters report",
        "",
        f"- Selection: {_cell(summary.describe_scope())}",
        f"- Database: {_cell(summary.database.name)}",
        f"- Made: {summary.generated:%Y-%m-%d %H:%M %Z}",
        f"- **{plural(summary.total, 'letter')}**: {plural(summary.appeals, 'appeal')},"
        f" {plural(summary.postcards, 'postcard')}",
    ]
    answered = summary.consent_line()
    if answered:
        lines.append(f"- {_cell(answered)}")
    lines.append("")
    sections = [("Per case", "Case", summary.cases), ("Per day", "Day", summary.days),
                ("Per kiosk", "Kiosk", summary.kiosks), ("Per event", "Event", summary.events)]
    for title, first, rows in sections:
        lines += [f"## {title}", "", *_table((first, *HEAD), [*line_rows(rows), total_row(summary)]), ""]
    days, grid = hour_grid(summary)
    lines += ["## Per hour", "", "Hours on the stall's clock."]
    if chart_name:
        lines += ["", f"![Letters per hour]({chart_name})"]
    if grid:
        lines += ["", *_table(("Hour", *days, "Total"), grid)]
    status = ", ".join(f"{n} {state}" for state, n in sorted(summary.print_status.items()))
    lines += ["", "## Print jobs", "", status or "none", ""]
    return "\n".join(lines)
