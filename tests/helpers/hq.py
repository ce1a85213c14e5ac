"""Rows as a kiosk uploads them, made from a kiosk database or by hand, and the HTTP calls of
the office's tests (``kiosk hq``; its PostgreSQL and service are :mod:`tests.helpers.postgres`'s)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

import httpx

from kiosk import sync_protocol
from kiosk.consent import wording_id
from kiosk.store import Store


def signature_row(sig: Any, personal: dict[str, Any] | None = None) -> dict[str, Any]:
    """The upload row of a store's Signature (its name and message as personal data unless told)."""
    content = {name: getattr(sig, name) for name in sync_protocol.CONTENT["signature"]}
    if personal is None:
        personal = {"name": sig.name, "message": sig.message}
    return sync_protocol.row("signature", content, personal)


def outbox_rows(db_path: Path, kiosk_id: str, policy: str = "all") -> list[dict[str, Any]]:
    """What a sync of ``kiosk_id`` would send from a kiosk database (its outbox, every row of the
    kiosk id, made into upload rows by the kiosk's own code), in the order it sends them."""
    from kiosk.sync.payload import upload_row

    with Store(db_path, create=False) as store:
        return [upload_row(item, policy) for item in store.outbox_batch(kiosk_id, sync_protocol.MAX_ROWS)]


def paper(kiosk_id: str = "stall-1", case_id: str = "lawyer-amara-osei", count: int = 12, *,
          note: str | None = None, local_time: str = "2026-07-03T10:05:00.000000+02:00",
          **fields: Any) -> dict[str, Any]:
    """A paper letters entry's row, made up (a correction: give ``corrects`` and copy its entry)."""
    created_at = dt.datetime.fromisoformat(local_time).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    content = {"id": str(uuid.uuid4()), "case_id": case_id, "kind": "appeal", "count": count, "corrects": None,
               "created_at": created_at, "local_time": local_time, "event": "Summer Fest", "kiosk_id": kiosk_id}
    content.update(fields)
    return sync_protocol.row("paper", content, None if note is None else {"note": note})


def correction(entry: dict[str, Any], change: int, **fields: Any) -> dict[str, Any]:
    """A correction of the entry row ``entry`` by ``change`` letters, as a kiosk makes one (later)."""
    copied = {k: entry["content"][k] for k in ("case_id", "kind", "event", "kiosk_id", "local_time")}
    content = dict(copied, id=str(uuid.uuid4()), count=change, corrects=entry["id"],
                   created_at="2026-07-04T09:00:00.000000Z")
    content.update(fields)
    return sync_protocol.row("paper", content, None)


def rows_of(db_path: Path, kiosk_id: str | None = None) -> list[dict[str, Any]]:
    """Every signature of a kiosk database (only ``kiosk_id``'s, when named) as upload rows."""
    with Store(db_path) as store:
        return [signature_row(s) for s in store.signatures() if kiosk_id is None or s.kiosk_id == kiosk_id]


def letter(kiosk_id: str = "stall-1", case_id: str = "lawyer-amara-osei", *, number: int = 1,
           local_time: str = "2026-07-03T10:05:00.000000+02:00", **fields: Any) -> dict[str, Any]:
    """A signature's content, made up (every field of its kind)."""
    content = dict.fromkeys(sync_protocol.CONTENT["signature"])
    try:  # the same moment as its stall time, as a kiosk records it
        created_at = dt.datetime.fromisoformat(local_time).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError:
        created_at = "2026-07-03T08:05:00.000000Z"
    content.update(id=str(uuid.uuid4()), number=number, case_id=case_id, kind="appeal", event="Summer Fest",
                   kiosk_id=kiosk_id, created_at=created_at, local_time=local_time,
                   language="en", letter_language="en")
    content.update(fields)
    return content


def signature(kiosk_id: str = "stall-1", personal: dict[str, Any] | None = None, *, signer: str | None = None,
              **fields: Any) -> dict[str, Any]:
    return sync_protocol.row("signature", letter(kiosk_id, **fields), personal, signer)


WORDING = {"language": "en", "version": "2026-1", "controller": "Amnesty Example", "lawful_basis": "consent",
           "privacy_url": "https://example.org/privacy", "minimum_age": None,
           "question": "May we email you about this case?", "statement": "We will email you about this case.",
           "notice": "You can ask us to stop at any time."}


def wording(**fields: Any) -> dict[str, Any]:
    """A consent wording's row (its id the hash of its text): a consent's wording, sent before it."""
    content = dict(WORDING, **fields)
    return sync_protocol.row("consent_text", dict(content, id=wording_id(content)), None)


def consent(signature_id: str, email: str | None = "ada@example.org", **fields: Any) -> dict[str, Any]:
    """A consent's row: a yes to :data:`WORDING` (send :func:`wording` first) unless told."""
    content = dict.fromkeys(sync_protocol.CONTENT["consent"])
    content.update(id=str(uuid.uuid4()), signature_id=signature_id, channel="email", choice="yes",
                   text_id=wording_id(WORDING), language="en", age_confirmed=False,
                   created_at="2026-07-03T08:06:00.000000Z",
                   local_time="2026-07-03T10:06:00.000000+02:00")
    content.update(fields)
    return sync_protocol.row("consent", content, {"email": email})


def batch(kiosk_id: str, rows: list[Any]) -> dict[str, Any]:
    return {"protocol": sync_protocol.PROTOCOL, "kiosk_id": kiosk_id, "rows": rows}


def upload(url: str, token: str | None, body: Any, **kwargs: Any) -> httpx.Response:
    """POST a batch (or any bytes) to the service's upload endpoint."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    headers.update(kwargs.pop("headers", {}))
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(url + sync_protocol.UPLOAD, content=content, headers=headers, timeout=30, **kwargs)


def answers(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [a["answer"] for a in response.json()["answers"]]


def one_line_error(response: httpx.Response, status: int) -> str:
    """The response's error line, after checking it is one line of JSON with only ``error``."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json")
    assert "\n" not in response.text
    body = response.json()
    assert list(body) == ["error"] and body["error"], body
    return str(body["error"])


def replace(row: dict[str, Any], **content: Any) -> dict[str, Any]:
    """The same row with other content (and its new hash): a conflict when its id is known already."""
    changed = dict(row["content"], **content)
    return sync_protocol.row(row["kind"], changed, row["personal"])


__all__ = ["answers", "batch", "consent", "correction", "letter", "one_line_error", "outbox_rows", "paper",
           "replace", "rows_of", "signature", "signature_row", "upload", "wording"]
