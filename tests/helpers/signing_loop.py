"""A kiosk that signs in a loop and reports each signature once it is recorded.

Run by the durability tests, which kill it with SIGKILL at random moments:
``python -m tests.helpers.signing_loop DB PRINTER_FILE``. It records and prints through the
Station, as the app's print worker does. Each line ``recorded ID`` is written only after
``Station.record`` returned, i.e. after the commit.
"""

import os
import sys
from pathlib import Path

from tests.helpers import CASES
from tests.helpers.kiosk_app import make_station


def main() -> None:
    db, printer_file = Path(sys.argv[1]), sys.argv[2]
    station = make_station(db.parent, cases=CASES, printer=f"file:{printer_file}", database=db,
                           event="Crash test", kiosk_id="k1", print_burst=1000, print_rate=100000)
    # a load test, not a visitor pressing Print forty times: the print limit lets every letter print
    case_id = station.offered()[0].id
    i = 0
    while True:
        i += 1
        # a name of this process's own: a round killed after a letter or two is no double press of the next
        sig = station.record(case_id, "appeal" if i % 2 else "postcard", f"Visitor {os.getpid()}-{i}",
                             "Stay strong. " * (i % 5))
        sys.stdout.write(f"recorded {sig.id}\n")
        sys.stdout.flush()
        station.print_signature(sig)


if __name__ == "__main__":
    main()
