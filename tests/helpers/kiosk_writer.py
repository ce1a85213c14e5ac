"""A kiosk in a process of its own that signs letters when told, for the counter's tests.

``python -m tests.helpers.kiosk_writer FOLDER``: a station at noon on the test day (kiosk
``stall-1``, the database ``FOLDER/kiosk.db``) reads commands on its standard input, one a line,
and answers each on its standard output once done:

- ``sign N``: records N letters, each committed before the answer (``signed TOTAL``);
- ``close``: closes its database, as a kiosk that quits does (``closed``);
- ``open``: opens it again, as a kiosk that starts again does (``opened``).

It ends when its standard input does.
"""

import sys
from pathlib import Path

from tests.helpers import CASES
from tests.helpers.kiosk_app import make_station


def main() -> None:
    folder = Path(sys.argv[1])

    def start():
        return make_station(folder, cases=CASES, print_burst=1000, print_rate=100000)

    station = start()
    cases = [case.id for case in station.offered()]
    total = 0
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    for line in sys.stdin:
        command, *arg = line.split()
        if command == "sign":
            for _ in range(int(arg[0])):
                station.record(cases[total % len(cases)], "appeal", f"Visitor {total}", f"Letter {total}")
                total += 1
            answer = f"signed {total}"
        elif command == "close":
            station.close()
            answer = "closed"
        elif command == "open":
            station = start()
            answer = "opened"
        else:
            answer = f"unknown {command}"
        sys.stdout.write(answer + "\n")
        sys.stdout.flush()
    station.close()


if __name__ == "__main__":
    main()
