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

from collections.abc import Callable, Sequence
from typing import Any

from ..errors import InputError
from .connection import Database
from .models import COUNT_COLUMNS, GROUPS, Scope, group_columns

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


class Counts(Database):
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
