"""The case set the office publishes (``kiosk hq cases publish DIR``) and kiosks fetch when they sync.

A folder is published only whole and only when every case file in it passes the checks a
kiosk makes of its own case files (the caller hands in what ``kiosk cases check`` found); the
files travel as their TOML text, so a kiosk checks exactly what the office checked
(:mod:`kiosk.sync.published` takes a set only whole, of at most ``FILES_MAX`` case files). A set
identical to the latest makes no new version, and a set whose answer to ``GET /api/v1/cases``
would be larger than a kiosk reads (:data:`kiosk.sync.client.CASES_MAX`) is refused.

The service answers a kiosk that has the latest set already (``If-None-Match`` holding its
hash, as :meth:`kiosk.sync.client.Client.cases` sends it) with 304 and no body.
"""

from __future__ import annotations

import json

from ..cases import CaseSet
from ..errors import CaseError
from ..sync.client import CASES_MAX
from ..sync.published import FILES_MAX
from ..sync_protocol import content_hash
from . import store
from .schema import open_hq


def answer(row: store.CaseSetRow) -> bytes:
    """The body of ``GET /api/v1/cases`` for ``row``: the bytes a kiosk reads."""
    return json.dumps({"version": row.version, "hash": row.hash, "files": row.files}, ensure_ascii=False,
                      allow_nan=False, separators=(",", ":")).encode("utf-8")


def etag_matches(header: str | None, digest: str) -> bool:
    """Whether an ``If-None-Match`` header names the set whose hash is ``digest`` (a kiosk sends
    its hash quoted; weak tags and lists are read too)."""
    if not header:
        return False
    tags = [t.strip() for t in header.split(",")]
    return any(t == "*" or t.removeprefix("W/").strip('"') == digest for t in tags)


def _folder(found: CaseSet) -> str | None:
    return next((str(c.path.parent) for c in found.cases.values() if c.path is not None), None)


def publish(dsn: str, found: CaseSet) -> store.CaseSetRow:
    """Publish the cases ``found`` in a folder as the next version; a CaseError naming the first
    problem (and how many there are) when the folder has any."""
    if found.errors:
        first = found.errors[0]
        more = f" (and {len(found.errors) - 1} more problem(s): run kiosk cases check)" if len(found.errors) > 1 else ""
        raise CaseError(f"{first.problem}{more}; nothing was published", field=first.field, source=first.source)
    if len(found.cases) > FILES_MAX:
        raise CaseError(f"{len(found.cases)} cases; a kiosk takes at most {FILES_MAX}: nothing was published",
                        source=_folder(found))
    files: dict[str, str] = {}
    for case in found.cases.values():
        if case.path is None:
            raise CaseError("a case without its file cannot be published", source=case.id)
        try:
            files[case.path.name] = case.path.read_bytes().decode("utf-8")  # as on disk, line ends too
        except (OSError, UnicodeDecodeError) as exc:
            raise CaseError(f"cannot read it again: {exc}; nothing was published", source=str(case.path)) from None
    size = len(answer(store.CaseSetRow(2**31 - 1, content_hash(files), files)))  # the largest version
    if size > CASES_MAX:
        raise CaseError(f"its answer to kiosks would be {size:,} bytes; a kiosk reads at most {CASES_MAX:,}:"
                        " nothing was published", source=_folder(found))
    titles = {case.id: case.title for case in found.cases.values()}
    with open_hq(dsn) as conn:
        return store.publish_cases(conn, files, titles)


def latest(dsn: str) -> store.CaseSetRow:
    with open_hq(dsn) as conn:
        return store.latest_cases(conn)
