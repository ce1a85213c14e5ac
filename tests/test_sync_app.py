"""Sync in the app: a worker of its own syncs at start, the organiser screen shows the state (the
last sync, the rows waiting, each conflict with its reference), and a visitor signs and prints
while the office's service hangs, never waiting for it. The office's case set: taken when it
reads whole, offered from the next home screen; a broken set keeps the cases the kiosk has."""

from __future__ import annotations

import asyncio
import threading

from textual.widgets import TabbedContent

from kiosk.store import Store
from kiosk.sync.published import folder_for
from tests.helpers import CASE_FILES, CASES
from tests.helpers.fake_hq import TOKEN, FakeHQ, running
from tests.helpers.kiosk_app import TEST_PIN, make_app, make_station, screen_name, screen_text

SIZE = (110, 34)


def syncing_station(tmp_path, hq: FakeHQ, **settings):
    return make_station(tmp_path, cases=CASES, sync_url=hq.url, sync_token=TOKEN, kiosk_id="north", **settings)


async def until(pilot, condition, seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
        await pilot.pause()
    raise AssertionError("never happened")


async def test_the_organiser_screen_shows_the_sync_state_and_conflicts(tmp_path):
    with running(FakeHQ("north")) as hq:
        station = syncing_station(tmp_path, hq)
        with Store(tmp_path / "kiosk.db") as store:
            first = store.record(case_id=CASE_FILES[0].stem, kind="appeal", name="Ada", message="", event="Test Fest",
                                 kiosk_id="north")
            store.record(case_id=CASE_FILES[0].stem, kind="postcard", name="Grace", message="", event="Test Fest",
                         kiosk_id="north")
            store.record(case_id=CASE_FILES[0].stem, kind="postcard", name="Hedy", message="", event="Test Fest",
                         kiosk_id="old")  # recorded before the kiosk id changed: only old's token sends it
        hq.rows[("signature", first.id)] = "0" * 64  # the office holds other content under its id
        app = make_app(station)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.last_sync_line is not None and not app.syncing)
            assert len(hq.rows) == 2 and hq.conflicts == [("signature", first.id)]
            await pilot.press("f12", *TEST_PIN, "enter")
            assert screen_name(app) == "OrganiserScreen"
            app.screen.query_one("#tabs", TabbedContent).active = "tab-sync"
            await pilot.pause()
            text = screen_text(app)
            assert f"Office: {hq.url}" in text
            assert "Rows waiting to be sent: 0" in text and "Last sync: never" not in text
            assert "Test Fest / north / #0001" in text and "conflict" in text
            assert "the office holds other content under this id" in text
            assert "Rows of kiosk old waiting here: 1; send them with old's token: kiosk sync --kiosk-id old" in text
            assert TOKEN not in text


async def test_a_reason_with_escape_sequences_reaches_the_sync_tab_clean(tmp_path):
    from textual.widgets import DataTable

    with running(FakeHQ("north")) as hq:
        station = syncing_station(tmp_path, hq)
        with Store(tmp_path / "kiosk.db") as store:
            first = store.record(case_id=CASE_FILES[0].stem, kind="appeal", name="Ada", message="", event="Test Fest",
                                 kiosk_id="north")
        hq.rows[("signature", first.id)] = "0" * 64
        hq.reason = "\x1b]0;PWNED\x1b\\ held \u202eelsewhere\u2066 \x07done"
        app = make_app(station)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.last_sync_line is not None and not app.syncing)
            await pilot.press("f12", *TEST_PIN, "enter")
            app.screen.query_one("#tabs", TabbedContent).active = "tab-sync"
            await pilot.pause()
            table = app.screen.query_one("#sync-conflicts", DataTable)
            shown = str(table.get_row_at(0)[2])
            assert shown == "]0;PWNED\\ held elsewhere done"
            assert "PWNED" in screen_text(app) and "\x1b" not in screen_text(app)


async def test_a_visitor_signs_and_prints_while_the_office_hangs(tmp_path):
    with running(FakeHQ("north")) as hq:
        hq.fault = "hang"
        station = syncing_station(tmp_path, hq)
        app = make_app(station)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.syncing and hq.requests)  # the sync worker is stuck with the office
            await pilot.press("enter", "p", *"Ada", "tab", "tab", "enter")
            await until(pilot, lambda: screen_name(app) == "ThanksScreen", seconds=10)
            assert app.syncing  # still stuck: the visitor never waited for it
            with Store(tmp_path / "kiosk.db") as store:
                [sig] = store.signatures()
                assert sig.name == "Ada" and store.job_for(sig.id).status.value == "printed"
                assert store.sync_status("north").waiting == 1
            await pilot.press("f12", *TEST_PIN, "enter")
            app.screen.query_one("#tabs", TabbedContent).active = "tab-sync"
            await pilot.pause()
            assert "Syncing…" in screen_text(app) and "Rows waiting to be sent: 1" in screen_text(app)
            hq.fault = None
            hq.release.set()  # the office answers again (the hung request ends); the next sync sends it
            await until(pilot, lambda: not app.syncing)
            app.sync_if_due(now=True)
            await until(pilot, lambda: not app.syncing and ("signature", sig.id) in hq.rows)


def published(*paths, **replaced) -> dict:
    files = {path.name: path.read_text(encoding="utf-8") for path in paths}
    files.update(replaced)
    return {"version": 3, "hash": "h3", "files": files}


async def test_the_office_case_set_is_offered_from_the_next_home_screen_and_a_broken_one_is_refused(tmp_path):
    with running(FakeHQ("north")) as hq:
        station = syncing_station(tmp_path, hq)
        before = {c.id for c in station.offered()}
        assert len(before) == len(CASE_FILES)
        hq.cases = published(CASE_FILES[0])
        app = make_app(station)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.last_sync_line is not None and not app.syncing)
            assert {c.id for c in station.offered()} == {CASE_FILES[0].stem}
            assert station.cases_source == folder_for(tmp_path / "kiosk.db")
            title = station.offered()[0].title
            assert title in screen_text(app)

            # a broken set: one file does not read; the kiosk keeps what it offers
            hq.cases = {**published(*CASE_FILES), "version": 4, "hash": "h4"}
            hq.cases["files"][CASE_FILES[1].name] = 'title = "half a case'
            app.sync_if_due(now=True)
            await until(pilot, lambda: not app.syncing and app.last_sync_line and "refused" in app.last_sync_line)
            assert "version 4: 1 problem(s), the first: " + CASE_FILES[1].name in app.last_sync_line
            app.end_visit()
            await pilot.pause()
            assert {c.id for c in station.offered()} == {CASE_FILES[0].stem}
            with Store(tmp_path / "kiosk.db") as store:
                state = store.sync_state()
            assert (state["cases_version"], state["cases_error"].startswith("version 4")) == (3, True)


async def test_a_case_set_naming_files_outside_its_folder_is_refused(tmp_path):
    from kiosk.application import open_sync

    with running(FakeHQ("north")) as hq:
        station = syncing_station(tmp_path, hq)
        for name in ("../evil.toml", "/tmp/evil.toml", "sub/evil.toml", "consent.toml", "Evil.toml", "evil.txt"):
            hq.cases = published(CASE_FILES[0], **{name: CASE_FILES[0].read_text(encoding="utf-8")})
            report = open_sync(station.settings).run()
            assert report.cases_problem and "is not a case file name" in report.cases_problem, name
            assert report.error is None
        assert not (tmp_path / "evil.toml").exists() and not folder_for(tmp_path / "kiosk.db").exists()
        assert {c.id for c in station.offered()} == {p.stem for p in CASE_FILES}


def test_the_kiosk_quits_at_once_while_the_office_trickles_its_answer(tmp_path):
    """The office sends its headers, then a byte now and then: the sync waits on it (up to its
    overall deadline), and quitting never waits for the sync. Timed until asyncio.run returns, as
    `kiosk run` does: a thread of the loop's executor (a Textual thread worker) is waited for there."""
    import time

    from tests.helpers.trickle import trickling

    took: list[float] = []

    async def scenario(app) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.syncing)
            await asyncio.sleep(1.0)  # the upload's answer is trickling in
            assert app.syncing and app.sync_thread is not None and app.sync_thread.is_alive()
            assert app.sync_thread is not threading.main_thread() and app.sync_thread.daemon
            took.append(time.monotonic())
            app.quit_kiosk()

    with trickling(0.2) as url:
        station = make_station(tmp_path, cases=CASES, sync_url=url, sync_token=TOKEN, kiosk_id="north")
        with Store(tmp_path / "kiosk.db") as store:
            store.record(case_id=CASE_FILES[0].stem, kind="appeal", name="Ada", message="", event="Test Fest",
                         kiosk_id="north")
        asyncio.run(scenario(make_app(station)))
        quitting = time.monotonic() - took[0]
        assert quitting < 10, f"quitting took {quitting:.1f} s"
    with Store(tmp_path / "kiosk.db") as store:
        assert store.sync_status("north").waiting == 1  # nothing marked sent


def test_an_office_set_of_sample_cases_alone_is_refused_where_samples_are_not_allowed(tmp_path):
    """allow_sample_cases off: an office set that leaves this stall nothing to offer is refused (the
    kiosk keeps its cases, and says why), and one already in hq-cases is never preferred to the
    stall's own folder: the kiosk starts with its own cases."""
    own = tmp_path / "own-cases"
    own.mkdir()
    (own / "our-case.toml").write_text(CASE_FILES[0].read_text(encoding="utf-8").replace("sample = true\n", ""),
                                       encoding="utf-8")
    with running(FakeHQ("north")) as hq:
        hq.cases = published(*CASE_FILES)  # the shipped samples alone
        station = make_station(tmp_path, cases=own, sync_url=hq.url, sync_token=TOKEN, kiosk_id="north",
                               allow_sample_cases=False)
        report = station.sync().run()
        assert report.error is None and not report.cases_taken
        assert report.cases_problem is not None and "no case this kiosk may offer" in report.cases_problem
        assert "sample cases count only where allow_sample_cases is on" in report.cases_problem
        assert not folder_for(tmp_path / "kiosk.db").exists()
        assert station.sync().status().state["cases_error"] == report.cases_problem
    # a set of samples taken while they were allowed, then allow_sample_cases turned off
    hq_folder = folder_for(tmp_path / "kiosk.db")
    hq_folder.mkdir()
    for path in CASE_FILES:
        (hq_folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    again = make_station(tmp_path, cases=own, sync_url="http://127.0.0.1:9", sync_token=TOKEN, kiosk_id="north",
                         allow_sample_cases=False)
    assert [case.id for case in again.offered()] == ["our-case"] and again.cases_source == own
