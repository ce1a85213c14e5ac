"""Kiosks that each record one letter and print it, and stop for ever at one step of the way, for
a test to kill them there: ``python -m tests.helpers.letter_steps FOLDER`` forks one kiosk
process per step (once the code is loaded: a start costs one import), each with its database
``FOLDER/STEP/kiosk.db`` and its printer file ``FOLDER/STEP/printer.bin``.

Each writes ``at STEP PID`` on standard output where it stops:

- ``recorded``: the letter's commit returned (its job pending), before the print starts;
- ``claimed``: the claim's commit returned (the job printing), before any byte is sent;
- ``sent``: every byte reached the printer, before the finish is committed;
- ``finished``: the finish's commit returned (the job printed).

It records and prints through the Station, as the app's print worker does.
"""

import datetime as dt
import os
import sys
import time
from pathlib import Path

import kiosk.printing.queue as queue
from kiosk.application import Station, open_station
from kiosk.settings import Settings
from kiosk.store import Store
from tests.helpers import CASES

NOON = dt.datetime(2026, 11, 24, 12, 0).astimezone()

STEPS = ("recorded", "claimed", "sent", "finished")


def stop(step: str) -> None:
    sys.stdout.write(f"at {step} {os.getpid()}\n")
    sys.stdout.flush()
    time.sleep(600)
    raise SystemExit(f"not killed at {step}")


def stop_after(owner, name: str, step: str) -> None:
    real = getattr(owner, name)

    def then_stop(*args, **kwargs):
        out = real(*args, **kwargs)
        stop(step)
        return out

    setattr(owner, name, then_stop)


def station_in(folder: Path) -> Station:
    settings = Settings(event="Crash test", kiosk_id="k1", cases=CASES, allow_sample_cases=True,
                        printer=f"file:{folder / 'printer.bin'}", database=folder / "kiosk.db",
                        preview=folder / "preview", campaign="Letters for Freedom")
    return open_station(settings, clock=lambda: NOON).prepare()


def run(step: str, folder: Path) -> None:
    station = station_in(folder)
    if step == "claimed":
        stop_after(Store, "claim_job", step)
    elif step == "finished":
        stop_after(Store, "finish_job", step)
    elif step == "sent":
        real_prepare = queue.prepare

        def prepare(receipt, setup):
            send = real_prepare(receipt, setup)

            def send_then_stop():
                out = send()
                stop(step)
                return out

            return send_then_stop

        queue.prepare = prepare
    sig = station.record(station.offered()[0].id, "appeal", "Ada Crash", "Stay strong.")
    if step == "recorded":
        stop(step)
    station.print_signature(sig)
    raise SystemExit(f"printed without stopping at {step}")


def main() -> None:
    folder = Path(sys.argv[1])
    children = []
    for step in STEPS:
        (folder / step).mkdir(parents=True)
        pid = os.fork()
        if pid == 0:
            try:
                run(step, folder / step)
            finally:
                os._exit(1)
        children.append(pid)
    for pid in children:
        os.waitpid(pid, 0)


if __name__ == "__main__":
    main()
