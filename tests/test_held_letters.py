"""Held letters: flagged words and the print limit hold a letter, and nothing reaches the printer
until a volunteer releases it; retry and reprint never take it; a rejected letter never prints and
still counts; a double press is one letter. The bytes that reach a (fake, network) printer are decoded."""

import datetime as dt
import json
import time

import pytest
from click.testing import CliRunner

from kiosk.application import InputError, open_station
from kiosk.cli import cli
from kiosk.settings import Settings
from kiosk.store import Store
from tests.helpers import CASES
from tests.helpers.escpos_stream import decode
from tests.helpers.fake_printer import strip_status
from tests.helpers.kiosk_app import NOON, without_consent

CASE = "lawyer-amara-osei"


class Clock:
    """The stall's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = NOON

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


def station_for(tmp_path, printer, clock=None, **settings):
    values = {"campaign": "Letters for Freedom", "event": "Test Fest", "kiosk_id": "stall-1",
              "cases": without_consent(CASES, tmp_path), "allow_sample_cases": True,
              "printer": printer.spec + "?timeout=2", "database": tmp_path / "kiosk.db"}
    return open_station(Settings(**{**values, **settings}), clock=clock or Clock()).prepare()


def printed_names(printer, names, settle=0.3):
    """Which of ``names`` are on the paper the printer got (each job decoded), in job order."""
    time.sleep(settle)  # the printer's thread keeps a job once its connection ends
    out = []
    for job in printer.jobs:
        text = decode(strip_status(job), "TM-T20II").text
        out += [name for name in names if name in text]
    return out


def test_a_flagged_letter_is_held_and_reaches_no_printer_until_released(tmp_path, fake_printer):
    printer = fake_printer("ok")
    station = station_for(tmp_path, printer)
    sig = station.record(CASE, "appeal", "Ada Clean", "f.u.c.k the minister")
    assert sig.held == "words"
    assert station.flagged(sig.name, sig.message, "en") == ["fuck"]
    outcome = station.print_signature(sig)  # what the app or kiosk sign would try: nothing is sent
    assert not outcome.printed and outcome.skipped
    assert station.retry() == (0, [])
    assert station.retry(interrupted=True) == (0, [])  # nor reprint
    assert printer.connections == 0 and printed_names(printer, ["Ada Clean"]) == []
    (held,) = station.held()
    assert held.signature.id == sig.id and held.job.held_reason == "words" and held.state == "held"
    assert station.waiting() == []

    outcome = station.release(sig.id)
    assert outcome.printed, outcome.error
    assert printed_names(printer, ["Ada Clean"]) == ["Ada Clean"]
    job = station.letter_for(sig.id).job
    assert job.status == "printed" and job.decision == "released" and job.decided_at
    assert station.held() == []
    station.close()


def test_a_rejected_letter_never_prints_and_still_counts(tmp_path, fake_printer):
    printer = fake_printer("ok")
    station = station_for(tmp_path, printer)
    sig = station.record(CASE, "appeal", "Bo Rude", "you shit")
    assert station.reject(sig.id) is True
    job = station.letter_for(sig.id).job
    assert job.status == "rejected" and job.decision == "rejected" and job.decided_at
    assert station.retry(interrupted=True) == (0, [])
    assert not station.print_signature(sig).printed
    assert not station.print_signature(sig, interrupted=True).printed
    with pytest.raises(InputError, match=r"is not held .*rejected"):
        station.release(sig.id)
    with pytest.raises(InputError, match="is not held"):
        station.reject(sig.id)
    assert printer.connections == 0
    assert station.count_today() == 1  # written, counted
    station.close()


def test_a_letter_that_is_not_held_cannot_be_decided(tmp_path, fake_printer):
    printer = fake_printer("ok")
    station = station_for(tmp_path, printer)
    sig = station.record(CASE, "appeal", "Cy Kind", "Stop the torture and rape of prisoners")
    assert sig.held is None  # campaign words: it prints at once
    with pytest.raises(InputError, match=r"is not held .*pending"):
        station.release(sig.id)
    with pytest.raises(InputError, match="no letter"):
        station.reject("no-such-letter")
    assert station.print_signature(sig).printed
    station.close()


def test_a_letter_the_lists_cannot_search_is_held_never_lost(tmp_path, fake_printer, monkeypatch):
    import kiosk.application.station as module

    def broken(*args, **kwargs):
        raise RuntimeError("the lists are broken")

    monkeypatch.setattr(module, "check", broken)
    station = station_for(tmp_path, fake_printer("ok"))
    sig = station.record(CASE, "appeal", "Di Calm", "Hello")
    assert sig.held == "words" and station.held()[0].signature.id == sig.id
    station.close()


def test_over_the_print_limit_letters_wait_until_time_passes_or_a_volunteer(tmp_path, fake_printer):
    """print_burst 2, print_rate 60 an hour: the third letter in a row is held; a minute later one
    more prints; the held one prints only when released."""
    printer = fake_printer("ok")
    clock = Clock()
    station = station_for(tmp_path, printer, clock, print_burst=2, print_rate=60.0)
    names = ["Ann One", "Ben Two", "Cat Three", "Dan Four", "Eve Five"]
    sigs = []
    for name in names[:3]:
        sig = station.record(CASE, "appeal", name, "")
        sigs.append(sig)
        station.print_signature(sig)
        clock.advance(1)
    assert [s.held for s in sigs] == [None, None, "limit"]
    assert station.retry(interrupted=True) == (0, [])
    assert printed_names(printer, names) == ["Ann One", "Ben Two"]

    clock.advance(5)  # not a minute yet: still no token
    fourth = station.record(CASE, "appeal", names[3], "")
    assert fourth.held == "limit"
    clock.advance(60)  # a token back
    fifth = station.record(CASE, "appeal", names[4], "")
    assert fifth.held is None and station.print_signature(fifth).printed
    assert [item.signature.name for item in station.held()] == ["Cat Three", "Dan Four"]

    assert station.release(sigs[2].id).printed
    assert printed_names(printer, names) == ["Ann One", "Ben Two", "Eve Five", "Cat Three"]
    station.close()


def test_a_double_press_is_one_letter(tmp_path, fake_printer):
    clock = Clock()
    station = station_for(tmp_path, fake_printer("ok"), clock)
    first = station.record(CASE, "appeal", "Fay Twice", "Courage")
    clock.advance(4)
    again = station.record(CASE, "appeal", "Fay Twice", "Courage")
    assert again.repeat and again.id == first.id
    clock.advance(11)  # later, the same words are a second letter
    later = station.record(CASE, "appeal", "Fay Twice", "Courage")
    assert not later.repeat and later.number == 2
    station.close()


def test_the_organisers_words_take_effect_on_reload_and_their_problems_are_told(tmp_path, fake_printer):
    import shutil

    folder = tmp_path / "cases"
    shutil.copytree(without_consent(CASES, tmp_path), folder)
    station = station_for(tmp_path, fake_printer("ok"), cases=folder)
    assert station.hold_reason("Gil", "what a scumbag", "en") is None
    (folder / "moderation.toml").write_text('[en]\nflag = ["scumbag", 7]\n', encoding="utf-8")
    problems = station.reload_cases()
    assert problems == [f"{folder / 'moderation.toml'}: en.flag: entry 2: must be text, not a number"]
    assert station.problems == problems
    assert station.hold_reason("Gil", "what a scumbag", "en") == "words"
    assert station.flagged("Gil", "what a scumbag", "es") == ["scumbag"]  # English words for everyone
    station.close()


def test_a_ref_names_one_letter_or_says_why_not(tmp_path, fake_printer):
    station = station_for(tmp_path, fake_printer("ok"))
    sig = station.record(CASE, "appeal", "Hal Held", "shit")
    with Store(station.settings.database) as store:  # another kiosk's letter #1, merged into this file
        store.record(case_id=CASE, kind="appeal", name="Ivy Other", message="", event="Other Fest",
                     kiosk_id="stall-2")
    job = station.letter_for(sig.id).job
    for ref in (str(job.id), "Test Fest / stall-1 / #0001", "Ref. Test Fest / stall-1 / #0001", "stall-1/#1",
                "stall-1/1", "stall-1 #1", sig.id):
        assert station.letter_for(ref).signature.id == sig.id, ref
    with pytest.raises(InputError, match=r"'#1' names 2 letters \(Test Fest / stall-1 / #0001, Other Fest"):
        station.letter_for("#1")
    for ref in ("stall-9/#1", "999", "#77", "Other Fest / stall-1 / #1"):
        with pytest.raises(InputError, match="no letter"):
            station.letter_for(ref)
    with pytest.raises(InputError, match="names no letter"):
        station.letter_for("the rude one")
    station.close()


# -- the command line -------------------------------------------------------------------------------


def run(*args, env=None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_kiosk_sign_holds_and_kiosk_jobs_release_prints(tmp_path, fake_printer):
    printer = fake_printer("ok")
    db = str(tmp_path / "k.db")
    common = ["--db", db, "--cases", str(CASES), "--allow-sample-cases", "--event", "Fest", "--kiosk-id", "k1",
              "--printer", printer.spec + "?timeout=2"]
    env = {"KIOSK_PRINT_BURST": "2", "KIOSK_PRINT_RATE": "60"}

    def sign(name, message=""):
        return run("sign", "--case", CASE, "--kind", "appeal", "--name", name, "--message", message, *common, env=env)

    assert sign("Ann One").exit_code == 0
    double = sign("Ann One")
    assert double.exit_code == 0 and "Already recorded: Ref. Fest / k1 / #0001" in double.output
    assert sign("Ben Two", "Stop the torture and rape of prisoners").exit_code == 0
    limited = sign("Cat Three")
    assert limited.exit_code == 3
    assert "Recorded appeal" in limited.output and "Held for a volunteer (over the print limit)" in limited.output
    rude = sign("Dan Four", "sh1t minister")
    assert rude.exit_code == 3 and "Held for a volunteer (words of the stall's lists)" in rude.output

    listing = run("jobs", "--db", db, "--cases", str(CASES))
    assert listing.exit_code == 0
    assert "Fest / k1 / #0003" in listing.output and "over the print limit" in listing.output
    assert "words of the stall's lists: shit" in listing.output and "message: sh1t minister" in listing.output
    retry = ["jobs", "retry", "--interrupted", "--db", db, "--cases", str(CASES), "--allow-sample-cases",
             "--printer", printer.spec + "?timeout=2"]
    result = run(*retry)
    assert result.exit_code == 0 and "Held for a volunteer: 2 letters" in result.output
    names = ["Ann One", "Ben Two", "Cat Three", "Dan Four"]
    assert printed_names(printer, names) == ["Ann One", "Ben Two"]

    released = run("jobs", "release", "k1/#3", *common[:5], "--printer", printer.spec + "?timeout=2")
    assert released.exit_code == 0, released.output
    assert "Released Ref. Fest / k1 / #0003" in released.output and "Printed on" in released.output
    rejected = run("jobs", "reject", "Fest / k1 / #0004", "--db", db)
    assert rejected.exit_code == 0 and "it will not print; it still counts as written" in rejected.output
    assert run(*retry).exit_code == 0
    assert printed_names(printer, names) == ["Ann One", "Ben Two", "Cat Three"]
    assert run("jobs", "--db", db).output.strip() == "No print jobs waiting."
    sigs = json.loads(run("export", "signatures", "--format", "json", "--db", db).output)
    assert [s["print_status"] for s in sigs] == ["printed", "printed", "printed", "rejected"]


@pytest.mark.parametrize("ref, problem", [
    ("#9", "no letter '#9'"),
    ("nonsense", "'nonsense' names no letter"),
    ("k1/#1", "is not held (its print job is printed)"),
])
def test_kiosk_jobs_release_and_reject_say_in_one_line_what_they_cannot_do(tmp_path, ref, problem):
    db = str(tmp_path / "k.db")
    assert run("sign", "--case", CASE, "--kind", "appeal", "--name", "Ann", "--db", db, "--cases", str(CASES),
               "--allow-sample-cases", "--kiosk-id", "k1", "--printer", f"preview:{tmp_path}").exit_code == 0
    for command in (["jobs", "release", ref, "--cases", str(CASES), "--allow-sample-cases", "--printer",
                     f"preview:{tmp_path}"], ["jobs", "reject", ref]):
        result = run(*command, "--db", db)
        assert result.exit_code == 1, result.output
        (line,) = result.output.strip().splitlines()
        assert line.startswith("Error: letter: ") and problem in line


def test_printing_a_held_letter_says_it_waits_for_a_volunteer_never_that_another_run_has_it(tmp_path):
    from tests.helpers import CASES
    from tests.helpers.kiosk_app import make_station

    station = make_station(tmp_path, cases=CASES, print_burst=1, print_rate=1)
    case = station.offered()[0].id
    station.record(case, "appeal", "First Visitor", "")
    held = station.record(case, "appeal", "Second Visitor", "")
    assert held.held == "limit"
    outcome = station.print_signature(held)
    assert not outcome.printed and outcome.skipped
    assert "held for a volunteer" in outcome.error and "another run" not in outcome.error
    station.close()


def test_an_office_case_set_naming_the_word_lists_is_refused():
    from kiosk.sync.published import parse

    with pytest.raises(ValueError, match=r"moderation\.toml"):
        parse({"version": 1, "hash": "x", "files": {"moderation.toml": "[en]\nallow = []\n"}})
