"""The station: what the app asks of the kiosk, without the app."""

import datetime as dt

from kiosk.store import Store, local_day_bounds
from tests.conftest import CASES
from tests.kiosk_app import make_station


def test_today_is_the_stalls_local_day_and_only_this_kiosk(tmp_path):
    station = make_station(tmp_path, cases=CASES)
    case = station.offered()[0].id
    with Store(station.config.database_path) as store:
        store.record(case_id=case, kind="appeal", name="Here", message="", event="Test Fest", kiosk_id="stall-1")
        store.record(case_id=case, kind="appeal", name="Other", message="", event="Test Fest", kiosk_id="stall-2")
        sig = store.record(case_id=case, kind="postcard", name="Yesterday", message="", event="Test Fest",
                           kiosk_id="stall-1")
        start, _ = local_day_bounds(station.today())
        yesterday = (dt.datetime.fromisoformat(start.replace("Z", "+00:00")) - dt.timedelta(seconds=1))
        store.db.execute("UPDATE signatures SET created_at = ? WHERE id = ?",
                         [yesterday.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), sig.id])
        store.db.conn.commit()
    assert station.count_today() == 1
    assert station.counts_today() == {case: 1}


def test_local_day_bounds_cover_24_hours_in_utc():
    start, end = local_day_bounds(dt.date(2026, 11, 24))
    a = dt.datetime.fromisoformat(start.replace("Z", "+00:00"))
    b = dt.datetime.fromisoformat(end.replace("Z", "+00:00"))
    assert b - a == dt.timedelta(days=1) and start.endswith("Z")


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
