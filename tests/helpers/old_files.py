"""Kiosk files as older kiosks wrote them: the migrations up to one, and a few letters in them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from sqlite_utils import Database

from kiosk.store.schema import migrations


def database_before(path: Path, migration: str, *, rows: int, case_id: str, status: str | Callable[[int], str],
                    hour: str = "08:30") -> list[str]:
    """A kiosk file with the migrations before ``migration`` and ``rows`` letters for ``case_id``
    (one a day from 1 June 2026 at ``hour`` UTC, with the stall's time where the file has the
    column, each with a print job in ``status``, or ``status(i)`` for the i-th); their ids."""
    db = Database(path)
    migrations.apply(db, stop_before=migration)
    stall_time = "local_time" in db["signatures"].columns_dict
    ids = []
    for i in range(rows):
        sid = str(uuid.uuid4())
        ids.append(sid)
        when = f"2026-06-0{i + 1}T{hour}:00.000000Z"
        row = {"id": sid, "number": i + 1, "case_id": case_id, "kind": "appeal", "name": f"Old Visitor {i}",
               "message": "m", "created_at": when, "event": "Old Fest", "kiosk_id": "k0"}
        if stall_time:
            row["local_time"] = when.replace("Z", "+00:00")
        if db["cases"].exists():
            db.execute("INSERT OR IGNORE INTO cases (id) VALUES (?)", [case_id])
        marks = ", ".join("?" for _ in row)
        db.execute(f"INSERT INTO signatures ({', '.join(row)}) VALUES ({marks})", list(row.values()))
        db.execute("INSERT INTO print_jobs (signature_id, status, attempts, created_at, updated_at)"
                   " VALUES (?, ?, 1, ?, ?)", [sid, status if isinstance(status, str) else status(i), when, when])
    db.conn.commit()
    db.close()
    return ids
