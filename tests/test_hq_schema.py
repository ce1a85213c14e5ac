"""``kiosk hq init``: the office's schema in a real PostgreSQL, made once, migrated, never downgraded,
and every bad database named in one line."""

from __future__ import annotations

import subprocess
import sys

import psycopg
import pytest
from click.testing import CliRunner

from kiosk.cli import cli
from kiosk.hq import schema


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def tables(dsn: str) -> set[str]:
    with psycopg.connect(dsn) as conn:
        return {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}


def test_init_makes_the_schema_and_a_second_run_changes_nothing(hq_dsn):
    first = run("hq", "init", "--dsn", hq_dsn)
    assert first.exit_code == 0, first.output
    assert ("HQ schema 0 -> 3 (0001_tokens_rows_conflicts_cases, 0002_conflicts_reviewed,"
            " 0003_signers_paper_letters)") in first.output
    assert {"hq_migrations", "tokens", "signatures", "consents", "consent_texts", "conflicts", "case_sets",
            "cases", "paper_letters"} <= tables(hq_dsn)
    second = run("hq", "init", "--dsn", hq_dsn)
    assert second.exit_code == 0 and "up to date (version 3)" in second.output
    with psycopg.connect(hq_dsn) as conn:
        assert conn.execute("SELECT version, name FROM hq_migrations").fetchall() == [
            (1, "0001_tokens_rows_conflicts_cases"), (2, "0002_conflicts_reviewed"),
            (3, "0003_signers_paper_letters")]


def test_init_keeps_the_rows_of_a_migrated_database(hq_db):
    with psycopg.connect(hq_db) as conn:
        conn.execute("INSERT INTO tokens (kiosk_id, digest) VALUES ('north', 'x')")
    assert schema.migrate(hq_db).applied == ()
    with psycopg.connect(hq_db) as conn:
        assert conn.execute("SELECT kiosk_id FROM tokens").fetchall() == [("north",)]


def test_two_inits_at_once_apply_each_migration_once(hq_dsn):
    import threading

    results = []
    threads = [threading.Thread(target=lambda: results.append(schema.migrate(hq_dsn))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(name for r in results for name in r.applied) == list(schema.SCHEMA)  # each once


def test_a_newer_schema_is_refused_untouched(hq_db):
    with psycopg.connect(hq_db) as conn:
        conn.execute("INSERT INTO hq_migrations (version, name) VALUES (99, '0099_from_the_future')")
    result = run("hq", "init", "--dsn", hq_db)
    assert result.exit_code == 1
    line = result.output.strip()
    assert line.count("\n") == 0 and "Traceback" not in line
    assert "HQ schema is version 99, newer than this kiosk knows (3): upgrade kiosk" in line
    listed = run("hq", "token", "list", "--dsn", hq_db)
    assert listed.exit_code == 1 and "version 99, newer" in listed.output


def test_commands_on_a_database_without_the_schema_say_to_init_it(hq_dsn):
    result = run("hq", "token", "list", "--dsn", hq_dsn)
    assert result.exit_code == 1
    assert "no HQ schema here: run kiosk hq init --dsn" in result.output
    assert result.output.count("\n") == 1


@pytest.mark.parametrize(("dsn", "expected"), [
    ("host=127.0.0.1 port", 'not a PostgreSQL connection string: missing "=" after "port"'),
    ("postgresql://[", "not a PostgreSQL connection string"),
    ("", "no database named: give --dsn"),
])
def test_a_dsn_that_is_not_one_is_one_line(dsn, expected):
    result = run("hq", "init", "--dsn", dsn)
    assert result.exit_code == 1
    assert result.output.startswith("Error: --dsn: ") and expected in result.output
    assert result.output.count("\n") == 1


def test_the_dsn_comes_from_the_environment_and_is_named_when_wrong(hq_dsn):
    assert run("hq", "init", env={"KIOSK_HQ_DSN": hq_dsn}).exit_code == 0
    result = run("hq", "init", env={"KIOSK_HQ_DSN": "nonsense"})
    assert result.exit_code == 1 and result.output.startswith("Error: KIOSK_HQ_DSN: not a PostgreSQL")


def test_an_unreachable_database_is_one_line_without_its_password(postgres):
    dsn = f"postgresql://postgres:s3cret@127.0.0.1:{postgres.port}/no_such_database"
    result = run("hq", "init", "--dsn", dsn)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: postgresql://postgres@127.0.0.1:{postgres.port}/no_such_database:"
                                    " cannot reach the database:")
    assert 'database "no_such_database" does not exist' in result.output
    assert "s3cret" not in result.output and result.output.count("\n") == 1


def test_a_server_that_is_down_is_one_line_from_the_real_command(postgres):
    """In a real process: no traceback, exit 1, one line on stderr."""
    closed = f"postgresql://postgres@127.0.0.1:{postgres.port + 1 if postgres.port < 65535 else 1}/hq"
    done = subprocess.run([sys.executable, "-m", "kiosk", "hq", "counts", "--dsn", closed], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "cannot reach the database: connection to server at" in done.stderr


def test_a_version_1_database_is_migrated_keeping_its_conflicts_open(hq_dsn, monkeypatch):
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:1])
    assert schema.migrate(hq_dsn).after == 1
    with psycopg.connect(hq_dsn) as conn:
        conn.execute("INSERT INTO conflicts (kind, row_id, uploaded_by, kept_hash, hash, content)"
                     " VALUES ('signature', 'x', 'north', 'a', 'b', '{}')")
    monkeypatch.undo()
    done = schema.migrate(hq_dsn)
    assert (done.before, done.after, done.applied) == (1, 3, ("0002_conflicts_reviewed", "0003_signers_paper_letters"))
    with psycopg.connect(hq_dsn) as conn:
        assert conn.execute("SELECT row_id, resolved_at, resolved_by FROM conflicts").fetchall() == [
            ("x", None, None)]


def test_a_version_2_database_is_migrated_its_letters_counted_with_no_signer_known(hq_dsn, monkeypatch):
    from kiosk.hq import national
    from tests.helpers.hq import signature

    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:2])
    schema.migrate(hq_dsn)
    rows = [signature(), signature(local_time="2026-07-03T11:00:00.000000+02:00")]
    with psycopg.connect(hq_dsn) as conn:
        for row in rows:
            conn.execute("INSERT INTO signatures (id, hash, content, uploaded_by) VALUES (%s, %s, %s, 'stall-1')",
                         (row["id"], row["hash"], psycopg.types.json.Jsonb(row["content"])))
    monkeypatch.undo()
    assert schema.migrate(hq_dsn).applied == ("0003_signers_paper_letters",)
    with psycopg.connect(hq_dsn) as conn:
        kept = conn.execute("SELECT id, signer, created_at FROM signatures ORDER BY created_at").fetchall()
    assert kept == [(r["id"], None, r["content"]["created_at"]) for r in rows]
    assert national.counts(hq_dsn, ["case"]) == [{"case_id": "lawyer-amara-osei", "case_title": "", "count": 2,
                                                  "paper": 0, "duplicates": 0, "signers": 2}]
