"""``kiosk demo --fresh``: the demo started again with an empty database.

Only a demo's database is emptied: one whose letters (and handwritten entries) were all written
by the demo (event ``Demo``, kiosk ``demo``). A stall's file named by mistake with ``--db`` is
refused, naming it, and left as it was."""

from __future__ import annotations

from pathlib import Path

from ..errors import KioskError, SettingError
from ..settings import Settings
from ..store import Store


def start_fresh(settings: Settings) -> None:
    """Remove the demo's database (and its journals) so the demo starts empty; SettingError naming
    ``--db`` when the file is not the demo's."""
    path = Path(settings.database)
    if not path.exists() and not path.is_symlink():
        return
    try:
        with Store(path, create=False, readonly=True) as store:
            events = set(store.events()) | set(store.paper_events())
            kiosks = set(store.kiosk_ids()) | set(store.paper_kiosk_ids())
    except KioskError as exc:
        raise SettingError(f"not emptied for --fresh: {exc.problem}", field="--db", source=str(path)) from None
    if not events <= {settings.event} or not kiosks <= {settings.kiosk_id}:
        raise SettingError(f"holds letters that are not the demo's (events: {', '.join(sorted(events))});"
                           " --fresh empties only a demo's database", field="--db", source=str(path))
    store.remove()  # closed: the file and its journals
