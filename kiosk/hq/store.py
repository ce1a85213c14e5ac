"""Every SQL statement of the office's side: tokens, the ingestion of a kiosk's batch, the
conflicts kept, the published case sets and national counts.

Each function takes an open psycopg connection (a command's, or one the service borrowed
from its pool) and leaves transactions to :func:`ingest` and :func:`publish_cases`, which
hold theirs themselves. Table names come from :data:`TABLES` and groupings from
:data:`kiosk.store.GROUPS`, never from a request.

A batch (:func:`ingest`) is one transaction: every well-formed row is inserted with
``ON CONFLICT (id) DO NOTHING``; each row not inserted is then a *duplicate* (the stored
hash is its hash) or a *conflict* (another hash: the first copy is kept and the incoming
one recorded in ``conflicts``, never dropped). Personal data is kept per field, the latest
non-null value winning, and only from the kiosk that sent the row first; so is a letter's
signer fingerprint (null: not known, never erasing one). A paper letters correction is
taken only once the entry it corrects is here, from the same kiosk (:func:`_ingest_paper`).

Counts (:func:`counts`, :func:`figures`) are those of a kiosk's :mod:`kiosk.store.counts`,
over every kiosk's rows: typed and paper letters, likely duplicates (an earlier letter of the
same case and signer, from any kiosk), signers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from ..store import COUNT_COLUMNS, GROUPS, Scope, check_groups, group_columns
from ..sync_protocol import KINDS, canonical, content_hash, row_problem
from .values import consent_problem, consent_text_problem, correction_problem, paper_problem, signature_problem

TABLES = {"signature": "signatures", "consent": "consents", "consent_text": "consent_texts", "paper": "paper_letters"}
REASON_MAX = 300
ID_ECHO_MAX = 200
# wordings and letters before consents: a consent's wording and letter may come in the same batch
INGESTED = ("consent_text", "signature", "paper", "consent")
NOT_HERE = ("corrects: the entry it corrects is not at the office (a kiosk sends an entry before its"
            " corrections)")
CONFLICT_REASON = "this id is here already with other content: the first copy is kept, this one recorded as a conflict"


# -- tokens ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenRow:
    id: int
    kiosk_id: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


def insert_token(conn: psycopg.Connection, kiosk_id: str, digest: str) -> int:
    row = conn.execute("INSERT INTO tokens (kiosk_id, digest) VALUES (%s, %s) RETURNING id",
                       (kiosk_id, digest)).fetchone()
    assert row is not None
    return int(row[0])


def revoke_tokens(conn: psycopg.Connection, kiosk_id: str, token_id: int | None = None) -> list[int]:
    """Revoke ``kiosk_id``'s tokens still in use (or only ``token_id``); the ids revoked."""
    rows = conn.execute(
        "UPDATE tokens SET revoked_at = now() WHERE kiosk_id = %s AND revoked_at IS NULL"
        " AND (%s::bigint IS NULL OR id = %s::bigint) RETURNING id",
        (kiosk_id, token_id, token_id),
    ).fetchall()
    return sorted(int(r[0]) for r in rows)


def known_kiosk(conn: psycopg.Connection, kiosk_id: str) -> bool:
    """Whether ``kiosk_id`` ever had a token."""
    return conn.execute("SELECT 1 FROM tokens WHERE kiosk_id = %s LIMIT 1", (kiosk_id,)).fetchone() is not None


def tokens(conn: psycopg.Connection) -> list[TokenRow]:
    """Every token, without its digest: by kiosk, oldest first."""
    rows = conn.execute(
        "SELECT id, kiosk_id, created_at, revoked_at, last_used_at FROM tokens ORDER BY kiosk_id COLLATE \"C\", id"
    ).fetchall()
    return [TokenRow(*row) for row in rows]


def token_in_use(conn: psycopg.Connection, digest: str) -> tuple[str, str] | None:
    """(kiosk id, stored digest) of the token whose SHA-256 is ``digest``, if it is not revoked; its use noted."""
    row = conn.execute(
        "UPDATE tokens SET last_used_at = now() WHERE digest = %s AND revoked_at IS NULL RETURNING kiosk_id, digest",
        (digest,),
    ).fetchone()
    return None if row is None else (str(row[0]), str(row[1]))


# -- ingestion ------------------------------------------------------------------------------


def _echo_id(item: object) -> str | None:
    """The row's id as its answer repeats it: a short, encodable string, else None."""
    value = item.get("id") if isinstance(item, dict) else None
    if not isinstance(value, str) or len(value) > ID_ECHO_MAX:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return value


def answer(item: object, verdict: str, reason: str | None = None) -> dict[str, Any]:
    kind = item.get("kind") if isinstance(item, dict) else None
    result: dict[str, Any] = {"kind": kind if kind in KINDS else None, "id": _echo_id(item), "answer": verdict}
    if reason is not None:
        result["reason"] = " ".join(reason.split())[:REASON_MAX]
    return result


def problem(item: object, kiosk_id: str) -> str | None:
    """Why a row from ``kiosk_id``'s token is refused (:func:`kiosk.sync_protocol.row_problem`, text
    PostgreSQL cannot keep, values no kiosk could have written: :mod:`kiosk.hq.values`), or None.
    A consent's values are checked against its wording when it is ingested (:func:`_own_letters`)."""
    try:
        found = row_problem(item, kiosk_id)
        if found is None:
            assert isinstance(item, dict)
            canonical(item.get("personal") or {})
            if item["kind"] == "signature":
                found = signature_problem(item["content"], item.get("personal"), item.get("signer"))
            elif item["kind"] == "paper":
                found = paper_problem(item["content"], item.get("personal"))
            elif item["kind"] == "consent_text":
                found = consent_text_problem(item["content"])
    except UnicodeEncodeError:
        return "text must be valid Unicode (a lone surrogate cannot be kept)"
    except (ValueError, RecursionError):
        return "not a row (an object with kind, id, hash, content)"
    return found


def _personal(item: dict[str, Any]) -> dict[str, Any]:
    """The personal fields that came with a value. A field sent as null was removed on the kiosk
    (a purge, or a visitor forgotten): the office removes it too. A row sent with no personal
    object at all (``null``: its stall sends none, or this visitor did not agree) changes nothing."""
    return {k: v for k, v in (item.get("personal") or {}).items() if v is not None}


def ingest(conn: psycopg.Connection, kiosk_id: str, items: Sequence[object]) -> list[dict[str, Any]]:
    """Take one batch from ``kiosk_id``'s token in one transaction: an answer for each row, in order."""
    answers: list[dict[str, Any] | None] = [None] * len(items)
    by_kind: dict[str, list[tuple[int, dict[str, Any]]]] = {kind: [] for kind in KINDS}
    for index, item in enumerate(items):
        found = problem(item, kiosk_id)
        if found is not None:
            answers[index] = answer(item, "refused", found)
        else:
            assert isinstance(item, dict)
            by_kind[item["kind"]].append((index, item))
    with conn.transaction():
        for kind in INGESTED:
            rows = by_kind[kind]
            if kind == "consent":
                rows = _own_letters(conn, kiosk_id, rows, answers)
            if kind == "paper":
                _ingest_paper(conn, kiosk_id, rows, answers)
            elif rows:
                _ingest_kind(conn, kind, kiosk_id, rows, answers)
    return [a if a is not None else answer(items[i], "refused", "not answered") for i, a in enumerate(answers)]


def _own_letters(conn: psycopg.Connection, kiosk_id: str, rows: list[tuple[int, dict[str, Any]]],
                 answers: list[dict[str, Any] | None]) -> list[tuple[int, dict[str, Any]]]:
    """The consents whose values are an answer to their wording here (:func:`consent_problem`) and
    whose letter is here and was sent by this token's kiosk; the others refused.

    A kiosk sends a letter before its consents (in an earlier batch, or in the same one: its
    signatures are taken first), so a consent whose letter is not here is not one this kiosk
    could send: taking it would let any token claim a letter id first and have its owner's
    consent refused later."""
    letters = [item["content"]["signature_id"] for _, item in rows if isinstance(item["content"]["signature_id"], str)]
    owners: dict[str, str] = dict(
        conn.execute("SELECT id, uploaded_by FROM signatures WHERE id = ANY(%s)", (letters,)).fetchall())
    texts = [item["content"]["text_id"] for _, item in rows if isinstance(item["content"]["text_id"], str)]
    wordings: dict[str, dict[str, Any]] = dict(
        conn.execute("SELECT id, content FROM consent_texts WHERE id = ANY(%s)", (texts,)).fetchall())
    kept = []
    for index, item in rows:
        owner = owners.get(item["content"]["signature_id"])
        text_id = item["content"]["text_id"]
        found = consent_problem(item["content"], item.get("personal"),
                                wordings.get(text_id) if isinstance(text_id, str) else None)
        if found is not None:
            answers[index] = answer(item, "refused", found)
        elif owner is None:
            answers[index] = answer(item, "refused", "its letter is not at the office: a kiosk sends a letter"
                                                     " before its consents")
        elif owner != kiosk_id:
            answers[index] = answer(item, "refused", f"its letter is another kiosk's, not this token's ({kiosk_id})")
        else:
            kept.append((index, item))
    return kept


def _ingest_paper(conn: psycopg.Connection, kiosk_id: str, rows: list[tuple[int, dict[str, Any]]],
                  answers: list[dict[str, Any] | None]) -> None:
    """Paper letters entries, then the corrections whose entry is here (sent before, or taken a
    step earlier from this batch) and that keep to it (:func:`correction_problem`); the others
    refused. A correction's entry is read from what the office keeps, never from the batch alone,
    so a token can correct only an entry its own kiosk sent and the office took."""
    pending = rows
    while pending:
        targets = list({item["content"]["corrects"] for _, item in pending} - {None})
        entries = {r[0]: (r[1], r[2]) for r in conn.execute(
            "SELECT id, uploaded_by, content FROM paper_letters WHERE id = ANY(%s)", (targets,)).fetchall()}
        coming = {item["id"] for _, item in pending}
        ready, later = [], []
        for index, item in pending:
            corrects = item["content"]["corrects"]
            if corrects is None:
                ready.append((index, item))
            elif corrects in entries:
                uploaded_by, entry = entries[corrects]
                found = correction_problem(item["content"], entry, uploaded_by, kiosk_id)
                if found is None:
                    ready.append((index, item))
                else:
                    answers[index] = answer(item, "refused", found)
            elif corrects in coming and corrects != item["id"]:
                later.append((index, item))  # its entry comes in this batch: taken first
            else:
                answers[index] = answer(item, "refused", NOT_HERE)
        if not ready:
            for index, item in later:
                answers[index] = answer(item, "refused", NOT_HERE)
            return
        _ingest_kind(conn, "paper", kiosk_id, ready, answers)
        pending = later


def clash_reason(kept_by: str, sent_by: str) -> str:
    """A conflict between two kiosks over one id: an incident to look into, not a kiosk's own edit."""
    return f"first sent by kiosk {kept_by}, now by {sent_by}: check both"


def _ingest_kind(conn: psycopg.Connection, kind: str, kiosk_id: str, rows: list[tuple[int, dict[str, Any]]],
                 answers: list[dict[str, Any] | None]) -> None:
    table = TABLES[kind]
    first: dict[str, int] = {}
    for index, item in rows:
        first.setdefault(item["id"], index)
    fresh = [{"id": item["id"], "hash": item["hash"], "content": item["content"], "personal": _personal(item),
              "signer": item.get("signer")} for index, item in rows if first[item["id"]] == index]
    into, picked = (", signer", ", r.signer") if kind == "signature" else ("", "")  # a letter's: beside its content
    inserted = {r[0] for r in conn.execute(
        f"INSERT INTO {table} (id, hash, content, personal, uploaded_by, personal_at{into})"
        " SELECT r.id, r.hash, r.content, r.personal, %s, CASE WHEN r.personal = '{}' THEN NULL ELSE now() END"
        f"{picked} FROM jsonb_to_recordset(%s) AS r(id text, hash text, content jsonb, personal jsonb, signer text)"
        " ON CONFLICT (id) DO NOTHING RETURNING id",
        (kiosk_id, Jsonb(fresh)),
    ).fetchall()}
    stored = {r[0]: (r[1], r[2]) for r in conn.execute(
        f"SELECT id, hash, uploaded_by FROM {table} WHERE id = ANY(%s)", (list(first),)).fetchall()}
    updates: list[tuple[Jsonb, list[str], str, str]] = []
    signers: list[tuple[str, str, str, str]] = []
    conflicts: list[tuple[str, str, str, str, Jsonb, Jsonb | None]] = []
    for index, item in rows:
        if item["id"] in inserted and first[item["id"]] == index:
            answers[index] = answer(item, "new")
            continue
        kept_hash, uploaded_by = stored[item["id"]]
        if kept_hash == item["hash"]:
            answers[index] = answer(item, "duplicate")
            given = item.get("personal") or {}
            if given and uploaded_by == kiosk_id:
                removed = [k for k, v in given.items() if v is None]  # purged or forgotten on the kiosk
                updates.append((Jsonb(_personal(item)), removed, item["id"], kiosk_id))
            if kind == "signature" and item.get("signer") is not None and uploaded_by == kiosk_id:
                signers.append((item["signer"], item["id"], kiosk_id, item["signer"]))
        else:
            reason = CONFLICT_REASON if uploaded_by == kiosk_id else (
                f"{CONFLICT_REASON}; {clash_reason(uploaded_by, kiosk_id)}")
            answers[index] = answer(item, "conflict", reason)
            personal = item.get("personal")
            conflicts.append((kind, item["id"], kiosk_id, kept_hash, Jsonb(item["content"]),
                              None if personal is None else Jsonb(personal)))
    with conn.cursor() as cur:
        if updates:
            cur.executemany(f"UPDATE {table} SET personal = (personal || %s) - %s::text[], personal_at = now()"
                            " WHERE id = %s AND uploaded_by = %s", updates)
        if signers:  # fingerprinted anew (an email given after the letter): the latest its kiosk sent
            cur.executemany("UPDATE signatures SET signer = %s WHERE id = %s AND uploaded_by = %s"
                            " AND signer IS DISTINCT FROM %s", signers)
        if conflicts:
            cur.executemany(
                "INSERT INTO conflicts (kind, row_id, uploaded_by, kept_hash, hash, content, personal)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (kind, row_id, hash) DO NOTHING",
                [(k, i, u, kept, content_hash(c.obj), c, p) for k, i, u, kept, c, p in conflicts])


# -- conflicts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConflictRow:
    kind: str
    id: str
    uploaded_by: str        # the kiosk that sent this copy
    kept_by: str            # the kiosk that sent the copy kept
    received_at: dt.datetime
    fields: tuple[str, ...]  # what differs from the copy kept
    content: dict[str, Any]  # this copy, as it came
    number: int = 0          # the conflict's own id (kiosk hq conflicts --resolved NUMBER)
    resolved_at: dt.datetime | None = None
    resolved_by: str | None = None


def conflicts(conn: psycopg.Connection, limit: int = 1000, *, every: bool = False) -> list[ConflictRow]:
    """The conflicts still open (``every``: reviewed ones too), oldest first (up to ``limit``)."""
    found = []
    for kind, table in TABLES.items():
        rows = conn.execute(
            f"SELECT c.row_id, c.uploaded_by, k.uploaded_by, c.received_at, c.content, k.content, c.id,"
            f" c.resolved_at, c.resolved_by FROM conflicts c JOIN {table} k ON k.id = c.row_id"
            f" WHERE c.kind = %s AND (%s OR c.resolved_at IS NULL) ORDER BY c.id LIMIT %s",
            (kind, every, limit),
        ).fetchall()
        for row_id, sent_by, kept_by, received_at, content, kept, number, resolved_at, resolved_by in rows:
            differ = tuple(sorted(k for k in set(content) | set(kept) if content.get(k) != kept.get(k)))
            found.append(ConflictRow(kind, row_id, sent_by, kept_by, received_at, differ, content, int(number),
                                     resolved_at, resolved_by))
    return sorted(found, key=lambda c: (c.received_at, c.number))[:limit]


def conflict_counts(conn: psycopg.Connection) -> tuple[int, int]:
    """How many conflicts no one has marked reviewed yet, and how many there are."""
    row = conn.execute("SELECT COUNT(*) FILTER (WHERE resolved_at IS NULL), COUNT(*) FROM conflicts").fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def resolve_conflict(conn: psycopg.Connection, number: int, who: str) -> tuple[dt.datetime, str] | None:
    """Mark conflict ``number`` reviewed by ``who`` (kept, never deleted): when and by whom it is
    marked (the first time only: marking it again changes nothing), or None when there is none."""
    with conn.transaction():
        conn.execute("UPDATE conflicts SET resolved_at = now(), resolved_by = %s WHERE id = %s AND resolved_at IS NULL",
                     (who, number))
        row = conn.execute("SELECT resolved_at, resolved_by FROM conflicts WHERE id = %s", (number,)).fetchone()
    return None if row is None else (row[0], str(row[1]))


# -- counts ---------------------------------------------------------------------------------


def _where(scope: Scope) -> tuple[str, list[object]]:
    """The store's :meth:`Scope.where` with psycopg's placeholders (its terms hold ``?`` only as one)."""
    where, params = scope.where()
    return where.replace("?", "%s"), params


# A typed letter is a likely duplicate when an earlier letter (UTC time, then id) of its case has
# its signer: kiosk.store.counts.DUPLICATE, over every kiosk's letters (ids compared byte by byte).
DUPLICATE = ("(s.signer IS NOT NULL AND EXISTS (SELECT 1 FROM signatures e WHERE e.signer = s.signer"
             " AND e.case_id = s.case_id AND (e.created_at < s.created_at"
             " OR (e.created_at = s.created_at AND e.id COLLATE \"C\" < s.id COLLATE \"C\"))))")


def _letters(where: str) -> str:
    """Typed and paper letters as one table ``s`` that GROUPS and Scope read (kiosk.store.counts's):
    its columns, and n (letters), paper (of them handwritten), dup (of them likely duplicates)."""
    return (f"SELECT s.case_id, s.kind, s.event, s.kiosk_id, s.local_time, s.language, 1 AS n, 0 AS paper,"
            f" CASE WHEN {DUPLICATE} THEN 1 ELSE 0 END AS dup FROM signatures s{where}"
            f" UNION ALL SELECT s.case_id, s.kind, s.event, s.kiosk_id, s.local_time, NULL COLLATE \"C\","
            f" s.count, s.count, 0 FROM paper_letters s{where}")


def counts(conn: psycopg.Connection, by: Sequence[str] | str = ("case",),
           scope: Scope = Scope()) -> list[dict[str, Any]]:
    """Letters counted per combination of ``by`` (:data:`kiosk.store.GROUPS`), in key order: the
    rows and columns of ``kiosk export counts`` (COUNT_COLUMNS: typed and paper letters, likely
    duplicates, signers), the case's title from the published case sets."""
    groups = check_groups(by)
    keys = [GROUPS[g][0] for g in groups]
    select = [f"{key}, COALESCE(c.title, '')" if g == "case" else key for g, key in zip(groups, keys, strict=True)]
    join = " LEFT JOIN cases c ON c.id = s.case_id" if "case" in groups else ""
    group_by = ", ".join(keys + (["c.title"] if "case" in groups else []))
    order_by = ", ".join(f"{key} NULLS FIRST" for key in keys)
    where, params = _where(scope)
    rows = conn.execute(
        f"SELECT {', '.join(select)}, SUM(s.n), SUM(s.paper), SUM(s.dup), SUM(s.n) - SUM(s.paper) - SUM(s.dup)"
        f" FROM ({_letters(where)}) s{join} GROUP BY {group_by} HAVING SUM(s.n) <> 0 ORDER BY {order_by}",
        [*params, *params],
    ).fetchall()
    columns = group_columns(groups)
    return [dict(zip(columns, row, strict=True)) for row in rows]


def figures(conn: psycopg.Connection, scope: Scope = Scope()) -> dict[str, int]:
    """The four figures (COUNT_COLUMNS) of every letter in ``scope``, as ``Store.figures`` gives a kiosk's."""
    where, params = _where(scope)
    row = conn.execute(
        f"SELECT COALESCE(SUM(s.n), 0), COALESCE(SUM(s.paper), 0), COALESCE(SUM(s.dup), 0) FROM ({_letters(where)}) s",
        [*params, *params]).fetchone()
    letters, paper, dup = (int(v) for v in row) if row else (0, 0, 0)
    return dict(zip(COUNT_COLUMNS, (letters, paper, dup, letters - paper - dup), strict=True))


# -- case sets ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseSetRow:
    version: int                 # 0: nothing published yet
    hash: str
    files: dict[str, str]
    published_at: dt.datetime | None = None
    changed: bool = True         # publishing it made a new version (an identical set does not)


def latest_cases(conn: psycopg.Connection) -> CaseSetRow:
    row = conn.execute(
        "SELECT version, hash, files, published_at FROM case_sets ORDER BY version DESC LIMIT 1").fetchone()
    if row is None:
        return CaseSetRow(0, content_hash({}), {}, None)
    return CaseSetRow(int(row[0]), str(row[1]), dict(row[2]), row[3])


def publish_cases(conn: psycopg.Connection, files: dict[str, str], titles: dict[str, str]) -> CaseSetRow:
    """Publish ``files`` as the next version (the same set as the latest: no new version); the
    titles of its cases replace those counts show."""
    digest = content_hash(files)
    with conn.transaction():
        conn.execute("LOCK TABLE case_sets IN EXCLUSIVE MODE")
        latest = latest_cases(conn)
        if latest.version and latest.hash == digest:
            return CaseSetRow(latest.version, latest.hash, latest.files, latest.published_at, changed=False)
        version = latest.version + 1
        row = conn.execute("INSERT INTO case_sets (version, hash, files) VALUES (%s, %s, %s) RETURNING published_at",
                           (version, digest, Jsonb(files))).fetchone()
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO cases (id, title, version) VALUES (%s, %s, %s)"
                " ON CONFLICT (id) DO UPDATE SET title = excluded.title, version = excluded.version",
                [(case_id, title, version) for case_id, title in sorted(titles.items())])
    return CaseSetRow(version, digest, files, row[0] if row else None)
