"""Counts: every figure the kiosk shows or exports comes from here.

Each count has four figures (:data:`~kiosk.store.models.COUNT_COLUMNS`): ``count``, the letters
written (typed at a kiosk, and handwritten ones collected at the stall); ``paper``, of them
handwritten (``paper_letters``, corrections included); ``duplicates``, typed letters that are
likely duplicates (an earlier letter of the same case has the same signer, :mod:`kiosk.signers`);
``signers``, typed letters less those: each writer once per case. So ``count = signers +
duplicates + paper`` in every row, and rows add up.

Days and hours are the stall's: each signature keeps the kiosk's wall-clock time
(``local_time``) beside the UTC one, and every count (the home screen, the organiser
screen, the tally slip, reports and exports) groups and filters by it through
:meth:`Counts.counts`, so they always agree, wherever and whenever they are computed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import InputError
from .connection import Database
from .models import COUNT_COLUMNS, GROUPS, Scope, group_columns
from .readonly import text

Tick = Callable[[int, "int | None"], None]
"""How far a long read is: (done, out of, when known); the command line draws it as a progress bar."""
TICK_ROWS = 10_000  # rows read between two ticks


def check_groups(by: Sequence[str] | str) -> list[str]:
    """``by`` as a list of known groupings, each once; InputError naming ``by`` otherwise."""
    groups = [by] if isinstance(by, str) else list(by)
    for group in groups:
        if group not in GROUPS:
            raise InputError(f"{group!r} is not one of {', '.join(GROUPS)}", field="by")
    if not groups or len(set(groups)) != len(groups):
        raise InputError(f"name each of {', '.join(GROUPS)} at most once", field="by")
    return groups


WIDE_COLUMNS = ("appeals", "postcards", "total", "paper", "duplicates", "signers")
"""``--wide``: a count's kinds side by side (letters written: appeals, postcards, their total) and the
total's other figures (COUNT_COLUMNS)."""


def wide_columns(by: Sequence[str] | str) -> list[str]:
    """The columns of :func:`widen`'s rows for a count grouped by ``by`` (``kind`` is the columns)."""
    groups = [g for g in check_groups(by) if g != "kind"]
    return [c for g in groups for c in GROUPS[g][1]] + list(WIDE_COLUMNS)


def wide_groups(by: Sequence[str] | str) -> list[str]:
    """The groupings to count by for a wide count: ``by``, with ``kind`` (its columns) last."""
    groups = [g for g in check_groups(by) if g != "kind"]
    return [*groups, "kind"]


def widen(rows: Sequence[dict[str, Any]], by: Sequence[str] | str) -> list[dict[str, Any]]:
    """Rows counted by ``wide_groups(by)`` as one row per group, with appeals, postcards and total (letters
    written) and the total's paper, duplicates and signers as columns, in the groups' order (the shape
    an office's spreadsheet wants)."""
    groups = [g for g in check_groups(by) if g != "kind"]
    keys = [c for g in groups for c in GROUPS[g][1]]
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        key = tuple(row[k] for k in keys)
        wide = out.setdefault(key, {**{k: row[k] for k in keys}, **dict.fromkeys(WIDE_COLUMNS, 0)})
        wide["appeals" if row["kind"] == "appeal" else "postcards"] += row["count"]
        wide["total"] += row["count"]
        for figure in ("paper", "duplicates", "signers"):
            wide[figure] += row[figure]
    return list(out.values())


# A typed letter is a likely duplicate when an earlier letter (UTC time, then id) of its case has its signer.
DUPLICATE = ("(s.signer IS NOT NULL AND EXISTS (SELECT 1 FROM signatures e WHERE e.signer = s.signer"
             " AND e.case_id = s.case_id AND (e.created_at < s.created_at"
             " OR (e.created_at = s.created_at AND e.id < s.id))))")


def _letters(where: str) -> str:
    """Typed and paper letters as one table ``s`` that GROUPS and Scope read: its columns, and n
    (letters), paper (of them handwritten), dup (of them likely duplicates)."""
    return (f"SELECT s.case_id, s.kind, s.event, s.kiosk_id, s.local_time, s.language, 1 AS n, 0 AS paper,"
            f" {DUPLICATE} AS dup FROM signatures s{where}"
            f" UNION ALL SELECT s.case_id, s.kind, s.event, s.kiosk_id, s.local_time, NULL, s.count, s.count, 0"
            f" FROM paper_letters s{where}")


TALLY_GROUPS = ("case", "kind", "event", "kiosk", "day", "hour")
"""What :meth:`Counts.tallies` counts by: every count the report shows is a sum of its rows."""

# The typed letters that are likely duplicates (DUPLICATE), found from the signers that wrote more than
# once for a case (a scan of the signer index, in its order) rather than by a search for each letter:
# a letter of such a signer and case is one if it is not the first (UTC time, then id) of them.
_REPEATED = ("SELECT signer, case_id, MIN(created_at) AS first_at FROM signatures WHERE signer IS NOT NULL"
             " GROUP BY signer, case_id HAVING COUNT(*) > 1")
_REPEATS = (f"({_REPEATED}) r JOIN signatures s ON s.signer = r.signer AND s.case_id = r.case_id"
            " AND (s.created_at > r.first_at OR (s.created_at = r.first_at AND EXISTS (SELECT 1 FROM signatures e"
            " WHERE e.signer = s.signer AND e.case_id = s.case_id AND e.created_at = s.created_at AND e.id < s.id)))")


@dataclass(frozen=True)
class Tallies:
    """Everything the report counts, read in a few passes over a file of any size.

    ``rows``: the letters (typed and handwritten) per TALLY_GROUPS, as :meth:`Counts.counts` gives
    them for those groups (without the case's title), in key order; ``unchecked``: typed letters
    without a signer; ``print_status``: typed letters by the state of their print job;
    ``answers``: answers to being contacted by choice, None when the file holds none at all."""

    rows: list[dict[str, Any]]
    unchecked: int
    print_status: dict[str, int]
    answers: dict[str, int] | None


def _keys() -> str:
    return ", ".join(GROUPS[g][0] for g in TALLY_GROUPS)


class Tallying(Database):
    """The report's counts (:class:`Counts` is one)."""

    def tallies(self, scope: Scope = Scope(), progress: Tick | None = None) -> Tallies:
        """The report's figures for ``scope`` (see :class:`Tallies`): equal to what :meth:`Counts.counts`,
        :meth:`Counts.print_status_counts` and the consents' counts give, faster. The typed letters are
        counted in one pass with no sorting (Python's Counter over the cursor, its keys as bytes: no call
        into Python for a row), their duplicates from the signers that repeat (:data:`_REPEATS`), the
        handwritten ones (few entries) by SQL. ``progress`` is told each step of five."""
        tick = progress or (lambda done, total: None)
        where, params = scope.where()
        width = len(TALLY_GROUPS)
        figures: dict[tuple[str, ...], list[int]] = {}
        unchecked = 0
        for key, (n, unsigned) in self._typed(where, params).items():
            figures[key] = [n, 0, 0]
            unchecked += unsigned
        tick(1, 5)
        for row in self.db.execute(f"SELECT {_keys()}, COUNT(*) FROM {_REPEATS}{where} GROUP BY {_keys()}",
                                   params):
            figures.setdefault(tuple(row[:width]), [0, 0, 0])[2] += row[width]
        tick(2, 5)
        paper = 0
        for row in self.db.execute(f"SELECT {_keys()}, SUM(s.count) FROM paper_letters s{where} GROUP BY {_keys()}",
                                   params):
            counted = figures.setdefault(tuple(row[:width]), [0, 0, 0])
            counted[0] += row[width]
            counted[1] += row[width]
            paper += row[width]
        tick(3, 5)
        columns = [c for g in TALLY_GROUPS for c in GROUPS[g][1] if c != "case_title"]
        rows = [dict(zip((*columns, *COUNT_COLUMNS), (*key, n, on_paper, dup, n - on_paper - dup), strict=True))
                for key, (n, on_paper, dup) in sorted(figures.items())]
        status = self._print_status(scope, where, params, sum(n for n, _, _ in figures.values()) - paper)
        tick(4, 5)
        answers = self._answers(scope, where, params)
        tick(5, 5)
        return Tallies(rows, unchecked, status, answers)

    def _typed(self, where: str, params: list[object]) -> dict[tuple[str, ...], tuple[int, int]]:
        """The typed letters in ``where`` per TALLY_GROUPS: (letters, of them without a signer). One pass
        and no sorting: each row's keys (the day and hour as the first 13 characters of its time) joined
        by a unit separator into one BLOB that Python's Counter counts over the cursor, with no call into
        Python for a row. Should a key hold the separator itself, or a time not be UTF-8 (another
        program's), SQL groups them instead, exactly."""
        joined = " || X'1F' || ".join(["s.case_id", "s.kind", "s.event", "s.kiosk_id", "substr(s.local_time, 1, 13)",
                                         "(s.signer IS NULL)"])
        raw = self.db.conn.cursor()
        raw.row_factory = None  # bytes as they are, no call for a row (the connection's reads a BLOB as text)
        counted = Counter(raw.execute(f"SELECT CAST({joined} AS BLOB) FROM signatures s{where}", params))
        out: dict[tuple[str, ...], list[int]] = {}
        for (key,), n in counted.items():
            parts = key.split(b"\x1f") if isinstance(key, bytes) else []
            try:
                case_id, kind, event, kiosk_id, start, unsigned = parts
                time = start.decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                return self._typed_by_sql(where, params)
            day = time[:10]  # GROUPS' day and hour, from the time's first 13 characters
            entry = out.setdefault((text(case_id), text(kind), text(event), text(kiosk_id), day,
                                    f"{day} {time[11:13]}:00"), [0, 0])
            entry[0] += n
            entry[1] += n if unsigned == b"1" else 0
        return {key: (n, unsigned) for key, (n, unsigned) in out.items()}

    def _typed_by_sql(self, where: str, params: list[object]) -> dict[tuple[str, ...], tuple[int, int]]:
        rows = self.db.execute(f"SELECT {_keys()}, COUNT(*), SUM(s.signer IS NULL) FROM signatures s{where}"
                               f" GROUP BY {_keys()}", params).fetchall()
        return {tuple(row[:-2]): (row[-2], row[-1]) for row in rows}

    def _print_status(self, scope: Scope, where: str, params: list[object], typed: int) -> dict[str, int]:
        """Typed letters by their print job's state: for the whole file from the jobs' own index (each
        job is a letter's: merges and the foreign key see to it), else by joining the letters in scope."""
        if scope == Scope():
            jobs = dict(self.db.execute("SELECT status, COUNT(*) FROM print_jobs GROUP BY status").fetchall())
            if sum(jobs.values()) <= typed:
                if typed > sum(jobs.values()):
                    jobs["none"] = typed - sum(jobs.values())
                return dict(sorted(jobs.items()))
        return dict(self.db.execute(f"SELECT COALESCE(j.status, 'none'), COUNT(*) FROM signatures s"
                                    f" LEFT JOIN print_jobs j ON j.signature_id = s.id{where} GROUP BY 1",
                                    params).fetchall())

    def _answers(self, scope: Scope, where: str, params: list[object]) -> dict[str, int] | None:
        """Answers to being contacted in scope by choice; None when the file holds none."""
        every = dict(self.db.execute("SELECT choice, COUNT(*) FROM consents GROUP BY choice").fetchall())
        if not every or scope == Scope():
            return every or None
        return dict(self.db.execute(f"SELECT c.choice, COUNT(*) FROM consents c JOIN signatures s"
                                    f" ON s.id = c.signature_id{where} GROUP BY c.choice", params).fetchall())


class Counts(Tallying):
    def counts(self, by: Sequence[str] | str = ("case",), scope: Scope = Scope()) -> list[dict[str, Any]]:
        """Letters counted per combination of ``by`` (see GROUPS), in key order, each row with
        COUNT_COLUMNS (typed and paper letters, likely duplicates, signers)."""
        groups = check_groups(by)
        keys = [GROUPS[g][0] for g in groups]
        select = [f"{key}, COALESCE(c.title, '')" if g == "case" else key for g, key in zip(groups, keys, strict=True)]
        join = " LEFT JOIN cases c ON c.id = s.case_id" if "case" in groups else ""
        where, params = scope.where()
        group_by = ", ".join(keys)
        rows = self.db.execute(
            f"SELECT {', '.join(select)}, SUM(s.n), SUM(s.paper), SUM(s.dup), SUM(s.n) - SUM(s.paper) - SUM(s.dup)"
            f" FROM ({_letters(where)}) s{join} GROUP BY {group_by} HAVING SUM(s.n) <> 0"
            f" ORDER BY {group_by}",
            [*params, *params],
        ).fetchall()
        columns = group_columns(groups)
        return [dict(zip(columns, row, strict=True)) for row in rows]

    def figures(self, scope: Scope = Scope()) -> dict[str, int]:
        """The four figures (COUNT_COLUMNS) of every letter in ``scope``."""
        where, params = scope.where()
        row = self.db.execute(
            "SELECT COALESCE(SUM(s.n), 0), COALESCE(SUM(s.paper), 0), COALESCE(SUM(s.dup), 0)"
            f" FROM ({_letters(where)}) s",
            [*params, *params]).fetchone()
        letters, paper, dup = (int(v) for v in row)
        return dict(zip(COUNT_COLUMNS, (letters, paper, dup, letters - paper - dup), strict=True))

    def total(self, scope: Scope = Scope()) -> int:
        where, params = scope.where()
        return int(self.db.execute(f"SELECT COUNT(*) FROM signatures s{where}", params).fetchone()[0])

    def print_status_counts(self, scope: Scope = Scope()) -> dict[str, int]:
        """Appeals and postcards in ``scope`` by the state of their print job."""
        where, params = scope.where()
        rows = self.db.execute(
            f"SELECT COALESCE(j.status, 'none'), COUNT(*) FROM signatures s"
            f" LEFT JOIN print_jobs j ON j.signature_id = s.id{where} GROUP BY 1",
            params,
        ).fetchall()
        return dict(rows)
