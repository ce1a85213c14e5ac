"""A process that signs in a loop and reports each signature once it is recorded.

Run by the durability tests, which kill it with SIGKILL at random moments:
``python -m tests.signing_loop DB PRINTER_FILE``. Each line ``recorded ID`` is written
only after the store returned, i.e. after the commit.
"""

import sys

from kiosk.cases import read_dir
from kiosk.printing.queue import print_signature
from kiosk.printing.setups import parse_spec
from kiosk.store import Store

from tests.conftest import CASES


def main() -> None:
    db, printer_file = sys.argv[1], sys.argv[2]
    cases = read_dir(CASES)
    setup = parse_spec(f"file:{printer_file}")
    store = Store(db)
    i = 0
    while True:
        i += 1
        sig = store.record(case_id="lawyer-amara-osei", kind="appeal" if i % 2 else "postcard",
                           name=f"Visitor {i}", message="x" * (i % 50), event="Crash test", kiosk_id="k1")
        sys.stdout.write(f"recorded {sig.id}\n")
        sys.stdout.flush()
        print_signature(store, sig, cases.cases[sig.case_id], setup)


if __name__ == "__main__":
    main()
