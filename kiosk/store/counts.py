"""Counts: every figure the kiosk shows or exports comes from here.

Days and hours are the stall's: each signature keeps the kiosk's wall-clock time
(``local_time``) beside the UTC one, and every count (the home screen, the organiser
screen, the tally slip, reports and exports) groups and filters by it through
:meth:`Counts.counts`, so they always agree, wherever and whenever they are computed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import InputError
from .connection import Database
from .models import GROUPS, Scope, group_columns


def check_groups(by: Sequence[str] | str) -> list[str]:
    """``by`` as a list of known groupings, each once; InputError naming ``by`` otherwise."""
    groups = [by] if isinstance(by, str) else list(by)
    for group in groups:
        if group not in GROUPS:
            raise InputError(f"{group!r} is not one of {', '.join(GROUPS)}", field="by")
    if not groups or len(set(groups)) != len(groups):
        raise InputError(f"name each of {', '.join(GROUPS)} at most once", field="by")
    return groups


class Counts(Database):
    def counts(self, by: Sequence[str] | str = ("case",), scope: Scope = Scope()) -> list[dict[str, Any]]:
        """Signatures counted per combination of ``by`` (see GROUPS), in key order."""
        groups = check_groups(by)
        keys = [GROUPS[g][0] for g in groups]
        select = [f"{key}, COALESCE(c.title, '')" if g == "case" else key for g, key in zip(groups, keys, strict=True)]
        join = " LEFT JOIN cases c ON c.id = s.case_id" if "case" in groups else ""
        where, params = scope.where()
        group_by = ", ".join(keys)
        rows = self.db.execute(
            f"SELECT {', '.join(select)}, COUNT(*) FROM signatures s{join}{where}"
            f" GROUP BY {group_by} ORDER BY {group_by}",
            params,
        ).fetchall()
        columns = group_columns(groups)
        return [dict(zip(columns, row, strict=True)) for row in rows]

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
