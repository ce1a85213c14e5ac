"""Kiosks' tokens: shown once, kept only as SHA-256, listed without secrets, revocable at once."""

from __future__ import annotations

import hashlib

import httpx
import psycopg
from click.testing import CliRunner

from kiosk.cli import cli
from kiosk.sync_protocol import CASES
from tests.helpers.hq import batch, one_line_error, signature, upload


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_a_token_is_shown_once_and_kept_only_as_its_hash(hq_db):
    made = run("hq", "token", "add", "stall-1", "--dsn", hq_db)
    assert made.exit_code == 0
    assert "Token 1 for kiosk stall-1 (shown once" in made.stderr
    secret = made.stdout.strip()
    assert len(secret) >= 43 and "\n" not in secret
    with psycopg.connect(hq_db) as conn:
        everything = conn.execute("SELECT row_to_json(t)::text FROM tokens t").fetchall()
    assert secret not in str(everything)
    assert hashlib.sha256(secret.encode()).hexdigest() in str(everything)
    listed = run("hq", "token", "list", "--dsn", hq_db)
    assert "stall-1" in listed.output and "in use" in listed.output and secret not in listed.output
    assert hashlib.sha256(secret.encode()).hexdigest() not in listed.output


def test_each_token_is_new(hq_db):
    first = run("hq", "token", "add", "stall-1", "--dsn", hq_db).stdout
    second = run("hq", "token", "add", "stall-1", "--dsn", hq_db).stdout
    assert first != second


def test_a_revoked_token_is_refused_at_once(hq_service):
    token = hq_service.token("stall-1")
    assert upload(hq_service.url, token, batch("stall-1", [signature()])).status_code == 200
    revoked = run("hq", "token", "revoke", "stall-1", "--dsn", hq_service.dsn)
    assert revoked.exit_code == 0 and revoked.output == "Revoked 1 token(s) of kiosk stall-1: 1\n"
    response = upload(hq_service.url, token, batch("stall-1", [signature()]))
    assert one_line_error(response, 401) == "unknown or revoked token"
    assert response.headers["www-authenticate"] == "Bearer"
    assert "revoked" in run("hq", "token", "list", "--dsn", hq_service.dsn).output


def test_revoking_one_token_leaves_the_kiosks_other(hq_service):
    old, new = hq_service.token("stall-1"), hq_service.token("stall-1")
    assert run("hq", "token", "revoke", "stall-1", "--id", "1", "--dsn", hq_service.dsn).exit_code == 0
    assert upload(hq_service.url, old, batch("stall-1", [])).status_code == 401
    assert upload(hq_service.url, new, batch("stall-1", [])).status_code == 200


def test_no_token_a_wrong_one_or_another_scheme_is_401(hq_service):
    hq_service.token("stall-1")
    body = batch("stall-1", [signature()])
    assert one_line_error(upload(hq_service.url, None, body), 401).startswith("no token: send Authorization")
    assert one_line_error(upload(hq_service.url, "A" * 43, body), 401) == "unknown or revoked token"
    assert one_line_error(upload(hq_service.url, "x'; DROP TABLE tokens; --", body), 401) == "unknown or revoked token"
    basic = upload(hq_service.url, None, body, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert one_line_error(basic, 401).startswith("no token")
    assert httpx.get(hq_service.url + CASES).status_code == 401


def test_a_token_uploads_for_its_kiosk_only(hq_service):
    token = hq_service.token("north")
    response = upload(hq_service.url, token, batch("south", [signature("south")]))
    assert one_line_error(response, 400) == "kiosk_id 'south' is not this token's kiosk (north)"


def test_unknown_kiosks_and_bad_ids_are_one_line(hq_db):
    unknown = run("hq", "token", "revoke", "nobody", "--dsn", hq_db)
    assert unknown.exit_code == 1 and unknown.output == "Error: kiosk_id: no token was ever made for kiosk 'nobody'\n"
    run("hq", "token", "add", "north", "--dsn", hq_db)
    run("hq", "token", "revoke", "north", "--dsn", hq_db)
    again = run("hq", "token", "revoke", "north", "--dsn", hq_db)
    assert again.exit_code == 1 and "has no token in use (revoked already?)" in again.output
    bad = run("hq", "token", "add", "no spaces/allowed", "--dsn", hq_db)
    assert bad.exit_code == 1 and "is not a kiosk id" in bad.output and bad.output.count("\n") == 1
