"""The first letter of a fresh kiosk, in a process of its own: ``python -m benchmarks.first_letter
FOLDER warm|cold`` prints ``{"wire": seconds, "next": seconds, "paper": seconds}`` as JSON.

The station is opened and prepared as the app does at start (the printer set-up, the cases,
the database), with a loopback network printer in a thread (benchmarks/loopback.py). ``warm``:
then :meth:`Station.warm_up`, as the app runs it in the background after its first frame
(a visitor takes longer to write a letter than it takes); ``cold``: not. Then one letter,
from a completed form to its last byte on the printer's side, against the paper time of that
receipt (benchmarks/wire.py); and the next letter's, for the record. The database is the one
an earlier run made, as a kiosk's is when it starts again. Nothing else is imported first: what the letter needs and the
start did not load, it loads.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from .common import CASES
from .loopback import LoopbackPrinter


def main() -> None:
    from kiosk.application import open_station
    from kiosk.settings import Settings

    folder, mode = Path(sys.argv[1]), sys.argv[2]
    printer = LoopbackPrinter("ok")
    settings = Settings(event="Bench", kiosk_id="bench", cases=CASES, allow_sample_cases=True,
                        print_burst=1000, print_rate=100000.0, printer=printer.spec(),
                        database=folder / "k.db", preview=folder / "preview")
    station = open_station(settings).prepare()
    if mode == "warm":
        station.warm_up()
    case = station.case("lawyer-amara-osei")
    assert case is not None
    wires = []
    for n in (1, 2):  # the first letter, and the next for the record
        start = time.perf_counter()
        name, message = station.check_form("Ada Lovelace", f"You are not alone. We are thinking of you and we will"
                                                           f" keep writing until you are free. ({os.getpid()}.{n})")
        sig = station.record(case.id, "appeal", name, message)
        outcome = station.print_signature(sig)
        assert outcome.printed, outcome.error
        wires.append(printer.wait_for(n) - start)
    from kiosk.receipts import layouts  # the paper's time, once the letters are out

    from .wire import print_seconds

    paper = print_seconds(layouts.for_signature(case, sig, settings.campaign), station.setup)
    station.close()
    printer.close()
    print(json.dumps({"wire": wires[0], "next": wires[1], "paper": paper}))


if __name__ == "__main__":
    main()
