"""The report as a Markdown file, next to its PNG chart, in the language it is given (the
stall's): its words, days and numbers. A Markdown viewer lays out right-to-left text itself."""

from __future__ import annotations

from ..i18n import DEFAULT, LANGUAGES, N_, Language, language
from ..text import for_terminal
from .summary import Summary, appeals, letters, postcards
from .tables import ALL, Row, figures, head, hour_grid, line_rows, state, total_row

TITLE = N_("Letters report")


def first_line(lang: Language) -> str:
    """The report's first line, in ``lang``."""
    return f"# {lang._(TITLE)}\n"


def starts() -> tuple[bytes, ...]:
    """What an earlier report.md starts with, in any of the kiosk's languages (only such a file is replaced)."""
    return tuple(dict.fromkeys(first_line(language(code)).encode("utf-8") for code in (DEFAULT, *LANGUAGES)))


def _cell(value: object) -> str:
    """A table cell: pipes, backslashes and line breaks in data must not break the table, and
    no control character reaches a terminal that shows the file (``\\x1b`` is shown instead)."""
    text = for_terminal(" ".join(str(value).split()))
    for ch in ("\\", "|", "*", "_", "`", "[", "]", "<", ">"):
        text = text.replace(ch, "\\" + ch)
    return text


def _table(heads: Row, rows: list[Row]) -> list[str]:
    out = ["| " + " | ".join(_cell(h) for h in heads) + " |",
           "|" + "|".join(["---"] + ["---:"] * (len(heads) - 1)) + "|"]
    out += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return out


def render(summary: Summary, chart_name: str | None, lang: Language | None = None) -> str:
    """The report, in ``lang`` (English when not given)."""
    lang = lang or language(DEFAULT)
    made = summary.generated
    lines = [
        first_line(lang).rstrip("\n"),
        "",
        "- " + lang._("Selection: {selection}").format(selection=_cell(summary.describe_scope(lang))),
        "- " + lang._("Database: {file}").format(file=_cell(summary.database.name)),
        "- " + lang._("Made: {when}").format(when=f"{lang.date(made.date())} {made:%H:%M %Z}".rstrip()),
        f"- **{letters(lang, summary.total)}**: {appeals(lang, summary.appeals)}, {postcards(lang, summary.postcards)}",
    ]
    for line in (summary.paper_line(lang), *summary.duplicates_lines(lang), summary.consent_line(lang)):
        if line:
            lines.append(f"- {_cell(line)}")
    lines.append("")
    sections = [(N_("Per case"), N_("Case"), summary.cases, False), (N_("Per day"), N_("Day"), summary.days, True),
                (N_("Per kiosk"), N_("Kiosk"), summary.kiosks, False),
                (N_("Per event"), N_("Event"), summary.events, False)]
    shown = figures(summary)
    for title, first, rows, by_day in sections:
        table = _table((lang._(first), *head(lang, shown)),
                       [*line_rows(rows, lang, shown, days=by_day), total_row(summary, lang, shown)])
        lines += [f"## {lang._(title)}", "", *table, ""]
    days, grid = hour_grid(summary, lang)
    lines += ["## " + lang._("Per hour"), "", lang._("Hours on the stall's clock.")
              + (" " + lang._("Handwritten letters count in the hour they were entered.") if summary.paper else "")]
    if chart_name:
        lines += ["", "![" + lang._("Letters per hour") + f"]({chart_name})"]
    if grid:
        lines += ["", *_table((lang._("Hour"), *days, lang._(ALL)), grid)]
    status = ", ".join(f"{lang.number(n)} {state(lang, s)}" for s, n in sorted(summary.print_status.items()))
    lines += ["", "## " + lang._("Print jobs"), "", status or lang._("none"), ""]
    return "\n".join(lines)
