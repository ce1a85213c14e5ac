"""The case set the office publishes (``kiosk hq cases publish DIR``) and kiosks fetch when they sync.

A folder is published only whole and only when every case file in it passes the checks a
kiosk makes of its own case files (the caller hands in what ``kiosk cases check`` found); the
files travel as their TOML text, so a kiosk checks exactly what the office checked
(:mod:`kiosk.sync.published` takes a set only whole, of at most ``FILES_MAX`` case files). A set
identical to the latest makes no new version.
"""

from __future__ import annotations

from ..cases import CaseSet
from ..errors import CaseError
from ..sync.published import FILES_MAX
from . import store
from .schema import open_hq


def publish(dsn: str, found: CaseSet) -> store.CaseSetRow:
    """Publish the cases ``found`` in a folder as the next version; a CaseError naming the first
    problem (and how many there are) when the folder has any."""
    if found.errors:
        first = found.errors[0]
        more = f" (and {len(found.errors) - 1} more problem(s): run kiosk cases check)" if len(found.errors) > 1 else ""
        raise CaseError(f"{first.problem}{more}; nothing was published", field=first.field, source=first.source)
    if len(found.cases) > FILES_MAX:
        folder = next((str(c.path.parent) for c in found.cases.values() if c.path is not None), None)
        raise CaseError(f"{len(found.cases)} cases; a kiosk takes at most {FILES_MAX}: nothing was published",
                        source=folder)
    files: dict[str, str] = {}
    for case in found.cases.values():
        if case.path is None:
            raise CaseError("a case without its file cannot be published", source=case.id)
        try:
            files[case.path.name] = case.path.read_bytes().decode("utf-8")  # as on disk, line ends too
        except (OSError, UnicodeDecodeError) as exc:
            raise CaseError(f"cannot read it again: {exc}; nothing was published", source=str(case.path)) from None
    titles = {case.id: case.title for case in found.cases.values()}
    with open_hq(dsn) as conn:
        return store.publish_cases(conn, files, titles)


def latest(dsn: str) -> store.CaseSetRow:
    with open_hq(dsn) as conn:
        return store.latest_cases(conn)
