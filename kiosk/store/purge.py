"""Removing visitors' names and messages for good, keeping every row, so every count.

The purge cancels the print jobs of letters not printed yet (there is no name left to
print), then leaves nothing of what it removed in the file: ``secure_delete``, VACUUM and
an emptied WAL.
"""

from __future__ import annotations

from ..job_states import Transition
from .connection import Database
from .jobs import marks, move_jobs
from .models import PurgePreview, PurgeResult, Scope, utc_now

_CANCELLABLE = [state.value for state in Transition.CANCEL.sources]


class Purge(Database):
    def purge_preview(self, scope: Scope) -> PurgePreview:
        """What :meth:`purge_personal_data` would do to ``scope``."""
        where, params = scope.where()
        keep, unprinted, done = self.db.execute(
            "SELECT COUNT(*) FILTER (WHERE s.purged_at IS NULL),"
            f" COUNT(*) FILTER (WHERE s.purged_at IS NULL AND j.status IN ({marks(_CANCELLABLE)})),"
            " COUNT(*) FILTER (WHERE s.purged_at IS NOT NULL)"
            f" FROM signatures s LEFT JOIN print_jobs j ON j.signature_id = s.id{where}",
            [*_CANCELLABLE, *params],
        ).fetchone()
        return PurgePreview(keep, unprinted, done)

    def purge_personal_data(self, scope: Scope) -> PurgeResult:
        """Remove names and messages in ``scope``, keep every row (so every count), and
        leave nothing of them in the file: secure_delete, then VACUUM and an emptied WAL.

        Raises StoreError if another connection keeps the file from being cleaned; the
        names are gone from the data by then, and running the purge again finishes it.
        """
        where, params = scope.where()
        now = utc_now()
        self.db.execute("PRAGMA secure_delete=ON")
        in_scope = f"SELECT s.id FROM signatures s{where}"
        with self.transaction() as conn:
            cancelled = move_jobs(conn, Transition.CANCEL, f"signature_id IN ({in_scope})", params,
                                  error="personal data purged before printing")
            purged = conn.execute(
                "UPDATE signatures SET name = NULL, message = NULL, purged_at = ?"
                f" WHERE id IN ({in_scope}) AND purged_at IS NULL",
                [now, *params],
            ).rowcount
        self.scrub()
        return PurgeResult(purged, cancelled)

    def scrub(self) -> None:
        """Rewrite the file without free pages and empty its WAL, so removed data is gone."""
        with self.db.ensure_autocommit_on():
            self._checkpoint()
            self.db.execute("VACUUM")
            self._checkpoint()

    def _checkpoint(self) -> None:
        busy, _, _ = self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            raise self.error(
                "another program has the database open (a running kiosk?), so removed data may"
                " still be in its journal; close it and run the purge again"
            )
