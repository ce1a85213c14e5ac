"""Talking to the office's service over HTTP(S): one upload of a batch, one fetch of the case set,
the national total for the counter facing the crowd.

Every request has timeouts, for connecting, for each read and for the whole request (a service
that hangs, or trickles its answer, never holds a kiosk for long), redirects are not followed
(the token goes only where the settings say), and each answer is read with a size limit. Every
failure is one :class:`SyncError` line; every piece of text the office sends (an answer's
reason, an error's words) enters the kiosk cleaned here, one line without control or format
characters (:func:`one_line`). ``retry_after`` says when the office asked to be tried again,
``token_refused`` that it refused this kiosk's token (401/403), and ``too_large`` that it found
the batch too large (413).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import time
from typing import TYPE_CHECKING, Any

from ..errors import KioskError
from ..sync_protocol import ANSWERS, CASES, PROTOCOL, UPLOAD
from ..text import clean, without_ignorables

if TYPE_CHECKING:
    import httpx

# httpx is imported where a request is made: importing it loads its command line's click (and
# rich), which no module below the command line may load (tests/test_architecture.py), and
# `kiosk sync status` needs no HTTP client.

CONNECT_TIMEOUT = 10.0      # seconds to reach the office
READ_TIMEOUT = 30.0         # seconds it may take to answer once reached (each read)
TOTAL_TIMEOUT = 60.0        # seconds one request may take in all, however the answer trickles
ANSWER_MAX = 1024 * 1024    # bytes of an upload's answer (500 short answers are far less)
CASES_MAX = 8 * 1024 * 1024  # bytes of a published case set
COUNTS = "/api/v1/counts?by=kind"  # the office's national counts (open; two rows at most by kind)
COUNTS_MAX = 64 * 1024      # bytes of its answer
COUNT_MAX = 10**15          # the largest national total believed
SHOWN_MAX = 200             # characters of the office's own error line shown


class SyncError(KioskError):
    """A sync that could not be done, in one line."""

    def __init__(self, problem: str, *, retry_after: float | None = None, token_refused: bool = False,
                 too_large: bool = False, source: str | None = None) -> None:
        super().__init__(problem, source=source)
        self.retry_after = retry_after
        self.token_refused = token_refused
        self.too_large = too_large


def one_line(text: str, limit: int = SHOWN_MAX) -> str:
    """Text from the network (or an error about it) as one short line that is safe anywhere it is
    kept or shown: control characters (ESC and so an escape or OSC sequence, BEL, C1), bidi
    overrides and every other default-ignorable or format character removed by
    :mod:`kiosk.text`'s cleaners, line breaks as spaces, at most ``limit`` characters."""
    line = " ".join(clean(without_ignorables(text), multiline=False).split())
    line = "".join(ch for ch in line if ch.isprintable())
    return line if len(line) <= limit else line[:limit - 1] + "…"


def _json(body: bytes) -> Any:
    """The JSON of an answer; ValueError when it is not JSON, or nests too deep to read (a body of
    thousands of brackets would otherwise end in a RecursionError)."""
    try:
        return json.loads(body)
    except RecursionError:
        raise ValueError("nested too deep") from None


def retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (seconds, or an HTTP date); None when there is none."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # ASCII digits only: "²".isdigit() too, and int() refuses it
        return float(min(int(value), 86400))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, min((when - (now or dt.datetime.now(dt.UTC))).total_seconds(), 86400.0))


class Client:
    """The office's service at ``url``, with this kiosk's ``token``. ``transport``: for tests."""

    def __init__(self, url: str, token: str, *, transport: httpx.BaseTransport | None = None,
                 connect_timeout: float = CONNECT_TIMEOUT, read_timeout: float = READ_TIMEOUT,
                 total_timeout: float = TOTAL_TIMEOUT) -> None:
        import httpx

        self.total_timeout = total_timeout
        self.url = url.rstrip("/")
        self.host = httpx.URL(self.url).host or self.url
        self._http = httpx.Client(
            headers={"User-Agent": "kiosk-sync/1", **({"Authorization": f"Bearer {token}"} if token else {})},
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout, pool=connect_timeout),
            follow_redirects=False, transport=transport)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- requests ------------------------------------------------------------------------

    def _request(self, method: str, path: str, limit: int, **kwargs: Any) -> tuple[httpx.Response, bytes]:
        """One request; the answer's status and body (at most ``limit`` bytes), or SyncError. It
        ends by ``total_timeout`` after it began (give or take one read's timeout), even when the
        office sends its answer a byte at a time, each in time for the read's own timeout."""
        import httpx

        deadline = time.monotonic() + self.total_timeout
        try:
            with self._http.stream(method, self.url + path, **kwargs) as response:
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > limit:
                        raise SyncError(f"the office's answer is larger than {limit // 1024} KB; nothing taken")
                    if time.monotonic() > deadline:
                        raise httpx.ReadTimeout("the answer trickles", request=response.request)
                return response, bytes(body)
        except httpx.TimeoutException:
            raise SyncError(f"no answer from {self.host} in time (network down, or the service hangs)") from None
        except httpx.TransportError as exc:
            raise SyncError(f"cannot reach {self.host}: {one_line(str(exc) or type(exc).__name__)}") from None

    def _failed(self, response: httpx.Response, body: bytes, what: str) -> SyncError:
        status = response.status_code
        said = ""
        try:
            parsed = _json(body)
            if isinstance(parsed, dict) and isinstance(parsed.get("error"), str):
                said = f": {one_line(parsed['error'])}"
        except ValueError:
            pass
        wait = retry_after(response.headers.get("Retry-After"))
        if status in (401, 403):
            return SyncError(f"the office refused this kiosk's token (HTTP {status}{said}): check sync.token",
                             token_refused=True)
        if status == 413:
            return SyncError(f"the office found the {what} too large (HTTP 413{said})", too_large=True)
        if status == 429:
            return SyncError(f"the office asked to wait (HTTP 429{said})", retry_after=wait if wait is not None else 60)
        if status >= 500:
            return SyncError(f"the office's service failed (HTTP {status}{said})", retry_after=wait)
        return SyncError(f"the office did not take the {what} (HTTP {status}{said})", retry_after=wait)

    def upload(self, kiosk_id: str, rows: list[dict[str, Any]], body: bytes | None = None) -> list[dict[str, Any]]:
        """Send one batch; the office's answer for each row, checked to be one per row sent, in
        order (SyncError when it is not: no answer of it may be trusted)."""
        if body is None:
            body = upload_body(kiosk_id, rows)
        response, answer = self._request("POST", UPLOAD, ANSWER_MAX, content=body,
                                         headers={"Content-Type": "application/json"})
        if response.status_code != 200:
            raise self._failed(response, answer, "batch")
        try:
            parsed = _json(answer)
        except ValueError:
            raise SyncError("the office's answer is not JSON; nothing marked as sent") from None
        answers = parsed.get("answers") if isinstance(parsed, dict) else None
        if not isinstance(answers, list) or len(answers) != len(rows):
            count = len(answers) if isinstance(answers, list) else "no"
            raise SyncError(f"the office answered {count} rows for {len(rows)} sent; nothing marked as sent")
        for sent, got in zip(rows, answers, strict=True):
            if (not isinstance(got, dict) or got.get("kind") != sent["kind"] or got.get("id") != sent["id"]
                    or got.get("answer") not in ANSWERS
                    or not isinstance(got.get("reason", ""), (str, type(None)))):
                raise SyncError("the office's answers do not match the rows sent; nothing marked as sent")
        # The office's reasons enter the kiosk here: one clean line each, so whatever keeps or shows
        # them (sync_conflicts, kiosk sync status, the organiser screen) never gets a control sequence.
        return [{**got, "reason": one_line(got["reason"]) if got.get("reason") else None} for got in answers]

    def cases(self, etag: str | None) -> dict[str, Any] | None:
        """The case set the office published last (``version``, ``hash``, ``files``); None when it is
        the one this kiosk has (``etag``: its hash)."""
        headers = {"If-None-Match": f'"{etag}"'} if etag else {}
        response, body = self._request("GET", CASES, CASES_MAX, headers=headers)
        if response.status_code == 304:
            return None
        if response.status_code != 200:
            raise self._failed(response, body, "request for cases")
        try:
            parsed = _json(body)
        except ValueError:
            raise SyncError("the office's case set is not JSON") from None
        if not isinstance(parsed, dict):
            raise SyncError("the office's case set is not an object with version, hash and files")
        return parsed

    def national_total(self) -> int:
        """The letters the office counts from every kiosk (``figures.count`` of ``GET /api/v1/counts``);
        SyncError when it does not answer with one."""
        response, body = self._request("GET", COUNTS, COUNTS_MAX)
        if response.status_code != 200:
            raise self._failed(response, body, "request for counts")
        try:
            parsed = _json(body)
        except ValueError:
            raise SyncError("the office's counts are not JSON") from None
        figures = parsed.get("figures") if isinstance(parsed, dict) else None
        count = figures.get("count") if isinstance(figures, dict) else None
        if type(count) is not int or not 0 <= count <= COUNT_MAX:  # not a bool, a float or a string
            raise SyncError("the office's counts have no total")
        return count


def upload_body(kiosk_id: str, rows: list[dict[str, Any]]) -> bytes:
    """An upload request's body (:mod:`kiosk.sync_protocol`)."""
    return json.dumps({"protocol": PROTOCOL, "kiosk_id": kiosk_id, "rows": rows}, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")
