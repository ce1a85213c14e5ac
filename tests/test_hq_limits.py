"""The upload endpoint's limits, met as an attacker would meet them: each refusal is one line of JSON
and the service goes on answering."""

from __future__ import annotations

import json
import socket
import time

import httpx

from kiosk.hq.schema import MIGRATIONS
from kiosk.sync_protocol import MAX_BODY, MAX_ROWS, UPLOAD
from tests.helpers.hq import answers, batch, one_line_error, signature, upload


def test_a_body_over_the_limit_by_its_length_is_413_before_the_token_is_looked_at(hq_service):
    huge = b"x" * (MAX_BODY + 1)
    assert one_line_error(upload(hq_service.url, None, huge), 413) == (
        f"the body is {MAX_BODY + 1} bytes, at most {MAX_BODY} allowed")


def test_a_streamed_body_without_a_length_is_counted_as_it_comes(hq_service):
    token = hq_service.token("stall-1")

    def chunks():
        for _ in range(MAX_BODY // 65536 + 2):
            yield b" " * 65536

    response = httpx.post(hq_service.url + UPLOAD, content=chunks(), timeout=30,
                          headers={"Authorization": f"Bearer {token}"})
    assert "content-length" not in response.request.headers
    assert one_line_error(response, 413) == f"the body is over {MAX_BODY} bytes"


def test_a_body_that_lies_about_its_length_is_cut_at_the_limit(hq_service):
    """Content-Length says small, the chunks say more: the count while streaming decides."""
    token = hq_service.token("stall-1")
    with socket.create_connection(("127.0.0.1", hq_service.port), timeout=20) as s:
        s.sendall(f"POST {UPLOAD} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n".encode())
        block = b" " * 1_000_000
        for _ in range(5):
            s.sendall(b"%x\r\n" % len(block) + block + b"\r\n")
        reply = s.recv(4096)
    assert reply.startswith(b"HTTP/1.1 413")


def test_too_many_rows_is_413(hq_service):
    token = hq_service.token("stall-1")
    response = upload(hq_service.url, token, batch("stall-1", [{}] * (MAX_ROWS + 1)))
    assert one_line_error(response, 413) == f"{MAX_ROWS + 1} rows, at most {MAX_ROWS} in one upload"
    assert answers(upload(hq_service.url, token, batch("stall-1", [{}] * MAX_ROWS))) == ["refused"] * MAX_ROWS


def test_what_is_not_a_batch_is_400(hq_service):
    token = hq_service.token("stall-1")
    deep = b"[" * 200_000 + b"]" * 200_000
    cases = {
        b"\xff\xfe not utf-8": "the body is not UTF-8",
        b"{not json": "the body is not JSON (or nested too deeply)",
        deep: "the body is not JSON (or nested too deeply)",
        b'{"rows": ' + b"[" * 100_000: "the body is not JSON (or nested too deeply)",
        b"[1, 2, 3]": "not a batch: expected an object with protocol, kiosk_id and rows (a list)",
        json.dumps({"protocol": 1, "kiosk_id": "stall-1", "rows": {"a": 1}}).encode(): "not a batch",
        json.dumps({"protocol": 3, "kiosk_id": "stall-1", "rows": []}).encode(): "protocol must be 1 or 2",
        json.dumps({"protocol": True, "kiosk_id": "stall-1", "rows": []}).encode(): "protocol must be 1 or 2",
        b'{"protocol": 1, "kiosk_id": "stall-1", "rows": [1e999999]}': None,  # infinity: a row refused, not a crash
        b'{"protocol": 1, "kiosk_id": "stall-1", "rows": [' + b"9" * 5000 + b"]}": "the body is not JSON",
    }
    for body, expected in cases.items():
        response = upload(hq_service.url, token, body)
        if expected is None:
            assert answers(response) == ["refused"]
        else:
            assert one_line_error(response, 400).startswith(expected), (body[:40], response.text)
    assert answers(upload(hq_service.url, token, batch("stall-1", [signature()]))) == ["new"]


def test_rows_of_the_wrong_shape_are_refused_one_by_one(hq_service):
    token = hq_service.token("stall-1")
    good = signature()
    wrong = [
        dict(good, kind="letter"),
        dict(good, content=dict(good["content"], extra=1)),
        dict(good, content=dict(good["content"], number=[1, 2])),
        dict(good, content=dict(good["content"], number=2**60)),
        dict(good, personal={"name": {"nested": True}}),
        dict(good, personal={"email": "not a signature's"}),
        dict(good, id="not-a-uuid", content=dict(good["content"], id="not-a-uuid")),
        dict(good, content=dict(good["content"], case_id="x\x00y")),
        dict(good, content=dict(good["content"], case_id="'); DROP TABLE signatures; --")),
    ]
    verdicts = upload(hq_service.url, token, batch("stall-1", [*wrong, good])).json()["answers"]
    assert [v["answer"] for v in verdicts] == ["refused"] * len(wrong) + ["new"]
    assert all(v["reason"] and "\n" not in v["reason"] for v in verdicts[:-1])


def test_a_token_over_its_rate_gets_429_with_retry_after(start_service):
    service = start_service(rate=0.5, burst=3)
    token, other = service.token("stall-1"), service.token("stall-2")
    codes = [upload(service.url, token, batch("stall-1", [])).status_code for _ in range(3)]
    assert codes == [200, 200, 200]
    limited = upload(service.url, token, batch("stall-1", []))
    assert one_line_error(limited, 429).startswith("too many requests: come back in")
    assert limited.headers["retry-after"] == "2"
    assert upload(service.url, other, batch("stall-2", [])).status_code == 200  # each kiosk its own bucket
    time.sleep(2.1)
    assert upload(service.url, token, batch("stall-1", [])).status_code == 200


def test_many_bad_tokens_from_one_address_are_slowed_down(start_service):
    service = start_service(bad_token_rate=0.1, bad_token_burst=5)
    codes = [upload(service.url, "B" * 43, batch("x", [])).status_code for _ in range(7)]
    assert codes == [401] * 5 + [429] * 2


def test_bad_tokens_never_lock_out_a_good_token_from_the_same_address(start_service):
    """A festival's NAT: one client probing tokens, a kiosk behind the same address syncing."""
    service = start_service()  # the bad-token burst is 20
    token = service.token("stall-1")
    codes = [upload(service.url, "B" * 43, batch("x", [])).status_code for _ in range(25)]
    assert codes[:20] == [401] * 20 and set(codes[20:]) == {429}
    good = upload(service.url, token, batch("stall-1", [signature()]))
    assert good.status_code == 200 and answers(good) == ["new"]
    assert upload(service.url, "B" * 43, batch("x", [])).status_code == 429  # the prober still waits


def test_a_body_that_trickles_in_is_408(start_service):
    service = start_service(body_timeout=1.0)
    token = service.token("stall-1")
    with socket.create_connection(("127.0.0.1", service.port), timeout=20) as s:
        s.sendall(f"POST {UPLOAD} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                  "Content-Length: 1000\r\n\r\n{".encode())
        started = time.monotonic()
        reply = b""
        while not reply.endswith(b"}"):  # the head and the body may come in two reads
            chunk = s.recv(4096)
            if not chunk:
                break
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 408") and time.monotonic() - started < 10
    assert b'{"error":"the body took over 1 s to arrive"}' in reply


def test_unknown_paths_and_methods_are_one_line_json(hq_service):
    assert one_line_error(httpx.get(hq_service.url + "/nope"), 404) == "Not Found"
    assert one_line_error(httpx.get(hq_service.url + UPLOAD), 405) == "Method Not Allowed"


def test_behind_a_loopback_proxy_each_client_is_limited_at_its_own_address(hq_db):
    """kiosk hq serve believes X-Forwarded-For from the proxy on this machine: one client trying
    tokens is slowed down, the kiosk behind the same proxy is not."""
    from kiosk.hq.tokens import add_token
    from tests.helpers.postgres import ServiceProcess, free_port

    service = ServiceProcess(hq_db, free_port())
    service.start()
    try:
        url = f"http://127.0.0.1:{service.port}{UPLOAD}"
        token = add_token(hq_db, "stall-1").secret
        for _ in range(25):  # the bad-token burst is 20: the prober is told to wait
            last = httpx.post(url, content=b"{}", headers={"Authorization": "Bearer nope",
                                                          "X-Forwarded-For": "203.0.113.7"})
        assert last.status_code == 429
        good = httpx.post(url, content=json.dumps(batch("stall-1", [signature()])).encode(),
                          headers={"Authorization": f"Bearer {token}", "X-Forwarded-For": "198.51.100.2"})
        assert good.status_code == 200 and answers(good) == ["new"]
    finally:
        service.kill()


def test_health_is_cheap_and_limited_like_the_other_open_reads(start_service):
    """Health never reads the letters: it answers while a long statement holds the signatures table
    (a COUNT(*) over a million letters would wait for it), and an address polling it is slowed down."""
    import psycopg

    service = start_service(read_rate=0.1, read_burst=3)
    with psycopg.connect(service.dsn) as held:
        held.execute("LOCK TABLE signatures IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        response = httpx.get(service.url + "/api/v1/health", timeout=10)
        assert response.status_code == 200 and time.monotonic() - started < 5
        assert response.json() == {"status": "ok", "schema": len(MIGRATIONS)}
    codes = [httpx.get(service.url + "/api/v1/health").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert one_line_error(httpx.get(service.url + "/api/v1/health"), 429).startswith("too many requests")
