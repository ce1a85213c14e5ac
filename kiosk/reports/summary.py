"""What the organiser reports after an event, and the end-of-day tally slip, as plain data.

Every figure comes from one :meth:`kiosk.store.Store.tallies` of one :class:`~kiosk.store.Scope`,
summed here: its rows are what :meth:`kiosk.store.Store.counts` (the call behind the exports, the
home screen's counter and the organiser screen) gives for its groups, a test sees to it, so the
report, the exports, the slip and the screens cannot disagree; it only reads a million letters in
a second rather than six. Each
count has the letters written (typed and handwritten), of them on paper, likely duplicates and
distinct signers (:data:`~kiosk.store.COUNT_COLUMNS`).

The words a rendering prints (the selection, the consent line) are in the language it is
given (the stall's), with its dates and numbers; English when none is given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..cases import Case
from ..i18n import DEFAULT, Language, language
from ..store import COUNT_COLUMNS, KINDS, Scope, Store

Tick = Callable[[int, "int | None"], None]


@dataclass(frozen=True)
class Line:
    """One row of a table: a key (case, day, kiosk, ...) with its appeals and postcards (typed and
    handwritten), of them ``paper`` handwritten and ``duplicates`` typed likely duplicates."""

    key: str
    label: str
    appeal: int = 0
    postcard: int = 0
    paper: int = 0
    duplicates: int = 0

    @property
    def total(self) -> int:
        return self.appeal + self.postcard

    @property
    def signers(self) -> int:
        """Typed letters less the likely duplicates: each writer once per case."""
        return self.total - self.paper - self.duplicates


@dataclass(frozen=True)
class Summary:
    database: Path
    scope: Scope
    generated: dt.datetime
    total: int
    cases: list[Line]
    days: list[Line]
    kiosks: list[Line]
    events: list[Line]
    hours: dict[str, dict[str, int]]  # day -> {"HH:00": count}
    print_status: dict[str, int] = field(default_factory=dict)
    answers: dict[str, int] | None = None  # answers to being contacted in scope by choice; None: none in the file
    paper: int = 0          # of the letters, handwritten ones collected at the stall
    duplicates: int = 0     # of the typed letters, likely duplicates (the same writer again for the same case)
    unchecked: int = 0      # typed letters without a signer fingerprint: never found to be duplicates

    @property
    def typed(self) -> int:
        """Letters typed at a kiosk (the rest were handwritten)."""
        return self.total - self.paper

    @property
    def signers(self) -> int:
        """Typed letters less the likely duplicates: each writer once per case."""
        return self.total - self.paper - self.duplicates

    def paper_line(self, lang: Language | None = None) -> str | None:
        """How many of the letters were handwritten; None when none were."""
        if not self.paper:
            return None
        lang = lang or language(DEFAULT)
        return lang._("Handwritten on paper: {paper}").format(paper=lang.number(self.paper))

    def duplicates_lines(self, lang: Language | None = None) -> list[str]:
        """How many typed letters are likely duplicates and how many signers they come from, and
        how many could not be checked (no signer fingerprint); nothing when no letter was typed."""
        if not self.typed:
            return []
        lang = lang or language(DEFAULT)
        lines = [lang._("Likely duplicates flagged: {duplicates}; distinct signers: {signers}").format(
            duplicates=lang.number(self.duplicates), signers=lang.number(self.signers))]
        if self.unchecked:
            lines.append(lang.ngettext("{n} letter not checked for duplicates: recorded without a signer key",
                                       "{n} letters not checked for duplicates: recorded without a signer key",
                                       self.unchecked))
        return lines

    @property
    def appeals(self) -> int:
        return sum(line.appeal for line in self.cases)

    @property
    def postcards(self) -> int:
        return sum(line.postcard for line in self.cases)

    def describe_scope(self, lang: Language | None = None) -> str:
        return describe(self.scope, lang)

    def consent_line(self, lang: Language | None = None) -> str | None:
        """How many letters in scope were answered yes and no to "Would you like to hear from us?",
        and how many have no answer (the writer walked away, pressed Esc, or was not asked);
        None when the file holds no answer at all (the stall never asked)."""
        if self.answers is None:
            return None
        lang = lang or language(DEFAULT)
        yes, no = self.answers.get("yes", 0), self.answers.get("no", 0)
        unanswered = lang.ngettext("{n} letter without an answer", "{n} letters without an answer",
                                   max(self.typed - yes - no, 0))  # a handwritten letter is asked nothing
        return lang._("Answered whether we may contact them: {yes} yes, {no} no; {unanswered}").format(
            yes=lang.number(yes), no=lang.number(no), unanswered=unanswered)


def letters(lang: Language, n: int) -> str:
    return lang.ngettext("{n} letter", "{n} letters", n)


def appeals(lang: Language, n: int) -> str:
    return lang.ngettext("{n} appeal", "{n} appeals", n)


def postcards(lang: Language, n: int) -> str:
    return lang.ngettext("{n} postcard", "{n} postcards", n)


def day_name(day: dt.date, lang: Language, *, year: bool = True) -> str:
    """A day as ``lang`` names it briefly, with its weekday: "Fri, 3 Jul 2026", "ven. 3 juil. 2026"."""
    from babel.dates import format_skeleton

    return str(format_skeleton("yMMMEd" if year else "MMMEd", day, locale=lang.locale))


def describe(scope: Scope, lang: Language | None = None) -> str:
    """The selection in words, in ``lang`` (English when not given)."""
    lang = lang or language(DEFAULT)
    parts = []
    if scope.event:
        parts.append(lang._("event {event}").format(event=scope.event))
    if scope.kiosk_id:
        parts.append(lang._("kiosk {kiosk}").format(kiosk=scope.kiosk_id))
    if scope.case_id:
        parts.append(lang._("case {case}").format(case=scope.case_id))
    if scope.since and scope.since == scope.until:
        parts.append(day_name(scope.since, lang))
    else:
        if scope.since:
            parts.append(lang._("from {day}").format(day=lang.date(scope.since)))
        if scope.until:
            parts.append(lang._("until {day}").format(day=lang.date(scope.until)))
    if scope.before:
        parts.append(lang._("before {day}").format(day=lang.date(scope.before)))
    return ", ".join(parts) or lang._("all signatures")


def _lines(rows: list[dict[str, Any]], key: str,
           label: Callable[[dict[str, Any]], str] | None = None) -> list[Line]:
    """Fold count rows of (key, kind) into one Line per key, in key order."""
    merged: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = merged.setdefault(row[key], {"label": (label(row) if label else row[key]),
                                             **dict.fromkeys((*KINDS, "paper", "duplicates"), 0)})
        entry[row["kind"]] += row["count"]
        entry["paper"] += row["paper"]
        entry["duplicates"] += row["duplicates"]
    return [Line(k, v["label"], v["appeal"], v["postcard"], v["paper"], v["duplicates"]) for k, v in merged.items()]


def fold(rows: list[dict[str, Any]], keys: Sequence[str]) -> list[dict[str, Any]]:
    """Count rows (:meth:`~kiosk.store.Store.tallies`' rows) summed per ``keys``, in key order, groups
    of no letters left out: what :meth:`~kiosk.store.Store.counts` gives for those groups."""
    summed: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        key = tuple(row[k] for k in keys)
        entry = summed.get(key)
        if entry is None:
            summed[key] = {**{k: row[k] for k in keys}, **{c: row[c] for c in COUNT_COLUMNS}}
        else:
            for c in COUNT_COLUMNS:
                entry[c] += row[c]
    return [summed[key] for key in sorted(summed) if summed[key]["count"]]


def hours_by_day(rows: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Letters per hour, for each stall day, from count rows by hour. Only days that are dates
    (YYYY-MM-DD) are kept: a row an older merge let in with a time that is none still counts in
    every total."""
    out: dict[str, dict[str, int]] = {}
    for row in fold(rows, ("hour",)):
        day, _, hour = row["hour"].partition(" ")
        try:
            dt.date.fromisoformat(day)
        except ValueError:
            continue
        out.setdefault(day, {})[hour] = row["count"]
    return out


def case_titles(store: Store, case_files: Mapping[str, Case] | None = None) -> dict[str, str]:
    """Each case's title: as signed, else from its case file, else its id."""
    titles = {cid: row["title"] for cid, row in store.case_rows().items() if row["title"]}
    for cid, case in (case_files or {}).items():
        titles.setdefault(cid, case.title)
    return titles


def summarise(store: Store, scope: Scope = Scope(), *, case_files: Mapping[str, Case] | None = None,
              now: dt.datetime | None = None, progress: Tick | None = None) -> Summary:
    """The report of ``scope``: every figure from one tally of the file (:meth:`~kiosk.store.Store.tallies`),
    summed per case, day, kiosk, event and hour here. ``progress`` is told how far it is."""
    titles = case_titles(store, case_files)
    tallied = store.tallies(scope, progress)
    rows = tallied.rows
    cases = sorted(_lines(fold(rows, ("case_id", "kind")), "case_id", lambda r: titles.get(r["case_id"], r["case_id"])),
                   key=lambda line: (-line.total, line.label.casefold()))
    figures = {c: sum(row[c] for row in rows) for c in COUNT_COLUMNS}
    return Summary(
        database=store.path,
        scope=scope,
        generated=now or dt.datetime.now().astimezone(),
        total=figures["count"],
        cases=cases,
        days=_lines(fold(rows, ("day", "kind")), "day"),
        kiosks=_lines(fold(rows, ("kiosk_id", "kind")), "kiosk_id"),
        events=_lines(fold(rows, ("event", "kind")), "event"),
        hours=hours_by_day(rows),
        print_status=tallied.print_status,
        answers=tallied.answers,
        paper=figures["paper"],
        duplicates=figures["duplicates"],
        unchecked=tallied.unchecked,
    )


@dataclass(frozen=True)
class Tally:
    """The end-of-day slip: one stall day's letters per case and per hour (handwritten ones in the
    hour they were entered), ``summary`` holding the day's figures."""

    day: dt.date
    event: str | None
    kiosk_id: str | None
    total: int
    cases: list[Line]
    hours: dict[str, int]
    printed_at: dt.datetime
    summary: Summary


def tally(store: Store, day: dt.date, *, event: str | None = None, kiosk_id: str | None = None,
          case_files: Mapping[str, Case] | None = None, now: dt.datetime | None = None) -> Tally:
    scope = Scope.day(day, event=event, kiosk_id=kiosk_id)
    summary = summarise(store, scope, case_files=case_files, now=now)
    return Tally(day, event, kiosk_id, summary.total, summary.cases, summary.hours.get(day.isoformat(), {}),
                 summary.generated, summary)
