"""The PIN is only a salted hash; files with visitors' data are their owner's alone;
malformed case files never keep the kiosk from starting with the good ones."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import strategies as st

from kiosk.application import open_station
from kiosk.cli import cli
from kiosk.pin import verify_pin
from kiosk.settings import resolve
from tests.helpers import CASES, explore, sizes
from tests.helpers.kiosk_app import NOON, make_app, make_station, screen_name, screen_text

PIN = "864209"


def run(*args, input=None):
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask():
    """A umask that would leave new files readable by everyone: the kiosk must not rely on it."""
    old = os.umask(0o022)
    yield
    os.umask(old)


async def test_the_pin_is_kept_only_as_a_salted_hash(tmp_path, loose_umask, figure):
    config = tmp_path / "stall" / "kiosk.toml"
    run("set-pin", "--config", str(config), input=f"{PIN}\n{PIN}\n")
    first = resolve(config=config).pin_hash
    run("set-pin", "--config", str(config), input=f"{PIN}\n{PIN}\n")
    second = resolve(config=config).pin_hash
    assert first != second and first.split("$")[4] != second.split("$")[4]  # a new salt each time
    assert verify_pin(PIN, second) and not verify_pin("864208", second)
    with config.open("a", encoding="utf-8") as f:
        f.write(f'cases = "{CASES}"\nallow_sample_cases = true\ndatabase = "{tmp_path / "data" / "kiosk.db"}"\n'
                f'preview = "{tmp_path / "data" / "receipts"}"\n')
    station = open_station(resolve(config=config), clock=lambda: NOON)
    app = make_app(station)
    async with app.run_test(size=(100, 30)) as pilot:  # a letter, then the organiser unlocked
        await pilot.press("1", "a", *"Ada", "tab", "tab", "enter")
        await app.workers.wait_for_complete()
        await pilot.press("enter", "f12", *PIN, "enter")
        assert screen_name(app) == "OrganiserScreen"
        assert PIN not in screen_text(app)
    station.close()
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) >= 4  # settings, database, receipt PNG and text
    holding = [p for p in files if PIN.encode() in p.read_bytes()]
    assert holding == [], holding
    figure(f"PIN stored as salted scrypt only: {len(files)} files of a stall scanned, 0 hold the PIN")


def test_wrong_pins_wait_longer_each_time():
    """Covered with the screens in tests/test_app_lock.py; here the guard's schedule in numbers."""
    from kiosk.pin import FIRST_DELAY, FREE_TRIES, MAX_DELAY, PinGuard, hash_pin

    now = [0.0]
    guard = PinGuard(hash_pin("2468", salt=b"0123456789abcdef"), clock=lambda: now[0])
    waits = []
    for _ in range(12):
        assert not guard.try_pin("0000")
        waits.append(guard.wait())
        now[0] += guard.wait()
    assert waits[:FREE_TRIES - 1] == [0] * (FREE_TRIES - 1)
    assert waits[FREE_TRIES - 1:FREE_TRIES + 2] == [FIRST_DELAY, 2 * FIRST_DELAY, 4 * FIRST_DELAY]
    assert max(waits) == MAX_DELAY
    assert not guard.try_pin("2468") or guard.wait() == 0


def test_every_file_with_visitors_data_is_readable_by_its_owner_only(tmp_path, loose_umask, figure):
    db, receipts, out = tmp_path / "new" / "kiosk.db", tmp_path / "receipts", tmp_path / "out"
    out.mkdir()
    for i in range(3):
        run("sign", "--db", str(db), "--printer", f"preview:{receipts}", "--cases", str(CASES), "--allow-sample-cases",
            "--case", "lawyer-amara-osei", "--kind", "appeal", "--name", f"Visitor {i}", "--message", "Hello",
            "--event", "Fest")
    stale = out / "counts.csv"
    out.mkdir(exist_ok=True)
    run("export", "counts", "--by", "case,day", "-o", str(stale), "--db", str(db))
    stale.chmod(0o644)  # an export written over an old, readable one is narrowed too
    for args in (["export", "counts", "--by", "case,day", "-o", str(stale)],
                 ["export", "signatures", "-o", str(out / "signatures.csv")],
                 ["export", "signatures", "--format", "json", "-o", str(out / "signatures.json")],
                 ["export", "letters", "-o", str(out / "letters.csv")],
                 ["export", "letters", "--format", "html", "-o", str(out / "letters.html")],
                 ["report", "--out", str(out / "report")]):
        run(*args, "--db", str(db))
    private = [db, *tmp_path.glob("new/kiosk.db-*"), *receipts.iterdir(), *out.rglob("*.*")]
    names = sorted(p.name for p in private)
    assert {"kiosk.db", "counts.csv", "letters.html", "report.md", "letters-per-hour.png"} <= set(names)
    assert any(n.endswith(".png") and n != "letters-per-hour.png" for n in names)  # a receipt
    assert {p.name: oct(mode(p)) for p in private} == {p.name: oct(0o600) for p in private}
    folders = [db.parent, receipts, out / "report"]
    assert {str(p): oct(mode(p)) for p in folders} == {str(p): oct(0o700) for p in folders}
    figure(f"{len(private)} files (database, exports, report, receipts) created 0600 and "
           f"{len(folders)} folders 0700 under umask 022")


def test_the_database_and_its_wal_stay_private_while_the_kiosk_runs(tmp_path, loose_umask):
    station = make_station(tmp_path, cases=CASES)
    station.record(station.offered()[0].id, "appeal", "Ada", "")
    files = [station.settings.database, *tmp_path.glob("kiosk.db-*")]
    assert {f.name for f in files} >= {"kiosk.db", "kiosk.db-wal", "kiosk.db-shm"}
    assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
    station.close()


# -- malformed case files -----------------------------------------------------------------

GOOD = ["lawyer-amara-osei", "defender-tomas-quispe"]
template = (CASES / "lawyer-amara-osei.toml").read_text(encoding="utf-8")
broken_text = st.one_of(
    st.binary(max_size=300),  # anything at all, invalid UTF-8 included
    st.text(max_size=300).map(str.encode),
    st.sampled_from([b"", b"\xef\xbb\xbf", b"title = [", b"[appeal\n", b"title = 1\n", b'title = """', b"\x00" * 50,
                     b"sample = \"yes\"\n", ("x = '" + "y" * 200_000 + "'\n").encode()]),
    # the good file cut short, or with a line dropped, or a field given the wrong type
    st.integers(0, len(template)).map(lambda n: template[:n].encode()),
    st.integers(0, template.count("\n")).map(
        lambda n: "\n".join(line for i, line in enumerate(template.split("\n")) if i != n).encode()),
    st.sampled_from(["title", "person", "ask", "url", "body", "address", "deadline", "name"]).map(
        lambda key: template.replace(f"\n{key} = ", f"\n{key} = 42\n_{key} = ", 1).encode()),
)


def malformed_folder(folder: Path, contents: list[bytes], odd: list[str]) -> None:
    folder.mkdir()
    for case_id in GOOD:
        (folder / f"{case_id}.toml").write_bytes((CASES / f"{case_id}.toml").read_bytes())
    for i, data in enumerate(contents):
        (folder / f"broken-{i}.toml").write_bytes(data)
    for kind in odd:  # things a folder on a shared stick can hold
        path = folder / f"odd-{kind}.toml"
        if kind == "folder":
            path.mkdir()
        elif kind == "dangling-link":
            path.symlink_to(folder / "nowhere.toml")
        elif kind == "link-loop":
            path.symlink_to(path)
        elif kind == "bad-name":
            (folder / "Bad Name!.toml").write_bytes((CASES / "lawyer-amara-osei.toml").read_bytes())


CASE_FOLDERS = (60, 1_000)


@pytest.mark.parametrize("examples", sizes(*CASE_FOLDERS))
def test_malformed_case_files_never_keep_the_kiosk_from_starting(tmp_path_factory, examples, figure):
    @explore(examples, contents=st.lists(broken_text, min_size=1, max_size=4),
             odd=st.lists(st.sampled_from(["folder", "dangling-link", "link-loop", "bad-name"]), unique=True))
    def bad_files(contents, odd):
        tmp = tmp_path_factory.mktemp("c")
        malformed_folder(tmp / "cases", contents, odd)
        warnings: list[str] = []
        station = make_station(tmp, cases=tmp / "cases", warn=warnings.append)
        try:
            offered = {c.id for c in station.offered()}
            assert set(GOOD) <= offered  # the good ones are always there
            for line in warnings:
                assert "\n" not in line and str(tmp / "cases") in line, line
            assert offered - set(GOOD) <= {f"broken-{i}" for i in range(len(contents))}
            return len(contents) + len(odd) - len(offered - set(GOOD))
        finally:
            station.close()

    figure(f"{len(bad_files):,} cases folders with {sum(bad_files):,} malformed case files (random bytes, cut short, "
           f"wrong types, folders, broken links): the kiosk started with the good cases every time")


async def test_the_app_starts_with_the_good_cases_beside_broken_ones(tmp_path):
    malformed_folder(tmp_path / "cases", [b"\xff\xfe", b"title = [", b""], ["folder", "link-loop"])
    station = make_station(tmp_path, cases=tmp_path / "cases")
    app = make_app(station)
    async with app.run_test(size=(100, 30)):
        shown = screen_text(app)
        assert "Amara Osei" in shown and "Tomás Quispe" in shown
        assert screen_name(app) == "HomeScreen"
    station.close()
