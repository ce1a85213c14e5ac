"""One sync against a small office service on loopback: rows are marked sent only from the
office's answer for each, every fault (500, 429 with Retry-After, 401, garbage, answers that do
not match, a dropped connection, a service that hangs) loses nothing and backs off, 413 halves
the batch; and the command line's kiosk sync and kiosk sync status."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from click.testing import CliRunner

from kiosk.application import open_sync
from kiosk.cli import cli
from kiosk.settings import resolve
from kiosk.store import ConsentChoice, Store
from kiosk.sync.client import Client, SyncError, retry_after
from kiosk.sync.run import BACKOFF_MAX, backoff
from tests.helpers.fake_hq import TOKEN, FakeHQ, running
from tests.test_sync_outbox import WORDING, letter

GIVEN = dt.datetime(2026, 7, 3, 10, 0, tzinfo=dt.UTC)


def settings_for(tmp_path, url: str, *, token: str = TOKEN, personal: str = "consented"):
    return resolve(environ={
        "KIOSK_DB": str(tmp_path / "kiosk.db"), "KIOSK_ID": "north", "KIOSK_SYNC_URL": url,
        "KIOSK_SYNC_TOKEN": token, "KIOSK_SYNC_PERSONAL_DATA": personal, "KIOSK_CASES": str(tmp_path / "cases"),
    }, use_file=False)


@pytest.fixture
def hq():
    with running(FakeHQ("north")) as hq:
        yield hq


@pytest.fixture
def kiosk_db(tmp_path):
    with Store(tmp_path / "kiosk.db") as store:
        yield store


def state(store: Store) -> dict:
    return store.sync_state()


def test_a_sync_sends_every_row_and_marks_them_from_the_answers(tmp_path, hq, kiosk_db):
    sigs = [letter(kiosk_db, f"Visitor {i}") for i in range(3)]
    kiosk_db.record_consent(sigs[0].id, ConsentChoice(WORDING, "yes", "v0@example.org", True))
    report = open_sync(settings_for(tmp_path, hq.url)).run()
    assert report.error is None, report.error
    assert (report.sent, report.new, report.duplicate, report.waiting) == (5, 5, 0, 0)
    assert set(hq.rows) == {("signature", s.id) for s in sigs} | {
        ("consent_text", WORDING.id), ("consent", kiosk_db.consent_for(sigs[0].id).id)}
    assert hq.personal[("signature", sigs[0].id)] == {"name": "Visitor 0", "message": "Message from Visitor 0"}
    assert hq.personal[("signature", sigs[1].id)] is None  # no yes: consented sends no name
    assert state(kiosk_db)["last_success"] and state(kiosk_db)["last_error"] is None
    again = open_sync(settings_for(tmp_path, hq.url)).run()
    assert (again.sent, again.error) == (0, None)


def test_a_conflict_is_kept_and_shown_by_kiosk_sync_status(tmp_path, hq, kiosk_db):
    sig = letter(kiosk_db)
    hq.rows[("signature", sig.id)] = "0" * 64  # the office holds other content under its id
    report = open_sync(settings_for(tmp_path, hq.url)).run()
    assert (report.conflict, report.waiting, report.error) == (1, 0, None)
    status = run_cli(tmp_path, hq.url, "sync", "status")
    assert status.exit_code == 0, status.output
    assert "conflict: Summer Fest / north / #0001: the office holds other content under this id" in status.output
    assert "Conflicts and refusals: 1" in status.output
    assert TOKEN not in status.output and "token set" in status.output
    assert open_sync(settings_for(tmp_path, hq.url)).run().sent == 0  # not sent again


def test_a_row_of_another_kiosk_is_not_sent(tmp_path, hq, kiosk_db):
    with Store(tmp_path / "south.db") as south:
        letter(south, "Grace Hopper", kiosk_id="south")
    mine = letter(kiosk_db)
    kiosk_db.merge([tmp_path / "south.db"])
    report = open_sync(settings_for(tmp_path, hq.url)).run()
    assert (report.sent, report.error) == (1, None) and set(hq.rows) == {("signature", mine.id)}
    assert "1 row(s) of other kiosks merged here" in run_cli(tmp_path, hq.url, "sync", "status").output


def test_letters_recorded_under_an_old_kiosk_id_are_named_and_sent_with_its_token(tmp_path, hq, kiosk_db):
    """The kiosk id changed (north, then south): north's letters are not south's to send, and are
    never left unseen: the status, the sync line and the screen name them and how to send them."""
    old = [letter(kiosk_db, f"Visitor {i}") for i in range(3)]
    letter(kiosk_db, "After", kiosk_id="south")
    env = {"KIOSK_DB": str(tmp_path / "kiosk.db"), "KIOSK_ID": "south", "KIOSK_SYNC_URL": hq.url,
           "KIOSK_CONFIG": "", "KIOSK_CASES": str(tmp_path / "cases")}
    told = "3 row(s) of kiosk north wait here: send them with north's token: kiosk sync --kiosk-id north"
    status = CliRunner().invoke(cli, ["sync", "status"], env=env, catch_exceptions=False)
    assert "Waiting: 1 row(s)" in status.output and f"  {told}\n" in status.output
    hq.kiosk_id = "south"  # south's own token: its letter only
    south = CliRunner().invoke(cli, ["sync"], env={**env, "KIOSK_SYNC_TOKEN": TOKEN}, catch_exceptions=False)
    assert south.exit_code == 0 and south.output.rstrip().endswith(f"; {told}"), south.output
    assert len(hq.rows) == 1
    hq.kiosk_id = "north"  # north's token
    north = CliRunner().invoke(cli, ["sync", "--kiosk-id", "north"], env={**env, "KIOSK_SYNC_TOKEN": TOKEN},
                               catch_exceptions=False)
    assert north.exit_code == 0, north.output
    assert "sent 3: 3 new" in north.output and "wait here" not in north.output
    assert {("signature", s.id) for s in old} <= set(hq.rows)
    after = CliRunner().invoke(cli, ["sync", "status"], env=env, catch_exceptions=False)
    assert "Waiting: 0 row(s)" in after.output and "wait here" not in after.output


@pytest.mark.parametrize(("fault", "said"), [
    ("500", "the office's service failed (HTTP 500: database down)"),
    ("429", "the office asked to wait (HTTP 429: slow down)"),
    ("401", "the office refused this kiosk's token (HTTP 401: unknown token): check sync.token"),
    ("garbage", "the office's answer is not JSON; nothing marked as sent"),
    ("drop", "cannot reach 127.0.0.1"),
])
def test_a_fault_marks_nothing_says_why_and_backs_off(tmp_path, hq, kiosk_db, fault, said):
    sig = letter(kiosk_db)
    hq.fault = fault
    report = open_sync(settings_for(tmp_path, hq.url)).run()
    assert report.error is not None and said in report.error
    assert (report.sent, report.waiting) == (0, 1)
    now = state(kiosk_db)
    assert now["last_error"] == report.error and now["failures"] == 1 and now["last_success"] is None
    until = dt.datetime.fromisoformat(now["backoff_until"].replace("Z", "+00:00"))
    waits = (until - dt.datetime.now(dt.UTC)).total_seconds()
    if fault == "429":
        assert 110 < waits <= 120  # Retry-After: 120
    if fault == "401":
        assert BACKOFF_MAX - 10 < waits <= BACKOFF_MAX
    hq.fault = None
    report = open_sync(settings_for(tmp_path, hq.url)).run()
    assert (report.error, report.waiting) == (None, 0) and ("signature", sig.id) in hq.rows
    assert state(kiosk_db)["failures"] == 0 and state(kiosk_db)["backoff_until"] is None


@pytest.mark.parametrize("fault", ["short", "swapped"])
def test_answers_that_do_not_match_the_batch_settle_nothing(tmp_path, hq, kiosk_db, fault):
    for i in range(3):
        letter(kiosk_db, f"Visitor {i}")
    hq.fault_after = fault
    report = open_sync(settings_for(tmp_path, hq.url)).run()
    assert "nothing marked as sent" in report.error
    assert report.waiting == 3
    hq.fault_after = None
    report = open_sync(settings_for(tmp_path, hq.url)).run()
    assert (report.duplicate, report.waiting) == (3, 0)  # the office had them: answered duplicate, never twice


def test_a_service_that_hangs_gives_up_in_time_and_loses_nothing(tmp_path, hq, kiosk_db):
    letter(kiosk_db)
    hq.fault = "hang"
    sync = open_sync(settings_for(tmp_path, hq.url))
    started = time.monotonic()
    report = sync.run(client=Client(hq.url, TOKEN, read_timeout=0.5, connect_timeout=0.5))
    assert time.monotonic() - started < 5
    assert "no answer from 127.0.0.1 in time" in report.error and report.waiting == 1


def test_413_halves_the_batch_until_it_is_taken(tmp_path, hq, kiosk_db):
    for i in range(5):
        letter(kiosk_db, f"Visitor {i}")
    hq.max_rows = 2
    report = open_sync(settings_for(tmp_path, hq.url)).run()
    assert (report.error, report.sent, report.waiting) == (None, 5, 0)
    assert max(hq.batches) <= 2


def test_a_letter_changed_while_its_batch_was_on_the_way_is_sent_again(tmp_path, hq, kiosk_db):
    sig = letter(kiosk_db)
    original = hq.answer

    def answer_after_a_purge(body):
        with Store(tmp_path / "kiosk.db") as other:  # the kiosk purges while the office answers
            from kiosk.store import Scope

            other.purge_personal_data(Scope())
        return original(body)

    hq.answer = answer_after_a_purge
    report = open_sync(settings_for(tmp_path, hq.url, personal="all")).run()
    assert report.error is None and report.waiting == 1
    hq.answer = original
    report = open_sync(settings_for(tmp_path, hq.url, personal="all")).run()
    assert (report.duplicate, report.waiting) == (1, 0)
    assert hq.personal[("signature", sig.id)] == {"name": None, "message": None}


def test_backoff_grows_with_full_jitter_up_to_the_cap_and_honours_retry_after():
    top = [backoff(n, 60, None, lambda lo, hi: hi) for n in range(1, 12)]
    assert top[:4] == [120, 240, 480, 900] and top[-1] == BACKOFF_MAX
    assert backoff(3, 60, None, lambda lo, hi: lo) == 60  # never sooner than the interval
    assert backoff(1, 5, 300, lambda lo, hi: lo) == 300
    assert retry_after("120") == 120 and retry_after("soon") is None
    assert retry_after("Fri, 03 Jul 2026 10:02:00 GMT", now=GIVEN) == 120


# -- the command line ------------------------------------------------------------------------------


def run_cli(tmp_path, url, *args, token=TOKEN):
    env = {"KIOSK_DB": str(tmp_path / "kiosk.db"), "KIOSK_ID": "north", "KIOSK_SYNC_URL": url,
           "KIOSK_SYNC_TOKEN": token, "KIOSK_CONFIG": "", "KIOSK_CASES": str(tmp_path / "cases")}
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_kiosk_sync_says_what_it_did_in_one_line(tmp_path, hq, kiosk_db):
    letter(kiosk_db)
    result = run_cli(tmp_path, hq.url, "sync")
    assert result.exit_code == 0, result.output
    assert result.output == (f"Synced with {hq.url}: sent 1: 1 new, 0 duplicate, 0 conflicts, 0 refused;"
                             " 0 waiting; no cases published\n")


def test_kiosk_sync_failures_are_one_line_exit_1(tmp_path, hq, kiosk_db):
    letter(kiosk_db)
    hq.fault = "500"
    result = run_cli(tmp_path, hq.url, "sync")
    assert result.exit_code == 1
    assert result.output == (f"Error: sync with {hq.url} failed: the office's service failed (HTTP 500: database"
                             " down) (sent 0 before; 1 waiting for the next sync)\n")
    hq.fault = None
    refused = run_cli(tmp_path, hq.url, "sync", token="wrong-token")
    assert refused.exit_code == 1 and len(refused.output.splitlines()) == 1
    assert "refused this kiosk's token" in refused.output and "wrong-token" not in refused.output
    status = run_cli(tmp_path, hq.url, "sync", "status")
    assert "Last error: the office refused this kiosk's token" in status.output and "Waiting: 1 row(s)" in status.output


def test_kiosk_sync_without_settings_or_database_is_one_line(tmp_path):
    result = CliRunner().invoke(cli, ["sync"], env={"KIOSK_DB": str(tmp_path / "kiosk.db"), "KIOSK_CONFIG": "",
                                                    "KIOSK_SYNC_URL": ""}, catch_exceptions=False)
    assert result.exit_code == 1
    assert result.output.startswith("Error: sync.url: not set: this kiosk does not sync") and \
        len(result.output.splitlines()) == 1
    closed = run_cli(tmp_path, "http://127.0.0.1:9", "sync")
    assert closed.exit_code == 1 and closed.output.startswith("Error: ") and "no such database" in closed.output


# -- answers no check foresaw ----------------------------------------------------------------------


def mock_client(handler) -> Client:
    import httpx

    return Client("http://127.0.0.1:9", TOKEN, transport=httpx.MockTransport(handler))


def test_a_retry_after_of_digits_that_are_not_ascii_is_no_wait_never_a_crash(tmp_path, kiosk_db):
    import httpx

    assert retry_after("\xb2") is None and retry_after("\u0663\u0660") is None and retry_after(" 7 ") == 7.0
    letter(kiosk_db)
    client = mock_client(lambda request: httpx.Response(429, headers=[(b"Retry-After", b"\xb2")],
                                                        json={"error": "wait"}))
    report = open_sync(settings_for(tmp_path, "http://127.0.0.1:9")).run(client=client)
    assert report.error == "the office asked to wait (HTTP 429: wait)"
    assert state(kiosk_db)["failures"] == 1 and state(kiosk_db)["backoff_until"]


@pytest.mark.parametrize("status", [200, 500])
def test_an_answer_nested_thousands_deep_is_not_json_and_is_backed_off(tmp_path, kiosk_db, status):
    import httpx

    letter(kiosk_db)
    deep = b"[" * 200_000 + b"]" * 200_000
    client = mock_client(lambda request: httpx.Response(status, content=deep))
    report = open_sync(settings_for(tmp_path, "http://127.0.0.1:9")).run(client=client)
    assert report.error is not None and report.waiting == 1
    assert report.error == ("the office's answer is not JSON; nothing marked as sent" if status == 200
                            else "the office's service failed (HTTP 500)")
    assert state(kiosk_db)["last_error"] == report.error and state(kiosk_db)["failures"] == 1


def test_anything_unexpected_from_the_client_is_a_failure_noted_and_backed_off(tmp_path, kiosk_db):
    letter(kiosk_db)

    def broken(request):
        raise RuntimeError("a bug in the client")

    report = open_sync(settings_for(tmp_path, "http://127.0.0.1:9")).run(client=mock_client(broken))
    assert report.error == "unexpected failure: RuntimeError: a bug in the client"
    now = state(kiosk_db)
    assert now["last_error"] == report.error and now["failures"] == 1 and now["backoff_until"]


def test_kiosk_sync_says_an_unexpected_failure_in_one_line_without_a_traceback(tmp_path, kiosk_db, monkeypatch):
    letter(kiosk_db)

    def broken(self, *args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(Client, "upload", broken)
    result = run_cli(tmp_path, "http://127.0.0.1:9", "sync")
    assert result.exit_code == 1 and len(result.output.splitlines()) == 1
    assert "unexpected failure: RecursionError: maximum recursion depth exceeded" in result.output


HOSTILE = "\x1b]0;PWNED\x1b\\ held \u202eelsewhere\u2066 \x9b31m\u200f" + "x" * 400 + "\nsecond line"


def test_the_office_reasons_are_kept_and_shown_as_one_clean_line(tmp_path, hq, kiosk_db):
    sig = letter(kiosk_db)
    hq.rows[("signature", sig.id)] = "0" * 64
    hq.reason = HOSTILE
    report = open_sync(settings_for(tmp_path, hq.url)).run()
    assert report.conflict == 1
    (kept,) = kiosk_db.sync_status("north").conflicts
    assert kept.reason.startswith("]0;PWNED\\ held elsewhere 31mxxx") and kept.reason.endswith("…")
    assert len(kept.reason) <= 200 and kept.reason.isprintable()
    status = run_cli(tmp_path, hq.url, "sync", "status")
    assert "PWNED" in status.output and "\\x1b" not in status.output and "\\u202e" not in status.output


def test_the_office_error_words_are_one_clean_line(tmp_path, kiosk_db):
    import httpx

    letter(kiosk_db)
    client = mock_client(lambda request: httpx.Response(503, json={"error": HOSTILE}))
    report = open_sync(settings_for(tmp_path, "http://127.0.0.1:9")).run(client=client)
    assert report.error is not None and report.error.isprintable() and "\u202e" not in report.error
    assert report.error.startswith("the office's service failed (HTTP 503: ]0;PWNED\\ held elsewhere 31mxxx")


def test_an_office_that_trickles_its_answer_is_given_up_on_by_the_overall_deadline():
    import threading

    from tests.helpers.trickle import trickling

    with trickling(0.2) as url:
        client = Client(url, TOKEN, read_timeout=5.0, total_timeout=1.0)
        outcome: list[object] = []
        began = time.monotonic()
        worker = threading.Thread(target=lambda: outcome.append(_try(client.cases, None)), daemon=True)
        worker.start()
        worker.join(20)
        took = time.monotonic() - began
        client.close()
    assert not worker.is_alive(), "still reading after 20 s"
    assert took < 10, took
    (error,) = outcome
    assert isinstance(error, SyncError) and "no answer from 127.0.0.1 in time" in error.problem


def _try(call, *args):
    try:
        return call(*args)
    except SyncError as exc:
        return exc
