"""The office's service: an ASGI app on Starlette, served by uvicorn, over a psycopg pool.

- ``POST /api/v1/upload`` (a kiosk's token): one batch, an answer per row (:mod:`kiosk.sync_protocol`);
- ``GET /api/v1/cases`` (a kiosk's token): the case set published last (304, no body, when
  ``If-None-Match`` names its hash: the kiosk has it);
- ``GET /api/v1/counts?by=case,day`` (open, like the dashboard): national counts, grouped as
  ``kiosk export counts`` groups them, with its columns (letters, on paper, likely duplicates,
  signers), with ``event``, ``kiosk``, ``since`` and ``until`` filters; ``total`` the letters and
  ``figures`` the four figures of every letter the filters select;
- ``GET /api/v1/health`` (open, limited like counts): whether the database answers, and its
  schema's version (a cheap query: it never counts the letters);
- ``GET /``: the dashboard (``dashboard.html``), refreshing itself.

Every refusal is one line of JSON, ``{"error": "..."}``: 401 (no token, an unknown or
revoked one), 400 (not a batch, not JSON, not UTF-8), 408 (a body that trickles in slower
than :data:`BODY_TIMEOUT`), 413 (over ``MAX_BODY`` bytes, by Content-Length or as counted
while it streams, or over ``MAX_ROWS`` rows), 429 (over the token's rate, or too many bad
tokens from one address: ``Retry-After`` says when to come back), 503 (the database cannot
be reached: the kiosk keeps its rows and comes back).

The database is reached from worker threads (:func:`starlette.concurrency.run_in_threadpool`),
so one slow query never stalls the others' answers.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import hashlib
import json
import logging
import math
import re
import time
from collections.abc import AsyncIterator, Callable
from importlib import resources
from typing import Any, TypeVar

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from ..errors import KioskError
from ..store import Scope, check_groups, group_columns
from ..sync_protocol import CASES, MAX_BODY, MAX_ROWS, PROTOCOLS, UPLOAD
from . import cases as case_sets
from . import store
from .connection import pool as make_pool
from .schema import applied_version
from .tokens import TOKEN, kiosk_of

log = logging.getLogger("kiosk.hq")

BODY_TIMEOUT = 30.0      # seconds a request's body may take to arrive whole
RATE = 2.0               # requests a second a kiosk's token may make, on average ...
BURST = 30               # ... and at once
BAD_TOKEN_RATE = 0.5     # requests with a bad token, a second, from one address ...
BAD_TOKEN_BURST = 20     # ... and at once
READ_RATE = 5.0          # open reads (counts, the dashboard) a second from one address ...
READ_BURST = 60          # ... and at once
QUERY_MAX = 200          # characters of a query parameter
T = TypeVar("T")


class Refusal(Exception):
    """A request refused whole: its status, its one line, and headers (Retry-After)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """One line of JSON: ``{"error": "..."}``."""
    return JSONResponse({"error": " ".join(message.split())}, status_code=status, headers=headers)


# -- limits ---------------------------------------------------------------------------------


class Buckets:
    """A token bucket per key: ``burst`` at once, refilled at ``rate`` a second. Used from the
    event loop only. Past ``keys`` keys, the full buckets (those idle long enough) are forgotten."""

    def __init__(self, rate: float, burst: int, keys: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self.keys, self.clock = rate, float(burst), keys, clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def _level(self, key: str, now: float) -> float:
        level, then = self._buckets.get(key, (self.burst, now))
        return min(self.burst, level + (now - then) * self.rate)

    def wait(self, key: str) -> float:
        """Seconds until ``key`` may make a request (0: now), without spending one."""
        level = self._level(key, self.clock())
        return 0.0 if level >= 1 else (1 - level) / self.rate

    def take(self, key: str) -> float:
        """Spend one request of ``key``'s: 0 when allowed, else the seconds to wait (nothing spent)."""
        now = self.clock()
        level = self._level(key, now)
        if level < 1:
            return (1 - level) / self.rate
        if key not in self._buckets and len(self._buckets) >= self.keys:
            self._forget(now)
        self._buckets[key] = (level - 1, now)
        return 0.0

    def _forget(self, now: float) -> None:
        full = [k for k in self._buckets if self._level(k, now) >= self.burst]
        for key in full or list(self._buckets)[: len(self._buckets) // 2]:
            del self._buckets[key]


def too_many(wait: float, what: str) -> Refusal:
    seconds = max(1, math.ceil(wait))
    return Refusal(429, f"too many {what}: come back in {seconds} s", {"Retry-After": str(seconds)})


# -- reading a request ----------------------------------------------------------------------


def bearer(request: Request) -> str | None:
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" and secret.strip() else None


def declared_length(request: Request) -> int | None:
    value = request.headers.get("content-length")
    if value is None:
        return None
    if not value.isdigit() or len(value) > 18:
        raise Refusal(400, "Content-Length is not a number of bytes")
    return int(value)


async def read_body(request: Request, limit: int, timeout: float) -> bytes:
    """The body, counted as it streams: 413 past ``limit`` bytes, 408 when it takes longer than ``timeout``."""
    length = declared_length(request)
    if length is not None and length > limit:
        raise Refusal(413, f"the body is {length} bytes, at most {limit} allowed")
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(timeout):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise Refusal(413, f"the body is over {limit} bytes")
                chunks.append(chunk)
    except TimeoutError:
        raise Refusal(408, f"the body took over {timeout:g} s to arrive") from None
    except ClientDisconnect:
        raise Refusal(400, "the body ended early (the connection closed)") from None
    return b"".join(chunks)


def parse_batch(body: bytes, kiosk_id: str) -> list[Any]:
    """The rows of a batch from ``kiosk_id``'s token: 400 when it is not one, 413 over MAX_ROWS."""
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise Refusal(400, "the body is not UTF-8") from None
    except (ValueError, RecursionError):
        raise Refusal(400, "the body is not JSON (or nested too deeply)") from None
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
        raise Refusal(400, "not a batch: expected an object with protocol, kiosk_id and rows (a list)")
    if data.get("protocol") not in PROTOCOLS or isinstance(data.get("protocol"), bool):
        spoken = " or ".join(map(str, PROTOCOLS))
        raise Refusal(400, f"protocol must be {spoken}: this office speaks protocol {spoken}"
                           " (upgrade the office before its kiosks)")
    if data.get("kiosk_id") != kiosk_id:
        shown = str(data.get("kiosk_id"))[:40].encode("utf-8", "replace").decode("utf-8")
        raise Refusal(400, f"kiosk_id {shown!r} is not this token's kiosk ({kiosk_id})")
    rows: list[Any] = data["rows"]
    if len(rows) > MAX_ROWS:
        raise Refusal(413, f"{len(rows)} rows, at most {MAX_ROWS} in one upload")
    return rows


def query(request: Request, name: str) -> str | None:
    value = request.query_params.get(name)
    if value is not None and len(value) > QUERY_MAX:
        raise Refusal(400, f"{name}: at most {QUERY_MAX} characters")
    return value or None


def day(request: Request, name: str) -> dt.date | None:
    value = query(request, name)
    try:
        return None if value is None else dt.date.fromisoformat(value)
    except ValueError:
        raise Refusal(400, f"{name}: expected a day, YYYY-MM-DD") from None


# -- the dashboard --------------------------------------------------------------------------


def _dashboard() -> tuple[bytes, str]:
    """The page, and the Content-Security-Policy that lets only its own inline script and style run."""
    page = resources.files("kiosk.hq").joinpath("dashboard.html").read_text(encoding="utf-8")

    def hashes(tag: str) -> str:
        found = re.findall(rf"<{tag}>(.*?)</{tag}>", page, flags=re.S)
        return " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in found)

    policy = (f"default-src 'none'; connect-src 'self'; script-src {hashes('script')}; style-src {hashes('style')};"
              " img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
    return page.encode("utf-8"), policy


# -- the app --------------------------------------------------------------------------------


def create_app(database: str | ConnectionPool, *, rate: float = RATE, burst: int = BURST,
               bad_token_rate: float = BAD_TOKEN_RATE, bad_token_burst: int = BAD_TOKEN_BURST,
               read_rate: float = READ_RATE, read_burst: int = READ_BURST, body_timeout: float = BODY_TIMEOUT,
               max_body: int = MAX_BODY) -> Starlette:
    """The service for ``database`` (a DSN, or a pool the caller opens and closes)."""
    owned = isinstance(database, str)
    pool = make_pool(database) if isinstance(database, str) else database
    uploads = Buckets(rate, burst)
    bad_tokens = Buckets(bad_token_rate, bad_token_burst)
    reads = Buckets(read_rate, read_burst)
    page, policy = _dashboard()

    async def db(work: Callable[[psycopg.Connection], T]) -> T:
        def run() -> T:
            with pool.connection() as conn:
                return work(conn)

        return await run_in_threadpool(run)

    def client(request: Request) -> str:
        return request.client.host if request.client else "-"

    async def kiosk(request: Request) -> str:
        """The kiosk of the request's token, its rate spent; 401 or 429 otherwise.

        Only bad tokens are charged to their address: a valid token is never refused for
        another client's bad ones from the same address (a festival's NAT, one proxy). An
        address over its bad-token budget is told 429 for each further bad token; a token is
        32 random bytes, so the budget keeps probing slow and quiet rather than guessable."""
        secret = bearer(request)
        well_formed = secret is not None and TOKEN.fullmatch(secret) is not None  # else no connection borrowed
        kiosk_id = await db(lambda conn: kiosk_of(conn, secret)) if well_formed else None
        if kiosk_id is None:
            wait = bad_tokens.take(client(request))
            if wait:
                raise too_many(wait, "requests with a bad token")
            what = "no token: send Authorization: Bearer <token>" if secret is None else "unknown or revoked token"
            raise Refusal(401, what, {"WWW-Authenticate": "Bearer"})
        wait = uploads.take(kiosk_id)
        if wait:
            raise too_many(wait, "requests")
        return kiosk_id

    def open_read(request: Request) -> None:
        wait = reads.take(client(request))
        if wait:
            raise too_many(wait, "requests")

    async def upload(request: Request) -> Response:
        declared = declared_length(request)
        if declared is not None and declared > max_body:  # before the token is even looked up
            raise Refusal(413, f"the body is {declared} bytes, at most {max_body} allowed")
        kiosk_id = await kiosk(request)
        body = await read_body(request, max_body, body_timeout)
        rows = await run_in_threadpool(parse_batch, body, kiosk_id)
        answers = await db(lambda conn: store.ingest(conn, kiosk_id, rows))
        return JSONResponse({"answers": answers})

    async def cases(request: Request) -> Response:
        await kiosk(request)
        latest = await db(store.latest_cases)
        tag = {"ETag": f'"{latest.hash}"'}
        if case_sets.etag_matches(request.headers.get("if-none-match"), latest.hash):
            return Response(status_code=304, headers=tag)  # the kiosk has this set: no body
        body = await run_in_threadpool(case_sets.answer, latest)
        return Response(body, media_type="application/json", headers=tag)

    async def counts(request: Request) -> Response:
        open_read(request)
        by = [g.strip() for g in (query(request, "by") or "case").split(",") if g.strip()]
        scope = Scope(event=query(request, "event"), kiosk_id=query(request, "kiosk"),
                      since=day(request, "since"), until=day(request, "until"))
        try:
            check_groups(by)
        except KioskError as exc:
            raise Refusal(400, f"by: {exc.problem}") from None
        rows, figures = await db(lambda conn: (store.counts(conn, by, scope), store.figures(conn, scope)))
        return JSONResponse({"by": by, "columns": group_columns(by), "rows": rows, "total": figures["count"],
                             "figures": figures})

    async def health(request: Request) -> Response:
        open_read(request)
        version = await db(applied_version)  # one row of a small table: never a scan of the letters
        return JSONResponse({"status": "ok", "schema": version})

    async def dashboard(request: Request) -> Response:
        open_read(request)
        return HTMLResponse(page, headers={"Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff",
                                           "Referrer-Policy": "no-referrer", "Cache-Control": "no-cache"})

    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Refusal)
        return error(exc.status, exc.message, exc.headers)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return error(exc.status_code, str(exc.detail), dict(exc.headers or {}))

    async def unavailable(request: Request, exc: Exception) -> Response:
        log.warning("database unavailable: %s", " ".join(str(exc).split())[:300])
        return error(503, "the database is unavailable: try again later", {"Retry-After": "5"})

    async def failed(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error", exc_info=exc)
        return error(500, "internal error")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if owned:
            pool.open(wait=False)
        try:
            yield
        finally:
            if owned:
                await run_in_threadpool(pool.close)

    app = Starlette(
        routes=[
            Route(UPLOAD, upload, methods=["POST"]),
            Route(CASES, cases, methods=["GET"]),
            Route("/api/v1/counts", counts, methods=["GET"]),
            Route("/api/v1/health", health, methods=["GET"]),
            Route("/", dashboard, methods=["GET"]),
        ],
        exception_handlers={Refusal: refused, HTTPException: http_error, psycopg.OperationalError: unavailable,
                            PoolTimeout: unavailable, Exception: failed},
        lifespan=lifespan,
    )
    app.state.pool = pool
    return app


def serve(dsn: str, host: str = "127.0.0.1", port: int = 8080) -> None:
    """Serve the app with uvicorn until interrupted (``kiosk hq serve``)."""
    import uvicorn  # it loads click: only when serving

    # Behind a reverse proxy on this machine, each client's own address (X-Forwarded-For) is the
    # one the per-address limits count, so one bad client cannot lock every kiosk out; the header
    # is believed only from the loopback proxy, never from a client on the network.
    uvicorn.run(create_app(dsn), host=host, port=port, log_level="info", proxy_headers=True,
                forwarded_allow_ips="127.0.0.1,::1", timeout_keep_alive=5, limit_concurrency=200,
                h11_max_incomplete_event_size=16 * 1024)
