"""README's Guarantees table states the sizes the proofs really run, default and long."""

import re

from tests import (
    test_durability,
    test_hostile_input,
    test_kiosk_escape,
    test_pin_and_files,
    test_soak_printer,
    test_sync_proofs,
)
from tests.helpers import ROOT

ROWS = {
    "tests/test_soak_printer.py": test_soak_printer.VISITORS,
    "tests/test_durability.py": test_durability.KILLS,
    "tests/test_hostile_input.py": test_hostile_input.FILE_TO_PAPER,
    "Hostile text on screen": test_hostile_input.ON_SCREEN,
    "tests/test_kiosk_escape.py": test_kiosk_escape.STORMS,
    "tests/test_pin_and_files.py": test_pin_and_files.CASE_FOLDERS,
    "tests/test_sync_proofs.py": test_sync_proofs.KIOSKS,
    "Sync through faults": test_sync_proofs.FAULTS,
    "Sync through kills": test_sync_proofs.HAVOC,
}


def test_the_guarantees_table_states_the_sizes_that_run():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Guarantees", 1)[1].split("\n## ", 1)[0]
    assert "python -m pytest --long -m long" in section
    for key, (default, long) in ROWS.items():
        (row,) = [line for line in section.splitlines() if line.startswith("|") and key in line]
        _, default_cell, long_cell = [c.strip() for c in row.strip("|").split("|")][:3]
        for sizes, cell in ((default, default_cell), (long, long_cell)):
            for size in sizes if isinstance(sizes, tuple) else (sizes,):  # (kiosks, letters): both stated
                assert re.search(rf"(^|\D){size:,}(\D|$)", cell), (key, cell)



def test_the_adversarial_row_counts_the_attacks_that_run():
    """The Guarantees table's count of attacks per file is the number of tests each file runs."""
    import collections
    import subprocess
    import sys

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (row,) = [line for line in readme.splitlines() if line.startswith("| Adversarial suite")]
    stated = {name: int(n) for name, n in re.findall(r"(printer|store and merge|command line|input) (\d+)", row)}
    files = {"printer": "printer", "store and merge": "store", "command line": "cli", "input": "input"}
    listed = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "-n", "0",
         *(f"tests/test_adversarial_{stem}.py" for stem in files.values())],
        cwd=ROOT, capture_output=True, text=True, check=True).stdout
    counted = collections.Counter(line.split("::")[0] for line in listed.splitlines() if "::" in line)
    for label, stem in files.items():
        assert stated[label] == counted[f"tests/test_adversarial_{stem}.py"], (label, stated[label], counted)
    assert re.search(rf"\b{sum(stated.values())} attacks\b", row), row
