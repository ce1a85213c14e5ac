"""The numbers on the kiosk's screens, on the tally slip and in the exports are the same numbers."""

from __future__ import annotations

import csv
import io
import re

from click.testing import CliRunner

from kiosk.cli import cli
from kiosk.store import Store
from tests.helpers import CASES
from tests.helpers.escpos_stream import decode
from tests.helpers.kiosk_app import NOON, TEST_PIN, make_app, make_station, screen_text


def export(db, *args):
    result = CliRunner().invoke(cli, ["export", "counts", "--db", str(db), *args], catch_exceptions=False)
    return list(csv.DictReader(io.StringIO(result.output)))


async def test_home_organiser_tally_and_exports_agree(tmp_path):
    out = tmp_path / "printer.bin"
    station = make_station(tmp_path, cases=CASES, printer=f"file:{out}?profile=TM-T20II")
    first, second = station.offered()[0], station.offered()[1]
    for i in range(3):
        station.record(first.id, "appeal", f"V{i}", "")
    station.record(second.id, "postcard", "W", "")
    db = station.settings.database
    with Store(db) as store:  # another kiosk's letter, merged in: not this kiosk's count
        store.record(case=first, kind="appeal", name="Elsewhere", message="", event="Test Fest", kiosk_id="stall-2",
                     at=NOON)
    today = NOON.date().isoformat()
    exported = {r["case_id"]: int(r["count"])
                for r in export(db, "--by", "case", "--kiosk", "stall-1", "--since", today, "--until", today)}
    assert exported == {first.id: 3, second.id: 1}

    app = make_app(station)
    async with app.run_test(size=(120, 40)) as pilot:
        assert f"{sum(exported.values())} letters written here today" in screen_text(app)
        await pilot.press("f12", *TEST_PIN, "enter")
        await pilot.click("#tabs Tab#--content-tab-tab-today")
        await pilot.pause()
        shown = screen_text(app).splitlines()
        for case in (first, second):
            (row,) = [line for line in shown if case.title[:20] in line]
            assert re.search(rf"\s{exported[case.id]}\s", row)
        await pilot.click("#tally")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Tally slip printed: 4 letters today" in screen_text(app)

    paper = decode(out.read_bytes(), "TM-T20II").text
    assert "stall-1" in paper and f"{NOON:%A} {NOON.day} {NOON:%B %Y}" in paper
    assert "Letters: 4" in paper
    words = " ".join(paper.split())  # titles may wrap on 48 columns
    assert f"{first.title} appeals 3 postcards 0 total 3" in words
    assert f"{second.title} appeals 0 postcards 1 total 1" in words
    assert re.search(r"^12:00\s+4 #+$", paper, re.M)
