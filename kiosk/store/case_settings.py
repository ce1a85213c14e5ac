"""Cases switched off on this kiosk by the organiser: kept in the database, so they stay off."""

from __future__ import annotations

from .connection import Database
from .models import utc_now


class CaseSettings(Database):
    def disabled_cases(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT case_id FROM case_settings WHERE enabled = 0")}

    def set_case_enabled(self, case_id: str, enabled: bool) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO case_settings (case_id, enabled, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT(case_id) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at",
                [case_id, int(enabled), utc_now()],
            )
