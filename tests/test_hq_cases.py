"""``kiosk hq cases publish``: a folder published whole, only when every file passes the kiosk's checks;
kiosks fetch it with ``GET /api/v1/cases`` and get the files as they are on disk."""

from __future__ import annotations

import shutil

import httpx
from click.testing import CliRunner

from kiosk.cli import cli
from kiosk.sync_protocol import CASES, content_hash
from tests.helpers import CASE_FILES


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def folder_of(tmp_path, name, files=CASE_FILES):
    folder = tmp_path / name
    folder.mkdir()
    for path in files:
        shutil.copy(path, folder / path.name)
    return folder


def fetch(service, token):
    response = httpx.get(service.url + CASES, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return response.json()


def test_nothing_published_yet_is_version_0(hq_service):
    assert fetch(hq_service, hq_service.token("stall-1")) == {"version": 0, "hash": content_hash({}), "files": {}}


def test_published_sets_are_numbered_and_fetched_as_on_disk(hq_service, tmp_path):
    token = hq_service.token("stall-1")
    first = folder_of(tmp_path, "first", CASE_FILES[:2])
    result = run("hq", "cases", "publish", str(first), "--dsn", hq_service.dsn)
    assert result.exit_code == 0 and result.output.startswith("Published case set 1 (2 case(s): ")
    got = fetch(hq_service, token)
    assert got["version"] == 1
    assert got["files"] == {p.name: p.read_bytes().decode() for p in CASE_FILES[:2]}
    assert got["hash"] == content_hash(got["files"])
    again = run("hq", "cases", "publish", str(first), "--dsn", hq_service.dsn)
    assert again.exit_code == 0 and again.output.startswith("Unchanged: case set 1")
    second = folder_of(tmp_path, "second")
    assert run("hq", "cases", "publish", str(second), "--dsn", hq_service.dsn).output.startswith(
        f"Published case set 2 ({len(CASE_FILES)} case(s)")
    assert fetch(hq_service, token)["version"] == 2
    assert len(fetch(hq_service, token)["files"]) == len(CASE_FILES)


def test_a_broken_folder_is_refused_in_one_line_and_nothing_is_published(hq_service, tmp_path):
    token = hq_service.token("stall-1")
    run("hq", "cases", "publish", str(folder_of(tmp_path, "good")), "--dsn", hq_service.dsn)
    broken = folder_of(tmp_path, "broken")
    (broken / "zz-broken.toml").write_text('title = "no closing quote\n', encoding="utf-8")
    result = run("hq", "cases", "publish", str(broken), "--dsn", hq_service.dsn)
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert result.output.startswith(f"Error: {broken / 'zz-broken.toml'}: ")
    assert result.output.rstrip().endswith("nothing was published")
    assert fetch(hq_service, token)["version"] == 1


def test_missing_and_empty_folders_are_named(hq_db, tmp_path):
    missing = run("hq", "cases", "publish", str(tmp_path / "nope"), "--dsn", hq_db)
    assert missing.exit_code == 1
    assert missing.output == f"Error: {tmp_path / 'nope'}: no such folder; nothing was published\n"
    (tmp_path / "empty").mkdir()
    empty = run("hq", "cases", "publish", str(tmp_path / "empty"), "--dsn", hq_db)
    assert empty.exit_code == 1 and "no case files (*.toml) in this folder" in empty.output


def test_the_titles_published_name_the_cases_in_counts(hq_service, tmp_path):
    folder = folder_of(tmp_path, "cases", CASE_FILES[:1])
    text = (folder / CASE_FILES[0].name).read_text(encoding="utf-8")
    run("hq", "cases", "publish", str(folder), "--dsn", hq_service.dsn)
    (folder / CASE_FILES[0].name).write_text(text.replace('title = "', 'title = "Renamed: ', 1), encoding="utf-8")
    assert run("hq", "cases", "publish", str(folder), "--dsn", hq_service.dsn).output.startswith("Published case set 2")
    from tests.helpers.hq import batch, signature, upload

    upload(hq_service.url, hq_service.token("k"), batch("k", [signature("k", case_id=CASE_FILES[0].stem)]))
    rows = httpx.get(hq_service.url + "/api/v1/counts").json()["rows"]
    assert rows[0]["case_title"].startswith("Renamed: ")


def test_a_kiosk_with_the_latest_set_gets_304_and_no_body(hq_service, tmp_path):
    """The kiosk's own client sends its hash in If-None-Match: the set is not sent again."""
    from kiosk.sync.client import Client

    token = hq_service.token("stall-1")
    run("hq", "cases", "publish", str(folder_of(tmp_path, "first", CASE_FILES[:2])), "--dsn", hq_service.dsn)
    with Client(hq_service.url, token) as client:
        got = client.cases(None)
        assert got is not None and got["version"] == 1
        assert client.cases(got["hash"]) is None
        assert client.cases("0" * 64)["version"] == 1
    raw = httpx.get(hq_service.url + CASES, headers={"Authorization": f"Bearer {token}",
                                                      "If-None-Match": f'"{got["hash"]}"'})
    assert raw.status_code == 304 and raw.content == b"" and raw.headers["etag"] == f'"{got["hash"]}"'
    run("hq", "cases", "publish", str(folder_of(tmp_path, "second")), "--dsn", hq_service.dsn)
    with Client(hq_service.url, token) as client:
        assert client.cases(got["hash"])["version"] == 2
    refused = httpx.get(hq_service.url + CASES, headers={"If-None-Match": f'"{got["hash"]}"'})
    assert refused.status_code == 401  # the token first, always


def test_a_set_larger_than_a_kiosk_reads_is_refused_in_one_line(hq_service, tmp_path):
    from kiosk.sync.client import CASES_MAX

    folder = tmp_path / "large"
    folder.mkdir()
    text = CASE_FILES[0].read_text(encoding="utf-8")
    padding = "# " + "x" * 200_000 + "\n"  # a comment: the file still passes kiosk cases check
    count = CASES_MAX // 200_000 + 2
    for n in range(count):
        (folder / f"large-{n:03d}.toml").write_text(text + padding, encoding="utf-8")
    result = run("hq", "cases", "publish", str(folder), "--dsn", hq_service.dsn)
    assert result.exit_code == 1 and result.output.count("\n") == 1, result.output
    assert f"a kiosk reads at most {CASES_MAX:,}: nothing was published" in result.output
    assert fetch(hq_service, hq_service.token("stall-1"))["version"] == 0
