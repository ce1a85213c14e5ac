"""Likely duplicates: the same person signing a case again, found on any kiosk of a campaign once
their files are merged, flagged (never refused or hidden), and still found after a purge."""

from __future__ import annotations

import csv
import io
import os
import sqlite3

import pytest
from click.testing import CliRunner

from kiosk.cli import cli
from kiosk.signers import fingerprint, key_id, normalised_name
from kiosk.store import Store
from tests.test_settings import stall_cases

KEY = "campaign-secret-for-tests-0123456789"
CASE, OTHER = "lawyer-amara-osei", "journalist-lina-haddad"


def run(*args, env=None, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env, input=input, catch_exceptions=False)


@pytest.fixture
def campaign(tmp_path):
    """Two kiosks of one campaign: the same signer key, their own databases and kiosk ids."""
    stall_cases(tmp_path / "cases")
    configs = []
    for kiosk in ("tent-1", "tent-2"):
        config = tmp_path / f"{kiosk}.toml"
        config.write_text(f'event = "Fest"\nkiosk_id = "{kiosk}"\ncases = "cases"\ndatabase = "{kiosk}.db"\n'
                          f'printer = "preview:{tmp_path / kiosk}"\nsigner_key = "{KEY}"\n', encoding="utf-8")
        os.chmod(config, 0o600)
        configs.append(config)
    return configs


def sign(config, name, case=CASE, *extra):
    result = run("sign", "--config", config, "--case", case, "--name", name, "--kind", "appeal", *extra)
    assert result.exit_code == 0, result.output
    return result


def counts(db, *by):
    result = run("export", "counts", "--db", db, "--format", "csv", *[a for b in by for a in ("--by", b)])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.output)))


def test_a_name_is_one_signer_however_it_is_typed_and_two_people_with_addresses_are_two():
    same = {fingerprint(KEY, n) for n in ("Ada Lovelace", "ADA  LOVELACE", " ada\tlovelace ", "Ａｄａ Lovelace")}
    assert len(same) == 1
    assert normalised_name("Straße  X") == "strasse x"
    assert fingerprint(KEY, "Ada", "ada@example.org") == fingerprint(KEY, "ada", "ADA@example.org")
    assert fingerprint(KEY, "Ada", "ada@example.org") != fingerprint(KEY, "Ada", "other@example.org")
    assert fingerprint(KEY, "Ada") != fingerprint(KEY, "Ada", "ada@example.org")
    other_key = fingerprint("another-campaign-key-0000", "Ada")
    assert other_key.split(":")[0] == key_id("another-campaign-key-0000") != key_id(KEY)
    assert fingerprint(None, "Ada") is None and fingerprint(KEY, "   ") is None


def test_duplicates_across_two_kiosks_are_flagged_after_merge_and_survive_purge(tmp_path, campaign):
    one, two = campaign
    sign(one, "Ada Lovelace")
    sign(one, "Grace Hopper")
    sign(one, "Ada Lovelace", OTHER)            # another case: not a duplicate
    sign(two, "ada  LOVELACE")                  # the same person, the same case, on the other kiosk
    sign(two, "Katherine Johnson")
    for db, (letters, dups) in ((tmp_path / "tent-1.db", (3, 0)), (tmp_path / "tent-2.db", (2, 0))):
        rows = counts(db, "kiosk")
        assert (int(rows[0]["count"]), int(rows[0]["duplicates"])) == (letters, dups)  # alone: nothing to match

    merged = tmp_path / "all.db"
    result = run("merge", tmp_path / "tent-1.db", tmp_path / "tent-2.db", "--db", merged)
    assert result.exit_code == 0, result.output
    before = counts(merged, "case")
    by_case = {r["case_id"]: r for r in before}
    assert by_case[CASE]["count"] == "4" and by_case[CASE]["duplicates"] == "1" and by_case[CASE]["signers"] == "3"
    assert by_case[OTHER]["count"] == "1" and by_case[OTHER]["duplicates"] == "0"
    exported = list(csv.DictReader(io.StringIO(run("export", "signatures", "--db", merged, "--format", "csv").output)))
    assert len(exported) == 5, "a duplicate is listed, never hidden"
    flagged = [(r["name"], r["kiosk_id"]) for r in exported if r["likely_duplicate"] == "yes"]
    assert flagged == [("ada LOVELACE", "tent-2")]

    result = run("purge", "--db", merged, "--personal-data", "--yes")
    assert result.exit_code == 0, result.output
    assert counts(merged, "case") == before
    raw = merged.read_bytes()
    assert b"Lovelace" not in raw and b"LOVELACE" not in raw and b"Hopper" not in raw

    # signed again on the first kiosk (other words: not a double press) and merged in after the purge
    sign(one, "Ada Lovelace ", CASE, "--message", "Again, louder")
    result = run("merge", tmp_path / "tent-1.db", "--db", merged)
    assert result.exit_code == 0, result.output
    by_case = {r["case_id"]: r for r in counts(merged, "case")}
    assert (by_case[CASE]["count"], by_case[CASE]["duplicates"], by_case[CASE]["signers"]) == ("5", "2", "3")


def test_a_letter_signed_after_a_purge_is_still_found_a_duplicate(tmp_path, campaign):
    one, _ = campaign
    db = tmp_path / "tent-1.db"
    sign(one, "Ada Lovelace", CASE, "--message", "First")
    assert run("purge", "--db", db, "--personal-data", "--yes").exit_code == 0
    sign(one, "ADA LOVELACE", CASE, "--message", "Again")
    row = counts(db, "case")[0]
    assert (row["count"], row["duplicates"], row["signers"]) == ("2", "1", "1")


def test_without_a_key_nothing_is_matched_and_nothing_is_kept(tmp_path, campaign):
    one, _ = campaign
    one.write_text(one.read_text(encoding="utf-8").replace(f'signer_key = "{KEY}"\n', ""), encoding="utf-8")
    sign(one, "Ada")
    sign(one, "Ada", CASE, "--message", "again")
    row = counts(tmp_path / "tent-1.db", "case")[0]
    assert (row["count"], row["duplicates"], row["signers"]) == ("2", "0", "2")
    conn = sqlite3.connect(tmp_path / "tent-1.db")
    assert conn.execute("SELECT COUNT(*) FROM signatures WHERE signer IS NOT NULL").fetchone()[0] == 0
    conn.close()


def test_kiosks_with_different_keys_never_match(tmp_path, campaign):
    one, two = campaign
    two.write_text(two.read_text(encoding="utf-8").replace(KEY, "a-different-campaign-key-99"), encoding="utf-8")
    sign(one, "Ada")
    sign(two, "Ada")
    merged = tmp_path / "all.db"
    assert run("merge", tmp_path / "tent-1.db", tmp_path / "tent-2.db", "--db", merged).exit_code == 0
    assert counts(merged, "case")[0]["duplicates"] == "0"


def test_an_address_given_later_fingerprints_the_writer_again_and_merge_keeps_the_better_copy(tmp_path):
    from kiosk.store import ConsentChoice
    from tests.test_consent_store import WORDING as TEXT  # a consent wording

    a = Store(tmp_path / "a.db")
    sig = a.record(case_id=CASE, kind="appeal", name="Ada", message="", event="E", kiosk_id="k1",
                   signer=fingerprint(KEY, "Ada"))
    early = tmp_path / "early.db"
    a.db.execute("VACUUM INTO ?", [str(early)])
    a.record_consent(sig.id, ConsentChoice(TEXT, "yes", "ada@example.org", True),
                     signer=fingerprint(KEY, "Ada", "ada@example.org"))
    a.close()
    target = Store(tmp_path / "t.db")
    target.merge([early])
    assert target.signature(sig.id).signer == fingerprint(KEY, "Ada")
    target.merge([tmp_path / "a.db"])  # the copy holding the yes and its address
    assert target.signature(sig.id).signer == fingerprint(KEY, "Ada", "ada@example.org")
    target.merge([early])  # an older copy merged again changes nothing
    assert target.signature(sig.id).signer == fingerprint(KEY, "Ada", "ada@example.org")
    target.close()


def test_a_file_with_a_forged_signer_is_refused_by_merge(tmp_path):
    a = Store(tmp_path / "a.db")
    a.record(case_id=CASE, kind="appeal", name="Ada", message="", event="E", kiosk_id="k1")
    a.db.execute("UPDATE signatures SET signer = 'Ada Lovelace'")
    a.db.conn.commit()
    a.close()
    result = run("merge", tmp_path / "a.db", "--db", tmp_path / "t.db")
    assert result.exit_code != 0
    assert "signer: not a signer fingerprint" in result.output and "Traceback" not in result.output


def test_signer_key_commands_write_the_key_for_the_owner_only_and_show_only_its_id(tmp_path):
    config = tmp_path / "stall.toml"
    result = run("signer-key", "new", "--config", config)
    assert result.exit_code == 0, result.output
    key = result.output.strip().rsplit(" ", 1)[1]
    assert oct(config.stat().st_mode & 0o777) == "0o600"
    assert f'signer_key = "{key}"' in config.read_text(encoding="utf-8")
    again = run("signer-key", "new", "--config", config)
    assert again.exit_code == 1 and "a key is set already" in again.output
    shown = run("signer-key", "id", "--config", config)
    assert shown.output.strip() == f"Signer key id: {key_id(key)}" and key not in shown.output
    other = tmp_path / "other.toml"
    assert run("signer-key", "set", "--config", other, input=f"{key}\n").exit_code == 0
    assert run("signer-key", "id", "--config", other).output == shown.output
    short = run("signer-key", "set", "--config", other, input="short\n")
    assert short.exit_code != 0 and "signer_key: a signer key is 16 to 256 characters" in short.output
    os.chmod(other, 0o644)
    leaky = run("signer-key", "id", "--config", other)
    assert leaky.exit_code != 0 and "holds a secret but others may read it: chmod 600" in leaky.output
