"""The station: what the app asks of the kiosk, without the app."""

import datetime as dt

from kiosk.store import Store
from tests.helpers import CASES
from tests.helpers.kiosk_app import make_station


def test_today_is_the_stalls_local_day_and_only_this_kiosk(tmp_path):
    station = make_station(tmp_path, cases=CASES)
    case = station.offered()[0]
    noon = station.clock()
    with Store(station.settings.database) as store:
        store.record(case=case, kind="appeal", name="Here", message="", event="Test Fest", kiosk_id="stall-1", at=noon)
        store.record(case=case, kind="appeal", name="Other", message="", event="Test Fest", kiosk_id="stall-2", at=noon)
        # a minute before midnight on the stall's clock, in a zone far from this machine's
        late = dt.datetime.combine(noon.date() - dt.timedelta(days=1), dt.time(23, 59),
                                   tzinfo=dt.timezone(dt.timedelta(hours=-11)))
        store.record(case=case, kind="postcard", name="Yesterday", message="", event="Test Fest",
                     kiosk_id="stall-1", at=late)
    assert station.count_today() == 1
    assert station.counts_today() == {case.id: 1}


def test_disabled_cases_are_not_offered_and_stay_off(tmp_path):
    station = make_station(tmp_path, cases=CASES)
    first = station.offered()[0]
    station.set_enabled(first.id, False)
    assert first.id not in [c.id for c in station.offered()]
    station.close()
    again = make_station(tmp_path, cases=CASES)
    assert first.id not in [c.id for c in again.offered()]
    again.set_enabled(first.id, True)
    assert first.id in [c.id for c in again.offered()]


def test_reload_keeps_the_cases_when_the_folder_is_emptied(tmp_path):
    import shutil

    folder = tmp_path / "cases"
    shutil.copytree(CASES, folder)
    station = make_station(tmp_path, cases=folder)
    for f in folder.glob("*.toml"):
        f.unlink()
    errors = station.reload_cases()
    assert errors and "no case files" in errors[0]
    assert len(station.offered()) == 4  # a kiosk never ends up with nothing to offer mid-event


def test_preview_is_the_receipt_as_it_will_print(tmp_path):
    station = make_station(tmp_path, cases=CASES)
    case = station.case("lawyer-amara-osei")
    text = station.preview(case, "appeal", "Ada", "Courage!", station.next_number())
    assert "Ada" in text and "Courage!" in text and "Ref. Test Fest / stall-1 / #0001" in text
    assert "Your name" in station.preview(case, "postcard", "", "")


def test_a_database_that_vanished_is_reported_not_started_again_at_number_one(tmp_path):
    """The kiosk made its database at start; if the file goes (a stick pulled, a folder
    cleaned), a letter is not recorded into a new, empty file numbered #0001 again."""
    import pytest

    from kiosk.errors import StoreError

    station = make_station(tmp_path, cases=CASES)
    case = station.offered()[0]
    assert station.record(case.id, "appeal", "Ada", "").number == 1
    for path in tmp_path.glob("kiosk.db*"):
        path.unlink()
    with pytest.raises(StoreError, match="no such database"):
        station.record(case.id, "appeal", "Bo", "")
    assert not (tmp_path / "kiosk.db").exists()
    station.close()


def test_a_locked_database_is_one_line_for_the_commands_that_write(tmp_path, monkeypatch):
    """Reading goes on beside another writer (WAL); writing waits, then says so in one line."""
    import sqlite3

    from click.testing import CliRunner

    import kiosk.store.connection
    from kiosk.cli import cli
    from tests.helpers.fake_printer import refusing_port

    monkeypatch.setattr(kiosk.store.connection, "BUSY_TIMEOUT", 0.2)
    db = tmp_path / "k.db"
    stall = ["--db", str(db), "--cases", str(CASES), "--allow-sample-cases", "--printer", f"preview:{tmp_path / 'p'}"]
    sign = ["sign", "--case", "lawyer-amara-osei", "--name", "Ada", "--kind", "appeal", *stall]
    down = ["--printer", f"tcp://127.0.0.1:{refusing_port()}?timeout=1"]
    assert CliRunner().invoke(cli, [*sign, *down]).exit_code == 3  # a job waits
    writer = sqlite3.connect(db)
    writer.execute("BEGIN EXCLUSIVE")
    try:
        for args in (sign, ["jobs", "retry", *stall]):
            result = CliRunner().invoke(cli, args)
            lines = [line for line in result.output.splitlines() if line.strip()]
            assert result.exit_code == 1 and len(lines) == 1, (args, result.output)
            assert lines[0].startswith(f"Error: {db}: database is locked"), (args, lines)
        assert CliRunner().invoke(cli, ["jobs", "--db", str(db)]).exit_code == 0
    finally:
        writer.rollback()
        writer.close()
